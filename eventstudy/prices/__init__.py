"""Prices in the database: trading calendar, bulk upserts and wide loads, data-quality checks."""

from .calendar import trading_sessions
from .store import load_factors, load_prices, load_returns

__all__ = ["trading_sessions", "load_returns", "load_prices", "load_factors"]
