"""``eventstudy backtest ...``: Backtests of trading strategies around announcements (vectorbt)."""

from __future__ import annotations

import typer

app = typer.Typer(help="Backtests of trading strategies around announcements (vectorbt).", no_args_is_help=True)
