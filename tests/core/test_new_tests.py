"""Tests added for issue 10: stable ranks, GRANK, KP-adjusted Patell, LBT bootstrap, test names, return kinds.

References are independent of the engine: per-event ``numpy.linalg.lstsq`` fits, ``scipy.stats.rankdata``
on explicitly built rank sets, ``numpy.corrcoef``, and closed forms from prices.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from eventstudy.core import _kernels
from eventstudy.core.engine import run_event_study
from eventstudy.core.models import get_model
from eventstudy.core.statistics import (
    BHAR_TESTS,
    CAR_TESTS,
    bootstrap_skewness_adjusted_t,
    run_tests,
    skewness_adjusted_t,
)
from eventstudy.exceptions import ConfigError

EST = (-120, -11)


def _panel(seed: int = 3, n_events: int = 12, gaps: bool = True):
    rng = np.random.default_rng(seed)
    t = 400
    market = rng.normal(0.0004, 0.01, t)
    betas = rng.uniform(0.5, 1.5, n_events)
    returns = 0.0002 + market[:, None] * betas + rng.normal(0, 0.02, (t, n_events)) * rng.uniform(0.5, 1.5, n_events)
    day0 = rng.integers(200, 380, n_events)
    returns[day0, np.arange(n_events)] += rng.normal(0.01, 0.02, n_events)
    if gaps:
        returns[day0[1] + 1, 1] = np.nan
        returns[day0[2] - 30, 2] = np.nan
        returns[: day0[3] - 80, 3] = np.nan  # listed inside its estimation window
    return returns, market[:, None], day0


def _run(returns, market, day0, windows, **kw):
    n = len(day0)
    return run_event_study(
        get_model("market"), returns, day0, np.arange(n), windows=windows, estimation=EST,
        min_estimation_obs=30, bench=market, bcol=np.zeros(n, dtype=int), **kw,
    )


def _stats(core, w, measure="CAR"):
    return {t.name: t for t in run_tests(core.panel(w), measure)}


# ------------------------------------------------------------------ stable ranks


def test_rank_statistics_do_not_move_when_a_window_is_added():
    """The issue's case: Corrado for [0,2] alone vs with [-5,5] in the same run."""
    returns, market, day0 = _panel()
    alone = _stats(_run(returns, market, day0, [(0, 2)]), 0)
    both = _stats(_run(returns, market, day0, [(0, 2), (-5, 5)]), 0)
    for name in ("corrado", "grank"):
        assert alone[name].valid
        assert alone[name].stat == both[name].stat, name
    # a declared event period is what the ranks span: changing it (not the windows) moves them
    other = _stats(_run(returns, market, day0, [(0, 2)], event_period=(-3, 3)), 0)
    assert other["corrado"].stat != alone["corrado"].stat


def test_event_period_must_cover_the_windows():
    returns, market, day0 = _panel()
    with pytest.raises(ValueError, match="cover every window"):
        _run(returns, market, day0, [(0, 12)], event_period=(-10, 10))
    core = _run(returns, market, day0, [(0, 12)])  # default widens to cover
    assert core.event_period == (-10, 12)


# ------------------------------------------------------------------ GRANK


