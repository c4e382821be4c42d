"""One call that runs the whole numerical event study on arrays (no pandas labels).

:func:`run_event_study` gathers every window, fits the model for all events at once,
computes per-window measures, the rank and mean-adjusted inputs of the tests, and
per-event status codes. The pandas layer (:mod:`eventstudy.study`) only translates
labels to indices and back.
"""

from __future__ import annotations

from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Callable, TypeVar

import numpy as np

from .._typing import Float64Array1D, Float64Array2D, IntArray
from ._kernels import (
    col_sum_count, demean_columns, grank_partials, rank_span, residual_partials, row_sum_count,
)
from .abnormal import RETURN_KINDS, AbnormalFit, WindowMeasures, all_window_measures, compute_abnormal
from .ols import BatchOLS
from .models import ModelSpec
from .statistics import MEASURES, GroupSummary, TestStatistic, WindowPanel, check_conventions, resolve_test_names, run_tests

S = TypeVar("S")
T = TypeVar("T")


def thread_map(fn: Callable[[S], T], items: list[S], n_jobs: int) -> list[T]:
    """``fn`` of every item, in order, on ``n_jobs`` threads (numpy and the numba kernels release the GIL).

    While the threads run, BLAS is held to one thread of its own: OpenBLAS's worker threads
    would otherwise compete with ours for the cores and serialise our threads' concurrent calls
    (the tests of two windows then took as long on two threads as on one).
    """
    if n_jobs <= 1 or len(items) <= 1:
        return [fn(x) for x in items]
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"), ThreadPoolExecutor(max_workers=n_jobs) as pool:
        return list(pool.map(fn, items))

#: Status codes per event-firm (index into STATUS_TEXT).
OK, NO_DAY0, NO_SERIES, FEW_OBS, NO_EVENT_DATA = range(5)
STATUS_TEXT = (
    "ok",
    "day 0 after the last session",
    "no returns for this ticker",
    "too few estimation observations",
    "no returns in the event window",
)

#: Event period ranked with the estimation window when none is declared (sessions, ends included);
#: it is widened to cover every requested window.
DEFAULT_EVENT_PERIOD = (-10, 10)


def resolve_event_period(windows: list[tuple[int, int]], event_period: tuple[int, int] | None,
                         estimation: tuple[int, int] = (-250, -11)) -> tuple[int, int]:
    """The event period ``(a, b)`` whose days are ranked with the estimation window.

    ``None`` gives :data:`DEFAULT_EVENT_PERIOD` (its start moved after the estimation window's
    end when they would overlap) widened to cover every window; a declared period must cover
    every window (ValueError otherwise). Rank statistics of a window then depend only
    on the estimation window and this period, never on which other windows are requested.
    """
    lo = min(a for a, _ in windows)
    hi = max(b for _, b in windows)
    if event_period is None:
        start = max(DEFAULT_EVENT_PERIOD[0], int(estimation[1]) + 1)
        return min(start, lo), max(DEFAULT_EVENT_PERIOD[1], hi)
    a, b = (int(v) for v in event_period)
    if b < a:
        raise ValueError(f"event period [{a},{b}] ends before it starts")
    if lo < a or hi > b:
        raise ValueError(f"event period [{a},{b}] must cover every window (they span [{lo},{hi}])")
    return a, b


@dataclass(frozen=True)
class Partials:
    """Additive partial sums of the window-independent test inputs over a set of event-firms.

    Sums of blocks add up to the sums of their union, so the tests of all events (or of a
    group) combine per-block partials instead of concatenating the estimation arrays.
    ``est``, ``ma`` : (2, Le) row sums and counts of estimation ARs / mean-adjusted returns;
    ``u`` : (2, Lc) the same for the standardised ranks (zeros without ranks);
    ``row_total``, ``n_corr``, ``p_sum``, ``p_n`` : see :func:`eventstudy.core._kernels.residual_partials`.
    """

    est: Float64Array2D
    ma: Float64Array2D
    u: Float64Array2D
    row_total: Float64Array1D
    n_corr: int
    p_sum: float
    p_n: int
    pos: float = 0.0
    obs: float = 0.0

    def __add__(self, other: "Partials") -> "Partials":
        return Partials(
            est=self.est + other.est, ma=self.ma + other.ma, u=self.u + other.u,
            row_total=self.row_total + other.row_total, n_corr=self.n_corr + other.n_corr,
            p_sum=self.p_sum + other.p_sum, p_n=self.p_n + other.p_n, pos=self.pos + other.pos,
            obs=self.obs + other.obs,
        )


