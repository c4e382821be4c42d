"""Pure numerical core: numpy arrays in, arrays and frozen dataclasses out. No pandas labels, I/O or settings.

Modules: :mod:`~eventstudy.core.windows` (day 0, window gathering, overlaps),
:mod:`~eventstudy.core.models` (model registry), :mod:`~eventstudy.core.ols` (batched masked OLS),
:mod:`~eventstudy.core.abnormal` (ARs, CARs, BHARs, forecast-error variances),
:mod:`~eventstudy.core.calendar_time` (calendar-time portfolio regressions),
:mod:`~eventstudy.core.statistics` (tests as objects), :mod:`~eventstudy.core.engine` (one call
for a whole study), :mod:`~eventstudy.core.reference` (slow per-event statsmodels yardstick),
``_kernels`` / ``_numba`` (compiled loops with numpy twins).
"""

from .calendar_time import CalendarTimeResult, calendar_time_portfolio
from .engine import CoreResult, run_event_study
from .models import MODELS, ModelSpec, get_model
from .statistics import BHAR_TESTS, CAR_TESTS, InvalidTestStatistic, TestStatistic

__all__ = [
    "BHAR_TESTS", "CAR_TESTS", "MODELS", "CalendarTimeResult", "CoreResult", "calendar_time_portfolio", "InvalidTestStatistic", "ModelSpec",
    "TestStatistic", "get_model", "run_event_study",
]
