"""``eventstudy events load|list|show``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..catalog.vocab import DealType, Role
from ..config import DEFAULT_CATALOG_DIR
from ..exceptions import UsageError
from .options import Format, FormatOption, open_read, open_write
from .output import emit

app = typer.Typer(help="The deal-announcement catalog: load it into the database, list and show events.", no_args_is_help=True)

CatalogOption = Annotated[Path, typer.Option("--catalog", help="Folder of event YAML files.", show_default=True)]


@app.command("load")
def load(ctx: typer.Context, catalog: CatalogOption = DEFAULT_CATALOG_DIR, fmt: FormatOption = Format.table) -> None:
    """Validate the catalog and load it into the database (idempotent; removed events are reported).

    Example: eventstudy events load --catalog events/
    """
    from ..catalog import load_catalog
    from ..db.catalog_store import sync_catalog

    entries = load_catalog(catalog)  # validated before the database is opened: a bad catalog writes nothing
    report = sync_catalog(open_write(ctx), entries)
    if report.removed:
        typer.secho(f"removed {len(report.removed)} event(s) no longer in the catalog: {', '.join(report.removed)}", fg=typer.colors.YELLOW, err=True)
    emit(report.as_rows(), fmt, title=f"catalog {catalog}")


def _date(value: Optional[str], name: str) -> Optional[dt.date]:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date in YYYY-MM-DD form", param_hint=name) from None


@app.command("list")
def list_(
    ctx: typer.Context,
    ticker: Annotated[Optional[str], typer.Option(help="Only events with this party ticker.")] = None,
    role: Annotated[Optional[Role], typer.Option(help="Only events where a party has this role (with --ticker: that party).")] = None,
    deal_type: Annotated[Optional[DealType], typer.Option("--type", help="Only this deal type.")] = None,
    since: Annotated[Optional[str], typer.Option(help="Announced on or after YYYY-MM-DD.")] = None,
    until: Annotated[Optional[str], typer.Option(help="Announced on or before YYYY-MM-DD.")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """List catalog events from the database.

    Example: eventstudy events list --ticker AMD --format json
    """
    from ..db.catalog_store import get_event, list_events

    engine = open_read(ctx)
    frame = list_events(
        engine,
        ticker=ticker,
        role=role.value if role else None,
        deal_type=deal_type.value if deal_type else None,
        since=_date(since, "--since"),
        until=_date(until, "--until"),
    )
    if fmt == Format.json:
        # json carries each event whole (parties, sources, claims); table/csv stay one row per event.
        emit([get_event(engine, i) for i in frame["id"]], "json")
        return
    emit(frame, fmt, title="events")


@app.command("show")
def show(ctx: typer.Context, event_id: Annotated[str, typer.Argument(help="Event id (slug).")], fmt: FormatOption = Format.table) -> None:
    """Show one event with its parties, sources and claims.

    Example: eventstudy events show 2025-10-06-openai-amd
    """
    from ..db.catalog_store import get_event

    found = get_event(open_read(ctx), event_id)
    if found is None:
        raise UsageError(f"no event {event_id!r} in the database (run 'eventstudy events load' first?)")
    emit(found, fmt, title=event_id)
