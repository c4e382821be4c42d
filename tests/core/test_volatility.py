"""Abnormal-volatility tests (eventstudy.core.volatility) against closed forms, scipy and simulation.

Every Monte Carlo check draws all replications at once (leading batch axis), so the file runs in about a second.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import stats

from eventstudy.core.volatility import squared_ranks, variance_ratios, volatility_tests

R = 2000  # replications: the 99.9 % binomial band around 5 % is about [3.5 %, 6.6 %], which excludes 7.5 % (1.5x size)
LEVEL = 0.05


def size_band(reps: int = R, level: float = LEVEL) -> tuple[float, float]:
    lo, hi = stats.binom.interval(0.999, reps, level)
    return lo / reps, hi / reps


def test_the_band_catches_a_test_with_one_and_a_half_times_its_size():
    lo, hi = size_band()
    assert lo < LEVEL < hi < 1.5 * LEVEL and lo > LEVEL / 1.5


def h0_panel(rng: np.random.Generator, *, n: int = 20, days: int = 3, n_est: int = 120, df: float | None = None,
             scale: float = 1.0):
    """R replications of n firms: estimation residuals and event-window ARs from the same law (H0), the
    residual SD estimated from the estimation window (market model: n_est - 2 degrees of freedom).
    ``df``: Student-t errors (fat tails) instead of normal; ``scale``: event-window SD multiplier."""
    draw = (lambda size: rng.standard_t(df, size)) if df else (lambda size: rng.standard_normal(size))
    firm_sd = rng.uniform(0.01, 0.04, (R, 1, n))  # firms differ in residual SD
    est = draw((R, n_est, n)) * firm_sd
    ar = draw((R, days, n)) * firm_sd * scale
    sigma = est.std(axis=1, ddof=2)
    return ar, sigma, est


def test_variance_ratio_by_hand_with_missing_days():
    ar = np.array([[0.02, np.nan, 0.01], [0.04, np.nan, np.nan]])
    vr, days = variance_ratios(ar, np.array([0.02, 0.01, 0.01]))
    np.testing.assert_array_equal(days, [2, 0, 1])
    assert vr[0] == pytest.approx((1.0 + 4.0) / 2) and np.isnan(vr[1]) and vr[2] == pytest.approx(1.0)
    res = volatility_tests(ar, np.array([0.02, 0.01, 0.01]), np.random.default_rng(0).normal(0, 0.01, (50, 3)))
    assert int(res.n) == 2 and int(res.chi2_df) == 3 and float(res.mean_vr) == pytest.approx((2.5 + 1.0) / 2)
    assert float(res.chi2) == pytest.approx(6.0)
    lower = stats.chi2.cdf(6.0, 3)
    assert float(res.chi2_p) == pytest.approx(2 * min(lower, 1 - lower))


def test_chi2_statistic_follows_scipy_chi2_when_sigma_is_known():
    rng = np.random.default_rng(11)
    sd = rng.uniform(0.01, 0.05, (R, 1, 8))
    ar = rng.standard_normal((R, 4, 8)) * sd
    res = volatility_tests(ar, sd[:, 0, :], rng.standard_normal((R, 30, 8)))
    assert np.all(res.chi2_df == 32)
    assert stats.kstest(res.chi2, stats.chi2(32).cdf).pvalue > 0.001
    # the p-value is uniform under H0
    assert stats.kstest(res.chi2_p, "uniform").pvalue > 0.001


@pytest.mark.parametrize("n, days", [(20, 1), (20, 3), (5, 11)])
def test_both_tests_hold_their_size_under_normal_h0(n, days):
    rng = np.random.default_rng(100 + 7 * n + days)
    res = volatility_tests(*h0_panel(rng, n=n, days=days))
    lo, hi = size_band()
    for name, p in (("chi2", res.chi2_p), ("rank", res.rank_p)):
        rate = float(np.mean(p < LEVEL))
        assert lo <= rate <= hi, f"{name} rejects {rate:.3f} of true nulls (n={n}, L={days})"
    assert float(np.mean(res.mean_vr)) == pytest.approx(1.0, abs=0.02)


def test_rank_test_holds_size_with_fat_tails_where_chi2_does_not():
    """Student-t(3) residuals: the squared ARs are far from chi-square, the ranks still exchangeable."""
    rng = np.random.default_rng(7)
    res = volatility_tests(*h0_panel(rng, n=10, days=3, n_est=60, df=3))
    lo, hi = size_band()
    assert lo <= float(np.mean(res.rank_p < LEVEL)) <= hi
    assert float(np.mean(res.chi2_p < LEVEL)) > 2 * LEVEL  # documented: the normal-theory test over-rejects


def test_a_doubled_event_window_sigma_is_detected():
    rng = np.random.default_rng(3)
    res = volatility_tests(*h0_panel(rng, n=10, days=3, n_est=60, scale=2.0))
    assert float(np.median(res.mean_vr)) == pytest.approx(4.0, rel=0.1)  # variance ratio = 2^2
    assert float(np.mean(res.chi2_p < LEVEL)) > 0.99
    assert float(np.mean(res.rank_p < LEVEL)) > 0.9
    assert np.all(res.rank_z[res.rank_p < LEVEL] > 0)  # detected as an increase


def test_rank_sum_null_moments_by_enumeration():
    """One firm, T = 7 pool days of which L = 3 are in the window: every placement of the window's days among the
    ranks is equally likely under H0; the enumerated mean and variance of S are the function's."""
    t, l = 7, 3
    values = np.arange(1.0, t + 1)  # distinct squared values: ranks 1..T
    sums = []
    for pick in itertools.combinations(range(t), l):
        ar = np.sqrt(values[list(pick)])[:, None]
        est = np.sqrt(np.delete(values, list(pick)))[:, None]
        s, var = squared_ranks(ar, est)
        sums.append(float(s[0]))
    assert np.mean(sums) == pytest.approx(0.0, abs=1e-12)
    assert float(var[0]) == pytest.approx(np.var(sums), rel=1e-12)


