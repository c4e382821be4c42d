"""The nightly pipeline: catalog -> prices -> studies -> backtests -> reports, with run history.

A run is a list of named :class:`Step` s, plain functions taking a :class:`RunContext`.
:func:`run_pipeline` takes the single-run lock (:mod:`eventstudy.db.locks`), records the run
and each step in ``pipeline_runs`` / ``pipeline_steps``, and keeps going when a step
fails (every step works from what the database holds, so a failed step never wipes
earlier results).  Steps are idempotent: a rerun after a crash (or ``kill -9``) redoes
only what is missing, because derived results are keyed by *fingerprints* of their
inputs stored in ``pipeline_fingerprints``:

* study, per event: the catalog entry's content hash, the study settings, and the
  prices (every close, rounded to 1e-6) of the event's tickers and the benchmark over
  its estimation and event windows, with the last price date they reach.  Each event
  is studied (and stored) on its own; parties without prices are left out, and an
  event with no priced party is recorded as skipped;
* study-all: every event fingerprint (the cross-section over all events, with tests
  by role and deal type);
* backtest, per strategy file: the file's bytes, every event fingerprint and each
  ticker's last price date and row count (holding periods can outlast the study windows);
* report: every study and backtest fingerprint.

A fingerprint is written only after its result is stored, so a killed run leaves the
old fingerprint and the next run recomputes that item.  A night where the catalog is
unchanged, no price row arrived and no fingerprint moved is recorded as
``nothing-new`` and touches no report.

Test hook: ``EVENTSTUDY_PIPELINE_PAUSE_AT=step`` (or ``step:N``, after the N-th item of
the step) makes the run print ``pipeline paused at ...`` to stderr and sleep
``EVENTSTUDY_PIPELINE_PAUSE_SECONDS`` (default 300) there, so tests can kill it mid-step.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import numpy as np
import pandas as pd

from ..clock import utcnow
from ..db import Engine, open_db
from ..db.locks import PipelineLock
from ..db.prices import price_extents
from ..db.pipeline_store import (
    drop_fingerprints,
    fingerprint_results,
    fingerprint_time,
    fingerprints_changed_since,
    finish_run,
    finish_step,
    last_run,
    mark_dead_runs,
    run_history,
    save_fingerprint,
    start_run,
    start_step,
    stored_fingerprints,
)
from ..exceptions import EventStudyError, LockHeld
from .config import PipelineConfig, load_config

log = logging.getLogger(__name__)

PAUSE_ENV = "EVENTSTUDY_PIPELINE_PAUSE_AT"
PAUSE_SECONDS_ENV = "EVENTSTUDY_PIPELINE_PAUSE_SECONDS"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
#: Loggers whose records go to the run's log file.
LOGGED_NAMESPACES = ("eventstudy", "apscheduler")

#: Run statuses, and the exit code ``eventstudy pipeline run`` ends with for each.
EXIT_CODES = {"ok": 0, "nothing-new": 0, "partial": 5, "failed": 1, "interrupted": 1}


# ---------------------------------------------------------------------------------------------
# Steps and their context
# ---------------------------------------------------------------------------------------------
@dataclass
class StepResult:
    """What a step did.

    ``rows`` counts what it wrote (price rows, studies, backtests, report files);
    ``changed`` is False when it found nothing to do; ``status`` is ``ok``,
    ``partial`` (some items failed, listed in ``error``) or ``failed`` (nothing could
    be done, e.g. every ticker failed); ``note`` is one line for the summary.
    """

    rows: int = 0
    changed: bool = False
    status: str = "ok"
    note: str = ""
    error: str | None = None


@dataclass(frozen=True)
class Step:
    """A named pipeline step: ``func(ctx) -> StepResult``."""

    name: str
    func: Callable[["RunContext"], StepResult]


@dataclass
class RunContext:
    """Everything a step needs; ``facts`` carries what earlier steps found (for later steps and the summary)."""

    engine: Engine
    config: PipelineConfig
    run_id: int
    trigger: str
    report_dir: Path
    progress: bool = True
    stop: threading.Event = field(default_factory=threading.Event)
    lock: PipelineLock | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    step: str = ""

    def checkpoint(self, item: int | None = None) -> None:
        """Called at a step's start and after each item: honours the lock, stop requests and the pause hook."""
        if self.lock is not None:
            self.lock.check()
        if self.stop.is_set():
            raise RunStopped(f"stop requested during step {self.step!r}")
        _maybe_pause(self.step, item)

    def items(self, things: list, description: str) -> Iterator[tuple[int, Any]]:
        """Iterate ``things`` with a progress bar on stderr and a log line per item, checkpointing after each."""
        total = len(things)
        if not total:
            return
        from rich.console import Console
        from rich.progress import Progress

        console = Console(stderr=True)
        with Progress(console=console, disable=not (self.progress and console.is_terminal), transient=True) as bar:
            task = bar.add_task(description, total=total)
            for i, thing in enumerate(things, start=1):
                log.info("%s %d/%d: %s", description, i, total, thing)
                yield i, thing
                bar.advance(task)
                self.checkpoint(i)


