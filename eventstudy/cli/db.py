"""``eventstudy db upgrade``: the database schema."""

from __future__ import annotations

import typer

from .options import db_url

app = typer.Typer(help="The database schema.", no_args_is_help=True)


@app.command("upgrade")
def upgrade(ctx: typer.Context) -> None:
    """Create the database or migrate it to this version's schema (idempotent; read commands never do this).

    Example: eventstudy --db postgresql://me@host/events db upgrade
    """
    from ..db import current_revision, open_db, safe_url

    engine = open_db(db_url(ctx))
    typer.echo(f"{safe_url(engine)} is at schema {current_revision(engine)}")
