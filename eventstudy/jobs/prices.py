"""Price jobs: ingest the catalog's tickers and the benchmarks, and the Fama-French factor files beside a price folder."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..config import PriceSourceSpec
from ..db import Engine
from ..exceptions import DataError
from ..prices.ingest import IngestReport, default_tickers, ingest_factors, ingest_prices


def factor_files(source: PriceSourceSpec) -> list[Path]:
    """Ken French daily files (``F-F_*.csv``) in the price folders, or anywhere under a folder's parent ``raw/`` tree."""
    if source.kind != "files":
        return []
    roots = {p.resolve().parent if p.resolve().parent.name == "raw" else p.resolve() for p in source.paths}
    return sorted({p for root in roots for p in root.rglob("F-F_*.csv")})


def ingest_catalog_prices(engine: Engine, source: PriceSourceSpec, *, benchmark: str,
                          extra_tickers: Sequence[str] = (), progress: bool = True) -> IngestReport:
    """Ingest the catalog's listed tickers, the default benchmarks, ``benchmark`` and ``extra_tickers``.

    A ticker that fails is reported in the returned report (``.failed``), not raised.

    Raises
    ------
    DataError
        Not one ticker could be ingested (with the first error and, for yfinance, the
        offline hint), or the study's ``benchmark`` could not.
    """
    tickers = list(dict.fromkeys([*default_tickers(engine), *(t.upper() for t in extra_tickers), benchmark.upper()]))
    report = ingest_prices(engine, source, tickers, progress=progress)
    failed = report.failed
    if len(failed) == len(tickers):
        hint = " (yfinance needs internet; offline, use --prices files:DIR)" if source.kind == "yfinance" else ""
        raise DataError(f"no prices could be ingested from {source} for any of {', '.join(tickers)}{hint}; "
                        f"first error: {next(iter(failed.values()))}")
    if benchmark.upper() in failed:
        raise DataError(f"the benchmark {benchmark.upper()} could not be ingested from {source}: {failed[benchmark.upper()]}")
    return report


def ingest_factor_files(engine: Engine, source: PriceSourceSpec) -> dict[Path, int]:
    """Load every :func:`factor_files` file; returns ``{file: dates inserted or changed}``."""
    return {path: ingest_factors(engine, path) for path in factor_files(source)}
