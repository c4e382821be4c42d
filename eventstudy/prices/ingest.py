"""Price and factor ingestion: sources -> database, incremental, idempotent, crash-safe.

Per ticker: find the last stored session, ask the source for the sessions from
:data:`RECHECK_SESSIONS` sessions before it (so revisions of recent days are
picked up; a new ticker gets its whole history), and upsert whole tickers in
batches of about :data:`BATCH_ROWS` rows, one transaction per batch, so a crash
(even SIGKILL) leaves every ticker either as before or fully updated.  A failing
ticker is reported and skipped; the others go on.  Each call is recorded in
``ingest_runs`` (a run killed midway is marked ``interrupted`` by the next ingest on that host).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from ..config import DEFAULT_BENCHMARKS, PriceSourceSpec
from ..db import Engine
from ..db.catalog_store import catalog_tickers
from ..db.prices import UpsertCounts, finish_ingest_run, last_dates, start_ingest_run, store_factors, upsert_tickers
from ..sources import make_source
from ..sources.base import PriceSource
from ..sources.factors import read_french_file
from .calendar import trading_sessions

#: Columns an FF3 file owns; an FF5 file only fills them where FF3 gave nothing.
FF3_COLUMNS = ("mkt_rf", "smb", "hml", "rf")
#: Rows written per transaction.  Tickers are never split across transactions, so a
#: crash leaves each ticker as before or fully updated; batching several small
#: tickers saves one commit (an fsync) per ticker.
BATCH_ROWS = 50_000
#: Stored sessions fetched again on an incremental update, to catch revised values.
RECHECK_SESSIONS = 5


@dataclass
class TickerResult:
    """What happened to one ticker: ``status`` is ``ok`` or ``failed`` (then ``message`` says why)."""

    ticker: str
    status: str
    rows_inserted: int = 0
    rows_updated: int = 0
    rows_unchanged: int = 0
    first: dt.date | None = None
    last: dt.date | None = None
    message: str = ""


@dataclass
class IngestReport:
    """The outcome of one :func:`ingest_prices` call (also stored in ``ingest_runs``)."""

    source: str
    run_id: int | None = None
    results: list[TickerResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every ticker was ingested."""
        return all(r.status == "ok" for r in self.results)

    @property
    def failed(self) -> dict[str, str]:
        """Failed tickers and why."""
        return {r.ticker: r.message for r in self.results if r.status != "ok"}

    @property
    def rows_inserted(self) -> int:
        return sum(r.rows_inserted for r in self.results)

    @property
    def rows_updated(self) -> int:
        return sum(r.rows_updated for r in self.results)

    @property
    def status(self) -> str:
        """``ok`` (all tickers), ``partial`` (some failed) or ``failed`` (none ingested)."""
        n_ok = sum(r.status == "ok" for r in self.results)
        return "ok" if n_ok == len(self.results) else ("failed" if n_ok == 0 else "partial")

    def as_rows(self) -> list[dict]:
        """One plain dict per ticker, for printing."""
        return [vars(r).copy() for r in self.results]


def default_tickers(engine: Engine) -> list[str]:
    """The catalog's listed tickers followed by the benchmarks, without repeats."""
    return list(dict.fromkeys([*catalog_tickers(engine), *DEFAULT_BENCHMARKS]))


def _start_dates(engine: Engine, tickers: Sequence[str]) -> dict[str, pd.Timestamp | None]:
    """First date to fetch per ticker: ``RECHECK_SESSIONS`` sessions before the last stored one (None: everything)."""
    last = last_dates(engine, tickers)
    wanted: dict[str, pd.Timestamp | None] = {}
    for ticker in tickers:
        if ticker not in last:
            wanted[ticker] = None
            continue
        recent = trading_sessions(last[ticker] - pd.Timedelta(days=3 * RECHECK_SESSIONS + 10), last[ticker])
        wanted[ticker] = recent[-RECHECK_SESSIONS] if len(recent) >= RECHECK_SESSIONS else last[ticker]
    return wanted