def _hand_grank(returns, market, day0, window):
    """Kolari & Pynnönen (2011) GRANK written out per event with lstsq and scipy.rankdata."""
    a, b = window
    gsar, scar = [], []
    for e in range(len(day0)):
        y, m = returns[:, e], market[:, 0]
        rows = [r for r in range(day0[e] + EST[0], day0[e] + EST[1] + 1) if np.isfinite(y[r]) and np.isfinite(m[r])]
        x = np.column_stack([np.ones(len(rows)), m[rows]])
        coef = np.linalg.lstsq(x, y[rows], rcond=None)[0]
        resid = y[rows] - x @ coef
        s = np.sqrt(resid @ resid / (len(rows) - 2))
        days = [r for r in range(day0[e] + a, day0[e] + b + 1) if np.isfinite(y[r])]
        x0 = np.column_stack([np.ones(len(days)), m[days]])
        var = s**2 * (np.eye(len(days)) + x0 @ np.linalg.inv(x.T @ x) @ x0.T).sum()
        scar.append(sum(y[r] - coef[0] - coef[1] * m[r] for r in days) / np.sqrt(var))
        sar = np.full(EST[1] - EST[0] + 1, np.nan)
        sar[np.array(rows) - day0[e] - EST[0]] = resid / s
        gsar.append(sar)
    scar = np.array(scar)
    scar_star = scar / scar.std(ddof=1)
    n = len(day0)
    u = np.full((n, EST[1] - EST[0] + 2), np.nan)  # estimation days, then the event point
    for e in range(n):
        points = np.append(gsar[e], scar_star[e])
        fin = np.isfinite(points)
        u[e, fin] = stats.rankdata(points[fin]) / (fin.sum() + 1) - 0.5
    n_t = np.isfinite(u).sum(axis=0)
    have = n_t > 0
    ubar = np.nanmean(u[:, have], axis=0)
    t_pts = have.sum()
    s_u = np.sqrt(np.sum(n_t[have] / n * ubar**2) / t_pts)
    z = ubar[-1] / s_u
    return z * np.sqrt((t_pts - 2) / (t_pts - 1 - z**2)), t_pts - 2


@pytest.mark.parametrize("window", [(0, 0), (-1, 2)])
@pytest.mark.parametrize("gaps", [False, True])
def test_grank_matches_hand_computation(window, gaps):
    returns, market, day0 = _panel(gaps=gaps)
    core = _run(returns, market, day0, [window], chunk_size=5)  # several blocks
    assert core.ok.all()
    got = _stats(core, 0)["grank"]
    stat, df = _hand_grank(returns, market, day0, window)
    assert got.stat == pytest.approx(stat, rel=1e-10)
    assert got.distribution == f"t({df})"
    assert got.pvalue == pytest.approx(2 * stats.t.sf(abs(stat), df), rel=1e-9)


def test_grank_of_a_group_uses_only_its_events():
    returns, market, day0 = _panel(gaps=False)
    keep = np.arange(len(day0)) % 3 != 0
    core = _run(returns, market, day0, [(0, 1)])
    got = run_tests(core.panel(0, keep), "CAR", ["grank"])[0]
    stat, _ = _hand_grank(returns[:, keep], market, day0[keep], (0, 1))
    assert got.stat == pytest.approx(stat, rel=1e-10) and got.n == keep.sum()


@pytest.mark.parametrize("seed", range(3))
def test_grank_kernel_equals_numpy_twin(seed):
    rng = np.random.default_rng(seed)
    est = np.round(rng.normal(size=(40, 15)), 1)  # ties
    est[rng.random(est.shape) < 0.1] = np.nan
    est[:, 4] = np.nan
    k = stats.rankdata(est, axis=0, nan_policy="omit").T.astype(np.float32)  # (B, Le) ranks within each event
    y = np.round(rng.normal(size=15), 1)
    y[2] = np.nan
    keep = rng.random(15) < 0.8
    n_obs = np.isfinite(est).sum(axis=0)
    expected = _kernels.grank_partials_python(est, k, y[None], keep[None], n_obs)
    y2 = np.stack([y, np.round(rng.normal(size=15), 1), y])  # three windows at once
    keep2 = np.stack([keep, rng.random(15) < 0.5, np.zeros(15, dtype=bool)])
    def loop_as_python(est, k, y, keep, n_obs):  # the loop kernel run as plain Python
        return _kernels.grank_partials_loop(est, k, y, _kernels.grank_scales(y, keep, n_obs.astype(float)))

    for fn in (_kernels.grank_partials, loop_as_python):
        got = fn(est, k, y[None], keep[None], n_obs)
        np.testing.assert_allclose(got[0], expected[0], rtol=1e-12, atol=1e-14)
        np.testing.assert_array_equal(got[1], expected[1])
        # each window of a multi-window call equals its own one-window call
        got = fn(est, k, y2, keep2, n_obs)
        for w in range(3):
            one = _kernels.grank_partials_python(est, k, y2[w:w + 1], keep2[w:w + 1], n_obs)
            np.testing.assert_allclose(got[0][w], one[0][0], rtol=1e-12, atol=1e-14)
            np.testing.assert_array_equal(got[1][w], one[1][0])
        assert not got[1][2].any()


