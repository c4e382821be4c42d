"""Database access: one engine factory, Alembic migrations applied on open, a read-only mode.

SQLite (a file, zero set-up) is the default; any SQLAlchemy URL works, PostgreSQL
being the server for shared use (``postgresql+psycopg://user@host/db``).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect

from ..config import resolve_db_url
from ..exceptions import ConfigError
# Importing the table modules registers their tables with the shared metadata.
from . import analyst_tables, backtest_tables, catalog_tables, pipeline_tables, price_tables, study_tables  # noqa: F401
from .meta import metadata

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

__all__ = ["open_db", "open_readonly", "upgrade", "metadata", "current_revision"]


def _normalise_url(url: str) -> str:
    # Plain "postgresql://" would pick psycopg2, which we do not depend on.
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def make_engine(url: str | None = None, *, echo: bool = False) -> Engine:
    """Create an engine for ``url`` (resolved by :func:`eventstudy.config.resolve_db_url`) without migrating."""
    resolved = _normalise_url(resolve_db_url(url))
    try:
        engine = create_engine(resolved, echo=echo, future=True)
    except Exception as exc:  # bad URL, missing driver
        raise ConfigError(f"cannot open database {resolved!r}: {exc}") from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def upgrade(engine: Engine) -> None:
    """Apply every pending Alembic migration (idempotent)."""
    # Alembic is imported on first use: it is slow to import and --help needs none of it.
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def current_revision(engine: Engine) -> str | None:
    """The Alembic revision the database is at (``None`` for an empty database)."""
    if "alembic_version" not in inspect(engine).get_table_names():
        return None
    with engine.connect() as conn:
        return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def open_db(url: str | None = None, *, echo: bool = False) -> Engine:
    """Open the project database read-write, migrating it to the latest schema first."""
    engine = make_engine(url, echo=echo)
    try:
        upgrade(engine)
    except Exception as exc:
        raise ConfigError(f"cannot open or migrate database {engine.url!r}: {exc}") from exc
    return engine


def open_readonly(url: str | None = None) -> Engine:
    """Open the database so that the *connection itself* refuses writes.

    SQLite: the file is opened with ``mode=ro`` (the OS-level open is read-only,
    no PRAGMA can undo it).  PostgreSQL: the session starts with
    ``default_transaction_read_only=on``.  Callers also roll back every
    transaction (see :func:`eventstudy.db.query.run_readonly`), so nothing a
    statement does can persist.
    """
    open_db(url).dispose()  # make sure the schema exists before we lose write access
    resolved = _normalise_url(resolve_db_url(url))
    if resolved.startswith("sqlite"):
        path = resolved.split(":///", 1)[1]
        if path in ("", ":memory:"):
            raise ConfigError("read-only queries need a database file, not an in-memory database")
        return create_engine(f"sqlite:///file:{Path(path).resolve()}?mode=ro&uri=true")
    if resolved.startswith("postgresql"):
        return create_engine(resolved, connect_args={"options": "-c default_transaction_read_only=on"})
    raise ConfigError(f"read-only mode is not supported for {resolved.split(':', 1)[0]}")
