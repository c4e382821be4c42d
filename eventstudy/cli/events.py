"""``eventstudy events load|list|show|import|export|new`` (and the EDGAR discovery commands)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..catalog.vocab import DealType, Role, Timing
from ..config import DEFAULT_CATALOG_DIR
from ..exceptions import EventStudyError, PartialFailure, UsageError
from .options import Format, FormatOption, db_url, open_read, open_write
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


# --- import / export / new (issue 11): thin wrappers over eventstudy.catalog.importers -------------------


@app.command("import")
def import_(
    files: Annotated[list[Path], typer.Argument(help="CSV, Excel (.xlsx) or EventStudyTools request files.")],
    catalog: CatalogOption = DEFAULT_CATALOG_DIR,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate and say what would be written; write nothing.")] = False,
    deal_type: Annotated[Optional[DealType], typer.Option("--deal-type", help="Deal type for EventStudyTools rows whose group is not one.")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Import event lists as catalog YAML files (all or nothing; importing twice changes nothing).

    Example: eventstudy events import deals.csv --catalog events/
    """
    from ..catalog.importers import read_event_files
    from ..catalog.yaml_writer import write_events

    report = write_events(catalog, read_event_files(files, default_deal_type=deal_type), dry_run=dry_run)
    emit(report.as_rows(), fmt, title=f"import into {catalog}")


class ExportFormat(StrEnum):
    est = "est"
    csv = "csv"


@app.command("export")
def export(
    export_format: Annotated[ExportFormat, typer.Option("--format", "-f", help="est: EventStudyTools request file; csv: the import CSV.")] = ExportFormat.csv,
    out: Annotated[Optional[Path], typer.Option("--out", help="Write to this file (default: standard output).")] = None,
    catalog: CatalogOption = DEFAULT_CATALOG_DIR,
    ticker: Annotated[Optional[str], typer.Option(help="Only events with this party ticker.")] = None,
    since: Annotated[Optional[str], typer.Option(help="Announced on or after YYYY-MM-DD.")] = None,
    until: Annotated[Optional[str], typer.Option(help="Announced on or before YYYY-MM-DD.")] = None,
    benchmark: Annotated[str, typer.Option(help="est: market id for events without their own.")] = "SPY",
) -> None:
    """Export the catalog (or a selection) for EventStudyTools or R.

    Example: eventstudy events export --format est --out 01_RequestFile.csv
    """
    from ..catalog import load_catalog
    from ..catalog.importers import export_csv, export_est

    first, last = _date(since, "--since"), _date(until, "--until")
    events = [e.event for e in load_catalog(catalog)
              if (ticker is None or ticker in e.event.tickers) and (first is None or e.event.date >= first) and (last is None or e.event.date <= last)]
    text = export_est(events, benchmark=benchmark) if export_format == ExportFormat.est else export_csv(events)
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {len(events)} event(s) to {out}", err=True)


@app.command("new")
def new(
    date: Annotated[str, typer.Option(help="Announcement date YYYY-MM-DD.")],
    title: Annotated[str, typer.Option(help="One-line title.")],
    deal_type: Annotated[DealType, typer.Option("--deal-type", help="Deal type.")],
    party: Annotated[list[str], typer.Option("--party", help='NAME:TICKER:ROLE, repeatable; empty TICKER for an unlisted firm ("OpenAI::customer").')],
    timing: Annotated[Timing, typer.Option(help="When the news reached the market.")] = Timing.UNKNOWN,
    time: Annotated[Optional[str], typer.Option(help="HH:MM New York time.")] = None,
    source: Annotated[str, typer.Option(help="Where the news is from.")] = "entered with eventstudy events new",
    url: Annotated[Optional[str], typer.Option(help="Source URL.")] = None,
    event_id: Annotated[Optional[str], typer.Option("--id", help="Event id (default: date + title words).")] = None,
    catalog: CatalogOption = DEFAULT_CATALOG_DIR,
) -> None:
    """Scaffold a valid event YAML file (edit it to add amount, terms, claims) and print its path.

    Example: eventstudy events new --date 2025-10-06 --title "OpenAI and AMD: 6 GW" --deal-type supply-deal --party "AMD:AMD:supplier" --party "OpenAI::customer"
    """
    from ..catalog.importers import new_event
    from ..catalog.yaml_writer import PendingEvent, write_events

    event = new_event(date=date, title=title, deal_type=deal_type.value, parties=party, timing=timing.value, time=time,
                      source=source, url=url, event_id=event_id)
    report = write_events(catalog, [PendingEvent(event, "events new")])
    typer.echo(str((report.written or report.unchanged)[0]))


# --- SEC EDGAR discovery (issue 11): thin wrappers over eventstudy.jobs.discover ------------------------------


def _ids(values: list[str]) -> list[int]:
    try:
        return [int(v) for v in values]
    except ValueError:
        raise typer.BadParameter(f"candidate ids are whole numbers (got {' '.join(values)})", param_hint="ID") from None


