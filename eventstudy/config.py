"""Where things live: database URL, price source, catalog folder.

Resolution order for every setting: explicit argument (CLI flag) > environment
variable > default.  Defaults need no set-up: a SQLite file in the current
folder and prices from yfinance.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .exceptions import ConfigError

DB_ENV = "EVENTSTUDY_DB"
PRICE_SOURCE_ENV = "EVENTSTUDY_PRICE_SOURCE"
DEFAULT_DB_URL = "sqlite:///eventstudy.db"
DEFAULT_PRICE_SOURCE = "yfinance"

#: The repository's own catalog, used when no ``--catalog`` is given.
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CATALOG_DIR = REPO_ROOT / "events"
#: Benchmarks ingested alongside the catalog's tickers by default.
DEFAULT_BENCHMARKS = ("SPY", "QQQ", "SMH")


def resolve_db_url(url: str | None = None) -> str:
    """Return the database URL: ``url`` if given, else ``$EVENTSTUDY_DB``, else a SQLite file ``./eventstudy.db``.

    A bare file path (``foo.db``) is accepted and turned into a SQLite URL.
    """
    value = url or os.environ.get(DB_ENV) or DEFAULT_DB_URL
    if "://" not in value:
        value = f"sqlite:///{value}"
    return value


@dataclass(frozen=True)
class PriceSourceSpec:
    """A parsed price-source setting.

    ``kind`` is ``"yfinance"`` or ``"files"``; for files, ``paths`` are the folders searched in
    order (``files:DIR1,DIR2``: a ticker is read from the first folder that has it) and ``path``
    is the first of them.
    """

    kind: str
    paths: tuple[Path, ...] = ()

    @property
    def path(self) -> Path | None:
        return self.paths[0] if self.paths else None

    def __str__(self) -> str:
        return self.kind if not self.paths else f"{self.kind}:{','.join(map(str, self.paths))}"


def resolve_price_source(spec: str | None = None) -> PriceSourceSpec:
    """Parse ``yfinance`` or ``files:DIR[,DIR2...]`` (from the argument, ``$EVENTSTUDY_PRICE_SOURCE`` or the default)."""
    value = (spec or os.environ.get(PRICE_SOURCE_ENV) or DEFAULT_PRICE_SOURCE).strip()
    if value == "yfinance":
        return PriceSourceSpec("yfinance")
    if value.startswith("files:"):
        folders = tuple(Path(part).expanduser() for part in value[len("files:"):].split(",") if part.strip())
        if not folders:
            raise ConfigError(f"price source {value!r}: name a folder, e.g. files:../shared/data/prices/universe")
        for folder in folders:
            if not folder.is_dir():
                raise ConfigError(f"price source {value!r}: folder {folder} does not exist")
        return PriceSourceSpec("files", folders)
    raise ConfigError(f"unknown price source {value!r}: expected 'yfinance' or 'files:DIR'")