class RunStopped(Exception):
    """The run was asked to stop (SIGTERM/SIGINT to the scheduler); it ends as ``interrupted``."""


def _maybe_pause(step: str, item: int | None) -> None:
    target = os.environ.get(PAUSE_ENV)
    if not target:
        return
    name, _, n = target.partition(":")
    if name != step or (int(n) if n else 0) != item:
        return
    seconds = float(os.environ.get(PAUSE_SECONDS_ENV, "300"))
    print(f"pipeline paused at {target} (pid {os.getpid()})", file=sys.stderr, flush=True)
    time.sleep(seconds)


# ---------------------------------------------------------------------------------------------
# Fingerprints
# ---------------------------------------------------------------------------------------------
def _digest(payload: Any) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class EventInputs:
    """What one event's study is computed from.

    ``fingerprint`` (see the module docstring), ``last_price_date`` (the last date with
    prices for every priced ticker inside the event's span), ``priced`` / ``unpriced``:
    the event's listed tickers with and without any price inside the span (the benchmark
    is not listed; without benchmark prices every ticker counts as unpriced).
    """

    event_id: str
    fingerprint: str
    last_price_date: dt.date | None
    priced: tuple[str, ...] = ()
    unpriced: tuple[str, ...] = ()


def event_inputs(engine: Engine, config: PipelineConfig) -> dict[str, EventInputs]:
    """Fingerprint every catalog event (see the module docstring).

    Day 0 follows :func:`eventstudy.core.windows.day0_positions` on the XNYS calendar;
    the span fingerprinted runs from the estimation start to the last event-window end,
    in trading sessions from day 0, both ends included.
    """
    from ..core.windows import day0_positions, is_after_close
    from ..db.catalog_store import load_event_keys, load_events_frame
    from ..db.prices import load_closes
    from ..prices.calendar import session_span, trading_sessions

    frame = load_events_frame(engine)
    keys = load_event_keys(engine).set_index("event_id")
    hashes = keys["content_hash"].to_dict()
    dates = keys["announced"].to_dict()
    timings = keys["timing"].to_dict()
    if not hashes:
        return {}
    settings = {"benchmark": config.benchmark, "model": config.model, "estimation": config.estimation, "windows": config.windows,
                "returns": config.returns}
    lo = min(config.estimation[0], *(w[0] for w in config.windows))
    hi = max(config.estimation[1], *(w[1] for w in config.windows))
    first, _ = session_span(min(dates.values()), max(dates.values()), before=-min(lo, 0), after=0)
    # Every session the calendar knows (about a year ahead), so that future day 0s are placed too.
    sessions = trading_sessions(first, pd.Timestamp.today().normalize() + pd.Timedelta(days=400))
    tickers_by_event = frame.groupby("event_id")["ticker"].agg(lambda s: sorted(set(s))).to_dict()
    closes = load_closes(engine, sorted({t for ts in tickers_by_event.values() for t in ts} | {config.benchmark}))

    ids = sorted(hashes)
    day0 = day0_positions(
        sessions.values.astype("datetime64[D]"),
        np.array([np.datetime64(dates[i], "D") for i in ids]),
        is_after_close([timings[i] for i in ids]),
    )
    out = {}
    for event_id, pos in zip(ids, day0):
        listed = tickers_by_event.get(event_id, [])
        tickers = listed + [config.benchmark]
        if pos < 0:  # day 0 beyond the calendar: no window can have data yet
            span = None
        else:
            span = (sessions[max(pos + lo, 0)], sessions[min(pos + hi, len(sessions) - 1)])
        per_ticker = {}
        last_dates = []
        for ticker in tickers:
            series = closes.get(ticker)
            if series is None or span is None:
                per_ticker[ticker] = None
                continue
            part = series.loc[span[0]:span[1]]
            per_ticker[ticker] = [len(part), str(part.index.max().date()) if len(part) else None,
                                  hashlib.sha256(np.round(part.to_numpy(dtype=float), 6).tobytes()).hexdigest()]
            if len(part):
                last_dates.append(part.index.max().date())
        fingerprint = _digest({"content_hash": hashes[event_id], "settings": settings, "prices": per_ticker})
        has = {t for t, v in per_ticker.items() if v and v[0]}
        priced = tuple(t for t in listed if t in has) if config.benchmark in has else ()
        out[event_id] = EventInputs(event_id, fingerprint, min(last_dates) if last_dates else None,
                                    priced, tuple(t for t in listed if t not in priced))
    return out


