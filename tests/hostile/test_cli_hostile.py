"""Hostile environments for the commands that write: an unwritable ``--out``, a read-only or unopenable database.

Each gives one line naming the option or the file and a documented exit code
(2 for ``--out``, 1 for the database), no traceback, and the SQLite file byte-identical.
Root ignores file permissions, so as root the command runs under ``setpriv``
without CAP_DAC_OVERRIDE (uid 0 then obeys the permission bits like anyone).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import EVENTSTUDY, REPO
from hostile_support import CATALOG, assert_clean_error, cli, sqlite_db, sqlite_fingerprint, sqlite_template  # noqa: F401

SPEC = REPO / "examples" / "strategies" / "counterparty-close-hold5.yaml"
OUT_COMMANDS = {
    "study-run": ("study", "run"),
    "claims-check": ("claims", "check"),
    "backtest-run": ("backtest", "run", str(SPEC)),
    "run": ("run", "--prices", "files:/nonexistent"),
}


@pytest.mark.parametrize("command", list(OUT_COMMANDS))
@pytest.mark.parametrize("out", ["/proc/nope", "/proc/version"], ids=["cannot-create", "is-a-file"])
def test_unwritable_out_is_one_line(sqlite_db, command, out):
    before = sqlite_fingerprint(sqlite_db)
    result = cli("--db", f"sqlite:///{sqlite_db}", *OUT_COMMANDS[command], "--out", out)
    assert_clean_error(result, 2, f"error: --out '{out}':")
    assert sqlite_fingerprint(sqlite_db) == before


def unprivileged(*args: str) -> subprocess.CompletedProcess:
    """Run the CLI so that file permissions apply (as root: without the capabilities that bypass them)."""
    prefix: list[str] = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: file permissions cannot be made to apply")
        prefix = [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner", "--inh-caps=-all", "--"]
    return subprocess.run([*prefix, EVENTSTUDY, *args], capture_output=True, text=True, timeout=60)


@pytest.fixture
def read_only_db(sqlite_db) -> Path:
    sqlite_db.chmod(0o444)
    sqlite_db.parent.chmod(0o555)  # no -wal/-shm can be created either
    yield sqlite_db
    sqlite_db.parent.chmod(0o755)


def test_catalog_load_into_a_read_only_database(read_only_db, tmp_path_factory):
    folder = tmp_path_factory.mktemp("catalog") / "events"
    shutil.copytree(CATALOG, folder)
    (folder / "2025-10-13-openai-broadcom.yaml").unlink()  # a removal: the load must write
    before = sqlite_fingerprint(read_only_db)
    result = unprivileged("--db", str(read_only_db), "events", "load", "--catalog", str(folder))
    assert_clean_error(result, 1, f"error: database '{read_only_db}' cannot be written")
    assert sqlite_fingerprint(read_only_db) == before


def test_study_on_a_read_only_database(read_only_db):
    before = sqlite_fingerprint(read_only_db)
    result = unprivileged("--db", str(read_only_db), "study", "run", "--no-store")
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode != 0
    assert sqlite_fingerprint(read_only_db) == before


def test_query_still_reads_a_read_only_file(sqlite_db):
    sqlite_db.chmod(0o444)
    result = unprivileged("--db", str(sqlite_db), "query", "select count(*) as n from events", "--format", "csv")
    assert (result.returncode, result.stdout.split()) == (0, ["n", str(len(list(CATALOG.glob("*.yaml"))))]), result.stderr


def test_query_still_reads_a_database_in_a_read_only_folder(read_only_db):
    result = unprivileged("--db", str(read_only_db), "query", "select count(*) as n from events", "--format", "csv")
    assert (result.returncode, result.stdout.split()) == (0, ["n", str(len(list(CATALOG.glob("*.yaml"))))]), result.stderr


def test_database_in_a_missing_folder(tmp_path):
    missing = tmp_path / "no" / "such" / "folder" / "events.db"
    result = cli("--db", str(missing), "events", "list")
    assert_clean_error(result, 2, "error: no database at", str(missing))
    assert not missing.parent.exists()
