"""What every price source hands to the ingest: one canonical frame per ticker.

Canonical frame: index ``date`` (tz-naive ``DatetimeIndex`` of exchange trading
dates, sorted, unique); float columns ``open, high, low, close`` (split-adjusted,
not dividend-adjusted, listing currency), ``volume`` (shares), ``dividend`` (cash
per share with ex-date on that day, 0 when none) and ``split_factor`` (10.0 for a
10-for-1 split effective that day, 1.0 when none).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Protocol

import pandas as pd

from ..exceptions import DataError

PRICE_COLUMNS = ("open", "high", "low", "close", "volume", "dividend", "split_factor")

#: A ticker's result: its canonical frame, or the error that names why there is none.
FetchOutcome = tuple[str, pd.DataFrame | DataError]


class PriceSource(Protocol):
    """A provider of daily prices.

    ``name`` is stored in ``prices.source``.  :meth:`fetch` takes, per ticker,
    the first date wanted (``None`` = the whole history) and yields one outcome
    per ticker as soon as it is available, so one bad ticker never stops the rest.
    """

    name: str

    def fetch(self, wanted: Mapping[str, pd.Timestamp | None]) -> Iterator[FetchOutcome]: ...


def since(frame: pd.DataFrame, start: pd.Timestamp | None) -> pd.DataFrame:
    """Rows of ``frame`` on or after ``start`` (all rows when ``start`` is None)."""
    return frame if start is None else frame.loc[frame.index >= start]
