"""Study jobs: choose event-firms from the catalog, load their returns, fit and store the study.

* :func:`select_events` filters the catalog's (event, listed party) rows and adds the
  confounders the catalog states;
* :func:`load_study_inputs` gives ``(returns, events, factors)`` ready for
  :class:`eventstudy.study.EventStudy` (daily returns as decimal fractions);
* :func:`run_study` = select + load + fit; :func:`run_and_store` also stores the run
  (see :mod:`eventstudy.db.studies`).

Windows are trading-session offsets from day 0, both ends included.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import pandas as pd

from ..core.models import get_model
from ..db import Engine, open_existing
from ..db.catalog_store import load_confounders, load_events_frame
from ..db.prices import load_factors, load_prices, load_returns
from ..db.studies import save_results
from ..defaults import (DEFAULT_BENCHMARK, DEFAULT_ESTIMATION, DEFAULT_MAX_ZERO_SHARE, DEFAULT_MIN_OBS,
                        DEFAULT_MIN_PRICE, DEFAULT_MIN_SIGMA, DEFAULT_MODEL, DEFAULT_RETURNS, DEFAULT_WINDOWS)
from ..exceptions import DataError, UsageError
from ..screens import Screens, fit_screened
from .validate import check_study_settings
from ..prices.calendar import session_span
from ..results import EventStudyResults
from ..study import EventStudy

def catalog_confounders(confounders: dict[tuple[str, str | None], str], event_id: str, ticker: str) -> str:
    """The catalog's confounders of one event-firm as one line ("" when none).

    ``confounders`` is :func:`eventstudy.db.catalog_store.load_confounders`' mapping: an entry
    with ticker ``None`` applies to every party of the event, otherwise to that ticker only.
    """
    parts = [confounders.get((event_id, None), ""), confounders.get((event_id, ticker), "")]
    return " ".join(p for p in parts if p)


def select_events(
    engine: Engine,
    *,
    event_ids: Sequence[str] | None = None,
    ticker: str | None = None,
    role: str | None = None,
    deal_type: str | None = None,
) -> pd.DataFrame:
    """The (event, listed party) rows to study, as :func:`load_events_frame` columns.

    Filters combine with AND; ``ticker`` and ``role`` apply to the party row itself (so
    ``--role supplier`` studies suppliers only, not every party of their deals).  A
    ``confounders`` column carries the confounders the catalog notes state for each
    event-firm (see :func:`catalog_confounders`); the engine flags them as confounded.

    Raises
    ------
    UsageError
        An unknown event id (named), or nothing left after filtering.
    """
    frame = load_events_frame(engine)
    if frame.empty:
        raise UsageError("the catalog in the database is empty: run 'eventstudy events load' first")
    known = load_confounders(engine)
    frame["confounders"] = [catalog_confounders(known, e, t) for e, t in zip(frame["event_id"], frame["ticker"])]
    if event_ids:
        unknown = sorted(set(event_ids) - set(frame["event_id"]))
        if unknown:
            raise UsageError(
                f"unknown event id(s): {', '.join(unknown)} (see 'eventstudy events list'; events without a listed party cannot be studied)"
            )
        frame = frame[frame["event_id"].isin(list(event_ids))]
    if ticker:
        frame = frame[frame["ticker"] == ticker.upper()]
    if role:
        frame = frame[frame["role"] == role]
    if deal_type:
        frame = frame[frame["deal_type"] == deal_type]
    if frame.empty:
        wanted = {k: v for k, v in dict(event=event_ids, ticker=ticker, role=role, type=deal_type).items() if v}
        raise UsageError(f"no catalog event-firm matches {wanted}")
    return frame.reset_index(drop=True)


def date_span(announced: pd.Series, estimation: tuple[int, int], windows: Iterable[tuple[int, int]]) -> tuple[dt.date, dt.date]:
    """Dates that hold every session from the estimation start to the last window end of every event (XNYS)."""
    first = min(estimation[0], *(a for a, _ in windows))
    last = max(estimation[1], *(b for _, b in windows))
    return session_span(announced.min(), announced.max(), before=-min(first, 0), after=max(last, 0))


def load_study_returns(
    engine: Engine,
    events: pd.DataFrame,
    *,
    benchmark: str = DEFAULT_BENCHMARK,
    estimation: tuple[int, int] = DEFAULT_ESTIMATION,
    windows: Iterable[tuple[int, int]] = DEFAULT_WINDOWS,
    kind: str = DEFAULT_RETURNS,
) -> pd.DataFrame:
    """Daily returns (decimal, ``kind`` simple|log|total) of the events' tickers and the benchmark.

    Tickers without any stored price in the span are left out of the frame: the engine
    then reports their event-firms with status "no returns for this ticker" (listed in
    ``results.firms``) while the others are studied.

    Raises
    ------
    DataError
        The benchmark, or every event ticker, has no stored prices in the span (named,
        with the ``eventstudy prices ingest`` command that fixes it).
    """
    windows = list(windows)
    tickers = list(dict.fromkeys([*events["ticker"], benchmark]))
    start, end = date_span(events["announced"], estimation, windows)
    try:
        returns = load_returns(engine, tickers, start=start, end=end, kind=kind, allow_missing=True)
    except DataError:
        returns = pd.DataFrame(columns=tickers)  # not one of them has prices: named below
    missing = [t for t in tickers if returns[t].isna().all()]
    if benchmark in missing or set(events["ticker"]) <= set(missing):
        raise DataError(f"no prices in the database for {', '.join(missing)} between {start} and {end}; "
                        f"load them with: eventstudy prices ingest --tickers {' '.join(missing)}")
    return returns.drop(columns=missing)


def load_study_factors(engine: Engine, events: pd.DataFrame, *, estimation: tuple[int, int],
                       windows: Iterable[tuple[int, int]]) -> pd.DataFrame:
    """Fama-French factors (decimal) over the same span as :func:`load_study_returns`."""
    start, end = date_span(events["announced"], estimation, list(windows))
    return load_factors(engine, start=start, end=end)  # DataError when none are stored


@dataclass(frozen=True)
class StudySettings:
    """How a study is run: model, market proxy, windows (trading-session offsets from day 0, both ends
    included), the fewest estimation returns per firm, the kind of daily return (``simple`` | ``log`` |
    ``total``, decimal) and the group columns whose tests are stored beside the overall ones.

    Data screens (see :mod:`eventstudy.screens`; ``None`` switches one off): ``min_price`` (close on
    day -1), ``min_sigma`` (decimal daily estimation residual SD), ``max_zero_share`` (share of
    exactly-zero estimation returns).  ``adjust``: multiple-testing adjustment of the reported
    p-values (``holm`` | ``fdr_bh``; None: none).  ``event_period``: the span rank tests rank over
    beside the estimation window (None: wide enough for every window); ``conventions``:
    ``default`` or ``estudy2`` (see :data:`eventstudy.core.statistics.CONVENTIONS`).

    Raises
    ------
    ConfigError
        On construction, before any data is read, for settings no data can satisfy (see
        :func:`eventstudy.jobs.validate.check_study_settings`).
    """

    model: str = DEFAULT_MODEL
    benchmark: str = DEFAULT_BENCHMARK
    estimation: tuple[int, int] = DEFAULT_ESTIMATION
    windows: tuple[tuple[int, int], ...] = DEFAULT_WINDOWS
    min_estimation_obs: int = DEFAULT_MIN_OBS
    returns: str = DEFAULT_RETURNS
    group_cols: tuple[str, ...] = ()
    min_price: float | None = DEFAULT_MIN_PRICE
    min_sigma: float | None = DEFAULT_MIN_SIGMA
    max_zero_share: float | None = DEFAULT_MAX_ZERO_SHARE
    adjust: str | None = None
    event_period: tuple[int, int] | None = None
    conventions: str = "default"

    def __post_init__(self) -> None:
        object.__setattr__(self, "benchmark", self.benchmark.upper())
        object.__setattr__(self, "estimation", (int(self.estimation[0]), int(self.estimation[1])))
        object.__setattr__(self, "windows", tuple((int(a), int(b)) for a, b in self.windows))
        object.__setattr__(self, "group_cols", tuple(self.group_cols))
        check_study_settings(self)

    @property
    def screens(self) -> Screens:
        """The data-screen thresholds."""
        return Screens(self.min_price, self.min_sigma, self.max_zero_share)


@dataclass(frozen=True)
class StudyInputs:
    """What :class:`eventstudy.study.EventStudy` takes: wide daily ``returns`` (decimal, index = XNYS
    sessions, columns = tickers), the ``events`` frame (one row per event x listed firm) and ``factors``
    (decimal Fama-French factors, or None when the model needs none)."""

    returns: pd.DataFrame
    events: pd.DataFrame
    factors: pd.DataFrame | None = None
    #: Wide closes (split-adjusted, price units) for the minimum-price screen; None when that screen is off.
    prices: pd.DataFrame | None = None


def load_study_inputs(
    db: "Engine | str | None" = None,
    settings: StudySettings = StudySettings(),
    *,
    events: pd.DataFrame | None = None,
    **selection: Any,
) -> StudyInputs:
    """Everything a study needs, read from the database (``db``: an engine, a URL or SQLite path, or None
    for ``$EVENTSTUDY_DB`` / ``./eventstudy.db``).

    ``selection`` takes :func:`select_events`' filters (``event_ids``, ``ticker``, ``role``,
    ``deal_type``); ``events`` replaces the selection with rows of your own.

    Example
    -------
    >>> inputs = load_study_inputs("eventstudy.db")                      # doctest: +SKIP
    >>> results = EventStudy(inputs.returns, inputs.events).fit()        # doctest: +SKIP
    """
    engine = db if isinstance(db, Engine) else open_existing(db)
    if events is None:
        events = select_events(engine, **selection)
    returns = load_study_returns(engine, events, benchmark=settings.benchmark, estimation=settings.estimation,
                                 windows=settings.windows, kind=settings.returns)
    spec = get_model(settings.model)  # ConfigError listing the models for an unknown name
    factors = None
    if spec.factors or spec.excess:
        factors = load_study_factors(engine, events, estimation=settings.estimation, windows=settings.windows)
    prices = None
    if settings.min_price is not None:
        start, end = date_span(events["announced"], settings.estimation, settings.windows)
        prices = load_prices(engine, list(returns.columns), ("close",), start=start, end=end, allow_missing=True)["close"]
    return StudyInputs(returns, events, factors, prices)


def fit_study(inputs: StudyInputs, settings: StudySettings = StudySettings()) -> EventStudyResults:
    """Fit the study on ``inputs`` without the event-firms the data screens exclude (no I/O).

    The run parameters record the return kind fed (``settings.returns``) and the screens applied.
    """
    study = EventStudy(inputs.returns, inputs.events, benchmark=settings.benchmark, factors=inputs.factors)
    results = fit_screened(study, settings.screens, prices=inputs.prices, model=settings.model,
                           estimation=settings.estimation, windows=list(settings.windows),
                           min_estimation_obs=settings.min_estimation_obs, returns=settings.returns,
                           event_period=settings.event_period, conventions=settings.conventions)
    if settings.adjust:
        results.params["adjust"] = settings.adjust
    results.params["design"] = results.design.as_dict()
    return results


def calendar_time_study(inputs: StudyInputs, settings: StudySettings = StudySettings()) -> pd.DataFrame:
    """The calendar-time portfolio test per window of ``settings`` (see :meth:`EventStudy.calendar_time`):
    equal-weighted, on the benchmark (``market``) or, for factor models, on FF3 / Carhart factors."""
    study = EventStudy(inputs.returns, inputs.events, benchmark=settings.benchmark, factors=inputs.factors)
    factors = {"ff3": "ff3", "carhart": "carhart", "ff5": "ff3"}.get(settings.model, "market")
    return study.calendar_time(settings.windows, factors=factors)


def run_study(engine: Engine, settings: StudySettings = StudySettings(), *, events: pd.DataFrame | None = None,
              **selection: Any) -> EventStudyResults:
    """Select events, load their returns (and factors when the model needs them) and fit the study (not stored)."""
    return fit_study(load_study_inputs(engine, settings, events=events, **selection), settings)


def run_and_store(engine: Engine, settings: StudySettings = StudySettings(), *, events: pd.DataFrame | None = None,
                  **selection: Any) -> tuple[EventStudyResults, int]:
    """:func:`run_study` then :func:`eventstudy.db.studies.save_results`; returns ``(results, study run id)``.

    The event selection (and, for given ``events``, their ids) is stored with the run.
    """
    results = run_study(engine, settings, events=events, **selection)
    chosen = {k: v for k, v in selection.items() if v}
    if events is not None and "event_ids" not in chosen:
        chosen["event_ids"] = sorted(set(events["event_id"]))
    return results, save_results(engine, results, selection=chosen, group_cols=settings.group_cols)
