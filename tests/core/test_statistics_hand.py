"""Every across-event statistic recomputed by hand, in plain loops, on a tiny panel.

The hand versions below share no code with the engine: per-event ``numpy.linalg.lstsq``
fits, explicit forecast-error matrices, and the textbook formulas written out.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from eventstudy.core.engine import run_event_study
from eventstudy.core.models import get_model
from eventstudy.core.statistics import (
    CAR_TESTS,
    InvalidTestStatistic,
    run_tests,
    skewness_adjusted_t,
    wilcoxon_signed_rank,
)

EST = (-60, -6)
WINDOWS = [(0, 0), (-1, 2)]
N_EVENTS = 5
EVENT_PERIOD = (-1, 2)  # the union of WINDOWS: ranks below run over EST + this period
STAT_TOL = 1e-10  # statistics are closed-form: only float rounding separates the two paths


def _panel(gaps: bool, seed: int = 7):
    rng = np.random.default_rng(seed)
    t = 160
    market = rng.normal(0.0004, 0.01, t)
    betas = rng.uniform(0.5, 1.5, N_EVENTS)
    returns = 0.0002 + market[:, None] * betas + rng.normal(0, 0.02, (t, N_EVENTS))
    day0 = np.array([80, 95, 100, 110, 130])
    returns[day0, np.arange(N_EVENTS)] += np.array([0.05, -0.01, 0.03, 0.02, 0.04])
    if gaps:
        returns[day0[1] + 1, 1] = np.nan  # missing day inside an event window
        returns[day0[2] - 30, 2] = np.nan  # missing day inside an estimation window
        returns[: day0[3] - 50, 3] = np.nan  # "IPO" in the middle of event 3's estimation window
        market[day0[4] - 40] = np.nan  # benchmark missing one day
    return returns, market[:, None], day0


def _hand(returns, market, day0):
    """Per-event lstsq fits and every statistic written out with loops."""
    lo, hi = min(a for a, _ in WINDOWS), max(b for _, b in WINDOWS)
    res = {"car": [], "var": [], "dof": [], "est_resid": [], "ev_ar": [], "ma_est": [], "ma_ev": []}
    for e in range(N_EVENTS):
        y, m = returns[:, e], market[:, 0]
        rows = [r for r in range(day0[e] + EST[0], day0[e] + EST[1] + 1) if np.isfinite(y[r]) and np.isfinite(m[r])]
        x = np.column_stack([np.ones(len(rows)), m[rows]])
        b = np.linalg.lstsq(x, y[rows], rcond=None)[0]
        resid = y[rows] - x @ b
        s2 = resid @ resid / (len(rows) - 2)
        est_resid = np.full(EST[1] - EST[0] + 1, np.nan)
        est_resid[np.array(rows) - day0[e] - EST[0]] = resid
        ev_rows = np.arange(day0[e] + lo, day0[e] + hi + 1)
        ar = y[ev_rows] - (b[0] + b[1] * m[ev_rows])
        yr = [y[r] for r in range(day0[e] + EST[0], day0[e] + EST[1] + 1)]
        mean_y = np.nanmean(yr)
        res["ma_est"].append(np.array(yr) - mean_y)
        res["ma_ev"].append(y[ev_rows] - mean_y)
        cars, vars_ = [], []
        for a, bb in WINDOWS:
            days = [r for r in range(day0[e] + a, day0[e] + bb + 1) if np.isfinite(y[r])]
            x0 = np.column_stack([np.ones(len(days)), m[days]])
            v = s2 * (np.eye(len(days)) + x0 @ np.linalg.inv(x.T @ x) @ x0.T)
            cars.append(sum(y[r] - b[0] - b[1] * m[r] for r in days))
            vars_.append(v.sum())
        res["car"].append(cars)
        res["var"].append(vars_)
        res["dof"].append(len(rows) - 2)
        res["est_resid"].append(est_resid)
        res["ev_ar"].append(ar)
    return {k: np.array(v) for k, v in res.items()}


def _hand_stats(h, w):
    a, b = WINDOWS[w]
    lo = min(x for x, _ in WINDOWS)
    car = h["car"][:, w]
    se = np.sqrt(h["var"][:, w])
    n = len(car)
    out = {}
    out["t-cs"] = car.mean() / (car.std(ddof=1) / np.sqrt(n))
    scar = car / se
    d = h["dof"].astype(float)
    out["patell"] = scar.sum() / np.sqrt(sum(di / (di - 2) for di in d))
    out["bmp"] = scar.mean() / (scar.std(ddof=1) / np.sqrt(n))
    # crude dependence adjustment: AAR per event-time day, averaged over events with data
    for name, est, ev in (("bw1985", h["est_resid"], h["ev_ar"]), ("bw1980", h["ma_est"], h["ma_ev"])):
        aar_est = [np.mean([v for v in est[:, t] if np.isfinite(v)]) for t in range(est.shape[1])]
        wdays = range(a - lo, b - lo + 1)
        aar_w = [np.mean([v for v in ev[:, t] if np.isfinite(v)]) for t in wdays]
        out[name] = sum(aar_w) / (np.std(aar_est, ddof=1) * np.sqrt(len(aar_w)))
    # Corrado-Zivney ranks over estimation + event span
    combined = np.concatenate([h["est_resid"], h["ev_ar"]], axis=1)  # (E, Lc)
    u = np.full(combined.shape, np.nan)
    for e in range(n):
        fin = np.isfinite(combined[e])
        u[e, fin] = stats.rankdata(combined[e, fin]) / (1 + fin.sum())
    dev = [np.mean([v - 0.5 for v in u[:, t] if np.isfinite(v)]) for t in range(u.shape[1])]
    s = np.sqrt(np.mean(np.square(dev)))
    n_est = h["est_resid"].shape[1]
    window_cols = [n_est + t for t in range(a - lo, b - lo + 1)]
    out["corrado"] = sum(dev[c] for c in window_cols) / (np.sqrt(len(window_cols)) * s)
    # Cowan generalized sign
    p_hat = np.mean([np.mean(r[np.isfinite(r)] > 0) for r in h["est_resid"]])
    wins = sum(c > 0 for c in car)
    out["gsign"] = (wins - n * p_hat) / np.sqrt(n * p_hat * (1 - p_hat))
    return out


@pytest.mark.parametrize("gaps", [False, True])
@pytest.mark.parametrize("w", [0, 1])
def test_statistics_match_hand_loops(gaps, w):
    returns, market, day0 = _panel(gaps)
    core = run_event_study(
        get_model("market"), returns, day0, np.arange(N_EVENTS), windows=WINDOWS, estimation=EST,
        min_estimation_obs=20, bench=market, bcol=np.zeros(N_EVENTS, dtype=int), event_period=EVENT_PERIOD,
    )
    assert core.ok.all()
    h = _hand(returns, market, day0)
    np.testing.assert_allclose(core.measures[w].car, h["car"][:, w], atol=1e-14)
    np.testing.assert_allclose(core.measures[w].car_var, h["var"][:, w], rtol=1e-12)
    expected = _hand_stats(h, w)
    got = {t.name: t for t in run_tests(core.panel(w), "CAR")}
    for name, value in expected.items():
        assert got[name].stat == pytest.approx(value, rel=STAT_TOL, abs=STAT_TOL), name
    assert set(got) == set(CAR_TESTS)
    # p-values follow the documented reference distributions
    assert got["patell"].pvalue == pytest.approx(2 * stats.norm.sf(abs(expected["patell"])), rel=1e-9)
    assert got["bmp"].pvalue == pytest.approx(2 * stats.t.sf(abs(expected["bmp"]), N_EVENTS - 1), rel=1e-9)


def test_kolari_pynnonen_uses_mean_pairwise_correlation():
    returns, market, day0 = _panel(gaps=False)
    core = run_event_study(
        get_model("market"), returns, day0, np.arange(N_EVENTS), windows=WINDOWS, estimation=EST,
        min_estimation_obs=20, bench=market, bcol=np.zeros(N_EVENTS, dtype=int),
    )
    h = _hand(returns, market, day0)
    corr = np.corrcoef(h["est_resid"])
    r_bar = corr[~np.eye(N_EVENTS, dtype=bool)].mean()
    assert core.group_summary().r_bar == pytest.approx(r_bar, abs=1e-12)
    panel = core.panel(1)
    t_bmp = _hand_stats(h, 1)["bmp"]
    t_kp = t_bmp * np.sqrt((1 - r_bar) / (1 + (N_EVENTS - 1) * r_bar))
    assert CAR_TESTS["kp"](panel).stat == pytest.approx(t_kp, rel=1e-10)


def test_corrado_ranks_equal_scipy_rankdata():
    returns, market, day0 = _panel(gaps=True)
    core = run_event_study(
        get_model("market"), returns, day0, np.arange(N_EVENTS), windows=WINDOWS, estimation=EST,
        min_estimation_obs=20, bench=market, bcol=np.zeros(N_EVENTS, dtype=int),
    )
    combined = np.concatenate([core.est_ar, core.fit.ar], axis=0)
    ranks = stats.rankdata(combined, axis=0, nan_policy="omit")
    n = np.isfinite(combined).sum(axis=0)
    np.testing.assert_allclose(core.u, ranks / (1 + n), equal_nan=True)
    keep = np.array([True, False, True, True, False])
    dev = np.nanmean(ranks[:, keep] / (1 + n[keep]) - 0.5, axis=1)
    np.testing.assert_allclose(core.group_summary(keep).rank_dev, dev, rtol=1e-12)


@pytest.mark.parametrize("seed", range(5))
def test_wilcoxon_equals_scipy(seed):
    rng = np.random.default_rng(seed)
    x = np.round(rng.normal(0.01, 0.03, 40), 3)  # rounding creates ties and zeros
    ours = wilcoxon_signed_rank(x)
    ref = stats.wilcoxon(x, zero_method="wilcox", correction=False, method="approx")
    assert ours.pvalue == pytest.approx(ref.pvalue, rel=1e-10)
    assert ours.n == (x != 0).sum()


def test_skewness_adjusted_t_by_hand():
    x = np.array([0.10, -0.02, 0.35, 0.01, 0.04, -0.05, 0.20])
    n = len(x)
    s = x.mean() / x.std(ddof=1)
    g = sum((v - x.mean()) ** 3 for v in x) / (n * x.std(ddof=1) ** 3)
    expected = np.sqrt(n) * (s + g * s**2 / 3 + g / (6 * n))
    t = skewness_adjusted_t(x)
    assert t.stat == pytest.approx(expected, rel=1e-12)
    assert t.pvalue == pytest.approx(2 * stats.t.sf(abs(expected), n - 1), rel=1e-10)


def test_one_event_gives_invalid_statistics_not_errors():
    returns, market, day0 = _panel(gaps=False)
    core = run_event_study(
        get_model("market"), returns[:, :1], day0[:1], np.zeros(1, dtype=int), windows=WINDOWS,
        estimation=EST, min_estimation_obs=20, bench=market, bcol=np.zeros(1, dtype=int),
    )
    got = {t.name: t for t in run_tests(core.panel(0), "CAR")}
    for name in ("t-cs", "bmp", "kp", "wilcoxon"):
        assert isinstance(got[name], InvalidTestStatistic), name
        assert np.isnan(got[name].pvalue) and "at least" in got[name].reason
    # single-event tests that only need the estimation window still work
    assert got["patell"].valid and np.isfinite(got["patell"].pvalue)
    skew = run_tests(core.panel(0), "BHAR", ["skew-t"])[0]
    assert not skew.valid
