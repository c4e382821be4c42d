"""The bulk price writes store exactly what they are given, on both backends and on every path.

Reference: each cell converted by plain Python (NaN -> NULL, volume -> int), compared with
what the database hands back; the numpy-built statements and binary COPY are not used to
compute the expectation.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

import eventstudy.db.prices as db_prices
from eventstudy.db import open_db
from eventstudy.db.price_tables import PRICE_VALUE_COLUMNS, prices
from eventstudy.db.prices import upsert_prices

NOW = dt.datetime(2026, 1, 5, 12, 30, 15, 123456, tzinfo=dt.timezone.utc)


def _frame(n: int = 40, first: str = "1999-12-20") -> pd.DataFrame:
    """``n`` rows with NULL cells in changing patterns (runs, alternation), extreme and inexact floats."""
    rng = np.random.default_rng(7)
    n_rows, n = n, max(n, 40)
    index = pd.DatetimeIndex(pd.bdate_range(first, periods=n), name="date")  # crosses 2000-01-01 (PostgreSQL's day 0)
    frame = pd.DataFrame({
        "open": rng.uniform(1, 100, n), "high": rng.uniform(100, 200, n), "low": rng.uniform(0.5, 1, n),
        "close": rng.uniform(1, 100, n), "volume": rng.integers(0, 10**9, n).astype(float),
        "dividend": np.zeros(n), "split_factor": np.ones(n)}, index=index)
    frame.iloc[::2, 0] = np.nan                 # open: every other row
    frame.iloc[5:12, 1] = np.nan                # high: a run
    frame.iloc[[3, 4, 20], 2] = np.nan          # low: scattered
    frame.iloc[::3, 4] = np.nan                 # volume: every third row
    frame.iloc[7, :4] = [0.1, 1 / 3, 5e-324, 123456789.123456789]
    frame.iloc[8, 4] = 2.0 ** 62                # near the BIGINT limit, exact in a double
    frame.iloc[9, 5] = 0.07
    frame.iloc[10, 6] = 10.0
    return frame.iloc[:n_rows].copy()


def _expected(ticker: str, frame: pd.DataFrame) -> list[tuple]:
    out = []
    for day, row in zip(frame.index, frame.itertuples(index=False)):
        cells = [None if v != v else (int(v) if name == "volume" else float(v)) for name, v in zip(PRICE_VALUE_COLUMNS, row)]
        out.append((ticker, day.date(), *cells))
    return out


def _rows(engine, ticker: str) -> list[tuple]:
    cols = [prices.c.ticker, prices.c.date, *(prices.c[c] for c in PRICE_VALUE_COLUMNS)]
    with engine.connect() as conn:
        rows = conn.execute(sa.select(*cols).where(prices.c.ticker == ticker).order_by(prices.c.date)).all()
    return [(t, d, *(None if v is None else (int(v) if name == "volume" else float(v))
                     for name, v in zip(PRICE_VALUE_COLUMNS, vals))) for t, d, *vals in rows]


def test_new_rows_with_mixed_nulls_are_stored_exactly(db_url):
    engine = open_db(db_url)
    frame = _frame()
    with engine.begin() as conn:
        counts = upsert_prices(conn, "MIX", frame, "files:test", now=NOW)
        upsert_prices(conn, "TWO", frame.iloc[:3], "files:test", now=NOW)  # a second ticker in the same transaction
    assert counts.inserted == len(frame)
    assert _rows(engine, "MIX") == _expected("MIX", frame)
    assert _rows(engine, "TWO") == _expected("TWO", frame.iloc[:3])
    with engine.connect() as conn:
        stamps = conn.execute(sa.select(prices.c.source, prices.c.ingested_at).distinct()).all()
    assert [(s, pd.Timestamp(t).tz_localize(None) if pd.Timestamp(t).tzinfo is None else pd.Timestamp(t).tz_convert(None))
            for s, t in stamps] == [("files:test", pd.Timestamp(NOW).tz_convert(None))]


def test_rows_stored_meanwhile_by_another_writer_are_merged_not_lost(db_url, monkeypatch):
    """Our comparison saw no stored row, but another writer stored them since: the write still merges
    (new values win, a NULL keeps the stored value) and the transaction goes on."""
    engine = open_db(db_url)
    first = _frame(12, "2024-03-01")
    with engine.begin() as conn:
        upsert_prices(conn, "RACE", first, "files:test", now=NOW)
    second = first.copy()
    second["close"] = second["close"] + 1.0
    second.iloc[0, 0] = 55.5                           # a value where the stored open was NULL
    second.iloc[1, :2] = np.nan                        # NULL coming in: the stored open/high stay
    empty = (np.array([], dtype="datetime64[D]"), np.empty((0, len(PRICE_VALUE_COLUMNS))))
    monkeypatch.setattr(db_prices, "_stored", lambda conn, ticker, start: empty)
    with engine.begin() as conn:
        upsert_prices(conn, "RACE", second, "files:test", now=NOW)
        upsert_prices(conn, "AFTER", first.iloc[:2], "files:test", now=NOW)  # the transaction is still usable
    merged = second.copy()
    merged.iloc[1, :2] = first.iloc[1, :2]
    assert _rows(engine, "RACE") == _expected("RACE", merged)
    assert _rows(engine, "AFTER") == _expected("AFTER", first.iloc[:2])


def test_unchanged_rows_are_not_written_and_revisions_are_counted(db_url):
    engine = open_db(db_url)
    frame = _frame(10, "2024-03-01")
    with engine.begin() as conn:
        upsert_prices(conn, "REV", frame, "files:test", now=NOW)
    again = frame.copy()
    again.iloc[4, 3] += 0.5                      # one close revised
    again.iloc[6, 4] = np.nan                    # volume no longer given: kept, not a revision
    grown = pd.concat([again, _frame(2, "2024-03-20")])
    with engine.begin() as conn:
        counts = upsert_prices(conn, "REV", grown, "files:test", run_id=7, now=NOW)
    assert (counts.inserted, counts.updated, counts.unchanged, counts.revised) == (2, 1, 9, 1)
    expected = grown.copy()
    expected.iloc[6, 4] = frame.iloc[6, 4]
    assert _rows(engine, "REV") == _expected("REV", expected)


@pytest.mark.parametrize("backend", ["sqlite"])
def test_sqlite_statement_sizes_cover_every_row_count(tmp_path, backend, monkeypatch):
    """Chunks of 500, then of 25, then single rows: every count from 1 to 530 lands whole."""
    engine = open_db(f"sqlite:///{tmp_path / 'sizes.db'}")
    frame = _frame(530, "2001-01-01")
    for n in (1, 24, 25, 26, 499, 500, 501, 530):
        with engine.begin() as conn:
            upsert_prices(conn, f"N{n}", frame.iloc[:n], "files:test", now=NOW)
        assert _rows(engine, f"N{n}") == _expected(f"N{n}", frame.iloc[:n])
