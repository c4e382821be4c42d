"""The numba kernel and its numpy/scipy twin must agree."""

from __future__ import annotations

import numpy as np
import pytest

from scipy import stats

from eventstudy.core import _kernels
from eventstudy.core._numba import HAS_NUMBA


@pytest.mark.parametrize("seed", range(3))
def test_rank_kernel_equals_scipy_twin(seed):
    rng = np.random.default_rng(seed)
    a = np.round(rng.normal(size=(60, 25)), 1)  # rounding creates ties
    a[rng.random(a.shape) < 0.1] = np.nan
    a[:, 3] = np.nan  # an event with no data at all
    # standardised ranks within each event: K / (1 + number of finite values)
    expected = (stats.rankdata(a, axis=0, nan_policy="omit") / (1 + np.isfinite(a).sum(axis=0))).T
    at = np.ascontiguousarray(a.T)
    np.testing.assert_allclose(_kernels.rank_rows_python(at), expected, rtol=1e-15)
    le = 20  # the engine's kernel: the same full-row ranks (and the first le columns ranked alone)
    np.testing.assert_allclose(_kernels.rank_span(at[:, :le].T, at[:, le:].T)[0], expected, rtol=1e-15)
    # the loop written for numba, run as plain Python, is the same algorithm
    est, ev = at[:, :le].T.copy(), at[:, le:].T.copy()
    keys = _kernels.rank_sort_keys(est, ev, compiled=False)
    np.testing.assert_allclose(_kernels.rank_rows_split_loop(est, ev, *keys)[0], expected, rtol=1e-15)


