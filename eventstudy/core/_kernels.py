"""Hot loops, each written twice: a vectorised numpy/scipy twin (``*_python``) and a loop
version compiled by numba when it is installed (``*_nb``; see :mod:`eventstudy.core._numba`).
The public name picks the compiled kernel when available; tests check the twins agree.

Layout: 2-D arrays have rows = event time, columns = event-firms ``(L, E)``, except the rank
and ``col_sum_count`` kernels, which take event-major ``(E, L)`` arrays; ``keep`` is a boolean
``(E,)`` selection of event-firms (a group). NaN marks a missing day.
"""

from __future__ import annotations

import numpy as np

from ._numba import HAS_NUMBA, jit

# ---------------------------------------------------------------- ranks per event


def rank_rows_python(a: np.ndarray) -> np.ndarray:
    """Standardised ranks ``K / (1 + m)`` within each ROW of ``a`` (E, L), NaN kept as NaN.

    ``K`` = average rank (1 = smallest, ties averaged) among the row's ``m`` finite values
    (Corrado & Zivney 1992 standardisation, which allows missing days).
    """
    from scipy import stats  # here: importing the kernels must not load scipy.stats (slow)

    m = np.isfinite(a).sum(axis=1, keepdims=True)
    return stats.rankdata(a, axis=1, nan_policy="omit").astype(np.float64) / (1.0 + m)


def rank_rows_split_python(a: np.ndarray, le: int) -> tuple[np.ndarray, np.ndarray]:
    """Standardised ranks of each row of ``a`` (E, L) (:func:`rank_rows_python`) and the raw ranks
    ``K`` (1 = smallest, ties averaged, NaN kept) of its first ``le`` columns among themselves,
    ``(E, le)`` float32 (exact: ranks are multiples of 1/2 below 2^23)."""
    from scipy import stats

    sub = stats.rankdata(a[:, :le], axis=1, nan_policy="omit")
    return rank_rows_python(a), np.ascontiguousarray(sub, dtype=np.float32)


def rank_keys_loop(est: np.ndarray, ev: np.ndarray, nb: int) -> np.ndarray:  # pragma: no cover - compiled by numba
    """Sort keys of each event's span: ``est`` (Le, E) then ``ev`` (Lv, E), as (E, Le + Lv) rows.

    Each value's float64 bits are mapped to an unsigned integer of the same order and the low
    ``nb`` bits replaced by its column in the span (``Le + Lv <= 2**nb``). Sorting these
    integers (numpy's vectorised sort) orders each row by value and carries each value's column
    along, which is much faster than an argsort. Keys equal above the low ``nb`` bits (values
    closer than ~2^(nb-52) relative, and exact ties) are re-ordered exactly by
    :func:`rank_rows_split_loop`. Non-finite values get the largest keys (missing, sorted last);
    -0.0 is keyed as +0.0 so that the two tie. Reads both inputs row by row (their layout), so
    no event-major copy of the span is needed.
    """
    le, n_ev = est.shape
    lv = ev.shape[0]
    keys = np.empty((n_ev, le + lv), dtype=np.uint64)
    low = np.uint64((1 << nb) - 1)
    high = ~low
    top = np.uint64(1) << np.uint64(63)
    for part in range(2):
        src = est if part == 0 else ev
        bits = src.view(np.uint64)
        off = 0 if part == 0 else le
        for j in range(src.shape[0]):
            for e in range(n_ev):
                v = src[j, e]
                if np.isfinite(v):
                    b = bits[j, e] if v != 0.0 else np.uint64(0)
                    m = ~b if b & top else b | top
                    keys[e, off + j] = (m & high) | np.uint64(off + j)
                else:
                    keys[e, off + j] = high | np.uint64(off + j)
    return keys


rank_keys_nb = jit(rank_keys_loop)


