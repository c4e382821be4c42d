"""``eventstudy backtest run|list|show``: outputs, stored runs, and clean errors with exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import REPO, UNIVERSE_DIR
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
    # One variant's statistics, units in the names; Profit Factor from its stored trades.
    best = payload["best_variant"]
    stats = json.loads(invoke(catalog_db, "backtest", "show", str(payload["run_id"]), "--variant", str(best), "--format", "json"))
    mine = [r for r in rows if int(r["variant"]) == best and r["sample"] == "all"]
    pnl = [float(r["pnl"]) + float(r["hedge_pnl"] or 0) for r in mine]
    gains, losses = sum(p for p in pnl if p > 0), -sum(p for p in pnl if p < 0)
    assert stats["Trades"] == str(len(mine)) and "Total Return [%]" in stats and "Max Drawdown [%]" in stats
    assert float(stats["Profit Factor"]) == pytest.approx(gains / losses, abs=0.005)
    assert float(stats["Expectancy"]) == pytest.approx(sum(pnl) / len(pnl), abs=0.005)
    readable = invoke(catalog_db, "backtest", "show", str(payload["run_id"]), "--trades")
    assert "Return [%]" in readable and "Exit Reason" in readable
    table = invoke(catalog_db, "backtest", "run", str(spec_file), "--no-store", "--top", "2")
    assert "cli-grid" in table and "k=0 N=" in table
    assert len(json.loads(invoke(catalog_db, "backtest", "list", "--format", "json"))) == 1


def test_every_backtest_command_has_help():
    for command in ("run", "list", "show", "signals"):
        result = runner.invoke(app, ["backtest", command, "--help"])
        assert result.exit_code == 0 and "Example:" in result.stdout


AMD_SUPPLIER_YAML = """\
id: 2026-05-29-amd-supplier-test
title: Test deal, AMD named supplier after the close of the last shared session
date: 2026-05-29
timing: after-close
deal_type: supply-deal
parties:
  - name: Buyer Co
    listed: false
    role: customer
  - name: AMD
    ticker: AMD
    exchange: NASDAQ
    role: supplier
sources:
  - source: test
    quote: "test event"
