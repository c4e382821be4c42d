"""Hostile answers from the yfinance stand-in: refused as ``ticker:date``, the other ticker goes on, nothing changes.

The real yfinance code parses the stand-in's chart JSON (tests/sources/yahoo_standin.py),
so these are the values as they come out of yfinance, not hand-made frames.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy.sources.yahoo import YahooSource
from hostile_lib import SESSIONS, frame_for_yahoo, private_yf_cache, session, sqlite_stored  # noqa: F401 (fixtures)
from yahoo_standin import YahooStandIn, standin_session


def _source(frames: dict) -> YahooSource:
    return YahooSource(session=standin_session(YahooStandIn(frames=frames)), sleep=lambda s: None, max_retries=0)


@pytest.fixture
def yahoo_stored(sqlite_stored):
    """The stored AMD/NVDA, plus the same bars served by the stand-in."""
    return sqlite_stored


def _amd(change) -> pd.DataFrame:
    frame = frame_for_yahoo(100.0)
    change(frame)
    return frame


ROW = SESSIONS[16]

CASES = {
    "negative close": (lambda f: f.__setitem__("Close", f["Close"].where(f.index != ROW, -516.0)), "close is missing"),
    "high below low": (lambda f: f.__setitem__("High", f["High"].where(f.index != ROW, 1.0)), "above high"),
    "negative volume": (lambda f: f.__setitem__("Volume", f["Volume"].where(f.index != ROW, -5)), "volume is negative"),
    "zero close": (lambda f: f.__setitem__("Close", f["Close"].where(f.index != ROW, 0.0)), "close is missing"),
    "low above high": (lambda f: f.__setitem__("Low", f["Low"].where(f.index != ROW, 500.0)), "low is above high"),
}


def test_volume_too_big_for_yfinance_is_a_clear_failure_of_that_ticker(yahoo_stored):
    frame = frame_for_yahoo(100.0)
    frame["Volume"] = frame["Volume"].astype(object).where(frame.index != ROW, 10**30)
    report = yahoo_stored.ingest(source=_source({"AMD": frame, "NVDA": frame_for_yahoo(50.0)}))
    assert list(report.failed) == ["AMD"] and "no data from Yahoo for AMD" in report.failed["AMD"]
    yahoo_stored.assert_unchanged()


@pytest.mark.parametrize("case", sorted(CASES))
def test_impossible_yahoo_bar_is_named_ticker_colon_date(yahoo_stored, case):
    change, words = CASES[case]
    source = _source({"AMD": _amd(change), "NVDA": frame_for_yahoo(50.0)})
    report = yahoo_stored.ingest(source=source)
    assert list(report.failed) == ["AMD"], report.failed
    message = report.failed["AMD"]
    assert f"AMD:{session(16)}:" in message and words in message
    yahoo_stored.assert_unchanged()


def test_yahoo_bar_dated_after_today_is_refused(yahoo_stored):
    future = pd.DatetimeIndex([pd.Timestamp("2030-01-02")])
    frame = pd.concat([frame_for_yahoo(100.0), frame_for_yahoo(100.0).iloc[-1:].set_axis(future)])
    report = yahoo_stored.ingest(source=_source({"AMD": frame, "NVDA": frame_for_yahoo(50.0)}))
    # yfinance asks up to now and may drop the bar itself; if it comes through, it is refused at the door.
    assert report.ok or ("AMD:2030-01-02:" in report.failed["AMD"] and "date after today" in report.failed["AMD"])
    yahoo_stored.assert_unchanged()


def test_future_bar_from_any_source_is_refused_at_the_door(yahoo_stored):
    class Answer:
        name = "yfinance"

        def fetch(self, wanted):
            frame = yahoo_stored_frame()
            yield "AMD", frame

    def yahoo_stored_frame():
        from eventstudy.sources.yahoo import _canonical

        future = pd.DatetimeIndex([pd.Timestamp("2030-01-02")])
        raw = pd.concat([frame_for_yahoo(100.0), frame_for_yahoo(100.0).iloc[-1:].set_axis(future)])
        return _canonical(raw)

    report = yahoo_stored.ingest(tickers=["AMD"], source=Answer())
    assert "AMD:2030-01-02:" in report.failed["AMD"] and "date after today" in report.failed["AMD"]
    yahoo_stored.assert_unchanged()


def test_yahoo_missing_volume_keeps_the_stored_one(yahoo_stored):
    frame = frame_for_yahoo(100.0)
    frame["Volume"] = frame["Volume"].astype("float64")
    frame.loc[ROW, "Open"] = np.nan  # yfinance gives NaN for a missing open
    report = yahoo_stored.ingest(source=_source({"AMD": frame, "NVDA": frame_for_yahoo(50.0)}))
    assert report.ok and report.values_revised == 0
    yahoo_stored.assert_unchanged()
