"""Abnormal returns, CARs, BHARs and their forecast-error variances for all events at once.

Inputs are calendar-time matrices (rows = sessions) and per-event row/column
indices; everything is gathered into ``(L, E)`` event-time arrays by index
arithmetic (:func:`eventstudy.core.windows.gather`) and computed without a loop
over events. Returns are daily returns in decimal fractions, simple unless the
caller says log (``returns_kind``); window ends are included (``[a, b]`` covers
offsets a, a+1, ..., b in trading sessions).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._typing import Float64Array1D, Float64Array2D, Float64Array3D, IntArray
from .models import ModelSpec
from ._kernels import window_measures_nb
from ._numba import HAS_NUMBA
from .ols import BatchOLS, fit_masked_ols
from .windows import gather, gather_rows, offsets_range

#: Kinds of daily returns the core accepts: "simple" ``P_t / P_{t-1} - 1`` or "log" ``ln(P_t / P_{t-1})``.
RETURN_KINDS = ("simple", "log")


@dataclass(frozen=True)
class AbnormalFit:
    """Estimation results and event-window abnormal returns, shape conventions ``(L, E)``.

    Attributes
    ----------
    model : the expected-return model.
    est_offsets, ev_offsets : (Le,), (Lv,) event-time offsets of the estimation and event windows.
    ar : (Lv, E) abnormal returns in the event window (decimal), NaN on missing days.
    raw : (Lv, E) the firm's returns in the event window (of the input kind, simple or log).
    expected : (Lv, E) expected return (``raw - ar``; for factor models this includes rf).
    ev_x : (Lv, E, P) event-window regressors (None when the model has none in its fit).
        ``raw``, ``expected`` and ``ev_x`` are None once blocks are joined: every measure that
        needs them (CAR variances, BHARs, mean-adjusted returns) is computed in its block.
    est_ar : (Le, E) estimation-window abnormal returns (OLS residuals; ``R - Rm`` for market-adjusted);
        None once blocks are joined (see :class:`eventstudy.core.engine.CoreResult`).
    est_raw : (Le, E) the firm's simple returns in the estimation window (for mean-adjusted tests);
        None once blocks are joined.
    n_est : (E,) int, estimation observations used.
    dof : (E,) int, residual degrees of freedom (``n_est - K``; ``n_est - 1`` for market-adjusted).
    sigma2 : (E,) variance of the estimation-window abnormal returns.
    coef : (E, K) fitted coefficients, intercept first (K = 0 columns for market-adjusted).
    ols : the batched OLS fit (None for market-adjusted).
    mkt_all : (E, 2) mean and centred sum of squares of the benchmark over EVERY estimation-window
        day it has a return (not only the firm's days), set under estudy2 conventions for the
        market model (its Patell variance); None otherwise.
    """

    model: ModelSpec
    est_offsets: IntArray
    ev_offsets: IntArray
    ar: Float64Array2D
    raw: Float64Array2D | None
    expected: Float64Array2D | None
    ev_x: Float64Array3D | None
    est_ar: Float64Array2D | None
    est_raw: Float64Array2D | None
    n_est: np.ndarray
    dof: np.ndarray
    sigma2: Float64Array1D
    coef: Float64Array2D
    ols: BatchOLS | None
    mkt_all: Float64Array2D | None = None

    def rows(self, a: int, b: int) -> slice:
        """Rows of the event-window arrays holding offsets ``a .. b`` (inclusive)."""
        start = int(self.ev_offsets[0])
        return slice(a - start, b - start + 1)


@dataclass(frozen=True)
class WindowMeasures:
    """Per-event measures over one event window ``[a, b]`` (ends included).

    Attributes
    ----------
    car : (E,) cumulative abnormal return, sum of the ARs on available days (NaN if none).
    car_var : (E,) forecast-error variance of the CAR (see :func:`window_measures`).
    n_days : (E,) int, window days with an abnormal return.
    bhar : (E,) buy-and-hold abnormal return ``prod(1 + R) - prod(1 + E[R])`` of SIMPLE returns
        over available days (log inputs converted, see :func:`window_measures`).
    """

    car: Float64Array1D
    car_var: Float64Array1D
    n_days: np.ndarray
    bhar: Float64Array1D

    @property
    def car_se(self) -> Float64Array1D:
        """Standard error of the CAR, ``sqrt(car_var)``."""
        return np.sqrt(self.car_var)


def compute_abnormal(
    model: ModelSpec,
    returns: Float64Array2D,
    day0: IntArray,
    col: IntArray,
    *,
    estimation: tuple[int, int] = (-250, -11),
    event: tuple[int, int] = (-5, 10),
    bench: Float64Array2D | None = None,
    bcol: IntArray | None = None,
    factors: Float64Array2D | None = None,
    rf: Float64Array1D | None = None,
    conventions: str = "default",
) -> AbnormalFit:
    """Fit the expected-return model on every estimation window and compute event-window ARs.

    Parameters
    ----------
    model : ModelSpec from :func:`eventstudy.core.models.get_model`.
    returns : (T, N) firm simple daily returns (decimal), rows = sessions, NaN = no price.
    day0 : (E,) int, row of each event's day 0; col : (E,) int, its column in ``returns``.
    estimation : (start, end) offsets of the estimation window, both included.
    event : (start, end) offsets spanning every event window (their union), both included.
    bench : (T, B) benchmark returns, and bcol : (E,) the benchmark column of each event
        (market and market-adjusted models).
    factors : (T, P) factor returns in the order of ``model.factors`` (decimal);
        rf : (T,) risk-free rate (decimal per day) for excess-return models.
    conventions : "default": ``sigma^2 = SSR / (n - K)``; "estudy2": ``sigma^2 = SSR / (n - 1)``
        (R ``sd`` of the residuals) and, for the market model, the benchmark mean and sum of
        squares of the forecast-error variance taken over every estimation-window market day.

    Returns
    -------
    AbnormalFit

    Notes
    -----
    Missing days (NaN in the firm, benchmark or factor series, or rows before the first
    session as for a recent IPO) are dropped from the estimation sums, so ``n_est`` counts
    the days actually used; in the event window they give NaN abnormal returns.
    """
    day0 = np.asarray(day0, dtype=np.intp)
    col = np.asarray(col, dtype=np.intp)
    est_off = offsets_range(*estimation)
    ev_off = offsets_range(*event)
    y_est = gather(returns, day0, col, est_off)
    y_ev = gather(returns, day0, col, ev_off)
    raw_est, raw_ev = y_est, y_ev
    x_est = x_ev = None
    if model.uses_benchmark:
        if bench is None or bcol is None:
            raise ValueError(f"model {model.name!r} needs benchmark returns")
        m_est = gather(bench, day0, np.asarray(bcol, dtype=np.intp), est_off)
        m_ev = gather(bench, day0, np.asarray(bcol, dtype=np.intp), ev_off)
        if model.estimated:
            x_est, x_ev = m_est[:, :, None], m_ev[:, :, None]
        else:  # market-adjusted: AR = R - Rm, nothing estimated
            y_est, y_ev = y_est - m_est, y_ev - m_ev
    if model.factors:
        if factors is None:
            raise ValueError(f"model {model.name!r} needs factors {model.factors}")
        x_est = gather_rows(factors, day0, est_off)
        x_ev = gather_rows(factors, day0, ev_off)
    rf_ev = None
    if model.excess:
        rf_est = gather_rows(np.asarray(rf, dtype=np.float64)[:, None], day0, est_off)[:, :, 0]
        rf_ev = gather_rows(np.asarray(rf, dtype=np.float64)[:, None], day0, ev_off)[:, :, 0]
        y_est, y_ev = y_est - rf_est, y_ev - rf_ev

    if model.estimated:
        ols = fit_masked_ols(y_est, x_est)
        fitted = ols.predict(x_ev, y_ev.shape)
        ar = y_ev - fitted
        if x_ev is not None:
            ar[~np.isfinite(x_ev).all(axis=2)] = np.nan
        est_ar, n_est, dof, sigma2, coef = ols.resid, ols.n, ols.dof, ols.sigma2, ols.coef
    else:
        ols = None
        ar = y_ev.copy()
        mask = np.isfinite(y_est)
        n_est = mask.sum(axis=0)
        dof = n_est - 1
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(mask, y_est, 0.0).sum(axis=0) / n_est
            ssq = np.where(mask, (y_est - mean) ** 2, 0.0).sum(axis=0)
            sigma2 = np.where(dof > 0, ssq / np.where(dof > 0, dof, 1), np.nan)
        est_ar = np.where(mask, y_est, np.nan)
        coef = np.empty((len(day0), 0))
    expected = raw_ev - ar
    mkt_all = None
    if conventions == "estudy2":
        with np.errstate(invalid="ignore", divide="ignore"):
            sigma2 = np.where(n_est > 1, sigma2 * dof / (n_est - 1), np.nan)
            if model.uses_benchmark and model.estimated:
                mean_m = np.nanmean(m_est, axis=0)
                mkt_all = np.column_stack([mean_m, np.nansum((m_est - mean_m) ** 2, axis=0)])
    return AbnormalFit(
        model=model, est_offsets=est_off, ev_offsets=ev_off, ar=ar, raw=raw_ev,
        expected=expected, ev_x=x_ev, est_ar=est_ar, est_raw=raw_est, n_est=n_est,
        dof=dof, sigma2=sigma2, coef=coef, ols=ols, mkt_all=mkt_all,
    )


def window_measures(fit: AbnormalFit, a: int, b: int, returns_kind: str = "simple") -> WindowMeasures:
    """CAR, its variance and BHAR over ``[a, b]`` for every event.

    ``returns_kind`` says what the fit's returns are: "simple" or "log". The CAR sums the ARs as
    given (log ARs for log inputs); the BHAR always compounds SIMPLE returns: log inputs are
    converted, ``R = expm1(r)`` and ``E[R] = expm1(E[r])``, so ``prod(1 + R) = exp(sum r)``.

    Notes
    -----
    ``CAR_i = sum_{t in w, AR_it available} AR_it`` over the ``c_i`` available days.
    Its variance is the forecast-error variance of the summed prediction errors
    (Campbell, Lo & MacKinlay 1997, sec. 4.4.3; the full ``X0 (X'X)^{-1} X0'`` matrix
    summed over the window)::

        Var(CAR_i) = sigma_i^2 * (c_i + s_i' (X_i'X_i)^{-1} s_i),   s_i = sum_{t in w} [1, x_it]

    which for the market model is ``sigma^2 (c + c^2/L1 + c^2 (mean_w Rm - mean_est Rm)^2
    / sum_est (Rm - mean Rm)^2)``. Under estudy2 conventions (``fit.mkt_all`` set) the market
    mean and sum of squares run over every estimation-window market day and ``sigma^2`` has
    the ``n - 1`` denominator: for one day this is estudy2's Patell standardisation. For market-adjusted returns nothing is estimated and
    ``Var(CAR) = c sigma^2`` with ``sigma^2`` the sample variance (denominator n - 1) of
    the estimation-window ``R - Rm``.
    BHAR (Barber & Lyon 1997): ``prod(1 + R_it) - prod(1 + E[R_it])`` over the days where
    both are available (missing days are skipped in both products).
    """
    rows = fit.rows(a, b)
    ar = fit.ar[rows]
    mask = np.isfinite(ar)
    c = mask.sum(axis=0)
    car = np.where(c > 0, np.where(mask, ar, 0.0).sum(axis=0), np.nan)
    if fit.mkt_all is not None:
        with np.errstate(invalid="ignore", divide="ignore"):
            dev = np.where(mask, fit.ev_x[rows][:, :, 0] - fit.mkt_all[:, 0], 0.0).sum(axis=0)
            var = fit.sigma2 * (c + c**2 / fit.n_est + dev**2 / fit.mkt_all[:, 1])
    elif fit.ols is not None:
        xsum = None
        if fit.ev_x is not None:
            xsum = np.where(mask[:, :, None], fit.ev_x[rows], 0.0).sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            lev = fit.ols.leverage_of_sum(c, xsum)
        var = fit.sigma2 * (c + lev)
    else:
        var = fit.sigma2 * c
    var = np.where(c > 0, var, np.nan)
    if returns_kind == "log":
        gross_r = np.exp(np.where(mask, fit.raw[rows], 0.0).sum(axis=0))
        gross_e = np.exp(np.where(mask, fit.expected[rows], 0.0).sum(axis=0))
    else:
        gross_r = np.where(mask, 1.0 + fit.raw[rows], 1.0).prod(axis=0)
        gross_e = np.where(mask, 1.0 + fit.expected[rows], 1.0).prod(axis=0)
    bhar = np.where(c > 0, gross_r - gross_e, np.nan)
    return WindowMeasures(car=car, car_var=var, n_days=c, bhar=bhar)


def all_window_measures(fit: AbnormalFit, windows: list[tuple[int, int]], returns_kind: str = "simple") -> list[WindowMeasures]:
    """:func:`window_measures` of every window, in one pass of a compiled kernel when numba is
    available (:func:`eventstudy.core._kernels.window_measures_loop`; same sums in the same order)."""
    if not HAS_NUMBA:
        return [window_measures(fit, a, b, returns_kind=returns_kind) for a, b in windows]
    n_ev = fit.ar.shape[1]
    rows = [fit.rows(a, b) for a, b in windows]
    x = fit.ev_x if fit.ev_x is not None else np.empty(fit.ar.shape + (0,))
    p = x.shape[2]
    if fit.mkt_all is not None:
        kind, n_fit, xbar, sxx_inv = 2, fit.n_est, np.zeros((n_ev, p)), np.zeros((n_ev, p, p))
    elif fit.ols is not None:
        kind, n_fit = 1, fit.ols.n
        xbar = fit.ols.xbar if p else np.zeros((n_ev, 0))
        sxx_inv = fit.ols.sxx_inv if p else np.zeros((n_ev, 0, 0))
    else:
        kind, n_fit, xbar, sxx_inv = 0, fit.n_est, np.zeros((n_ev, p)), np.zeros((n_ev, p, p))
    mkt_all = fit.mkt_all if fit.mkt_all is not None else np.zeros((n_ev, 2))
    c64 = np.ascontiguousarray
    car, var, cnt, bhar = window_measures_nb(
        c64(fit.ar, dtype=np.float64), c64(fit.raw, dtype=np.float64), c64(fit.expected, dtype=np.float64),
        c64(x, dtype=np.float64), np.array([r.start for r in rows], dtype=np.int64),
        np.array([r.stop for r in rows], dtype=np.int64), kind, c64(fit.sigma2, dtype=np.float64),
        c64(n_fit, dtype=np.float64), c64(xbar, dtype=np.float64), c64(sxx_inv, dtype=np.float64),
        c64(mkt_all, dtype=np.float64), returns_kind == "log",
    )
    return [WindowMeasures(car=car[w], car_var=var[w], n_days=cnt[w], bhar=bhar[w]) for w in range(len(windows))]
