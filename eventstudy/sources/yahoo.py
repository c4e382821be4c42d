"""Prices from Yahoo Finance through yfinance (the only module that imports it).

One ``yf.download`` call per batch of tickers.  Settings that matter:

* ``auto_adjust=False``: its default flipped to True in 0.2.51; we keep the
  as-traded, split-adjusted Close (not dividend-adjusted), the convention of the
  shared files, and take cash dividends and splits from ``actions=True``.
* ``group_by="ticker"``: columns are a (ticker, field) MultiIndex even for one ticker.
* ``ignore_tz=True``: each ticker's timestamps keep their exchange's local wall
  time, so the date part is the exchange trading date (a KRX session stays on
  its Korean date instead of moving to the previous UTC day).

yfinance does not raise when a download fails (offline, rate limited, unknown
ticker): it logs the error and returns empty or all-NaN columns.  We read its
log records to tell transient failures (rate limit, network), which are retried
with exponential backoff, from the rest, and turn a ticker still without data
into a :class:`DataError` naming it and the likely cause.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Callable, Iterator, Mapping

import pandas as pd
import yfinance as yf
from yfinance.exceptions import YFRateLimitError

from ..exceptions import DataError
from .base import FetchOutcome, since

#: Tickers per ``yf.download`` call.
BATCH_SIZE = 40
#: Attempts per batch after the first, with delays base, 2*base, 4*base ... seconds.
MAX_RETRIES = 4
BASE_DELAY = 2.0
# yfinance's download threads share its on-disk time-zone cache (SQLite): under load one finds it
# locked by another. Nothing went wrong at Yahoo, so such a ticker is retried at once, without backoff.
_LOCAL_MARKERS = ("database is locked",)
_TRANSIENT_MARKERS = ("YFRateLimitError", "Too Many Requests", "Rate limit", "Timeout", "timed out",
                      "ConnectionError", "Connection refused", "Failed to connect", *_LOCAL_MARKERS)
# A host name that does not resolve means no network at all: retrying only makes the user wait.
_NO_DNS_MARKERS = ("Could not resolve", "DNSError", "Name or service not known", "name resolution")
_FIELDS = {"Open": "open", "High": "high", "Low": "low", "Close": "close", "Volume": "volume",
           "Dividends": "dividend", "Stock Splits": "split_factor"}


class _ErrorLog(logging.Handler):
    """Collects yfinance's error log records during one download."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())

    def about(self, ticker: str) -> str:
        """The messages naming ``ticker`` (yfinance logs ``['AMD', 'X']: <error>``)."""
        return "; ".join(m for m in self.messages if f"'{ticker}'" in m or f"${ticker}" in m)


def _mentions(message: str, markers: tuple[str, ...]) -> bool:
    return any(marker.lower() in message.lower() for marker in markers)


def _transient(message: str) -> bool:
    return _mentions(message, _TRANSIENT_MARKERS) and not _mentions(message, _NO_DNS_MARKERS)


def _canonical(raw: pd.DataFrame) -> pd.DataFrame:
    """One ticker's yfinance columns -> the canonical frame (empty if no close at all)."""
    frame = raw.rename(columns=_FIELDS).reindex(columns=list(_FIELDS.values()))
    frame = frame.loc[frame["close"].notna()].astype("float64")
    frame.columns.name = None
    index = pd.DatetimeIndex(frame.index)
    if index.tz is not None:  # keep the exchange's wall-clock date, drop the zone
        index = index.tz_localize(None)
    frame.index = pd.DatetimeIndex(index.normalize(), name="date")
    frame["dividend"] = frame["dividend"].fillna(0.0)
    # yfinance reports 0 on days without a split; we store 1.0 (no change in share count).
    frame["split_factor"] = frame["split_factor"].where(frame["split_factor"] > 0, 1.0)
    return frame.loc[~frame.index.duplicated(keep="last")].sort_index()