confidence: low
"""


@pytest.fixture
def shared_catalog_db(sqlite_url, tmp_path, prices_dir) -> str:
    """The shipped catalog plus an AMD supplier event after the last shared close; every catalog ticker
    with a shared file ingested (9984.T has none: it is the missing one)."""
    import shutil

    catalog = tmp_path / "events"
    shutil.copytree(REPO / "events", catalog)
    (catalog / "2026-05-29-amd-supplier-test.yaml").write_text(AMD_SUPPLIER_YAML, encoding="utf-8")
    invoke(sqlite_url, "events", "load", "--catalog", str(catalog))
    from eventstudy.db.catalog_store import catalog_tickers

    engine = open_db(sqlite_url)
    tickers = sorted(set(catalog_tickers(engine)) | {"SPY"})
    folders = f"files:{prices_dir},{prices_dir.parent / 'landon-io__stocks-ai-agent'},{UNIVERSE_DIR}"
    ingest_prices(engine, folders, tickers, progress=False)
    return sqlite_url


def test_signals_lists_tonights_amd_order(shared_catalog_db):
    spec = REPO / "examples" / "strategies" / "counterparty-close-hold5.yaml"
    done = cli("--db", shared_catalog_db, "backtest", "signals", str(spec), "--format", "json")
    assert done.returncode == 0, done.stderr
    orders = json.loads(done.stdout)
    amd = [o for o in orders if o["event_id"] == "2026-05-29-amd-supplier-test"]
    assert [(o["ticker"], o["side"], o["session"], o["at"], o["strategy"]) for o in amd] == [
        ("AMD", "buy", "2026-06-01", "close", "counterparty-close-hold5")]
    assert amd[0]["notional"] == 10_000 and amd[0]["exit_session"] == "2026-06-08"
    # A day earlier nothing of the catalog is pending but the AMD news, whose entry is still ahead.
    early = json.loads(invoke(shared_catalog_db, "backtest", "signals", str(spec), "--asof", "2026-05-28", "--format", "json"))
    assert {o["event_id"] for o in early} == {"2026-05-29-amd-supplier-test"}


def test_a_shipped_strategy_runs_with_a_ticker_missing_and_strict_exits_5(shared_catalog_db, tmp_path):
    spec = REPO / "examples" / "strategies" / "fade-day0-jumps.yaml"
    out = tmp_path / "fade"
    done = cli("--db", shared_catalog_db, "backtest", "run", str(spec), "--no-progress", "--no-store",
               "--format", "csv", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "warning: no prices for 9984.T" in done.stderr and "Traceback" not in done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert len(rows) == 1 and int(rows[0]["trades"]) > 0
    skipped = list(csv.DictReader(io.StringIO((out / "skipped.csv").read_text())))
    assert {r["ticker"] for r in skipped if r["reason"].startswith("no prices for this ticker")} == {"9984.T"}
    strict = cli("--db", shared_catalog_db, "backtest", "run", str(spec), "--no-progress", "--no-store", "--strict")
    assert strict.returncode == 5 and "9984.T" in strict.stderr


def test_csv_emits_every_variant_unless_top_and_skipped_csv_always_has_a_header(catalog_db, spec_file, tmp_path, prices_dir):
    assert ingest_prices(open_db(catalog_db), f"files:{prices_dir}", TICKERS, progress=False).ok
    out = tmp_path / "r"
    text = invoke(catalog_db, "backtest", "run", str(spec_file), "--no-store", "--format", "csv", "--out", str(out))
    assert len(list(csv.DictReader(io.StringIO(text)))) == 6
    header = (out / "skipped.csv").read_text().splitlines()[0]
    assert header.startswith("sample,event_id,ticker,role") and "reason" in header
    two = list(csv.DictReader(io.StringIO(invoke(catalog_db, "backtest", "run", str(spec_file), "--no-store", "--format", "csv", "--top", "2"))))
    assert [r["rank"] for r in two] == ["1", "2"]


def test_walk_forward_example_leads_with_the_stitched_record_and_its_folds(catalog_db, tmp_path, prices_dir):
    assert ingest_prices(open_db(catalog_db), f"files:{prices_dir}", TICKERS, progress=False).ok
    spec = REPO / "examples" / "strategies" / "walk-forward-follow.yaml"
    out = tmp_path / "wf"
    payload = json.loads(invoke(catalog_db, "backtest", "run", str(spec), "--format", "json", "--out", str(out)))
    wf = payload["walk_forward"]
    assert (wf["mode"], wf["train"], wf["test"]) == ("expanding", "6M", "2M") and len(wf["folds"]) >= 2
    assert [f["train_start"] for f in wf["folds"]] == ["2025-01-01"] * len(wf["folds"])
    assert wf["stitched"]["trades"] == sum(f["oos_trades"] for f in wf["folds"]) > 0
    assert payload["best_variant"] == wf["folds"][-1]["variant"]
    folds = list(csv.DictReader(io.StringIO((out / "folds.csv").read_text())))
    assert [int(f["fold"]) for f in folds] == list(range(1, len(wf["folds"]) + 1))
    trades = list(csv.DictReader(io.StringIO((out / "trades.csv").read_text())))
    assert len(trades) == wf["stitched"]["trades"] and {t["sample"] for t in trades} == {"wf"}
    shown = " ".join(invoke(catalog_db, "backtest", "show", str(payload["run_id"])).split())  # titles wrap
    assert "walk-forward out-of-sample record" in shown and "folds" in shown and "Total Return [%]" in shown
    assert len(payload["trades"]) == wf["stitched"]["trades"]
    listed = " ".join(invoke(catalog_db, "backtest", "show", str(payload["run_id"]), "--trades", "--top", "100").split())
    assert "walk-forward trades (each fold's chosen variant)" in listed


def test_an_unknown_executor_exits_2_naming_the_option(tmp_path):
    done = cli("--db", f"sqlite:///{tmp_path / 'x.db'}", "backtest", "run", str(REPO / "examples" / "strategies" / "oos-follow.yaml"),
               "--executor", "spark")
    assert done.returncode == 2 and "--executor: 'spark' is not an executor" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "x.db").exists()
