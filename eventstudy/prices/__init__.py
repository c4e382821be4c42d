"""Prices: the exchange trading calendar, ingestion from sources into the database, data-quality checks.

Stored prices are read through :mod:`eventstudy.db.prices` (``load_prices``, ``load_returns``, ``load_factors``).
"""

from .calendar import session_span, trading_sessions

__all__ = ["trading_sessions", "session_span"]
