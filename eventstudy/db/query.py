"""Read-only SQL for analysts (``eventstudy query``): cannot write, hang or escape.

Writes are refused by the database connection, never by inspecting the SQL text:

* the engine comes from :func:`eventstudy.db.open_existing` (SQLite file opened
  with ``mode=ro``; PostgreSQL sessions with ``default_transaction_read_only=on``);
* every statement runs in a transaction that is always rolled back, so even a
  ``SET`` that switches the session to read-write is undone;
* PostgreSQL statements go through the extended query protocol (psycopg's
  ``stream``), which accepts exactly one statement: ``SET ... = off; DELETE ...``
  or ``COMMIT; DELETE ...`` is rejected by the server as a whole;
* SQLite connections get an authorizer that allows only reading actions, which
  also blocks ``ATTACH`` (re-opening the file read-write under another name)
  and ``CREATE TEMP ...`` (temporary objects live outside the read-only file).

It cannot hang: every statement has a timeout (seconds; on PostgreSQL the
server's ``statement_timeout``, so the backend stops even if the client dies;
on SQLite a progress handler), Ctrl-C cancels the running statement, and rows
are streamed with a cap instead of being fetched all at once.

It cannot escape on PostgreSQL: a login role that is a superuser, or a member of
``pg_execute_server_program``, ``pg_write_server_files`` or
``pg_read_server_files``, could run programs or touch files on the server from
a plain ``SELECT``; such roles are refused with instructions for a read-only one.
``COPY`` is refused before it is sent (and, should it get through, the
connection is dropped rather than left mid-copy).
"""

from __future__ import annotations

import re
import signal
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator

import pandas as pd
from sqlalchemy import Engine

from ..exceptions import EventStudyError, QueryCancelled, ReadOnlyViolation, UsageError

#: Seconds a statement may run before it is stopped (``--timeout``).
DEFAULT_TIMEOUT_S = 30.0
#: Rows returned at most (``--limit``); the result says when there were more.
DEFAULT_ROW_LIMIT = 10_000
#: Largest string or blob a SQLite query may build, in bytes (``randomblob(1e9)`` would allocate 1 GB).
SQLITE_MAX_VALUE_BYTES = 100_000_000
#: PostgreSQL roles that reach outside the database; a query role must hold none of them.
PG_DANGEROUS_ROLES = ("pg_execute_server_program", "pg_write_server_files", "pg_read_server_files")

# Error texts by which the engines say "this connection may not do that";
# used only to choose the exit code of an error the database already raised.
_READONLY_MARKERS = (
    "attempt to write a readonly database",
    "read-only transaction",
    "readonly database",
    "not authorized",
    "authorization denied",
)
_MULTI_STATEMENT_MARKERS = (
    "cannot insert multiple commands into a prepared statement",
    "you can only execute one statement at a time",
)

# SQLite authorizer actions a read-only query needs; everything else is denied.
_SQLITE_READ_ACTIONS = frozenset(
    {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE, sqlite3.SQLITE_PRAGMA}
)
# SQLite VM instructions between two looks at the clock and the Ctrl-C flag.
_SQLITE_PROGRESS_STEPS = 1000
_FETCH_CHUNK = 500
# Leading blanks and comments, to find a statement's first word (COPY cannot be nested in another statement).
_LEADING = re.compile(r"(?:\s+|--[^\n]*(?:\n|\Z)|/\*.*?\*/)*", re.S)
_COPY = re.compile(r"copy\b", re.I)
# psycopg's stream() on a statement that returns no rows at all (SET, COMMIT, ...).
_NO_ROWS_STATEMENT = "didn't produce a result"
_COPY_REFUSED = ("refused: COPY is not available through query (it reads or writes files and streams outside the result); "
                 "use SELECT with --format csv to export rows")


@dataclass(frozen=True)
class QueryResult:
    """The rows of one statement, at most ``limit`` of them.

    ``truncated`` is true when the statement produced more rows than ``limit``;
    only the first ``limit`` were read (the rest were never fetched).
    """

    columns: list[str]
    rows: list[tuple]
    truncated: bool = False
    limit: int | None = None

    @property
    def frame(self) -> pd.DataFrame:
        return pd.DataFrame.from_records(self.rows, columns=self.columns)


def _sqlite_read_only_authorizer(action: int, *_: Any) -> int:
    return sqlite3.SQLITE_OK if action in _SQLITE_READ_ACTIONS else sqlite3.SQLITE_DENY


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


