"""Ingest of the shared price files into SQLite and PostgreSQL, checked against known real prices.

References are independent of the code under test: closes published in
SOURCES.md (AMD 2025-10-06 = 203.71, NVDA 2024-06-07 = 120.89 split-adjusted),
MSFT's 2025 dividends, and values read straight from the CSV text with the
``csv`` module.
"""

from __future__ import annotations

import csv
import math

import pandas as pd
import pytest
import sqlalchemy as sa

from eventstudy.db import open_db
from eventstudy.exceptions import DataError
from eventstudy.db.prices import load_prices, load_returns
from eventstudy.prices.ingest import ingest_prices

CORE = ["AMD", "MSFT", "NVDA", "CRWV", "SPY"]


def _csv_rows(path) -> dict[str, dict[str, str]]:
    with open(path, newline="") as fh:
        return {row["Date"]: row for row in csv.DictReader(fh)}


def _table(engine) -> list[tuple]:
    with engine.connect() as conn:
        return conn.execute(sa.text(
            "SELECT ticker, date, open, high, low, close, volume, dividend, split_factor, source, ingested_at "
            "FROM prices ORDER BY ticker, date")).all()


@pytest.fixture
def loaded(db_url, prices_dir):
    engine = open_db(db_url)
    report = ingest_prices(engine, f"files:{prices_dir}", CORE, progress=False)
    assert report.ok, report.failed
    return engine


def test_known_real_values(loaded, prices_dir):
    close = load_prices(loaded, CORE, fields=("close", "dividend"), start="2024-06-03", end="2025-12-31")
    assert round(close["close"].loc["2025-10-06", "AMD"], 4) == 203.71
    assert round(close["close"].loc["2025-10-03", "AMD"], 4) == 164.67
    # Split-adjusted across NVDA's 10-for-1 split of 2024-06-10: no 90 % drop.
    assert round(close["close"].loc["2024-06-07", "NVDA"], 2) == 120.89
    assert close["close"].loc["2024-06-10", "NVDA"] / close["close"].loc["2024-06-07", "NVDA"] == pytest.approx(1.0, abs=0.05)
    msft_2025 = close["dividend"].loc["2025", "MSFT"]
    paid = msft_2025[msft_2025 > 0]
    assert [round(v, 2) for v in paid] == [0.83, 0.83, 0.83, 0.91]
    assert [d.strftime("%Y-%m-%d") for d in paid.index] == ["2025-02-20", "2025-05-15", "2025-08-21", "2025-11-20"]


def test_row_counts_and_one_row_checked_against_csv_text(loaded, prices_dir):
    with loaded.connect() as conn:
        counts = dict(conn.execute(sa.text("SELECT ticker, COUNT(*) FROM prices GROUP BY ticker")).all())
        row = conn.execute(sa.text("SELECT open, high, low, close, volume FROM prices WHERE ticker='SPY' AND date = :d"),
                           {"d": pd.Timestamp("2025-04-09").date()}).one()
    for ticker in CORE:
        assert counts[ticker] == len(_csv_rows(prices_dir / f"{ticker}.csv"))
    text = _csv_rows(prices_dir / "SPY.csv")["2025-04-09"]
    assert tuple(row) == (float(text["Open"]), float(text["High"]), float(text["Low"]), float(text["Close"]), int(text["Volume"]))
    assert round(row[3], 2) == 548.62


def test_second_ingest_changes_zero_rows(loaded, prices_dir):
    before = _table(loaded)
    report = ingest_prices(loaded, f"files:{prices_dir}", CORE, progress=False)
    assert report.ok
    assert (report.rows_inserted, report.rows_updated) == (0, 0)
    assert all(r.rows_unchanged == 5 for r in report.results)  # only the last 5 sessions are re-checked
    assert _table(loaded) == before  # ingested_at included: no row was rewritten
    with loaded.connect() as conn:
        runs = conn.execute(sa.text("SELECT status, tickers_ok, tickers_failed, rows_inserted, rows_updated FROM ingest_runs ORDER BY id")).all()
    assert [tuple(r) for r in runs] == [("ok", 5, 0, sum(len(_csv_rows(prices_dir / f"{t}.csv")) for t in CORE), 0), ("ok", 5, 0, 0, 0)]


