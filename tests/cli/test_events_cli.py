"""``eventstudy events load|list|show`` and ``eventstudy query`` from the command line.

Expected values come from the YAML files read with plain ``yaml.safe_load``.
Exit codes are checked through the installed console script (``eventstudy.cli.main``
maps errors to codes); output formats through typer's CliRunner.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
import typer.main
import yaml
from typer.testing import CliRunner

from conftest import REPO, reader_url
from conftest import invoke_ok as invoke
from conftest import run_cli as cli
from eventstudy.cli import app

CATALOG = REPO / "events"
runner = CliRunner()


def raw_events(folder: Path = CATALOG) -> list[dict]:
    return [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.yaml"))]




def table_dump(db_url: str) -> dict[str, list]:
    engine = sa.create_engine(db_url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as conn:
            return {t: sorted(map(tuple, conn.execute(sa.text(f"select * from {t}")).all()))
                    for t in ("events", "event_parties", "event_sources", "claims")}
    finally:
        engine.dispose()


@pytest.fixture
def loaded_db(db_url) -> str:
    invoke(db_url, "events", "load", "--catalog", str(CATALOG))
    return db_url


def test_load_reports_every_event(db_url):
    rows = json.loads(invoke(db_url, "events", "load", "--catalog", str(CATALOG), "--format", "json"))
    by_action = {r["action"]: r for r in rows}
    assert by_action["inserted"]["count"] == len(raw_events())
    again = {r["action"]: r for r in json.loads(invoke(db_url, "events", "load", "--catalog", str(CATALOG), "--format", "json"))}
    assert (again["unchanged"]["count"], again["inserted"]["count"], again["updated"]["count"]) == (len(raw_events()), 0, 0)


def test_list_amd_json_shows_the_openai_deal_with_its_claim(loaded_db):
    records = json.loads(invoke(loaded_db, "events", "list", "--ticker", "AMD", "--format", "json"))
    expected = {d["id"] for d in raw_events() if any(p.get("ticker") == "AMD" for p in d["parties"])}
    assert {r["id"] for r in records} == expected
    [deal] = [r for r in records if r["id"] == "2025-10-06-openai-amd"]
    assert (deal["announced"], deal["timing"]) == ("2025-10-06", "pre-open")
    assert {"ticker": "AMD", "window_start": 0, "window_end": 2, "claimed_move_pct": 43.0}.items() <= deal["claims"][0].items()
    assert any(p["name"] == "OpenAI" and p["ticker"] is None for p in deal["parties"])


def test_list_csv_parses(loaded_db):
    out = invoke(loaded_db, "events", "list", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["id"] for r in rows] == sorted((d["id"] for d in raw_events()), key=lambda i: (i[:10], i))
    by_id = {r["id"]: r for r in rows}
    assert by_id["2025-09-09-oracle-openai-300b"]["timing"] == "after-close"
    assert by_id["2025-09-22-nvidia-openai-10gw"]["tickers"] == "NVDA,ORCL"


def test_list_filters(loaded_db):
    since = json.loads(invoke(loaded_db, "events", "list", "--since", "2025-10-01", "--until", "2025-10-31", "--format", "json"))
    assert {r["id"] for r in since} == {d["id"] for d in raw_events() if "2025-10-01" <= str(d["date"]) <= "2025-10-31"}
    competitors = json.loads(invoke(loaded_db, "events", "list", "--role", "competitor", "--format", "json"))
    assert {r["id"] for r in competitors} == {d["id"] for d in raw_events() if any(p["role"] == "competitor" for p in d["parties"])}
    policy = list(csv.DictReader(io.StringIO(invoke(loaded_db, "events", "list", "--type", "policy", "--format", "csv"))))
    assert {r["id"] for r in policy} == {d["id"] for d in raw_events() if d["deal_type"] == "policy"}


def test_show_json(loaded_db):
    event = json.loads(invoke(loaded_db, "events", "show", "2025-09-22-nvidia-openai-10gw", "--format", "json"))
    assert [(c["ticker"], c["claimed_move_pct"], c["qualifier"]) for c in event["claims"]] == [("NVDA", 4.0, "nearly"), ("ORCL", 6.3, "about")]


def test_query_counts_the_yaml_files(loaded_db):
    out = invoke(reader_url(loaded_db), "query", "select count(*) as n from events", "--format", "json")
    assert json.loads(out) == [{"n": len(list(CATALOG.glob("*.yaml")))}]


def test_malformed_catalog_fails_naming_file_and_line(loaded_db, tmp_path):
    folder = tmp_path / "events"
    shutil.copytree(CATALOG, folder)
    (folder / "2025-10-13-openai-broadcom.yaml").unlink()  # would be a removal if anything were written
    bad = folder / "2025-12-01-bad.yaml"
    bad.write_text("id: 2025-12-01-bad\ntitle: Bad\ndate: 2025-12-01\ntiming: pre-open\ndeal_type: policy\nparties:\n  - name: Intel\n    role: subject\nsources: [{source: x}]\nconfidence: low\n", encoding="utf-8")
    before = table_dump(loaded_db)
    result = cli("--db", loaded_db, "events", "load", "--catalog", str(folder))
    assert result.returncode == 2
    assert f"{bad}:7:" in result.stderr  # the "- name: Intel" party without a ticker
    assert "no ticker" in result.stderr
    assert table_dump(loaded_db) == before


def test_show_unknown_id_is_a_clear_error(loaded_db):
    result = cli("--db", loaded_db, "events", "show", "no-such-event")
    assert result.returncode == 2
    assert "no event 'no-such-event'" in result.stderr
    assert "Traceback" not in result.stderr


def _commands(group, path=()):
    for name, command in group.commands.items():
        yield (*path, name), command
        if hasattr(command, "commands"):
            yield from _commands(command, (*path, name))


@pytest.mark.parametrize("path", [("events",), ("events", "load"), ("events", "list"), ("events", "show"), ("query",)])
def test_every_catalog_command_has_help(path):
    commands = dict(_commands(typer.main.get_command(app)))
    assert (commands[path].help or "").strip(), f"{' '.join(path)} has no help text"
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.stdout and len(result.stdout) > 100


def test_load_reports_removed_events(loaded_db, tmp_path):
    folder = tmp_path / "events"
    shutil.copytree(CATALOG, folder)
    (folder / "2025-11-05-openai-backstop-remarks.yaml").unlink()
    result = runner.invoke(app, ["--db", loaded_db, "events", "load", "--catalog", str(folder), "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "removed 1 event(s) no longer in the catalog: 2025-11-05-openai-backstop-remarks" in result.stderr
    rows = {r["action"]: r for r in json.loads(result.stdout)}
    assert rows["removed"]["events"] == "2025-11-05-openai-backstop-remarks"
    listed = json.loads(invoke(loaded_db, "events", "list", "--format", "json"))
    assert "2025-11-05-openai-backstop-remarks" not in {r["id"] for r in listed}
