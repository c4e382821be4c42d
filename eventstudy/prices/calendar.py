"""Exchange trading calendars (from ``exchange_calendars``): which dates are sessions."""

from __future__ import annotations

import datetime as dt
import warnings
from functools import lru_cache

import exchange_calendars as xcals
import pandas as pd

from ..exceptions import DataError

DEFAULT_EXCHANGE = "XNYS"
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


def session_bounds(day: dt.date, exchange: str = DEFAULT_EXCHANGE) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """(open, close) of ``exchange``'s session on ``day`` as tz-aware UTC timestamps; None on a non-trading day.

    Early closes (e.g. 13:00 New York time the day after Thanksgiving) come from the calendar.
    """
    cal = _calendar(exchange, min(pd.Timestamp(day), _CALENDAR_START))
    stamp = pd.Timestamp(day)
    if stamp > cal.last_session or not cal.is_session(stamp):
        return None
    return cal.session_open(stamp), cal.session_close(stamp)