# ---------------------------------------------------------------------------------------------
# The real steps
# ---------------------------------------------------------------------------------------------
def step_discover(ctx: RunContext) -> StepResult:
    """Optional (``[discover] enabled``): 8-K candidates from SEC EDGAR; with ``auto_accept`` they become catalog YAML.

    Runs before ``catalog`` so that accepted candidates enter the same night's studies and backtests.
    A ticker SEC cannot answer for is reported (status ``partial``), not fatal.
    """
    if not ctx.config.discover_enabled:
        return StepResult(note="discover: off")
    from ..jobs.discover import accept_candidates, catalog_tickers, discover_candidates
    from eventstudy.sources.edgar import EdgarClient

    config = ctx.config
    until = config.run_date()
    tickers = list(config.discover_tickers) or catalog_tickers(config.catalog_dir)
    outcome = discover_candidates(ctx.engine, EdgarClient(), tickers, since=until - dt.timedelta(days=config.discover_lookback_days),
                                  until=until, items=config.discover_items)
    if config.discover_auto_accept and outcome.new:
        accept_candidates(ctx.engine, config.catalog_dir, [i for i, _ in outcome.new])
    ctx.facts["discover"] = outcome
    listed = ", ".join(f"#{i} {c.ticker} {c.event.date} {c.timing} ({c.form} {','.join(c.items)})" for i, c in outcome.new)
    note = (f"discover: {len(outcome.new)} new candidate(s)" + (f": {listed}" if listed else "")
            + (" (accepted into the catalog)" if config.discover_auto_accept and outcome.new else ""))
    error = "; ".join(f"{t}: {m}" for t, m in outcome.errors.items()) or None
    status = "ok" if not outcome.errors else "failed" if len(outcome.errors) == len(set(tickers)) else "partial"
    return StepResult(rows=len(outcome.new), changed=bool(outcome.new), status=status, note=note, error=error)


def step_catalog(ctx: RunContext) -> StepResult:
    """Validate the catalog folder and sync it into the database (one transaction)."""
    from ..jobs.catalog import load_catalog_into_db

    report = load_catalog_into_db(ctx.engine, ctx.config.catalog_dir)
    ctx.facts["catalog"] = report
    n = len(report.inserted) + len(report.updated) + len(report.removed)
    note = (f"catalog: {len(report.inserted)} new, {len(report.updated)} changed, {len(report.removed)} removed event(s)"
            if n else f"catalog unchanged ({len(report.unchanged)} events)")
    return StepResult(rows=n, changed=bool(n), note=note)


def step_ingest(ctx: RunContext) -> StepResult:
    """Ingest prices for the catalog's tickers, the benchmarks and the configured extras; a failing ticker is reported, not fatal."""
    from ..jobs.prices import ingest_catalog_prices

    report = ingest_catalog_prices(ctx.engine, ctx.config.price_spec, benchmark=ctx.config.benchmark,
                                   extra_tickers=ctx.config.tickers, progress=ctx.progress)
    ctx.facts["ingest"] = report
    failed = report.failed
    rows = report.rows_inserted + report.rows_updated
    note = f"prices: {report.summary()}"
    error = "; ".join(f"{t}: {m}" for t, m in failed.items()) or None
    status = "ok" if not failed else "failed" if report.status == "failed" else "partial"
    return StepResult(rows=rows, changed=bool(rows), status=status, note=note, error=error)


