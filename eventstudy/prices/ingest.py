"""Price and factor ingestion: sources -> database, incremental, idempotent, crash-safe.

Per ticker: find the last stored session up to today (a stray future row never
moves the start), ask the source for the sessions from :data:`RECHECK_SESSIONS`
sessions of the ticker's exchange before it (so revisions of recent days are
picked up; a new ticker gets its whole history), check every frame with
:func:`eventstudy.prices.validate.validate_prices` (an impossible row fails its
ticker, nothing of it is written), and upsert whole tickers in
batches of about :data:`BATCH_ROWS` rows, one transaction per batch, so a crash
(even SIGKILL) leaves every ticker either as before or fully updated.  A failing
ticker is reported and skipped; the others go on.  A reader thread fetches and
validates the next tickers (at most :data:`READ_AHEAD` ahead) while the current
batch is written: the order, the batches and every ticker's outcome are those of a
plain loop.  Each call is recorded in
``ingest_runs``, which always ends in a final state (``ok``, ``partial``, ``failed``;
``interrupted`` when stopped by an exception or Ctrl-C; a run killed midway is marked
``interrupted`` by the next ingest on that host).  Tickers must match
:data:`eventstudy.tickers.TICKER_PATTERN`.
"""

from __future__ import annotations

import datetime as dt
import queue
import threading
from collections.abc import Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from ..config import DEFAULT_BENCHMARKS, PriceSourceSpec
from ..db import Engine
from ..db.catalog_store import catalog_tickers
from ..db.prices import UpsertCounts, finish_ingest_run, last_dates, start_ingest_run, store_factors, upsert_tickers
from ..exceptions import DataError
from ..sources import make_source
from ..sources.base import PriceSource
from ..sources.factors import read_french_file
from .calendar import exchange_for_ticker, exchange_today, trading_sessions
from ..tickers import ticker_problem
from .validate import validate_prices

#: Columns an FF3 file owns; an FF5 file only fills them where FF3 gave nothing.
FF3_COLUMNS = ("mkt_rf", "smb", "hml", "rf")
#: Rows written per transaction.  Tickers are never split across transactions, so a
#: crash leaves each ticker as before or fully updated; batching several small
#: tickers saves one commit (an fsync) per ticker.
BATCH_ROWS = 50_000
#: Stored sessions fetched again on an incremental update, to catch revised values.
RECHECK_SESSIONS = 5
#: Tickers read and validated ahead of the one being written (by a reader thread).
READ_AHEAD = 8

T = TypeVar("T")


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
    #: Stored values changed (recorded in ``price_revisions``).
    values_revised: int = 0
    #: Suspicious but possible findings, kept (see :mod:`eventstudy.prices.validate`).
    flags: list[str] = field(default_factory=list)


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
    def values_revised(self) -> int:
        return sum(r.values_revised for r in self.results)

    @property
    def flagged(self) -> dict[str, str]:
        """Tickers stored with suspicious values, and what (kept; see the quality report)."""
        return {r.ticker: "; ".join(r.flags) for r in self.results if r.flags}

    @property
    def status(self) -> str:
        """``ok`` (all tickers), ``partial`` (some failed) or ``failed`` (none ingested)."""
        n_ok = sum(r.status == "ok" for r in self.results)
        return "ok" if n_ok == len(self.results) else ("failed" if n_ok == 0 else "partial")

    def summary(self) -> str:
        """One line: rows written, stored values revised, tickers failed, tickers kept with suspicious values."""
        text = (f"{self.rows_inserted} new row(s), {self.rows_updated} changed, {self.values_revised} stored value(s) "
                f"revised (see price_revisions), {len(self.results) - len(self.failed)}/{len(self.results)} tickers ok")
        if self.flagged:
            text += "; kept but suspicious: " + "; ".join(f"{t}: {m}" for t, m in self.flagged.items())
        return text

    def as_rows(self) -> list[dict]:
        """One plain dict per ticker, for printing."""
        return [{**vars(r), "flags": "; ".join(r.flags)} for r in self.results]


def default_tickers(engine: Engine) -> list[str]:
    """The catalog's listed tickers followed by the benchmarks, without repeats."""
    return list(dict.fromkeys([*catalog_tickers(engine), *DEFAULT_BENCHMARKS]))


def _start_dates(engine: Engine, tickers: Sequence[str],
                 today: dict[str, pd.Timestamp]) -> dict[str, pd.Timestamp | None]:
    """First date to fetch per ticker: ``RECHECK_SESSIONS`` sessions of its exchange before its last stored
    session up to today (None: everything).  Rows dated after today are ignored, so one cannot wedge the start."""
    latest = max(today.values(), default=exchange_today())
    last = last_dates(engine, tickers, until=latest)
    wanted: dict[str, pd.Timestamp | None] = {}
    for ticker in tickers:
        exchange = exchange_for_ticker(ticker)
        stored = last.get(ticker)
        if stored is not None and stored > today[exchange]:  # another exchange's today: not ours yet
            stored = last_dates(engine, [ticker], until=today[exchange]).get(ticker)
        if stored is None:
            wanted[ticker] = None
            continue
        recent = trading_sessions(stored - pd.Timedelta(days=3 * RECHECK_SESSIONS + 10), stored, exchange)
        wanted[ticker] = recent[-RECHECK_SESSIONS] if len(recent) >= RECHECK_SESSIONS else stored
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
    asked = list(dict.fromkeys(t.strip().upper() for t in tickers if t.strip()))
    report = IngestReport(source=source.name)
    # A ticker that is not a ticker never reaches the source (it could name a path) nor the database.
    refused = {t: p for t in asked if (p := ticker_problem(t))}
    names = [t for t in asked if t not in refused]
    report.results.extend(TickerResult(t, "failed", message=p) for t, p in refused.items())
    report.run_id = start_ingest_run(engine, source.name)
    try:
        _ingest(engine, source, names, report, progress)
    except BaseException as exc:  # Ctrl-C or a source that broke down: the run still ends in a final state
        done = {r.ticker for r in report.results}
        cause = "interrupted" if isinstance(exc, KeyboardInterrupt) else f"ingest stopped: {type(exc).__name__}: {exc}"
        report.results.extend(TickerResult(t, "failed", message=f"{t}: {cause}") for t in names if t not in done)
        try:
            _finish_run(engine, report, status="interrupted")
        except Exception:  # noqa: BLE001 - the database itself may be what failed; the next ingest marks the run
            pass
        raise
    order = {t: i for i, t in enumerate(asked)}
    report.results.sort(key=lambda r: order.get(r.ticker, len(order)))
    _finish_run(engine, report)
    return report


