"""``eventstudy prices ingest|quality``: price ingestion and data quality."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..exceptions import ConfigError, DataError, PartialFailure
from .options import Format, FormatOption, PricesOption, SourceAlias, open_read, open_write, price_source
from .output import emit

app = typer.Typer(help="Price ingestion and data quality.", no_args_is_help=True)

def _split(value: Optional[str]) -> list[str]:
    return [t.strip().upper() for t in (value or "").split(",") if t.strip()]


@app.command("ingest")
def ingest(
    ctx: typer.Context,
    prices: PricesOption = None,
    source: SourceAlias = None,
    tickers: Annotated[Optional[str], typer.Option("--tickers", help="Comma-separated tickers, e.g. AMD,NVDA,SPY.")] = None,
    catalog: Annotated[bool, typer.Option(
        "--catalog", help="The catalog's listed tickers plus SPY, QQQ, SMH (the default).")] = False,
    all_files: Annotated[bool, typer.Option("--all-files", help="Every ticker with a file in the files:DIR source.")] = False,
    factors: Annotated[Optional[list[Path]], typer.Option(
        "--factors", help="Ken French daily factor file (FF3, momentum, FF5); repeatable. "
                          "Alone (no ticker option), only factors are loaded.")] = None,
    no_progress: Annotated[bool, typer.Option("--no-progress", help="No progress bar.")] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Fetch prices into the database: incremental (only missing sessions, the last 5 re-checked) and idempotent.

    Exit code 0 when every ticker was ingested, 5 when some failed, 4 when all failed.

    Examples: eventstudy prices ingest --prices files:../shared/data/prices/raw/SungKyu-Kim39__BackTester39 --all-files;
    eventstudy prices ingest --tickers AMD,NVDA --factors F-F_Research_Data_Factors_daily.csv
    """
    from ..config import resolve_price_source
    from ..prices.ingest import default_tickers, ingest_factors, ingest_prices  # heavy imports on demand

    if sum(bool(x) for x in (tickers, catalog, all_files)) > 1:
        raise ConfigError("choose one of --tickers, --catalog, --all-files")
    engine = open_write(ctx)
    for path in factors or []:
        if not path.is_file():
            raise ConfigError(f"factor file {path} does not exist")
    factor_rows = [{"file": str(p), "dates_written": ingest_factors(engine, p)} for p in factors or []]
    if factor_rows:
        emit(factor_rows, fmt, title="Fama-French factors")
        if not (tickers or catalog or all_files):
            return
    spec = resolve_price_source(price_source(prices, source))
    if all_files:
        if spec.kind != "files":
            raise ConfigError("--all-files needs a files:DIR source (--prices files:DIR or $EVENTSTUDY_PRICE_SOURCE)")
        from ..sources.files import FileSource

        names = FileSource(spec.paths).tickers()
    else:
        names = _split(tickers) or default_tickers(engine)
    report = ingest_prices(engine, spec, names, progress=not no_progress)
    emit(report.as_rows(), fmt, title=f"ingest from {report.source}: {report.status}")
    typer.echo(report.summary(), err=True)
    failed = ", ".join(report.failed)
    if report.status == "partial":
        raise PartialFailure(f"{len(report.failed)} of {len(report.results)} tickers failed: {failed}")
    if report.status == "failed":
        raise DataError(f"every ticker failed: {failed}")


@app.command("quality")
def quality(
    ctx: typer.Context,
    tickers: Annotated[Optional[str], typer.Option("--tickers", help="Comma-separated tickers (default: every stored ticker).")] = None,
    exchange: Annotated[Optional[str], typer.Option("--exchange", help="Calendar for every ticker (default: each ticker's own: XKRX for .KS, XTKS for .T, XNYS otherwise).")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Data-quality report per ticker: missing sessions, non-session dates, duplicates, non-positive prices, split-like jumps.

    Example: eventstudy prices quality --tickers AMD,NVDA --format csv
    """
    from ..prices.quality import quality_report

    report = quality_report(open_read(ctx), _split(tickers) or None, exchange)
    emit(report, fmt, title="price data quality")
