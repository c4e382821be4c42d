"""Read-only SQL for analysts (``eventstudy query``).

Writes are refused by the database connection, never by inspecting the SQL text:

* the engine comes from :func:`eventstudy.db.open_existing` (SQLite file opened
  with ``mode=ro``; PostgreSQL sessions with ``default_transaction_read_only=on``);
* every statement runs in a transaction that is always rolled back, so even a
  ``SET`` that switches the session to read-write is undone;
* PostgreSQL statements go through the extended query protocol (a prepared
  statement), which accepts exactly one statement: ``SET ... = off; DELETE ...``
  or ``COMMIT; DELETE ...`` is rejected by the server as a whole;
* SQLite connections get an authorizer that allows only reading actions, which
  also blocks ``ATTACH`` (re-opening the file read-write under another name)
  and ``CREATE TEMP ...`` (temporary objects live outside the read-only file).
"""

from __future__ import annotations

import sqlite3
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from ..exceptions import EventStudyError, ReadOnlyViolation, UsageError

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


def _sqlite_read_only_authorizer(action: int, *_: Any) -> int:
    return sqlite3.SQLITE_OK if action in _SQLITE_READ_ACTIONS else sqlite3.SQLITE_DENY


def _execute(dbapi_conn: Any, dialect: str, sql: str) -> tuple[list[str], list[tuple]]:
    cursor = dbapi_conn.cursor()
    try:
        if dialect == "postgresql":
            # prepare=True forces Parse/Bind/Execute: one statement only, no "%"/":" placeholder parsing.
            cursor.execute(sql, prepare=True)
        else:
            cursor.execute(sql)
        if cursor.description is None:
            return [], []
        return [d[0] for d in cursor.description], list(cursor.fetchall())
    finally:
        cursor.close()


def run_readonly(engine: Engine, sql: str) -> pd.DataFrame:
    """Run one SQL statement on a read-only engine and return its rows.

    Parameters
    ----------
    engine
        An engine from :func:`eventstudy.db.open_existing` (SQLite or PostgreSQL).
    sql
        Exactly one statement, e.g. ``SELECT``, ``WITH``, ``EXPLAIN``.

    Returns
    -------
    pandas.DataFrame
        The rows (no rows and no columns for a statement that returns none).

    Raises
    ------
    ReadOnlyViolation
        When the connection refuses the statement because it would write, or
        when several statements are sent at once.
    EventStudyError
        For any other SQL error, with the database's message.
    """
    dialect = engine.dialect.name
    dbapi_error = engine.dialect.loaded_dbapi.Error
    with engine.connect() as conn:
        dbapi_conn = conn.connection.driver_connection
        if dialect == "sqlite":
            dbapi_conn.set_authorizer(_sqlite_read_only_authorizer)
        try:
            columns, rows = _execute(dbapi_conn, dialect, sql)
        except dbapi_error as exc:
            message = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            lowered = message.lower()
            if any(m in lowered for m in _MULTI_STATEMENT_MARKERS):
                raise UsageError(f"refused: send one SQL statement at a time ({message})") from None
            if any(m in lowered for m in _READONLY_MARKERS):
                raise ReadOnlyViolation(f"refused: the query connection is read-only ({message})") from None
            raise EventStudyError(f"SQL error: {message}") from None
        finally:
            dbapi_conn.rollback()
            if dialect == "sqlite":
                dbapi_conn.set_authorizer(None)
    return pd.DataFrame.from_records(rows, columns=columns)