def _checked(source: PriceSource, wanted: dict[str, pd.Timestamp | None],
             today: dict[str, pd.Timestamp]) -> Iterator[tuple[str, pd.DataFrame | Exception, list[str]]]:
    """The source's outcomes, each frame validated: ``(ticker, frame or the error that fails it, flags)``."""
    for ticker, outcome in source.fetch(wanted):
        flags: list[str] = []
        if not isinstance(outcome, Exception):
            try:
                flags = validate_prices(ticker, outcome, today=today[exchange_for_ticker(ticker)])
                # The row origins served the messages; pandas would deep-copy them on every later operation.
                outcome.attrs.pop("origin", None)
            except DataError as exc:
                outcome = exc
        yield ticker, outcome, flags


def _read_ahead(items: Iterator[T], depth: int = READ_AHEAD) -> Iterator[T]:
    """``items`` in order, produced by a background thread at most ``depth`` ahead of the consumer.

    Reading and checking the next tickers (file reads, decompression and CSV parsing
    release the GIL) then overlaps the database writes of the current ones.  An
    exception of the producer is raised here, in its place in the order; when the
    consumer stops (an error, Ctrl-C), the producer stops at its next item.
    """
    handoff: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(entry: tuple) -> bool:
        while not stop.is_set():
            try:
                handoff.put(entry, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(("item", item)):
                    return
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, raised there
            put(("error", exc))
            return
        put(("end", None))

    worker = threading.Thread(target=produce, name="ingest-read-ahead", daemon=True)
    worker.start()
    try:
        while True:
            kind, value = handoff.get()
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()


def _ingest(engine: Engine, source: PriceSource, names: list[str], report: IngestReport, progress: bool) -> None:
    today = {ex: exchange_today(ex) for ex in {exchange_for_ticker(t) for t in names} | {exchange_for_ticker("")}}
    wanted = _start_dates(engine, names, today)
    batch: list[tuple[str, pd.DataFrame]] = []
    flags: dict[str, list[str]] = {}
    # closing(): the reader thread stops as soon as this loop ends, however it ends.
    with _progress(progress) as bar, closing(_read_ahead(_checked(source, wanted, today))) as outcomes:
        task = bar.add_task(f"ingest {source.name}", total=len(names))
        for ticker, outcome, found in outcomes:
            if not isinstance(outcome, Exception):
                flags[ticker] = found
            if isinstance(outcome, Exception):
                report.results.append(TickerResult(ticker, "failed", message=str(outcome)))
            else:
                batch.append((ticker, outcome))
                if sum(len(f) for _, f in batch) >= BATCH_ROWS:
                    report.results.extend(_store_batch(engine, batch, source.name, report.run_id, flags))
                    batch = []
            bar.update(task, advance=1, description=f"ingest {source.name} {ticker}")
        report.results.extend(_store_batch(engine, batch, source.name, report.run_id, flags))


def _result(ticker: str, frame: pd.DataFrame, counts: UpsertCounts, flags: list[str]) -> TickerResult:
    first = frame.index[0].date() if len(frame) else None
    last = frame.index[-1].date() if len(frame) else None
    return TickerResult(ticker, "ok", counts.inserted, counts.updated, counts.unchanged, first, last,
                        values_revised=counts.revised, flags=flags)


def _store_batch(engine: Engine, batch: list[tuple[str, pd.DataFrame]], source_name: str, run_id: int | None,
                 flags: dict[str, list[str]]) -> list[TickerResult]:
    """Upsert whole tickers (see :func:`eventstudy.db.prices.upsert_tickers`); a ticker the database refuses fails alone."""
    frames = dict(batch)
    return [_result(t, frames[t], outcome, flags.get(t, [])) if isinstance(outcome, UpsertCounts)
            else TickerResult(t, "failed", message=f"{t}: database write failed: {outcome}")
            for t, outcome in upsert_tickers(engine, batch, source_name, run_id)]


def _finish_run(engine: Engine, report: IngestReport, status: str | None = None) -> None:
    failed = report.failed
    finish_ingest_run(engine, report.run_id, tickers_ok=len(report.results) - len(failed), failed=failed,
                      rows_inserted=report.rows_inserted, rows_updated=report.rows_updated,
                      values_revised=report.values_revised, status=status or report.status)


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
