"""Event time: where day 0 falls, and gathering event windows by index arithmetic.

Conventions: ``sessions`` is the sorted array of trading dates (``datetime64[D]``) that
the returns matrix rows follow; offsets are in trading sessions relative to day 0.
"""

from __future__ import annotations

import numpy as np

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
