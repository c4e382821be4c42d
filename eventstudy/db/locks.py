"""One pipeline run at a time, across processes and hosts sharing a database.

* PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``) taken on a
  dedicated connection held for the whole run.  The server releases it when the
  connection ends, so a killed process never leaves a stale lock.
* SQLite: a row in ``pipeline_lock`` (owner, pid, its start time, host, heartbeat).
  A background thread refreshes the heartbeat.  A row is stale, and taken over, when
  its heartbeat is older than the TTL, whatever the pid, or (owner on this host) when
  its pid is dead or now belongs to another process: a reused pid (the scheduler is
  pid 1 in every container) has another start time in ``/proc/PID/stat``.

``eventstudy pipeline unlock --force`` (:func:`force_unlock`) removes a lock row by hand.

On both backends the row says who holds the lock, for ``eventstudy pipeline status``.
A second run gets :class:`eventstudy.exceptions.LockHeld` (exit code 6).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import socket
import threading
import uuid
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, delete, select, update
from sqlalchemy.exc import IntegrityError

from ..clock import aware, utcnow
from ..exceptions import LockHeld
from .pipeline_tables import pipeline_lock

log = logging.getLogger(__name__)

DEFAULT_LOCK_NAME = "nightly"


def _advisory_key(name: str) -> int:
    """A stable signed 64-bit key for ``pg_try_advisory_lock`` derived from the lock name."""
    digest = hashlib.sha256(f"eventstudy.pipeline:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists on this host (signal 0 probes without signalling)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def process_start(pid: int) -> int | None:
    """Start time of process ``pid`` in clock ticks since boot (``/proc/PID/stat`` field 22); None if unknown."""
    try:
        with open(f"/proc/{int(pid)}/stat", "rb") as handle:
            stat = handle.read().decode("ascii", "replace")
        # Field 2 (the command) is in parentheses and may hold spaces: count fields after the last ")".
        return int(stat[stat.rindex(")") + 2:].split()[19])
    except (OSError, ValueError, IndexError):
        return None


def holder_alive(pid: int, pid_start: int | None) -> bool:
    """Whether process ``pid`` on this host is still the one that took the lock (same start time when known)."""
    if not pid_alive(pid):
        return False
    now = process_start(pid)
    return pid_start is None or now is None or now == pid_start


@dataclass(frozen=True)
class LockInfo:
    """Who holds (or last held) a lock; ``live`` is False for a stale row left by a dead run."""

    name: str
    owner: str
    pid: int
    host: str
    acquired_at: dt.datetime
    heartbeat_at: dt.datetime
    live: bool

    def describe(self) -> str:
        return (
            f"pid {self.pid} on {self.host} (owner {self.owner}), "
            f"since {self.acquired_at:%Y-%m-%d %H:%M:%S} UTC, last heartbeat {self.heartbeat_at:%H:%M:%S} UTC"
        )


class PipelineLock:
    """The pipeline's single-run lock; use as a context manager.

    Parameters
    ----------
    engine : Engine
        The project database (migrated).
    name : str
        Lock name; runs sharing a name exclude each other.
    ttl_seconds : float
        SQLite: heartbeat age after which the row of an owner on another host is
        stale.  The heartbeat is refreshed every ``ttl_seconds / 4``.
    """

    def __init__(self, engine: Engine, name: str = DEFAULT_LOCK_NAME, *, ttl_seconds: float = 120.0):
        self.engine = engine
        self.name = name
        self.ttl = dt.timedelta(seconds=ttl_seconds)
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pg_conn: Connection | None = None
        self.took_over: LockInfo | None = None

    @property
    def _is_pg(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    # -- acquire / release -------------------------------------------------------------------
    def acquire(self) -> "PipelineLock":
        """Take the lock or raise :class:`LockHeld` naming the holder."""
        if self._is_pg:
            self._acquire_pg()
        else:
            self._acquire_row()
        self._thread = threading.Thread(target=self._heartbeat_loop, name=f"pipeline-lock-{self.name}", daemon=True)
        self._thread.start()
        return self

    def release(self) -> None:
        """Give the lock back (idempotent)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        with self.engine.begin() as conn:
            conn.execute(delete(pipeline_lock).where(pipeline_lock.c.name == self.name, pipeline_lock.c.owner == self.owner))
        if self._pg_conn is not None:
            try:
                self._pg_conn.exec_driver_sql(f"SELECT pg_advisory_unlock({_advisory_key(self.name)})")
            finally:
                self._pg_conn.close()
                self._pg_conn = None

    def __enter__(self) -> "PipelineLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()

    def check(self) -> None:
        """Raise :class:`LockHeld` if the heartbeat found that another process took the lock over."""
        if self.lost.is_set():
            raise LockHeld(f"pipeline lock {self.name!r} was taken over by another process; stopping this run")

    # -- internals ---------------------------------------------------------------------------
    def _row(self, now: dt.datetime) -> dict:
        return {"name": self.name, "owner": self.owner, "pid": os.getpid(), "host": socket.gethostname(),
                "acquired_at": now, "heartbeat_at": now, "pid_start": process_start(os.getpid())}

    def _held_error(self, info: LockInfo | None) -> LockHeld:
        who = info.describe() if info else "another process"
        return LockHeld(f"another pipeline run holds the lock {self.name!r}: {who}. Not starting a second run; try again when it has finished.")

    def _acquire_pg(self) -> None:
        conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        got = conn.exec_driver_sql(f"SELECT pg_try_advisory_lock({_advisory_key(self.name)})").scalar()
        if not got:
            conn.close()
            raise self._held_error(read_lock(self.engine, self.name))
        self._pg_conn = conn
        # The row is informational on PostgreSQL: replace whatever a dead holder left.
        with self.engine.begin() as tx:
            tx.execute(delete(pipeline_lock).where(pipeline_lock.c.name == self.name))
            tx.execute(pipeline_lock.insert().values(self._row(utcnow())))

    def _acquire_row(self) -> None:
        now = utcnow()
        # Write first in each transaction: a writer waits on SQLite's busy timeout,
        # whereas a read-then-write transaction can fail outright under contention.
        try:
            with self.engine.begin() as conn:
                conn.execute(pipeline_lock.insert().values(self._row(now)))
            return
        except IntegrityError:
            pass
        holder = read_lock(self.engine, self.name, ttl_seconds=self.ttl.total_seconds())
        if holder is not None and not holder.live:
            with self.engine.begin() as conn:
                swapped = conn.execute(
                    update(pipeline_lock)
                    .where(pipeline_lock.c.name == self.name, pipeline_lock.c.owner == holder.owner)
                    .values(self._row(now))
                ).rowcount
            if swapped == 1:
                log.warning("took over a stale pipeline lock: %s", holder.describe())
                self.took_over = holder
                return
            holder = read_lock(self.engine, self.name, ttl_seconds=self.ttl.total_seconds())
        raise self._held_error(holder)

    def _heartbeat_loop(self) -> None:
        interval = max(self.ttl.total_seconds() / 4, 0.5)
        while not self._stop.wait(interval):
            try:
                with self.engine.begin() as conn:
                    n = conn.execute(
                        update(pipeline_lock)
                        .where(pipeline_lock.c.name == self.name, pipeline_lock.c.owner == self.owner)
                        .values(heartbeat_at=utcnow())
                    ).rowcount
                if n == 0 and not self._is_pg:
                    log.error("pipeline lock %r lost: another process took it over", self.name)
                    self.lost.set()
                    return
            except Exception as exc:  # a transient DB error must not kill the run; the TTL covers a few misses
                log.warning("pipeline lock heartbeat failed: %s", exc)


