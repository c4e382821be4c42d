"""Batched masked OLS against statsmodels, one event at a time."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm

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
