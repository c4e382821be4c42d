"""One call that runs the whole numerical event study on arrays (no pandas labels).

:func:`run_event_study` gathers every window, fits the model for all events at once,
computes per-window measures, the rank and mean-adjusted inputs of the tests, and
per-event status codes. The pandas layer (:mod:`eventstudy.study`) only translates
labels to indices and back.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._typing import Float64Array1D, Float64Array2D, IntArray
from ._kernels import rank_columns
from .abnormal import AbnormalFit, WindowMeasures, compute_abnormal, window_measures
from .models import ModelSpec
from .statistics import WindowPanel

#: Status codes per event-firm (index into STATUS_TEXT).
OK, NO_DAY0, NO_SERIES, FEW_OBS, NO_EVENT_DATA = range(5)
STATUS_TEXT = (
    "ok",
    "day 0 after the last session",
    "no returns for this ticker",
    "too few estimation observations",
    "no returns in the event window",
)


@dataclass(frozen=True)
class CoreResult:
    """Arrays produced by :func:`run_event_study`, columns = the E event-firms given.

    Attributes
    ----------
    fit : AbnormalFit for every event-firm (rows of invalid ones are NaN).
    status : (E,) int status code (``OK`` = 0; see ``STATUS_TEXT``).
    windows : list of (a, b) event windows (ends included).
    measures : one WindowMeasures per window.
    u : (Lc, E) standardised ranks over the estimation + event span (Corrado).
    span_offsets : (Lc,) event-time offsets of the rows of ``u``.
    ma_est, ma_ev : mean-adjusted returns ``R - mean_est(R)`` in the estimation / event window.
    """

    fit: AbnormalFit
    status: IntArray
    windows: list[tuple[int, int]]
    measures: list[WindowMeasures]
    u: Float64Array2D
    span_offsets: IntArray
    ma_est: Float64Array2D
    ma_ev: Float64Array2D

    @property
    def ok(self) -> np.ndarray:
        """(E,) bool, event-firms with status ``OK``."""
        return self.status == OK

    def panel(self, w: int) -> WindowPanel:
        """The test inputs of window number ``w`` restricted to the OK event-firms."""
        a, b = self.windows[w]
        rows = self.fit.rows(a, b)
        m = self.measures[w]
        ok = self.ok
        in_window = (self.span_offsets >= a) & (self.span_offsets <= b)
        return WindowPanel(
            car=m.car[ok], bhar=m.bhar[ok], car_se=m.car_se[ok], dof=self.fit.dof[ok],
            ar=self.fit.ar[rows][:, ok], est_ar=self.fit.est_ar[:, ok], ma=self.ma_ev[rows][:, ok],
            ma_est=self.ma_est[:, ok], u=self.u[:, ok], u_window=in_window,
        )


def run_event_study(
    model: ModelSpec,
    returns: Float64Array2D,
    day0: IntArray,
    col: IntArray,
    *,
    windows: list[tuple[int, int]],
    estimation: tuple[int, int] = (-250, -11),
    min_estimation_obs: int = 100,
    bench: Float64Array2D | None = None,
    bcol: IntArray | None = None,
    factors: Float64Array2D | None = None,
    rf: Float64Array1D | None = None,
) -> CoreResult:
    """Run the event study for E event-firms.

    Parameters
    ----------
    model, returns, bench, bcol, factors, rf : see :func:`eventstudy.core.abnormal.compute_abnormal`.
    day0 : (E,) int day-0 row, -1 when day 0 is past the sample. col : (E,) int firm column, -1 if absent.
    windows : event windows ``[(a, b), ...]`` in sessions, ends included; all must start after
        ``estimation[1]``.
    min_estimation_obs : events with fewer usable estimation days get status ``FEW_OBS``.

    Returns
    -------
    CoreResult
    """
    day0 = np.asarray(day0, dtype=np.intp)
    col = np.asarray(col, dtype=np.intp)
    lo = min(a for a, _ in windows)
    hi = max(b for _, b in windows)
    status = np.full(len(day0), OK, dtype=np.intp)
    status[col < 0] = NO_SERIES
    status[day0 < 0] = NO_DAY0
    fit = compute_abnormal(
        model, returns, np.where(day0 < 0, 0, day0), np.where(col < 0, 0, col),
        estimation=estimation, event=(lo, hi), bench=bench, bcol=bcol, factors=factors, rf=rf,
    )
    k = max(model.n_params, 1)
    few = (fit.n_est < max(min_estimation_obs, k + 1)) | ~np.isfinite(fit.sigma2)
    status[(status == OK) & few] = FEW_OBS
    no_data = ~np.isfinite(fit.ar).any(axis=0)
    status[(status == OK) & no_data] = NO_EVENT_DATA
    bad = status != OK
    if bad.any():  # blank out invalid event-firms so no number leaks from a placeholder row
        for arr in (fit.ar, fit.est_ar, fit.raw, fit.expected, fit.est_raw):
            arr[:, bad] = np.nan
    measures = [window_measures(fit, a, b) for a, b in windows]
    avail = np.isfinite(fit.est_raw)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_est = np.where(avail, fit.est_raw, 0.0).sum(axis=0) / avail.sum(axis=0)
    ma_est = fit.est_raw - mean_est
    ma_ev = fit.raw - mean_est
    span_offsets = np.concatenate([fit.est_offsets, fit.ev_offsets])
    combined = np.concatenate([fit.est_ar, fit.ar], axis=0)
    ranks = rank_columns(combined)
    n_avail = np.isfinite(combined).sum(axis=0)
    u = ranks / (1.0 + n_avail)
    return CoreResult(
        fit=fit, status=status, windows=list(windows), measures=measures, u=u,
        span_offsets=span_offsets, ma_est=ma_est, ma_ev=ma_ev,
    )