def step_studies(ctx: RunContext) -> StepResult:
    """Re-run and store the event study of every event whose fingerprint moved, then the all-events study.

    Each event's study is stored as its own run (selection = that event) and its
    fingerprint saved right after, so a killed run resumes at the next event.  The
    cross-section over every event (tests by role and deal type) is stored when any
    event fingerprint differs from the one it was last computed from.
    """
    inputs = event_inputs(ctx.engine, ctx.config)
    stored = stored_fingerprints(ctx.engine, "study")
    removed = sorted(set(stored) - set(inputs))
    drop_fingerprints(ctx.engine, "study", removed)
    todo = [e for e, inp in inputs.items() if stored.get(e) != inp.fingerprint]
    ctx.facts["event_inputs"] = inputs
    catalog = catalog_events(ctx.engine) if inputs else None
    done, skipped, errors = 0, [], {}
    for _, event_id in ctx.items(todo, "studies"):
        inp = inputs[event_id]
        result_id = None
        if inp.priced:
            try:
                _, result_id = run_study(ctx, study_events(catalog, inputs, [event_id]), store=True)
            except Exception as exc:  # one event's bad data must not stop the others
                errors[event_id] = _describe(exc)
                log.error("study of %s failed: %s", event_id, errors[event_id], exc_info=not isinstance(exc, EventStudyError))
                continue
            log.info("study of %s stored as study run %s (prices up to %s)", event_id, result_id, inp.last_price_date)
            done += 1
        else:  # recorded too, so it is retried only when its catalog entry or prices change
            skipped.append(event_id)
            log.warning("study of %s skipped: no listed party with prices in its windows (%s)", event_id,
                        ", ".join(inp.unpriced) or "no listed party")
        save_fingerprint(ctx.engine, "study", event_id, inp.fingerprint, ctx.run_id,
                         last_price_date=inp.last_price_date, result_id=result_id)
    all_fp = _digest(sorted((k, v.fingerprint) for k, v in inputs.items()))
    all_done = False
    if any(inp.priced for inp in inputs.values()) and stored_fingerprints(ctx.engine, "study-all").get("all") != all_fp:
        ctx.checkpoint(len(todo) + 1)
        try:
            results, result_id = run_study(ctx, study_events(catalog, inputs), store=True)
        except Exception as exc:
            errors["all events"] = _describe(exc)
            log.error("all-events study failed: %s", errors["all events"], exc_info=not isinstance(exc, EventStudyError))
        else:
            ctx.facts["all_results"] = results
            save_fingerprint(ctx.engine, "study-all", "all", all_fp, ctx.run_id, result_id=result_id)
            log.info("all-events study stored as study run %s", result_id)
            all_done = True
    unpriced = sorted({t for inp in inputs.values() for t in inp.unpriced})
    if not (todo or removed or all_done or errors):
        return StepResult(note=f"studies: no event window gained data ({len(inputs)} events up to date)")
    note = f"studies: {done} event(s) recomputed" + (" + the all-events study" if all_done else "")
    note += f", {len(skipped)} without priced parties skipped" if skipped else ""
    note += f", {len(removed)} removed" if removed else ""
    note += f", {len(errors)} failed" if errors else ""
    note += f" (left out for lack of prices: {', '.join(unpriced)})" if unpriced and (done or all_done) else ""
    return StepResult(rows=done + all_done, changed=bool(done or removed or all_done or skipped), note=note,
                      status="partial" if errors else "ok",
                      error="; ".join(f"{e}: {m}" for e, m in errors.items()) or None)


def catalog_events(engine: Engine) -> pd.DataFrame:
    """Every (event, listed party) row of the catalog with its confounders (read once per run)."""
    from ..jobs.study import select_events

    return select_events(engine)


def study_events(catalog: pd.DataFrame, inputs: dict[str, EventInputs], event_ids: list[str] | None = None) -> pd.DataFrame:
    """Rows of ``catalog`` to study: ``event_ids`` (None: all), only the parties with prices."""
    wanted = set(event_ids) if event_ids is not None else set(inputs)
    keep = [(e in wanted and e in inputs and t in inputs[e].priced) for e, t in zip(catalog["event_id"], catalog["ticker"])]
    return catalog[keep].reset_index(drop=True)


#: Group columns whose tests are stored with the all-events study.
STUDY_GROUPS = ("role", "deal_type")


def run_study(ctx: RunContext, events: pd.DataFrame, *, store: bool) -> tuple[Any, int | None]:
    """Fit the configured event study on ``events`` (rows of :func:`study_events`); store it when ``store``.

    Returns ``(EventStudyResults, study run id or None)``.
    """
    from ..jobs.study import run_and_store
    from ..jobs.study import run_study as fit_from_db

    event_ids = sorted(set(events["event_id"]))
    # The selection is recorded with the stored run; a single-event run is that event's study.
    settings = ctx.config.study_settings(STUDY_GROUPS if len(event_ids) > 1 else ())
    if not store:
        return fit_from_db(ctx.engine, settings, events=events), None
    return run_and_store(ctx.engine, settings, events=events)


