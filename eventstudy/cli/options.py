"""Options and helpers every command shares: output format, price source, windows, opening the database.

Kept light on purpose (typer and the standard library only): importing the CLI must not
load pandas or SQLAlchemy, so that ``eventstudy --help`` is instant.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from ..catalog.vocab import Role

from ..exceptions import ConfigError

if TYPE_CHECKING:
    from ..db import Engine


class Format(StrEnum):
    """Row output: ``table`` for people, ``csv``/``json`` for pipes, ``markdown`` for notes."""

    table = "table"
    csv = "csv"
    json = "json"
    markdown = "markdown"


class TableFormat(StrEnum):
    """Formats for result tables that researchers publish."""

    table = "table"
    csv = "csv"
    json = "json"
    markdown = "markdown"
    latex = "latex"
    html = "html"


class ReturnKind(StrEnum):
    """Daily return kinds (``eventstudy.defaults.RETURN_KINDS``): price, log price, or total (dividends reinvested)."""

    simple = "simple"
    log = "log"
    total = "total"


class Alternative(StrEnum):
    """Alternatives of the volatility tests (``eventstudy.core.volatility.ALTERNATIVES``)."""

    two_sided = "two-sided"
    greater = "greater"


class AdjustMethod(StrEnum):
    """Multiple-testing adjustments (``eventstudy.multitest``): Holm (FWER), Benjamini-Hochberg (FDR)."""

    holm = "holm"
    fdr_bh = "fdr_bh"


ReturnsOption = Annotated[ReturnKind, typer.Option("--returns", help="Daily return kind: simple, log, or total (with dividends).")]

#: Selection and window options shared by the study commands (one wording everywhere).
EventsOption = Annotated[Optional[list[str]], typer.Option("--event", help="Event id (repeatable). Default: every catalog event.")]
TickerOption = Annotated[Optional[str], typer.Option("--ticker", help="Only this party ticker.")]
RoleOption = Annotated[Optional[Role], typer.Option("--role", help="Only parties with this role.")]
WindowsOption = Annotated[Optional[list[str]], typer.Option(
    "--window", help="Event window a,b in trading days from day 0, both included (repeatable; use --window=-1,1 for negative starts).")]
EstimationOption = Annotated[str, typer.Option("--estimation", help="Estimation window a,b (trading days from day 0).")]

FormatOption = Annotated[Format, typer.Option("--format", "-f", help="Output format: table for people, csv/json for pipes.")]
TableFormatOption = Annotated[TableFormat, typer.Option("--format", "-f", help="Output format of the result tables.")]


def _deprecated_source(value: Optional[str]) -> Optional[str]:
    if value is not None:
        typer.secho("warning: --source is deprecated; use --prices", fg=typer.colors.YELLOW, err=True)
    return value


#: The price source, named the same on every command (``--source`` kept as a deprecated alias).
PricesOption = Annotated[Optional[str], typer.Option(
    "--prices", help="Price source: yfinance or files:DIR[,DIR2] (default: $EVENTSTUDY_PRICE_SOURCE, else yfinance).")]
SourceAlias = Annotated[Optional[str], typer.Option("--source", hidden=True, callback=_deprecated_source,
                                                    help="Deprecated alias of --prices.")]


def price_source(prices: Optional[str], source: Optional[str] = None) -> Optional[str]:
    """The price-source text from ``--prices`` or its deprecated alias ``--source`` (both given: an error)."""
    if prices and source:
        raise ConfigError("give the price source once: --prices (--source is its deprecated alias)")
    return prices or source


def parse_window(text: str, option: str = "--window") -> tuple[int, int]:
    """``"-1,1"`` -> ``(-1, 1)``; brackets and spaces allowed (``"[0, 2]"``); trading days from day 0, both included.

    Raises
    ------
    ConfigError
        Not two integers, or start after end (exit code 2, the option named).
    """
    parts = text.strip().strip("[]()").split(",")
    try:
        a, b = (int(p) for p in parts)
    except ValueError:
        raise ConfigError(f"{option} {text!r} is not a window 'a,b' of two integers "
                          "(trading days from day 0, both included, e.g. 0,2 or -1,1)") from None
    if a > b:
        raise ConfigError(f"{option} {text!r} starts after it ends")
    return a, b


def db_url(ctx: typer.Context) -> str:
    """The database URL the root ``--db`` option (or $EVENTSTUDY_DB, or the default) names."""
    return ctx.find_root().obj["db"]


def open_write(ctx: typer.Context) -> "Engine":
    """The database for a command that writes: created or migrated first; closed when the command ends."""
    from ..db import open_db

    return _closed_with(ctx, open_db(db_url(ctx)))


def open_read(ctx: typer.Context) -> "Engine":
    """The database for a command that only reads: must exist at the current schema; nothing on disk
    changes; closed when the command ends."""
    from ..db import open_existing

    return _closed_with(ctx, open_existing(db_url(ctx)))


def _closed_with(ctx: typer.Context, engine: "Engine") -> "Engine":
    # Pooled connections are otherwise closed whenever the garbage collector gets to the engine:
    # a SQLite writer's last close checkpoints its WAL into the file, which must happen when the
    # command ends, not during whatever runs next in the process (a notebook, a test).
    ctx.call_on_close(engine.dispose)
    return engine
