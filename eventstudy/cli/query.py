"""``eventstudy query "SQL"``: read-only SQL for analysts."""

from __future__ import annotations

from typing import Annotated

import typer

from .options import Format, FormatOption, open_read
from .output import emit


def query(ctx: typer.Context, sql: Annotated[str, typer.Argument(help="One SQL statement (SELECT, WITH, EXPLAIN, ...).")], fmt: FormatOption = Format.table) -> None:
    """Run read-only SQL over the whole database; any statement that writes is refused by the connection.

    Example: eventstudy query "select ticker, count(*) from event_parties group by ticker"
    """
    from ..db.query import run_readonly

    emit(run_readonly(open_read(ctx), sql), fmt)
