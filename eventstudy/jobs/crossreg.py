"""The CAR regression job (``eventstudy study regress``): run the study, then regress its CARs on event characteristics."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..crossreg import DEFAULT_REGRESSORS, CarRegression, car_regression
from ..db import Engine
from ..db.catalog_store import load_events_frame
from .study import StudySettings, run_study


def regress_study(engine: Engine, settings: StudySettings = StudySettings(), *, window: tuple[int, int] = (0, 2),
                  regressors: Sequence[str] = DEFAULT_REGRESSORS, measure: str = "CAR", cov: str = "HC1",
                  **selection: Any) -> CarRegression:
    """Fit the study on the selected catalog events (``window`` is added to the settings' windows when missing)
    and regress its per-event ``measure`` over ``window`` on ``regressors`` (see :mod:`eventstudy.crossreg`)."""
    if tuple(window) not in settings.windows:
        settings = StudySettings(**{**settings.__dict__, "windows": (*settings.windows, tuple(window))})
    results = run_study(engine, settings, **selection)
    amounts = load_events_frame(engine, extra=("amount_value",)) if "log_amount" in regressors else None
    return car_regression(results, tuple(window), regressors, measure=measure, cov=cov, amounts=amounts)