def test_revision_and_new_sessions_are_counted(db_url, prices_dir, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    lines = (prices_dir / "AMD.csv").read_text().splitlines()
    (src / "AMD.csv").write_text("\n".join(lines[:-2]) + "\n")  # two sessions short
    engine = open_db(db_url)
    first = ingest_prices(engine, f"files:{src}", ["AMD"], progress=False)
    assert first.rows_inserted == len(lines) - 3
    revised = lines[:-2]
    fields = revised[-1].split(",")
    old_high, old_close = float(fields[2]), float(fields[4])
    fields[2] = fields[4] = "999.5"  # a revised high and close on the last stored day (a close above high is refused)
    revised[-1] = ",".join(fields)
    (src / "AMD.csv").write_text("\n".join(revised + lines[-2:]) + "\n")
    second = ingest_prices(engine, f"files:{src}", ["AMD"], progress=False)
    assert (second.rows_inserted, second.rows_updated, second.results[0].rows_unchanged) == (2, 1, 4)
    assert second.values_revised == 2 and fields[0] in second.results[0].flags[0]  # kept, but named
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT close FROM prices WHERE ticker='AMD' AND date=:d"),
                            {"d": pd.Timestamp(fields[0]).date()}).scalar() == 999.5
        logged = conn.execute(sa.text("SELECT field, old_value, new_value, run_id FROM price_revisions ORDER BY field")).all()
    assert [tuple(r) for r in logged] == [("close", old_close, 999.5, second.run_id), ("high", old_high, 999.5, second.run_id)]


def test_total_return_by_hand_on_a_dividend_date(loaded, prices_dir):
    raw = _csv_rows(prices_dir / "MSFT.csv")
    c0, c1 = float(raw["2025-11-19"]["Close"]), float(raw["2025-11-20"]["Close"])
    total = load_returns(loaded, ["MSFT"], "2025-11-18", "2025-11-21", kind="total")
    simple = load_returns(loaded, ["MSFT"], "2025-11-18", "2025-11-21", kind="simple")
    log = load_returns(loaded, ["MSFT"], "2025-11-18", "2025-11-21", kind="log")
    assert total.loc["2025-11-20", "MSFT"] == pytest.approx((c1 + 0.91) / c0 - 1, rel=1e-12)
    assert simple.loc["2025-11-20", "MSFT"] == pytest.approx(c1 / c0 - 1, rel=1e-12)
    assert log.loc["2025-11-20", "MSFT"] == pytest.approx(math.log(c1 / c0), rel=1e-12)
    # No dividend the day after: total equals simple.
    assert total.loc["2025-11-21", "MSFT"] == pytest.approx(simple.loc["2025-11-21", "MSFT"], rel=1e-15)


def test_returns_are_aligned_on_the_calendar(loaded):
    rets = load_returns(loaded, ["CRWV", "SPY", "AMD"], "2025-03-20", "2025-10-08")
    assert list(rets.columns) == ["CRWV", "SPY", "AMD"]
    assert rets.index[0] == pd.Timestamp("2025-03-20") and rets.index[-1] == pd.Timestamp("2025-10-08")
    assert pd.Timestamp("2025-04-18") not in rets.index and pd.Timestamp("2025-07-04") not in rets.index  # holidays
    assert rets.loc[:"2025-03-28", "CRWV"].isna().all()  # IPO on 2025-03-28: no previous close yet
    assert rets.loc["2025-03-31":, "CRWV"].notna().all()
    assert rets.loc["2025-10-06", "AMD"] == pytest.approx(203.71 / 164.67 - 1, abs=1e-5)  # +23.71 %
    assert rets.loc["2025-09-30", "CRWV"] == pytest.approx(136.85 / 122.52 - 1, abs=1e-5)  # +11.70 %
    assert rets.notna().sum().loc["SPY"] == len(rets)


def test_returns_come_from_one_query(loaded):
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(loaded, "before_cursor_execute", record)
    try:
        load_returns(loaded, CORE, "2025-01-01", "2025-12-31", kind="total")
    finally:
        sa.event.remove(loaded, "before_cursor_execute", record)
    assert len([s for s in statements if "FROM prices" in s]) == 1


def test_unknown_ticker_is_named(loaded):
    with pytest.raises(DataError, match="NOPE"):
        load_returns(loaded, ["AMD", "NOPE"])
    with pytest.raises(DataError, match="CRWV"):
        load_returns(loaded, ["CRWV"], "2024-01-01", "2024-12-31")  # listed only in 2025


def test_allow_missing_gives_nan_columns_in_one_load(loaded, prices_dir):
    frames = load_prices(loaded, ["NOPE", "AMD"], fields=("close",), start="2025-10-01", end="2025-10-08", allow_missing=True)
    close = frames["close"]
    assert list(close.columns) == ["NOPE", "AMD"] and close["NOPE"].isna().all()
    assert round(close.at[pd.Timestamp("2025-10-06"), "AMD"], 4) == 203.71
    returns = load_returns(loaded, ["AMD", "NOPE"], "2025-10-06", "2025-10-06", allow_missing=True)
    assert round(returns.at[pd.Timestamp("2025-10-06"), "AMD"], 4) == round(203.71 / 164.67 - 1, 4)
    assert returns["NOPE"].isna().all()
    with pytest.raises(DataError, match="NOPE"):  # nothing at all is still an error
        load_prices(loaded, ["NOPE"], allow_missing=True)