def step_backtests(ctx: RunContext) -> StepResult:
    """Re-run each configured strategy whose spec file or event inputs changed."""
    strategies = list(ctx.config.strategies)
    if not strategies:
        return StepResult(note="backtests: none configured")
    from ..jobs.backtest import orders_per_spec

    ctx.facts["orders"] = orders_per_spec(ctx.engine, strategies)  # tonight's orders, for the report
    inputs = ctx.facts.get("event_inputs") or event_inputs(ctx.engine, ctx.config)
    events_digest = _digest(sorted((k, v.fingerprint) for k, v in inputs.items()))
    stored = stored_fingerprints(ctx.engine, "backtest")
    # Holding periods and signal look-backs can reach past the study windows: any new price row reruns them.
    prices_digest = _digest(price_extents(ctx.engine))
    wanted = {str(p): _digest({"spec": hashlib.sha256(p.read_bytes()).hexdigest(), "events": events_digest, "prices": prices_digest})
              for p in strategies}
    drop_fingerprints(ctx.engine, "backtest", set(stored) - set(wanted))
    todo = [p for p in strategies if stored.get(str(p)) != wanted[str(p)]]
    if not todo:
        return StepResult(note=f"backtests: {len(strategies)} strateg(ies) up to date")
    done, errors = 0, {}
    ctx.facts["backtests"] = {}
    for _, path in ctx.items(todo, "backtests"):
        try:
            backtest_run, result = run_backtest(ctx, path)
        except Exception as exc:  # a bad spec or missing prices fails that strategy only
            errors[path.name] = _describe(exc)
            log.error("backtest %s failed: %s", path, errors[path.name], exc_info=not isinstance(exc, EventStudyError))
            continue
        ctx.facts["backtests"][str(path)] = result
        save_fingerprint(ctx.engine, "backtest", str(path), wanted[str(path)], ctx.run_id, result_id=backtest_run)
        log.info("backtest %s stored as backtest run %s", path.name, backtest_run)
        done += 1
    note = f"backtests: {done} strateg(ies) rerun" + (f", {len(errors)} failed" if errors else "")
    return StepResult(rows=done, changed=bool(done), note=note, status="partial" if errors else "ok",
                      error="; ".join(f"{k}: {m}" for k, m in errors.items()) or None)


def run_backtest(ctx: RunContext, spec_path: Path) -> tuple[int, Any]:
    """Load the strategy spec at ``spec_path``, run it on the database's events and prices, store it.

    Returns ``(backtest run id, BacktestResult)``.
    """
    from eventstudy import backtest

    spec = backtest.load_spec(spec_path)
    return backtest.run_and_store(ctx.engine, spec, executor=ctx.config.backtest_executor)


def step_reports(ctx: RunContext) -> StepResult:
    """Write tables, plots and ``summary.md`` to the dated folder when any study or backtest input changed since the last report."""
    studies = stored_fingerprints(ctx.engine, "study") | {f"all:{k}": v for k, v in stored_fingerprints(ctx.engine, "study-all").items()}
    backtests = stored_fingerprints(ctx.engine, "backtest")
    wanted = _digest({"studies": studies, "backtests": backtests})
    if stored_fingerprints(ctx.engine, "report").get("latest") == wanted:
        return StepResult(note="reports: up to date")
    files = write_reports(ctx)
    save_fingerprint(ctx.engine, "report", "latest", wanted, ctx.run_id)
    return StepResult(rows=len(files), changed=True, note=f"reports: {len(files)} file(s) in {ctx.report_dir}")


