"""Exchange trading calendars (from ``exchange_calendars``): which dates are sessions."""

from __future__ import annotations

import datetime as dt
import warnings
from functools import lru_cache

import exchange_calendars as xcals
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
