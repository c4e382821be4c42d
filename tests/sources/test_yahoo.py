"""The yfinance source against a local stand-in of Yahoo's chart API (no network).

The real yfinance code runs end to end; only the HTTP transport is replaced
(see ``yahoo_standin.py``).  Expected values come from the generated frames.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
import yfinance as yf

from eventstudy.db import open_db
from eventstudy.exceptions import DataError
from eventstudy.sources.yahoo import YahooSource
from eventstudy.prices.ingest import ingest_prices
from yahoo_standin import YahooStandIn, standin_session


@pytest.fixture(autouse=True)
def _private_yf_cache(tmp_path):
    # yfinance caches each ticker's time zone on disk; keep the tests' answers out of the user's cache.
    yf.set_tz_cache_location(str(tmp_path / "yf-cache"))


def _bars(first: str, last: str, start_price: float, split_on: str | None = None, dividend_on: str | None = None) -> pd.DataFrame:
    idx = pd.bdate_range(first, last)
    n = len(idx)
    close = start_price + np.arange(n) * 0.5
    frame = pd.DataFrame({"Open": close - 0.25, "High": close + 1.0, "Low": close - 1.0, "Close": close,
                          "Volume": 1_000_000 + np.arange(n) * 10, "Dividends": 0.0, "Stock Splits": 0.0}, index=idx)
    if split_on:
        frame.loc[split_on, "Stock Splits"] = 10.0
    if dividend_on:
        frame.loc[dividend_on, "Dividends"] = 0.01
    return frame


def _source(adapter: YahooStandIn, delays: list) -> YahooSource:
    return YahooSource(session=standin_session(adapter), sleep=delays.append, base_delay=0.5)


def test_normal_download_many_tickers_in_one_call():
    amd = _bars("2024-06-03", "2024-06-14", 160.0)
    nvda = _bars("2024-06-03", "2024-06-14", 115.0, split_on="2024-06-10", dividend_on="2024-06-11")
    adapter = YahooStandIn(frames={"AMD": amd, "NVDA": nvda})
    delays: list = []
    got = dict(_source(adapter, delays).fetch({"AMD": None, "NVDA": None}))
    assert delays == []
    for ticker, raw in (("AMD", amd), ("NVDA", nvda)):
        frame = got[ticker]
        assert isinstance(frame, pd.DataFrame)
        # Bars stamped 09:30 New York time come back as that exchange date, not a UTC date.
        assert list(frame.index) == list(raw.index)
        np.testing.assert_allclose(frame["close"], raw["Close"])
        np.testing.assert_allclose(frame["volume"], raw["Volume"])
    assert got["NVDA"].loc["2024-06-10", "split_factor"] == 10.0
    assert (got["NVDA"]["split_factor"].drop(pd.Timestamp("2024-06-10")) == 1.0).all()
    assert got["NVDA"].loc["2024-06-11", "dividend"] == pytest.approx(0.01)
    assert got["AMD"]["dividend"].sum() == 0.0


def test_empty_frame_is_an_error_naming_the_ticker_and_cause():
    adapter = YahooStandIn(frames={"AMD": _bars("2024-06-03", "2024-06-07", 160.0)}, behaviour={"AMDX": "empty"})
    delays: list = []
    got = dict(_source(adapter, delays).fetch({"AMD": None, "AMDX": None}))
    assert isinstance(got["AMD"], pd.DataFrame) and len(got["AMD"]) == 5
    err = got["AMDX"]
    assert isinstance(err, DataError)
    assert "no data from Yahoo for AMDX" in str(err) and "offline, or delisted/misspelled ticker" in str(err)
    assert delays == []  # a 404 is not transient: no pointless retries


def test_rate_limit_then_success_backs_off_exponentially():
    frame = _bars("2024-06-03", "2024-06-07", 160.0)
    adapter = YahooStandIn(frames={"AMD": frame}, behaviour={"AMD": ("ratelimit", 4)})
    delays: list = []
    got = dict(_source(adapter, delays).fetch({"AMD": None}))
    assert isinstance(got["AMD"], pd.DataFrame)
    np.testing.assert_allclose(got["AMD"]["close"], frame["Close"])
    assert (("AMD", 429)) in adapter.calls and adapter.calls[-1] == ("AMD", 200)
    assert delays == [0.5, 1.0]  # two failed attempts (each: chart call + yfinance's own second try), then success


def test_offline_retries_then_names_ticker():
    adapter = YahooStandIn(frames={"AMD": _bars("2024-06-03", "2024-06-07", 160.0)}, behaviour={"AMD": ("neterror", 999)})
    delays: list = []
    source = YahooSource(session=standin_session(adapter), sleep=delays.append, base_delay=0.5, max_retries=3)
    err = dict(source.fetch({"AMD": None}))["AMD"]
    assert isinstance(err, DataError) and "AMD" in str(err) and "offline" in str(err)
    assert delays == [0.5, 1.0, 2.0]


def test_no_dns_fails_at_once_as_offline():
    adapter = YahooStandIn(frames={"AMD": _bars("2024-06-03", "2024-06-07", 160.0)}, behaviour={"AMD": ("dnserror", 999)})
    delays: list = []
    source = YahooSource(session=standin_session(adapter), sleep=delays.append, base_delay=0.5, max_retries=3)
    err = dict(source.fetch({"AMD": None}))["AMD"]
    assert isinstance(err, DataError) and "no data from Yahoo for AMD: offline (Yahoo's host name does not resolve)" in str(err)
    assert delays == []  # no network at all: no point in waiting


def test_permanent_rate_limit_says_so():
    adapter = YahooStandIn(frames={"AMD": _bars("2024-06-03", "2024-06-07", 160.0)}, behaviour={"AMD": ("ratelimit", 999)})
    source = YahooSource(session=standin_session(adapter), sleep=lambda s: None, max_retries=2)
    err = dict(source.fetch({"AMD": None}))["AMD"]
    assert isinstance(err, DataError) and "rate limited" in str(err)


def test_ingest_through_yfinance_source(db_url):
    amd = _bars("2024-06-03", "2024-06-14", 160.0)
    adapter = YahooStandIn(frames={"AMD": amd}, behaviour={"ZZZZ": "empty"})
    engine = open_db(db_url)
    report = ingest_prices(engine, _source(adapter, []), ["AMD", "ZZZZ"], progress=False)
    assert report.status == "partial" and list(report.failed) == ["ZZZZ"]
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT date, close, source FROM prices WHERE ticker = 'AMD' ORDER BY date")).all()
    assert len(rows) == len(amd) and rows[0][2] == "yfinance"
    np.testing.assert_allclose([r[1] for r in rows], amd["Close"])
    # Incremental: only the last sessions are asked for and nothing changes.
    again = ingest_prices(engine, _source(adapter, []), ["AMD"], progress=False)
    assert (again.rows_inserted, again.rows_updated) == (0, 0)
    assert again.results[0].first == pd.Timestamp("2024-06-10").date()  # 5 sessions back from 2024-06-14


def test_a_locked_yfinance_cache_is_retried_at_once(monkeypatch):
    """yfinance's threads can find its own time-zone cache locked: that ticker is fetched again, without a backoff wait."""
    from eventstudy.sources import yahoo

    amd = _bars("2024-06-03", "2024-06-14", 160.0)
    adapter = YahooStandIn(frames={"AMD": amd})
    delays: list = []
    source = _source(adapter, delays)
    real = source._download
    calls = []

    def first_call_hits_the_lock(tickers, start):
        calls.append(list(tickers))
        if len(calls) == 1:
            log = yahoo._ErrorLog()
            log.messages.append(f"{tickers}: OperationalError('database is locked')")
            return pd.DataFrame(), log
        return real(tickers, start)

    monkeypatch.setattr(source, "_download", first_call_hits_the_lock)
    got = dict(source.fetch({"AMD": None}))
    assert calls == [["AMD"], ["AMD"]] and delays == []
    np.testing.assert_allclose(got["AMD"]["close"], amd["Close"])
