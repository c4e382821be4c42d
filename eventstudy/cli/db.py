"""``eventstudy db ...``: what the database holds (read-only) and bringing it to the current schema."""

from __future__ import annotations

from typing import Annotated

import typer

from .options import Format, FormatOption, db_url, open_read
from .output import emit

app = typer.Typer(help="Describe the database: tables, views, columns, units.", no_args_is_help=True)


@app.command("tables")
def tables(ctx: typer.Context, fmt: FormatOption = Format.table) -> None:
    """List the tables and views with their row counts (read-only; never creates or migrates).

    Example: eventstudy db tables
    """
    from ..db.introspect import list_relations

    emit(list_relations(open_read(ctx)), fmt, title="tables and views")


@app.command("describe")
def describe(ctx: typer.Context, name: Annotated[str, typer.Argument(help="Table or view name, e.g. event_reactions.")],
             fmt: FormatOption = Format.table) -> None:
    """Columns of a table or view: type, unit and meaning (from the data dictionary).

    Example: eventstudy db describe event_reactions
    """
    from ..db.introspect import describe_relation

    description, columns = describe_relation(open_read(ctx), name)
    emit(columns, fmt, title=description)


@app.command("migrate")
def migrate(ctx: typer.Context) -> None:
    """Create the database or bring it to the current schema (idempotent; read commands never do this).

    Example: eventstudy --db postgresql://me@host/events db migrate
    """
    from ..db import current_revision, open_db, safe_url

    engine = open_db(db_url(ctx))
    typer.echo(f"{safe_url(engine)} at schema revision {current_revision(engine)}")
