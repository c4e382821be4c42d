"""``eventstudy study ...``: Event studies: abnormal returns, tests, tables and plots."""

from __future__ import annotations

import typer

app = typer.Typer(help="Event studies: abnormal returns, tests, tables and plots.", no_args_is_help=True)
