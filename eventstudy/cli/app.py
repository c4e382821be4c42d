"""Root Typer app: global options and the command groups."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ..config import resolve_db_url
from . import events as events_cmd
from . import query as query_cmd
from . import run as run_cmd

app = typer.Typer(
    help="Event-driven market-reaction backtester: deal catalog, prices, event studies, backtests.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    ctx: typer.Context,
    db: Annotated[Optional[str], typer.Option("--db", help="Database URL or SQLite file (default: $EVENTSTUDY_DB, else ./eventstudy.db).")] = None,
) -> None:
    ctx.obj = {"db": resolve_db_url(db)}


app.add_typer(events_cmd.app, name="events")
app.command("query")(query_cmd.query)
app.command("run")(run_cmd.run)

# Later groups register themselves here (prices, study, claims, backtest, pipeline, schedule).
from . import extra_groups  # noqa: E402,F401
