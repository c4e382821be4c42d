"""``eventstudy claims ...``: Check the press's claimed reactions against prices."""

from __future__ import annotations

import typer

app = typer.Typer(help="Check the press's claimed reactions against prices.", no_args_is_help=True)
