"""What every price source hands to the ingest: one canonical frame per ticker.

Canonical frame: index ``date`` (tz-naive ``DatetimeIndex`` of exchange trading
dates, sorted, unique); float columns ``open, high, low, close`` (split-adjusted,
not dividend-adjusted, listing currency), ``volume`` (shares), ``dividend`` (cash
per share with ex-date on that day, 0 when none) and ``split_factor`` (10.0 for a
10-for-1 split effective that day, 1.0 when none).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol

import numpy as np
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


@dataclass(frozen=True)
class Origin:
    """Where each row of a canonical frame came from, so that a rejected row is named by file and line.

    A file source puts one in ``frame.attrs["origin"]``; a frame without one (yfinance)
    is named ``ticker:date``.  Row ``i`` of the frame is line ``first_line + i`` of
    ``path``; ``dividend_lines[i]`` is the line of ``dividend_path`` whose dividend went
    to row ``i`` (0: none) and ``dividend_dates[i]`` its ex-date as written (NaT: none).
    """

    path: str
    first_line: int
    dividend_path: str | None = None
    dividend_lines: np.ndarray | None = None
    dividend_dates: np.ndarray | None = None


def since(frame: pd.DataFrame, start: pd.Timestamp | None) -> pd.DataFrame:
    """Rows of ``frame`` on or after ``start`` (all rows when ``start`` is None); an :class:`Origin` follows the rows kept."""
    if start is None:
        return frame
    keep = np.asarray(frame.index >= start)
    out = frame.loc[keep]
    origin = frame.attrs.get("origin")
    if isinstance(origin, Origin) and len(out) < len(frame):
        # Files are sorted by date, so the rows kept are the file's last ones.
        dropped = int((~keep).sum())
        out = out.copy()
        out.attrs["origin"] = Origin(
            origin.path, origin.first_line + dropped, origin.dividend_path,
            None if origin.dividend_lines is None else origin.dividend_lines[keep],
            None if origin.dividend_dates is None else origin.dividend_dates[keep])
    return out