@dataclass(frozen=True)
class Block:
    """Estimation-span arrays of one block of event-firms (columns ``start:stop`` of the run).

    Kept per block (not concatenated) because they are only ever reduced: concatenating
    ``(250, E)`` arrays for 100k events would cost more than computing them.

    Attributes
    ----------
    partials : partial sums over the block's OK event-firms, computed in the run when the arrays
        are not kept (``keep_arrays=False``); None otherwise: reduced from the arrays on first use,
        so that a run whose tests need no group summary (e.g. only the cross-sectional t) skips them.
    est_ar : (Le, B) estimation-window abnormal returns (residuals), NaN on unused days.
    ma_est : (Le, B) mean-adjusted returns ``R - mean_est(R)`` in the estimation window.
    u_t : (B, Lc) standardised ranks ``K_it / (1 + n_i)`` over the estimation + event span
        (Corrado), EVENT-MAJOR (transposed) because ranking works along each event's row;
        None when the run skipped ranking (``ranks=False``).
    k_est : (B, Le) float32 ranks within each event's estimation window alone (GRANK),
        event-major like ``u_t`` and from the same sort; None without ranks (then computed on first use).
    The arrays are None when the run was made with ``keep_arrays=False``.
    """

    start: int
    stop: int
    partials: Partials | None
    est_ar: Float64Array2D | None
    ma_est: Float64Array2D | None
    u_t: Float64Array2D | None
    k_est: np.ndarray | None = None


def _partials(est_ar, ma_est, u_t, sel, lc) -> Partials:
    """Partial sums of one block over its selected event-firms (kernels from ``_kernels``)."""
    row_total, n_corr, p_sum, p_n, pos, obs = residual_partials(est_ar, sel)
    u = np.zeros((2, lc)) if u_t is None else np.array(col_sum_count(u_t, sel))
    return Partials(
        est=np.array(row_sum_count(est_ar, sel)), ma=np.array(row_sum_count(ma_est, sel)), u=u,
        row_total=row_total, n_corr=n_corr, p_sum=p_sum, p_n=p_n, pos=pos, obs=obs,
    )


