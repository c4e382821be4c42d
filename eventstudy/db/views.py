"""Reading the analyst views (and any documented table) into DataFrames, read-only.

Only names the data dictionary knows are accepted, and filters are bound parameters on
documented columns, so nothing a caller passes becomes SQL text.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Engine, text

from ..exceptions import EventStudyError
from .dictionary import BY_NAME, VIEW_NAMES


def read_view(engine: Engine, name: str, *, where: dict[str, Any] | None = None) -> pd.DataFrame:
    """All rows of the view or table ``name``, optionally filtered by ``column = value`` pairs.

    Columns and units are those of :mod:`eventstudy.db.dictionary` (``*_pct`` in percent).
    An empty frame (with the columns) when nothing is stored yet.

    Raises
    ------
    EventStudyError
        ``name`` is not in the data dictionary, or a filter names an unknown column.
    """
    doc = BY_NAME.get(name)
    if doc is None:
        raise EventStudyError(f"unknown view {name!r}; views: {', '.join(VIEW_NAMES)} (tables: 'eventstudy db tables')")
    columns = [c.name for c in doc.columns]
    where = where or {}
    unknown = sorted(set(where) - set(columns))
    if unknown:
        raise EventStudyError(f"{name} has no column {', '.join(unknown)}; columns: {', '.join(columns)}")
    quote = engine.dialect.identifier_preparer.quote
    sql = f"SELECT * FROM {quote(name)}"
    if where:
        sql += " WHERE " + " AND ".join(f"{quote(c)} = :p{i}" for i, c in enumerate(where))
    params = {f"p{i}": v for i, v in enumerate(where.values())}
    with engine.connect() as conn:
        result = conn.execute(text(sql), params)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def empty_note(name: str) -> str:
    """What to run when a view is empty."""
    if name in ("event_reactions", "event_reactions_all", "study_summary", "claim_checks"):
        return f"{name} is empty: no study stored yet (run 'eventstudy run' or 'eventstudy study run')"
    if name == "backtest_summary":
        return f"{name} is empty: no backtest stored yet (run 'eventstudy backtest run SPEC')"
    return f"{name} is empty"
