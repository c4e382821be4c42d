"""The abnormal-volatility job (``eventstudy study volatility``): variance tests on the return study's residuals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..db import Engine
from ..core.volatility import check_alternative
from ..results import EventStudyResults
from ..volatility import volatility_per_event, volatility_table
from .study import StudySettings, run_study


@dataclass(frozen=True)
class VolatilityResults:
    """``table``: :func:`eventstudy.volatility.volatility_table` (one row per window); ``per_event``:
    :func:`eventstudy.volatility.volatility_per_event`; ``study``: the fitted return study whose residuals
    were tested (its ``exclusions`` list the event-firms left out)."""

    table: pd.DataFrame
    per_event: pd.DataFrame
    study: EventStudyResults


def run_volatility_study(engine: Engine, settings: StudySettings = StudySettings(), alternative: str = "two-sided",
                         **selection: Any) -> VolatilityResults:
    """Abnormal volatility of the selected catalog event-firms (see :mod:`eventstudy.core.volatility`): the return
    study of ``settings`` is fitted as :func:`run_study` does (model, return kind, screens; nothing stored) and its
    event-window abnormal returns are tested against its estimation-window residual variance, two-sided or, with
    ``alternative="greater"``, for a rise only."""
    check_alternative(alternative)
    results = run_study(engine, settings, **selection)
    return VolatilityResults(volatility_table(results, alternative), volatility_per_event(results, alternative), results)
