"""``eventstudy study ...``: Event studies: abnormal returns, tests, tables and plots."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Iterator, Optional

import typer

from ..catalog.vocab import DealType
from ..defaults import (DEFAULT_BENCHMARK, DEFAULT_ESTIMATION, DEFAULT_MAX_ZERO_SHARE, DEFAULT_MIN_OBS, DEFAULT_MIN_PRICE,
                        DEFAULT_MIN_SIGMA, DEFAULT_MODEL, DEFAULT_RETURNS, DEFAULT_WINDOWS, format_window)
from ..exceptions import ConfigError
from .options import (AdjustMethod, Alternative, EstimationOption, EventsOption, ReturnKind, ReturnsOption, RoleOption, TableFormat,
                      TableFormatOption, TickerOption, WindowsOption, open_write, parse_window)
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


def print_per_event(frame, fmt: str) -> None:
    """Print the per-event table (``fmt`` table/markdown: percent display; csv/json: full precision, decimal)."""
    from ..per_event import per_event_display

    if fmt in ("csv", "json"):
        emit(frame.assign(day0=frame["day0"].astype(str)), fmt)
        return
    emit(per_event_display(frame), fmt,
         title="Per-event CAR: SE from the forecast-error variance, t = CAR/SE, p two-sided from t(n_est - K)")


def print_adjusted(frame, fmt: str) -> None:
    """Print the tests' raw and multiple-testing adjusted p-values."""
    shown = frame[["measure", "window", "test", "statistic", "pvalue", "pvalue_adj", "stars_adj"]].dropna(subset=["pvalue"])
    emit(shown.round(4), fmt,
         title=f"p-values adjusted across windows x tests ({frame.attrs.get('adjust', '')}), per measure")


