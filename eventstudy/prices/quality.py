"""Data-quality checks of one ticker's daily prices against the exchange calendar.

Checks: sessions missing after the first stored date (gaps), dates that are not
sessions, dates after today, duplicate dates, non-positive prices, rows breaking
the value rules of :mod:`eventstudy.prices.validate` (rows stored before those
rules existed), one-session jumps beyond ``validate.JUMP_RATIO``, and one-day close ratios close to
a split ratio (2, 3, 4, 5, 10, ... or their inverses) on a day with no split
recorded: the mark of a price series that was not split-adjusted.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from typing import TYPE_CHECKING

from .calendar import DEFAULT_EXCHANGE, exchange_for_ticker, trading_sessions

if TYPE_CHECKING:
    from ..db import Engine

SPLIT_RATIOS = (2, 3, 4, 5, 6, 8, 10, 15, 20, 25, 30, 40, 50, 100)
#: Relative tolerance around a split ratio (0.03: a 1-for-2 drop between 0.485 and 0.515).
SPLIT_TOLERANCE = 0.03
_SHOWN = 5


def _listed(dates: Iterable[pd.Timestamp]) -> str:
    dates = list(dates)
    text = ", ".join(str(d.date()) for d in dates[:_SHOWN])
    return text + (f" (+{len(dates) - _SHOWN} more)" if len(dates) > _SHOWN else "")


def split_like(ratio: np.ndarray, split_factor: np.ndarray | None = None) -> np.ndarray:
    """Mask of close ratios (close / previous close) within :data:`SPLIT_TOLERANCE` of k or 1/k
    (k in :data:`SPLIT_RATIOS`) on days with no split recorded (``split_factor`` 1 or NaN)."""
    near = np.zeros(len(ratio), dtype=bool)
    # Only ratios beyond the smallest split's band can be near a split ratio: test those alone.
    low, high = (1.0 + SPLIT_TOLERANCE) / min(SPLIT_RATIOS), (1.0 - SPLIT_TOLERANCE) * min(SPLIT_RATIOS)
    with np.errstate(invalid="ignore"):
        rows = np.flatnonzero((ratio <= low) | (ratio >= high))
    part = ratio[rows]
    hit = np.zeros(len(rows), dtype=bool)
    for k in SPLIT_RATIOS:
        hit |= np.abs(part * k - 1.0) <= SPLIT_TOLERANCE  # k-for-1 split: price / k
        hit |= np.abs(part / k - 1.0) <= SPLIT_TOLERANCE  # 1-for-k reverse split: price * k
    near[rows[hit]] = True
    if split_factor is not None:
        factor = np.asarray(split_factor, dtype="float64")
        near &= np.where(np.isnan(factor), 1.0, factor) == 1.0
    return near


def suspect_splits(close: pd.Series, split_factor: pd.Series | None = None) -> pd.DatetimeIndex:
    """Dates whose close / previous close is within :data:`SPLIT_TOLERANCE` of k or 1/k (k in :data:`SPLIT_RATIOS`) with no split recorded."""
    ratio = (close / close.shift(1)).to_numpy("float64")
    return close.index[split_like(ratio, None if split_factor is None else split_factor.to_numpy("float64"))]


def check_frame(ticker: str, frame: pd.DataFrame, exchange: str = DEFAULT_EXCHANGE) -> dict:
    """The quality report of one ticker's frame (index dates; columns open, high, low, close[, split_factor]).

    Returns one flat dict: ``ticker, calendar, first, last, rows, missing_sessions,
    non_sessions, duplicate_dates, non_positive, suspect_splits, suspect_jumps,
    impossible_rows, future_dates, ok, details``.
    """
    from .calendar import exchange_today
    from .validate import row_problems, suspect_jumps

    dates = pd.DatetimeIndex(frame.index)
    unique = dates.unique().sort_values()
    if len(unique) == 0:
        return {"ticker": ticker, "calendar": exchange, "first": None, "last": None, "rows": 0, "missing_sessions": 0,
                "non_sessions": 0, "duplicate_dates": 0, "non_positive": 0, "suspect_splits": 0, "suspect_jumps": 0,
                "impossible_rows": 0, "future_dates": 0, "ok": False, "details": "no rows"}
    sessions = trading_sessions(unique[0], unique[-1], exchange)
    future = unique[unique > exchange_today(exchange)]
    missing = sessions.difference(unique)
    extra = unique.difference(sessions).difference(future)
    duplicated = dates[dates.duplicated()].unique()
    price_cols = [c for c in ("open", "high", "low", "close") if c in frame.columns]
    nonpos = dates[(frame[price_cols] <= 0).any(axis=1).to_numpy()]
    clean = frame.loc[~dates.duplicated()].sort_index()
    splits = suspect_splits(clean["close"], clean["split_factor"] if "split_factor" in clean else None)
    jumps = suspect_jumps(clean["close"]).difference(splits)
    full = clean.reindex(columns=["open", "high", "low", "close", "volume", "dividend", "split_factor"])
    full = full.fillna({"dividend": 0.0, "split_factor": 1.0})
    bad = np.zeros(len(full), dtype=bool)
    for _, mask in row_problems(full):
        bad |= mask
    impossible = full.index[bad]
    details = []
    for label, found in (("missing sessions", missing), ("not sessions", extra), ("duplicate dates", duplicated),
                         ("non-positive prices", nonpos), ("split-like jumps", splits), ("jumps", jumps),
                         ("impossible values", impossible), ("dates after today", future)):
        if len(found):
            details.append(f"{label}: {_listed(found)}")
    return {
        "ticker": ticker, "calendar": exchange, "first": unique[0].date(), "last": unique[-1].date(), "rows": len(frame),
        "missing_sessions": len(missing), "non_sessions": len(extra), "duplicate_dates": len(duplicated),
        "non_positive": len(nonpos), "suspect_splits": len(splits), "suspect_jumps": len(jumps),
        "impossible_rows": len(impossible), "future_dates": len(future), "ok": not details, "details": "; ".join(details),
    }


def quality_report(engine: "Engine", tickers: Iterable[str] | None = None, exchange: str | None = None) -> pd.DataFrame:
    """:func:`check_frame` for every stored ticker (or those given), one row each, read in one query.

    Each ticker is checked against its own exchange's calendar (:func:`exchange_for_ticker`:
    XKRX for ``.KS``, XTKS for ``.T``, XNYS otherwise) unless ``exchange`` names one for all.
    """
    from ..db.prices import load_price_rows

    cols = ("open", "high", "low", "close", "volume", "dividend", "split_factor")
    wanted = None if tickers is None else [t.upper() for t in tickers]
    long = load_price_rows(engine, wanted, cols)
    rows = []
    for ticker, group in long.groupby("ticker", sort=True):
        rows.append(check_frame(str(ticker), group.set_index("date")[list(cols)].astype("float64"),
                                exchange or exchange_for_ticker(str(ticker))))
    for ticker in wanted or []:
        if ticker not in set(long["ticker"]):
            rows.append(check_frame(ticker, pd.DataFrame(columns=list(cols), index=pd.DatetimeIndex([])),
                                    exchange or exchange_for_ticker(ticker)))
    return pd.DataFrame(rows)