def write_reports(ctx: RunContext) -> list[Path]:
    """Write the report files (each to a temporary name, then renamed) and return their paths.

    Files: ``study_tables.md`` (publication tables), ``car_by_event.csv`` (CAR per
    event-firm and window, decimal), ``tests.csv``, ``caar.png`` / ``car_events.png``;
    per strategy ``backtest_<name>.csv`` (every variant's metrics) and, when it ran in
    this run, ``backtest_<name>_equity.png``; ``orders.csv`` (tonight's orders of every
    configured strategy); ``summary.md`` (what changed, tonight's orders).
    """
    out = ctx.report_dir
    out.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    results = ctx.facts.get("all_results")
    if results is None and stored_fingerprints(ctx.engine, "study-all"):
        inputs = ctx.facts.get("event_inputs") or event_inputs(ctx.engine, ctx.config)
        results, _ = run_study(ctx, study_events(catalog_events(ctx.engine), inputs), store=False)
    if results is not None:
        from ..jobs.claims import check_claims_job
        from ..jobs.reports import write_study_report

        ctx.facts["report_results"] = results
        try:
            claims = check_claims_job(ctx.engine, benchmark=ctx.config.benchmark, results=results)
        except EventStudyError as exc:  # a catalog without claims still gets its study report
            log.info("claims: %s", exc)
            claims = None
        files += write_study_report(results, out, claims=claims, group_cols=STUDY_GROUPS)
    files += _backtest_report_files(ctx, out)
    if "orders" in ctx.facts:
        files.append(_write_text(out / "orders.csv", ctx.facts["orders"][0].to_csv(index=False)))
    files.append(_write_text(out / "summary.md", render_summary(ctx)))
    return files


def _backtest_report_files(ctx: RunContext, out: Path) -> list[Path]:
    from eventstudy import backtest

    files = []
    for key, result_id in fingerprint_results(ctx.engine, "backtest").items():
        stem = Path(key).stem
        table = backtest.load_run(ctx.engine, result_id)["results"]
        files.append(_write_text(out / f"backtest_{stem}.csv", table.to_csv(index=False)))
        result = ctx.facts.get("backtests", {}).get(key)
        if result is not None:
            from eventstudy.backtest.plots import plot_equity

            files.append(plot_equity(result, out / f"backtest_{stem}_equity.png"))
    return files


def _write_text(path: Path, text: str) -> Path:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path


def render_summary(ctx: RunContext) -> str:
    """Markdown: what changed since the previous report, step by step, with failures."""
    lines = [f"# Nightly pipeline, {ctx.report_dir.name}", "",
             f"Run #{ctx.run_id} ({ctx.trigger}), written {utcnow():%Y-%m-%d %H:%M} UTC.", ""]
    lines += ["## Steps", ""] + [f"- {n}" for n in ctx.facts.get("notes", [])] + [""]
    changed = fingerprints_changed_since(ctx.engine, ["study", "study-all", "backtest"],
                                         fingerprint_time(ctx.engine, "report", "latest"))
    lines += ["## Recomputed since the previous report", ""]
    for row in changed:
        if row["kind"] == "study" and row["result_id"] is None:
            what = "skipped: no listed party with prices in its windows"
        else:
            what = f"stored as run {row['result_id']}" + (f", prices up to {row['last_price_date']}" if row["last_price_date"] else "")
        lines.append(f"- {row['kind']} `{row['key']}`: {what} (pipeline run #{row['run_id']})")
    if not changed:
        lines.append("- nothing")
    results = ctx.facts.get("report_results")
    events = {row["key"] for row in changed if row["kind"] == "study" and row["result_id"] is not None}
    if results is not None and events:
        car = results.car.reset_index()
        car = car[car["event_id"].isin(events)]
        windows = [c for c in car.columns if c not in ("event_id", "ticker")][:3]
        lines += ["", "## Their cumulative abnormal returns (CAR, percent; windows in trading days from day 0)", "",
                  "| event | ticker | " + " | ".join(windows) + " |", "|---|---|" + "---:|" * len(windows)]
        for rec in car.to_dict(orient="records"):
            cells = " | ".join(f"{100 * rec[w]:+.2f}" for w in windows)
            lines.append(f"| {rec['event_id']} | {rec['ticker']} | {cells} |")
    if ctx.facts.get("discover") and ctx.facts["discover"].new:
        from ..jobs.discover import day0_reactions

        lines += ["", f"## New 8-K candidates (day-0 total return, percent, vs {ctx.config.benchmark})", ""]
        lines += [f"- #{r['id']} {r['ticker']} {r['date']} {r['timing']}: day 0 {r['day0'] or 'after the last session'}, "
                  + (f"{r['return_pct']:+.2f} vs {r[ctx.config.benchmark + '_pct']}" if r["return_pct"] is not None else "no prices yet")
                  for r in day0_reactions(ctx.engine, ctx.facts["discover"].new, ctx.config.benchmark)]
    from ..jobs.backtest import backtest_warnings

    warned = [(Path(k).stem, w) for k, r in ctx.facts.get("backtests", {}).items() for w in backtest_warnings(r)]
    if warned:
        lines += ["", "## Backtest warnings", ""] + [f"- `{name}`: {w}" for name, w in warned]
    if "orders" in ctx.facts:
        from ..jobs.backtest import orders_markdown

        lines += ["", *orders_markdown(*ctx.facts["orders"])]
    failures = ctx.facts.get("failures", {})
    if failures:
        lines += ["", "## Failures", ""] + [f"- {step}: {msg}" for step, msg in failures.items()]
    return "\n".join(lines) + "\n"


