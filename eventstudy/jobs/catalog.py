"""Catalog job: validate the YAML catalog, then sync it into the database."""

from __future__ import annotations

from pathlib import Path

from ..catalog import load_catalog
from ..db import Engine
from ..db.catalog_store import SyncReport, sync_catalog


def load_catalog_into_db(engine: Engine, catalog_dir: Path | str) -> SyncReport:
    """Validate the whole catalog first, then sync it into the database in one transaction.

    Nothing is written when any file is invalid.

    Raises
    ------
    CatalogError
        Listing every problem (``file:line:column: field: message``).
    """
    entries = load_catalog(catalog_dir)
    return sync_catalog(engine, entries)