@app.command("run")
def run(
    ctx: typer.Context,
    event: EventsOption = None,
    ticker: TickerOption = None,
    role: RoleOption = None,
    deal_type: Annotated[Optional[DealType], typer.Option("--type", help="Only this deal type.")] = None,
    model: Annotated[str, typer.Option("--model", help="Expected-return model: market, market-adjusted, constant-mean, ff3, carhart, ff5.")] = DEFAULT_MODEL,
    benchmark: Annotated[str, typer.Option("--benchmark", help="Market proxy ticker (SPY, QQQ, SMH, ...).")] = DEFAULT_BENCHMARK,
    window: WindowsOption = None,
    estimation: EstimationOption = format_window(DEFAULT_ESTIMATION),
    min_obs: Annotated[int, typer.Option("--min-obs", min=2, help="Minimum estimation-window returns; events with fewer are skipped and reported.")] = DEFAULT_MIN_OBS,
    group: Annotated[Optional[list[str]], typer.Option("--group", help="Also tables per value of: role, deal_type, ticker (repeatable).")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="Write tables (md, tex, html, csv) and plots (png, svg) into this folder.", callback=writable_folder)] = None,
    fmt: TableFormatOption = TableFormat.table,
    store: Annotated[bool, typer.Option("--store/--no-store", help="Store the run in the database.")] = True,
    returns: ReturnsOption = ReturnKind(DEFAULT_RETURNS),
    per_event: Annotated[bool, typer.Option("--per-event", help="Print only the per-event table (each event-firm's CAR per window with SE, t, p).")] = False,
    min_price: Annotated[float, typer.Option("--min-price", help="Screen: exclude event-firms whose close on day -1 is below this (0: off).")] = DEFAULT_MIN_PRICE,
    min_sigma: Annotated[float, typer.Option("--min-sigma", help="Screen: exclude event-firms whose estimation residual SD (decimal daily) is below this (0: off).")] = DEFAULT_MIN_SIGMA,
    max_zero_share: Annotated[float, typer.Option("--max-zero-share", help="Screen: exclude event-firms with a larger share of exactly-zero estimation returns (thin trading; 1: off).")] = DEFAULT_MAX_ZERO_SHARE,
    adjust: Annotated[Optional[AdjustMethod], typer.Option("--adjust", help="Adjust p-values for multiple testing across windows x tests: holm or fdr_bh.")] = None,
    event_period: Annotated[Optional[str], typer.Option("--event-period", help="Span a,b ranked beside the estimation window by the rank tests (default: -10,10 widened to cover every window).")] = None,
    conventions: Annotated[str, typer.Option("--conventions", help="Test conventions: default, or estudy2 (R estudy2's definitions).")] = "default",
) -> None:
    """Run an event study on catalog events: print the CAAR table and the per-event table, store the run, write tables and plots.

    Event-firms excluded by the data screens (or without enough data) are listed on stderr and in
    exclusions.csv; the notes under each table give the design diagnostics and the headline test.

    Example: eventstudy study run --ticker AMD --window 0,2 --window=-1,1 --out out/amd
    """
    # Imported here: the engine and plotting stack are heavy and --help should be instant.
    from ..db.studies import save_results
    from ..jobs import StudySettings, calendar_time_study, fit_study, load_study_inputs, write_study_report
    from ..reporting.tables import publication_tables

    groups = list(dict.fromkeys(group or []))
    bad = [g for g in groups if g not in GROUP_COLUMNS]
    if bad:
        raise ConfigError(f"--group: cannot group by {', '.join(bad)}; choose among {', '.join(GROUP_COLUMNS)}")
    settings = StudySettings(model=model, benchmark=benchmark, estimation=parse_window(estimation, "--estimation"),
                             windows=tuple(parse_window(w) for w in window) if window else DEFAULT_WINDOWS,
                             min_estimation_obs=min_obs, group_cols=tuple(groups), returns=returns.value,
                             min_price=min_price or None, min_sigma=min_sigma or None,
                             max_zero_share=None if max_zero_share >= 1 else max_zero_share,
                             adjust=adjust.value if adjust else None, conventions=conventions,
                             event_period=parse_window(event_period, "--event-period") if event_period else None)
    selection = {"event_ids": event, "ticker": ticker, "role": role.value if role else None,
                 "deal_type": deal_type.value if deal_type else None}
    engine = open_write(ctx)
    with steps() as advance:
        advance("loading events and returns, fitting")
        inputs = load_study_inputs(engine, settings, **selection)
        results = fit_study(inputs, settings)
        calendar = calendar_time_study(inputs, settings)
        run_id = None
        if store:
            advance("storing the run")
            run_id = save_results(engine, results, selection={k: v for k, v in selection.items() if v}, group_cols=groups)
        files = []
        if out is not None:
            advance(f"writing tables and plots to {out}")
            files = write_study_report(results, out, group_cols=groups, calendar_time=calendar)
    if per_event:
        print_per_event(results.per_event, fmt.value)
    else:
        tables = [t for col in (None, *groups) for t in publication_tables(results, group_col=col)]
        extra = {"run_id": run_id, "parameters": results.params}
        if fmt == TableFormat.json:
            extra["per_event"] = json.loads(results.per_event.to_json(orient="records", date_format="iso"))
            extra["exclusions"] = json.loads(results.exclusions.to_json(orient="records"))
            if settings.adjust:
                extra["tests_adjusted"] = json.loads(results.adjusted_tests(settings.adjust).to_json(orient="records"))
        print_tables(tables, fmt.value, extra=extra)
        if fmt not in (TableFormat.json, TableFormat.csv):  # pipes get one table; the rest is in --out
            typer.echo("")
            print_per_event(results.per_event, fmt.value)
            typer.echo("")
            print_calendar_time(calendar, fmt.value)
            if len(results.exclusions):
                typer.echo("")
                emit(results.exclusions, fmt.value, title="Event-firms excluded from the tests")
            if settings.adjust:
                typer.echo("")
                print_adjusted(results.adjusted_tests(settings.adjust), fmt.value)
    for row in results.exclusions.itertuples():
        if row.screen in ("data", "min_obs"):  # the engine could not study it
            hint = f" (load them: eventstudy prices ingest --tickers {row.ticker})" if row.reason.startswith("no returns") else ""
            typer.echo(f"skipped {row.event_id} {row.ticker}: {row.reason}{hint}", err=True)
        else:
            typer.echo(f"excluded {row.event_id} {row.ticker} by the {row.screen} screen: {row.reason}", err=True)
    if run_id is not None:
        typer.echo(f"stored as study run {run_id}", err=True)
    if files:
        typer.echo(f"wrote {len(files)} files to {out}", err=True)


def print_calendar_time(calendar, fmt: str) -> None:
    """The calendar-time portfolio rows as people read them: daily alpha in percent, OLS and Newey-West t with stars."""
    from ..core.statistics import significance_stars

    shown = calendar.assign(
        **{"alpha (%/day)": (100 * calendar["alpha"]).map("{:+.3f}".format),
           "t (OLS)": [f"{t:.2f}{significance_stars(p)}" for t, p in zip(calendar["alpha_t"], calendar["alpha_p"])],
           "t (Newey-West)": [f"{t:.2f}{significance_stars(p)}" for t, p in zip(calendar["alpha_t_hac"], calendar["alpha_p_hac"])],
           "days": calendar["n_days"], "mean firms": calendar["mean_firms"].map("{:.1f}".format)})
    emit(shown[["window", "alpha (%/day)", "t (OLS)", "t (Newey-West)", "days", "mean firms", "factors"]], fmt,
         title="Calendar-time portfolio (equal-weighted; robust to events that share dates)")