@contextmanager
def _ctrl_c_flag() -> Iterator[threading.Event]:
    """While inside, Ctrl-C sets the yielded flag instead of raising (main thread only; elsewhere the flag stays unset).

    SQLite runs a statement in C; Python signal handlers run only when its
    progress handler calls back into Python, which then sees the flag and stops
    the statement cleanly instead of losing a KeyboardInterrupt inside a callback.
    """
    flag = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield flag
        return
    previous = signal.signal(signal.SIGINT, lambda *_: flag.set())
    try:
        yield flag
    finally:
        signal.signal(signal.SIGINT, previous)


def _take(rows: Iterator[tuple] | list[tuple], limit: int | None, kept: list[tuple]) -> bool:
    """Append rows to ``kept`` up to ``limit``; true when one more row existed (then it is dropped)."""
    for row in rows:
        if limit is not None and len(kept) >= limit:
            return True
        kept.append(row)
    return False


def _run_sqlite(dbapi_conn: sqlite3.Connection, sql: str, timeout: float, limit: int | None) -> QueryResult:
    deadline = time.monotonic() + timeout
    previous_length = dbapi_conn.getlimit(sqlite3.SQLITE_LIMIT_LENGTH)
    with _ctrl_c_flag() as cancelled:
        dbapi_conn.set_authorizer(_sqlite_read_only_authorizer)
        dbapi_conn.set_progress_handler(lambda: int(cancelled.is_set() or time.monotonic() > deadline), _SQLITE_PROGRESS_STEPS)
        dbapi_conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, SQLITE_MAX_VALUE_BYTES)
        cursor = dbapi_conn.cursor()
        try:
            cursor.execute(sql)
            columns = [d[0] for d in cursor.description] if cursor.description else []
            rows: list[tuple] = []
            truncated = False
            while columns and not truncated and (chunk := cursor.fetchmany(_FETCH_CHUNK)):
                truncated = _take(chunk, limit, rows)
        except sqlite3.OperationalError as exc:
            if cancelled.is_set():
                raise QueryCancelled("query cancelled (Ctrl-C); nothing was changed") from None
            if "interrupted" in str(exc) and time.monotonic() > deadline:
                raise _timed_out(timeout) from None
            raise
        finally:
            cursor.close()
            dbapi_conn.set_progress_handler(None, 0)
            dbapi_conn.set_authorizer(None)
            dbapi_conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, previous_length)
        if cancelled.is_set():
            raise QueryCancelled("query cancelled (Ctrl-C); nothing was changed")
    return QueryResult(columns, rows, truncated, limit)


def _timed_out(timeout: float) -> EventStudyError:
    return EventStudyError(f"query stopped after its {timeout:g} s timeout (raise it with --timeout SECONDS)")


def _refuse_unsafe_pg_role(engine: Engine, dbapi_conn: Any) -> None:
    """Refuse a login (or current) role that can reach outside the database; explain the read-only alternative."""
    checks = ", ".join(f"pg_has_role(r.rolname, '{role}', 'MEMBER')" for role in PG_DANGEROUS_ROLES)
    with dbapi_conn.cursor() as cursor:
        cursor.execute(f"SELECT r.rolname, r.rolsuper, {checks} FROM pg_roles r WHERE r.rolname IN (session_user, current_user)")
        found = cursor.fetchall()
    for name, superuser, *held in found:
        held_roles = [role for role, has in zip(PG_DANGEROUS_ROLES, held) if has]
        reasons = "a superuser" if superuser else f"a member of {', '.join(held_roles)}" if held_roles else ""
        if reasons:
            reader = engine.url.set(username="analyst", password="CHANGE-ME").render_as_string(hide_password=False)
            raise ReadOnlyViolation(
                f"refused: eventstudy query will not run as PostgreSQL role {name!r}, which is {reasons} "
                "(such a role can run programs or read and write files on the server). Create a read-only role once, "
                "as an administrator: CREATE ROLE analyst LOGIN PASSWORD 'CHANGE-ME'; GRANT pg_read_all_data TO analyst; "
                f"then query through it: eventstudy --db '{reader}' query \"...\""
            )


