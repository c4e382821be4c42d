"""Claim-check job: every catalog claim against the stored prices and a study's abnormal returns."""

from __future__ import annotations

import pandas as pd

from ..claims import Tolerance, check_catalog_claims
from ..db import Engine
from ..defaults import DEFAULT_BENCHMARK
from ..results import EventStudyResults


def check_claims_job(engine: Engine, *, benchmark: str = DEFAULT_BENCHMARK, results: EventStudyResults | None = None,
                     event_ids: list[str] | None = None, tolerance: Tolerance = Tolerance()) -> pd.DataFrame:
    """Measure every catalog claim (moves in percent) and give a verdict.

    The model CAR column comes from ``results`` when given, otherwise from the latest
    stored market-model run of each event-firm.
    """
    ar = results.ar if results is not None else None
    return check_catalog_claims(engine, benchmark=benchmark, ar=ar, event_ids=event_ids, tolerance=tolerance)
