"""Checks of study settings that need no data: bad options fail here, before anything is loaded (exit 2).

Messages name the command-line option (the pipeline config's ``[study]`` keys carry the same names).
Windows are trading-session offsets from day 0, both ends included.
"""

from __future__ import annotations

from typing import Any

from ..defaults import MAX_OFFSET, RETURN_KINDS, window_label
from ..exceptions import ConfigError


def check_study_settings(settings: Any) -> None:
    """Raise :class:`ConfigError` naming the option when ``settings`` (a StudySettings) cannot be run.

    * a window or the estimation window reaching past :data:`~eventstudy.defaults.MAX_OFFSET` sessions;
    * a window or the estimation window that ends before it starts;
    * an estimation window holding fewer sessions than ``--min-obs`` (nothing could be studied);
    * an estimation window that overlaps an event window (it must end before the earliest window starts);
    * an unknown return kind, a negative screen threshold, an unknown ``--adjust`` method.
    """
    e0, e1 = settings.estimation
    if not settings.windows:
        raise ConfigError("--window: at least one event window is needed")
    for option, (a, b) in [("--estimation", (e0, e1)), *(("--window", w) for w in settings.windows)]:
        if b < a:
            raise ConfigError(f"{option} {window_label((a, b))} ends before it starts")
        if max(abs(a), abs(b)) > MAX_OFFSET:
            raise ConfigError(f"{option} {window_label((a, b))} reaches beyond {MAX_OFFSET} trading days from day 0, "
                              "more than any price history holds")
    n_est = e1 - e0 + 1
    if n_est < settings.min_estimation_obs:
        raise ConfigError(f"--estimation {window_label((e0, e1))} holds {n_est} trading days, fewer than --min-obs "
                          f"{settings.min_estimation_obs}: no event-firm could be studied (widen it or lower --min-obs)")
    first = min(a for a, _ in settings.windows)
    if e1 >= first:
        raise ConfigError(f"--estimation {window_label((e0, e1))} overlaps the event window starting at {first}: "
                          "it must end before every --window starts")
    if settings.returns not in RETURN_KINDS:
        raise ConfigError(f"--returns: unknown return kind {settings.returns!r}; choose among {', '.join(RETURN_KINDS)}")
    for option, value in (("--min-price", settings.min_price), ("--min-sigma", settings.min_sigma),
                          ("--max-zero-share", settings.max_zero_share)):
        if value is not None and value < 0:
            raise ConfigError(f"{option} {value} must not be negative")
    if settings.adjust is not None:
        from ..multitest import check_method

        check_method(settings.adjust)