def _span(a: np.ndarray, le: int) -> tuple[np.ndarray, np.ndarray]:
    """The loop kernel's inputs: estimation days and event period of an event-major span, (L, E) each."""
    return np.ascontiguousarray(a[:, :le].T), np.ascontiguousarray(a[:, le:].T)


def _assert_ranks_are_scipys(a: np.ndarray, le: int) -> None:
    """Both rank sets of the span ``a`` (E, L), by the kernel (compiled and as plain Python) and the
    scipy twin: the whole span's standardised ranks and the first ``le`` days' own ranks, exactly."""
    clean = np.where(np.isfinite(a), a, np.nan)  # inf is missing, as in the kernels
    full = stats.rankdata(clean, axis=1, nan_policy="omit") / (1 + np.isfinite(a).sum(axis=1, keepdims=True))
    est = stats.rankdata(clean[:, :le], axis=1, nan_policy="omit")
    for u, k in (_kernels.rank_span(*_span(a, le)), _kernels.rank_rows_split_python(clean, le),
                 _kernels.rank_rows_split_loop(*_span(a, le), *_kernels.rank_sort_keys(*_span(a, le), compiled=False))):
        np.testing.assert_allclose(u, full, rtol=1e-15)
        np.testing.assert_array_equal(k, est.astype(np.float32))


@pytest.mark.parametrize("seed", range(3))
def test_split_rank_kernel_gives_full_span_and_estimation_only_ranks(seed):
    rng = np.random.default_rng(seed)
    a = np.round(rng.normal(size=(20, 50)), 1)  # ties, some between estimation and event days
    a[rng.random(a.shape) < 0.1] = np.nan
    a[4] = np.nan
    _assert_ranks_are_scipys(a, 38)


def test_split_ranks_of_rows_with_and_without_ties():
    # rows without any tie take the kernel's fast path, rows with one (inside the estimation days,
    # inside the event period, or across the two) its exact path: both must give scipy's ranks
    rng = np.random.default_rng(11)
    le, lv = 240, 21
    a = rng.normal(size=(12, le + lv))
    a[1, rng.random(le + lv) < 0.2] = np.nan  # missing days, no tie
    a[2, :le] = np.nan  # no estimation data
    a[3, le:] = np.nan  # no event-period data
    a[4] = np.nan
    a[5, 10] = a[5, 20]  # tie among estimation days
    a[6, le + 3] = a[6, le + 9]  # tie among event-period days
    a[7, le + 2] = a[7, 100]  # tie across the two
    a[8, le + 5] = np.nextafter(a[8, 7], np.inf)  # distinct, but the same truncated key
    a[9, le:] = np.sort(a[9, :le])[-lv:] + 1.0  # event period above every estimation day
    a[10, le:] = np.sort(a[10, :le])[:lv] - 1.0  # and below
    _assert_ranks_are_scipys(a, le)


def test_split_ranks_are_exact_for_near_ties_signed_zeros_and_non_finite_values():
    # the sort keys drop the low bits of each value: values closer than that, exact ties among
    # them, -0.0 against +0.0 and inf/NaN (missing) must still get scipy's exact ranks
    rng = np.random.default_rng(7)
    a = np.round(rng.normal(size=(6, 300)), 2)
    a[0] = 1.0 + rng.integers(-3, 4, 300) * 1e-13
    a[1, ::3] = 0.0
    a[1, 1::3] = -0.0
    a[2, rng.random(300) < 0.2] = np.inf
    a[3, rng.random(300) < 0.2] = -np.inf
    a[4, rng.random(300) < 0.3] = np.nan
    _assert_ranks_are_scipys(a, 280)


# ------------------------------------------------------------------ KP-adjusted Patell


def test_kp_patell_divides_by_the_correlation_inflation():
    returns, market, day0 = _panel(gaps=False)
    core = _run(returns, market, day0, [(0, 1)])
    resid = core.est_ar.T  # (E, Le) complete here
    corr = np.corrcoef(resid)
    r_bar = corr[~np.eye(len(day0), dtype=bool)].mean()
    got = _stats(core, 0)
    z = got["patell"].stat / np.sqrt(1 + (len(day0) - 1) * r_bar)
    assert got["kp-patell"].stat == pytest.approx(z, rel=1e-10)
    assert got["kp-patell"].pvalue == pytest.approx(2 * stats.norm.sf(abs(z)), rel=1e-9)


