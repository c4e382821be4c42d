"""The main job (``eventstudy run``): catalog -> prices -> study -> claims -> report, one composition of the jobs."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..claims import TOLERANCE_PP, TOLERANCE_REL
from ..config import PriceSourceSpec
from ..db import Engine
from ..db.analyst_store import save_claim_checks
from ..db.catalog_store import SyncReport
from ..exceptions import DataError
from ..prices.ingest import IngestReport
from ..results import EventStudyResults
from .catalog import load_catalog_into_db
from .claims import check_claims_job
from .prices import ingest_catalog_prices, ingest_factor_files
from .reports import write_study_report
from .study import StudySettings, run_and_store, select_events


@dataclass
class MainResult:
    """What the main job did.

    ``missing`` lists catalog tickers without prices (their event-firms were left out);
    ``factors`` the factor files loaded with the dates each added; ``claims`` the claim
    check (moves in percent); ``files`` the report files written.
    """

    catalog: SyncReport
    ingest: IngestReport
    results: EventStudyResults
    study_run_id: int
    claims: pd.DataFrame
    files: list[Path]
    missing: list[str] = field(default_factory=list)
    factors: dict[Path, int] = field(default_factory=dict)


def run_main(engine: Engine, *, catalog_dir: Path | str, source: PriceSourceSpec, out_dir: Path | str,
             settings: StudySettings = StudySettings(group_cols=("role",)), progress: bool = True) -> MainResult:
    """Load the catalog, ingest prices (and factor files beside a price folder), run and store the study on every
    event-firm with prices, check the claims and write the report into ``out_dir``.

    Raises
    ------
    CatalogError
        The catalog is invalid (nothing written).
    DataError
        No prices at all, no benchmark prices, or no catalog ticker with prices.
    """
    sync = load_catalog_into_db(engine, catalog_dir)
    report = ingest_catalog_prices(engine, source, benchmark=settings.benchmark, progress=progress)
    events = select_events(engine)
    failed = set(report.failed)
    missing = sorted(set(events["ticker"]) & failed)
    events = events[~events["ticker"].isin(failed)]
    if events.empty:
        raise DataError(f"no prices for any catalog ticker from {source} ({', '.join(sorted(failed))}); "
                        "check the source (yfinance needs internet; offline, use --prices files:DIR)")
    factors = ingest_factor_files(engine, source)
    results, run_id = run_and_store(engine, settings, events=events.reset_index(drop=True))
    claims = check_claims_job(engine, benchmark=settings.benchmark, results=results)
    save_claim_checks(engine, claims, benchmark=settings.benchmark, tolerance_pp=TOLERANCE_PP, tolerance_rel=TOLERANCE_REL,
                      study_run_id=run_id)
    files = write_study_report(results, out_dir, claims=claims, group_cols=settings.group_cols)
    return MainResult(sync, report, results, run_id, claims, files, missing, factors)
