"""The ``eventstudy`` command line.  Commands only parse options, call the library and print.

Exit codes: 0 success; 1 error; 2 invalid input (catalog, options, config);
3 write refused by the read-only query; 4 bad data (price files, empty download);
5 partial success (some tickers failed); 6 another pipeline run holds the lock.
"""

from __future__ import annotations

import sys

import typer

from ..exceptions import EventStudyError
from ..numba_cache import configure_numba_cache
from .app import app

configure_numba_cache()  # before any command imports vectorbt/numba: compiled kernels load from disk


def main() -> None:
    """Console entry point.

    Click's standalone mode handles usage errors and ``typer.Exit`` codes; an
    :class:`EventStudyError` becomes a one-line message and its exit code.
    """
    try:
        app()
    except EventStudyError as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        sys.exit(exc.exit_code)


__all__ = ["app", "main"]
