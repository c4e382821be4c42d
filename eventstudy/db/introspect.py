"""What the database holds: its tables and views with row counts, and each one's columns with the dictionary's meaning.

Reads only, on an engine from :func:`eventstudy.db.open_existing` (which never creates,
migrates or changes a database).
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, inspect, text

from ..exceptions import EventStudyError
from .dictionary import BY_NAME, RELATIONS

#: Tables of the tooling, not of the project (Alembic's bookkeeping, APScheduler's job store).
_TOOLING = frozenset({"alembic_version", "apscheduler_jobs"})


def _relations(engine: Engine) -> list[tuple[str, str]]:
    insp = inspect(engine)
    found = [(n, "table") for n in insp.get_table_names() if n not in _TOOLING]
    found += [(n, "view") for n in insp.get_view_names()]
    order = {r.name: i for i, r in enumerate(RELATIONS)}
    return sorted(found, key=lambda nk: (nk[1] != "view", order.get(nk[0], len(order)), nk[0]))


def list_relations(engine: Engine) -> pd.DataFrame:
    """Tables and views (views first) with ``name, kind, rows, description`` (dictionary text; "(undocumented)" otherwise)."""
    quote = engine.dialect.identifier_preparer.quote
    rows = []
    with engine.connect() as conn:
        for name, kind in _relations(engine):
            count = conn.execute(text(f"SELECT COUNT(*) FROM {quote(name)}")).scalar()
            doc = BY_NAME.get(name)
            rows.append({"name": name, "kind": kind, "rows": int(count),
                         "description": doc.description if doc else "(undocumented)"})
    return pd.DataFrame(rows, columns=["name", "kind", "rows", "description"])


def describe_relation(engine: Engine, name: str) -> tuple[str, pd.DataFrame]:
    """``(description, columns)`` of one table or view: ``column, type, meaning`` in the database's column order.

    Raises
    ------
    EventStudyError
        ``name`` is no table or view of the database (the known names are listed).
    """
    known = dict(_relations(engine))
    if name not in known:
        raise EventStudyError(f"no table or view named {name!r}; known: {', '.join(known)}")
    doc = BY_NAME.get(name)
    meanings = {c.name: c for c in doc.columns} if doc else {}
    rows = []
    for col in inspect(engine).get_columns(name):
        entry = meanings.get(col["name"])
        rows.append({"column": col["name"], "type": entry.type if entry else str(col["type"]),
                     "meaning": entry.meaning if entry else "(undocumented)"})
    description = f"{known[name]} {name}: " + (doc.description if doc else "(undocumented)")
    return description, pd.DataFrame(rows, columns=["column", "type", "meaning"])