@dataclass(frozen=True)
class CoreResult:
    """Arrays produced by :func:`run_event_study`, columns = the E event-firms given.

    Attributes
    ----------
    fit : AbnormalFit for every event-firm (rows of invalid ones are NaN); its estimation-window
        arrays (``est_ar``, ``est_raw``, ``ols.resid``) are None here: see ``blocks`` / :attr:`est_ar`;
        so are ``raw``, ``expected`` and ``ev_x``, used up by the per-window measures of each block.
    status : (E,) int status code (``OK`` = 0; see ``STATUS_TEXT``).
    windows : list of (a, b) event windows (ends included).
    measures : one WindowMeasures per window.
    span_offsets : (Lc,) event-time offsets of the rows of the rank arrays (estimation window
        plus the declared event period ``event_period``).
    ma_ev : (Lv, E) mean-adjusted returns in the event period (Brown-Warner 1980).
    blocks : estimation-span arrays and partial sums per block of event-firms.
    event_period : (a, b) event period ranked with the estimation window (it covers every window).
    returns : "simple" or "log", the kind of the input returns.
    conventions : "default" or "estudy2" (see :data:`eventstudy.core.statistics.CONVENTIONS`).
    n_jobs : threads that later per-block reductions (GRANK) may use, as in the run.
    """

    fit: AbnormalFit
    status: IntArray
    windows: list[tuple[int, int]]
    measures: list[WindowMeasures]
    span_offsets: IntArray
    ma_ev: Float64Array2D
    blocks: list[Block]
    event_period: tuple[int, int] = (0, 0)
    returns: str = "simple"
    conventions: str = "default"
    n_jobs: int = 1
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def ok(self) -> np.ndarray:
        """(E,) bool, event-firms with status ``OK``."""
        return self.status == OK

    def _arrays(self, name: str) -> list[np.ndarray]:
        arrays = [getattr(b, name) for b in self.blocks]
        if any(a is None for a in arrays):
            raise ValueError(f"{name} was not kept (run_event_study(..., keep_arrays=False) or ranks=False)")
        return arrays

    @cached_property
    def est_ar(self) -> Float64Array2D:
        """(Le, E) estimation-window abnormal returns of all blocks (concatenated on first use)."""
        return np.concatenate(self._arrays("est_ar"), axis=1)

    @cached_property
    def u(self) -> Float64Array2D:
        """(Lc, E) standardised ranks of all blocks (concatenated on first use)."""
        return np.concatenate(self._arrays("u_t"), axis=0).T

    def group_summary(self, keep: np.ndarray | None = None) -> GroupSummary:
        """Window-independent test inputs for the OK event-firms selected by ``keep`` (E,) bool.

        All OK event-firms (``keep=None``) use the partial sums stored with each block, or reduce
        its arrays; a group reduces each block's arrays with the partial-sum kernels (needs
        ``keep_arrays=True``). Cached per selection.
        """
        sel = self.ok if keep is None else self.ok & np.asarray(keep, dtype=bool)
        key = ("group", keep is None, sel.tobytes())
        if key not in self._cache:
            self._cache[key] = self._group_summary(sel, keep is None)
        return self._cache[key]

    def _group_summary(self, sel: np.ndarray, everyone: bool) -> GroupSummary:
        lc = len(self.span_offsets)

        def block(b: Block) -> Partials | None:
            if everyone and b.partials is not None:
                return b.partials
            bsel = sel[b.start:b.stop]
            if not bsel.any():
                return None
            if b.est_ar is None:
                raise ValueError("group tests need the estimation arrays: run with keep_arrays=True")
            return _partials(b.est_ar, b.ma_est, b.u_t, bsel, lc)

        parts = [p for p in self._map_blocks(block) if p is not None]
        if parts:
            total = parts[0]
            for p in parts[1:]:
                total = total + p
        else:
            total = _partials(np.empty((len(self.fit.est_offsets), 0)), np.empty((len(self.fit.est_offsets), 0)),
                              None, np.zeros(0, dtype=bool), lc)

        def mean(pair) -> np.ndarray:
            with np.errstate(invalid="ignore", divide="ignore"):
                return np.where(pair[1] > 0, pair[0] / pair[1], np.nan)

        n = total.n_corr
        r_bar = (total.row_total @ total.row_total - n) / (n * (n - 1)) if n >= 2 else np.nan
        return GroupSummary(
            ev_offsets=self.fit.ev_offsets, span_offsets=self.span_offsets,
            aar_est=mean(total.est), maar_est=mean(total.ma),
            aar_ev=mean(row_sum_count(self.fit.ar, sel)), maar_ev=mean(row_sum_count(self.ma_ev, sel)),
            rank_dev=mean(total.u) - 0.5, p_hat=total.p_sum / total.p_n if total.p_n else np.nan,
            r_bar=float(r_bar), rank_n=total.u[1], n_firms=int(total.p_n),
            p_hat_pooled=total.pos / total.obs if total.obs else np.nan,
        )

    def _map_blocks(self, fn: Callable[[Block], T]) -> list[T]:
        """``fn`` of every block, in block order, on the run's threads (the kernels release the GIL)."""
        return self._map(fn, self.blocks)

    def _map(self, fn: Callable[[S], T], items: list[S]) -> list[T]:
        """``fn`` of every item, in order, on the run's ``n_jobs`` threads."""
        return thread_map(fn, items, self.n_jobs)

    def window_tests(self, keep: np.ndarray | None = None, names: list[str] | None = None,
                     group: GroupSummary | None = None) -> list[tuple[int, str, list[TestStatistic]]]:
        """The named tests (default: all) of every window and measure, as ``(w, measure, tests)``
        in window order, CAR before BHAR, over the OK event-firms selected by ``keep``.

        The same results as :func:`eventstudy.core.statistics.run_tests` on each :meth:`panel`
        (bootstrap seeds included); the (window, measure) pairs run on the run's threads, since
        their sorts and reductions release the GIL. ``group`` reuses a :meth:`group_summary` of
        the same ``keep``.
        """
        group = group if group is not None else self.group_summary(keep)
        if names is None or "grank" in resolve_test_names(list(names)):
            self.grank_inputs(0, keep)  # one pass fills every window's entry, before threads share the cache

        def one(job: tuple[int, str]) -> tuple[int, str, list[TestStatistic]]:
            w, measure = job
            return w, measure, run_tests(self.panel(w, keep, group), measure, names)

        return self._map(one, [(w, m) for w in range(len(self.windows)) for m in MEASURES])

    def _est_ranks(self, b: Block) -> np.ndarray:
        """(B, Le) ranks (1 = smallest, ties averaged) within each event's estimation window."""
        if b.k_est is not None:
            return b.k_est
        key = ("est_ranks", b.start)
        if key not in self._cache:  # a run without ranks: rank on first use
            self._cache[key] = rank_span(b.est_ar, np.empty((0, b.est_ar.shape[1])))[1]
        return self._cache[key]

    def grank_inputs(self, w: int, keep: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray] | None:
        """GRANK (Kolari & Pynnönen 2011) rank sums and counts for window ``w`` over the selected events.

        ``SCAR_i = CAR_i / se(CAR_i)`` re-standardised by its cross-sectional SD (event-induced
        volatility), then ranked with the event's estimation-window SARs ``AR_it / sigma_i``
        (:func:`eventstudy.core._kernels.grank_partials`). None without estimation arrays or with
        fewer than two usable events. All windows are computed in one pass on first use.
        """
        if any(b.est_ar is None for b in self.blocks):
            return None
        sel = self.ok if keep is None else self.ok & np.asarray(keep, dtype=bool)
        key = ("grank", sel.tobytes())
        if key not in self._cache:
            self._cache[key] = self._grank_all(sel)
        total, count, usable = self._cache[key]
        return (total[w], count[w]) if usable[w] else None

    def _grank_all(self, sel: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """GRANK sums and counts ``(W, Le + 1)`` of every window, and which windows are usable."""
        n_w = len(self.windows)
        y = np.full((n_w, len(sel)), np.nan)
        good = np.zeros((n_w, len(sel)), dtype=bool)
        with np.errstate(invalid="ignore", divide="ignore"):
            for w, m in enumerate(self.measures):
                scar = m.car / m.car_se
                good[w] = sel & np.isfinite(scar)
                if good[w].sum() >= 2:  # SCAR* on the scale of the raw estimation ARs
                    y[w] = scar / scar[good[w]].std(ddof=1) * np.sqrt(self.fit.sigma2)
        usable = good.sum(axis=1) >= 2
        good &= usable[:, None]
        le = len(self.fit.est_offsets)

        def block(b: Block) -> tuple[np.ndarray, np.ndarray]:
            bsel = good[:, b.start:b.stop]
            if not bsel.any():
                return np.zeros((n_w, le + 1)), np.zeros((n_w, le + 1))
            # n_est counts the finite estimation ARs of an OK event (the days its fit used)
            return grank_partials(b.est_ar, self._est_ranks(b), y[:, b.start:b.stop], bsel,
                                  self.fit.n_est[b.start:b.stop])

        parts = self._map_blocks(block)
        total = np.sum([t for t, _ in parts], axis=0)
        count = np.sum([c for _, c in parts], axis=0)
        return total, count, usable

    def panel(self, w: int, keep: np.ndarray | None = None, group: GroupSummary | None = None,
              seed=0) -> WindowPanel:
        """Test inputs of window number ``w`` for the OK event-firms selected by ``keep``.

        Pass ``group`` (from :meth:`group_summary` with the same ``keep``) to reuse it across windows;
        ``seed`` (int or ``numpy.random.Generator``) drives the bootstrap tests.
        """
        sel = self.ok if keep is None else self.ok & np.asarray(keep, dtype=bool)
        m = self.measures[w]
        return WindowPanel(
            window=self.windows[w], car=m.car[sel], bhar=m.bhar[sel], car_se=m.car_se[sel],
            dof=self.fit.dof[sel], summary=group if group is not None else (lambda: self.group_summary(keep)),
            sigma2=self.fit.sigma2[sel], conventions=self.conventions, seed=seed,
            grank=lambda: self.grank_inputs(w, keep),
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
    chunk_size: int = 1024,
    n_jobs: int = 1,
    executor: Executor | None = None,
    ranks: bool = True,
    keep_arrays: bool = True,
    event_period: tuple[int, int] | None = None,
    returns_kind: str = "simple",
    conventions: str = "default",
) -> CoreResult:
    """Run the event study for E event-firms.

    Parameters
    ----------
    model, returns, bench, bcol, factors, rf : see :func:`eventstudy.core.abnormal.compute_abnormal`.
    day0 : (E,) int day-0 row, -1 when day 0 is past the sample. col : (E,) int firm column, -1 if absent.
    windows : event windows ``[(a, b), ...]`` in sessions, ends included; all must start after
        ``estimation[1]``.
    min_estimation_obs : events with fewer usable estimation days get status ``FEW_OBS``.
    chunk_size : events per block; blocks keep the ``(L, block)`` temporaries cache-sized
        (1024 events x 240 days = 2 MB per array, about one core's L2 cache: measured fastest
        of 512..8192 at 100k windows) and bound memory. Results do not depend on it.
    n_jobs : threads working on blocks (``concurrent.futures.ThreadPoolExecutor``); results
        do not depend on it.
    executor : any ``concurrent.futures.Executor`` to fan the blocks out instead, e.g. a Dask
        cluster's ``distributed.Client(...).get_executor()`` for very large runs (the ``dask``
        extra); blocks are independent, so Dask does all the scheduling.
    ranks : compute the Corrado ranks (about a third of the run time for large runs); with
        False the rank test reports "no ranks".
    keep_arrays : keep the ``(Le, E)`` estimation-span arrays so that tests can be run for any
        group later (``group_summary(keep)``) and GRANK; False keeps only the per-block partial
        sums of all events (overall tests), which bounds memory for very large runs.
    event_period : (a, b) offsets of the event period ranked together with the estimation window
        (Corrado ranks) and covered by the event-window arrays; default
        :data:`DEFAULT_EVENT_PERIOD` widened to cover the windows (:func:`resolve_event_period`).
        A window's statistics never depend on the other windows requested.
    returns_kind : "simple" or "log" daily returns in ``returns`` (and the benchmark/factors).
        CARs sum the ARs of that kind; BHARs always compound SIMPLE returns (log inputs are
        converted with ``expm1``).
    conventions : "default" or "estudy2" (:data:`eventstudy.core.statistics.CONVENTIONS`).

    Returns
    -------
    CoreResult
    """
    day0 = np.asarray(day0, dtype=np.intp)
    col = np.asarray(col, dtype=np.intp)
    if returns_kind not in RETURN_KINDS:
        raise ValueError(f"unknown returns kind {returns_kind!r}; choose one of {', '.join(RETURN_KINDS)}")
    conventions = check_conventions(conventions)
    event_period = resolve_event_period(windows, event_period, estimation)
    if estimation[1] >= event_period[0]:
        raise ValueError(f"estimation window {estimation} must end before the event period {event_period} "
                         f"and every event window {windows}")
    if bcol is not None:
        bcol = np.asarray(bcol, dtype=np.intp)
    # series-major (Fortran) order once: every event window is then a contiguous run of memory
    returns = np.asfortranarray(returns, dtype=np.float64)
    bench = None if bench is None else np.asfortranarray(bench, dtype=np.float64)
    factors = None if factors is None else np.ascontiguousarray(factors, dtype=np.float64)

    # Events are processed in column blocks so that every (L, block) temporary stays in cache;
    # this is a loop over blocks of thousands of events, each block fully vectorised. numpy and
    # the numba kernels release the GIL, so blocks can run on a thread pool (n_jobs > 1).
    def block(s: slice) -> CoreResult:
        return _run_block(
            model, returns, day0[s], col[s], windows, estimation, min_estimation_obs,
            bench, None if bcol is None else bcol[s], factors, rf, ranks, keep_arrays,
            event_period, returns_kind, conventions,
        )

    slices = [slice(i, i + chunk_size) for i in range(0, max(len(day0), 1), chunk_size)]
    parts = list(executor.map(block, slices)) if executor is not None else thread_map(block, slices, n_jobs)
    return replace(_join(parts), event_period=event_period, returns=returns_kind, conventions=conventions,
                   n_jobs=max(1, int(n_jobs)) if executor is None else 1)


def _run_block(model, returns, day0, col, windows, estimation, min_estimation_obs, bench, bcol, factors, rf, ranks,
               keep_arrays, event_period, returns_kind, conventions) -> CoreResult:
    lo, hi = event_period
    status = np.full(len(day0), OK, dtype=np.intp)
    status[col < 0] = NO_SERIES
    status[day0 < 0] = NO_DAY0
    fit = compute_abnormal(
        model, returns, np.where(day0 < 0, 0, day0), np.where(col < 0, 0, col),
        estimation=estimation, event=(lo, hi), bench=bench, bcol=bcol, factors=factors, rf=rf,
        conventions=conventions,
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
    measures = all_window_measures(fit, windows, returns_kind)
    ma_est, mean_est = demean_columns(fit.est_raw)
    ma_ev = fit.raw - mean_est
    fit = replace(fit, est_raw=None)  # (Le, B) raw returns: not needed past here, and 1/5 of peak memory
    span_offsets = np.concatenate([fit.est_offsets, fit.ev_offsets])
    u_t = k_est = None
    if ranks:
        u_t, k_est = rank_span(fit.est_ar, fit.ar)
    if keep_arrays:
        partials = None  # reduced from the kept arrays when a test first needs them
        block = Block(start=0, stop=len(day0), partials=partials, est_ar=fit.est_ar, ma_est=ma_est, u_t=u_t,
                      k_est=k_est)
    else:
        partials = _partials(fit.est_ar, ma_est, u_t, status == OK, len(span_offsets))
        block = Block(start=0, stop=len(day0), partials=partials, est_ar=None, ma_est=None, u_t=None)
    return CoreResult(
        fit=fit, status=status, windows=list(windows), measures=measures,
        span_offsets=span_offsets, ma_ev=ma_ev, blocks=[block],
    )


def _cat(arrays: list, axis: int):
    return None if arrays[0] is None else np.concatenate(arrays, axis=axis)


def _join(parts: list[CoreResult]) -> CoreResult:
    """Concatenate block results along the event axis (axis 1 of (L, E), axis 0 of (E, ...)).

    Only the small arrays (per-event vectors and event-window arrays) are concatenated; the
    estimation-span arrays stay in their blocks.
    """
    fits = [p.fit for p in parts]
    ols = None
    if fits[0].ols is not None:
        o = [f.ols for f in fits]
        ols = BatchOLS(
            coef=_cat([x.coef for x in o], 0), n=_cat([x.n for x in o], 0), dof=_cat([x.dof for x in o], 0),
            sigma2=_cat([x.sigma2 for x in o], 0), resid=None, xbar=_cat([x.xbar for x in o], 0),
            sxx_inv=_cat([x.sxx_inv for x in o], 0),
        )
    fit = replace(
        fits[0],
        ar=_cat([f.ar for f in fits], 1), raw=None, expected=None, ev_x=None, est_ar=None, est_raw=None, n_est=_cat([f.n_est for f in fits], 0),
        dof=_cat([f.dof for f in fits], 0), sigma2=_cat([f.sigma2 for f in fits], 0),
        coef=_cat([f.coef for f in fits], 0), ols=ols, mkt_all=_cat([f.mkt_all for f in fits], 0),
    )
    measures = [
        WindowMeasures(
            car=_cat([p.measures[w].car for p in parts], 0), car_var=_cat([p.measures[w].car_var for p in parts], 0),
            n_days=_cat([p.measures[w].n_days for p in parts], 0), bhar=_cat([p.measures[w].bhar for p in parts], 0),
        )
        for w in range(len(parts[0].windows))
    ]
    blocks, start = [], 0
    for p in parts:
        b = p.blocks[0]
        blocks.append(replace(b, start=start, stop=start + b.stop))
        start += b.stop
    return CoreResult(
        fit=fit, status=_cat([p.status for p in parts], 0), windows=parts[0].windows, measures=measures,
        span_offsets=parts[0].span_offsets, ma_ev=_cat([p.ma_ev for p in parts], 1), blocks=blocks,
    )