def _run_postgres(dbapi_conn: Any, sql: str, timeout: float, limit: int | None) -> QueryResult:
    with dbapi_conn.cursor() as cursor:
        # Server-side and local to this (always rolled back) transaction: the backend itself stops the statement.
        cursor.execute("SELECT set_config('statement_timeout', %s, true)", [str(max(1, round(timeout * 1000)))])
        rows: list[tuple] = []
        # stream(): the extended protocol (one statement only, no placeholder parsing) and rows as they arrive;
        # leaving it early cancels the rest on the server.
        stream = cursor.stream(sql)
        try:
            truncated = _take(stream, limit, rows)
        except dbapi_conn.ProgrammingError as exc:
            if _NO_ROWS_STATEMENT not in str(exc):
                raise
            return QueryResult([], [], False, limit)  # SET, COMMIT, ...: ran, returned nothing
        finally:
            stream.close()
        columns = [d.name for d in cursor.description] if cursor.description else _pg_result_columns(dbapi_conn, sql)
    return QueryResult(columns, rows, truncated, limit)


def _pg_result_columns(dbapi_conn: Any, sql: str) -> list[str]:
    """Column names of a statement, from the server's description of it (not executed).

    ``stream`` leaves no description when a statement returns no rows; this keeps
    the header of an empty result.
    """
    from psycopg import pq

    encoding = dbapi_conn.info.encoding
    pgconn = dbapi_conn.pgconn
    if pgconn.prepare(b"", sql.encode(encoding)).status != pq.ExecStatus.COMMAND_OK:
        return []
    described = pgconn.describe_prepared(b"")
    return [described.fname(i).decode(encoding) for i in range(described.nfields)]


def query_readonly(engine: Engine, sql: str, *, timeout: float = DEFAULT_TIMEOUT_S, limit: int | None = DEFAULT_ROW_LIMIT) -> QueryResult:
    """Run one SQL statement on a read-only engine; return at most ``limit`` rows.

    Parameters
    ----------
    engine
        An engine from :func:`eventstudy.db.open_existing` (SQLite or PostgreSQL).
    sql
        Exactly one statement, e.g. ``SELECT``, ``WITH``, ``EXPLAIN``.
    timeout
        Seconds the statement may run (fetching its rows included on SQLite).
    limit
        Most rows kept; ``None`` keeps them all.

    Raises
    ------
    ReadOnlyViolation
        When the connection refuses the statement because it would write, when
        several statements are sent at once, for ``COPY``, and on PostgreSQL when
        the role is a superuser or holds a role that reaches outside the database.
    QueryCancelled
        On Ctrl-C (the statement is cancelled on the server too).
    EventStudyError
        On timeout, and for any other SQL error, with the database's message.
    """
    if _COPY.match(sql, _LEADING.match(sql).end()):
        raise ReadOnlyViolation(_COPY_REFUSED)
    dialect = engine.dialect.name
    dbapi_error = engine.dialect.loaded_dbapi.Error
    with engine.connect() as conn:
        dbapi_conn = conn.connection.driver_connection
        try:
            if dialect == "postgresql":
                _refuse_unsafe_pg_role(engine, dbapi_conn)
                return _run_postgres(dbapi_conn, sql, timeout, limit)
            return _run_sqlite(dbapi_conn, sql, timeout, limit)
        except KeyboardInterrupt:
            # psycopg has already sent the server a cancel request for the running statement.
            raise QueryCancelled("query cancelled (Ctrl-C); nothing was changed") from None
        except dbapi_error as exc:
            raise _classify(exc, timeout) from None
        finally:
            try:
                dbapi_conn.rollback()
            except dbapi_error:
                # e.g. a COPY that got past the check left the connection mid-copy: drop it, the pool opens a fresh one.
                conn.invalidate()


def _classify(exc: Exception, timeout: float) -> EventStudyError:
    """The project error for a database error: refusal (exit 3), timeout, or a plain SQL error."""
    message = _first_line(exc)
    lowered = message.lower()
    if "copy cannot be used with this method" in lowered:
        return ReadOnlyViolation(_COPY_REFUSED)
    if "statement timeout" in lowered:
        return _timed_out(timeout)
    if any(m in lowered for m in _MULTI_STATEMENT_MARKERS):
        return UsageError(f"refused: send one SQL statement at a time ({message})")
    if any(m in lowered for m in _READONLY_MARKERS):
        return ReadOnlyViolation(f"refused: the query connection is read-only ({message})")
    return EventStudyError(f"SQL error: {message}")


def run_readonly(engine: Engine, sql: str, *, timeout: float = DEFAULT_TIMEOUT_S) -> pd.DataFrame:
    """All rows of one read-only statement as a DataFrame (see :func:`query_readonly`; no row cap)."""
    return query_readonly(engine, sql, timeout=timeout, limit=None).frame