@app.command("regress")
def regress(
    ctx: typer.Context,
    window: Annotated[str, typer.Option("--window", help="The CAR window a,b regressed (trading days from day 0, both included).")] = "0,2",
    x: Annotated[Optional[list[str]], typer.Option("--x", help="Regressor (repeatable): role, deal_type, log_amount, confounded, or any firms column. Default: those four.")] = None,
    cov: Annotated[str, typer.Option("--cov", help="Heteroskedasticity-robust standard errors: HC0, HC1, HC2, HC3 (date-clustered ones are shown beside).")] = "HC1",
    measure: Annotated[str, typer.Option("--measure", help="CAR or BHAR.")] = "CAR",
    event: EventsOption = None,
    role: RoleOption = None,
    deal_type: Annotated[Optional[DealType], typer.Option("--type", help="Only this deal type.")] = None,
    model: Annotated[str, typer.Option("--model", help="Expected-return model.")] = DEFAULT_MODEL,
    benchmark: Annotated[str, typer.Option("--benchmark", help="Market proxy ticker.")] = DEFAULT_BENCHMARK,
    estimation: EstimationOption = format_window(DEFAULT_ESTIMATION),
    returns: ReturnsOption = ReturnKind(DEFAULT_RETURNS),
    fmt: TableFormatOption = TableFormat.table,
) -> None:
    """Regress per-event CARs on event characteristics (OLS; HC and day-0-date clustered standard errors).

    Reads the database only (nothing is stored). Example: eventstudy study regress --window 0,2 --x role --x log_amount
    """
    from ..crossreg import DEFAULT_REGRESSORS
    from ..jobs import StudySettings, regress_study
    from .options import open_read

    w = parse_window(window)
    if measure.upper() not in ("CAR", "BHAR"):
        raise ConfigError(f"--measure {measure!r}: choose CAR or BHAR")
    settings = StudySettings(model=model, benchmark=benchmark, estimation=parse_window(estimation, "--estimation"),
                             windows=(w,), returns=returns.value)
    selection = {"event_ids": event, "role": role.value if role else None, "deal_type": deal_type.value if deal_type else None}
    fit = regress_study(open_read(ctx), settings, window=w, regressors=tuple(x or DEFAULT_REGRESSORS),
                        measure=measure.upper(), cov=cov, **selection)
    if fmt == TableFormat.json:
        emit({"window": fit.window, "measure": fit.measure, "cov": fit.cov, "n": fit.n, "n_clusters": fit.n_clusters,
              "r2": fit.r2, "r2_adj": fit.r2_adj, "formula": fit.formula, "dropped": fit.dropped,
              "coefficients": fit.table.to_dict(orient="records")}, "json")
        return
    emit(fit.table if fmt == TableFormat.csv else fit.table.round(4), fmt.value,
         title=f"{fit.measure}{fit.window} regression: n = {fit.n}, {fit.n_clusters} day-0 dates, R2 = {fit.r2:.3f} "
               f"(adj. {fit.r2_adj:.3f}); {fit.cov} and date-clustered SEs")
    for name, why in fit.dropped.items():
        typer.echo(f"note: {name}: {why}", err=True)


def emit_per_event(frame, fmt: TableFormat, title: str) -> None:
    """Print a per-event frame: ISO ``day0`` dates; rounded for people, full precision for csv/json."""
    if fmt in (TableFormat.csv, TableFormat.json):
        emit(frame.assign(day0=frame["day0"].astype(str)), fmt.value, title=title)
    else:
        emit(frame.assign(day0=frame["day0"].dt.strftime("%Y-%m-%d")).round(4), fmt.value, title=title)


def echo_skipped(exclusions) -> None:
    """Name each event-firm the study left out, with its reason, on stderr."""
    for row in exclusions.itertuples():
        typer.echo(f"skipped {row.event_id} {row.ticker}: {row.reason}", err=True)


