"""``eventstudy query "SQL"``: read-only SQL for analysts."""

from __future__ import annotations

from typing import Annotated

import typer

from ..db import open_readonly
from ..db.query import run_readonly
from .output import Format, FormatOption, emit


def query(ctx: typer.Context, sql: Annotated[str, typer.Argument(help="One SQL statement (SELECT, WITH, EXPLAIN, ...).")], fmt: FormatOption = Format.table) -> None:
    """Run read-only SQL over the whole database; any statement that writes is refused by the connection.

    Example: eventstudy query "select ticker, count(*) from event_parties group by ticker"
    """
    emit(run_readonly(open_readonly(ctx.obj["db"]), sql), fmt)