def rank_rows_split_loop(est: np.ndarray, ev: np.ndarray, keys: np.ndarray, nb: int):  # pragma: no cover - compiled by numba
    """Loop twin of :func:`rank_rows_split_python` on the span ``est`` (Le, E) + ``ev`` (Lv, E),
    given its keys (:func:`rank_keys_loop`) with the first ``Le`` and the other columns of each
    row each sorted ascending (:func:`rank_sort_keys`).

    A row in which no two values share their truncated key (the usual case) is ranked in one pass
    over its two sorted parts. Any other row is merged by key into one sorted row (the order one
    sort of the whole row gives) and walked: tied groups of the whole row get their mean
    position, and the estimation days the mean of their positions counted among estimation days
    only (so the estimation-only ranks reuse the one sort). A run of keys equal above the low
    ``nb`` bits is first put in exact float64 order (insertion sort; such runs are rare and
    short), so the ranks are exact. Returns ``(out (E, Le + Lv), sub (E, Le))``.
    """
    le, n_ev = est.shape
    n_t = le + ev.shape[0]
    out = np.empty((n_ev, n_t))  # every entry is written below: ranks, or NaN for a missing day
    sub = np.empty((n_ev, le), dtype=np.float32)
    low = np.uint64((1 << nb) - 1)
    high = ~low
    buf = np.empty(n_t, dtype=np.int64)
    vals = np.empty(n_t)
    k = np.empty(n_t, dtype=np.uint64)
    lv = n_t - le
    for e in range(n_ev):
        ke = keys[e]
        # Fast path, when no two values of the row share their truncated key (the usual case):
        # an estimation day's span rank is its place among estimation days plus the number of
        # event-period days below it, and its estimation-only rank its place alone.
        m_e = le
        while m_e > 0 and (ke[m_e - 1] & high) == high:
            m_e -= 1
        m_v = lv
        while m_v > 0 and (ke[le + m_v - 1] & high) == high:
            m_v -= 1
        for p in range(m_e, le):  # missing days (sorted last in each part)
            idx = np.int64(ke[p] & low)
            out[e, idx] = np.nan
            sub[e, idx] = np.nan
        for q in range(m_v, lv):
            out[e, np.int64(ke[le + q] & low)] = np.nan
        # one pass: the event-period days below each estimation day are written first (they
        # precede it in the span's order); any two neighbours in that order sharing their
        # truncated key send the row to the exact path below, which rewrites it all
        scale = 1.0 / (1.0 + m_e + m_v)
        tie = 0
        prev = high  # no finite key has all high bits set
        q = 0
        for p in range(m_e):
            kp = ke[p]
            while q < m_v and ke[le + q] < kp:
                kv = ke[le + q]
                out[e, np.int64(kv & low)] = (p + q + 1.0) * scale
                tie |= (kv & high) == prev
                prev = kv & high
                q += 1
            idx = np.int64(kp & low)
            out[e, idx] = (p + q + 1.0) * scale
            sub[e, idx] = p + 1.0
            tie |= (kp & high) == prev
            prev = kp & high
        while q < m_v:
            kv = ke[le + q]
            out[e, np.int64(kv & low)] = (m_e + q + 1.0) * scale
            tie |= (kv & high) == prev
            prev = kv & high
            q += 1
        if not tie:
            continue
        i = 0
        j = le
        for o in range(n_t):
            if j >= n_t or (i < le and ke[i] <= ke[j]):
                k[o] = ke[i]
                i += 1
            else:
                k[o] = ke[j]
                j += 1
        m = 0
        while m < n_t and (k[m] & high) != high:
            m += 1
        scale = 1.0 / (1.0 + m)
        i = 0
        seen = 0  # estimation days already passed
        while i < m:
            hi_i = k[i] & high
            if i + 1 >= m or (k[i + 1] & high) != hi_i:  # a value alone in its run: no tie possible
                idx = np.int64(k[i] & low)
                out[e, idx] = (i + 1.0) * scale
                if idx < le:
                    seen += 1
                    sub[e, idx] = seen
                i += 1
                continue
            g = i  # run of equal truncated keys: insertion-sort its columns on the exact values
            while g < m and (k[g] & high) == hi_i:
                idx = np.int64(k[g] & low)
                v = est[idx, e] if idx < le else ev[idx - le, e]
                q = g - i
                while q > 0 and vals[q - 1] > v:
                    buf[q] = buf[q - 1]
                    vals[q] = vals[q - 1]
                    q -= 1
                buf[q] = idx
                vals[q] = v
                g += 1
            n_run = g - i
            s = 0
            while s < n_run:  # exact ties inside the run share their mean position
                t = s
                while t + 1 < n_run and vals[t + 1] == vals[s]:
                    t += 1
                r = (i + 0.5 * (s + t) + 1.0) * scale
                c = 0
                for q in range(s, t + 1):
                    out[e, buf[q]] = r
                    if buf[q] < le:
                        c += 1
                if c:
                    rs = seen + 0.5 * (c - 1) + 1.0
                    for q in range(s, t + 1):
                        if buf[q] < le:
                            sub[e, buf[q]] = rs
                    seen += c
                s = t + 1
            i = g
    return out, sub


rank_rows_split_nb = jit(rank_rows_split_loop)


