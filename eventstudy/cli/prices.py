"""``eventstudy prices ...``: Price ingestion and data quality."""

from __future__ import annotations

import typer

app = typer.Typer(help="Price ingestion and data quality.", no_args_is_help=True)