# ------------------------------------------------------------------ LBT bootstrap


def test_bootstrap_skew_t_is_seeded_and_agrees_with_the_analytic_t_on_normal_data():
    rng = np.random.default_rng(0)
    x = rng.normal(0.002, 0.05, 400)
    a = bootstrap_skewness_adjusted_t(x, seed=5)
    b = bootstrap_skewness_adjusted_t(x, seed=np.random.default_rng(5))
    assert a.stat == skewness_adjusted_t(x).stat and a.pvalue == b.pvalue
    big = bootstrap_skewness_adjusted_t(x, seed=1, n_boot=20000)
    assert big.pvalue == pytest.approx(skewness_adjusted_t(x).pvalue, abs=0.03)


def test_bootstrap_skew_t_rejects_a_shifted_mean():
    rng = np.random.default_rng(1)
    x = rng.lognormal(0, 1, 200) - np.exp(0.5) + 0.8  # skewed (sd 2.2), mean 0.8: t about 5
    assert bootstrap_skewness_adjusted_t(x, seed=2).pvalue < 0.01
    assert bootstrap_skewness_adjusted_t(x - x.mean(), seed=2).pvalue > 0.5  # exactly centred: no evidence


# ------------------------------------------------------------------ names


def test_unknown_test_names_raise_listing_the_valid_ones():
    returns, market, day0 = _panel()
    panel = _run(returns, market, day0, [(0, 0)]).panel(0)
    with pytest.raises(ConfigError, match="unknown test 'patel'.*patell.*grank"):
        run_tests(panel, "CAR", ["patel"])
    got = run_tests(panel, "CAR", ["Adjusted_Patell", "GRANK", "cowan", "skew-t"])  # skew-t is BHAR-only
    assert [t.name for t in got] == ["kp-patell", "grank", "corrado"]
    assert [t.name for t in run_tests(panel, "BHAR", ["lbt"])] == ["skew-t-boot"]
    assert {"kp-patell", "grank"} <= set(CAR_TESTS) and "skew-t-boot" in BHAR_TESTS


# ------------------------------------------------------------------ return kinds


def test_bhar_compounds_simple_returns_whatever_the_input_kind():
    """Market-adjusted BHAR has a closed form from prices: P_b / P_{a-1} - M_b / M_{a-1}."""
    rng = np.random.default_rng(9)
    t, n = 300, 4
    prices = 50 * np.exp(np.cumsum(rng.normal(0.0005, 0.03, (t, n)), axis=0))
    index = 1000 * np.exp(np.cumsum(rng.normal(0.0003, 0.01, t)))
    day0 = np.array([200, 220, 250, 280])
    window = (-2, 3)
    expected_bhar = [prices[d + 3, e] / prices[d - 3, e] - index[d + 3] / index[d - 3] for e, d in enumerate(day0)]
    expected_car_log = [np.log(prices[d + 3, e] / prices[d - 3, e]) - np.log(index[d + 3] / index[d - 3])
                        for e, d in enumerate(day0)]
    got = {}
    for kind, fn in (("simple", lambda p: p[1:] / p[:-1] - 1), ("log", lambda p: np.log(p[1:] / p[:-1]))):
        r = np.vstack([np.full((1, n), np.nan), fn(prices)])
        m = np.concatenate([[np.nan], fn(index)])[:, None]
        got[kind] = run_event_study(
            get_model("market-adj"), r, day0, np.arange(n), windows=[window], estimation=EST,
            min_estimation_obs=30, bench=m, bcol=np.zeros(n, dtype=int), returns_kind=kind,
        ).measures[0]
    np.testing.assert_allclose(got["simple"].bhar, expected_bhar, rtol=1e-12)
    np.testing.assert_allclose(got["log"].bhar, expected_bhar, rtol=1e-12)
    np.testing.assert_allclose(got["log"].car, expected_car_log, rtol=1e-12)  # CAR sums the logs


def test_unknown_returns_kind_is_rejected():
    returns, market, day0 = _panel()
    with pytest.raises(ValueError, match="returns kind"):
        _run(returns, market, day0, [(0, 0)], returns_kind="total")
