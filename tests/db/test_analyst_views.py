"""The analyst views after a real main-job run, on SQLite and on a real PostgreSQL server.

The reference numbers are computed here from the shared price CSV files with statsmodels
(market model OLS over sessions -250..-11, forecast-error standard error of day 0), not
from the engine.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from typer.testing import CliRunner

from eventstudy.cli import app
from conftest import reader_url
from eventstudy.db import open_db, open_existing
from eventstudy.db.query import run_readonly

AMD_EVENT = "2025-10-06-openai-amd"
ORCL_EVENT = "2025-09-09-oracle-openai-300b"
VIEWS = ("event_reactions", "event_reactions_all", "claim_checks", "study_summary", "backtest_summary")


def _closes(prices_dir, ticker: str) -> pd.Series:
    frame = pd.read_csv(prices_dir / f"{ticker}.csv", parse_dates=["Date"], index_col="Date")
    return frame["Close"]


def _reference_day0(prices_dir, ticker: str, day0: str) -> tuple[float, float, float]:
    """(raw day-0 return %, market-model AR %, t of the AR) from the CSV files, statsmodels OLS."""
    close = pd.concat({"y": _closes(prices_dir, ticker), "m": _closes(prices_dir, "SPY")}, axis=1).dropna()
    # The study runs on simple price returns (load_study_returns kind="simple"): no dividends.
    ret = (close / close.shift(1) - 1.0).dropna()
    pos = ret.index.get_loc(pd.Timestamp(day0))
    est = ret.iloc[pos - 250: pos - 10]
    fit = sm.OLS(est["y"], sm.add_constant(est["m"])).fit()
    pred = fit.get_prediction(np.array([[1.0, ret["m"].iloc[pos]]]))
    ar = ret["y"].iloc[pos] - float(pred.predicted_mean[0])
    t = ar / float(np.sqrt(pred.var_pred_mean[0] + fit.scale))
    raw = close["y"].iloc[close.index.get_loc(pd.Timestamp(day0))] / close["y"].shift(1).loc[day0] - 1.0
    return 100.0 * raw, 100.0 * ar, t


def test_views_exist_and_are_empty_before_any_study(db_url):
    open_db(db_url).dispose()  # a new database, migrated by a write path
    engine = open_existing(reader_url(db_url))
    for view in VIEWS:
        assert run_readonly(engine, f"select * from {view}").empty, view


def test_views_after_the_main_job(db_url, tmp_path, prices_dir, repo_catalog):
    result = CliRunner().invoke(app, ["--db", db_url, "run", "--prices", f"files:{prices_dir}", "--catalog", str(repo_catalog),
                                      "--out", str(tmp_path / "out"), "--window", "0,0", "--window", "0,2"])
    assert result.exit_code == 0, result.output
    engine = open_existing(reader_url(db_url))

    amd = run_readonly(engine, "select * from event_reactions where ticker = 'AMD'").set_index("event_id")
    assert AMD_EVENT in amd.index
    row = amd.loc[AMD_EVENT]
    assert str(row["day0"])[:10] == "2025-10-06" and row["role"] == "supplier" and row["deal_type"]
    raw, ar, t = _reference_day0(prices_dir, "AMD", "2025-10-06")
    assert row["raw_return_day0_pct"] == pytest.approx(raw, abs=1e-9)
    assert row["abnormal_return_day0_pct"] == pytest.approx(ar, abs=1e-6)
    assert round(row["abnormal_return_day0_pct"], 2) == 23.13
    assert row["t_day0"] == pytest.approx(t, rel=1e-6)
    assert 0 <= row["p_day0"] < 1e-6
    # [0,2]: price move close of day -1 to close of day 2 (the claim check's +43.05 %).
    assert round(row["raw_return_0_2_pct"], 2) == 43.05
    assert row["car_0_2_pct"] > row["abnormal_return_day0_pct"]

    claims = run_readonly(engine, "select * from claim_checks")
    orcl = claims[(claims["event_id"] == ORCL_EVENT) & (claims["ticker"] == "ORCL")].iloc[0]
    assert orcl["claimed_move_pct"] == 39.0 and orcl["verdict"] == "overstated"
    assert round(orcl["measured_move_pct"], 2) == 35.95 and round(orcl["intraday_high_pct"], 2) == 43.15

    summary = run_readonly(engine, "select * from study_summary where measure = 'CAR'")
    assert set(summary["window_label"]) == {"[0,0]", "[0,2]"}
    # CAAR = mean over the event-firms of their day-0 AR, recomputed from event_reactions.
    caar0 = summary.loc[summary["window_label"] == "[0,0]", "caar_pct"].unique()
    everyone = run_readonly(engine, "select abnormal_return_day0_pct from event_reactions where status = 'ok'")
    assert len(caar0) == 1 and caar0[0] == pytest.approx(everyone["abnormal_return_day0_pct"].mean(), abs=1e-9)
    assert {"t-cs", "bmp"} <= set(summary["test"])


def test_latest_run_wins(sqlite_url, tmp_path, prices_dir, repo_catalog):
    args = ["--db", sqlite_url, "run", "--prices", f"files:{prices_dir}", "--catalog", str(repo_catalog),
            "--out", str(tmp_path / "out"), "--window", "0,0"]
    assert CliRunner().invoke(app, args).exit_code == 0
    assert CliRunner().invoke(app, args[:-2] + ["--window", "0,2"]).exit_code == 0
    engine = open_db(sqlite_url)
    latest = run_readonly(engine, "select distinct study_run_id from event_reactions")
    every = run_readonly(engine, "select distinct study_run_id from event_reactions_all")
    assert latest["study_run_id"].tolist() == [2] and sorted(every["study_run_id"]) == [1, 2]
    # Run 2 has no [0,0] window: its day-0 t is NULL while the AR itself is still there.
    row = run_readonly(engine, f"select * from event_reactions where event_id = '{AMD_EVENT}' and ticker = 'AMD'").iloc[0]
    assert pd.isna(row["t_day0"]) and row["t_0_2"] > 5
