"""Abnormal-volatility tables on the real engine's results (synthetic market-model panel).

References: statsmodels OLS for one firm's residual variance; a planted event-window SD doubling.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from eventstudy.study import EventStudy
from eventstudy.volatility import (
    TABLE_COLUMNS,
    starred_table,
    volatility_per_event,
    volatility_table,
)

WINDOWS = [(0, 0), (0, 4), (-2, 2)]


def panel(scale: float, n_events: int = 30, seed: int = 2) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Market model (beta 1.2, residual SD 2 %) for ``n_events`` firms; residual SD times ``scale`` on days [0, 4]."""
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2023-01-02", periods=400)
    market = rng.normal(0.0003, 0.01, len(dates))
    day0 = [300 + 2 * i for i in range(n_events)]
    noise = rng.normal(0.0, 0.02, (len(dates), n_events))
    for j, d in enumerate(day0):
        noise[d:d + 5, j] *= scale
    tickers = [f"T{i:02d}" for i in range(n_events)]
    returns = pd.DataFrame(0.0002 + 1.2 * market[:, None] + noise, index=dates, columns=tickers)
    returns["SPY"] = market
    events = pd.DataFrame({"event_id": [f"ev-{i:02d}" for i in range(n_events)], "ticker": tickers,
                           "announced": [dates[d] for d in day0], "timing": "pre-open"})
    return returns, events


def fit(returns: pd.DataFrame, events: pd.DataFrame):
    return EventStudy(returns, events, benchmark="SPY").fit(model="market", estimation=(-250, -11), windows=WINDOWS)


def test_per_event_variance_ratio_matches_statsmodels_residual_variance():
    returns, events = panel(scale=1.0, n_events=3)
    per = volatility_per_event(fit(returns, events)).set_index(["ticker", "window"])
    pos = returns.index.get_loc(events.loc[1, "announced"])
    y, x = returns["T01"].to_numpy(), sm.add_constant(returns["SPY"].to_numpy())
    ols = sm.OLS(y[pos - 250:pos - 10], x[pos - 250:pos - 10]).fit()
    ar = y[pos:pos + 5] - ols.predict(x[pos:pos + 5])
    row = per.loc[("T01", "[0,4]")]
    assert row["days"] == 5 and row["sigma"] == pytest.approx(np.sqrt(ols.scale), rel=1e-8)
    assert row["vr"] == pytest.approx(np.mean(ar**2) / ols.scale, rel=1e-8)
    assert per.loc[("T01", "[0,0]"), "vr"] == pytest.approx(ar[0] ** 2 / ols.scale, rel=1e-8)


def test_a_doubled_sigma_on_days_0_to_4_is_detected():
    table = volatility_table(fit(*panel(scale=2.0))).set_index("window")
    assert list(table.reset_index().columns) == list(TABLE_COLUMNS)
    assert table.loc["[0,4]", "n"] == 30 and table.loc["[0,4]", "days"] == 150
    assert table.loc["[0,4]", "mean_vr"] == pytest.approx(4.0, rel=0.2)  # sigma doubled: variance x 4
    assert table.loc["[0,4]", "p:chi2"] < 1e-6 and table.loc["[0,4]", "p:rank"] < 1e-6
    assert table.loc["[0,4]", "rank"] > 0
    # [-2,2]: two quiet days and three loud ones -> (2 + 3 * 4) / 5 = 2.8
    assert table.loc["[-2,2]", "mean_vr"] == pytest.approx(2.8, rel=0.25)
    shown = starred_table(table.reset_index()).set_index("window")
    assert shown.loc["[0,4]", "chi2"].endswith("***") and shown.loc["[0,4]", "rank"].endswith("***")


def test_no_shift_no_rejection_on_this_panel():
    table = volatility_table(fit(*panel(scale=1.0))).set_index("window")
    assert table["mean_vr"].between(0.6, 1.5).all()
    assert (table["p:chi2"] > 0.01).all() and (table["p:rank"] > 0.01).all()