def test_ranks_match_scipy_with_ties_and_missing_days():
    rng = np.random.default_rng(5)
    est = rng.integers(-3, 4, (25, 6)).astype(float)
    ar = rng.integers(-3, 4, (4, 6)).astype(float)
    est[[2, 9], 1] = np.nan
    ar[1, 2] = np.nan
    ar[:, 4] = np.nan  # a firm without a window day
    s, var = squared_ranks(ar, est)
    for j in range(6):
        pool = np.concatenate([est[:, j], ar[:, j]]) ** 2
        ok = np.isfinite(pool)
        ranks = np.full(len(pool), np.nan)
        ranks[ok] = stats.rankdata(pool[ok])  # average ranks for ties
        window = ranks[-4:]
        expect = np.nansum(window / (ok.sum() + 1) - 0.5)
        assert s[j] == pytest.approx(expect, abs=1e-12)
    assert s[4] == 0 and var[4] == 0


def test_docstring_example():
    import doctest

    from eventstudy.core import volatility

    result = doctest.testmod(volatility, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_greater_is_the_upper_tail_and_holds_its_size():
    # the default 240-day estimation window: with 120 days the upper-tail chi2 rejects 6-7 % (each term is
    # F(1, n - 2), heavier-tailed than chi-square(1); documented in the module)
    rng = np.random.default_rng(11)
    panel = h0_panel(rng, n=20, days=3, n_est=240)
    two, rise = volatility_tests(*panel), volatility_tests(*panel, alternative="greater")
    np.testing.assert_allclose(rise.chi2_p, stats.chi2.sf(two.chi2, two.chi2_df), rtol=1e-12)
    np.testing.assert_allclose(rise.rank_p, stats.norm.sf(two.rank_z), rtol=1e-12)
    lo, hi = size_band()
    for name, p in (("chi2", rise.chi2_p), ("rank", rise.rank_p)):
        assert lo <= float(np.mean(p < LEVEL)) <= hi, name
    # a window calmer than usual: significant two-sided, not as a rise
    calm_panel = h0_panel(rng, n=20, days=3, scale=0.3)
    calm, calm_rise = volatility_tests(*calm_panel), volatility_tests(*calm_panel, alternative="greater")
    assert float(np.mean(calm.chi2_p < LEVEL)) > 0.99 and float(np.mean(calm_rise.chi2_p < LEVEL)) == 0.0
    with pytest.raises(ValueError, match="two-sided, greater"):
        volatility_tests(*panel, alternative="less")


def test_cli_alternatives_are_the_cores():
    from eventstudy.cli.options import Alternative
    from eventstudy.core.volatility import ALTERNATIVES

    assert tuple(a.value for a in Alternative) == ALTERNATIVES
