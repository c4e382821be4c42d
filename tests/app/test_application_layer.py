"""The application layer's contracts: SQL only in db/, a light CLI, read commands that never write, exit codes."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conftest import REPO, run_cli

PACKAGE = REPO / "eventstudy"


def test_no_sqlalchemy_import_outside_the_db_package():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if PACKAGE / "db" in path.parents:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if re.match(r"\s*(from|import)\s+sqlalchemy\b", line):
                offenders.append(f"{path.relative_to(REPO)}:{n}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


def test_importing_the_cli_loads_neither_pandas_nor_sqlalchemy():
    code = "import sys, eventstudy.cli; print(sorted(m for m in ('pandas', 'sqlalchemy', 'numpy', 'pydantic') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_version():
    proc = run_cli("--version")
    assert proc.returncode == 0 and re.fullmatch(r"eventstudy \d+\.\d+\.\d+\S*\n", proc.stdout)


def test_query_on_a_missing_database_fails_and_creates_nothing(tmp_path):
    path = tmp_path / "typo.db"
    proc = run_cli("--db", path, "query", "select 1")
    assert proc.returncode == 2
    assert "no database at" in proc.stderr and str(path) in proc.stderr and "Traceback" not in proc.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def loaded(tmp_path, repo_catalog) -> Path:
    """A SQLite database holding the catalog, switched to journal_mode=delete (so any WAL switch shows)."""
    db = tmp_path / "loaded.db"
    proc = run_cli("--db", db, "events", "load", "--catalog", repo_catalog)
    assert proc.returncode == 0, proc.stderr
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA journal_mode=delete")
    return db


READ_COMMANDS = [
    ("query", "select count(*) from events"),
    ("events", "list", "--format", "json"),
    ("events", "show", "2025-10-06-openai-amd"),
    ("pipeline", "status"),
    ("pipeline", "history"),
    ("schedule", "show"),
    ("backtest", "list"),
    ("prices", "quality"),
]


@pytest.mark.parametrize("args", READ_COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_read_commands_leave_the_database_file_unchanged(loaded, args):
    before = loaded.read_bytes()
    proc = run_cli("--db", loaded, *args)
    assert proc.returncode == 0, proc.stderr
    assert loaded.read_bytes() == before
    assert not Path(f"{loaded}-wal").exists()
    with sqlite3.connect(f"file:{loaded}?mode=ro", uri=True) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        tables = {r[0] for r in conn.execute("select name from sqlite_master where type='table'")}
    assert "apscheduler_jobs" not in tables


def test_an_old_schema_is_named_with_the_command_that_migrates_it(tmp_path, repo_catalog):
    """A database left at an older revision (as an older version of the tool made it)."""
    from alembic import command
    from alembic.config import Config

    from eventstudy.db import MIGRATIONS_DIR, make_engine

    db = tmp_path / "old.db"
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    engine = make_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0005_pipeline")
    engine.dispose()
    before = db.read_bytes()
    proc = run_cli("--db", db, "events", "list")
    assert proc.returncode == 2 and "eventstudy db migrate" in proc.stderr and "0005_pipeline" in proc.stderr
    assert db.read_bytes() == before
    assert run_cli("--db", db, "db", "migrate").returncode == 0
    assert run_cli("--db", db, "events", "load", "--catalog", repo_catalog).returncode == 0
    assert run_cli("--db", db, "events", "list").returncode == 0


def test_two_first_writers_on_a_new_database_do_not_race(tmp_path, repo_catalog):
    db = tmp_path / "new.db"
    results = []

    def load() -> None:
        results.append(run_cli("--db", db, "events", "load", "--catalog", repo_catalog))

    threads = [threading.Thread(target=load) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from events").fetchone()[0] == len(list(repo_catalog.glob("*.yaml")))


def test_json_keeps_utf8_and_iso_dates(loaded):
    proc = run_cli("--db", loaded, "events", "show", "2025-09-22-nvidia-openai-10gw", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert "\\u" not in proc.stdout and re.search(r"[\u4e00-\u9fff]", proc.stdout)
    doc = json.loads(proc.stdout)
    assert doc["announced"] == "2025-09-22"


@pytest.mark.parametrize("args, code, words", [
    (("events", "show", "no-such-event"), 2, "no event 'no-such-event'"),
    (("query", "select 1; select 2"), 2, "one SQL statement"),
    (("query", "delete from events"), 3, "read-only"),
    (("backtest", "show", "99"), 2, "no backtest run 99"),
    (("study", "run", "--event", "2099-nothing", "--no-store"), 2, "unknown event id"),
    (("study", "run", "--window", "3,1"), 2, "starts after it ends"),
])
def test_exit_codes_as_documented(loaded, args, code, words):
    proc = run_cli("--db", loaded, *args)
    assert proc.returncode == code, proc.stderr
    assert words in proc.stderr and "Traceback" not in proc.stderr


def test_exit_code_4_for_a_bad_price_file(tmp_path, loaded):
    folder = tmp_path / "prices"
    folder.mkdir()
    (folder / "AMD.csv").write_text("Date,Open,High,Low,Close,Volume\n2025-01-02,1,2,0.5,x,10\n", encoding="utf-8")
    proc = run_cli("--db", loaded, "prices", "ingest", "--prices", f"files:{folder}", "--tickers", "AMD")
    assert proc.returncode == 4 and "AMD" in proc.stderr and "Traceback" not in proc.stderr


def test_deprecated_source_alias_still_works_and_warns(tmp_path, loaded):
    folder = tmp_path / "prices"
    folder.mkdir()
    (folder / "AMD.csv").write_text("Date,Open,High,Low,Close,Volume\n2025-01-02,1,2,0.5,1.5,10\n", encoding="utf-8")
    proc = run_cli("--db", loaded, "prices", "ingest", "--source", f"files:{folder}", "--tickers", "AMD")
    assert proc.returncode == 0, proc.stderr
    assert "--source is deprecated" in proc.stderr


def test_help_lists_every_group_and_each_command_has_help():
    from typer.main import get_command

    from eventstudy.cli import app

    root = get_command(app)
    assert {"run", "query", "events", "prices", "study", "claims", "backtest", "pipeline", "schedule", "db"} <= set(root.commands)
    for name, group in root.commands.items():
        for sub in getattr(group, "commands", {name: group}).values():
            assert (sub.help or "").strip(), f"{name} {sub.name} has no help text"
