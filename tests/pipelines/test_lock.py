"""The single-run lock on SQLite (row + heartbeat + stale takeover) and PostgreSQL (advisory lock)."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa

from eventstudy.db import open_db
from eventstudy.db.pipeline_tables import pipeline_lock
from eventstudy.exceptions import LockHeld
from eventstudy.db.locks import PipelineLock, read_lock


@pytest.fixture
def engine(db_url):
    eng = open_db(db_url)
    yield eng
    eng.dispose()


def test_second_holder_is_refused_with_a_clear_message_until_release(engine):
    first = PipelineLock(engine).acquire()
    try:
        with pytest.raises(LockHeld) as err:
            PipelineLock(engine).acquire()
        assert err.value.exit_code == 6
        message = str(err.value)
        assert "another pipeline run holds the lock" in message
        assert f"pid {os.getpid()}" in message and socket.gethostname() in message
        info = read_lock(engine)
        assert info is not None and info.live and info.owner == first.owner
    finally:
        first.release()
    assert read_lock(engine) is None
    with PipelineLock(engine):  # free again
        pass


def _insert_row(engine, *, owner, pid, host, heartbeat):
    with engine.begin() as conn:
        conn.execute(pipeline_lock.insert().values(name="nightly", owner=owner, pid=pid, host=host,
                                                   acquired_at=heartbeat, heartbeat_at=heartbeat))


def test_sqlite_stale_heartbeat_is_taken_over(sqlite_url):
    engine = open_db(sqlite_url)
    old = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=10)
    _insert_row(engine, owner="elsewhere:1:x", pid=1, host="another-host", heartbeat=old)
    assert read_lock(engine).live is False
    lock = PipelineLock(engine, ttl_seconds=120).acquire()
    try:
        assert lock.took_over is not None and lock.took_over.host == "another-host"
        assert read_lock(engine).owner == lock.owner
    finally:
        lock.release()


def test_sqlite_fresh_lock_of_another_host_is_respected(sqlite_url):
    engine = open_db(sqlite_url)
    _insert_row(engine, owner="elsewhere:1:x", pid=1, host="another-host", heartbeat=dt.datetime.now(dt.timezone.utc))
    with pytest.raises(LockHeld, match="another-host"):
        PipelineLock(engine, ttl_seconds=120).acquire()


def test_sqlite_lock_of_dead_pid_on_this_host_is_taken_over(sqlite_url):
    engine = open_db(sqlite_url)
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()  # a pid that existed and is now gone
    _insert_row(engine, owner=f"{socket.gethostname()}:{proc.pid}:dead", pid=proc.pid, host=socket.gethostname(),
                heartbeat=dt.datetime.now(dt.timezone.utc))
    lock = PipelineLock(engine, ttl_seconds=120).acquire()
    try:
        assert lock.took_over is not None and lock.took_over.pid == proc.pid
    finally:
        lock.release()


def test_heartbeat_is_refreshed_and_a_takeover_is_noticed(sqlite_url):
    engine = open_db(sqlite_url)
    lock = PipelineLock(engine, ttl_seconds=2).acquire()  # heartbeat every 0.5 s
    try:
        first = read_lock(engine, ttl_seconds=2).heartbeat_at
        time.sleep(1.3)
        assert read_lock(engine, ttl_seconds=2).heartbeat_at > first
        with engine.begin() as conn:  # someone else steals the row
            conn.execute(sa.update(pipeline_lock).values(owner="thief"))
        time.sleep(1.2)
        with pytest.raises(LockHeld, match="taken over"):
            lock.check()
    finally:
        lock.release()


def test_postgres_lock_dies_with_its_session(pg_url):
    engine = open_db(pg_url)
    lock = PipelineLock(engine).acquire()
    with pytest.raises(LockHeld):
        PipelineLock(engine).acquire()
    # The holder's connection vanishes (crash): the server drops the advisory lock by itself.
    lock._pg_conn.invalidate()
    lock._pg_conn = None
    lock._stop.set()
    info = read_lock(engine)
    assert info is not None and info.live is False  # the row is left behind but says the lock is gone
    with PipelineLock(engine) as again:
        assert read_lock(engine).owner == again.owner
    engine.dispose()


def test_sqlite_lock_with_an_old_heartbeat_is_stale_whatever_its_pid(sqlite_url):
    """Issue 13: a live pid (pid 1 in a container is always alive) no longer pins a lock whose heartbeat stopped."""
    engine = open_db(sqlite_url)
    busy = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        old = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)
        _insert_row(engine, owner=f"{socket.gethostname()}:{busy.pid}:busy", pid=busy.pid, host=socket.gethostname(), heartbeat=old)
        assert not read_lock(engine, ttl_seconds=120).live
        with PipelineLock(engine, ttl_seconds=120) as lock:
            assert lock.took_over.pid == busy.pid
    finally:
        busy.kill()
        busy.wait()


def _row_with_start(engine, pid: int, start: int | None) -> None:
    now = dt.datetime.now(dt.timezone.utc)
    with engine.begin() as conn:
        conn.execute(pipeline_lock.insert().values(name="nightly", owner=f"{socket.gethostname()}:{pid}:x", pid=pid,
                                                   host=socket.gethostname(), acquired_at=now, heartbeat_at=now,
                                                   pid_start=start))


def test_sqlite_reused_pid_is_told_by_its_start_time(sqlite_url):
    from eventstudy.db.locks import process_start

    engine = open_db(sqlite_url)
    busy = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        real = process_start(busy.pid)
        assert real is not None and real > 0
        _row_with_start(engine, busy.pid, real)  # the very process: respected
        with pytest.raises(LockHeld, match=f"pid {busy.pid}"):
            PipelineLock(engine).acquire()
        with engine.begin() as conn:
            conn.execute(pipeline_lock.delete())
        _row_with_start(engine, busy.pid, real - 1)  # same pid, another process: stale despite a fresh heartbeat
        with PipelineLock(engine) as lock:
            assert lock.took_over.pid == busy.pid
    finally:
        busy.kill()
        busy.wait()


def test_force_unlock_removes_a_live_looking_row(sqlite_url):
    from eventstudy.db.locks import force_unlock

    engine = open_db(sqlite_url)
    _row_with_start(engine, os.getppid(), None)
    assert read_lock(engine).live
    assert force_unlock(engine).pid == os.getppid()
    assert read_lock(engine) is None and force_unlock(engine) is None