@pytest.mark.parametrize("seed", range(3))
def test_reduction_kernels_equal_numpy_twins(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(50, 30))
    x[rng.random(x.shape) < 0.15] = np.nan
    x[:48, 4] = np.nan  # too few days for a correlation
    x[:, 7] = np.nan  # no data at all
    keep = rng.random(30) < 0.8
    expected = _kernels.demean_columns_python(x)
    for fn in ("demean_columns", "demean_columns_loop"):
        got = getattr(_kernels, fn)(x)
        np.testing.assert_allclose(got[0], expected[0], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(got[1], expected[1], rtol=1e-12)
    expected = _kernels.row_sum_count_python(x, keep)
    for fn in ("row_sum_count", "row_sum_count_loop"):
        got = getattr(_kernels, fn)(x, keep)
        np.testing.assert_allclose(got[0], expected[0], rtol=1e-12)
        np.testing.assert_array_equal(got[1], expected[1])
    expected = _kernels.col_sum_count_python(np.ascontiguousarray(x.T), keep)
    for fn in ("col_sum_count", "col_sum_count_loop"):
        got = getattr(_kernels, fn)(np.ascontiguousarray(x.T), keep)
        np.testing.assert_allclose(got[0], expected[0], rtol=1e-12)
        np.testing.assert_array_equal(got[1], expected[1])
    expected = _kernels.residual_partials_python(x, keep)
    for fn in ("residual_partials", "residual_partials_loop"):
        got = getattr(_kernels, fn)(x, keep)
        np.testing.assert_allclose(got[0], expected[0], rtol=1e-12, atol=1e-14)
        assert got[1] == expected[1] and got[3] == expected[3]
        assert got[2] == pytest.approx(expected[2], rel=1e-12)


@pytest.mark.skipif(not HAS_NUMBA, reason="numba not installed")
def test_numba_kernel_is_compiled():
    for name in ("rank_keys", "rank_rows_split", "demean_columns", "row_sum_count", "col_sum_count", "residual_partials",
                 "grank_partials", "gather", "ols1", "membership", "signed_rank_sums", "skew_t_rows", "window_measures"):
        assert getattr(_kernels, f"{name}_nb") is not getattr(_kernels, f"{name}_loop")


def test_membership_kernels_equal_brute_force():
    rng = np.random.default_rng(5)
    n_rows, n_cols = 40, 6
    day0 = rng.integers(-3, n_rows + 3, 50)
    day0[:3] = -1  # no day 0
    col = rng.integers(0, n_cols, 50)
    col[3] = -1  # no series
    for a, b in ((0, 0), (-2, 3), (1, 10), (-50, 50)):
        expected = np.zeros((n_rows, n_cols), dtype=bool)
        for d, c in zip(day0, col):  # by hand: every row of every usable event's window, clipped
            if d >= 0 and c >= 0:
                for t in range(d + a, d + b + 1):
                    if 0 <= t < n_rows:
                        expected[t, c] = True
        for fn in (_kernels.membership_python, _kernels.membership_loop, _kernels.membership_nb):
            np.testing.assert_array_equal(fn(n_rows, n_cols, day0, col, a, b), expected)


def test_signed_rank_kernels_equal_scipy():
    # W+ and the tie term, by the radix-sort kernel (compiled and as Python) and the argsort twin,
    # against ranks by scipy on data with zeros, ties (also of opposite signs),
    # -0.0, inf/NaN (dropped) and wide magnitudes (every radix pass used)
    rng = np.random.default_rng(9)
    cases = [rng.normal(size=2000) * 0.05 + 0.001,
             np.round(rng.normal(size=500), 1),
             np.r_[0.0, -0.0, 1.0, -1.0, 2.0, -2.0, 2.0, np.nan, np.inf, -np.inf, 3.0],
             rng.normal(size=300) * 10.0 ** rng.integers(-300, 300, 300),
             np.array([np.nan, 0.0])]
    for x in cases:
        clean = x[np.isfinite(x) & (x != 0)]
        for fn in (_kernels.signed_rank_sums_python, _kernels.signed_rank_sums_loop, _kernels.signed_rank_sums):
            n, w_plus, ties = fn(x)
            assert n == len(clean)
            if n == 0:
                assert w_plus == 0 and ties == 0
                continue
            ranks = stats.rankdata(np.abs(clean))
            assert w_plus == ranks[clean > 0].sum()  # exact: half-integers
            _, counts = np.unique(np.abs(clean), return_counts=True)
            assert ties == float((counts.astype(float) ** 3 - counts).sum())


def test_bootstrap_skew_t_kernels_equal_numpy_twin_and_scipy_moments():
    rng = np.random.default_rng(4)
    x = rng.lognormal(size=500) - 1.5
    x[:3] = 7.0  # a zero-variance resample below
    idx = rng.integers(0, len(x), size=(200, 40))
    idx[0] = 0
    expected = _kernels.skew_t_rows_python(x, idx, 0.1)
    assert np.isnan(expected[0]) and np.isfinite(expected[1:]).all()
    for fn in (_kernels.skew_t_rows_loop, _kernels.skew_t_rows):
        np.testing.assert_allclose(fn(x, idx, 0.1), expected, rtol=1e-12, equal_nan=True)
    # one resample by hand from scipy's moments: t_sa = sqrt(n) (S + g S^2 / 3 + g / (6 n))
    d = x[idx[5]]
    n = len(d)
    s_ratio = (d.mean() - 0.1) / d.std(ddof=1)
    g = stats.skew(d, bias=True) * (np.sqrt((n - 1) / n)) ** 3  # sum dev^3 / (n s^3), s with n - 1
    assert expected[5] == pytest.approx(np.sqrt(n) * (s_ratio + g * s_ratio**2 / 3 + g / (6 * n)), rel=1e-12)


@pytest.mark.parametrize("model, conventions, kind", [
    ("market", "default", "simple"), ("market", "estudy2", "log"), ("ff3", "default", "simple"),
    ("constant", "default", "log"), ("market-adj", "default", "simple"),
])
def test_window_measures_kernel_equals_per_window_numpy(model, conventions, kind):
    from eventstudy.core.abnormal import all_window_measures, compute_abnormal, window_measures
    from eventstudy.core.models import get_model

    rng = np.random.default_rng(8)
    n_t, n_f, n_e = 400, 7, 40
    factors = rng.normal(0, 0.01, size=(n_t, 3))
    returns = 0.001 + factors @ rng.normal(1, 0.3, size=(3, n_f)) + rng.normal(0, 0.02, size=(n_t, n_f))
    returns[rng.random(returns.shape) < 0.05] = np.nan  # missing days, in windows too
    spec = get_model(model)
    day0 = rng.integers(260, n_t - 12, n_e)
    col = rng.integers(0, n_f, n_e)
    fit = compute_abnormal(spec, returns, day0, col, estimation=(-250, -11), event=(-10, 10),
                           bench=factors[:, :1], bcol=np.zeros(n_e, dtype=np.intp),
                           factors=factors[:, : len(spec.factors)] if spec.factors else None,
                           rf=np.zeros(n_t), conventions=conventions)
    windows = [(0, 0), (-1, 1), (-10, 10), (3, 7)]
    for got, (a, b) in zip(all_window_measures(fit, windows, kind), windows):
        want = window_measures(fit, a, b, returns_kind=kind)
        np.testing.assert_array_equal(got.n_days, want.n_days)
        for name in ("car", "car_var", "bhar"):
            np.testing.assert_allclose(getattr(got, name), getattr(want, name), rtol=1e-12, atol=1e-16, equal_nan=True)
