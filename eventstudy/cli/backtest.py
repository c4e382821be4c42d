"""``eventstudy backtest run|list|show``: backtests of trading strategies around announcements (vectorbt).

Commands only parse options, call :mod:`eventstudy.backtest` and print; the library (and vectorbt,
slow to import) loads only when a command runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .options import Format, FormatOption, open_read, open_write
from .output import emit
from .paths import writable_folder

app = typer.Typer(help="Backtests of trading strategies around announcements (vectorbt).", no_args_is_help=True)

#: Columns of the ranked table printed by ``run`` and ``show``.
SHOWN = ["rank", "variant", "label", "in_sample_rank", "in_sample_sharpe", "selected", "folds_chosen", "total_return", "cagr", "sharpe", "sortino", "max_drawdown", "win_rate",
         "trades", "avg_trade", "exposure", "peak_gross", "bh_total_return", "spy_total_return", "note"]


def _progress_bar(enabled: bool):
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    return Progress(TextColumn("backtest"), BarColumn(), MofNCompleteColumn(), TextColumn("variants"),
                    TimeElapsedColumn(), console=console, disable=not enabled or not console.is_terminal, transient=True)


def write_outputs(result, out: Path, prices=None) -> list[Path]:
    """Write the ranked table, trade list of the reported variant, benchmarks, skipped events, spec and figures."""
    from ..backtest.plots import default_heatmap_axes, plot_equity, plot_heatmap

    out.mkdir(parents=True, exist_ok=True)
    files = []
    best = result.best_variant()
    wf = result.walk_forward
    tables = [("results.csv", result.results),
              ("trades.csv", result.trades_of(best) if wf is None else _stitched_trades(result)),
              ("benchmarks.csv", result.benchmarks), ("skipped.csv", result.skipped_table())]
    if wf is not None:  # the folds and the stitched out-of-sample record
        import pandas as pd

        tables += [("folds.csv", wf.folds), ("walk_forward.csv", pd.DataFrame([wf.stitched]))]
    for name, frame in tables:
        frame.to_csv(out / name, index=False)
        files.append(out / name)
    (out / "spec.json").write_text(result.spec.model_dump_json(indent=2), encoding="utf-8")
    files.append(out / "spec.json")
    files.append(plot_equity(result, out / "equity.png", prices=prices))
    axes = default_heatmap_axes(result)
    if axes:
        files.append(plot_heatmap(result, out / "heatmap.png", *axes))
    return files


def _stitched_trades(result):
    """The walk-forward trades of the chosen variants, in entry order."""
    from ..backtest.walkforward import WF_SAMPLE

    t = result.trades
    return t.loc[t["sample"] == WF_SAMPLE].sort_values(["entry_date", "ticker"]).reset_index(drop=True) if len(t) else t


def _rows_shown(frame, top: Optional[int], fmt: Format):
    """``--top`` rows when given; else every row for csv/json (pipes) and 20 for people."""
    if top is not None:
        return frame.head(top)
    return frame if fmt in (Format.csv, Format.json) else frame.head(20)


@app.command("run")
def run(
    ctx: typer.Context,
    spec_path: Annotated[Path, typer.Argument(metavar="SPEC", help="Strategy spec (YAML), e.g. examples/strategies/counterparty-close-hold5.yaml.")],
    out: Annotated[Optional[Path], typer.Option("--out", help="Folder for results.csv, trades.csv, skipped.csv, equity.png, heatmap.png.", callback=writable_folder)] = None,
    top: Annotated[Optional[int], typer.Option("--top", help="Rows of the ranked table to print (default: 20 in a table, all in csv/json).")] = None,
    store: Annotated[bool, typer.Option("--store/--no-store", help="Save the run in the database.")] = True,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 5 when some needed tickers have no prices (default: warn and go on).")] = False,
    no_progress: Annotated[bool, typer.Option("--no-progress", help="No progress bar.")] = False,
    executor: Annotated[str, typer.Option("--executor", help="Where the variants run: local, dask (a local Dask cluster) or dask://HOST:PORT (same results).")] = "local",
    fmt: FormatOption = Format.table,
) -> None:
    """Backtest a strategy spec on the catalog events and prices in the database, ranked best first.

    Tickers without prices (e.g. 9984.T in a US-only folder) are named in a warning and their
    event-firms listed in skipped.csv; variants that cannot trade say why in the note column.
    With --strict, missing prices exit 5 (after everything was written).

    With oos.walk_forward the output leads with the stitched out-of-sample record and the folds.
    --executor dask fans the variants out on a Dask cluster; the results equal the local run.

    Example: eventstudy backtest run examples/strategies/fade-day0-jumps.yaml --out reports/fade
    """
    from ..backtest import load_spec
    from ..backtest.display import folds_view, results_view, selection_view, stitched_view
    from ..backtest.executors import check_executor
    from ..exceptions import PartialFailure
    from ..jobs.backtest import run_backtest_job

    executor = check_executor(executor)
    spec = load_spec(spec_path)
    engine = open_write(ctx)
    with _progress_bar(not no_progress) as bar:
        task = bar.add_task("backtest", total=None)
        job = run_backtest_job(engine, spec, store=store, executor=executor,
                               progress=lambda done, total: bar.update(task, completed=done, total=total))
    result, run_id = job.result, job.run_id
    wf = result.walk_forward
    if out is not None:
        files = write_outputs(result, out, job.prices)
        typer.echo(f"wrote {len(files)} file(s) to {out}", err=True)
    for line in job.warnings():
        typer.secho(f"warning: {line}", fg=typer.colors.YELLOW, err=True)
    ranked = _rows_shown(result.ranked(), top, fmt)
    cols = [c for c in SHOWN if c in ranked.columns]
    if fmt == Format.json:
        best = result.best_variant()
        emit({"run_id": run_id, "spec": spec.name, "best_variant": best, "sample": result.report_sample,
              "missing_tickers": job.missing,
              "selection": None if result.selection() is None else result.selection().to_dict(orient="records"),
              "walk_forward": None if wf is None else {
                  "mode": wf.mode, "train": wf.train, "test": wf.test, "select_by": wf.select_by,
                  "stitched": wf.stitched, "folds": wf.folds.to_dict(orient="records")},
              "results": ranked[cols].to_dict(orient="records"),
              "benchmarks": result.benchmarks.to_dict(orient="records"),
              "trades": (result.trades_of(best) if wf is None else _stitched_trades(result)).to_dict(orient="records")},
             "json")
    elif fmt == Format.table:
        selection = result.selection()
        if selection is not None:  # lead with the choice made in sample, not the out-of-sample winner
            emit(selection_view(selection), fmt, title=f"{spec.name}: variant chosen on events before {spec.oos.split} "
                                                         f"by in-sample {spec.oos.select_by}")
        if wf is not None:  # lead with the honest track record: each fold's in-sample choice, traded after it
            emit(stitched_view(wf.stitched), fmt,
                 title=f"{spec.name}: walk-forward out-of-sample record ({wf.mode}, train {wf.train}, test {wf.test}, "
                       f"chosen by in-sample {wf.select_by}, {len(wf.folds)} fold(s) stitched)")
            emit(folds_view(wf.folds, wf.select_by), fmt, title="folds: variant chosen on the train events, traded on the test events")
        title = (f"{spec.name}: {len(result.ranked())} variant(s), sample {result.report_sample}"
                 + (" (every variant, for reference)" if selection is not None else "")
                 + (" (every variant fixed over the whole test span: hindsight, for reference)" if wf is not None else "")
                 + (f", run {run_id}" if run_id else ""))
        emit(results_view(ranked[cols]), fmt, title=title)
    else:
        emit(ranked[cols], fmt)
    if job.missing and strict:
        raise PartialFailure(f"no prices for {', '.join(job.missing)} (--strict): their event-firms were left out")


@app.command("signals")
def signals(
    ctx: typer.Context,
    spec_paths: Annotated[list[Path], typer.Argument(metavar="SPEC...", help="Strategy specs (YAML).")],
    asof: Annotated[Optional[str], typer.Option("--asof", help="Last session with known closes, YYYY-MM-DD (default: the last priced session).")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Tonight's orders: for catalog events whose entry falls after the last priced session, the orders
    each strategy would place (ticker, side, session, open/close, size, stop/target, hedge leg).

    Example: eventstudy backtest signals examples/strategies/counterparty-close-hold5.yaml --asof 2026-05-29
    """
    import datetime as dt

    from ..backtest import load_spec
    from ..backtest.display import orders_view
    from ..exceptions import ConfigError
    from ..jobs.backtest import tonight_orders

    try:
        day = dt.date.fromisoformat(asof) if asof else None
    except ValueError:
        raise ConfigError(f"--asof: {asof!r} is not a date (YYYY-MM-DD)") from None
    specs = [load_spec(p) for p in spec_paths]
    orders, missing = tonight_orders(open_read(ctx), specs, asof=day)
    if missing:
        typer.secho(f"warning: no prices for {', '.join(missing)}: sizes and levels of their orders are unknown",
                    fg=typer.colors.YELLOW, err=True)
    if fmt == Format.table:
        emit(orders_view(orders), fmt, title=f"{len(orders)} order(s) for {len(specs)} strateg(ies)")
    else:
        emit(orders, fmt)