def rank_sort_keys(est: np.ndarray, ev: np.ndarray, compiled: bool = True) -> tuple[np.ndarray, int]:
    """Keys of each event's span (:func:`rank_keys_loop`), its estimation and its event-period
    columns each sorted, and the index bits ``nb``.

    Two sorts rather than one: numpy's vectorised sort of 64-bit keys is about 4x faster per key
    on rows of at most 256 (one sorting network) than on longer rows, and the default span
    (240 estimation days + an event period) is just over 256; the walk merges the two parts.
    """
    le = est.shape[0]
    nb = max(1, int(le + ev.shape[0] - 1).bit_length())
    keys = (rank_keys_nb if compiled else rank_keys_loop)(est, ev, nb)
    keys[:, :le].sort(axis=1)
    keys[:, le:].sort(axis=1)
    return keys, nb


def rank_span(est: np.ndarray, ev: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ranks of each event's span, estimation days ``est`` (Le, E) then event period ``ev`` (Lv, E).

    Returns ``(u, k)``: ``u`` (E, Le + Lv) the standardised ranks over the whole span and ``k``
    (E, Le) float32 the raw ranks of the estimation days among themselves, as
    :func:`rank_rows_split_python` of the event-major span with ``le = Le``; from one integer
    sort per part (numba), else the scipy twin. Non-finite values are missing (NaN rank) in both.
    """
    est = np.ascontiguousarray(est, dtype=np.float64)
    ev = np.ascontiguousarray(ev, dtype=np.float64)
    if not HAS_NUMBA:
        span = np.concatenate([est, ev], axis=0).T
        return rank_rows_split_python(np.where(np.isfinite(span), span, np.nan), est.shape[0])
    return rank_rows_split_nb(est, ev, *rank_sort_keys(est, ev))


# ---------------------------------------------------------------- column demeaning


def demean_columns_python(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(x - mean, mean)`` per column of (L, E), the mean over the column's finite values
    (NaN where it has none; NaN entries stay NaN)."""
    mask = np.isfinite(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(mask, x, 0.0).sum(axis=0) / mask.sum(axis=0)
    return x - mean, mean


def demean_columns_loop(x: np.ndarray) -> np.ndarray:  # pragma: no cover - compiled by numba
    """Loop twin of :func:`demean_columns_python` (two row-major passes)."""
    n_t, n_ev = x.shape
    total = np.zeros(n_ev)
    count = np.zeros(n_ev)
    for t in range(n_t):
        for e in range(n_ev):
            v = x[t, e]
            if np.isfinite(v):
                total[e] += v
                count[e] += 1.0
    mean = np.full(n_ev, np.nan)
    for e in range(n_ev):
        if count[e] > 0:
            mean[e] = total[e] / count[e]
    out = np.empty((n_t, n_ev))
    for t in range(n_t):
        for e in range(n_ev):
            out[t, e] = x[t, e] - mean[e]
    return out, mean


demean_columns_nb = jit(demean_columns_loop)


def demean_columns(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Column demeaning (see :func:`demean_columns_python`), compiled when numba is available."""
    if not HAS_NUMBA:
        return demean_columns_python(x)
    return demean_columns_nb(np.ascontiguousarray(x, dtype=np.float64))


# ---------------------------------------------------------------- masked row sums


def row_sum_count_python(x: np.ndarray, keep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(L,) sums and counts of the finite values of the kept columns on each row.

    Partial sums, so blocks of events can be combined: ``mean_t = sum_t / count_t``.
    """
    sub = x[:, keep]
    mask = np.isfinite(sub)
    return np.where(mask, sub, 0.0).sum(axis=1), mask.sum(axis=1).astype(np.float64)


def row_sum_count_loop(x: np.ndarray, keep: np.ndarray):  # pragma: no cover - compiled by numba
    """Loop twin of :func:`row_sum_count_python` (row-major traversal).

    Branch-free inner loop (selects, not jumps) so that, compiled with ``reassoc``, each row's
    sum runs in SIMD lanes.
    """
    n_t, n_ev = x.shape
    total = np.zeros(n_t)
    count = np.zeros(n_t)
    on = np.zeros(n_ev)
    for e in range(n_ev):
        if keep[e]:
            on[e] = 1.0
    for t in range(n_t):
        acc = 0.0
        c = 0.0
        for e in range(n_ev):
            v = x[t, e]
            f = on[e] if np.isfinite(v) else 0.0
            acc += v if f > 0.0 else 0.0
            c += f
        total[t] = acc
        count[t] = c
    return total, count


row_sum_count_nb = jit(row_sum_count_loop, reassoc=True)


def row_sum_count(x: np.ndarray, keep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Masked row sums and counts (see :func:`row_sum_count_python`), compiled when numba is available."""
    if not HAS_NUMBA:
        return row_sum_count_python(x, keep)
    return row_sum_count_nb(np.ascontiguousarray(x, dtype=np.float64), np.ascontiguousarray(keep, dtype=np.bool_))


def col_sum_count_python(x: np.ndarray, keep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Event-major twin of :func:`row_sum_count_python`: ``x`` is (E, L), sums run over kept rows."""
    return row_sum_count_python(x.T, keep)


def col_sum_count_loop(x: np.ndarray, keep: np.ndarray):  # pragma: no cover - compiled by numba
    """Loop twin of :func:`col_sum_count_python` (event-major traversal)."""
    n_ev, n_t = x.shape
    total = np.zeros(n_t)
    count = np.zeros(n_t)
    for e in range(n_ev):
        if keep[e]:
            for t in range(n_t):
                v = x[e, t]
                if np.isfinite(v):
                    total[t] += v
                    count[t] += 1.0
    return total, count


col_sum_count_nb = jit(col_sum_count_loop)


def col_sum_count(x: np.ndarray, keep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Masked sums and counts over the kept events of an event-major (E, L) array."""
    if not HAS_NUMBA:
        return col_sum_count_python(x, keep)
    return col_sum_count_nb(np.ascontiguousarray(x, dtype=np.float64), np.ascontiguousarray(keep, dtype=np.bool_))


# ---------------------------------------------------------------- residual summaries


def residual_partials_python(x: np.ndarray, keep: np.ndarray) -> tuple[np.ndarray, int, float, int, float, float]:
    """Partial sums for the cross-correlation and sign inputs from estimation residuals ``x`` (Le, E).

    Returns ``(row_total, n, p_sum, p_n, pos, obs)``: ``row_total`` (Le,) the row sums of the
    demeaned, unit-norm kept columns (missing days contribute 0; columns with < 3 days or zero
    variance are left out), ``n`` the number of such columns, ``p_sum`` the sum over kept columns
    with data of their share of positive residuals, ``p_n`` the number of those columns, ``pos``
    and ``obs`` the pooled counts of positive and of available residuals. Over all blocks:
    ``r_bar = (||row_total||^2 - n) / (n (n - 1))``, ``p_hat = p_sum / p_n`` (per event, then
    averaged) and the pooled ``p_hat = pos / obs`` (estudy2).
    """
    sub = x[:, keep]
    mask = np.isfinite(sub)
    count = mask.sum(axis=0)
    zero = np.where(mask, sub, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        have = count > 0
        p_sum = float(((zero > 0).sum(axis=0)[have] / count[have]).sum())
        mean = zero.sum(axis=0) / count
        dev = np.where(mask, sub - mean, 0.0)
        norm = np.sqrt((dev**2).sum(axis=0))
        use = (count >= 3) & (norm > 0)
        total = (dev[:, use] / norm[use]).sum(axis=1)
    return total, int(use.sum()), p_sum, int(have.sum()), float((zero > 0).sum()), float(count.sum())


def residual_partials_loop(x: np.ndarray, keep: np.ndarray):  # pragma: no cover - compiled by numba
    """Loop twin of :func:`residual_partials_python` (three row-major passes, no temporaries)."""
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
    pos_all = 0.0
    obs_all = 0.0
    scale = np.zeros(n_ev)
    for e in range(n_ev):
        if keep[e] and count[e] > 0:
            p_sum += pos[e] / count[e]
            p_n += 1
            pos_all += pos[e]
            obs_all += count[e]
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
    return row_total, n, p_sum, p_n, pos_all, obs_all


residual_partials_nb = jit(residual_partials_loop, reassoc=True)


def residual_partials(x: np.ndarray, keep: np.ndarray) -> tuple[np.ndarray, int, float, int, float, float]:
    """See :func:`residual_partials_python`; compiled when numba is available."""
    if not HAS_NUMBA:
        return residual_partials_python(x, keep)
    tot, n, p_sum, p_n, pos, obs = residual_partials_nb(
        np.ascontiguousarray(x, dtype=np.float64), np.ascontiguousarray(keep, dtype=np.bool_)
    )
    return tot, int(n), float(p_sum), int(p_n), float(pos), float(obs)


# ---------------------------------------------------------------- GRANK ranks


def grank_partials_python(est: np.ndarray, k_est: np.ndarray, y: np.ndarray, keep: np.ndarray,
                          n_obs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sums and counts of the GRANK standardised ranks (Kolari & Pynnönen 2011) of one block.

    Parameters
    ----------
    est : (Le, B) estimation-window abnormal returns (NaN = missing day).
    k_est : (B, Le) ranks of ``est`` within each event's estimation window (1 = smallest, ties
        averaged, NaN kept), event-major as the rank kernel writes them.
    y : (W, B) the event point of each of W windows on the scale of ``est``: ``SCAR*_i * S_AR_i``
        (comparing ``est`` with ``y`` is comparing the estimation SARs with the re-standardised SCAR).
    keep : (W, B) events to use in each window (those with a finite ``y``).
    n_obs : (B,) number of finite values in each column of ``est``.

    Returns
    -------
    (sum, count) : (W, Le + 1) sums and counts over kept events of ``U_it = K_it / (T_i + 1) - 1/2``,
    ``K_it`` the rank of each point among the event's estimation days plus the event point,
    ``T_i = n_obs_i + 1``; the last column is the event point.
    """
    totals, counts = [], []
    for yw, kw in zip(np.atleast_2d(y), np.atleast_2d(keep)):
        use = kw & np.isfinite(yw) & (n_obs > 0)
        sub, k, yy = est[:, use], k_est[use].T.astype(np.float64), yw[use]
        fin = np.isfinite(sub)
        scale = 1.0 / (n_obs[use] + 2.0)  # 1 / (T_i + 1)
        above = (sub > yy) + 0.5 * (sub == yy)
        u = np.where(fin, (k + above) * scale - 0.5, 0.0)
        k0 = 1.0 + (sub < yy).sum(axis=0) + 0.5 * (sub == yy).sum(axis=0)
        totals.append(np.append(u.sum(axis=1), (k0 * scale - 0.5).sum()))
        counts.append(np.append(fin.sum(axis=1), use.sum()).astype(np.float64))
    return np.array(totals), np.array(counts)


def grank_scales(y: np.ndarray, keep: np.ndarray, n_obs: np.ndarray) -> np.ndarray:
    """(W, B) ``1 / (T_i + 1)`` of each event used in each window (0 for one left out)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(keep & np.isfinite(y) & (n_obs > 0), 1.0 / (n_obs + 2.0), 0.0)


def grank_partials_loop(est: np.ndarray, k_est: np.ndarray, y: np.ndarray, scale: np.ndarray):  # pragma: no cover - compiled by numba
    """Loop twin of :func:`grank_partials_python` for all windows at once; ``scale`` from
    :func:`grank_scales`.

    The comparisons take one row-major pass over ``est`` (Le, B): each row is read once and
    compared, while it is in cache, with every window's event points. An estimation day above
    the event point gains 1 in rank (1/2 when tied), a day below adds 1 to the event point's
    rank, so both come from the same comparison. The estimation-only ranks' share
    ``sum_i scale_wi K_it`` is then added along each event's contiguous row of ``k_est`` (B, Le).
    """
    n_t, n_ev = est.shape
    n_w = y.shape[0]
    below = np.zeros((n_w, n_ev))
    total = np.zeros((n_w, n_t + 1))
    count = np.zeros((n_w, n_t + 1))
    for t in range(n_t):
        for w in range(n_w):
            acc = 0.0
            c = 0.0
            for e in range(n_ev):
                v = est[t, e]
                if scale[w, e] > 0 and v == v:
                    ye = y[w, e]
                    gt = 1.0 if v > ye else 0.0
                    tie = 0.5 if v == ye else 0.0
                    below[w, e] += 1.0 - gt - tie
                    acc += (gt + tie) * scale[w, e] - 0.5
                    c += 1.0
            total[w, t] = acc
            count[w, t] = c
    for w in range(n_w):
        for e in range(n_ev):
            sc = scale[w, e]
            if sc > 0:
                total[w, n_t] += (1.0 + below[w, e]) * sc - 0.5
                count[w, n_t] += 1.0
                for t in range(n_t):
                    kv = np.float64(k_est[e, t])
                    total[w, t] += sc * kv if kv == kv else 0.0  # a missing day has no rank (and no count)
    return total, count


grank_partials_nb = jit(grank_partials_loop, reassoc=True)


def grank_partials(est: np.ndarray, k_est: np.ndarray, y: np.ndarray, keep: np.ndarray,
                   n_obs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """See :func:`grank_partials_python`; compiled when numba is available."""
    y, keep = np.atleast_2d(y), np.atleast_2d(keep)
    if not HAS_NUMBA:
        return grank_partials_python(est, k_est, y, keep, n_obs)
    y = np.ascontiguousarray(y, dtype=np.float64)
    scale = grank_scales(y, np.asarray(keep, dtype=np.bool_), np.asarray(n_obs, dtype=np.float64))
    return grank_partials_nb(np.ascontiguousarray(est, dtype=np.float64), np.ascontiguousarray(k_est), y, scale)


# ---------------------------------------------------------------- one-regressor OLS


def ols1_loop(y: np.ndarray, x: np.ndarray):  # pragma: no cover - compiled by numba
    """Masked OLS ``y = a + b x`` for every column of (L, E) arrays, three row-major passes.

    Loop twin of :func:`eventstudy.core.ols.fit_masked_ols` with one regressor (the market
    model): rows where y or x is NaN are skipped per column. Returns ``(n, ybar, xbar, sxx,
    sxy, ssr, resid)``; ``resid`` is NaN on skipped rows; centred sums as in the numpy path.
    """
    n_t, n_ev = y.shape
    n = np.zeros(n_ev, dtype=np.int64)
    sy = np.zeros(n_ev)
    sx = np.zeros(n_ev)
    for t in range(n_t):
        for e in range(n_ev):
            yv = y[t, e]
            xv = x[t, e]
            if np.isfinite(yv) and np.isfinite(xv):
                n[e] += 1
                sy[e] += yv
                sx[e] += xv
    ybar = np.full(n_ev, np.nan)
    xbar = np.full(n_ev, np.nan)
    for e in range(n_ev):
        if n[e] > 0:
            ybar[e] = sy[e] / n[e]
            xbar[e] = sx[e] / n[e]
    sxx = np.zeros(n_ev)
    sxy = np.zeros(n_ev)
    for t in range(n_t):
        for e in range(n_ev):
            yv = y[t, e]
            xv = x[t, e]
            if np.isfinite(yv) and np.isfinite(xv):
                dx = xv - xbar[e]
                sxx[e] += dx * dx
                sxy[e] += dx * (yv - ybar[e])
    slope = np.full(n_ev, np.nan)
    for e in range(n_ev):
        if n[e] > 2 and sxx[e] > 0:
            slope[e] = sxy[e] / sxx[e]
    resid = np.full((n_t, n_ev), np.nan)
    ssr = np.zeros(n_ev)
    for t in range(n_t):
        for e in range(n_ev):
            yv = y[t, e]
            xv = x[t, e]
            if np.isfinite(yv) and np.isfinite(xv):
                r = (yv - ybar[e]) - slope[e] * (xv - xbar[e])
                resid[t, e] = r
                ssr[e] += r * r
    return n, ybar, xbar, sxx, sxy, ssr, resid


ols1_nb = jit(ols1_loop)


# ---------------------------------------------------------------- window gathering


def gather_loop(flat: np.ndarray, n_rows: int, day0: np.ndarray, cols: np.ndarray, start: int, length: int):  # pragma: no cover
    """Gather ``(length, E)`` windows from a series-major flat buffer (Fortran-ordered (T, N) matrix).

    ``out[l, e] = values[day0[e] + start + l, cols[e]]``, NaN outside ``0 .. n_rows - 1``.
    Loop twin of :func:`eventstudy.core.windows.gather` (one pass, no index temporaries).
    """
    n_ev = day0.shape[0]
    out = np.empty((length, n_ev))
    for l in range(length):
        for e in range(n_ev):
            r = day0[e] + start + l
            if 0 <= r < n_rows:
                out[l, e] = flat[cols[e] * n_rows + r]
            else:
                out[l, e] = np.nan
    return out


gather_nb = jit(gather_loop)


# ---------------------------------------------------------------- calendar-time membership


def membership_python(n_rows: int, n_cols: int, day0: np.ndarray, col: np.ndarray, a: int, b: int) -> np.ndarray:
    """(T, N) bool, firm ``col[e]`` inside ``[day0[e] + a, day0[e] + b]`` (clipped to the rows) for
    some event ``e``; events with ``day0 < 0`` or ``col < 0`` are ignored. A difference array and
    a cumulative sum, no loop over events."""
    ok = (day0 >= 0) & (col >= 0)
    start = np.clip(day0[ok] + a, 0, n_rows)
    stop = np.clip(day0[ok] + b + 1, 0, n_rows)
    diff = np.zeros((n_rows + 1) * n_cols, dtype=np.int64)
    diff += np.bincount(start * n_cols + col[ok], minlength=diff.size)
    diff -= np.bincount(stop * n_cols + col[ok], minlength=diff.size)
    return np.cumsum(diff.reshape(n_rows + 1, n_cols), axis=0)[:n_rows] > 0


def membership_loop(n_rows: int, n_cols: int, day0: np.ndarray, col: np.ndarray, a: int, b: int):  # pragma: no cover - compiled by numba
    """Loop twin of :func:`membership_python`: each event marks its own days (no (T, N) cumulative sum)."""
    out = np.zeros((n_rows, n_cols), dtype=np.bool_)
    for e in range(day0.shape[0]):
        if day0[e] < 0 or col[e] < 0:
            continue
        for t in range(max(day0[e] + a, 0), min(day0[e] + b + 1, n_rows)):
            out[t, col[e]] = True
    return out


membership_nb = jit(membership_loop)


# ---------------------------------------------------------------- signed ranks (Wilcoxon)


def signed_rank_sums_python(x: np.ndarray) -> tuple[int, float, float]:
    """``(n, W+, sum(t^3 - t))`` of the finite non-zero values of ``x`` (Wilcoxon drops zeros).

    ``W+`` = sum of the ranks of ``|x|`` (1 = smallest, ties averaged) of the positive values;
    ``t`` runs over the sizes of tied groups of ``|x|``. One argsort gives all three.
    """
    x = np.asarray(x, dtype=np.float64)
    x = x[np.isfinite(x) & (x != 0)]
    n = len(x)
    if n == 0:
        return 0, 0.0, 0.0
    a = np.abs(x)
    order = np.argsort(a)
    sa = a[order]
    starts = np.flatnonzero(np.r_[True, sa[1:] != sa[:-1]])  # first position of each tied group
    sizes = np.diff(np.r_[starts, n])
    mean_rank = starts + (sizes + 1) / 2.0  # average 1-based rank of each group
    positive = np.add.reduceat((x[order] > 0).astype(np.float64), starts)
    return n, float(positive @ mean_rank), float((sizes.astype(np.float64) ** 3 - sizes).sum())


def signed_rank_sums_loop(x: np.ndarray):  # pragma: no cover - compiled by numba
    """Loop twin of :func:`signed_rank_sums_python`: an LSD radix sort of integer keys, no argsort.

    Each key is the bits of ``|x|`` (order-preserving for non-negative floats) shifted left by
    one, its sign in the freed low bit, so one sort orders by ``|x|`` and carries the sign
    exactly; 11-bit digits, a pass skipped when every key has the same digit (the exponents of
    CARs share their top bits). numpy's comparison sort of 10^5 floats is ~4x slower.
    """
    n_in = x.shape[0]
    keys = np.empty(n_in, dtype=np.uint64)
    bits = np.abs(x).view(np.uint64)
    n = 0
    for i in range(n_in):
        v = x[i]
        if np.isfinite(v) and v != 0.0:
            keys[n] = (bits[i] << np.uint64(1)) | np.uint64(1 if v > 0 else 0)
            n += 1
    if n == 0:
        return 0, 0.0, 0.0
    src = keys[:n].copy()
    dst = np.empty(n, dtype=np.uint64)
    count = np.zeros(2048, dtype=np.int64)
    for shift in range(0, 64, 11):
        sh = np.uint64(shift)
        count[:] = 0
        for i in range(n):
            count[np.int64((src[i] >> sh) & np.uint64(2047))] += 1
        if count.max() == n:
            continue
        total = 0
        for d in range(2048):
            c = count[d]
            count[d] = total
            total += c
        for i in range(n):
            d = np.int64((src[i] >> sh) & np.uint64(2047))
            dst[count[d]] = src[i]
            count[d] += 1
        src, dst = dst, src
    w_plus = 0.0
    ties = 0.0
    i = 0
    while i < n:  # tied groups of |x|: same key above the sign bit
        v = src[i] >> np.uint64(1)
        j = i
        pos = 0
        while j < n and (src[j] >> np.uint64(1)) == v:
            pos += np.int64(src[j] & np.uint64(1))
            j += 1
        t = j - i
        w_plus += pos * (i + (t + 1) / 2.0)
        ties += float(t) ** 3 - t
        i = j
    return n, w_plus, ties


signed_rank_sums_nb = jit(signed_rank_sums_loop)


def signed_rank_sums(x: np.ndarray) -> tuple[int, float, float]:
    """See :func:`signed_rank_sums_python`; compiled when numba is available."""
    if not HAS_NUMBA:
        return signed_rank_sums_python(x)
    n, w_plus, ties = signed_rank_sums_nb(np.ascontiguousarray(x, dtype=np.float64))
    return int(n), float(w_plus), float(ties)


# ---------------------------------------------------------------- bootstrap skewness-adjusted t


def skew_t_rows_python(x: np.ndarray, idx: np.ndarray, center: float) -> np.ndarray:
    """``t_sa`` (Lyon, Barber & Tsai 1999, eq. 5) of each resample ``x[idx[b]]`` (``idx`` (B, n)),
    its mean measured from ``center``; NaN for a resample with zero variance."""
    draws = x[idx]
    n = draws.shape[1]
    m = draws.mean(axis=1)
    dev = draws - m[:, None]
    dev2 = dev * dev
    s = np.sqrt(dev2.sum(axis=1) / (n - 1))
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = (m - center) / s
        g = (dev2 * dev).sum(axis=1) / (n * s**3)
        return np.sqrt(n) * (ratio + g * ratio**2 / 3 + g / (6 * n))


def skew_t_rows_loop(x: np.ndarray, idx: np.ndarray, center: float):  # pragma: no cover - compiled by numba
    """Loop twin of :func:`skew_t_rows_python`: each resample gathered once into a cache-resident
    row and reduced there (two passes), no (B, n) temporaries."""
    n_b, n = idx.shape
    out = np.empty(n_b)
    row = np.empty(n)
    for b in range(n_b):
        total = 0.0
        for i in range(n):
            v = x[idx[b, i]]
            row[i] = v
            total += v
        m = total / n
        s2 = 0.0
        s3 = 0.0
        for i in range(n):
            d = row[i] - m
            s2 += d * d
            s3 += d * d * d
        s = np.sqrt(s2 / (n - 1))
        if s > 0:
            ratio = (m - center) / s
            g = s3 / (n * s**3)
            out[b] = np.sqrt(n) * (ratio + g * ratio**2 / 3 + g / (6 * n))
        else:
            out[b] = np.nan
    return out


skew_t_rows_nb = jit(skew_t_rows_loop, reassoc=True)


def skew_t_rows(x: np.ndarray, idx: np.ndarray, center: float) -> np.ndarray:
    """See :func:`skew_t_rows_python`; compiled when numba is available."""
    if not HAS_NUMBA:
        return skew_t_rows_python(x, idx, center)
    return skew_t_rows_nb(np.ascontiguousarray(x, dtype=np.float64), np.ascontiguousarray(idx, dtype=np.int64),
                          float(center))


# ---------------------------------------------------------------- window measures


def window_measures_loop(ar: np.ndarray, raw: np.ndarray, expected: np.ndarray, x: np.ndarray,
                         starts: np.ndarray, stops: np.ndarray, var_kind: int, sigma2: np.ndarray,
                         n_fit: np.ndarray, xbar: np.ndarray, sxx_inv: np.ndarray, mkt_all: np.ndarray,
                         log_returns: bool):  # pragma: no cover - compiled by numba
    """CAR, its variance, day count and BHAR of every window at once: the loop twin of
    :func:`eventstudy.core.abnormal.window_measures` called window by window.

    ``ar, raw, expected`` (Lv, E) and ``x`` (Lv, E, P) event-period arrays; window ``w`` covers
    rows ``starts[w] .. stops[w] - 1``. ``var_kind``: 0 = nothing estimated (``sigma^2 c``),
    1 = OLS (``sigma^2 (c + c^2 / n + d' S_xx^-1 d)``, ``d = sum_w x - c xbar``), 2 = estudy2's
    market model (``sigma^2 (c + c^2 / n + dev^2 / mkt_all[:, 1])``, ``n = n_fit`` its estimation
    days). Sums and products run over the days with an AR, in row order as numpy's reductions
    do. Returns ``(car, var, c, bhar)``, each (W, E), NaN where a window has no AR.
    """
    n_ev = ar.shape[1]
    n_p = x.shape[2]
    n_w = starts.shape[0]
    car = np.zeros((n_w, n_ev))
    var = np.empty((n_w, n_ev))
    cnt = np.zeros((n_w, n_ev), dtype=np.int64)
    bhar = np.empty((n_w, n_ev))
    gr = np.empty(n_ev)
    ge = np.empty(n_ev)
    xs = np.zeros((n_ev, max(n_p, 1)))
    for w in range(n_w):
        for e in range(n_ev):
            gr[e] = 0.0 if log_returns else 1.0
            ge[e] = 0.0 if log_returns else 1.0
        xs[:, :] = 0.0
        for t in range(starts[w], stops[w]):
            for e in range(n_ev):
                v = ar[t, e]
                if np.isfinite(v):
                    car[w, e] += v
                    cnt[w, e] += 1
                    if log_returns:
                        gr[e] += raw[t, e]
                        ge[e] += expected[t, e]
                    else:
                        gr[e] *= 1.0 + raw[t, e]
                        ge[e] *= 1.0 + expected[t, e]
                    for p in range(n_p):
                        xs[e, p] += x[t, e, p] - (mkt_all[e, 0] if var_kind == 2 else 0.0)
        for e in range(n_ev):
            c = cnt[w, e]
            if c == 0:
                car[w, e] = np.nan
                var[w, e] = np.nan
                bhar[w, e] = np.nan
                continue
            if var_kind == 0:
                var[w, e] = sigma2[e] * c
            elif var_kind == 1:
                lev = c * c / n_fit[e]
                for p in range(n_p):
                    dp = xs[e, p] - c * xbar[e, p]
                    for q in range(n_p):
                        lev += dp * sxx_inv[e, p, q] * (xs[e, q] - c * xbar[e, q])
                var[w, e] = sigma2[e] * (c + lev)
            else:
                var[w, e] = sigma2[e] * (c + c * c / n_fit[e] + xs[e, 0] ** 2 / mkt_all[e, 1])
            if log_returns:
                bhar[w, e] = np.exp(gr[e]) - np.exp(ge[e])
            else:
                bhar[w, e] = gr[e] - ge[e]
    return car, var, cnt, bhar


window_measures_nb = jit(window_measures_loop)
