"""``eventstudy serve``: Datasette over the SQLite event database, read-only, with the project's own pages.

* Datasette opens the file immutable (``immutable=1``: SQLite never writes or locks it),
  or with ``live=True`` read-only (``mode=ro``) for a database the nightly pipeline is
  still writing; either way every statement through its SQL page runs on a connection
  that cannot write, and Datasette itself accepts only ``SELECT`` / ``WITH`` / ``EXPLAIN``.
* Table and column descriptions come from :mod:`eventstudy.db.dictionary`; canned queries
  give the catalog's events (with filters), the latest study tables and the backtest results.
* Extra pages: ``/`` lists the events with filters (ticker, role, deal type, dates), and
  ``/event/<id>`` shows one event's parties and reactions, sources with quotes, claims vs
  measured, the CAR table with per-event tests and the CAR path plot (``/event/<id>/car.svg``).
* Every view and table is browsable at ``/eventstudy/<name>`` with CSV and JSON export.
"""

from __future__ import annotations

import math
import socket
import tempfile
from pathlib import Path
from typing import Any

from ..db import web_queries as q
from ..db.dictionary import RELATIONS, VIEW_NAMES
from ..exceptions import ConfigError

DB_NAME = "eventstudy"
TEMPLATES = Path(__file__).resolve().parent / "templates"


def datasette_metadata() -> dict[str, Any]:
    """Datasette metadata: descriptions from the data dictionary, canned queries from the views."""
    tables = {r.name: {"description": r.description, "columns": {c.name: c.meaning for c in r.columns}} for r in RELATIONS}
    queries = {
        "events": {"sql": q.EVENTS, "title": "Catalog events",
                   "description": "Filter by ticker, role, deal type and announcement dates (YYYY-MM-DD); empty = any."},
        "study_tables": {"sql": q.STUDY_TABLES, "title": "Study tables (latest run)",
                         "description": "CAAR (percent) and every test per window of the latest study run."},
        "backtest_results": {"sql": q.BACKTEST_RESULTS, "title": "Backtest results",
                             "description": "Every variant of every stored backtest run; returns in percent."},
    }
    for view in VIEW_NAMES:
        queries[f"all_{view}"] = {"sql": f"select * from {view}", "title": f"{view} (view)",
                                  "description": next(r.description for r in RELATIONS if r.name == view)}
    return {
        "title": "eventstudy: the event database",
        "description": "Read-only. Units: *_pct columns are percent; windows and offsets are trading days from day 0. "
                       "Start at the home page for the catalog's events.",
        "databases": {DB_NAME: {"tables": tables, "queries": queries}},
    }


