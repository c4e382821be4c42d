"""Pure numerical core: numpy arrays in, arrays and frozen dataclasses out. No pandas labels, I/O or settings.

Modules: :mod:`~eventstudy.core.windows` (day 0, window gathering, overlaps),
:mod:`~eventstudy.core.models` (model registry), :mod:`~eventstudy.core.ols` (batched masked OLS),
:mod:`~eventstudy.core.abnormal` (ARs, CARs, BHARs, forecast-error variances),
:mod:`~eventstudy.core.calendar_time` (calendar-time portfolio regressions),
:mod:`~eventstudy.core.statistics` (tests as objects), :mod:`~eventstudy.core.engine` (one call
for a whole study), :mod:`~eventstudy.core.reference` (slow per-event statsmodels yardstick),
``_kernels`` / ``_numba`` (compiled loops with numpy twins).
"""

import importlib
from typing import TYPE_CHECKING, Any

# Imported on first use, so that a caller of one module (e.g. the backtest's use of ``ols`` and
# ``windows``) does not load scipy.stats with ``calendar_time`` and ``statistics`` (a second at start-up).
_WHERE = {
    "CalendarTimeResult": "calendar_time", "calendar_time_portfolio": "calendar_time", "CoreResult": "engine",
    "run_event_study": "engine", "MODELS": "models", "ModelSpec": "models", "get_model": "models",
    "BHAR_TESTS": "statistics", "CAR_TESTS": "statistics", "InvalidTestStatistic": "statistics",
    "TestStatistic": "statistics",
}

if TYPE_CHECKING:
    from .calendar_time import CalendarTimeResult, calendar_time_portfolio
    from .engine import CoreResult, run_event_study
    from .models import MODELS, ModelSpec, get_model
    from .statistics import BHAR_TESTS, CAR_TESTS, InvalidTestStatistic, TestStatistic

__all__ = [
    "BHAR_TESTS", "CAR_TESTS", "MODELS", "CalendarTimeResult", "CoreResult", "calendar_time_portfolio", "InvalidTestStatistic", "ModelSpec",
    "TestStatistic", "get_model", "run_event_study",
]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
