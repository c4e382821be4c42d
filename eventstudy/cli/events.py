"""``eventstudy events load|list|show``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..catalog import Role, load_catalog
from ..catalog.schema import DealType
from ..config import DEFAULT_CATALOG_DIR
from ..db import open_db
from ..db.catalog_store import SyncReport, get_event, list_events, sync_catalog
from ..exceptions import EventStudyError
from .output import FormatOption, Format, emit

app = typer.Typer(help="The deal-announcement catalog: load it into the database, list and show events.", no_args_is_help=True)

CatalogOption = Annotated[Path, typer.Option("--catalog", help="Folder of event YAML files.", show_default=True)]


def load_into_db(db_url: str, catalog: Path) -> SyncReport:
    """Validate the whole catalog first, then sync it into the database (nothing is written if any file is invalid).

    Raises
    ------
    CatalogError
        Listing every problem (file:line:column: field: message); the database is not opened.
    """
    entries = load_catalog(catalog)
    return sync_catalog(open_db(db_url), entries)


@app.command("load")
def load(ctx: typer.Context, catalog: CatalogOption = DEFAULT_CATALOG_DIR, fmt: FormatOption = Format.table) -> None:
    """Validate the catalog and load it into the database (idempotent; removed events are reported).

    Example: eventstudy events load --catalog events/
    """
    report = load_into_db(ctx.obj["db"], catalog)
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
    engine = open_db(ctx.obj["db"])
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
    found = get_event(open_db(ctx.obj["db"]), event_id)
    if found is None:
        raise EventStudyError(f"no event {event_id!r} in the database (run 'eventstudy events load' first?)")
    emit(found, fmt, title=event_id)


@app.command("web")
def web(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help="Folder for deal_web.png/.svg/.html, cycles.csv, spillover.csv.")] = Path("out/web"),
    since: Annotated[Optional[str], typer.Option("--since", help="Only deals announced on or after this date (YYYY-MM-DD).")] = None,
    catalog: CatalogOption = DEFAULT_CATALOG_DIR,
    fmt: FormatOption = Format.table,
) -> None:
    """Draw the web of deals (value flows between companies), list its cycles and each deal's spill-over.

    Reactions come from the database's event_reactions view (read-only); without a stored
    study the web is drawn uncoloured.  Example: eventstudy events web --since 2025-09-01
    """
    from ..reporting.dealweb import deal_web_job

    report, note = deal_web_job(ctx.obj["db"], catalog, out, _date(since, "--since"))
    if note:
        typer.echo(f"note: {note}", err=True)
    emit(report.cycles[["cycle", "steps", "reactions"]], fmt, title=f"{len(report.cycles)} cycles (circular deals)")
    if fmt == Format.table:
        typer.echo("files: " + ", ".join(str(p) for p in report.files))
