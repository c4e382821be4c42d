"""``eventstudy serve``: the read-only web face (Datasette) on the SQLite database."""

from __future__ import annotations

from typing import Annotated

import typer


def serve(
    ctx: typer.Context,
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8001,
    host: Annotated[str, typer.Option("--host", help="Interface to listen on (127.0.0.1: this machine only).")] = "127.0.0.1",
    live: Annotated[bool, typer.Option("--live", help="Open read-only but not immutable, for a file the pipeline still writes.")] = False,
) -> None:
    """Browse the event database in a web browser: events with filters, event pages, every view with CSV/JSON export.

    Read-only (SQLite opened immutable; the SQL page accepts only SELECT). SQLite only: on
    PostgreSQL use the views from psql, Metabase or Superset. Example: eventstudy serve --port 8001
    """
    from ..web.app import serve as run_server

    typer.echo(f"serving {ctx.obj['db']} read-only on http://{host}:{port}/ (Ctrl-C stops)", err=True)
    run_server(ctx.obj["db"], host=host, port=port, live=live, say=lambda m: typer.echo(m, err=True))