def _progress(enabled: bool) -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=Console(stderr=True), disable=not enabled, transient=False)


def ingest_prices(engine: Engine, source_spec: PriceSourceSpec | str | PriceSource, tickers: Sequence[str], *,
                  progress: bool = True) -> IngestReport:
    """Fetch ``tickers`` from the source and upsert them, one transaction per ticker.

    Parameters
    ----------
    source_spec
        ``yfinance``, ``files:DIR``, a :class:`~eventstudy.config.PriceSourceSpec`, or a source object.
    tickers
        Symbols as the source knows them (upper-cased here).
    progress
        Show a rich progress bar on stderr.

    Returns
    -------
    IngestReport
        Per-ticker status and row counts, in the order of ``tickers``; failed
        tickers carry the error message.  Nothing is raised for a failing ticker.
    """
    source = source_spec if hasattr(source_spec, "fetch") else make_source(source_spec)
    names = list(dict.fromkeys(t.strip().upper() for t in tickers if t.strip()))
    report = IngestReport(source=source.name)
    report.run_id = start_ingest_run(engine, source.name)
    wanted = _start_dates(engine, names)
    batch: list[tuple[str, pd.DataFrame]] = []
    with _progress(progress) as bar:
        task = bar.add_task(f"ingest {source.name}", total=len(names))
        for ticker, outcome in source.fetch(wanted):
            if isinstance(outcome, Exception):
                report.results.append(TickerResult(ticker, "failed", message=str(outcome)))
            else:
                batch.append((ticker, outcome))
                if sum(len(f) for _, f in batch) >= BATCH_ROWS:
                    report.results.extend(_store_batch(engine, batch, source.name))
                    batch = []
            bar.update(task, advance=1, description=f"ingest {source.name} {ticker}")
        report.results.extend(_store_batch(engine, batch, source.name))
    order = {t: i for i, t in enumerate(names)}
    report.results.sort(key=lambda r: order.get(r.ticker, len(order)))
    _finish_run(engine, report)
    return report


def _result(ticker: str, frame: pd.DataFrame, counts: UpsertCounts) -> TickerResult:
    first = frame.index[0].date() if len(frame) else None
    last = frame.index[-1].date() if len(frame) else None
    return TickerResult(ticker, "ok", counts.inserted, counts.updated, counts.unchanged, first, last)


def _store_batch(engine: Engine, batch: list[tuple[str, pd.DataFrame]], source_name: str) -> list[TickerResult]:
    """Upsert whole tickers (see :func:`eventstudy.db.prices.upsert_tickers`); a ticker the database refuses fails alone."""
    frames = dict(batch)
    return [_result(t, frames[t], outcome) if isinstance(outcome, UpsertCounts)
            else TickerResult(t, "failed", message=f"{t}: database write failed: {outcome}")
            for t, outcome in upsert_tickers(engine, batch, source_name)]


def _finish_run(engine: Engine, report: IngestReport) -> None:
    failed = report.failed
    finish_ingest_run(engine, report.run_id, tickers_ok=len(report.results) - len(failed), failed=failed,
                      rows_inserted=report.rows_inserted, rows_updated=report.rows_updated, status=report.status)


def ingest_factors(engine: Engine, path: str | Path) -> int:
    """Load one Ken French daily factor file (FF3, momentum or FF5) into ``factors``, merging by date.

    Values are stored in DECIMAL (the file's percent / 100).  FF5's SMB and HML are
    built from other sorts than FF3's, and one column cannot hold both: the FF3
    file's Mkt-RF, SMB, HML and RF win whatever the loading order (an FF5 file only
    fills dates FF3 lacks), so 3-factor models use the published FF3 series.
    Returns the number of dates inserted or changed (0 when the file was already
    loaded).  The whole file is one transaction; a malformed file raises
    :class:`DataError` (file:line) and writes nothing.
    """
    frame = read_french_file(path)
    is_ff5 = {"rmw", "cma"} <= set(frame.columns)
    return store_factors(engine, frame, fill_only=FF3_COLUMNS if is_ff5 else ())
