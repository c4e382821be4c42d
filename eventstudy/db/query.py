"""Read-only SQL for analysts (``eventstudy query``)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from ..exceptions import EventStudyError, ReadOnlyViolation

# Error texts by which the engines say "this connection may not write".
_READONLY_MARKERS = (
    "attempt to write a readonly database",
    "read-only transaction",
    "readonly database",
    "query_only",
)


def run_readonly(engine: Engine, sql: str) -> pd.DataFrame:
    """Run one SQL statement on a read-only engine and return its rows.

    The transaction is always rolled back.  A write attempt raises
    :class:`ReadOnlyViolation`; any other SQL error raises
    :class:`EventStudyError` with the database's message.
    """
    with engine.connect() as conn:
        try:
            result = conn.execute(text(sql.replace(":", "\\:")))
            rows = result.fetchall() if result.returns_rows else []
            columns = list(result.keys()) if result.returns_rows else []
        except DBAPIError as exc:
            message = str(exc.orig).strip().splitlines()[0]
            if any(m in message.lower() for m in _READONLY_MARKERS):
                raise ReadOnlyViolation(f"refused: the query connection is read-only ({message})") from None
            raise EventStudyError(f"SQL error: {message}") from None
        finally:
            conn.rollback()
    return pd.DataFrame.from_records(rows, columns=columns)
