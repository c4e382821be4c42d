"""``eventstudy query "SQL"``: read-only SQL for analysts."""

from __future__ import annotations

from typing import Annotated

import typer

from .options import Format, FormatOption, open_read
from .output import emit

#: The query path's defaults (kept equal to eventstudy.db.query's, which this module must not import at start-up).
DEFAULT_TIMEOUT_S = 30.0
DEFAULT_ROW_LIMIT = 10_000


def query(
    ctx: typer.Context,
    sql: Annotated[str, typer.Argument(help="One SQL statement (SELECT, WITH, EXPLAIN, ...).")],
    fmt: FormatOption = Format.table,
    timeout: Annotated[float, typer.Option("--timeout", min=0.01, help="Stop the statement after this many seconds.")] = DEFAULT_TIMEOUT_S,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Print at most this many rows (a note on stderr says when there were more).")] = DEFAULT_ROW_LIMIT,
) -> None:
    """Run read-only SQL over the whole database; any statement that writes is refused by the connection.

    Ctrl-C cancels the running statement. On PostgreSQL, connect as a read-only role
    (GRANT pg_read_all_data); superusers and roles that can reach server files or programs are refused.

    Example: eventstudy query "select ticker, count(*) from event_parties group by ticker" --limit 100
    """
    from ..db.query import query_readonly

    result = query_readonly(open_read(ctx), sql, timeout=timeout, limit=limit)
    emit(result.frame, fmt)
    if result.truncated:
        typer.secho(f"note: showing the first {limit:,} rows; the statement returned more (raise --limit, or narrow it with WHERE or LIMIT)",
                    fg=typer.colors.YELLOW, err=True)
