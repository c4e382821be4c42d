"""Calendar-time portfolio regression against a day-by-day loop and statsmodels OLS (plain and HAC)."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm

from eventstudy.core.calendar_time import calendar_time_portfolio

T, N = 500, 30
WINDOW = (0, 20)


def _data(seed=0):
    rng = np.random.default_rng(seed)
    factors = rng.normal([0.0004, 0.0001, 0.0], [0.01, 0.005, 0.005], (T, 3))
    rf = np.full(T, 0.0001)
    betas = rng.normal([1.0, 0.3, -0.2], 0.3, (N, 3))
    returns = rf[:, None] + factors @ betas.T + rng.normal(0, 0.02, (T, N))
    returns[:100, 5] = np.nan  # late listing
    returns[rng.random((T, N)) < 0.01] = np.nan
    weights = rng.uniform(1, 100, (T, N))
    day0 = rng.integers(0, T - 5, 60)
    col = rng.integers(0, N, 60)
    col[3] = -1  # an event without a series
    return returns, factors, rf, weights, day0, col


def _loop_portfolio(returns, rf, weights, day0, col):
    """Day by day: the set of firms inside a window of one of their events, then their (weighted) mean."""
    ew, vw = np.full(T, np.nan), np.full(T, np.nan)
    for t in range(T):
        firms = {c for d, c in zip(day0, col) if c >= 0 and d + WINDOW[0] <= t <= d + WINDOW[1]}
        firms = [f for f in firms if np.isfinite(returns[t, f])]
        if firms:
            r = returns[t, firms]
            ew[t] = r.mean() - rf[t]
            vw[t] = (r * weights[t, firms]).sum() / weights[t, firms].sum() - rf[t]
    return ew, vw


@pytest.mark.parametrize("value", [False, True])
@pytest.mark.parametrize("k", [1, 3])
def test_matches_loop_and_statsmodels(value, k):
    returns, factors, rf, weights, day0, col = _data()
    ew, vw = _loop_portfolio(returns, rf, weights, day0, col)
    y = vw if value else ew
    ok = np.isfinite(y)
    x = sm.add_constant(factors[ok, :k])
    ols = sm.OLS(y[ok], x).fit()
    hac = sm.OLS(y[ok], x).fit(cov_type="HAC", cov_kwds={"maxlags": 5, "use_correction": True})
    got = calendar_time_portfolio(returns, day0, col, WINDOW, factors=factors[:, :k], rf=rf,
                                  weights=weights if value else None, hac_lags=5)
    assert got.weighting == ("value" if value else "equal")
    np.testing.assert_allclose(got.portfolio[ok], y[ok], rtol=1e-12)
    assert got.n_days == ok.sum()
    np.testing.assert_allclose(got.coef, ols.params, rtol=1e-9, atol=1e-14)
    np.testing.assert_allclose(got.se, ols.bse, rtol=1e-9)
    assert got.alpha_t == pytest.approx(ols.tvalues[0], rel=1e-9)
    assert got.alpha_p == pytest.approx(ols.pvalues[0], rel=1e-8)
    assert got.alpha_t_hac == pytest.approx(hac.tvalues[0], rel=1e-9)


def test_injected_abnormal_return_shows_in_alpha():
    returns, factors, rf, _, day0, col = _data(1)
    shocked = returns.copy()
    for d, c in zip(day0, col):
        if c >= 0:
            shocked[d + WINDOW[0]: d + WINDOW[1] + 1, c] += 0.01  # +1 %/day inside windows
    base = calendar_time_portfolio(returns, day0, col, WINDOW, factors=factors, rf=rf)
    got = calendar_time_portfolio(shocked, day0, col, WINDOW, factors=factors, rf=rf)
    assert got.alpha - base.alpha == pytest.approx(0.01, abs=1e-3)  # overlapping windows count a firm once
    assert got.alpha_t > 5 and abs(base.alpha_t) < 3


def test_too_few_days_gives_nan_not_an_error():
    returns, factors, rf, _, _, _ = _data()
    got = calendar_time_portfolio(returns, np.array([T - 1]), np.array([0]), (0, 0), factors=factors)
    assert got.n_days == 1 and np.isnan(got.alpha_t)
