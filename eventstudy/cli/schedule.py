"""``eventstudy schedule ...``: The APScheduler process that runs the nightly pipeline."""

from __future__ import annotations

import typer

app = typer.Typer(help="The APScheduler process that runs the nightly pipeline.", no_args_is_help=True)
