"""What the database holds: its tables and views with row counts, and each one's columns with the dictionary's meaning.

Reads only.  :func:`open_existing_readonly` opens an existing database without creating or
migrating it (SQLite ``mode=ro``, PostgreSQL read-only sessions) and checks its schema
revision, so a read command never changes a database.  It stands in for
:func:`eventstudy.db.open_readonly` until that stops migrating on open; callers only
need an engine, so either can be swapped in.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, create_engine, inspect, text

from ..config import resolve_db_url
from ..exceptions import ConfigError, EventStudyError
from .dictionary import BY_NAME, RELATIONS

#: The command that brings an older database to the current schema.
MIGRATE_COMMAND = "eventstudy db migrate"
#: Tables of the tooling, not of the project (Alembic's bookkeeping, APScheduler's job store).
_TOOLING = frozenset({"alembic_version", "apscheduler_jobs"})


def head_revision() -> str:
    """The latest Alembic revision this version of the package knows."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from . import MIGRATIONS_DIR

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(cfg).get_current_head()


def open_existing_readonly(url: str | None = None, *, check_schema: bool = True) -> Engine:
    """Open an existing database read-only, never creating or migrating it.

    Raises
    ------
    ConfigError
        No database file at the path, or the schema is older than this version's
        (the message names :data:`MIGRATE_COMMAND`).
    """
    from . import _normalise_url

    resolved = _normalise_url(resolve_db_url(url))
    if resolved.startswith("sqlite"):
        path = resolved.split(":///", 1)[1] if ":///" in resolved else ""
        if path in ("", ":memory:"):
            raise ConfigError("read-only access needs a database file, not an in-memory database")
        if not Path(path).is_file():
            raise ConfigError(f"no database at {path}: create it with 'eventstudy run' (or 'eventstudy events load')")
        engine = create_engine(f"sqlite:///file:{Path(path).resolve()}?mode=ro&uri=true")
    elif resolved.startswith("postgresql"):
        engine = create_engine(resolved, connect_args={"options": "-c default_transaction_read_only=on"})
    else:
        raise ConfigError(f"read-only mode is not supported for {resolved.split(':', 1)[0]}")
    if check_schema:
        _check_revision(engine, path if resolved.startswith("sqlite") else engine.url.render_as_string(hide_password=True))
    return engine


def _check_revision(engine: Engine, where: str) -> None:
    head = head_revision()
    try:
        names = inspect(engine).get_table_names()
        current = None
        if "alembic_version" in names:
            with engine.connect() as conn:
                current = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception as exc:
        raise ConfigError(f"cannot open database {where}: {exc}") from None
    if current != head:
        at = f"schema revision {current}" if current else "no eventstudy schema"
        raise ConfigError(f"database {where} has {at}; this version needs {head}: run '{MIGRATE_COMMAND}'")


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
