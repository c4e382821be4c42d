"""Calendar-time portfolio test (Jaffe 1974; Mitchell & Stafford 2000), pure numpy.

Each calendar day, the portfolio holds every firm that is inside the event window ``[a, b]``
of one of its events (a firm in two overlapping events counts once). Its daily return,
equal-weighted or weighted by caller-supplied weights (e.g. the previous day's market
capitalisation), minus the risk-free rate, is regressed on factor returns (market, FF3,
Carhart ...) by OLS; the intercept is the mean daily abnormal return of the event firms, and
cross-sectional dependence is absorbed because the portfolio is one time series.

Units: decimal daily returns (simple); window offsets in trading sessions, both ends included.

References
----------
1. Jaffe, J. F. (1974). Special information and insider trading. Journal of Business 47, 410-428.
2. Mitchell, M. L. & Stafford, E. (2000). Managerial decisions and long-term stock price
   performance. Journal of Business 73, 287-329.
3. Newey, W. K. & West, K. D. (1987). A simple, positive semi-definite, heteroskedasticity and
   autocorrelation consistent covariance matrix. Econometrica 55, 703-708.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from .._typing import Float64Array1D, Float64Array2D, IntArray
from ._kernels import membership_nb, membership_python
from ._numba import HAS_NUMBA


@dataclass(frozen=True)
class CalendarTimeResult:
    """Calendar-time portfolio regression.

    Attributes
    ----------
    weighting : "equal" or "value".
    coef, se : (K,) OLS coefficients (intercept first, then one per factor column) and their
        OLS standard errors.
    alpha : daily intercept (decimal). alpha_t, alpha_p : its OLS t and two-sided p from t(n - K).
    alpha_t_hac, alpha_p_hac : the same with Newey-West (Bartlett, ``hac_lags`` lags) standard
        errors and the small-sample factor n / (n - K) (NaN when ``hac_lags`` is None).
    n_days : days in the regression (portfolio non-empty, every factor available).
    mean_firms : average number of firms in the portfolio over those days.
    portfolio : (T,) portfolio excess return per calendar row (NaN on days not used).
    """

    weighting: str
    coef: Float64Array1D
    se: Float64Array1D
    alpha: float
    alpha_t: float
    alpha_p: float
    alpha_t_hac: float
    alpha_p_hac: float
    n_days: int
    mean_firms: float
    portfolio: Float64Array1D


def membership(n_rows: int, n_cols: int, day0: IntArray, col: IntArray, window: tuple[int, int]) -> np.ndarray:
    """(T, N) bool: firm ``j`` is inside the window ``[a, b]`` of one of its events on row ``t``.

    Events with ``day0 < 0`` or ``col < 0`` are ignored; windows are clipped to the sample.
    Marked event by event by a compiled kernel (:func:`eventstudy.core._kernels.membership_loop`),
    else with a difference array and a cumulative sum (:func:`eventstudy.core._kernels.membership_python`).
    """
    a, b = (int(v) for v in window)
    day0 = np.asarray(day0, dtype=np.intp)
    col = np.asarray(col, dtype=np.intp)
    if HAS_NUMBA:
        return membership_nb(int(n_rows), int(n_cols), day0, col, a, b)
    return membership_python(int(n_rows), int(n_cols), day0, col, a, b)


def _hac_cov(x: np.ndarray, u: np.ndarray, lags: int) -> np.ndarray:
    """Newey-West covariance of OLS coefficients, Bartlett weights, small-sample factor n / (n - K)."""
    n, k = x.shape
    xu = x * u[:, None]
    s = xu.T @ xu
    for lag in range(1, lags + 1):
        g = xu[lag:].T @ xu[:-lag]
        s += (1 - lag / (lags + 1)) * (g + g.T)
    bread = np.linalg.inv(x.T @ x)
    return bread @ s @ bread * n / (n - k)


def calendar_time_portfolio(
    returns: Float64Array2D,
    day0: IntArray,
    col: IntArray,
    window: tuple[int, int],
    factors: Float64Array2D | None = None,
    rf: Float64Array1D | None = None,
    weights: Float64Array2D | None = None,
    hac_lags: int | None = None,
    min_firms: int = 1,
) -> CalendarTimeResult:
    """Regress the daily portfolio of firms inside their event window on factor returns.

    Parameters
    ----------
    returns : (T, N) firm simple daily returns (decimal), rows = calendar sessions, NaN = missing.
    day0 : (E,) day-0 row of each event; col : (E,) its firm column (-1 = absent).
    window : (a, b) offsets of the holding window, both included (e.g. (0, 10), or (1, 250) for a
        long-run study).
    factors : (T, P) factor returns in decimal (e.g. ``mkt_rf``; ``mkt_rf, smb, hml``; Carhart adds
        ``mom``); None regresses on a constant only (the mean excess return).
    rf : (T,) risk-free rate (decimal per day) subtracted from the portfolio return; None = 0.
    weights : (T, N) non-negative weights known before each day (e.g. the previous close x shares
        outstanding); None = equal weights.
    hac_lags : Newey-West lags for the HAC t of the intercept; None skips it.
    min_firms : days with fewer firms in the portfolio are left out.

    Returns
    -------
    CalendarTimeResult
    """
    returns = np.asarray(returns, dtype=np.float64)
    n_rows, n_cols = returns.shape
    member = membership(n_rows, n_cols, day0, col, window) & np.isfinite(returns)
    if weights is None:
        w = member.astype(np.float64)
        weighting = "equal"
    else:
        w = np.where(member & np.isfinite(weights), np.asarray(weights, dtype=np.float64), 0.0)
        if (w < 0).any():
            raise ValueError("calendar-time weights must be non-negative")
        weighting = "value"
    count = (w > 0).sum(axis=1)
    wsum = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        port = (np.where(w > 0, returns, 0.0) * w).sum(axis=1) / wsum
    if rf is not None:
        port = port - np.asarray(rf, dtype=np.float64)
    x = np.ones((n_rows, 1)) if factors is None else np.column_stack([np.ones(n_rows), np.asarray(factors, dtype=np.float64)])
    use = (count >= max(min_firms, 1)) & (wsum > 0) & np.isfinite(port) & np.isfinite(x).all(axis=1)
    n, k = int(use.sum()), x.shape[1]
    portfolio = np.where(use, port, np.nan)
    nan = float("nan")
    if n <= k:
        empty = np.full(k, np.nan)
        return CalendarTimeResult(weighting, empty, empty, nan, nan, nan, nan, nan, n, nan, portfolio)
    xu, yu = x[use], port[use]
    coef, *_ = np.linalg.lstsq(xu, yu, rcond=None)
    resid = yu - xu @ coef
    dof = n - k
    cov = resid @ resid / dof * np.linalg.inv(xu.T @ xu)
    se = np.sqrt(np.diag(cov))
    t = coef[0] / se[0]
    t_hac = p_hac = nan
    if hac_lags is not None:
        t_hac = float(coef[0] / np.sqrt(_hac_cov(xu, resid, int(hac_lags))[0, 0]))
        p_hac = float(2 * stats.t.sf(abs(t_hac), dof))
    return CalendarTimeResult(
        weighting=weighting, coef=coef, se=se, alpha=float(coef[0]), alpha_t=float(t),
        alpha_p=float(2 * stats.t.sf(abs(t), dof)), alpha_t_hac=t_hac, alpha_p_hac=p_hac, n_days=n,
        mean_firms=float(count[use].mean()), portfolio=portfolio,
    )
