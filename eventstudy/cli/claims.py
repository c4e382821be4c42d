"""``eventstudy claims ...``: Check the press's claimed reactions against prices."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from .options import TableFormat, open_read
from .output import emit
from .paths import writable_folder

if TYPE_CHECKING:
    from ..claims import Tolerance

app = typer.Typer(help="Check the press's claimed reactions against prices.", no_args_is_help=True)


def print_claims(checked, fmt: str, tolerance: "Tolerance | None" = None) -> None:
    """Full precision for csv/json, the rounded display form for people (notes below the terminal table)."""
    from ..claims import Tolerance
    from ..reporting.export import claims_display

    tolerance = tolerance or Tolerance()
    if fmt in ("csv", "json"):
        emit(checked, fmt)
        return
    if fmt != "table":
        emit(claims_display(checked), fmt)
        return
    emit(claims_display(checked, compact=True), "table", title="claims vs measured moves (percent)")
    typer.echo(f"A claim matches when |measured - claimed| <= tol = max({tolerance.pp:g} pp, {tolerance.rel:.0%} of |claimed|); "
               "'nearly X' must lie in [X - tol, X], 'over X' at or above X - tol.")
    for row in checked[checked["note"] != ""].itertuples():
        typer.echo(f"- {row.event_id} {row.ticker} {row.window}: {row.note}")


@app.command("check")
def check(
    ctx: typer.Context,
    event: Annotated[Optional[list[str]], typer.Option("--event", help="Only claims of this event id (repeatable).")] = None,
    benchmark: Annotated[str, typer.Option("--benchmark", help="Ticker whose move over the same window is subtracted.")] = "SPY",
    tolerance_pp: Annotated[Optional[float], typer.Option("--tolerance-pp", min=0.0, help="Absolute part of the matching band, percentage points [default: 1].")] = None,
    tolerance_rel: Annotated[Optional[float], typer.Option("--tolerance-rel", min=0.0, help="Relative part of the band, fraction of the claimed move [default: 0.05].")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="Also write claims.md/.tex/.html/.csv into this folder.", callback=writable_folder)] = None,
    fmt: Annotated[TableFormat, typer.Option("--format", "-f", help="Output format.")] = TableFormat.table,
) -> None:
    """Measure every catalog claim (raw, net of the benchmark, market-model CAR of the latest stored run) and give a verdict.

    A claim matches when |measured - claimed| <= max(tolerance-pp, tolerance-rel x |claimed|);
    "nearly X" must lie in [X - tol, X], "over X" at or above X - tol.

    Example: eventstudy claims check --format markdown
    """
    # Imported here: the engine and plotting stack are heavy and --help should be instant.
    from ..claims import TOLERANCE_PP, TOLERANCE_REL, Tolerance
    from ..jobs import check_claims_job
    from ..reporting.export import write_claims

    tolerance = Tolerance(TOLERANCE_PP if tolerance_pp is None else tolerance_pp,
                          TOLERANCE_REL if tolerance_rel is None else tolerance_rel)
    checked = check_claims_job(open_read(ctx), benchmark=benchmark.upper(), event_ids=event, tolerance=tolerance)
    print_claims(checked, fmt.value, tolerance)
    if out is not None:
        files = write_claims(checked, out)
        typer.echo(f"wrote {len(files)} files to {out}", err=True)
    unmeasured = checked[checked["verdict"] == "no data"]
    for row in unmeasured.itertuples():
        typer.echo(f"not measured: {row.event_id} {row.ticker}: {row.note}", err=True)
