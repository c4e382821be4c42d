"""``eventstudy export VIEW``: one view (or documented table) to CSV, Parquet or Excel, read-only."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Optional

import typer


class ExportFormat(StrEnum):
    csv = "csv"
    parquet = "parquet"
    xlsx = "xlsx"


def export(
    ctx: typer.Context,
    view: Annotated[str, typer.Argument(help="View or table, e.g. event_reactions, claim_checks (see 'eventstudy db tables').")],
    out: Annotated[Path, typer.Option("--out", help="File to write.")],
    fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="csv, parquet or xlsx.")] = ExportFormat.csv,
    where: Annotated[Optional[list[str]], typer.Option("--where", help="Filter COLUMN=VALUE (repeatable), e.g. --where ticker=AMD.")] = None,
) -> None:
    """Write a view to a file (percent columns as stored; read-only, never migrates).

    Example: eventstudy export event_reactions --format xlsx --out reactions.xlsx --where ticker=AMD
    """
    from ..db import open_existing
    from ..db.views import empty_note, read_view
    from ..reporting.view_export import write_frame

    filters = {}
    for item in where or []:
        if "=" not in item:
            raise typer.BadParameter(f"{item!r} is not COLUMN=VALUE", param_hint="--where")
        key, value = item.split("=", 1)
        filters[key.strip()] = value
    frame = read_view(open_existing(ctx.obj["db"]), view, where=filters)
    write_frame(frame, out, fmt.value, sheet=view)
    if frame.empty:
        typer.echo(f"note: {empty_note(view)}; wrote the columns only", err=True)
    typer.echo(f"wrote {len(frame)} rows of {view} to {out}")
