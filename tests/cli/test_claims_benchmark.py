"""``claims check --benchmark QQQ``: the CAR column is a QQQ market model, labelled so (not the stored SPY run)."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from typer.testing import CliRunner

from eventstudy.cli import app

AMD_EVENT = "2025-10-06-openai-amd"


def _car_pct(prices_dir, ticker: str, benchmark: str, day0: str, a: int, b: int) -> float:
    """Market-model CAR over [a, b] in percent: statsmodels OLS over sessions -250..-11, simple price returns."""
    close = pd.concat({t: pd.read_csv(prices_dir / f"{t}.csv", parse_dates=["Date"], index_col="Date")["Close"]
                       for t in (ticker, benchmark)}, axis=1).dropna()
    ret = (close / close.shift(1) - 1.0).dropna()
    pos = ret.index.get_loc(pd.Timestamp(day0))
    est = ret.iloc[pos - 250: pos - 10]
    fit = sm.OLS(est[ticker], sm.add_constant(est[benchmark])).fit()
    window = ret.iloc[pos + a: pos + b + 1]
    ar = window[ticker] - fit.predict(np.column_stack([np.ones(len(window)), window[benchmark]]))
    return 100.0 * float(ar.sum())


def test_non_default_benchmark_recomputes_and_labels_the_car(tmp_path, prices_dir, repo_catalog):
    db = f"sqlite:///{tmp_path / 'c.db'}"
    runner = CliRunner()
    ran = runner.invoke(app, ["--db", db, "run", "--prices", f"files:{prices_dir}", "--catalog", str(repo_catalog),
                              "--out", str(tmp_path / "out"), "--window", "0,2"])
    assert ran.exit_code == 0, ran.output
    frames = {}
    for bench in ("SPY", "QQQ"):
        result = runner.invoke(app, ["--db", db, "claims", "check", "--benchmark", bench, "--format", "csv"])
        assert result.exit_code == 0, result.output
        frames[bench] = pd.read_csv(io.StringIO(result.stdout)).set_index(["event_id", "ticker", "window"])
    spy = frames["SPY"].loc[(AMD_EVENT, "AMD", "[0,2]")]
    qqq = frames["QQQ"].loc[(AMD_EVENT, "AMD", "[0,2]")]
    assert spy["car_model"] == "market model vs SPY" and qqq["car_model"] == "market model vs QQQ, fitted now"
    assert spy["car_pct"] == pytest.approx(_car_pct(prices_dir, "AMD", "SPY", "2025-10-06", 0, 2), abs=1e-6)
    assert qqq["car_pct"] == pytest.approx(_car_pct(prices_dir, "AMD", "QQQ", "2025-10-06", 0, 2), abs=1e-6)
    assert abs(qqq["car_pct"] - spy["car_pct"]) > 0.1
    table = runner.invoke(app, ["--db", db, "claims", "check", "--benchmark", "QQQ"]).stdout
    assert "vs QQQ" in table and "vs SPY" not in table
