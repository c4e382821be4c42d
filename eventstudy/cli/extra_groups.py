"""Command groups of the later parts, each in its own module, added to the root app here."""

from __future__ import annotations

from . import backtest, claims, db, export, pipeline, prices, schedule, serve, study
from .app import app

app.add_typer(prices.app, name="prices")
app.add_typer(study.app, name="study")
app.add_typer(claims.app, name="claims")
app.add_typer(backtest.app, name="backtest")
app.add_typer(pipeline.app, name="pipeline")
app.add_typer(schedule.app, name="schedule")
app.add_typer(db.app, name="db")
app.command("serve")(serve.serve)
app.command("export")(export.export)
