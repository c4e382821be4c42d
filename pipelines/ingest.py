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
import json
import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import Engine, select, update
from sqlalchemy.exc import SQLAlchemyError

from eventstudy.config import DEFAULT_BENCHMARKS, PriceSourceSpec
from eventstudy.db.catalog_tables import event_parties
from eventstudy.db.price_tables import ingest_runs
from eventstudy.exceptions import DataError
from eventstudy.prices.calendar import trading_sessions
from eventstudy.prices.store import UpsertCounts, last_dates, upsert_factors, upsert_prices
from eventstudy.sources import make_source
from eventstudy.sources.base import PriceSource
from eventstudy.sources.factors import read_french_file

from .lock import pid_alive

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
    """The catalog's listed tickers (from the ``event_parties`` table) followed by the benchmarks, without repeats."""
    with engine.connect() as conn:
        found = conn.execute(select(event_parties.c.ticker).where(event_parties.c.ticker.is_not(None))
                             .distinct().order_by(event_parties.c.ticker)).scalars().all()
    return list(dict.fromkeys([*(t.upper() for t in found), *DEFAULT_BENCHMARKS]))


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


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


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
    with engine.begin() as conn:
        _mark_dead_runs(conn)
        report.run_id = conn.execute(ingest_runs.insert().values(
            started_at=_now(), source=source.name, tickers_ok=0, tickers_failed=0, rows_inserted=0,
            rows_updated=0, status="running", pid=os.getpid(), host=socket.gethostname())).inserted_primary_key[0]
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
    """Upsert whole tickers in one transaction; if it fails, redo them one by one to name the culprit."""
    if not batch:
        return []
    try:
        with engine.begin() as conn:
            return [_result(t, f, upsert_prices(conn, t, f, source_name)) for t, f in batch]
    except (DataError, SQLAlchemyError):
        if len(batch) == 1:
            ticker, frame = batch[0]
            try:
                with engine.begin() as conn:
                    return [_result(ticker, frame, upsert_prices(conn, ticker, frame, source_name))]
            except (DataError, SQLAlchemyError) as exc:
                return [TickerResult(ticker, "failed", message=f"{ticker}: database write failed: {exc}")]
        return [r for item in batch for r in _store_batch(engine, [item], source_name)]


def _mark_dead_runs(conn) -> None:
    """Runs still ``running`` whose process on this host is gone were killed: say so."""
    running = conn.execute(select(ingest_runs.c.id, ingest_runs.c.pid).where(
        ingest_runs.c.status == "running", ingest_runs.c.host == socket.gethostname())).all()
    dead = [run_id for run_id, pid in running if pid is None or not pid_alive(pid)]
    if dead:
        conn.execute(update(ingest_runs).where(ingest_runs.c.id.in_(dead)).values(status="interrupted"))


def _finish_run(engine: Engine, report: IngestReport) -> None:
    failed = report.failed
    with engine.begin() as conn:
        conn.execute(update(ingest_runs).where(ingest_runs.c.id == report.run_id).values(
            finished_at=_now(), tickers_ok=len(report.results) - len(failed), tickers_failed=len(failed),
            rows_inserted=report.rows_inserted, rows_updated=report.rows_updated,
            errors=json.dumps(failed) if failed else None, status=report.status))


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
    with engine.begin() as conn:
        return upsert_factors(conn, frame, fill_only=FF3_COLUMNS if is_ff5 else ())
