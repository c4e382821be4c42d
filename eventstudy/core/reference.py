"""Plain per-event reference implementation with statsmodels OLS (slow, obviously correct).

This is the yardstick for the vectorised engine: one ``statsmodels.OLS`` fit per
event-firm in a Python loop, forecast-error variances from the explicit
``sigma^2 (I + X0 (X'X)^{-1} X0')`` matrix summed over the window. Tests assert the
vectorised path agrees with it; the benchmark times it. Not used in production runs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import statsmodels.api as sm

from .models import ModelSpec


@dataclass(frozen=True)
class ReferenceResult:
    """Per-event outputs, same shapes and conventions as the vectorised engine.

    ar : (Lv, E); car, car_se, bhar : (W, E); sigma2, n_est : (E,); coef : (E, K).
    """

    ar: np.ndarray
    car: np.ndarray
    car_se: np.ndarray
    bhar: np.ndarray
    sigma2: np.ndarray
    n_est: np.ndarray
    coef: np.ndarray


def reference_event_study(
    model: ModelSpec,
    returns: np.ndarray,
    day0: np.ndarray,
    col: np.ndarray,
    *,
    windows: list[tuple[int, int]],
    estimation: tuple[int, int] = (-250, -11),
    bench: np.ndarray | None = None,
    bcol: np.ndarray | None = None,
    factors: np.ndarray | None = None,
    rf: np.ndarray | None = None,
) -> ReferenceResult:
    """Loop over events, fit ``statsmodels.OLS`` on each estimation window, compute ARs/CARs/BHARs.

    Same parameters and conventions as :func:`eventstudy.core.abnormal.compute_abnormal`.
    """
    lo = min(a for a, _ in windows)
    hi = max(b for _, b in windows)
    n_t = returns.shape[0]
    k = model.n_params
    n_e = len(day0)
    ar_all = np.full((hi - lo + 1, n_e), np.nan)
    car = np.full((len(windows), n_e), np.nan)
    car_se = np.full_like(car, np.nan)
    bhar = np.full_like(car, np.nan)
    sigma2 = np.full(n_e, np.nan)
    n_est = np.zeros(n_e, dtype=int)
    coef = np.full((n_e, k), np.nan)

    def rows_of(d0: int, a: int, b: int) -> np.ndarray:
        r = np.arange(d0 + a, d0 + b + 1)
        return r[(r >= 0) & (r < n_t)]

    for e in range(n_e):
        y_all = returns[:, col[e]].astype(float)
        dep = y_all.copy()
        if model.excess:
            dep = dep - rf
        if model.uses_benchmark:
            m = bench[:, bcol[e]]
            if model.estimated:
                x_all = m[:, None]
            else:
                dep = dep - m
                x_all = np.empty((n_t, 0))
        elif model.factors:
            x_all = factors
        else:
            x_all = np.empty((n_t, 0))
        design = np.column_stack([np.ones(n_t), x_all]) if model.estimated else x_all

        est = rows_of(day0[e], *estimation)
        est = est[np.isfinite(dep[est]) & np.isfinite(design[est]).all(axis=1)]
        n_est[e] = len(est)
        ev_rows = np.arange(day0[e] + lo, day0[e] + hi + 1)
        inside = (ev_rows >= 0) & (ev_rows < n_t)
        if model.estimated:
            if len(est) <= k:
                continue
            res = sm.OLS(dep[est], design[est]).fit()
            sigma2[e] = res.scale
            coef[e] = res.params
            xtx_inv = res.normalized_cov_params
            pred = np.full(len(ev_rows), np.nan)
            pred[inside] = design[ev_rows[inside]] @ res.params
        else:
            if len(est) < 2:
                continue
            sigma2[e] = np.var(dep[est], ddof=1)
            pred = np.zeros(len(ev_rows))
            xtx_inv = None
        obs = np.full(len(ev_rows), np.nan)
        obs[inside] = dep[ev_rows[inside]]
        ar = obs - pred
        ar_all[:, e] = ar
        for w, (a, b) in enumerate(windows):
            sl = slice(a - lo, b - lo + 1)
            ok = np.isfinite(ar[sl])
            if not ok.any():
                continue
            car[w, e] = ar[sl][ok].sum()
            days = ev_rows[sl][ok]
            if xtx_inv is not None:
                x0 = design[days]
                v = sigma2[e] * (np.eye(len(days)) + x0 @ xtx_inv @ x0.T)
            else:
                v = sigma2[e] * np.eye(len(days))
            car_se[w, e] = np.sqrt(v.sum())
            raw = y_all[days]
            expected = raw - ar[sl][ok]
            bhar[w, e] = np.prod(1 + raw) - np.prod(1 + expected)
    return ReferenceResult(ar=ar_all, car=car, car_se=car_se, bhar=bhar, sigma2=sigma2, n_est=n_est, coef=coef)
