"""The data dictionary against real databases (SQLite and PostgreSQL), its rendered doc, and ``eventstudy db``."""

from __future__ import annotations

import hashlib
from pathlib import Path

import sqlalchemy as sa
from typer.testing import CliRunner

from eventstudy.cli import app
from eventstudy.db import open_db
from eventstudy.db.dictionary import BY_NAME, VIEW_NAMES, render_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "data-dictionary.md"


def test_the_doc_is_the_rendered_dictionary():
    assert DOC.read_text(encoding="utf-8") == render_markdown(), (
        "docs/data-dictionary.md is stale: python -m eventstudy.db.dictionary > docs/data-dictionary.md")


def test_every_table_and_view_of_a_migrated_database_is_documented_column_by_column(db_url):
    insp = sa.inspect(open_db(db_url))
    found = {n: "table" for n in insp.get_table_names() if n != "alembic_version"}
    found |= {n: "view" for n in insp.get_view_names()}
    assert found == {name: doc.kind for name, doc in BY_NAME.items()}
    for name in found:
        assert [c["name"] for c in insp.get_columns(name)] == [c.name for c in BY_NAME[name].columns], name
    assert set(VIEW_NAMES) >= {"event_reactions", "claim_checks", "study_summary", "backtest_summary"}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_db_tables_and_describe_read_without_changing_the_file(tmp_path, repo_catalog):
    db = tmp_path / "a.db"
    runner = CliRunner()
    assert runner.invoke(app, ["--db", str(db), "events", "load", "--catalog", str(repo_catalog)]).exit_code == 0
    open_db(str(db)).dispose()
    before = _digest(db)
    result = runner.invoke(app, ["--db", str(db), "db", "tables", "--format", "csv"])
    assert result.exit_code == 0, result.output
    lines = {line.split(",")[0]: line.split(",") for line in result.stdout.splitlines()[1:]}
    assert lines["event_reactions"][1:3] == ["view", "0"] and lines["events"][1:3] == ["table", "18"]
    described = runner.invoke(app, ["--db", str(db), "db", "describe", "event_reactions", "--format", "csv"])
    assert described.exit_code == 0 and "abnormal_return_day0_pct,REAL,percent" in described.stdout
    assert _digest(db) == before


def test_db_read_commands_name_the_problem(tmp_path):
    runner = CliRunner()
    missing = runner.invoke(app, ["--db", str(tmp_path / "none.db"), "db", "tables"])
    assert missing.exception.exit_code == 2 and "no database at" in str(missing.exception) and not (tmp_path / "none.db").exists()
    db = tmp_path / "old.db"
    engine = open_db(str(db))
    with engine.begin() as conn:  # pretend the file was made by an older version
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0005_pipeline'"))
    old = runner.invoke(app, ["--db", str(db), "db", "tables"])
    assert old.exception.exit_code == 2 and "eventstudy db migrate" in str(old.exception)
    unknown = runner.invoke(app, ["--db", str(tmp_path / "new.db"), "db", "migrate"])
    assert unknown.exit_code == 0
    nope = runner.invoke(app, ["--db", str(tmp_path / "new.db"), "db", "describe", "nosuch"])
    assert nope.exception.exit_code == 1 and "event_reactions" in str(nope.exception)


def test_db_tables_on_both_backends_lists_the_views(db_url):
    open_db(db_url).dispose()
    result = CliRunner().invoke(app, ["--db", db_url, "db", "tables", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = {line.split(",")[0]: line.split(",")[1:3] for line in result.stdout.splitlines()[1:]}
    for view in VIEW_NAMES:
        assert rows[view] == ["view", "0"], view
    assert rows["events"] == ["table", "0"]