#: The nightly pipeline, in order.
DEFAULT_STEPS: tuple[Step, ...] = (
    Step("catalog", step_catalog),
    Step("ingest", step_ingest),
    Step("studies", step_studies),
    Step("backtests", step_backtests),
    Step("reports", step_reports),
)


def default_steps(config: PipelineConfig) -> list[Step]:
    """:data:`DEFAULT_STEPS`, led by the EDGAR ``discover`` step when the config turns it on."""
    lead = [Step("discover", step_discover)] if config.discover_enabled else []
    return [*lead, *DEFAULT_STEPS]


# ---------------------------------------------------------------------------------------------
# Running and recording
# ---------------------------------------------------------------------------------------------
@dataclass
class RunOutcome:
    """The end of a run: its id, status (see :data:`EXIT_CODES`), one-paragraph summary and report folder."""

    run_id: int
    status: str
    summary: str
    report_dir: Path
    steps: list[dict] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.status]


def _describe(exc: Exception) -> str:
    """The message of a user-facing error; type and message of anything else (a bug: the log has its traceback)."""
    return str(exc) if isinstance(exc, EventStudyError) else f"{type(exc).__name__}: {exc}"


class _RunLogFile:
    """Send the run's log records to ``<report_dir>/pipeline.log`` for the duration of the run."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.handler = logging.FileHandler(path, encoding="utf-8")
        self.handler.setFormatter(logging.Formatter(LOG_FORMAT))
        self.handler.setLevel(logging.INFO)

    def __enter__(self) -> "_RunLogFile":
        for name in LOGGED_NAMESPACES:
            logger = logging.getLogger(name)
            logger.addHandler(self.handler)
            if logger.getEffectiveLevel() > logging.INFO:
                logger.setLevel(logging.INFO)
        return self

    def __exit__(self, *exc) -> None:
        for name in LOGGED_NAMESPACES:
            logging.getLogger(name).removeHandler(self.handler)
        self.handler.close()


def run_pipeline(
    config: PipelineConfig,
    *,
    trigger: str = "manual",
    steps: Iterable[Step] | None = None,
    progress: bool = True,
    stop: threading.Event | None = None,
    engine: Engine | None = None,
) -> RunOutcome:
    """Run the pipeline once under the lock and record it.

    Parameters
    ----------
    config : PipelineConfig
    trigger : {"manual", "scheduled", "late"}
        Stored with the run; ``late`` marks a scheduled run that started after its fire time.
    steps : sequence of Step, optional
        Defaults to :func:`default_steps` (looked up at call time).
    progress : bool
        Show progress bars on stderr (only when it is a terminal).
    stop : threading.Event, optional
        Set it to stop after the current item; the run then ends ``interrupted``.

    Returns
    -------
    RunOutcome

    Raises
    ------
    LockHeld
        Another run holds the lock (nothing is recorded or written).
    """
    own_engine = engine is None
    engine = engine or open_db(config.db_url)
    report_dir = config.report_dir()
    lock = PipelineLock(engine, ttl_seconds=config.lock_ttl_seconds)
    try:
        lock.acquire()
    except LockHeld:
        if own_engine:
            engine.dispose()
        raise
    try:
        with _RunLogFile(report_dir / "pipeline.log"):
            if lock.took_over is not None:
                log.warning("took over the lock of a dead run: %s", lock.took_over.describe())
            dead = mark_dead_runs(engine)
            if dead:
                log.warning("run(s) %s ended without finishing (killed?); resuming their work", ", ".join(map(str, dead)))
            run_id = start_run(engine, trigger)
            log.info("pipeline run #%d started (%s); reports in %s", run_id, trigger, report_dir)
            ctx = RunContext(engine, config, run_id, trigger, report_dir, progress=progress, stop=stop or threading.Event(), lock=lock)
            return _run_steps(ctx, list(steps) if steps is not None else default_steps(config))
    finally:
        lock.release()
        if own_engine:
            engine.dispose()


def _run_steps(ctx: RunContext, steps: list[Step]) -> RunOutcome:
    notes: list[str] = []
    failures: dict[str, str] = {}
    ctx.facts["notes"], ctx.facts["failures"] = notes, failures
    changed = False
    partial = False
    status = None
    records = []
    for step in steps:
        ctx.step = step.name
        start_step(ctx.engine, ctx.run_id, step.name)
        log.info("step %s: started", step.name)
        try:
            ctx.checkpoint(0)
            result = step.func(ctx)
        except KeyboardInterrupt:  # Ctrl-C on a manual run: record it, then let it end the process
            finish_step(ctx.engine, ctx.run_id, step.name, "interrupted", None, "interrupted by the user (SIGINT)")
            finish_run(ctx.engine, ctx.run_id, "interrupted", "interrupted by the user (SIGINT)")
            raise
        except (RunStopped, LockHeld) as exc:
            finish_step(ctx.engine, ctx.run_id, step.name, "interrupted", None, str(exc))
            records.append({"step": step.name, "status": "interrupted", "rows": None, "error": str(exc)})
            log.warning("step %s: %s", step.name, exc)
            status = "interrupted"
            notes.append(f"{step.name}: interrupted ({exc})")
            break
        except Exception as exc:  # any failure is recorded; the later steps still run on what the DB holds
            message = _describe(exc)
            log.error("step %s failed: %s", step.name, message, exc_info=not isinstance(exc, EventStudyError))
            finish_step(ctx.engine, ctx.run_id, step.name, "failed", None, message)
            records.append({"step": step.name, "status": "failed", "rows": None, "error": message})
            failures[step.name] = message
            notes.append(f"{step.name}: FAILED ({message})")
            continue
        finish_step(ctx.engine, ctx.run_id, step.name, result.status, result.rows, result.error)
        records.append({"step": step.name, "status": result.status, "rows": result.rows, "error": result.error})
        log.info("step %s: %s", step.name, result.note or result.status)
        notes.append(result.note or f"{step.name}: {result.status}")
        if result.error:
            failures[step.name] = result.error
        changed |= result.changed
        partial |= result.status == "partial"
    if status is None:
        if any(r["status"] == "failed" for r in records):
            status = "failed"
        elif changed:
            status = "partial" if partial else "ok"
        else:  # items that keep failing the same way (a delisted ticker) do not make a night "new"
            status = "nothing-new"
    if status == "nothing-new":
        summary = "Nothing new: " + "; ".join(notes) + ". Nothing recomputed, no report rewritten."
        if failures:
            summary += " Still failing: " + "; ".join(f"{k}: {v}" for k, v in failures.items())
    else:
        summary = "; ".join(notes)
    finish_run(ctx.engine, ctx.run_id, status, summary)
    log.info("pipeline run #%d finished: %s. %s", ctx.run_id, status, summary)
    return RunOutcome(ctx.run_id, status, summary, ctx.report_dir, records)


def scheduled_run(config_path: str | None = None, db_url: str | None = None, scheduled_for: dt.datetime | None = None) -> str | None:
    """The scheduler's job (stored by reference as ``eventstudy.pipelines.nightly:scheduled_run``).

    Reads the config file afresh (so edits apply without restarting the scheduler),
    runs the pipeline against ``db_url`` (the database holding the job) and returns
    its status.  ``scheduled_for`` is the fire time the
    scheduler passes in (see :class:`eventstudy.pipelines.scheduler.FireTimeExecutor`); a run
    starting more than the config's ``late_after_seconds`` after it is recorded with
    trigger ``late``.
    A run refused by the lock is logged and skipped (returns ``None``).
    """
    config = load_config(config_path, db_url=db_url)
    trigger = "scheduled"
    if scheduled_for is not None:
        delay = (utcnow() - scheduled_for).total_seconds()
        if delay > config.late_after_seconds:
            trigger = "late"
            log.warning("running LATE: scheduled for %s, starting %s later (missed while the scheduler was down?)",
                        scheduled_for.isoformat(), dt.timedelta(seconds=round(delay)))
    try:
        outcome = run_pipeline(config, trigger=trigger, progress=False, stop=SCHEDULER_STOP)
    except LockHeld as exc:
        log.warning("scheduled run skipped: %s", exc)
        return None
    return outcome.status


#: Set by the scheduler process on SIGTERM/SIGINT so that a running job stops at its next checkpoint.
SCHEDULER_STOP = threading.Event()


__all__ = ["run_pipeline", "scheduled_run", "run_history", "last_run", "DEFAULT_STEPS", "Step", "StepResult",
           "RunContext", "RunOutcome", "EXIT_CODES"]
