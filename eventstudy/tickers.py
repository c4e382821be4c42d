"""What a ticker may look like, checked before it is used as a file name or stored.

A ticker is 1 to :data:`MAX_TICKER_LENGTH` characters among upper-case letters,
digits, ``.``, ``-``, ``^`` and ``=`` (Yahoo's ``BRK-B``, ``005930.KS``, ``^GSPC``,
``EURUSD=X``), starting with a letter, a digit or ``^``.  No ``/``, no leading
``.``: a ticker can never name a path outside the price folder.  The limit is the
width of ``prices.ticker`` and is checked here, so SQLite (which does not enforce
it) and PostgreSQL refuse the same tickers.
"""

from __future__ import annotations

import re

from .exceptions import DataError

#: Width of ``prices.ticker`` (``String(20)``).
MAX_TICKER_LENGTH = 20
TICKER_PATTERN = re.compile(rf"[A-Z0-9^][A-Z0-9.\-^=]{{0,{MAX_TICKER_LENGTH - 1}}}")


def ticker_problem(ticker: str) -> str | None:
    """Why ``ticker`` (already upper-cased) is not a valid ticker, or None when it is."""
    if len(ticker) > MAX_TICKER_LENGTH:
        return f"ticker {ticker[:40]!r} is longer than {MAX_TICKER_LENGTH} characters"
    if not TICKER_PATTERN.fullmatch(ticker):
        return (f"ticker {ticker[:40]!r} is not valid (letters, digits, '.', '-', '^', '=' only, "
                "starting with a letter, a digit or '^')")
    return None


def check_ticker(ticker: str) -> str:
    """``ticker`` upper-cased and stripped, or :class:`DataError` saying why it is refused."""
    name = ticker.strip().upper()
    problem = ticker_problem(name)
    if problem:
        raise DataError(problem)
    return name
