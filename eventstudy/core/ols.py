"""Closed-form OLS for many event-firms at once, with per-event missing-day masks.

All estimation windows are fitted in one pass of array arithmetic: masked sums
over the rows (event time) of ``(L, E)`` arrays, then a batched ``(E, P, P)``
solve. There is no loop over events; the only loop is over the (at most five)
regressors when forming cross-products.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._typing import Float64Array1D, Float64Array2D, Float64Array3D
from ._kernels import ols1_nb
from ._numba import HAS_NUMBA


@dataclass(frozen=True)
class BatchOLS:
    """OLS fits of ``y = a + x b + e`` for E event-firms (intercept always included).

    Attributes
    ----------
    coef : (E, K) intercept first, then one slope per regressor; NaN when not identified.
    n : (E,) int, estimation observations used (rows where y and every regressor are finite).
    dof : (E,) int, residual degrees of freedom ``n - K``.
    sigma2 : (E,) residual variance ``SSR / (n - K)`` (the usual unbiased OLS estimator).
    resid : (L, E) residuals, NaN on masked rows (None after blocks are joined).
    xbar : (E, P) regressor means over the used rows.
    sxx_inv : (E, P, P) inverse of the centred cross-product matrix ``sum (x - xbar)(x - xbar)'``.
    """

    coef: Float64Array2D
    n: np.ndarray
    dof: np.ndarray
    sigma2: Float64Array1D
    resid: Float64Array2D | None
    xbar: Float64Array2D
    sxx_inv: Float64Array3D

    @property
    def k(self) -> int:
        """Number of coefficients K (intercept included)."""
        return self.coef.shape[1]

    def predict(self, x: Float64Array3D | None, shape: tuple[int, int]) -> Float64Array2D:
        """Fitted values ``a + x b`` for regressors ``x`` of shape (L, E, P) (None when P = 0)."""
        out = np.broadcast_to(self.coef[:, 0], shape).copy()
        for p in range(self.k - 1):
            out += x[:, :, p] * self.coef[:, p + 1]
        return out

    def leverage_of_sum(self, count: np.ndarray, xsum: Float64Array2D | None) -> Float64Array1D:
        """``s' (X'X)^{-1} s`` for ``s = sum over window days of [1, x_t]``.

        Parameters
        ----------
        count : (E,) number of window days summed (``s[0]``).
        xsum : (E, P) sum of the regressors over those days (None when P = 0).

        Notes
        -----
        With an intercept, ``(X'X)^{-1}`` splits into the centred form, so
        ``s'(X'X)^{-1}s = c^2 / n + d' S_xx^{-1} d`` with ``d = xsum - c * xbar``.
        For the market model this is Campbell, Lo & MacKinlay (1997, eq. 4.4.9-4.4.12):
        ``c^2/L1 + c^2 (mean_w(Rm) - mean_est(Rm))^2 / sum_est (Rm - mean(Rm))^2``.
        """
        count = np.asarray(count, dtype=np.float64)
        out = count**2 / self.n
        if xsum is not None and xsum.shape[1]:
            d = xsum - count[:, None] * self.xbar
            out = out + np.einsum("ep,epq,eq->e", d, self.sxx_inv, d)
        return out


def fit_masked_ols(y: Float64Array2D, x: Float64Array3D | None) -> BatchOLS:
    """Fit ``y[:, e] = a_e + x[:, e, :] b_e + error`` for every column e at once.

    Parameters
    ----------
    y : (L, E) dependent variable (decimal daily returns), NaN = missing day.
    x : (L, E, P) regressors or None (constant-mean model); NaN = missing day.

    Returns
    -------
    BatchOLS
        A row is used for event e only when y and all regressors are finite there.
        Events with ``n <= K`` get NaN coefficients and variance (the caller marks them
        with a status; nothing raises).

    Notes
    -----
    Computed on centred data (means over each event's own used rows), which is the
    numerically stable form of the normal equations: ``b = S_xx^{-1} S_xy``,
    ``a = ybar - xbar' b``, ``sigma^2 = SSR / (n - K)``. With one regressor (the market
    model) and numba installed, a compiled three-pass kernel computes the same sums
    (:func:`eventstudy.core._kernels.ols1_loop`).
    """
    y = np.asarray(y, dtype=np.float64)
    if x is not None and x.shape[2] == 1 and HAS_NUMBA:
        return _fit_one_regressor(y, x[:, :, 0])
    return _fit_numpy(y, x)


def _fit_numpy(y: Float64Array2D, x: Float64Array3D | None) -> BatchOLS:
    """Vectorised numpy implementation of :func:`fit_masked_ols` (any number of regressors)."""
    p = 0 if x is None else x.shape[2]
    k = p + 1
    # one contiguous (L, E) array per regressor: slicing (L, E, P) along P is strided and slow
    xs = [np.ascontiguousarray(x[:, :, j]) for j in range(p)]
    mask = np.isfinite(y)
    for xj in xs:
        mask &= np.isfinite(xj)
    n = mask.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        inv_n = 1.0 / n
        # centre on each event's own used rows; masked rows are exactly 0 afterwards
        yc = np.where(mask, y, 0.0)
        ybar = yc.sum(axis=0) * inv_n
        yc -= ybar
        yc *= mask
        xc = []
        xbar = np.empty((y.shape[1], p))
        for j, xj in enumerate(xs):
            c = np.where(mask, xj, 0.0)
            xbar[:, j] = c.sum(axis=0) * inv_n
            c -= xbar[:, j]
            c *= mask
            xc.append(c)
        sxx = np.empty((y.shape[1], p, p))
        sxy = np.empty((y.shape[1], p))
        for i in range(p):
            sxy[:, i] = np.einsum("le,le->e", xc[i], yc)
            for j in range(i, p):
                sxx[:, i, j] = sxx[:, j, i] = np.einsum("le,le->e", xc[i], xc[j])
        ok = n > k
        sxx_inv = np.full_like(sxx, np.nan)
        if p:
            good = ok & (np.abs(np.linalg.det(sxx)) > 0)
            sxx_inv[good] = np.linalg.inv(sxx[good])
        slopes = np.einsum("epq,eq->ep", sxx_inv, sxy)
        resid = yc
        for j in range(p):
            resid -= xc[j] * slopes[:, j]
        dof = n - k
        ssr = np.einsum("le,le->e", resid, resid)
        sigma2 = np.where(ok, ssr / np.where(ok, dof, 1), np.nan)
        resid = np.where(mask, resid, np.nan)
        coef = np.column_stack([ybar - (xbar * slopes).sum(axis=1), slopes])
        coef[~ok] = np.nan
    return BatchOLS(coef=coef, n=n, dof=dof, sigma2=sigma2, resid=resid, xbar=xbar, sxx_inv=sxx_inv)


def _fit_one_regressor(y: Float64Array2D, x: Float64Array2D) -> BatchOLS:
    """The market-model case of :func:`fit_masked_ols` through the compiled three-pass kernel."""
    n, ybar, xbar, sxx, sxy, ssr, resid = ols1_nb(np.ascontiguousarray(y), np.ascontiguousarray(x, dtype=np.float64))
    ok = (n > 2) & (sxx > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        slope = np.where(ok, sxy / sxx, np.nan)
        dof = n - 2
        sigma2 = np.where(ok, ssr / np.where(ok, dof, 1), np.nan)
        coef = np.column_stack([ybar - xbar * slope, slope])
        coef[~ok] = np.nan
        sxx_inv = np.where(ok, 1.0 / sxx, np.nan)[:, None, None]
    return BatchOLS(coef=coef, n=n, dof=dof, sigma2=sigma2, resid=resid, xbar=xbar[:, None], sxx_inv=sxx_inv)
