"""Batched masked OLS against statsmodels, one event at a time."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm

from eventstudy.core import _kernels, ols
from eventstudy.core._numba import HAS_NUMBA
from eventstudy.core.ols import fit_masked_ols


@pytest.mark.parametrize("p", [0, 1, 3, 5])
def test_batched_ols_equals_statsmodels(p):
    rng = np.random.default_rng(p)
    n_rows, n_ev = 120, 9
    x = rng.normal(0, 0.01, (n_rows, n_ev, p))
    y = 0.001 + (x * rng.uniform(0.5, 1.5, p)).sum(axis=2) + rng.normal(0, 0.02, (n_rows, n_ev))
    y[rng.random((n_rows, n_ev)) < 0.05] = np.nan
    if p:
        x[rng.random((n_rows, n_ev)) < 0.03, 0] = np.nan
    y[:115, 8] = np.nan  # too few observations for K = p + 1 coefficients when p >= 4
    fit = fit_masked_ols(y, x if p else None)
    for e in range(n_ev):
        use = np.isfinite(y[:, e]) & np.isfinite(x[:, e]).all(axis=1)
        assert fit.n[e] == use.sum()
        if use.sum() <= p + 1:
            assert np.isnan(fit.coef[e]).all() and np.isnan(fit.sigma2[e])
            continue
        design = np.column_stack([np.ones(use.sum()), x[use, e]])
        ref = sm.OLS(y[use, e], design).fit()
        np.testing.assert_allclose(fit.coef[e], ref.params, rtol=1e-10, atol=1e-13)
        assert fit.sigma2[e] == pytest.approx(ref.scale, rel=1e-10)
        np.testing.assert_allclose(fit.resid[use, e], ref.resid, atol=1e-13)
        assert np.isnan(fit.resid[~use, e]).all()
        # forecast variance of a sum of 3 new days from statsmodels' prediction covariance
        x0 = np.column_stack([np.ones(3), rng.normal(0, 0.01, (3, p))])
        pred = ref.get_prediction(x0)
        cov_mean = pred.var_pred_mean if hasattr(pred, "var_pred_mean") else np.diag(x0 @ ref.cov_params() @ x0.T)
        full = x0 @ ref.cov_params() @ x0.T  # covariance of the 3 fitted values
        np.testing.assert_allclose(np.diag(full), cov_mean, rtol=1e-10)
        expected = (3 * ref.scale + full.sum()) / ref.scale
        xsum = np.tile(x0[:, 1:].sum(axis=0), (n_ev, 1)) if p else None
        lev = fit.leverage_of_sum(np.full(n_ev, 3.0), xsum)[e]
        assert 3 + lev == pytest.approx(expected, rel=1e-10)


def test_compiled_market_model_kernel_equals_numpy_path():
    rng = np.random.default_rng(9)
    x = rng.normal(0, 0.01, (90, 40))
    y = 0.001 + 1.2 * x + rng.normal(0, 0.02, (90, 40))
    y[rng.random(y.shape) < 0.05] = np.nan
    x[rng.random(x.shape) < 0.05] = np.nan
    y[:, 3] = np.nan  # no data
    y[2:, 4] = np.nan  # too few rows
    expected = ols._fit_numpy(y, x[:, :, None])
    fits = [ols._fit_one_regressor(y, x)] if HAS_NUMBA else []
    # the loop version run as plain Python is the same algorithm as the compiled one
    n, ybar, xbar, sxx, sxy, ssr, resid = _kernels.ols1_loop(y, x)
    np.testing.assert_array_equal(n, expected.n)
    np.testing.assert_allclose(resid, expected.resid, atol=1e-15)
    for fit in fits:
        np.testing.assert_array_equal(fit.n, expected.n)
        np.testing.assert_allclose(fit.coef, expected.coef, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(fit.sigma2, expected.sigma2, rtol=1e-12)
        np.testing.assert_allclose(fit.resid, expected.resid, atol=1e-15)
        np.testing.assert_allclose(fit.sxx_inv, expected.sxx_inv, rtol=1e-12)
        np.testing.assert_allclose(fit.xbar, expected.xbar, rtol=1e-12)
    assert np.isnan(expected.coef[[3, 4]]).all()
