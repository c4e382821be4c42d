"""``eventstudy schedule start|show``: the APScheduler process that runs the nightly pipeline."""

from __future__ import annotations

import typer

from .options import Format, FormatOption
from .output import emit
from .pipeline import ConfigOption, explicit_db, stderr_logging

app = typer.Typer(help="The APScheduler process that runs the nightly pipeline.", no_args_is_help=True)


@app.command("start")
def start(ctx: typer.Context, config: ConfigOption = None) -> None:
    """Run the scheduler in the foreground (stop with Ctrl-C or SIGTERM); logs go to stderr and each run's report folder.

    The job (cron from the config, default weekdays 18:30 America/New_York) is kept in
    the project database, so a run missed while the scheduler was down runs when it
    restarts (within the misfire grace time) and is recorded as late.

    Example: eventstudy schedule start --config examples/pipeline.toml
    """
    from eventstudy.pipelines.config import load_config
    from eventstudy.pipelines.scheduler import start_foreground

    cfg = load_config(config, db_url=explicit_db(ctx))
    stderr_logging()
    start_foreground(cfg)


@app.command("show")
def show(ctx: typer.Context, config: ConfigOption = None, fmt: FormatOption = Format.table) -> None:
    """Show the configured schedule, the stored job and its next fire time.

    Example: eventstudy schedule show --config examples/pipeline.toml
    """
    from eventstudy.pipelines.config import load_config
    from eventstudy.pipelines.scheduler import describe_schedule

    cfg = load_config(config, db_url=explicit_db(ctx))
    emit(describe_schedule(cfg), fmt, title="pipeline schedule")
