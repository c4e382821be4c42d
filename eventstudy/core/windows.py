"""Event time: where day 0 falls, and gathering event windows by index arithmetic.

Conventions: ``sessions`` is the sorted array of trading dates (``datetime64[D]``) that
the returns matrix rows follow; offsets are in trading sessions relative to day 0.
"""

from __future__ import annotations

import numpy as np

from ._kernels import gather_nb
from ._numba import HAS_NUMBA

#: Timings whose news reaches the market on the announcement date's own session.
SAME_SESSION_TIMINGS = frozenset({"pre-open", "intraday", "unknown"})


def day0_positions(sessions: np.ndarray, dates: np.ndarray, after_close: np.ndarray) -> np.ndarray:
    """Row index of event day 0 for each event, or -1 when it falls after the last session.

    Parameters
    ----------
    sessions : (T,) datetime64[D], sorted trading sessions.
    dates : (E,) datetime64[D], announcement dates (exchange-local).
    after_close : (E,) bool, True when the news came after that day's close.

    Notes
    -----
    Day 0 is the first session in which the market could react: the announcement
    date's session for pre-open / intraday news, the next session for after-close
    news; an announcement on a non-trading day moves to the next session.
    """
    sessions = np.asarray(sessions, dtype="datetime64[D]")
    dates = np.asarray(dates, dtype="datetime64[D]")
    side = np.where(np.asarray(after_close, dtype=bool), 1, 0)
    left = np.searchsorted(sessions, dates, side="left")
    right = np.searchsorted(sessions, dates, side="right")
    pos = np.where(side == 1, right, left)
    return np.where(pos < len(sessions), pos, -1)


def is_after_close(timings) -> np.ndarray:
    """Boolean array: True where the catalog timing is ``after-close``."""
    return np.asarray([t == "after-close" for t in timings], dtype=bool)


def offsets_range(start: int, end: int) -> np.ndarray:
    """Event-time offsets ``start, start+1, ..., end`` (both ends included)."""
    if end < start:
        raise ValueError(f"window end {end} is before its start {start}")
    return np.arange(start, end + 1, dtype=np.intp)


def gather(values: np.ndarray, day0: np.ndarray, cols: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Gather event windows from a calendar-time matrix by index arithmetic.

    Parameters
    ----------
    values : (T, N) float array, rows = sessions (calendar time), columns = series; fastest
        in Fortran order (``np.asfortranarray``), where each series is contiguous.
    day0 : (E,) int, row of each event's day 0 in ``values``.
    cols : (E,) int, column of each event's series in ``values``.
    offsets : (L,) int, event-time offsets in trading sessions (ends included by the caller).

    Returns
    -------
    (L, E) float64 array; element ``[l, e] = values[day0[e] + offsets[l], cols[e]]``,
    NaN where that row falls outside ``0 .. T-1`` (before the first or after the last session).

    Notes
    -----
    With numba, a Fortran-ordered ``values`` and consecutive offsets, a compiled one-pass
    kernel (:func:`eventstudy.core._kernels.gather_loop`) does the same.
    """
    values = np.asarray(values, dtype=np.float64)
    n_rows, n_cols = values.shape
    offsets = np.asarray(offsets, dtype=np.intp)
    contiguous_offsets = len(offsets) > 0 and bool(np.all(np.diff(offsets) == 1))
    if HAS_NUMBA and values.flags.f_contiguous and contiguous_offsets:
        return gather_nb(values.ravel(order="F"), n_rows, np.asarray(day0, dtype=np.intp),
                         np.asarray(cols, dtype=np.intp), int(offsets[0]), len(offsets))
    rows = day0[None, :] + offsets[:, None]
    inside = (rows >= 0) & (rows < n_rows)
    np.clip(rows, 0, n_rows - 1, out=rows)
    # np.take on the flat buffer is much faster than 2-D fancy indexing. In Fortran order
    # (series-major) each event's window is contiguous, so reads reuse cache lines.
    if values.flags.f_contiguous:
        rows += (cols * n_rows)[None, :]
        out = np.take(values.ravel(order="F"), rows)
    else:
        values = np.ascontiguousarray(values)
        rows *= n_cols
        rows += cols[None, :]
        out = np.take(values.ravel(), rows)
    if not inside.all():
        np.copyto(out, np.nan, where=~inside)
    return out


def gather_rows(values: np.ndarray, day0: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Gather rows of a calendar-time matrix shared by all events (e.g. factors).

    Parameters
    ----------
    values : (T, P) float array of common regressors.
    day0 : (E,) int day-0 rows; offsets : (L,) int event-time offsets.

    Returns
    -------
    (L, E, P) float64 array, NaN outside the sample.
    """
    values = np.asarray(values, dtype=np.float64)
    rows = day0[None, :] + np.asarray(offsets, dtype=np.intp)[:, None]
    inside = (rows >= 0) & (rows < values.shape[0])
    out = np.take(values, np.clip(rows, 0, values.shape[0] - 1), axis=0)
    if not inside.all():
        np.copyto(out, np.nan, where=~inside[:, :, None])
    return out


def overlapping_pairs(keys: np.ndarray, day0: np.ndarray, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of event-firms on the same key whose day 0 falls inside the other's window.

    Parameters
    ----------
    keys : (E,) int, firm code (events on one ticker share a code).
    day0 : (E,) int, day-0 session rows (negative = unknown; never paired).
    lo, hi : int, window ``[lo, hi]`` in sessions around each event's day 0 (both ends included).

    Returns
    -------
    (i, j) : int arrays; event-firm ``j`` (another event on the same key) has its
    day 0 in ``[day0[i] + lo, day0[i] + hi]``. Computed with sorted keys and
    ``searchsorted``, no loop over events.
    """
    keys = np.asarray(keys, dtype=np.int64)
    day0 = np.asarray(day0, dtype=np.int64)
    valid = day0 >= 0
    span = int(max(day0.max(initial=0), 0)) + abs(lo) + abs(hi) + 2
    combined = keys * span + np.where(valid, day0, -span)  # invalid ones never match a valid window
    order = np.argsort(combined, kind="stable")
    sorted_comb = combined[order]
    start = np.searchsorted(sorted_comb, combined + lo, side="left")
    stop = np.searchsorted(sorted_comb, combined + hi, side="right")
    counts = np.where(valid, stop - start, 0)
    i = np.repeat(np.arange(len(keys)), counts)
    # position within each run: global arange minus the run's first cumulative index
    first = np.repeat(np.cumsum(counts) - counts, counts)
    j = order[np.repeat(start, counts) + np.arange(counts.sum()) - first]
    keep = (i != j) & valid[j]
    return i[keep], j[keep]
