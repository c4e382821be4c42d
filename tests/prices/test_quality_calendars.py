"""``prices quality`` checks each ticker against its own exchange's calendar (XKRX, XTKS, XNYS)."""

from __future__ import annotations

import io

import exchange_calendars as xcals
import pandas as pd
from typer.testing import CliRunner

from eventstudy.cli import app
from eventstudy.db import open_db
from eventstudy.prices.calendar import exchange_for_ticker


def test_calendar_from_the_ticker_suffix():
    assert exchange_for_ticker("000660.KS") == "XKRX"
    assert exchange_for_ticker("9984.T") == "XTKS"
    assert exchange_for_ticker("AMD") == exchange_for_ticker("BRK-B") == "XNYS"


def test_korean_prices_judged_on_the_korean_calendar(tmp_path, prices_dir):
    from eventstudy.prices.ingest import ingest_prices

    db = f"sqlite:///{tmp_path / 'q.db'}"
    assert ingest_prices(open_db(db), f"files:{prices_dir}", ["005930.KS", "AMD"], progress=False).ok
    runner = CliRunner()
    own = pd.read_csv(io.StringIO(runner.invoke(app, ["--db", db, "prices", "quality", "--format", "csv"]).stdout))
    nyse = pd.read_csv(io.StringIO(runner.invoke(app, ["--db", db, "prices", "quality", "--exchange", "XNYS",
                                                       "--format", "csv"]).stdout))
    own, nyse = own.set_index("ticker"), nyse.set_index("ticker")
    assert own.loc["005930.KS", "calendar"] == "XKRX" and own.loc["AMD", "calendar"] == "XNYS"
    # Reference: the file's dates against exchange_calendars' XKRX sessions over the same span.
    dates = pd.DatetimeIndex(pd.read_csv(prices_dir / "005930.KS.csv", parse_dates=["Date"])["Date"]).unique()
    sessions = xcals.get_calendar("XKRX", start=dates.min()).sessions_in_range(dates.min(), dates.max()).tz_localize(None)
    assert own.loc["005930.KS", "missing_sessions"] == len(sessions.difference(dates))
    assert own.loc["005930.KS", "non_sessions"] == len(dates.difference(sessions))
    # Against New York the same file looks much worse: Korean holidays, US holidays.
    assert nyse.loc["005930.KS", "missing_sessions"] > 20 * own.loc["005930.KS", "missing_sessions"]
    assert nyse.loc["005930.KS", "non_sessions"] > 2 * own.loc["005930.KS", "non_sessions"]
