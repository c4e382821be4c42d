"""``eventstudy pipeline ...``: The nightly pipeline: ingest, study, backtest, report."""

from __future__ import annotations

import typer

app = typer.Typer(help="The nightly pipeline: ingest, study, backtest, report.", no_args_is_help=True)
