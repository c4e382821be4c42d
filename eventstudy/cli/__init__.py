"""The ``eventstudy`` command line.  Commands only parse options, call the library and print.

Exit codes: 0 success; 1 error; 2 invalid input (catalog, options, config);
3 write refused by the read-only query; 4 bad data (price files, empty download);
5 partial success (some tickers failed); 6 another pipeline run holds the lock.
"""

from __future__ import annotations

import sys

import typer

from ..exceptions import EventStudyError
from .app import app


def main() -> None:
    """Console entry point: run the app and turn :class:`EventStudyError` into a message and an exit code."""
    try:
        app(standalone_mode=False)
    except EventStudyError as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(1)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except Exception as exc:  # click usage errors and the like
        from click.exceptions import ClickException

        if isinstance(exc, ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise


__all__ = ["app", "main"]
