"""``eventstudy run``: the main job, end to end.

Load the catalog -> ingest prices for its tickers and the benchmarks (and Fama-French
factor files found beside a price folder) -> event study on every catalog event,
stored in the database -> claim check -> tables and plots written to ``--out``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..config import DEFAULT_CATALOG_DIR, PriceSourceSpec, resolve_price_source
from ..exceptions import DataError, PartialFailure
from .claims import print_claims
from .events import load_into_db
from .output import emit
from .study import parse_window, print_tables


def factor_files(source: PriceSourceSpec) -> list[Path]:
    """Ken French daily files (``F-F_*.csv``) in the price folders, or anywhere under a folder's parent ``raw/`` tree."""
    if source.kind != "files":
        return []
    roots = {p.resolve().parent if p.resolve().parent.name == "raw" else p.resolve() for p in source.paths}
    return sorted({p for root in roots for p in root.rglob("F-F_*.csv")})


def run(
    ctx: typer.Context,
    prices: Annotated[Optional[str], typer.Option("--prices", help="Price source: yfinance or files:DIR (default: $EVENTSTUDY_PRICE_SOURCE, else yfinance).")] = None,
    catalog: Annotated[Path, typer.Option("--catalog", help="Folder of event YAML files.")] = DEFAULT_CATALOG_DIR,
    out: Annotated[Path, typer.Option("--out", help="Folder for tables and plots.")] = Path("out"),
    model: Annotated[str, typer.Option("--model", help="Expected-return model of the study (market, ff3, ...).")] = "market",
    benchmark: Annotated[str, typer.Option("--benchmark", help="Market proxy ticker.")] = "SPY",
    window: Annotated[Optional[list[str]], typer.Option("--window", help="Event window a,b (repeatable; default 0,0 0,2 -1,1 -5,5 0,10).")] = None,
    estimation: Annotated[str, typer.Option("--estimation", help="Estimation window a,b.")] = "-250,-11",
    strict: Annotated[bool, typer.Option("--strict", help="Exit 5 when some catalog tickers have no prices (default: warn and go on).")] = False,
) -> None:
    """Load the catalog, ingest prices, run the event study on the seed deals, check the claims, write tables and plots.

    Catalog tickers without prices (e.g. 9984.T in a US-only folder) are named in warnings and
    left out; everything else is studied and written.  With ``--strict`` that is exit code 5.

    Example: eventstudy run --prices files:../shared/data/prices/raw/SungKyu-Kim39__BackTester39 --out out
    """
    # Imported here: the engine and plotting stack are heavy and --help should be instant.
    from pipelines.ingest import default_tickers, ingest_factors, ingest_prices

    from ..claims import TOLERANCE_PP, TOLERANCE_REL, check_catalog_claims
    from ..db.analyst_store import save_claim_checks
    from ..db import open_db
    from ..reporting.export import write_claims, write_study
    from ..reporting.tables import publication_tables
    from ..study_store import DEFAULT_WINDOWS, run_and_store, select_events

    windows = [parse_window(w) for w in window] if window else list(DEFAULT_WINDOWS)
    est = parse_window(estimation, "--estimation")
    benchmark = benchmark.upper()
    source = resolve_price_source(prices)
    db_url = ctx.obj["db"]

    sync = load_into_db(db_url, catalog)
    engine = open_db(db_url)
    typer.echo(f"catalog {catalog}: " + ", ".join(f"{r['count']} {r['action']}" for r in sync.as_rows()), err=True)

    tickers = list(dict.fromkeys([*default_tickers(engine), benchmark]))
    report = ingest_prices(engine, source, tickers, progress=True)
    failed = report.failed
    if len(failed) == len(tickers):
        hint = " (yfinance needs internet; offline, use --prices files:DIR)" if source.kind == "yfinance" else ""
        raise DataError(f"no prices could be ingested from {source} for any of {', '.join(tickers)}{hint}; "
                        f"first error: {next(iter(failed.values()))}")
    for ticker, message in failed.items():
        typer.echo(f"warning: no prices for {ticker} from {source}: {message}", err=True)
    if benchmark in failed:
        raise DataError(f"the benchmark {benchmark} could not be ingested from {source}: {failed[benchmark]}")
    events = select_events(engine)
    missing = sorted(set(events["ticker"]) & set(failed))
    events = events[~events["ticker"].isin(failed)]
    if events.empty:
        raise DataError(f"no prices for any catalog ticker from {source} ({', '.join(sorted(failed))}); "
                        "check the source (yfinance needs internet; offline, use --prices files:DIR)")
    for path in factor_files(source):
        n = ingest_factors(engine, path)
        typer.echo(f"factors {path.name}: {n} dates inserted or changed", err=True)

    results, run_id = run_and_store(engine, events=events, model=model, benchmark=benchmark, estimation=est,
                                    windows=windows, group_cols=("role",))
    checked = check_catalog_claims(engine, benchmark=benchmark, ar=results.ar)
    save_claim_checks(engine, checked, benchmark=benchmark, tolerance_pp=TOLERANCE_PP, tolerance_rel=TOLERANCE_REL,
                      study_run_id=run_id)
    files = write_study(results, out, group_cols=("role",)) + write_claims(checked, out)

    print_tables(publication_tables(results, ("CAR",)), "table")
    print_claims(checked, "table")
    emit([{"kind": p.suffix.lstrip("."), "file": str(p)} for p in files], "table", title=f"{len(files)} files written")
    typer.echo(f"study run {run_id} stored in {engine.url.render_as_string(hide_password=True)}; tables and plots in {out}")
    if missing:
        message = (f"no prices for catalog ticker(s) {', '.join(missing)} from {source}: "
                   "their event-firms were left out of the study (everything else was written)")
        if not strict:
            typer.secho(f"warning: {message}", fg=typer.colors.YELLOW, err=True)
            return
        raise PartialFailure(message)