def _fmt(column: str, value: Any) -> str:
    """Display form of one cell: percent columns signed with 2 decimals, t 2 decimals, p 4 significant digits."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        if column.endswith("_pct"):
            return f"{value:+.2f}"
        if column in ("p", "p_day0", "p_0_2", "pvalue"):
            return f"{value:.4g}"
        return f"{value:.2f}"
    return str(value)


def _table(result) -> dict[str, Any]:
    return {"columns": list(result.columns),
            "rows": [[_fmt(c, v) for c, v in zip(result.columns, row)] for row in result.rows]}


def _car_svg(rows: list[tuple[str, int, float]], event_id: str) -> bytes:
    """The CAR path plot (percent) of an event's parties, as SVG, drawn by the study's own plot function."""
    import pandas as pd

    from ..reporting.plots import plot_event_cars

    long = pd.DataFrame(rows, columns=["ticker", "event_day", "ar"])
    ar = long.pivot(index="event_day", columns="ticker", values="ar").sort_index()
    with tempfile.TemporaryDirectory() as tmp:
        stem = Path(tmp) / "car"
        plot_event_cars(ar, stem, start=int(ar.index.min()), end=int(ar.index.max()), title=f"CAR path: {event_id}",
                        formats=("svg",))
        return (stem.with_suffix(".svg")).read_bytes()


def _routes():
    from datasette import Response

    async def home(datasette, request):
        db = datasette.get_database(DB_NAME)
        args = {k: (request.args.get(k) or "").strip() for k in ("ticker", "role", "deal_type", "date_from", "date_to")}
        events = await db.execute(q.EVENTS, args)
        roles = [r[0] for r in (await db.execute(q.ROLES)).rows]
        deal_types = [r[0] for r in (await db.execute(q.DEAL_TYPES)).rows]
        return Response.html(await datasette.render_template("eventstudy_home.html", {
            "events": events.rows, "args": args, "roles": roles, "deal_types": deal_types, "db": DB_NAME,
            "views": VIEW_NAMES}, request=request))

    async def event(datasette, request):
        db = datasette.get_database(DB_NAME)
        params = {"event_id": request.url_vars["event_id"]}
        found = await db.execute(q.EVENT, params)
        if not found.rows:
            return Response.html(f"<p>No event {params['event_id']!r} in the catalog.</p>", status=404)
        context = {"event": dict(zip(found.columns, found.rows[0])), "db": DB_NAME}
        for key, sql in (("parties", q.EVENT_PARTIES), ("sources", q.EVENT_SOURCES), ("claims", q.EVENT_CLAIMS),
                         ("cars", q.EVENT_CARS)):
            context[key] = _table(await db.execute(sql, params))
        context["has_plot"] = bool((await db.execute(q.EVENT_AR_PATHS, params)).rows)
        return Response.html(await datasette.render_template("eventstudy_event.html", context, request=request))

    async def car_svg(datasette, request):
        db = datasette.get_database(DB_NAME)
        rows = (await db.execute(q.EVENT_AR_PATHS, {"event_id": request.url_vars["event_id"]})).rows
        if not rows:
            return Response.text("no abnormal returns stored for this event", status=404)
        return Response(_car_svg([tuple(r) for r in rows], request.url_vars["event_id"]), content_type="image/svg+xml")

    return [(r"^/$", home), (r"^/event/(?P<event_id>[a-z0-9-]+)$", event),
            (r"^/event/(?P<event_id>[a-z0-9-]+)/car\.svg$", car_svg)]


def build_datasette(path: Path, *, live: bool = False):
    """A Datasette instance serving ``path`` read-only as database ``eventstudy`` with the project's pages."""
    from datasette.app import Database, Datasette
    from datasette.plugins import pm

    import datasette.handle_exception as errors

    from . import plugin

    # A refused statement is an expected answer, not a fault: without this Datasette prints a
    # rich traceback with every local variable (the whole metadata) to the log for each one.
    # Real server errors are still logged by its plain traceback.print_exc().
    errors.rich = None
    if pm.get_plugin("eventstudy") is None:
        pm.register(plugin, name="eventstudy")
    ds = Datasette(metadata=datasette_metadata(), template_dir=str(TEMPLATES),
                   settings={"allow_download": False, "sql_time_limit_ms": 5000, "default_page_size": 100})
    ds.add_database(Database(ds, path=str(path), is_mutable=live), name=DB_NAME)
    return ds


def sqlite_path(url: str) -> Path:
    """The SQLite file of ``url``; a clear error for PostgreSQL or a missing file."""
    if url.startswith("postgres"):
        raise ConfigError("eventstudy serve serves the SQLite database only; on PostgreSQL query the views "
                          f"({', '.join(VIEW_NAMES)}) with psql, Metabase or Superset (see README, 'Web face')")
    if not url.startswith("sqlite:///"):
        raise ConfigError(f"eventstudy serve needs a SQLite database file, not {url.split(':', 1)[0]}")
    path = Path(url.split(":///", 1)[1])
    if not path.is_file():
        raise ConfigError(f"no database at {path}: create it with 'eventstudy run' (or 'eventstudy events load')")
    return path


def check_port_free(host: str, port: int) -> None:
    """Raise a one-line :class:`ConfigError` naming the port when it cannot be bound."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise ConfigError(f"port {port} on {host} is in use or not available ({exc.strerror}): "
                              "choose another with --port") from None


def pending_wal(path: Path) -> bool:
    """True when the file's write-ahead log holds pages not yet copied into it.

    An immutable open reads the main file only and would see a torn database then, so
    the server opens such a file read-only (``mode=ro``, which reads the log) instead.
    """
    wal = path.with_name(path.name + "-wal")
    return wal.exists() and wal.stat().st_size > 0


def serve(url: str, *, host: str = "127.0.0.1", port: int = 8001, live: bool = False, say=print) -> None:
    """Serve the database until interrupted (schema checked first, never migrated); ``say`` prints notes."""
    import uvicorn

    from ..db import open_existing

    path = sqlite_path(url)
    open_existing(url).dispose()  # an older schema: a message naming the migrate command
    check_port_free(host, port)
    if not live and pending_wal(path):
        say(f"note: {path} has a non-empty write-ahead log (a writer is open or did not checkpoint): "
            "serving it read-only instead of immutable")
        live = True
    uvicorn.run(build_datasette(path, live=live).app(), host=host, port=port, log_level="warning")
