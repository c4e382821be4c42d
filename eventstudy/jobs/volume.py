"""The abnormal-volume job (``eventstudy study volume``): log-volume market model on stored share volumes."""

from __future__ import annotations

from typing import Any

from ..db import Engine
from ..db.prices import load_prices
from ..exceptions import DataError
from ..volume import volume_study
from .study import StudySettings, date_span, select_events


def run_volume_study(engine: Engine, settings: StudySettings = StudySettings(), **selection: Any) -> Any:
    """Abnormal log volume of the selected catalog event-firms against the benchmark's log volume
    (see :mod:`eventstudy.volume`); returns its EventStudyResults (not stored)."""
    events = select_events(engine, **selection)
    tickers = list(dict.fromkeys([*events["ticker"], settings.benchmark]))
    start, end = date_span(events["announced"], settings.estimation, settings.windows)
    volume = load_prices(engine, tickers, ("volume",), start=start, end=end, allow_missing=True)["volume"]
    missing = [t for t in tickers if volume[t].isna().all()]
    if settings.benchmark in missing or set(events["ticker"]) <= set(missing):
        raise DataError(f"no volumes in the database for {', '.join(missing)} between {start} and {end}; "
                        f"load them with: eventstudy prices ingest --tickers {' '.join(missing)}")
    return volume_study(volume.drop(columns=missing), events, benchmark=settings.benchmark,
                        estimation=settings.estimation, windows=settings.windows,
                        min_estimation_obs=settings.min_estimation_obs)
