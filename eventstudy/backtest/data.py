"""Backtest inputs as plain arrays: daily OHLC on one session calendar, and the events to trade.

Prices are split-adjusted, not dividend-adjusted (as stored by the prices helper); a session
where a ticker did not trade (before its listing) is NaN.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from typing import TYPE_CHECKING

from ..exceptions import DataError

if TYPE_CHECKING:
    from ..db import Engine

FIELDS = ("open", "high", "low", "close")
#: Columns the events frame must have (one row per event x listed party).
EVENT_COLUMNS = ("event_id", "ticker", "announced", "timing", "role", "deal_type")


@dataclass(frozen=True)
class PriceData:
    """OHLC prices, shape (T sessions, M tickers) per field, on a common session index."""

    sessions: pd.DatetimeIndex
    tickers: tuple[str, ...]
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray

    @classmethod
    def from_frames(cls, frames: Mapping[str, pd.DataFrame]) -> "PriceData":
        """Build from wide frames per field (``load_prices`` output): index sessions, columns tickers.

        ``close`` is required; a missing ``open``/``high``/``low`` frame is replaced by the close
        (then an entry "at the open" fills at that session's close, and stops see no intraday range).
        """
        if "close" not in frames:
            raise DataError("prices need at least a 'close' frame")
        close = frames["close"].sort_index()
        index = pd.DatetimeIndex(close.index).normalize()
        tickers = tuple(str(c) for c in close.columns)
        arrays = {}
        for field in FIELDS:
            frame = frames.get(field, close).reindex(index=close.index, columns=close.columns)
            arrays[field] = np.ascontiguousarray(frame.to_numpy(dtype="float64"))
        return cls(index, tickers, **arrays)

    @classmethod
    def from_csv_dir(cls, folders: str | Path | Sequence[str | Path], tickers: Sequence[str]) -> "PriceData":
        """Read ``<T>.csv[.gz]`` (Date,Open,High,Low,Close,Volume) for each ticker from the first folder that has it."""
        from ..sources.files import FileSource, read_price_file

        source = FileSource(folders)
        frames: dict[str, dict[str, pd.Series]] = {f: {} for f in FIELDS}
        for ticker in dict.fromkeys(tickers):
            path = source.find(ticker)
            if path is None:
                raise DataError(f"no price file for {ticker} in {', '.join(map(str, source.folders))}")
            table = read_price_file(path)
            for field in FIELDS:
                frames[field][ticker] = table[field.capitalize()]
        return cls.from_frames({f: pd.DataFrame(cols).sort_index() for f, cols in frames.items()})

    def column(self, ticker: str) -> int:
        try:
            return self.tickers.index(ticker)
        except ValueError:
            raise DataError(f"no prices for {ticker}: load them with 'eventstudy prices ingest --tickers {ticker}'") from None

    def columns(self, tickers: Sequence[str]) -> np.ndarray:
        return np.array([self.column(t) for t in tickers], dtype=np.int64)


def check_events(events: pd.DataFrame) -> pd.DataFrame:
    """Validate and normalise the events frame (``announced`` to datetime, ``amount_value`` optional)."""
    missing = [c for c in EVENT_COLUMNS if c not in events.columns]
    if missing:
        raise DataError(f"events frame lacks column(s) {', '.join(missing)}")
    out = events.copy()
    out["announced"] = pd.to_datetime(out["announced"]).dt.normalize()
    if "amount_value" not in out.columns:
        out["amount_value"] = np.nan
    out = out.dropna(subset=["ticker"]).drop_duplicates(["event_id", "ticker"]).reset_index(drop=True)
    return out


def load_events(engine: "Engine") -> pd.DataFrame:
    """Catalog events from the database, one row per (event, listed party), with ``amount_value`` (whole currency units)."""
    from ..db.catalog_store import load_events_frame

    return check_events(load_events_frame(engine, extra=("amount_value",)))


def load_price_data(engine: "Engine", tickers: Sequence[str], start=None, end=None) -> tuple[PriceData, list[str]]:
    """OHLC for ``tickers`` from the database, and the tickers with no stored row at all.

    A ticker without prices is left out of the :class:`PriceData` (the backtest lists its
    event-firms as skipped, like the event study does); when none of ``tickers`` has a price the
    error names them with the ingest command that fixes it.
    """
    from ..db.prices import load_prices

    wanted = list(dict.fromkeys(tickers))
    try:
        frames = load_prices(engine, wanted, fields=FIELDS, start=start, end=end, allow_missing=True)
    except DataError as exc:
        if "ingest" in str(exc):
            raise
        raise DataError(f"{exc} (load prices with 'eventstudy prices ingest --tickers {','.join(wanted)}')") from exc
    missing = [t for t in wanted if frames["close"][t].notna().sum() == 0]
    if len(missing) == len(wanted):
        raise DataError(f"no prices in the database for {', '.join(missing)}: run 'eventstudy prices ingest --tickers {','.join(missing)}'")
    kept = [t for t in wanted if t not in missing]
    return PriceData.from_frames({f: frame[kept] for f, frame in frames.items()}), missing
