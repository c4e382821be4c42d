"""Shared fixtures.

* ``db_url``: a fresh empty database, once on SQLite (a temp file) and once on a
  real PostgreSQL server started for the session (``tests/pg_server.py``).
  Without the server binaries the PostgreSQL half is skipped, saying why,
  except under CI (``CI=true``), where it fails: CI must run it for real.
* ``shared_data``: the path to ``../shared/data`` (skips with a reason when absent).
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from eventstudy.numba_cache import configure_numba_cache

configure_numba_cache()  # every xdist worker loads vectorbt's kernels from one disk cache

from pg_server import PostgresServer, find_pg_bin, wait_for

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"
PRICES_DIR = SHARED_DATA / "prices" / "raw" / "SungKyu-Kim39__BackTester39"
UNIVERSE_DIR = SHARED_DATA / "prices" / "universe"
FACTORS_DIR = SHARED_DATA / "prices" / "raw"
IN_CI = os.environ.get("CI", "").lower() == "true"
#: Shared tickers the pre-write validation refuses, with the located reason (eventstudy.prices.validate):
#: SK hynix's dividend of 12,600 KRW on 2002-12-27 exceeds its split-adjusted close that day (5,985 KRW).
REFUSED_SHARED = {"000660.KS": "000660.KS_dividends.csv:5: 000660.KS 2002-12-27: dividend is not below the close"}
#: The installed console script beside the interpreter running the tests (a venv's bin/).
EVENTSTUDY = str(Path(sys.executable).with_name("eventstudy"))


def run_cli(*args: str, timeout: float = 300, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the real ``eventstudy`` command in a subprocess (exit codes and stderr as users see them)."""
    return subprocess.run([EVENTSTUDY, *map(str, args)], capture_output=True, text=True, timeout=timeout, env=env)


def invoke_ok(db_url: str, *args: str) -> str:
    """Run a command in-process against ``db_url``; assert it succeeded and return its stdout."""
    from typer.testing import CliRunner

    from eventstudy.cli import app

    result = CliRunner().invoke(app, ["--db", db_url, *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not PRICES_DIR.is_dir():
        pytest.skip(f"reference prices not found at {PRICES_DIR} (../shared/data is only on project machines and CI)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def prices_dir(shared_data) -> Path:
    return PRICES_DIR


@pytest.fixture(scope="session")
def pg_server():
    url = os.environ.get("EVENTSTUDY_TEST_PG_URL")
    if url:
        yield url.rsplit("/", 1)[0]
        return
    bin_dir = find_pg_bin()
    if bin_dir is None:
        if IN_CI:
            pytest.fail("PostgreSQL binaries not found: .ci/run must apt-get install postgresql")
        pytest.skip("PostgreSQL server binaries not installed (apt-get install postgresql)")
    server = PostgresServer(bin_dir).start()
    wait_for(server.url())
    try:
        yield server.url().rsplit("/", 1)[0]
    finally:
        server.stop()


def _fresh_pg_db(base: str) -> str:
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    admin.dispose()
    return f"{base}/{name}"


#: The PostgreSQL login role tests query through: it holds pg_read_all_data only (eventstudy query refuses superusers).
PG_READER = "es_reader"


def ensure_pg_role(conn, name: str, grants: str) -> None:
    """Create login role ``name`` holding ``grants`` unless it exists (roles are cluster-wide; a lock serialises test processes)."""
    conn.exec_driver_sql("SELECT pg_advisory_lock(hashtext('eventstudy-test-roles'))")
    try:
        if conn.exec_driver_sql(f"SELECT count(*) FROM pg_roles WHERE rolname = '{name}'").scalar() == 0:
            conn.exec_driver_sql(f"CREATE ROLE {name} LOGIN")
            conn.exec_driver_sql(f"GRANT {grants} TO {name}")
    finally:
        conn.exec_driver_sql("SELECT pg_advisory_unlock(hashtext('eventstudy-test-roles'))")


def reader_url(db_url: str) -> str:
    """The URL ``eventstudy query`` should use for ``db_url``: itself on SQLite, the read-only role's on PostgreSQL."""
    if not db_url.startswith("postgresql"):
        return db_url
    url = sa.engine.make_url(db_url)
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            ensure_pg_role(conn, PG_READER, "pg_read_all_data")
    finally:
        admin.dispose()
    return url.set(username=PG_READER).render_as_string(hide_password=False)


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def pg_url(pg_server) -> str:
    return _fresh_pg_db(pg_server)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path) -> str:
    """A fresh empty database URL, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    return _fresh_pg_db(request.getfixturevalue("pg_server"))


@pytest.fixture
def repo_catalog() -> Path:
    return REPO / "events"