def read_lock(engine: Engine, name: str = DEFAULT_LOCK_NAME, *, ttl_seconds: float = 120.0) -> LockInfo | None:
    """The lock row for ``name`` with whether its holder is alive (``None`` if nobody holds it).

    PostgreSQL: live when the advisory lock is held in ``pg_locks``.  SQLite: live when
    the heartbeat is younger than ``ttl_seconds`` and, owner on this host, its process
    (pid and start time) still runs.
    """
    with engine.connect() as conn:
        row = conn.execute(select(pipeline_lock).where(pipeline_lock.c.name == name)).mappings().first()
        if row is None:
            return None
        if engine.dialect.name == "postgresql":
            key = _advisory_key(name)
            # pg_locks splits the 64-bit key into classid (high 32 bits) and objid (low 32 bits).
            classid, objid = (key >> 32) & 0xFFFFFFFF, key & 0xFFFFFFFF
            live = bool(
                conn.exec_driver_sql(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                    f"AND classid = {classid} AND objid = {objid} AND objsubid = 1"
                ).scalar()
            )
    if engine.dialect.name != "postgresql":
        # The heartbeat thread beats every ttl/4: a heartbeat older than the TTL means a dead or hung holder.
        live = utcnow() - aware(row["heartbeat_at"]) <= dt.timedelta(seconds=ttl_seconds)
        if live and row["host"] == socket.gethostname():
            live = holder_alive(row["pid"], row.get("pid_start"))
    return _info(row, live)


def force_unlock(engine: Engine, name: str = DEFAULT_LOCK_NAME) -> LockInfo | None:
    """Delete the lock row of ``name`` whoever holds it; return what it said (None: there was none).

    For a lock left by a run that cannot be found any more.  On PostgreSQL the
    advisory lock itself is freed by the server when its holder's connection ends;
    only the informational row is removed here.
    """
    info = read_lock(engine, name)
    with engine.begin() as conn:
        conn.execute(delete(pipeline_lock).where(pipeline_lock.c.name == name))
    return info


def _info(row, live: bool) -> LockInfo:
    return LockInfo(row["name"], row["owner"], row["pid"], row["host"], aware(row["acquired_at"]), aware(row["heartbeat_at"]), live)
