"""The ``eventstudy`` command line.  Commands only parse options, call the library and print.

Exit codes: 0 success; 1 error (also: a database file or folder that cannot be
written or opened, a file the system refuses to read or write: one line naming it);
2 invalid input (catalog, options such as an unwritable --out, config);
3 write refused by the read-only query (also COPY, and unsafe PostgreSQL roles);
4 bad data (price files, empty download); 5 partial success (some tickers failed);
6 another pipeline run holds the lock; 130 a query cancelled with Ctrl-C.
"""

from __future__ import annotations

import sys

import typer

from ..config import resolve_db_url
from ..exceptions import EventStudyError
from ..numba_cache import configure_numba_cache
from .app import app

configure_numba_cache()  # before any command imports vectorbt/numba: compiled kernels load from disk


def _db_url(argv: list[str]) -> str:
    """The database the command line names (``--db X`` / ``--db=X``), else the default: only to word an error."""
    for i, arg in enumerate(argv):
        if arg == "--db" and i + 1 < len(argv):
            return resolve_db_url(argv[i + 1])
        if arg.startswith("--db="):
            return resolve_db_url(arg.split("=", 1)[1])
    return resolve_db_url(None)


def _fail(message: str, code: int) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    sys.exit(code)


def main() -> None:
    """Console entry point.

    Click's standalone mode handles usage errors and ``typer.Exit`` codes; an
    :class:`EventStudyError` becomes a one-line message and its exit code.  A
    database file that cannot be written or opened, and any other file the
    system refuses (``OSError``), become one line naming it, exit code 1.
    """
    try:
        app()
    except Exception as exc:
        from ..db.errors import describe_environment_error  # loads SQLAlchemy: only once something failed

        environment = describe_environment_error(exc, _db_url(sys.argv[1:]))
        if environment is not None:
            _fail(environment, 1)
        if isinstance(exc, EventStudyError):
            _fail(str(exc), exc.exit_code)
        if isinstance(exc, OSError):
            _fail(f"{exc.strerror or exc}: {exc.filename!r}" if exc.filename else str(exc), 1)
        raise


__all__ = ["app", "main"]
