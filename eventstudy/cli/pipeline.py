"""``eventstudy pipeline run|status|history``: the nightly pipeline (ingest, study, backtest, report)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..exceptions import ConfigError
from .options import Format, FormatOption, PricesOption, price_source
from .output import emit

app = typer.Typer(help="The nightly pipeline: ingest, study, backtest, report.", no_args_is_help=True)

ConfigOption = Annotated[Optional[Path], typer.Option("--config", "-c", help="Pipeline TOML file (see examples/pipeline.toml).")]


def explicit_db(ctx: typer.Context) -> str | None:
    """The ``--db`` given on the command line, if any (it beats $EVENTSTUDY_DB and the config file)."""
    return ctx.find_root().params.get("db")


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time of the record (test runners swap it)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def stderr_logging() -> None:
    """Log INFO and up from the pipeline, the library and APScheduler to stderr (once per process)."""
    from eventstudy.pipelines.nightly import LOG_FORMAT, LOGGED_NAMESPACES

    for name in LOGGED_NAMESPACES:
        logger = logging.getLogger(name)
        if not any(isinstance(h, _StderrHandler) for h in logger.handlers):
            handler = _StderrHandler()
            handler.setFormatter(logging.Formatter(LOG_FORMAT))
            logger.addHandler(handler)
        logger.setLevel(logging.INFO)


@app.command("run")
def run(
    ctx: typer.Context,
    once: Annotated[bool, typer.Option("--once", help="Run the pipeline once now (the scheduler runs it nightly).")] = False,
    config: ConfigOption = None,
    prices: PricesOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Run catalog -> prices -> studies -> backtests -> reports once, under the pipeline lock.

    Exit codes: 0 done (or nothing new), 5 partial (some tickers/items failed),
    1 a step failed, 6 another run holds the lock.

    Example: eventstudy pipeline run --once --config examples/pipeline.toml
    """
    if not once:
        raise ConfigError("say --once to run the pipeline now; `eventstudy schedule start` runs it on its schedule")
    from eventstudy.pipelines.config import load_config
    from eventstudy.pipelines.nightly import run_pipeline

    cfg = load_config(config, db_url=explicit_db(ctx), price_source=price_source(prices))
    cfg.price_spec  # fail fast on a bad price source, before taking the lock
    stderr_logging()
    outcome = run_pipeline(cfg, trigger="manual")
    if fmt == Format.json:
        emit({"run_id": outcome.run_id, "status": outcome.status, "summary": outcome.summary,
              "report_dir": str(outcome.report_dir), "steps": outcome.steps}, "json")
    else:
        emit([{"step": s["step"], "status": s["status"], "rows": s["rows"], "error": s["error"]} for s in outcome.steps],
             fmt, title=f"pipeline run #{outcome.run_id}: {outcome.status}")
        typer.echo(outcome.summary, err=fmt != Format.table)
        typer.echo(f"reports and log: {outcome.report_dir}", err=fmt != Format.table)
    raise typer.Exit(outcome.exit_code)


@app.command("status")
def status(ctx: typer.Context, config: ConfigOption = None, fmt: FormatOption = Format.table) -> None:
    """Whether a run is in progress (who holds the lock), the last run, and the next scheduled run.

    Example: eventstudy pipeline status --format json
    """
    from ..db import open_existing
    from ..db.locks import read_lock
    from ..db.pipeline_store import last_run
    from ..pipelines.config import load_config
    from ..pipelines.scheduler import stored_job

    cfg = load_config(config, db_url=explicit_db(ctx))
    engine = open_existing(cfg.db_url)
    lock = read_lock(engine, ttl_seconds=cfg.lock_ttl_seconds)
    last = last_run(engine)
    job = stored_job(engine)
    info = {
        "running": bool(lock and lock.live),
        "lock": (lock.describe() + ("" if lock.live else " (stale: its process is gone)")) if lock else "free",
        "last_run": last["id"] if last else None,
        "last_status": last["status"] if last else None,
        "last_trigger": last["trigger"] if last else None,
        "last_started_at": last["started_at"] if last else None,
        "last_finished_at": last["finished_at"] if last else None,
        "last_summary": last["summary"] if last else None,
        "next_scheduled_run": job.next_run_time if job else None,
        "reports": str(cfg.output_dir),
    }
    emit(info, fmt, title="pipeline status")


@app.command("history")
def history(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="How many runs, newest first.")] = 20,
    config: ConfigOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Past runs, newest first: start, end, status, trigger, and each step's rows and error.

    Example: eventstudy pipeline history --limit 5 --format csv
    """
    from ..db import open_existing
    from ..db.pipeline_store import run_history
    from ..pipelines.config import load_config

    cfg = load_config(config, db_url=explicit_db(ctx))
    emit(run_history(open_existing(cfg.db_url), limit=limit), fmt, title="pipeline runs")


@app.command("unlock")
def unlock(
    ctx: typer.Context,
    force: Annotated[bool, typer.Option("--force", help="Remove the lock row even if its holder looks alive.")] = False,
    config: ConfigOption = None,
) -> None:
    """Remove the pipeline lock left by a run that is gone (stale locks are also taken over by the next run).

    Without --force only a stale lock (heartbeat older than [lock] ttl_seconds, or its
    process gone) is removed; a live holder is named and left alone (exit 6).

    Example: eventstudy pipeline unlock --force
    """
    from ..db import open_db
    from ..db.locks import force_unlock, read_lock
    from ..exceptions import LockHeld
    from ..pipelines.config import load_config

    cfg = load_config(config, db_url=explicit_db(ctx))
    engine = open_db(cfg.db_url)
    held = read_lock(engine, ttl_seconds=cfg.lock_ttl_seconds)
    if held is None:
        typer.echo("pipeline lock: free (nothing to remove)")
        return
    if held.live and not force:
        raise LockHeld(f"the pipeline lock is held by a live run: {held.describe()}; "
                       "say --force to remove it anyway (only if that run is known to be gone)")
    force_unlock(engine)
    typer.echo(f"pipeline lock removed: {held.describe()}" + ("" if held.live else " (stale)"))
