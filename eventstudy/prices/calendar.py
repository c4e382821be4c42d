"""Exchange trading calendars (from ``exchange_calendars``): which dates are sessions."""

from __future__ import annotations

import datetime as dt
import warnings
from functools import lru_cache

import exchange_calendars as xcals
import numpy as np
import pandas as pd

from ..exceptions import DataError

DEFAULT_EXCHANGE = "XNYS"
#: Exchange calendar of a ticker by its Yahoo suffix; tickers without one trade in New York.
SUFFIX_EXCHANGES = {".KS": "XKRX", ".KQ": "XKRX", ".T": "XTKS", ".HK": "XHKG", ".L": "XLON", ".DE": "XFRA", ".PA": "XPAR",
                    ".TO": "XTSE", ".AX": "XASX", ".TW": "XTAI", ".SS": "XSHG", ".SZ": "XSHG"}
# Calendars are built from this date so that the long histories of the shared files
# (from 1999) are covered; earlier requests build a calendar of their own.
_CALENDAR_START = pd.Timestamp("1990-01-02")


@lru_cache(maxsize=16)
def _calendar(exchange: str, start: pd.Timestamp) -> xcals.ExchangeCalendar:
    try:
        with warnings.catch_warnings():  # exchange_calendars' own pandas deprecation warnings
            warnings.filterwarnings("ignore", module="exchange_calendars")
            warnings.filterwarnings("ignore", message=".*Series.values.*")
            return xcals.get_calendar(exchange, start=start)
    except xcals.errors.InvalidCalendarName:
        raise DataError(f"unknown exchange calendar {exchange!r} (examples: XNYS, XNAS, XKRX)") from None


def exchange_for_ticker(ticker: str) -> str:
    """The calendar a ticker trades on, from its suffix: ``000660.KS`` -> XKRX, ``9984.T`` -> XTKS, ``AMD`` -> XNYS."""
    upper = ticker.upper()
    for suffix, exchange in SUFFIX_EXCHANGES.items():
        if upper.endswith(suffix):
            return exchange
    return DEFAULT_EXCHANGE


def trading_sessions(start: str | dt.date | pd.Timestamp, end: str | dt.date | pd.Timestamp,
                     exchange: str = DEFAULT_EXCHANGE) -> pd.DatetimeIndex:
    """Sessions of ``exchange`` from ``start`` to ``end``, both ends included.

    Returns a tz-naive ``DatetimeIndex`` of dates (midnight), ascending.  Dates past
    the calendar's last known session (about a year ahead) are not returned.
    """
    start, end = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    if end < start:
        return pd.DatetimeIndex([], name="date")
    cal = _calendar(exchange, min(start, _CALENDAR_START))
    end = min(end, cal.last_session)
    if end < start:
        return pd.DatetimeIndex([], name="date")
    sessions = cal.sessions_in_range(start, end)
    return pd.DatetimeIndex(sessions.tz_localize(None) if sessions.tz is not None else sessions, name="date")


@lru_cache(maxsize=16)
def _all_session_days(exchange: str) -> np.ndarray:
    """Every session of ``exchange``'s calendar from :data:`_CALENDAR_START`, as datetime64[D] (read-only, cached)."""
    sessions = _calendar(exchange, _CALENDAR_START).sessions
    days = (sessions.tz_localize(None) if sessions.tz is not None else sessions).to_numpy("datetime64[D]")
    days.setflags(write=False)
    return days


def session_days(first: np.datetime64, last: np.datetime64, exchange: str = DEFAULT_EXCHANGE) -> np.ndarray:
    """:func:`trading_sessions` from ``first`` to ``last`` (datetime64[D], both included) as datetime64[D] days.

    The same answer (and the same errors) without pandas per call: sessions from
    :data:`_CALENDAR_START` on come from one cached array per exchange, so checking
    hundreds of tickers costs one calendar lookup each, not one calendar query.
    """
    first, last = np.datetime64(first, "D"), np.datetime64(last, "D")
    if first < np.datetime64(_CALENDAR_START.date(), "D"):  # an older calendar of its own, as trading_sessions builds
        return trading_sessions(pd.Timestamp(first), pd.Timestamp(last), exchange).to_numpy("datetime64[D]")
    days = _all_session_days(exchange)
    return days[np.searchsorted(days, first, side="left"):np.searchsorted(days, last, side="right")]


def session_span(first: str | dt.date | pd.Timestamp, last: str | dt.date | pd.Timestamp, before: int, after: int,
                 exchange: str = DEFAULT_EXCHANGE) -> tuple[dt.date, dt.date]:
    """Dates from ``before`` sessions before ``first`` to ``after`` sessions after ``last`` (session counts, >= 0).

    The one answer to "which dates hold these trading-day offsets": asked of the
    exchange calendar, not estimated from calendar days.  ``first``/``last`` need not be
    sessions (an after-close or weekend announcement has its day 0 on the next session,
    hence the one extra session on each side).  Past the calendar's end (about a year
    ahead) the span runs on in calendar days (7 per 5 sessions), so a future window is
    still covered.
    """
    first, last = pd.Timestamp(first).normalize(), pd.Timestamp(last).normalize()
    before, after = max(int(before), 0) + 1, max(int(after), 0) + 1
    cal = _calendar(exchange, min(first - pd.Timedelta(days=7 * before // 5 + 14), _CALENDAR_START))
    if first > cal.last_session:
        start = first - pd.Timedelta(days=7 * before // 5 + 7)
    else:
        start = cal.session_offset(cal.date_to_session(max(first, cal.first_session), direction="previous"), -before)
    if last >= cal.last_session:
        end = max(last, cal.last_session) + pd.Timedelta(days=7 * after // 5 + 7)
    else:
        anchor = cal.date_to_session(last, direction="next")
        room = len(cal.sessions_in_range(anchor, cal.last_session)) - 1
        end = (cal.session_offset(anchor, after) if after <= room
               else cal.last_session + pd.Timedelta(days=7 * (after - room) // 5 + 7))
    return pd.Timestamp(start).date(), pd.Timestamp(end).date()


def session_bounds(day: dt.date, exchange: str = DEFAULT_EXCHANGE) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """(open, close) of ``exchange``'s session on ``day`` as tz-aware UTC timestamps; None on a non-trading day.

    Early closes (e.g. 13:00 New York time the day after Thanksgiving) come from the calendar.
    """
    cal = _calendar(exchange, min(pd.Timestamp(day), _CALENDAR_START))
    stamp = pd.Timestamp(day)
    if stamp > cal.last_session or not cal.is_session(stamp):
        return None
    return cal.session_open(stamp), cal.session_close(stamp)


def exchange_today(exchange: str = DEFAULT_EXCHANGE) -> pd.Timestamp:
    """Today's date (midnight, tz-naive) in the exchange's own time zone: the latest date a session can have."""
    return pd.Timestamp.now(tz=_exchange_tz(exchange)).tz_localize(None).normalize()


@lru_cache(maxsize=16)
def _exchange_tz(exchange: str):
    # The calendar class knows its zone without building its sessions (XKRX takes seconds to build).
    factory = getattr(xcals.calendar_utils, "_default_calendar_factories", {}).get(exchange)
    tz = getattr(factory, "tz", None)
    return tz if tz is not None else _calendar(exchange, _CALENDAR_START).tz
