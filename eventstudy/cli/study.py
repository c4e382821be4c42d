"""``eventstudy study ...``: Event studies: abnormal returns, tests, tables and plots."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Iterator, Optional

import typer

from ..catalog.vocab import DealType, Role
from ..defaults import DEFAULT_BENCHMARK, DEFAULT_ESTIMATION, DEFAULT_MIN_OBS, DEFAULT_MODEL, DEFAULT_WINDOWS, format_window
from ..exceptions import ConfigError
from .options import TableFormat, TableFormatOption, open_write, parse_window
from .output import emit
from .paths import writable_folder

if TYPE_CHECKING:
    from ..reporting.tables import PublicationTable

app = typer.Typer(help="Event studies: abnormal returns, tests, tables and plots.", no_args_is_help=True)

GROUP_COLUMNS = ("role", "deal_type", "ticker")


@contextmanager
def steps(enabled: bool = True) -> Iterator:
    """A spinner on stderr naming the current step; ``advance(text)`` moves on."""
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                        console=Console(stderr=True), transient=True, disable=not enabled)
    with progress:
        task = progress.add_task("starting")

        def advance(text: str) -> None:
            progress.update(task, description=text)

        yield advance


def tables_document(tables: "list[PublicationTable]") -> dict:
    """Publication tables as one JSON-ready document: display cells and the numbers behind them."""
    return {"tables": [
        {"measure": t.measure, "group_col": t.group_col, "group": t.group, "title": t.title,
         "cells": t.cells.to_dict(orient="index"),
         "values": json.loads(t.values.to_json(orient="index"))}
        for t in tables]}


def print_tables(tables: "list[PublicationTable]", fmt: str, *, extra: dict | None = None) -> None:
    """Print publication tables in ``fmt`` (json: one document with the numbers and ``extra``)."""
    if fmt == "json":
        emit({**(extra or {}), **tables_document(tables)}, "json")
        return
    if fmt == "csv":
        import pandas as pd
  # one machine-readable table: which table each row belongs to comes first
        frames = [t.to_frame().rename(columns={"": "row"}).assign(measure=t.measure, group_col=t.group_col, group=t.group)
                  for t in tables]
        frame = pd.concat(frames, ignore_index=True)
        lead = ["measure", "group_col", "group", "row"]
        frame[lead + [c for c in frame.columns if c not in lead]].to_csv(sys.stdout, index=False)
        return
    for t in tables:
        if fmt == "markdown":
            sys.stdout.write(t.to_markdown() + "\n")
        elif fmt == "latex":
            sys.stdout.write(t.to_latex() + "\n")
        elif fmt == "html":
            sys.stdout.write(t.to_html() + "\n")
        else:
            emit(t.to_frame(), "table", title=t.title)
            typer.echo("\n".join(t.notes) + "\n")


@app.command("run")
def run(
    ctx: typer.Context,
    event: Annotated[Optional[list[str]], typer.Option("--event", help="Event id (repeatable). Default: every catalog event.")] = None,
    ticker: Annotated[Optional[str], typer.Option("--ticker", help="Only this party ticker.")] = None,
    role: Annotated[Optional[Role], typer.Option("--role", help="Only parties with this role.")] = None,
    deal_type: Annotated[Optional[DealType], typer.Option("--type", help="Only this deal type.")] = None,
    model: Annotated[str, typer.Option("--model", help="Expected-return model: market, market-adjusted, constant-mean, ff3, carhart, ff5.")] = DEFAULT_MODEL,
    benchmark: Annotated[str, typer.Option("--benchmark", help="Market proxy ticker (SPY, QQQ, SMH, ...).")] = DEFAULT_BENCHMARK,
    window: Annotated[Optional[list[str]], typer.Option("--window", help="Event window a,b in trading days from day 0, both included (repeatable; use --window=-1,1 for negative starts).")] = None,
    estimation: Annotated[str, typer.Option("--estimation", help="Estimation window a,b (trading days from day 0).")] = format_window(DEFAULT_ESTIMATION),
    min_obs: Annotated[int, typer.Option("--min-obs", min=2, help="Minimum estimation-window returns; events with fewer are skipped and reported.")] = DEFAULT_MIN_OBS,
    group: Annotated[Optional[list[str]], typer.Option("--group", help="Also tables per value of: role, deal_type, ticker (repeatable).")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="Write tables (md, tex, html, csv) and plots (png, svg) into this folder.", callback=writable_folder)] = None,
    fmt: TableFormatOption = TableFormat.table,
    store: Annotated[bool, typer.Option("--store/--no-store", help="Store the run in the database.")] = True,
) -> None:
    """Run an event study on catalog events: print the CAAR table, store the run, write tables and plots.

    Example: eventstudy study run --ticker AMD --window 0,2 --window=-1,1 --out out/amd
    """
    # Imported here: the engine and plotting stack are heavy and --help should be instant.
    from ..db.studies import save_results
    from ..jobs import StudySettings, run_study, write_study_report
    from ..reporting.tables import publication_tables

    groups = list(dict.fromkeys(group or []))
    bad = [g for g in groups if g not in GROUP_COLUMNS]
    if bad:
        raise ConfigError(f"--group: cannot group by {', '.join(bad)}; choose among {', '.join(GROUP_COLUMNS)}")
    settings = StudySettings(model=model, benchmark=benchmark, estimation=parse_window(estimation, "--estimation"),
                             windows=tuple(parse_window(w) for w in window) if window else DEFAULT_WINDOWS,
                             min_estimation_obs=min_obs, group_cols=tuple(groups))
    selection = {"event_ids": event, "ticker": ticker, "role": role.value if role else None,
                 "deal_type": deal_type.value if deal_type else None}
    engine = open_write(ctx)
    with steps() as advance:
        advance("loading events and returns, fitting")
        results = run_study(engine, settings, **selection)
        run_id = None
        if store:
            advance("storing the run")
            run_id = save_results(engine, results, selection={k: v for k, v in selection.items() if v}, group_cols=groups)
        files = []
        if out is not None:
            advance(f"writing tables and plots to {out}")
            files = write_study_report(results, out, group_cols=groups)
    tables = [t for col in (None, *groups) for t in publication_tables(results, group_col=col)]
    print_tables(tables, fmt.value, extra={"run_id": run_id, "parameters": results.params})
    skipped = results.firms[results.firms["status"] != "ok"]
    for row in skipped.itertuples():
        hint = f" (load them: eventstudy prices ingest --tickers {row.ticker})" if row.status.startswith("no returns") else ""
        typer.echo(f"skipped {row.event_id} {row.ticker}: {row.status}{hint}", err=True)
    if run_id is not None:
        typer.echo(f"stored as study run {run_id}", err=True)
    if files:
        typer.echo(f"wrote {len(files)} files to {out}", err=True)
