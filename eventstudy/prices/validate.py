"""The one check of price rows before they are written, whatever their source.

:func:`validate_prices` takes a ticker's canonical frame (see
:mod:`eventstudy.sources.base`) and either returns the suspicious-but-possible
findings, which are kept and named, or raises :class:`DataError` naming the first
impossible row: ``file:line`` for a file source (the frame carries an
:class:`~eventstudy.sources.base.Origin`), ``ticker:date`` otherwise.  A rejected
ticker is written not at all.  Every check is a numpy expression over the whole
frame (no Python loop over rows), so validation costs a few milliseconds per
ticker.

Impossible (rejects the ticker's batch):

* open, high, low not positive and finite, or above :data:`MAX_PRICE` (NaN: missing,
  allowed); close missing, not positive, not finite or above :data:`MAX_PRICE`;
* low above high (beyond :data:`PRICE_TOLERANCE`, relative, for float artefacts);
  open or close outside [low, high] by more than :data:`BAR_TOLERANCE` (less: kept, flagged);
* volume negative, fractional, infinite or beyond int64 (NaN allowed);
* dividend missing, negative, infinite, or not below the close (cash per share);
* split factor not positive and finite;
* a date that is not a session of the ticker's exchange (XNYS, XKRX for ``.KS``,
  XTKS for ``.T``: :func:`~eventstudy.prices.calendar.exchange_for_ticker`) falling on a
  weekend (a weekday the calendar calls a holiday is kept and flagged: providers'
  histories hold such rows), a date after
  today in the exchange's time zone, a duplicate date, a dividend whose ex-date as
  written falls on a weekend.

Suspicious (kept, reported): weekday holiday rows, a one-session close ratio above :data:`JUMP_RATIO` or
below its inverse, and split-like ratios on a day with no split
(:func:`eventstudy.prices.quality.suspect_splits`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..exceptions import DataError
from ..sources.base import Origin
from .calendar import exchange_for_ticker, exchange_today, session_days

#: Relative slack on Low <= High (prices are floats rounded by the provider).
PRICE_TOLERANCE = 1e-6
#: Open or close outside [low, high] by less than this (relative) is kept and flagged, beyond it
#: refused: Yahoo's own bars have such glitches (005930.KS 2024-10-14 closes 0.2 % under its low).
BAR_TOLERANCE = 0.02
#: A close more than this many times the previous one (or less than its inverse) is flagged.
JUMP_RATIO = 3.0
#: Prices above this are refused as impossible (a unit or parsing error): the dearest shares
#: trade near 1e6 in their currency (BRK-A in USD, KRX blue chips in KRW).
MAX_PRICE = 1e9
#: Volumes at or above 2**63 do not fit the BIGINT column (float 2**63 would wrap to int64 min).
VOLUME_LIMIT = 2.0 ** 63
_SHOWN = 5


def row_problems(frame: pd.DataFrame) -> list[tuple[str, np.ndarray]]:
    """``(what, row mask)`` for each value rule of the module docstring, over the canonical columns."""
    # One to_numpy of the whole frame: column access would copy frame.attrs (the Origin) each time.
    return _row_problems(frame.to_numpy("float64"), _positions(frame))


def _positions(frame: pd.DataFrame) -> dict[str, int]:
    """Column name -> position (a dict lookup, not pandas' ``get_loc`` per column)."""
    return {name: k for k, name in enumerate(frame.columns)}


def _row_problems(matrix: np.ndarray, position: dict[str, int]) -> list[tuple[str, np.ndarray]]:
    names = ("open", "high", "low", "close", "volume", "dividend", "split_factor")
    o, h, l, c, v, d, s = (matrix[:, position[col]] for col in names)
    slack = 1.0 + BAR_TOLERANCE

    def bad_price(x: np.ndarray) -> np.ndarray:
        return ~np.isnan(x) & ~((x > 0) & (x <= MAX_PRICE))

    with np.errstate(invalid="ignore", over="ignore"):  # NaN compares False: a missing value breaks no order rule
        return [
            ("close is missing, not positive, not finite or above 1e9", ~((c > 0) & (c <= MAX_PRICE))),
            ("open is not a positive finite price up to 1e9", bad_price(o)),
            ("high is not a positive finite price up to 1e9", bad_price(h)),
            ("low is not a positive finite price up to 1e9", bad_price(l)),
            ("low is above high", l > h * (1.0 + PRICE_TOLERANCE)),
            ("low is above open", l > o * slack),
            ("low is above close", l > c * slack),
            ("open is above high", o > h * slack),
            ("close is above high", c > h * slack),
            ("volume is negative, fractional or out of range",
             ~np.isnan(v) & ~((v >= 0) & (v < VOLUME_LIMIT) & (v == np.floor(v)))),
            ("dividend is missing, negative or not finite", ~(np.isfinite(d) & (d >= 0))),
            ("dividend is not below the close", d >= c),
            ("split factor is not a positive finite number", ~(np.isfinite(s) & (s > 0))),
        ]


def suspect_jumps(close: pd.Series) -> pd.DatetimeIndex:
    """Dates whose close / previous close exceeds :data:`JUMP_RATIO` or is below its inverse."""
    ratio = (close / close.shift(1)).to_numpy("float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        big = (ratio > JUMP_RATIO) | (ratio < 1.0 / JUMP_RATIO)
    return close.index[big]


def _where(ticker: str, frame: pd.DataFrame, row: int, dividend: bool = False) -> str:
    origin = frame.attrs.get("origin")
    if not isinstance(origin, Origin):
        return f"{ticker}:{frame.index[row].date()}"
    if dividend and origin.dividend_path and origin.dividend_lines is not None and origin.dividend_lines[row] > 0:
        return f"{origin.dividend_path}:{int(origin.dividend_lines[row])}"
    return f"{origin.path}:{origin.first_line + row}"


def _values(frame: pd.DataFrame, row: int) -> str:
    cells = frame.iloc[row]
    return ", ".join(f"{k}={cells[k]:g}" for k in ("open", "high", "low", "close", "volume", "dividend"))


def _reject(ticker: str, frame: pd.DataFrame, mask: np.ndarray, what: str, dividend: bool = False,
            show_values: bool = True) -> DataError:
    row = int(np.argmax(mask))
    n = int(mask.sum())
    more = f"; {n} bad rows in all" if n > 1 else ""
    values = f" ({_values(frame, row)})" if show_values else ""
    return DataError(f"{_where(ticker, frame, row, dividend)}: {ticker} {frame.index[row].date()}: {what}{values}"
                     f"{more}; nothing of {ticker} was stored")


def validate_prices(ticker: str, frame: pd.DataFrame, *, exchange: str | None = None,
                    today: pd.Timestamp | None = None) -> list[str]:
    """Check one ticker's canonical frame before it is written.

    Parameters
    ----------
    exchange
        Calendar the dates must be sessions of (default: from the ticker's suffix).
    today
        Latest acceptable date (default: today in the exchange's time zone).

    Returns
    -------
    list of str
        Suspicious but possible findings (kept): ``"2024-05-01: close x100 the previous session"``.

    Raises
    ------
    DataError
        The first impossible row, located (see the module docstring); the count of bad rows.
    """
    if frame.empty:
        return []
    exchange = exchange or exchange_for_ticker(ticker)
    today = pd.Timestamp(today).normalize() if today is not None else exchange_today(exchange)
    # Dates as int64 day numbers: numpy comparisons, no pandas index machinery per ticker.
    days = pd.DatetimeIndex(frame.index).to_numpy("datetime64[D]")
    repeated = np.zeros(len(days), dtype=bool)
    repeated[1:] = days[1:] <= days[:-1]
    if repeated.any():
        raise _reject(ticker, frame, repeated, "duplicate date or dates out of order", show_values=False)
    future = days > np.datetime64(today.date(), "D")
    if future.any():
        raise _reject(ticker, frame, future, f"date after today ({today.date()}) refused", show_values=False)
    try:
        sessions = session_days(days[0], days[-1], exchange)
    except Exception as exc:  # exchange_calendars refuses dates before its first session
        raise _reject(ticker, frame, np.ones(len(frame), bool), f"dates outside the {exchange} calendar ({exc})",
                      show_values=False) from None
    slot = np.minimum(np.searchsorted(sessions, days), max(len(sessions) - 1, 0))
    closed = sessions[slot] != days if len(sessions) else np.ones(len(days), dtype=bool)
    weekend = closed & ((days.astype(np.int64) + 3) % 7 >= 5)  # day 0 (1970-01-01) was a Thursday
    if weekend.any():
        raise _reject(ticker, frame, weekend, f"a weekend, not a {exchange} session", show_values=False)
    matrix, position = frame.to_numpy("float64"), _positions(frame)
    for what, mask in _row_problems(matrix, position):
        if mask.any():
            raise _reject(ticker, frame, mask, what, dividend="dividend" in what)
    origin = frame.attrs.get("origin")
    if isinstance(origin, Origin) and origin.dividend_dates is not None:
        written = np.asarray(origin.dividend_dates).astype("datetime64[D]")
        weekend = ~np.isnat(written) & ((written.astype(np.int64) + 3) % 7 >= 5)
        if weekend.any():
            raise _reject(ticker, frame, weekend, f"dividend ex-date {written[int(np.argmax(weekend))]} "
                          "is a weekend", dividend=True, show_values=False)
    return _flags(matrix, position, days, closed, exchange)


def _listed(days: np.ndarray, text=lambda i: "") -> str:
    shown = ", ".join(f"{days[i]}{text(i)}" for i in range(min(len(days), _SHOWN)))
    return shown + (f" (+{len(days) - _SHOWN} more)" if len(days) > _SHOWN else "")


def _flags(matrix: np.ndarray, position: dict[str, int], days: np.ndarray, closed: np.ndarray,
           exchange: str) -> list[str]:
    """The suspicious-but-possible findings, from numpy masks (strings only for what is found)."""
    from .quality import split_like

    o, h, l, c, s = (matrix[:, position[col]] for col in ("open", "high", "low", "close", "split_factor"))
    flags = []
    with np.errstate(invalid="ignore", divide="ignore"):
        tol = 1.0 + PRICE_TOLERANCE
        outside = (l > o * tol) | (l > c * tol) | (o > h * tol) | (c > h * tol)
        ratio = np.empty(len(c))
        ratio[0] = np.nan
        ratio[1:] = c[1:] / c[:-1]
        jumps = (ratio > JUMP_RATIO) | (ratio < 1.0 / JUMP_RATIO)
    if outside.any():
        flags.append(f"open/close slightly outside [low, high] kept: {_listed(days[outside])}")
    if closed.any():
        # Providers' histories hold rows on weekdays the calendar calls holidays (Yahoo's KRX data
        # from 2000-2008 has ~100): kept, as refusing them would make the whole ticker unloadable.
        flags.append(f"weekday {exchange} holiday rows kept: {_listed(days[closed])}")
    splits = split_like(ratio, s) & ~jumps
    for label, mask in (("jump", jumps), ("split-like gap", splits)):
        if mask.any():
            found = np.flatnonzero(mask)
            flags.append(f"{label}: " + _listed(days[found], lambda i: f" close x{ratio[found[i]]:.4g} the previous session"))
    return flags
