"""Run-once end to end on the shared reference prices, on SQLite and PostgreSQL; then a night with nothing new.

Independent references: the price files themselves (row counts, a close quoted in
SOURCES.md) and a market-model abnormal return recomputed here with numpy from the
CSV closes (OLS of AMD on SPY simple returns over sessions -250..-11 before day 0).
"""

from __future__ import annotations

import csv
import json

import numpy as np
import pandas as pd

from eventstudy.defaults import DEFAULT_WINDOWS, window_label
import pytest
from typer.testing import CliRunner

from eventstudy.cli import app
from pipeline_testlib import REPO, count, rows, write_config

pytestmark = [pytest.mark.slow, pytest.mark.shared_data]

STRATEGY = REPO / "examples" / "strategies" / "counterparty-close-hold5.yaml"


CAR_BY_EVENT_HEADER = ["event_id", "ticker", *(f"{m} {window_label(w)}" for m in ("car", "bhar") for w in DEFAULT_WINDOWS)]


def _reference_ar0(prices_dir) -> float:
    closes = pd.concat({t: pd.read_csv(prices_dir / f"{t}.csv", index_col="Date", parse_dates=True)["Close"] for t in ("AMD", "SPY")},
                       axis=1).dropna()
    r = closes.pct_change()
    day0 = r.index.get_loc(pd.Timestamp("2025-10-06"))  # pre-open news: day 0 is the announcement session
    est = r.iloc[day0 - 250: day0 - 10]
    beta, alpha = np.polyfit(est["SPY"], est["AMD"], 1)
    return float(r["AMD"].iloc[day0] - alpha - beta * r["SPY"].iloc[day0])


def test_run_once_end_to_end_then_a_night_with_nothing_new(db_url, prices_dir, tmp_path, monkeypatch):
    monkeypatch.delenv("EVENTSTUDY_PRICE_SOURCE", raising=False)
    monkeypatch.delenv("EVENTSTUDY_DB", raising=False)
    config = write_config(tmp_path, db_url, prices_dir, sections=f'[backtests]\nstrategies = ["{STRATEGY}"]\n')
    runner = CliRunner()

    first = runner.invoke(app, ["pipeline", "run", "--once", "--config", str(config)])
    # The reference folder has no BLK, OWL, BRK-B, 9984.T or SMH file: those tickers fail, the rest goes on.
    assert first.exit_code == 5, first.output
    assert "partial" in first.output

    with open(prices_dir / "AMD.csv", newline="") as fh:
        amd_rows = sum(1 for _ in csv.reader(fh)) - 1
    assert count(db_url, "SELECT count(*) FROM prices WHERE ticker = 'AMD'") == amd_rows
    (close,) = rows(db_url, "SELECT close FROM prices WHERE ticker = 'AMD' AND date = '2025-10-06'")[0]
    assert close == pytest.approx(203.71, abs=0.005)  # SOURCES.md

    # The per-event study of OpenAI-AMD holds the market-model AR computed independently.
    (run_id,) = rows(db_url, "SELECT result_id FROM pipeline_fingerprints WHERE kind = 'study' AND key = '2025-10-06-openai-amd'")[0]
    (ar0,) = rows(db_url, f"SELECT ar FROM abnormal_returns WHERE run_id = {run_id} AND ticker = 'AMD' AND event_day = 0")[0]
    assert ar0 == pytest.approx(_reference_ar0(prices_dir), abs=1e-9)

    history = json.loads(runner.invoke(app, ["pipeline", "history", "--config", str(config), "--format", "json"]).output)
    steps = {h["step"]: h for h in history}
    assert [h["step"] for h in history] == ["catalog", "ingest", "studies", "backtests", "reports"]
    assert steps["ingest"]["step_status"] == "partial" and "BLK" in steps["ingest"]["error"]
    assert steps["catalog"]["rows"] == len(list((REPO / "events").glob("*.yaml")))
    assert steps["backtests"]["rows"] == 1 and count(db_url, "SELECT count(*) FROM backtest_runs") == 1
    assert all(h["run_status"] == "partial" and h["finished_at"] for h in history)

    (report,) = (tmp_path / "out").iterdir()
    names = {p.name for p in report.iterdir()}
    assert {"summary.md", "pipeline.log", "car_by_event.csv", "tests.csv", "car.md", "claims.csv", "caar.png",
            "backtest_counterparty-close-hold5.csv"} <= names
    summary = (report / "summary.md").read_text()
    assert "2025-10-06-openai-amd" in summary and "| AMD |" in summary
    # Tonight's orders of the configured strategy: none pending in the shipped catalog, said so.
    assert "orders.csv" in names and "## Tonight's orders" in summary
    assert (report / "orders.csv").read_text().startswith("strategy,event_id,ticker,role,")
    car = pd.read_csv(report / "car_by_event.csv")
    assert list(car.columns) == CAR_BY_EVENT_HEADER  # the same writer as `eventstudy run --out`
    amd = car[(car["event_id"] == "2025-10-06-openai-amd") & (car["ticker"] == "AMD")]
    assert amd["car [0,0]"].iloc[0] == pytest.approx(ar0, abs=1e-12)

    before = {t: count(db_url, f"SELECT count(*) FROM {t}") for t in ("prices", "study_runs", "backtest_runs", "pipeline_fingerprints")}
    stamp = (report / "summary.md").stat().st_mtime_ns
    second = runner.invoke(app, ["pipeline", "run", "--once", "--config", str(config)])
    assert second.exit_code == 0, second.output
    assert "Nothing new" in second.output and "nothing-new" in second.output
    assert {t: count(db_url, f"SELECT count(*) FROM {t}") for t in before} == before
    assert (report / "summary.md").stat().st_mtime_ns == stamp
    status = json.loads(runner.invoke(app, ["pipeline", "status", "--config", str(config), "--format", "json"]).output)
    assert status["last_status"] == "nothing-new" and status["running"] is False and status["lock"] == "free"
