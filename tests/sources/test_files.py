"""The files source: real shared files, and every kind of malformed file (error names file and line; DB untouched)."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest
import sqlalchemy as sa

from eventstudy.db import open_db
from eventstudy.exceptions import DataError
from eventstudy.sources.files import list_tickers, read_price_file
from eventstudy.prices.ingest import ingest_prices

GOOD = """Date,Open,High,Low,Close,Volume
2025-01-02,10.0,11.0,9.5,10.5,1000
2025-01-03,10.5,11.5,10.0,11.0,1100
2025-01-06,11.0,12.0,10.5,11.5,1200
2025-01-07,11.5,12.5,11.0,12.0,1300
"""

MALFORMED = {
    # name: (file text, line the error must name, words the message must hold)
    "bad date": (GOOD.replace("2025-01-06", "2025-13-06"), 4, "bad date"),
    "missing column": (GOOD.replace(",Close,", ",Kloze,"), 1, "missing column"),
    "text in a number": (GOOD.replace("11.5,12.5", "11.5,abc"), 5, "'abc' is not a number"),
    "duplicate date": (GOOD.replace("2025-01-07", "2025-01-06"), 5, "duplicate date"),
    "unsorted rows": (GOOD.replace("2025-01-03", "2025-01-08"), 4, "ascending"),
    "empty close": (GOOD.replace("10.0,11.0,1100", "10.0,,1100"), 3, "Close is empty"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_file_names_file_and_line(tmp_path, case):
    text, line, words = MALFORMED[case]
    path = tmp_path / "BAD.csv"
    path.write_text(text)
    with pytest.raises(DataError) as err:
        read_price_file(path)
    assert f"{path}:{line}:" in str(err.value)
    assert words in str(err.value)


def test_malformed_dividend_file_names_its_line(tmp_path):
    (tmp_path / "T.csv").write_text(GOOD)
    (tmp_path / "T_dividends.csv").write_text("Date,Dividend\n2025-01-03,0.1\n2025-01-06,x\n")
    with pytest.raises(DataError, match=r"T_dividends\.csv:3: column Dividend: 'x' is not a number"):
        read_price_file(tmp_path / "T.csv")


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_file_leaves_database_untouched(db_url, tmp_path, case):
    (tmp_path / "GOOD.csv").write_text(GOOD)
    (tmp_path / "BAD.csv").write_text(MALFORMED[case][0])
    engine = open_db(db_url)
    report = ingest_prices(engine, f"files:{tmp_path}", ["BAD", "GOOD"], progress=False)
    assert report.status == "partial"
    assert list(report.failed) == ["BAD"] and f"BAD.csv:{MALFORMED[case][1]}:" in report.failed["BAD"]
    with engine.connect() as conn:
        assert dict(conn.execute(sa.text("SELECT ticker, COUNT(*) FROM prices GROUP BY ticker")).all()) == {"GOOD": 4}


def test_gzip_and_dividends_on_a_closed_day(tmp_path):
    with gzip.open(tmp_path / "KO.csv.gz", "wt") as fh:
        fh.write("Date,Open,High,Low,Close,Volume\n2001-09-10,1,1,1,25.0,10\n2001-09-17,1,1,1,25.1,10\n")
    with gzip.open(tmp_path / "KO_dividends.csv.gz", "wt") as fh:
        fh.write("Date,Dividend\n2001-09-12,0.18\n2099-01-01,5.0\n")
    frame = read_price_file(tmp_path / "KO.csv.gz")
    # NYSE was closed on 2001-09-12: the stock first traded ex-dividend on 2001-09-17.
    assert frame["Dividend"].to_dict() == {pd.Timestamp("2001-09-10"): 0.0, pd.Timestamp("2001-09-17"): 0.18}
    assert list_tickers(tmp_path) == ["KO"]


def test_shared_folder_listing(prices_dir):
    tickers = list_tickers(prices_dir)
    assert {"AMD", "NVDA", "MSFT", "SPY", "QQQ", "CRWV", "000660.KS"} <= set(tickers)
    assert not any(t.endswith("_dividends") for t in tickers)


def test_several_folders_are_searched_in_order(tmp_path):
    from eventstudy.config import resolve_price_source
    from eventstudy.sources import make_source

    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir(), second.mkdir()
    (first / "AAA.csv").write_text("Date,Open,High,Low,Close,Volume\n2025-01-02,1,1,1,1.5,10\n")
    (second / "AAA.csv").write_text("Date,Open,High,Low,Close,Volume\n2025-01-02,1,1,1,9.0,10\n")
    (second / "BBB.csv").write_text("Date,Open,High,Low,Close,Volume\n2025-01-02,2,2,2,2.5,10\n")
    source = make_source(resolve_price_source(f"files:{first},{second}"))
    assert source.tickers() == ["AAA", "BBB"]
    got = dict(source.fetch({"AAA": None, "BBB": None, "CCC": None}))
    assert got["AAA"]["close"].iloc[0] == 1.5  # the first folder wins
    assert got["BBB"]["close"].iloc[0] == 2.5
    assert "no price file for CCC" in str(got["CCC"]) and str(second) in str(got["CCC"])


def test_close_only_files_are_a_price_source(shared_data, tmp_path):
    """``Date,Close`` files (shared/data/estudy2-covid) read with empty open/high/low/volume."""
    path = shared_data / "estudy2-covid" / "AMZN.csv"
    table = read_price_file(path)
    raw = pd.read_csv(path, index_col="Date", parse_dates=True)
    assert list(table.columns) == ["Open", "High", "Low", "Close", "Volume", "Dividend"]
    assert (table.index == raw.index).all() and (table["Close"].to_numpy() == raw["Close"].to_numpy()).all()
    assert table[["Open", "High", "Low", "Volume"]].isna().all().all() and (table["Dividend"] == 0).all()
    (tmp_path / "C.csv").write_text("Date,Close\n2025-01-02,10\n2025-01-03,\n")
    with pytest.raises(DataError, match=r"C\.csv:3: no close price"):
        read_price_file(tmp_path / "C.csv")
