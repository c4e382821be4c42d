"""Hot loops, each written twice: a vectorised numpy/scipy twin (``*_python``) and a loop
version compiled by numba when it is installed (``*_nb``; see :mod:`eventstudy.core._numba`).
The public name picks the compiled kernel when available; tests check the twins agree.

Layout: 2-D arrays have rows = event time, columns = event-firms ``(L, E)``; ``keep`` is a
boolean ``(E,)`` column selection (a group of events). NaN marks a missing day.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from ._numba import HAS_NUMBA, jit

# ---------------------------------------------------------------- column ranks


def rank_columns_python(a: np.ndarray) -> np.ndarray:
    """Average ranks (1 = smallest) within each column of ``a`` (L, E), NaN kept as NaN."""
    return stats.rankdata(a, axis=0, nan_policy="omit").astype(np.float64)


def rank_rows_loop(a: np.ndarray) -> np.ndarray:  # pragma: no cover - compiled by numba
    """Average ranks within each ROW of ``a`` (E, L), ties averaged, NaN kept.

    Event-major layout so each event's values are contiguous. The average rank of a
    value v among the m finite values is ``(#{< v} + #{<= v} + 1) / 2``, found by two
    binary searches in the sorted row (exact for ties, no argsort needed).
    """
    n_ev, n_t = a.shape
    out = np.full((n_ev, n_t), np.nan)
    for e in range(n_ev):
        row = a[e]
        srt = np.sort(row)  # NaNs sort last
        m = 0
        for i in range(n_t):
            if np.isfinite(srt[i]):
                m += 1
        finite = srt[:m]
        for i in range(n_t):
            v = row[i]
            if np.isfinite(v):
                lo = np.searchsorted(finite, v, side="left")
                hi = np.searchsorted(finite, v, side="right")
                out[e, i] = 0.5 * (lo + hi + 1)
    return out


rank_rows_nb = jit(rank_rows_loop)


def rank_columns(a: np.ndarray) -> np.ndarray:
    """Column ranks: the numba kernel when available, else the scipy twin."""
    if not HAS_NUMBA:
        return rank_columns_python(a)
    return rank_rows_nb(np.ascontiguousarray(np.asarray(a, dtype=np.float64).T)).T


# ---------------------------------------------------------------- masked row means


def row_mean_python(x: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """(L,) mean over the kept columns with a finite value on each row; NaN where none."""
    sub = x[:, keep]
    mask = np.isfinite(sub)
    count = mask.sum(axis=1)
    total = np.where(mask, sub, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / count, np.nan)


def row_mean_loop(x: np.ndarray, keep: np.ndarray) -> np.ndarray:  # pragma: no cover - compiled by numba
    """Loop twin of :func:`row_mean_python` (row-major traversal)."""
    n_t, n_ev = x.shape
    out = np.full(n_t, np.nan)
    for t in range(n_t):
        total = 0.0
        count = 0
        for e in range(n_ev):
            v = x[t, e]
            if keep[e] and np.isfinite(v):
                total += v
                count += 1
        if count > 0:
            out[t] = total / count
    return out


row_mean_nb = jit(row_mean_loop)


def row_mean(x: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Masked row mean (see :func:`row_mean_python`), compiled when numba is available."""
    if not HAS_NUMBA:
        return row_mean_python(x, keep)
    return row_mean_nb(np.ascontiguousarray(x, dtype=np.float64), np.ascontiguousarray(keep, dtype=np.bool_))


# ---------------------------------------------------------------- residual summaries


def residual_summary_python(x: np.ndarray, keep: np.ndarray) -> tuple[float, float, int]:
    """Cross-correlation and sign inputs from estimation residuals ``x`` (Le, E).

    Returns ``(r_bar, p_hat, n)``: ``r_bar`` the average off-diagonal correlation of the
    demeaned, unit-norm columns (missing days contribute 0; columns with < 3 days or zero
    variance are left out), ``p_hat`` the mean over columns of the share of positive
    residuals, ``n`` the number of columns in ``r_bar``.
    """
    sub = x[:, keep]
    mask = np.isfinite(sub)
    count = mask.sum(axis=0)
    zero = np.where(mask, sub, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        frac_pos = (zero > 0).sum(axis=0) / count
        p_hat = float(frac_pos[count > 0].mean()) if (count > 0).any() else np.nan
        mean = zero.sum(axis=0) / count
        dev = np.where(mask, sub - mean, 0.0)
        norm = np.sqrt((dev**2).sum(axis=0))
        use = (count >= 3) & (norm > 0)
        total = (dev[:, use] / norm[use]).sum(axis=1)
    n = int(use.sum())
    r_bar = float((total @ total - n) / (n * (n - 1))) if n >= 2 else np.nan
    return r_bar, p_hat, n


def residual_summary_loop(x: np.ndarray, keep: np.ndarray):  # pragma: no cover - compiled by numba
    """Loop twin of :func:`residual_summary_python` (three row-major passes, no temporaries)."""
    n_t, n_ev = x.shape
    count = np.zeros(n_ev)
    total = np.zeros(n_ev)
    pos = np.zeros(n_ev)
    for t in range(n_t):
        for e in range(n_ev):
            v = x[t, e]
            if keep[e] and np.isfinite(v):
                count[e] += 1
                total[e] += v
                if v > 0:
                    pos[e] += 1
    mean = np.zeros(n_ev)
    for e in range(n_ev):
        if count[e] > 0:
            mean[e] = total[e] / count[e]
    ss = np.zeros(n_ev)
    for t in range(n_t):
        for e in range(n_ev):
            v = x[t, e]
            if keep[e] and np.isfinite(v):
                ss[e] += (v - mean[e]) ** 2
    p_sum = 0.0
    p_n = 0
    n = 0
    scale = np.zeros(n_ev)
    for e in range(n_ev):
        if keep[e] and count[e] > 0:
            p_sum += pos[e] / count[e]
            p_n += 1
        if keep[e] and count[e] >= 3 and ss[e] > 0:
            scale[e] = 1.0 / np.sqrt(ss[e])
            n += 1
    row_total = np.zeros(n_t)
    for t in range(n_t):
        acc = 0.0
        for e in range(n_ev):
            v = x[t, e]
            if scale[e] > 0 and np.isfinite(v):
                acc += (v - mean[e]) * scale[e]
        row_total[t] = acc
    p_hat = p_sum / p_n if p_n > 0 else np.nan
    r_bar = (np.dot(row_total, row_total) - n) / (n * (n - 1)) if n >= 2 else np.nan
    return r_bar, p_hat, n


residual_summary_nb = jit(residual_summary_loop)


def residual_summary(x: np.ndarray, keep: np.ndarray) -> tuple[float, float, int]:
    """``(r_bar, p_hat, n)`` (see :func:`residual_summary_python`), compiled when numba is available."""
    if not HAS_NUMBA:
        return residual_summary_python(x, keep)
    r, p, n = residual_summary_nb(np.ascontiguousarray(x, dtype=np.float64), np.ascontiguousarray(keep, dtype=np.bool_))
    return float(r), float(p), int(n)
