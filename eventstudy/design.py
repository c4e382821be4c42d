"""Design diagnostics of a study and the headline-test rule that follows from them.

Every study reports how clustered its event-firms are in calendar time (sharing a day 0,
windows that overlap) and how strongly their estimation-window residuals move together.
Tests that assume cross-sectional independence over-reject on clustered designs (on 200
pseudo-events sharing one date the cross-sectional t, Patell, BMP, generalized sign,
Wilcoxon and the BHAR tests reject a true null 30-40 % of the time at 5 %), so the
summary and the publication tables name a headline test per window and mark the tests
the design makes unreliable.

Headline rule (after EventStudyTools' guidance)
-----------------------------------------------
* a long window (more than :data:`LONG_WINDOW` sessions): GRANK (Kolari & Pynnonen 2011)
  when the run has it, else the generalized sign test (Cowan 1992) -- rank and sign tests
  keep their size as window variances grow and returns get less normal;
* otherwise, when event-firms of different tickers have overlapping windows in calendar
  time: the Kolari-Pynnonen (2010) adjusted BMP, which corrects BMP for the average
  residual cross-correlation;
* otherwise: BMP (Boehmer, Musumeci & Poulsen 1991).

With overlapping windows the tests in :data:`CLUSTER_UNRELIABLE` are marked unreliable.
Windows are trading-session offsets from day 0, both ends included.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .core.statistics import TEST_TITLES

#: Windows longer than this many sessions are "long" for the headline rule.
LONG_WINDOW = 10
#: Tests (by measure) that assume cross-sectional independence and over-reject when windows overlap.
CLUSTER_UNRELIABLE: dict[str, tuple[str, ...]] = {
    "CAR": ("t-cs", "patell", "bmp", "gsign", "wilcoxon"),
    "BHAR": ("t-cs", "skew-t", "wilcoxon"),
}
#: Most pairs of overlapping event-firms whose residual correlation is computed (a seeded sample beyond).
MAX_PAIRS = 5000


@dataclass(frozen=True)
class Design:
    """How clustered a study's (status ok) event-firms are in calendar time.

    Attributes
    ----------
    n_firms : event-firms studied.
    n_dates : distinct day-0 sessions.
    n_sharing_date : event-firms whose day 0 is also another studied event-firm's day 0.
    n_overlapping : event-firms whose widest window ``[lo, hi]`` overlaps in calendar time the
        window of an event-firm on ANOTHER ticker.
    mean_residual_corr : mean pairwise correlation of estimation-window residuals over the
        calendar days two overlapping event-firms (different tickers) share; NaN without pairs.
    n_pairs : pairs used for that mean (at most :data:`MAX_PAIRS`, a seeded sample beyond).
    headline : window label -> test name chosen by the rule (module docstring).
    unreliable : measure -> tests the design makes unreliable (empty without overlap).
    """

    n_firms: int
    n_dates: int
    n_sharing_date: int
    n_overlapping: int
    mean_residual_corr: float
    n_pairs: int
    headline: dict[str, str] = field(default_factory=dict)
    unreliable: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def clustered(self) -> bool:
        """Whether windows of different tickers overlap in calendar time."""
        return self.n_overlapping > 0

    def as_dict(self) -> dict[str, Any]:
        """Plain values (for the stored run parameters and JSON output)."""
        return {"n_firms": self.n_firms, "n_dates": self.n_dates, "n_sharing_date": self.n_sharing_date,
                "n_overlapping": self.n_overlapping,
                "mean_residual_corr": None if not np.isfinite(self.mean_residual_corr) else float(self.mean_residual_corr),
                "n_pairs": self.n_pairs, "headline": dict(self.headline),
                "unreliable": {k: list(v) for k, v in self.unreliable.items()}}

    def notes(self, measure: str | None = None) -> list[str]:
        """Note lines for a summary or publication table (``measure`` None: both measures)."""
        corr = "n/a" if not np.isfinite(self.mean_residual_corr) else f"{self.mean_residual_corr:.3f}"
        design = (f"Design: {self.n_firms} event-firms on {self.n_dates} day-0 dates; {self.n_sharing_date} share a "
                  f"day 0, {self.n_overlapping} have windows overlapping another ticker's in calendar time; mean "
                  f"estimation-residual correlation of overlapping pairs {corr} ({self.n_pairs} pair(s)).")
        lines = [design]
        by_test: dict[str, list[str]] = {}
        for w, t in self.headline.items():
            by_test.setdefault(t, []).append(w)
        lines.append("Headline test (rule: GRANK/generalized sign for windows over "
                     f"{LONG_WINDOW} days, KP-adjusted BMP when windows overlap, else BMP): "
                     + "; ".join(f"{TEST_TITLES.get(t, t)} for {', '.join(ws)}" for t, ws in by_test.items()) + ".")
        for m in ([measure.upper()] if measure else list(self.unreliable)):
            names = self.unreliable.get(m, ())
            if names:
                lines.append(f"Unreliable here ({m}): {', '.join(TEST_TITLES.get(t, t) for t in names)} -- they assume "
                             "cross-sectional independence, which overlapping windows of co-moving stocks violate "
                             "(they over-reject).")
        return lines


def _positions(day0: pd.Series, sessions: pd.DatetimeIndex | None) -> np.ndarray:
    """Session row of each day 0 (in the study's return index, else on the XNYS calendar)."""
    dates = pd.DatetimeIndex(pd.to_datetime(day0))
    if sessions is None or len(sessions) == 0:
        from .prices.calendar import trading_sessions

        sessions = trading_sessions(dates.min(), dates.max())
    pos = pd.DatetimeIndex(sessions).get_indexer(dates)
    return pos.astype(np.int64)


def _neighbours(pos: np.ndarray, reach: int) -> np.ndarray:
    """For each position, how many positions (itself included) lie within ``reach`` sessions."""
    s = np.sort(pos)
    return np.searchsorted(s, pos + reach, side="right") - np.searchsorted(s, pos - reach, side="left")


def _pair_corr(est_ar: np.ndarray, pos: np.ndarray, i: np.ndarray, j: np.ndarray) -> tuple[float, int]:
    """Mean over pairs of the correlation of residuals on the calendar days both estimation windows cover."""
    out = []
    le = est_ar.shape[0]
    for a, b in zip(i.tolist(), j.tolist()):
        d = int(pos[b] - pos[a])  # residual of a at row k sits on the calendar day of b's row k - d
        if abs(d) >= le:
            continue
        x = est_ar[max(d, 0):le + min(d, 0), a]
        y = est_ar[max(-d, 0):le - max(d, 0), b]
        ok = np.isfinite(x) & np.isfinite(y)
        if ok.sum() < 3:
            continue
        x, y = x[ok], y[ok]
        sx, sy = x.std(), y.std()
        if sx > 0 and sy > 0:
            out.append(float(((x - x.mean()) * (y - y.mean())).mean() / (sx * sy)))
    return float(np.mean(out)) if out else float("nan"), len(out)


def study_design(results: Any, sessions: pd.DatetimeIndex | None = None, *, seed: int = 0) -> Design:
    """The :class:`Design` of ``results`` (an :class:`~eventstudy.results.EventStudyResults`).

    ``sessions``: the study's return index (day-0 rows are positions in it); None uses the
    XNYS calendar. The estimation residuals come from the core (``keep_arrays=True``, the default).
    """
    ok = results._ok
    firms = results.firms.loc[ok]
    n = len(firms)
    labels = [f"[{a},{b}]" for a, b in results.windows]
    lo = min(a for a, _ in results.windows)
    hi = max(b for _, b in results.windows)
    if n == 0:
        return Design(0, 0, 0, 0, float("nan"), 0, {w: "bmp" for w in labels}, {})
    pos = _positions(firms["day0"], sessions)
    tickers = pd.factorize(firms["ticker"])[0]
    n_dates = len(np.unique(pos))
    shares = _neighbours(pos, 0) > 1
    # different-ticker overlap: overlapping neighbours minus those on the same ticker
    reach = hi - lo
    all_near = _neighbours(pos, reach)
    same_near = np.zeros(n, dtype=np.int64)
    for code in np.unique(tickers):
        m = tickers == code
        same_near[m] = _neighbours(pos[m], reach)
    overlapping = (all_near - same_near) > 0
    # pairs of different tickers whose windows overlap
    order = np.argsort(pos, kind="stable")
    sp = pos[order]
    start = np.searchsorted(sp, pos - reach, side="left")
    stop = np.searchsorted(sp, pos + reach, side="right")
    counts = stop - start
    ii = np.repeat(np.arange(n), counts)
    first = np.repeat(np.cumsum(counts) - counts, counts)
    jj = order[np.repeat(start, counts) + np.arange(counts.sum()) - first]
    keep = (ii < jj) & (tickers[ii] != tickers[jj])
    ii, jj = ii[keep], jj[keep]
    if len(ii) > MAX_PAIRS:
        pick = np.random.default_rng(seed).choice(len(ii), MAX_PAIRS, replace=False)
        ii, jj = ii[pick], jj[pick]
    try:
        est_ar = results._core.est_ar[:, ok]
        corr, n_pairs = _pair_corr(est_ar, pos, ii, jj)
    except ValueError:  # estimation arrays not kept (keep_arrays=False)
        corr, n_pairs = float("nan"), 0
    clustered = bool(overlapping.any())
    have = set(results.tests["test"]) if hasattr(results, "tests") else set()
    headline = {}
    for (a, b), w in zip(results.windows, labels):
        if b - a + 1 > LONG_WINDOW:
            headline[w] = "grank" if "grank" in have else "gsign"
        else:
            headline[w] = "kp" if clustered else "bmp"
    unreliable = dict(CLUSTER_UNRELIABLE) if clustered else {}
    return Design(n, n_dates, int(shares.sum()), int(overlapping.sum()), corr, n_pairs, headline, unreliable)
