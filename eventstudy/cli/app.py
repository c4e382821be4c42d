"""Root Typer app: global options (``--db``, ``--version``) and every command group.

Command modules import only typer and the standard library at the top; the library
(pandas, SQLAlchemy, the engine) loads inside the commands, so ``--help`` is instant.
"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from .. import __version__
from ..config import resolve_db_url
from . import backtest, claims, db, events, export, pipeline, prices, query, run, schedule, serve, study

app = typer.Typer(
    help="Event-driven market-reaction backtester: deal catalog, prices, event studies, backtests.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"eventstudy {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    db: Annotated[Optional[str], typer.Option("--db", help="Database URL or SQLite file (default: $EVENTSTUDY_DB, else ./eventstudy.db).")] = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")] = False,
) -> None:
    ctx.obj = {"db": resolve_db_url(db)}


app.command("run")(run.run)
app.command("query")(query.query)
app.command("serve")(serve.serve)
app.command("export")(export.export)
app.add_typer(events.app, name="events")
app.add_typer(prices.app, name="prices")
app.add_typer(study.app, name="study")
app.add_typer(claims.app, name="claims")
app.add_typer(backtest.app, name="backtest")
app.add_typer(pipeline.app, name="pipeline")
app.add_typer(schedule.app, name="schedule")
app.add_typer(db.app, name="db")
