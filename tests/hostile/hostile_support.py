"""Shared pieces of the hostile-input suite: run the real CLI, check the error is clean, check nothing changed.

* :func:`assert_clean_error`: the exit code, no ``Traceback`` anywhere, the expected text in one stderr line.
* :func:`sqlite_fingerprint`: sha256 of the SQLite file and of its write-ahead log (byte identity).
* :func:`pg_rows`: every row of every table (row identity on PostgreSQL).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa

from conftest import REPO, run_cli
from eventstudy.catalog import load_catalog
from eventstudy.db import open_db
from eventstudy.db.catalog_store import sync_catalog

CATALOG = REPO / "events"


def assert_clean_error(result: subprocess.CompletedProcess, exit_code: int, *needles: str) -> str:
    """Assert a clean failure; return the one stderr line that holds every needle."""
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert result.returncode == exit_code, (result.returncode, output)
    lines = [line for line in result.stderr.splitlines() if all(n in line for n in needles)]
    assert len(lines) == 1, (needles, result.stderr)
    return lines[0]


def sqlite_fingerprint(path: Path) -> tuple[str, str]:
    """sha256 of the database file and of its ``-wal`` log (an absent log counts as an empty one)."""
    wal = Path(f"{path}-wal")
    return (hashlib.sha256(path.read_bytes()).hexdigest(),
            hashlib.sha256(wal.read_bytes() if wal.exists() else b"").hexdigest())


def pg_rows(admin_url: str) -> dict[str, list[tuple]]:
    """Every row of every table (sorted), read through a separate superuser engine."""
    engine = sa.create_engine(admin_url)
    try:
        with engine.connect() as conn:
            names = sorted(sa.inspect(conn).get_table_names())
            return {name: sorted(map(repr, conn.execute(sa.text(f'select * from "{name}"')).all())) for name in names}
    finally:
        engine.dispose()


def load_repo_catalog(url: str) -> None:
    engine = open_db(url)
    sync_catalog(engine, load_catalog(CATALOG))
    engine.dispose()  # the last connection checkpoints the WAL into the file (SQLite)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A SQLite file holding the repository's catalog, built once; tests get copies."""
    path = tmp_path_factory.mktemp("hostile") / "template.db"
    load_repo_catalog(f"sqlite:///{path}")
    return path


@pytest.fixture
def sqlite_db(sqlite_template, tmp_path) -> Path:
    path = tmp_path / "events.db"
    shutil.copyfile(sqlite_template, path)
    return path


def cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return run_cli(*args, timeout=timeout)
