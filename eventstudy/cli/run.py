"""``eventstudy run``: the main job, end to end (:func:`eventstudy.jobs.run_main`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..config import DEFAULT_CATALOG_DIR
from ..defaults import DEFAULT_BENCHMARK, DEFAULT_ESTIMATION, DEFAULT_MODEL, DEFAULT_RETURNS, DEFAULT_WINDOWS, format_window
from ..exceptions import PartialFailure
from .options import PricesOption, ReturnKind, ReturnsOption, TableFormat, TableFormatOption, open_write, parse_window, price_source
from .output import emit
from .paths import writable_folder


def run(
    ctx: typer.Context,
    prices: PricesOption = None,
    catalog: Annotated[Path, typer.Option("--catalog", help="Folder of event YAML files.")] = DEFAULT_CATALOG_DIR,
    out: Annotated[Path, typer.Option("--out", help="Folder for tables and plots.", callback=writable_folder)] = Path("out"),
    model: Annotated[str, typer.Option("--model", help="Expected-return model of the study (market, ff3, ...).")] = DEFAULT_MODEL,
    benchmark: Annotated[str, typer.Option("--benchmark", help="Market proxy ticker.")] = DEFAULT_BENCHMARK,
    window: Annotated[Optional[list[str]], typer.Option("--window", help="Event window a,b in trading days from day 0 (repeatable; default "
                                                        + " ".join(format_window(w) for w in DEFAULT_WINDOWS) + ").")] = None,
    estimation: Annotated[str, typer.Option("--estimation", help="Estimation window a,b.")] = format_window(DEFAULT_ESTIMATION),
    strict: Annotated[bool, typer.Option("--strict", help="Exit 5 when some catalog tickers have no prices (default: warn and go on).")] = False,
    fmt: TableFormatOption = TableFormat.table,
    returns: ReturnsOption = ReturnKind(DEFAULT_RETURNS),
) -> None:
    """Load the catalog, ingest prices, run the event study on the seed deals, check the claims, write tables and plots.

    Catalog tickers without prices (e.g. 9984.T in a US-only folder) are named in warnings and
    left out; everything else is studied and written.  With ``--strict`` that is exit code 5.

    Example: eventstudy run --prices files:../shared/data/prices/raw/SungKyu-Kim39__BackTester39 --out out
    """
    from ..config import resolve_price_source
    from ..db import safe_url
    from ..jobs import StudySettings, run_main
    from ..reporting.tables import publication_tables
    from .claims import print_claims
    from .study import print_tables, tables_document

    settings = StudySettings(model=model, benchmark=benchmark, estimation=parse_window(estimation, "--estimation"),
                             windows=tuple(parse_window(w) for w in window) if window else DEFAULT_WINDOWS, group_cols=("role",),
                             returns=returns.value)
    source = resolve_price_source(price_source(prices))
    engine = open_write(ctx)
    result = run_main(engine, catalog_dir=catalog, source=source, out_dir=out, settings=settings)
    typer.echo(f"catalog {catalog}: " + ", ".join(f"{r['count']} {r['action']}" for r in result.catalog.as_rows()), err=True)
    for ticker, message in result.ingest.failed.items():
        typer.echo(f"warning: no prices for {ticker} from {source}: {message}", err=True)
    for path, n in result.factors.items():
        typer.echo(f"factors {path.name}: {n} dates inserted or changed", err=True)
    tables = publication_tables(result.results, ("CAR",))
    if fmt == TableFormat.json:  # one document for pipes
        emit({"study_run_id": result.study_run_id, **tables_document(tables),
              "claims": result.claims.to_dict(orient="records"), "files": [str(p) for p in result.files]}, "json")
    elif fmt == TableFormat.csv:  # one table for pipes; the claims are in claims.csv
        print_tables(tables, "csv")
    else:
        print_tables(tables, fmt.value)
        print_claims(result.claims, fmt.value)
    if fmt == TableFormat.table:
        emit([{"kind": p.suffix.lstrip("."), "file": str(p)} for p in result.files], "table", title=f"{len(result.files)} files written")
        typer.echo(f"study run {result.study_run_id} stored in {safe_url(engine)}; tables and plots in {out}")
    else:
        typer.echo(f"study run {result.study_run_id} stored in {safe_url(engine)}; {len(result.files)} files in {out}", err=True)
    if result.missing:
        message = (f"no prices for catalog ticker(s) {', '.join(result.missing)} from {source}: "
                   "their event-firms were left out of the study (everything else was written)")
        if not strict:
            typer.secho(f"warning: {message}", fg=typer.colors.YELLOW, err=True)
            return
        raise PartialFailure(message)