@app.command("volume")
def volume(
    ctx: typer.Context,
    event: EventsOption = None,
    ticker: TickerOption = None,
    role: RoleOption = None,
    benchmark: Annotated[str, typer.Option("--benchmark", help="Market volume proxy ticker.")] = DEFAULT_BENCHMARK,
    window: WindowsOption = None,
    estimation: EstimationOption = format_window(DEFAULT_ESTIMATION),
    min_obs: Annotated[int, typer.Option("--min-obs", min=2, help="Minimum estimation-window volumes.")] = DEFAULT_MIN_OBS,
    per_event: Annotated[bool, typer.Option("--per-event", help="Print each event-firm's cumulative abnormal log volume instead.")] = False,
    fmt: TableFormatOption = TableFormat.table,
) -> None:
    """Abnormal trading volume (Campbell-Wasley 1996 log-volume market model on the benchmark's volume).

    Reads the database only. cav = mean cumulative abnormal log volume; excess % = 100 (exp(cav) - 1).
    Example: eventstudy study volume --event 2025-10-06-openai-amd --window 0,0
    """
    from ..jobs import StudySettings, run_volume_study
    from ..volume import volume_table
    from .options import open_read

    settings = StudySettings(benchmark=benchmark, estimation=parse_window(estimation, "--estimation"),
                             windows=tuple(parse_window(w) for w in window) if window else DEFAULT_WINDOWS,
                             min_estimation_obs=min_obs)
    results = run_volume_study(open_read(ctx), settings, event_ids=event, ticker=ticker, role=role.value if role else None)
    if per_event:
        frame = results.per_event.drop(columns=["bhar"]).rename(columns={"car": "cav", "car_se": "cav_se"})
        emit_per_event(frame, fmt, "Per-event cumulative abnormal log volume")
        return
    table = volume_table(results)
    emit(table if fmt in (TableFormat.csv, TableFormat.json) else table.round(3), fmt.value,
         title=f"Abnormal log volume vs {settings.benchmark} (Campbell-Wasley 1996), estimation {format_window(settings.estimation)}")
    echo_skipped(results.exclusions)


@app.command("volatility")
def volatility(
    ctx: typer.Context,
    event: EventsOption = None,
    ticker: TickerOption = None,
    role: RoleOption = None,
    model: Annotated[str, typer.Option("--model", help="Expected-return model whose residuals are tested.")] = DEFAULT_MODEL,
    benchmark: Annotated[str, typer.Option("--benchmark", help="Market proxy ticker.")] = DEFAULT_BENCHMARK,
    window: WindowsOption = None,
    estimation: EstimationOption = format_window(DEFAULT_ESTIMATION),
    min_obs: Annotated[int, typer.Option("--min-obs", min=2, help="Minimum estimation-window returns.")] = DEFAULT_MIN_OBS,
    returns: ReturnsOption = ReturnKind(DEFAULT_RETURNS),
    alternative: Annotated[Alternative, typer.Option("--alternative", help="two-sided: a change either way; greater: a rise in volatility only.")] = Alternative.two_sided,
    per_event: Annotated[bool, typer.Option("--per-event", help="Print each event-firm's variance ratio instead.")] = False,
    fmt: TableFormatOption = TableFormat.table,
) -> None:
    """Abnormal volatility: event-window residual variance against the estimation window's (the --model residuals).

    Reads the database only. mean vr = mean variance ratio (window mean squared AR / estimation residual variance;
    1 = unchanged); chi2 = sum of squared standardised ARs (Beaver 1968), rank = rank test on squared ARs; p two-sided
    unless --alternative greater.
    Example: eventstudy study volatility --event 2025-10-06-openai-amd --window 0,0
    """
    from ..jobs import StudySettings, run_volatility_study
    from ..volatility import starred_table
    from .options import open_read

    settings = StudySettings(model=model, benchmark=benchmark, estimation=parse_window(estimation, "--estimation"),
                             windows=tuple(parse_window(w) for w in window) if window else DEFAULT_WINDOWS,
                             min_estimation_obs=min_obs, returns=returns.value)
    found = run_volatility_study(open_read(ctx), settings, alternative=alternative.value, event_ids=event, ticker=ticker,
                                 role=role.value if role else None)
    machine = fmt in (TableFormat.csv, TableFormat.json)
    if per_event:
        emit_per_event(found.per_event, fmt, "Per-event variance ratio (window mean squared AR / estimation residual variance)")
    else:
        emit(found.table if machine else starred_table(found.table), fmt.value,
             title=f"Abnormal volatility, {model} model on {settings.benchmark} residuals, estimation "
                   f"{format_window(settings.estimation)} ({alternative.value}; *** p < 0.01, ** < 0.05, * < 0.10)")
    echo_skipped(found.study.exclusions)
