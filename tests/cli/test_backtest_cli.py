"""``eventstudy backtest run|list|show``: outputs, stored runs, and clean errors with exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import REPO
from conftest import invoke_ok as invoke
from conftest import run_cli as cli
from eventstudy.cli import app
from eventstudy.db import open_db
from eventstudy.prices.ingest import ingest_prices

TICKERS = ["AMD", "NVDA", "ORCL", "INTC", "AVGO", "CRWV", "SPY"]
SPEC = f"""
name: cli-grid
universe: {{tickers: [{", ".join(TICKERS)}]}}
entry: {{k: 0, at: close}}
exit: {{hold: 3}}
costs: {{fees: 0.0005, slippage: 0.0005}}
sweep:
  hold: [1, 3, 5]
  stop_loss: [null, 0.05]
"""
runner = CliRunner()




@pytest.fixture
def spec_file(tmp_path) -> Path:
    path = tmp_path / "grid.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return path


@pytest.fixture
def catalog_db(sqlite_url) -> str:
    invoke(sqlite_url, "events", "load", "--catalog", str(REPO / "events"))
    return sqlite_url


def test_missing_prices_exit_4_naming_ticker_and_ingest(catalog_db, spec_file):
    done = cli("--db", catalog_db, "backtest", "run", str(spec_file), "--no-progress")
    assert done.returncode == 4, done.stderr
    assert "AMD" in done.stderr and "eventstudy prices ingest" in done.stderr
    assert "Traceback" not in done.stderr


def test_bad_spec_exit_2_naming_file_and_line(catalog_db, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nexit:\n  hold: 0\n", encoding="utf-8")
    done = cli("--db", catalog_db, "backtest", "run", str(bad))
    assert done.returncode == 2
    assert f"{bad}:3" in done.stderr and "exit.hold" in done.stderr


def test_run_writes_outputs_stores_and_shows(catalog_db, spec_file, tmp_path, prices_dir):
    assert ingest_prices(open_db(catalog_db), f"files:{prices_dir}", TICKERS, progress=False).ok
    out = tmp_path / "report"
    payload = json.loads(invoke(catalog_db, "backtest", "run", str(spec_file), "--out", str(out), "--format", "json"))
    ranks = [r["rank"] for r in payload["results"]]
    assert ranks == sorted(ranks) and len(ranks) == 6
    sharpe = [r["sharpe"] for r in payload["results"]]
    assert sharpe == sorted(sharpe, reverse=True)
    # Asked for closes; only news of unknown timing is pushed to the next open.
    assert payload["trades"] and all(t["entry_at"] == "close" or t["delayed"] for t in payload["trades"])
    for name in ("results.csv", "trades.csv", "benchmarks.csv", "spec.json", "equity.png", "heatmap.png"):
        assert (out / name).stat().st_size > 0, name
    assert (out / "equity.png").read_bytes()[:4] == b"\x89PNG"
    runs = json.loads(invoke(catalog_db, "backtest", "list", "--format", "json"))
    assert [r["run_id"] for r in runs] == [payload["run_id"]]
    text = invoke(catalog_db, "backtest", "show", str(payload["run_id"]), "--trades", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["ticker"] for r in rows} <= set(TICKERS) and rows
    table = invoke(catalog_db, "backtest", "run", str(spec_file), "--no-store", "--top", "2")
    assert "cli-grid" in table and "k=0 N=" in table
    assert len(json.loads(invoke(catalog_db, "backtest", "list", "--format", "json"))) == 1


def test_every_backtest_command_has_help():
    for command in ("run", "list", "show"):
        result = runner.invoke(app, ["backtest", command, "--help"])
        assert result.exit_code == 0 and "Example:" in result.stdout