@app.command("discover")
def discover_(
    ctx: typer.Context,
    tickers: Annotated[Optional[str], typer.Option(help="Comma-separated tickers (default: the catalog's listed tickers).")] = None,
    since: Annotated[Optional[str], typer.Option(help="Filed on or after YYYY-MM-DD (default: 30 days ago).")] = None,
    until: Annotated[Optional[str], typer.Option(help="Filed on or before YYYY-MM-DD (default: today).")] = None,
    items: Annotated[str, typer.Option(help="8-K items to look for.")] = "1.01,2.01,7.01,8.01",
    catalog: CatalogOption = DEFAULT_CATALOG_DIR,
    fmt: FormatOption = Format.table,
) -> None:
    """Find 8-K announcements on SEC EDGAR and store them as candidate events (needs $EVENTSTUDY_SEC_USER_AGENT).

    Example: EVENTSTUDY_SEC_USER_AGENT="Jane Doe jane@example.com" eventstudy events discover --tickers NVDA,INTC --since 2025-09-01
    """
    from ..jobs.discover import catalog_tickers, discover_candidates
    from ..sources.edgar import EdgarClient

    client = EdgarClient()
    names = [t.strip() for t in tickers.split(",") if t.strip()] if tickers else catalog_tickers(catalog)
    last = _date(until, "--until") or dt.date.today()
    first = _date(since, "--since") or last - dt.timedelta(days=30)
    outcome = discover_candidates(open_write(ctx), client, names, since=first, until=last,
                                  items=[i.strip() for i in items.split(",") if i.strip()])
    for ticker, message in outcome.errors.items():
        typer.secho(f"{ticker}: {message}", fg=typer.colors.RED, err=True)
    typer.echo(f"{len(outcome.new)} new candidate(s), {outcome.known} already known, {len(outcome.errors)} ticker(s) failed", err=True)
    emit([{"id": i, "ticker": c.ticker, "date": c.event.date, "timing": c.timing, "accepted_at": c.accepted_at.isoformat(),
           "form": c.form, "items": ",".join(c.items), "url": c.url} for i, c in outcome.new], fmt, title="new candidates")
    if outcome.errors:
        raise PartialFailure(f"{len(outcome.errors)} of {len(set(names))} ticker(s) failed: {', '.join(outcome.errors)}")


@app.command("candidates")
def candidates(
    ctx: typer.Context,
    status: Annotated[Optional[str], typer.Option(help="new, accepted or rejected (default: all).")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """List discovered candidate events.

    Example: eventstudy events candidates --status new
    """
    from ..db.candidates import list_candidates

    emit(list_candidates(open_read(ctx), status=status), fmt, title="candidates")


@app.command("accept")
def accept(
    ctx: typer.Context,
    ids: Annotated[Optional[list[str]], typer.Argument(help="Candidate ids.")] = None,
    all_new: Annotated[bool, typer.Option("--all", help="Every new candidate.")] = False,
    catalog: CatalogOption = DEFAULT_CATALOG_DIR,
    fmt: FormatOption = Format.table,
) -> None:
    """Write candidates as catalog YAML files and mark them accepted.

    Example: eventstudy events accept 3 4 --catalog events/
    """
    from ..jobs.discover import accept_candidates

    if bool(ids) == all_new:
        raise typer.BadParameter("give candidate ids or --all (not both)", param_hint="ID / --all")
    report = accept_candidates(open_write(ctx), catalog, None if all_new else _ids(ids))
    emit(report.as_rows(), fmt, title=f"accepted into {catalog}")


@app.command("reject")
def reject(ctx: typer.Context, ids: Annotated[list[str], typer.Argument(help="Candidate ids.")]) -> None:
    """Reject candidates: they are remembered and never proposed again.

    Example: eventstudy events reject 5
    """
    from ..jobs.discover import reject_candidates

    typer.echo(f"rejected {reject_candidates(open_write(ctx), _ids(ids))} candidate(s)")


@app.command("check")
def check(ctx: typer.Context, catalog: CatalogOption = DEFAULT_CATALOG_DIR, fmt: FormatOption = Format.table) -> None:
    """Compare catalog timings with the stored 8-K candidates of the same parties and dates (exit 1 on disagreement).

    Example: eventstudy events check --catalog events/
    """
    from ..jobs.discover import timing_disagreements

    rows = timing_disagreements(open_read(ctx), catalog)
    emit(rows, fmt, title="timing disagreements")
    if rows:
        raise EventStudyError(f"{len(rows)} timing disagreement(s) between the catalog and 8-K acceptance times")


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
    from ..jobs.dealweb import deal_web_job

    report, note = deal_web_job(db_url(ctx), catalog, out, _date(since, "--since"))
    if note:
        typer.echo(f"note: {note}", err=True)
    emit(report.cycles[["cycle", "steps", "reactions"]], fmt, title=f"{len(report.cycles)} cycles (circular deals)")
    if fmt == Format.table:
        typer.echo("files: " + ", ".join(str(p) for p in report.files))
