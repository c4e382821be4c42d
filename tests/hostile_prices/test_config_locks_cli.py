"""Hostile pipeline configs, stuck locks and CLI options, through the real ``eventstudy`` command.

Each refusal is one line naming the file and ``[section] key`` (or the ticker), a
documented exit code, no "Traceback", and the SQLite file byte-identical afterwards.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys

import pytest
import sqlalchemy as sa

from conftest import run_cli
from eventstudy.db.pipeline_tables import pipeline_lock
from hostile_lib import private_yf_cache, run_states, sqlite_stored  # noqa: F401 (fixtures)

CONFIGS = {
    "string for an integer": (b'[lock]\nttl_seconds = "120"\n', "[lock] ttl_seconds: input should be a valid integer"),
    "number for the price source": (b"price_source = 5\n", "price_source: input should be a valid string"),
    "negative ttl": (b"[lock]\nttl_seconds = -5\n", "[lock] ttl_seconds: input should be greater than 0"),
    "boolean for seconds": (b"[schedule]\nlate_after_seconds = true\n", "[schedule] late_after_seconds"),
    "not UTF-8": (b'catalog = "\xff\xfeevents"\n', ":1: not UTF-8 text"),
    "list for a table": (b"lock = [1, 2]\n", "[lock]"),
}


def _one_clear_line(run: subprocess.CompletedProcess, code: int, words: str) -> None:
    assert run.returncode == code, run.stderr
    assert "Traceback" not in run.stderr + run.stdout
    assert words in run.stderr
    assert len([line for line in run.stderr.splitlines() if line.strip()]) == 1, run.stderr


@pytest.mark.parametrize("case", sorted(CONFIGS))
def test_bad_config_is_one_located_line_and_exit_2(sqlite_stored, tmp_path, case):
    content, words = CONFIGS[case]
    path = tmp_path / "pipeline.toml"
    path.write_bytes(content)
    db_file = sqlite_stored.url[len("sqlite:///"):]
    sqlite_stored.engine.dispose()
    before = open(db_file, "rb").read()
    run = run_cli("--db", sqlite_stored.url, "pipeline", "run", "--once", "--config", path)
    _one_clear_line(run, 2, words)
    assert str(path) in run.stderr
    assert open(db_file, "rb").read() == before


def _lock_row(engine, pid: int, start: int | None, heartbeat: dt.datetime) -> None:
    with engine.begin() as conn:
        conn.execute(pipeline_lock.insert().values(name="nightly", owner=f"{socket.gethostname()}:{pid}:x", pid=pid,
                                                   host=socket.gethostname(), acquired_at=heartbeat,
                                                   heartbeat_at=heartbeat, pid_start=start))


def test_unlock_without_force_names_a_live_holder_and_changes_nothing(sqlite_stored):
    from eventstudy.db.locks import process_start

    busy = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        _lock_row(sqlite_stored.engine, busy.pid, process_start(busy.pid), dt.datetime.now(dt.timezone.utc))
        db_file = sqlite_stored.url[len("sqlite:///"):]
        sqlite_stored.engine.dispose()
        before = open(db_file, "rb").read()
        run = run_cli("--db", sqlite_stored.url, "pipeline", "unlock")
        _one_clear_line(run, 6, f"pid {busy.pid}")
        assert "--force" in run.stderr
        assert open(db_file, "rb").read() == before
        forced = run_cli("--db", sqlite_stored.url, "pipeline", "unlock", "--force")
        assert forced.returncode == 0 and "pipeline lock removed" in forced.stdout, forced.stderr
        with sqlite_stored.engine.connect() as conn:
            assert conn.execute(sa.select(pipeline_lock)).first() is None
    finally:
        busy.kill()
        busy.wait()


def test_lock_of_a_reused_pid_does_not_block_the_next_run(sqlite_stored):
    """The scheduler as pid 1 of a container: pid 1 is alive, but it is not the process that took the lock."""
    from eventstudy.db.locks import PipelineLock, read_lock

    _lock_row(sqlite_stored.engine, 1, 1, dt.datetime.now(dt.timezone.utc))  # pid 1, started at tick 1: not init's
    assert not read_lock(sqlite_stored.engine).live
    with PipelineLock(sqlite_stored.engine) as lock:
        assert lock.took_over.pid == 1


def test_lock_with_a_dead_heartbeat_is_stale_whatever_the_pid(sqlite_stored):
    from eventstudy.db.locks import PipelineLock

    old = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=2)
    _lock_row(sqlite_stored.engine, os.getpid(), None, old)  # our own, live pid
    with PipelineLock(sqlite_stored.engine, ttl_seconds=60) as lock:
        assert lock.took_over is not None


@pytest.mark.parametrize("ticker, words", [("../EVIL/AMD", "is not valid"), ("X" * 21, "longer than 20")])
def test_cli_refuses_a_bad_ticker_in_one_line(sqlite_stored, ticker, words):
    run = run_cli("--db", sqlite_stored.url, "prices", "ingest", "--prices", f"files:{sqlite_stored.folder}",
                  "--tickers", ticker, "--no-progress")
    assert run.returncode == 4 and "Traceback" not in run.stderr + run.stdout
    assert words in run.stdout + run.stderr
    sqlite_stored.assert_unchanged()
    assert run_states(sqlite_stored.engine)[-1] == "failed"


def test_cli_utf16_file_fails_alone_and_the_run_is_closed(sqlite_stored):
    (sqlite_stored.folder / "AMD.csv").write_bytes("Date,Open,High,Low,Close,Volume\n".encode("utf-16"))
    run = run_cli("--db", sqlite_stored.url, "prices", "ingest", "--prices", f"files:{sqlite_stored.folder}",
                  "--tickers", "AMD,NVDA", "--no-progress")
    assert run.returncode == 5 and "Traceback" not in run.stderr + run.stdout
    assert "not UTF-8" in run.stdout and "1 of 2 tickers failed: AMD" in run.stderr
    sqlite_stored.assert_unchanged()
    assert run_states(sqlite_stored.engine)[-1] == "partial"
