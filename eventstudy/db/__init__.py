"""The database gateway: every SQL statement of the project lives in this package.

Engines come from :mod:`eventstudy.db.engine` (:func:`open_db` for write paths, which
migrate; :func:`open_existing` for read paths, which never write).  Typed reads and
writes live in one module per subject: ``catalog_store`` (events), ``prices``
(prices, factors, ingest runs), ``studies`` (stored study runs), ``backtests``,
``pipeline_store`` (fingerprints, run log), ``locks`` and ``query`` (analysts' SQL).
"""

from __future__ import annotations

from sqlalchemy import Engine

# Importing the table modules registers their tables with the shared metadata.
from . import analyst_tables, backtest_tables, candidate_tables, catalog_tables, pipeline_tables, price_tables, study_extra_tables, study_tables  # noqa: F401
from .engine import (
    MIGRATIONS_DIR,
    current_revision,
    has_table,
    head_revision,
    make_engine,
    open_db,
    open_existing,
    safe_url,
    upgrade,
)
from .meta import metadata

__all__ = ["Engine", "open_db", "open_existing", "make_engine", "upgrade", "metadata", "current_revision", "has_table",
           "head_revision", "safe_url", "MIGRATIONS_DIR"]
