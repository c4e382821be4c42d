"""EventStudy.calendar_time against a day-by-day portfolio built here and a statsmodels OLS."""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.api as sm

from eventstudy.study import EventStudy


def test_calendar_time_market_matches_statsmodels():
    rng = np.random.default_rng(11)
    dates = pd.bdate_range("2024-01-01", periods=400)
    market = rng.normal(0.0004, 0.01, len(dates))
    n = 8
    firms = 0.0002 + 1.1 * market[:, None] + rng.normal(0, 0.02, (len(dates), n))
    day0 = [300 + 5 * i for i in range(n)]
    for j, d in enumerate(day0):
        firms[d:d + 3, j] += 0.01  # +1 % a day over [0, 2]
    returns = pd.DataFrame(firms, index=dates, columns=[f"F{j}" for j in range(n)])
    returns["SPY"] = market
    events = pd.DataFrame({"event_id": [f"e{j}" for j in range(n)], "ticker": returns.columns[:n],
                           "announced": [dates[d] for d in day0], "timing": "pre-open"})
    got = EventStudy(returns, events, benchmark="SPY").calendar_time([(0, 2)], hac_lags=3).iloc[0]

    # Independent: which firms are held each day, equal-weighted mean, OLS on the market.
    held = np.zeros((len(dates), n), dtype=bool)
    for j, d in enumerate(day0):
        held[d:d + 3, j] = True
    days = held.any(axis=1)
    port = np.array([firms[t, held[t]].mean() for t in np.flatnonzero(days)])
    fit = sm.OLS(port, sm.add_constant(market[days])).fit()
    hac = sm.OLS(port, sm.add_constant(market[days])).fit(cov_type="HAC", cov_kwds={"maxlags": 3, "use_correction": False})
    assert got["n_days"] == days.sum()
    np.testing.assert_allclose(got["alpha"], fit.params[0], rtol=1e-10)
    np.testing.assert_allclose(got["alpha_t"], fit.tvalues[0], rtol=1e-8)
    # HAC with the n / (n - K) small-sample factor: t scales by sqrt((n - K) / n) against statsmodels' plain HAC.
    k = 2
    np.testing.assert_allclose(got["alpha_t_hac"], hac.tvalues[0] * np.sqrt((days.sum() - k) / days.sum()), rtol=1e-8)
    assert got["alpha"] > 0.005  # the injected +1 %/day is found
