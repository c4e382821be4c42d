"""Fixtures of the backtest tests: real daily prices read straight from the shared CSV files."""

from __future__ import annotations

import pandas as pd
import pytest

from eventstudy.backtest.data import PriceData

TICKERS = ["AMD", "NVDA", "ORCL", "INTC", "SPY", "QQQ"]


@pytest.fixture(scope="session")
def prices(prices_dir) -> PriceData:
    return PriceData.from_csv_dir(prices_dir, TICKERS)


@pytest.fixture(scope="session")
def raw(prices_dir) -> dict[str, pd.DataFrame]:
    """The CSV files as read by pandas alone (the independent reference for prices)."""
    return {t: pd.read_csv(prices_dir / f"{t}.csv", index_col="Date", parse_dates=True) for t in TICKERS}


def event(event_id: str, ticker: str, announced: str, timing: str = "pre-open", role: str = "supplier",
          deal_type: str = "supply-deal") -> dict:
    return dict(event_id=event_id, ticker=ticker, announced=announced, timing=timing, role=role, deal_type=deal_type)


def events(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows))
