"""One-line messages for database errors caused by the environment, not by the SQL or the data.

A SQLite file (or its folder, or the disk) that may not be written, or a folder
that does not exist, surfaces deep inside SQLAlchemy as ``sqlite3.OperationalError``;
:func:`describe_environment_error` finds it in an exception's chain and names
the file, so the CLI can print one line instead of a traceback.
"""

from __future__ import annotations

import sqlite3
from typing import Iterator

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError


def _chain(exc: BaseException | None) -> Iterator[BaseException]:
    """``exc``, the DBAPI error a SQLAlchemy error wraps (``.orig``), and their causes and contexts, each once."""
    seen: set[int] = set()
    pending = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        orig = getattr(current, "orig", None)
        # ``raise ... from None`` (an error already turned into a project error) ends the chain there.
        context = None if current.__suppress_context__ else current.__context__
        pending += [orig if isinstance(orig, BaseException) else None, current.__cause__, context]


def _sqlite_file(db_url: str | None) -> str:
    try:
        url = make_url(db_url or "")
    except ArgumentError:
        return repr(db_url)
    return repr(url.database) if url.drivername.startswith("sqlite") and url.database else "the database"


def describe_environment_error(exc: BaseException, db_url: str | None) -> str | None:
    """A one-line message if ``exc`` comes from a SQLite file that cannot be written or opened, else ``None``."""
    for error in _chain(exc):
        if not isinstance(error, sqlite3.OperationalError):
            continue
        text = str(error)
        if "readonly database" in text:
            return (f"database {_sqlite_file(db_url)} cannot be written ({text}): check the permissions of the file, "
                    "of its -wal and -shm files and of its folder, and that the disk is not mounted read-only")
        if "unable to open database file" in text:
            return f"cannot open database {_sqlite_file(db_url)} ({text}): does its folder exist, and may this user create files in it?"
    return None
