"""Fixtures of the backtest tests: real daily prices read straight from the shared CSV files."""

from __future__ import annotations

import pandas as pd
import pytest

from eventstudy.backtest.data import PriceData
from eventstudy.backtest.spec import StrategySpec

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


def amd_spec(**kw) -> StrategySpec:
    """A long AMD trade around the OpenAI deal: open fill on day 0, held 2 sessions, 10,000 of 100,000 capital."""
    base = dict(name="amd", direction="long", entry={"k": 0, "at": "open"}, exit={"hold": 2},
                sizing={"method": "fixed-cash", "cash": 10_000}, capital=100_000)
    base.update(kw)
    return StrategySpec(**base)


#: The OpenAI-AMD announcement (pre-open 2025-10-06) as the only event.
OPENAI_AMD = events(event("openai-amd", "AMD", "2025-10-06", "pre-open"))