@app.command("list")
def list_(ctx: typer.Context, limit: Annotated[int, typer.Option("--limit", help="Most recent runs to show.")] = 20,
          fmt: FormatOption = Format.table) -> None:
    """Stored backtest runs, newest first.

    Example: eventstudy backtest list --limit 5
    """
    from ..db.backtests import list_runs

    emit(list_runs(open_read(ctx), limit), fmt, title="backtest runs")


@app.command("show")
def show(
    ctx: typer.Context,
    run_id: Annotated[int, typer.Argument(help="Run id (see 'eventstudy backtest list').")],
    variant: Annotated[Optional[int], typer.Option("--variant", help="Statistics of this variant (default with --stats: the reported one).")] = None,
    stats: Annotated[bool, typer.Option("--stats", help="Statistics of one variant (Total Return [%], Sharpe, Profit Factor, ...).")] = False,
    trades: Annotated[bool, typer.Option("--trades", help="Print the stored trades (of --variant, default the reported one) instead of the ranked table.")] = False,
    top: Annotated[Optional[int], typer.Option("--top", help="Rows to print (default: 20 in a table, all in csv/json).")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """One stored run: its ranked variants, one variant's statistics (--variant N or --stats), or trades (--trades).

    Example: eventstudy backtest show 3 --variant 8; eventstudy backtest show 3 --trades --format csv
    """
    from ..backtest.display import folds_view, results_view, stitched_view, trades_view, variant_stats
    from ..db.backtests import load_run
    from ..exceptions import UsageError

    stored = load_run(open_read(ctx), run_id)
    run, res, all_trades, wf = stored["run"], stored["results"], stored["trades"], stored["walk_forward"]
    sample = "out" if run["oos_split"] is not None or wf is not None else "all"
    if trades:
        if wf is not None and variant is None and fmt == Format.table:  # the stitched walk-forward trades
            chosen = all_trades.loc[all_trades["sample"] == "wf"].sort_values(["entry_date", "ticker"])
        else:
            chosen = all_trades if variant is None and fmt != Format.table else all_trades.loc[
                all_trades["variant"] == (run["best_variant"] if variant is None else variant)]
        rows = chosen.drop(columns="run_id")
        if fmt == Format.table:
            emit(trades_view(_rows_shown(rows, top, fmt)), fmt,
                 title=f"run {run_id}: " + ("walk-forward trades (each fold's chosen variant)" if wf is not None and variant is None else "trades"))
        else:
            emit(_rows_shown(rows, top, fmt), fmt)
        return
    if variant is not None or stats:
        v = run["best_variant"] if variant is None else variant
        rows = res.loc[(res["variant"] == v) & (res["sample"] == sample)]
        if rows.empty:
            raise UsageError(f"run {run_id} has no variant {v} (variants 0..{int(res['variant'].max())})")
        mine = all_trades.loc[(all_trades["variant"] == v) & (all_trades["sample"] == sample)]
        table = variant_stats(rows.iloc[0], mine)
        emit(table if fmt == Format.table else dict(zip(table["Statistic"], table["Value"])) if fmt == Format.json else table,
             fmt, title=f"run {run_id}: {run['name']}, variant {v} ({sample} sample)")
        return
    cols = [c for c in SHOWN if c in res.columns] + ["sample"]
    ranked = res.loc[res["sample"] == sample].sort_values("rank")
    shown = _rows_shown(ranked[cols], top, fmt)
    if fmt == Format.table:
        if wf is not None:
            emit(stitched_view(wf), fmt, title=f"run {run_id}: {run['name']}: walk-forward out-of-sample record "
                                               f"({wf['mode']}, train {wf['train']}, test {wf['test']}, {wf['n_folds']} fold(s))")
            emit(folds_view(stored["folds"], wf["select_by"]), fmt, title="folds")
        emit(results_view(shown), fmt, title=f"run {run_id}: {run['name']}"
             + (" (every variant fixed over the whole test span, for reference)" if wf is not None else ""))
    else:
        emit(_rows_shown(res[cols], top, fmt), fmt)
