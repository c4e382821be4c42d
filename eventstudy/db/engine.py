"""Opening the database: a read-write engine that migrates explicitly, and a read-only one that never writes.

SQLite (a file, zero set-up) is the default; any SQLAlchemy URL works, PostgreSQL being
the server for shared use (``postgresql+psycopg://user@host/db``).

* :func:`open_db` (write paths): migrates to the latest schema first, serialised across
  processes (SQLite: the migration runs inside ``BEGIN IMMEDIATE``; PostgreSQL: under a
  transaction-level advisory lock), so two first runs on a new database cannot race.
* :func:`open_existing` (read paths): the database must exist and be at the latest
  schema; nothing is created, migrated or changed (no journal-mode switch either).
  A missing database is an error naming the URL; an old schema one naming
  ``eventstudy db migrate``.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url

from ..config import resolve_db_url
from ..exceptions import ConfigError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: PostgreSQL advisory-lock keys (constants unique to this project) of the serialised writers.
_MIGRATION_LOCK_KEY = 0x65767374  # "evst"
CATALOG_LOCK_KEY = 0x65766361  # "evca"
MIGRATE_COMMAND = "eventstudy db migrate"


def normalise_url(url: str | None) -> str:
    """The SQLAlchemy URL for ``url`` (see :func:`eventstudy.config.resolve_db_url`); plain ``postgresql://`` means psycopg 3."""
    resolved = resolve_db_url(url)
    if resolved.startswith("postgresql://") or resolved.startswith("postgres://"):
        resolved = "postgresql+psycopg://" + resolved.split("://", 1)[1]
    return resolved


def safe_url(url: str | Engine) -> str:
    """The URL with its password hidden, for messages."""
    if isinstance(url, Engine):
        return url.url.render_as_string(hide_password=True)
    try:
        return make_url(normalise_url(url)).render_as_string(hide_password=True)
    except Exception:  # not a URL at all: say it as given
        return str(url)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _sqlite_read_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def make_engine(url: str | None = None, *, echo: bool = False) -> Engine:
    """A read-write engine for ``url`` without migrating (SQLite connections in WAL mode, foreign keys on)."""
    resolved = normalise_url(url)
    try:
        engine = create_engine(resolved, echo=echo)
    except Exception as exc:  # bad URL, missing driver
        raise ConfigError(f"cannot open database {safe_url(resolved)}: {exc}") from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _alembic_config():
    # Alembic is imported on first use: it is slow to import and --help needs none of it.
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


@lru_cache(maxsize=1)
def head_revision() -> str:
    """The newest migration's revision id."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def serialise(conn: Connection, key: int) -> None:
    """Make the transaction just begun on ``conn`` wait for other writers of the same kind before it reads.

    A read-then-write transaction (which migrations are still pending, which events are
    new) must not run beside another: both would read the same state and write the same
    rows.  SQLite: take the database's write lock now (``BEGIN IMMEDIATE``; a second
    process waits up to ``busy_timeout``).  PostgreSQL: a transaction-level advisory lock
    on ``key``.
    """
    if conn.dialect.name == "sqlite":
        if not conn.connection.driver_connection.in_transaction:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
    elif conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


def upgrade(engine: Engine) -> None:
    """Apply every pending migration (idempotent), serialised against other processes doing the same."""
    from alembic import command

    cfg = _alembic_config()
    with engine.begin() as conn:
        serialise(conn, _MIGRATION_LOCK_KEY)  # a second process then finds the schema already at head
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (``None`` for an empty database)."""
    if "alembic_version" not in inspect(engine).get_table_names():
        return None
    with engine.connect() as conn:
        return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def has_table(engine: Engine, name: str) -> bool:
    """Whether the database has table ``name`` (reads the catalog only)."""
    return inspect(engine).has_table(name)


def open_db(url: str | None = None, *, echo: bool = False) -> Engine:
    """Open the project database read-write, migrating it to the latest schema first (write paths only)."""
    engine = make_engine(url, echo=echo)
    try:
        upgrade(engine)
    except Exception as exc:
        engine.dispose()
        raise ConfigError(f"cannot open or migrate database {safe_url(engine)}: {_first_line(exc)}") from exc
    return engine


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for other backends); an in-memory database is refused."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if parsed.database in (None, "", ":memory:"):
        raise ConfigError("this command needs a database file, not an in-memory SQLite database")
    return Path(parsed.database).expanduser().resolve()


def open_existing(url: str | None = None) -> Engine:
    """Open an existing database for reading: the connection itself refuses writes, nothing on disk changes.

    SQLite: the file is opened with ``mode=ro`` (an OS-level read-only open no PRAGMA can
    undo) and no journal-mode switch; PostgreSQL: sessions start with
    ``default_transaction_read_only=on``.  Callers that run user SQL also roll back every
    transaction (see :mod:`eventstudy.db.query`).

    Raises
    ------
    ConfigError
        No database at the URL (named), or a schema older than this version (naming
        ``eventstudy db migrate``), or an unsupported backend.
    """
    resolved = normalise_url(url)
    head = head_revision()  # before any connection: the migration scripts load slowly
    path = sqlite_path(resolved)
    if path is not None:
        if not path.is_file():
            raise ConfigError(f"no database at {safe_url(resolved)} (file {path} does not exist); "
                              "create it with 'eventstudy run' or 'eventstudy events load', or pass --db")
        # In a folder we cannot write, SQLite cannot create the -shm file a WAL database needs;
        # nobody can be writing there through this path either, so the file is opened immutable.
        immutable = "" if os.access(path.parent, os.W_OK) else "&immutable=1"
        engine = create_engine(f"sqlite:///file:{path}?mode=ro{immutable}&uri=true")
        event.listen(engine, "connect", _sqlite_read_pragmas)
    elif resolved.startswith("postgresql"):
        engine = create_engine(resolved, connect_args={"options": "-c default_transaction_read_only=on"})
    else:
        raise ConfigError(f"read-only mode is not supported for {resolved.split(':', 1)[0]}")
    try:
        revision = current_revision(engine)
    except Exception as exc:
        engine.dispose()
        raise ConfigError(f"cannot open database {safe_url(resolved)}: {_first_line(exc)}") from exc
    if revision != head:
        engine.dispose()
        state = "is empty (no eventstudy schema)" if revision is None else f"has schema {revision}, this version needs {head}"
        raise ConfigError(f"database {safe_url(resolved)} {state}; migrate it with '{MIGRATE_COMMAND}'"
                          + (f" --db {safe_url(resolved)}" if url else ""))
    return engine
