"""``eventstudy run``: the main job, end to end."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..config import DEFAULT_CATALOG_DIR, resolve_price_source
from .events import load_into_db
from .output import emit


def run(
    ctx: typer.Context,
    prices: Annotated[Optional[str], typer.Option("--prices", help="Price source: yfinance or files:DIR (default: $EVENTSTUDY_PRICE_SOURCE, else yfinance).")] = None,
    catalog: Annotated[Path, typer.Option("--catalog", help="Folder of event YAML files.")] = DEFAULT_CATALOG_DIR,
    out: Annotated[Path, typer.Option("--out", help="Folder for tables and plots.")] = Path("out"),
) -> None:
    """Load the catalog, ingest prices, run the event study on the seed deals, check the claims, write tables and plots.

    Example: eventstudy run --prices files:../shared/data/prices/raw/SungKyu-Kim39__BackTester39
    """
    source = resolve_price_source(prices)
    report = load_into_db(ctx.obj["db"], catalog)
    emit(report.as_rows(), "table", title=f"catalog {catalog} (prices: {source})")