class YahooSource:
    """Daily prices from Yahoo Finance.

    Parameters
    ----------
    session
        A ``requests``/``curl_cffi`` session handed to yfinance (tests pass one
        that serves recorded responses); None lets yfinance make its own.
    sleep
        Called with the backoff delay in seconds (tests pass a recorder).
    """

    name = "yfinance"

    def __init__(self, *, session=None, batch_size: int = BATCH_SIZE, max_retries: int = MAX_RETRIES,
                 base_delay: float = BASE_DELAY, sleep: Callable[[float], None] = time.sleep):
        self.session = session
        self.batch_size = batch_size
        self.max_retries = max_retries
        self.base_delay = base_delay
        self.sleep = sleep

    def _download(self, tickers: list[str], start: pd.Timestamp | None) -> tuple[pd.DataFrame, _ErrorLog]:
        log = _ErrorLog()
        logger = logging.getLogger("yfinance")
        logger.addHandler(log)
        kwargs = {"start": start.strftime("%Y-%m-%d")} if start is not None else {"period": "max"}
        # With hidden exceptions, yfinance's history() logs a network failure as "possibly
        # delisted"; shown, download() logs each ticker's exception by type (ConnectionError,
        # YFRateLimitError, YFPricesMissingError), which is what tells a retry from a failure.
        hidden = yf.config.debug.hide_exceptions
        yf.config.debug.hide_exceptions = False
        try:
            with warnings.catch_warnings():
                # yfinance's own pandas deprecation warnings are not the user's business.
                warnings.filterwarnings("ignore", module="yfinance")
                data = yf.download(tickers, group_by="ticker", auto_adjust=False, actions=True, ignore_tz=True,
                                   progress=False, threads=True, session=self.session, multi_level_index=True,
                                   **kwargs)
        except YFRateLimitError as exc:
            log.messages.append(f"{tickers}: YFRateLimitError({exc})")
            data = None
        except OSError as exc:  # network errors of requests/curl_cffi derive from OSError
            log.messages.append(f"{tickers}: ConnectionError({exc})")
            data = None
        finally:
            yf.config.debug.hide_exceptions = hidden
            logger.removeHandler(log)
        return (data if data is not None else pd.DataFrame()), log

    def _batch(self, tickers: list[str], start: pd.Timestamp | None) -> Iterator[FetchOutcome]:
        pending, last_error = list(tickers), {}
        for attempt in range(self.max_retries + 1):
            data, log = self._download(pending, start)
            retry = []
            for ticker in pending:
                frame = None
                if isinstance(data.columns, pd.MultiIndex) and ticker in data.columns.get_level_values(0):
                    frame = _canonical(data[ticker])
                if frame is not None and len(frame):
                    yield ticker, since(frame, start)
                    continue
                last_error[ticker] = log.about(ticker) or log.about(str(pending))
                if _transient(last_error[ticker]) and attempt < self.max_retries:
                    retry.append(ticker)
                else:
                    yield ticker, self._failure(ticker, last_error[ticker], start)
            if not retry:
                return
            if not all(_mentions(last_error[t], _LOCAL_MARKERS) for t in retry):  # Yahoo itself: back off
                self.sleep(self.base_delay * 2 ** attempt)
            pending = retry

    @staticmethod
    def _failure(ticker: str, detail: str, start: pd.Timestamp | None) -> DataError:
        when = "" if start is None else f" since {start.date()}"
        if "ratelimit" in detail.lower().replace(" ", ""):
            cause = "rate limited by Yahoo (retries exhausted)"
        elif _mentions(detail, _NO_DNS_MARKERS):
            cause = "offline (Yahoo's host name does not resolve)"
        else:
            cause = "offline, or delisted/misspelled ticker"
        extra = f" [yfinance: {detail}]" if detail else ""
        return DataError(f"no data from Yahoo for {ticker}{when}: {cause}{extra}")

    def fetch(self, wanted: Mapping[str, pd.Timestamp | None]) -> Iterator[FetchOutcome]:
        # Tickers sharing a start date go in one call; a nightly refresh has one start for all.
        groups: dict[pd.Timestamp | None, list[str]] = {}
        for ticker, start in wanted.items():
            groups.setdefault(start, []).append(ticker)
        for start, tickers in groups.items():
            for i in range(0, len(tickers), self.batch_size):
                yield from self._batch(tickers[i:i + self.batch_size], start)
