"""Helpers of the hostile-input suite for prices, config and locks (issue 13).

Every case checks three things: the clear error (located: ``file:line``, ``ticker:date``
or ``file: [section] key``), no "Traceback" where a command's output is involved, and
the database afterwards: byte-identical SQLite file where the command is refused
before it writes anything, otherwise every data table row-identical (both backends)
and the one ``ingest_runs`` row that logs the refusal in a final state.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
import yfinance as yf

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sources"))  # yahoo_standin

from eventstudy.db import open_db  # noqa: E402
from eventstudy.prices.calendar import trading_sessions  # noqa: E402
from eventstudy.prices.ingest import ingest_prices  # noqa: E402

HEADER = "Date,Open,High,Low,Close,Volume"
#: Sessions of the synthetic files: June 2024 on XNYS (Juneteenth, 2024-06-19, is not one).
SESSIONS = trading_sessions("2024-06-03", "2024-06-28")
FINAL_STATES = {"ok", "partial", "failed", "interrupted"}
DATA_TABLES = ("prices", "price_revisions", "factors", "pipeline_lock")


def bars(start_price: float = 100.0) -> list[str]:
    """Data lines (no header) of a well-formed file over :data:`SESSIONS`: line 2 is the first session."""
    return [f"{d.date()},{start_price + i - 0.5},{start_price + i + 1},{start_price + i - 1},{start_price + i},{1_000_000 + i}"
            for i, d in enumerate(SESSIONS)]


def write(folder: Path, ticker: str, lines: list[str], dividends: list[str] | None = None) -> Path:
    path = folder / f"{ticker}.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n")
    if dividends is not None:
        (folder / f"{ticker}_dividends.csv").write_text("\n".join(["Date,Dividend", *dividends]) + "\n")
    return path


def table_rows(engine) -> dict[str, list[tuple]]:
    """Every row of the data tables, in key order."""
    out = {}
    with engine.connect() as conn:
        for name in DATA_TABLES:
            t = sa.Table(name, sa.MetaData(), autoload_with=conn)
            out[name] = [tuple(r) for r in conn.execute(sa.select(t).order_by(*t.primary_key.columns)).all()]
    return out


def run_states(engine) -> list[str]:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT status FROM ingest_runs ORDER BY id")).scalars().all()


class Stored:
    """A database holding AMD and NVDA for June 2024 from ``folder`` (the files stay there, unchanged)."""

    def __init__(self, url: str, folder: Path):
        self.url, self.folder = url, folder
        folder.mkdir(parents=True, exist_ok=True)
        write(folder, "AMD", bars(100.0))
        write(folder, "NVDA", bars(50.0))
        self.engine = open_db(url)
        assert ingest_prices(self.engine, f"files:{folder}", ["AMD", "NVDA"], progress=False).ok
        self.before = table_rows(self.engine)
        self.runs = len(run_states(self.engine))

    def ingest(self, tickers=("AMD", "NVDA"), source=None):
        return ingest_prices(self.engine, source or f"files:{self.folder}", list(tickers), progress=False)

    def assert_unchanged(self) -> None:
        """Data tables row-identical; each run since is logged in a final state."""
        assert table_rows(self.engine) == self.before
        assert set(run_states(self.engine)[self.runs:]) <= FINAL_STATES


def session(i: int) -> str:
    return str(SESSIONS[i].date())


def frame_for_yahoo(start_price: float = 100.0) -> pd.DataFrame:
    """The same bars as :func:`bars`, in the stand-in's layout."""
    n = len(SESSIONS)
    close = start_price + pd.Series(range(n), index=SESSIONS, dtype="float64")
    return pd.DataFrame({"Open": close - 0.5, "High": close + 1, "Low": close - 1, "Close": close,
                         "Volume": 1_000_000 + pd.Series(range(n), index=SESSIONS), "Dividends": 0.0,
                         "Stock Splits": 0.0})


# Fixtures (imported by the test modules: a conftest.py here would shadow tests/conftest.py,
# which other modules import as ``conftest``).
@pytest.fixture
def stored(db_url, tmp_path) -> Stored:
    """AMD and NVDA for June 2024 stored from files, on SQLite and on PostgreSQL."""
    return Stored(db_url, tmp_path / "prices")


@pytest.fixture
def sqlite_stored(tmp_path) -> Stored:
    return Stored(f"sqlite:///{tmp_path / 'hostile.db'}", tmp_path / "prices")


@pytest.fixture(autouse=True)
def private_yf_cache(tmp_path):
    """yfinance caches each ticker's time zone on disk: keep the stand-in's answers out of the user's cache."""
    yf.set_tz_cache_location(str(tmp_path / "yf-cache"))
