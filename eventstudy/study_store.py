"""Between the database and :class:`eventstudy.study.EventStudy`: select events, load their returns, store results.

* :func:`select_events` filters the catalog's (event, listed party) rows and adds the
  confounders the catalog states (its ``confounders`` entries).
* :func:`load_study_returns` loads simple daily returns (decimal) for the selected
  tickers and the benchmark over a date span wide enough for the estimation and event
  windows (:func:`date_span`); :func:`load_study_factors` the Fama-French factors.
* :func:`run_study` = select + load + fit; :func:`run_and_store` also stores the run.
* :func:`save_results` writes a run (``study_runs``, ``study_firms``,
  ``abnormal_returns``, ``study_tests``) in one transaction with SQLAlchemy Core bulk
  inserts and returns its ``run_id``; :func:`load_run` reads it back and
  :func:`latest_abnormal_returns` gives the newest stored ARs per event-firm.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select, true

from .core.models import get_model
from .db.analyst_store import insert_study_windows
from .db.catalog_store import load_confounders, load_events_frame
from .db.study_tables import abnormal_returns, study_firms, study_runs, study_tests
from .exceptions import DataError, EventStudyError
from .prices.store import load_factors, load_returns
from .study import EventStudy

#: Default event windows (trading-day offsets from day 0, both ends included).
DEFAULT_WINDOWS = ((0, 0), (0, 2), (-1, 1), (-5, 5), (0, 10))
DEFAULT_ESTIMATION = (-250, -11)
#: Calendar days of slack around the session span (holidays, IPO gaps, after-close shifts).
_SLACK_DAYS = 15
#: Calendar days per trading session, generous (252 sessions ~ 365 days).
_DAYS_PER_SESSION = 1.5


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
    EventStudyError
        An unknown event id (named), or nothing left after filtering.
    """
    frame = load_events_frame(engine)
    if frame.empty:
        raise EventStudyError("the catalog in the database is empty: run 'eventstudy events load' first")
    known = load_confounders(engine)
    frame["confounders"] = [catalog_confounders(known, e, t) for e, t in zip(frame["event_id"], frame["ticker"])]
    if event_ids:
        unknown = sorted(set(event_ids) - set(frame["event_id"]))
        if unknown:
            raise EventStudyError(
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
        raise EventStudyError(f"no catalog event-firm matches {wanted}")
    return frame.reset_index(drop=True)


def date_span(announced: pd.Series, estimation: tuple[int, int], windows: Iterable[tuple[int, int]]) -> tuple[dt.date, dt.date]:
    """Calendar dates that surely contain every session from ``estimation[0]`` to the last window end."""
    first = min(estimation[0], *(a for a, _ in windows))
    last = max(estimation[1], *(b for _, b in windows))
    start = announced.min() - pd.Timedelta(days=math.ceil(abs(min(first, 0)) * _DAYS_PER_SESSION) + _SLACK_DAYS)
    end = announced.max() + pd.Timedelta(days=math.ceil(max(last, 0) * _DAYS_PER_SESSION) + _SLACK_DAYS)
    return start.date(), end.date()


def load_study_returns(
    engine: Engine,
    events: pd.DataFrame,
    *,
    benchmark: str = "SPY",
    estimation: tuple[int, int] = DEFAULT_ESTIMATION,
    windows: Iterable[tuple[int, int]] = DEFAULT_WINDOWS,
    kind: str = "simple",
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




def run_study(
    engine: Engine,
    *,
    event_ids: Sequence[str] | None = None,
    ticker: str | None = None,
    role: str | None = None,
    deal_type: str | None = None,
    model: str = "market",
    benchmark: str = "SPY",
    estimation: tuple[int, int] = DEFAULT_ESTIMATION,
    windows: Sequence[tuple[int, int]] = DEFAULT_WINDOWS,
    min_estimation_obs: int = 100,
    events: pd.DataFrame | None = None,
) -> Any:
    """Select events, load their returns (and factors when the model needs them) and fit the study.

    Returns
    -------
    EventStudyResults
        Not stored; see :func:`run_and_store`.
    """
    windows = [tuple(int(x) for x in w) for w in windows]
    estimation = (int(estimation[0]), int(estimation[1]))
    if events is None:
        events = select_events(engine, event_ids=event_ids, ticker=ticker, role=role, deal_type=deal_type)
    returns = load_study_returns(engine, events, benchmark=benchmark, estimation=estimation, windows=windows)
    spec = get_model(model)  # ConfigError listing the models for an unknown name
    factors = None
    if spec.factors or spec.excess:
        factors = load_study_factors(engine, events, estimation=estimation, windows=windows)
    study = EventStudy(returns, events, benchmark=benchmark, factors=factors)
    return study.fit(model=spec, estimation=estimation, windows=windows, min_estimation_obs=min_estimation_obs)


def run_and_store(engine: Engine, *, group_cols: Sequence[str] = (), **options: Any) -> tuple[Any, int]:
    """:func:`run_study` then :func:`save_results`; returns ``(results, run_id)``.

    ``options`` are :func:`run_study`'s keywords; the event selection among them is
    stored in the run's parameters.
    """
    results = run_study(engine, **options)
    selection = {k: options.get(k) for k in ("event_ids", "ticker", "role", "deal_type") if options.get(k)}
    return results, save_results(engine, results, selection=selection, group_cols=group_cols)


def _jsonable(value: Any) -> Any:
    """Plain JSON values (tuples -> lists, numpy scalars -> Python, dates -> ISO strings, NaN -> None)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (dt.date, pd.Timestamp)):
        return value.isoformat()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _none_if_nan(value: Any) -> Any:
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _firm_rows(run_id: int, firms: pd.DataFrame) -> list[dict]:
    rows = []
    for f in firms.to_dict(orient="records"):
        day0 = f.get("day0")
        rows.append({
            "run_id": run_id,
            "event_id": f["event_id"],
            "ticker": f["ticker"],
            "day0": None if day0 is None or pd.isna(day0) else pd.Timestamp(day0).date(),
            "status": str(f["status"]),
            "n_est": None if pd.isna(f.get("n_est", np.nan)) else int(f["n_est"]),
            "alpha": _none_if_nan(f.get("alpha")),
            "beta": _none_if_nan(f.get("beta")),
            "sigma": _none_if_nan(f.get("sigma")),
            "confounded": None if pd.isna(f.get("confounded", np.nan)) else bool(f["confounded"]),
            "confounded_by": _none_if_nan(f.get("confounded_by")) or None,
        })
    return rows


def _ar_rows(run_id: int, ar: pd.DataFrame) -> list[dict]:
    values = ar.to_numpy(dtype=float)
    r, c = np.nonzero(~np.isnan(values))
    keys = list(ar.columns)
    events = [str(keys[j][0]) for j in c]
    tickers = [str(keys[j][1]) for j in c]
    offsets = ar.index.to_numpy()[r].astype(int).tolist()
    return [
        {"run_id": run_id, "event_id": e, "ticker": t, "event_day": o, "ar": v}
        for e, t, o, v in zip(events, tickers, offsets, values[r, c].tolist())
    ]


def _test_rows(run_id: int, tests: pd.DataFrame) -> list[dict]:
    return [
        {
            "run_id": run_id,
            "measure": str(t["measure"]),
            "window": str(t["window"]),
            "test": str(t["test"]),
            "statistic": _none_if_nan(t["statistic"]),
            "pvalue": _none_if_nan(t["pvalue"]),
            "n": None if pd.isna(t["n"]) else int(t["n"]),
            "group_col": _none_if_nan(t["group_col"]),
            "group": None if _none_if_nan(t["group"]) is None else str(t["group"]),
            "reason": _none_if_nan(t.get("reason")) or None,
        }
        for t in tests.to_dict(orient="records")
    ]


def save_results(engine: Engine, results: Any, *, selection: dict | None = None, group_cols: Sequence[str] = ()) -> int:
    """Store a study run and everything it produced in one transaction; return its ``run_id``.

    Parameters
    ----------
    results : EventStudyResults
        ``.params`` (stored as JSON together with ``selection``), ``.firms``, ``.ar``
        (decimal abnormal returns by offset) and ``.tests``.
    selection : dict, optional
        How the events were chosen (``event``, ``ticker``, ``role``, ``type``), for the record.
    group_cols : sequence of str
        Group columns whose tests (``results.by(col)``) are stored beside the overall ones.
    """
    params = dict(getattr(results, "params", {}) or {})
    parameters = _jsonable({**params, "windows": list(results.windows), "selection": selection or {}})
    firms = results.firms
    tests = results.tests
    extra = [results.by(c) for c in group_cols if not (tests["group_col"] == c).any()]
    if extra:
        tests = pd.concat([tests, *extra], ignore_index=True)
    with engine.begin() as conn:
        run_id = conn.execute(
            study_runs.insert().values(
                created_at=dt.datetime.now(dt.timezone.utc),
                model=str(params.get("model", "")),
                benchmark=params.get("benchmark"),
                parameters=parameters,
                n_firms=len(firms),
                n_ok=int((firms["status"] == "ok").sum()),
            )
        ).inserted_primary_key[0]
        for table, rows in (
            (study_firms, _firm_rows(run_id, firms)),
            (abnormal_returns, _ar_rows(run_id, results.ar)),
            (study_tests, _test_rows(run_id, tests)),
        ):
            if rows:
                conn.execute(table.insert(), rows)
        insert_study_windows(conn, run_id, results)  # per-event CAR t/p and CAAR, read by the analyst views
    return int(run_id)


@dataclass
class StoredRun:
    """A run read back from the database.

    ``ar`` has the layout of ``EventStudyResults.ar`` (index = offset, columns =
    (event_id, ticker), decimal); ``firms`` and ``tests`` are the stored rows.
    """

    run_id: int
    created_at: dt.datetime
    model: str
    benchmark: str | None
    parameters: dict
    firms: pd.DataFrame
    ar: pd.DataFrame
    tests: pd.DataFrame


def _frame(conn, query) -> pd.DataFrame:
    result = conn.execute(query)
    return pd.DataFrame(result.mappings().all(), columns=list(result.keys()))


def _wide_ar(long: pd.DataFrame) -> pd.DataFrame:
    if long.empty:
        return pd.DataFrame(index=pd.Index([], name="offset", dtype=int), columns=pd.MultiIndex.from_tuples([], names=["event_id", "ticker"]))
    wide = long.pivot_table(index="event_day", columns=["event_id", "ticker"], values="ar", aggfunc="first")
    return wide.sort_index().rename_axis(index="offset")


def load_run(engine: Engine, run_id: int | None = None) -> StoredRun:
    """Read a stored run (the latest when ``run_id`` is None)."""
    with engine.connect() as conn:
        if run_id is None:
            run_id = conn.execute(select(func.max(study_runs.c.run_id))).scalar()
            if run_id is None:
                raise EventStudyError("no study run stored yet: run 'eventstudy study run' first")
        run = conn.execute(select(study_runs).where(study_runs.c.run_id == run_id)).mappings().first()
        if run is None:
            raise EventStudyError(f"no study run with id {run_id}")
        firms = _frame(conn, select(study_firms).where(study_firms.c.run_id == run_id).order_by(study_firms.c.event_id, study_firms.c.ticker))
        ar = _frame(conn, select(abnormal_returns).where(abnormal_returns.c.run_id == run_id))
        tests = _frame(conn, select(study_tests).where(study_tests.c.run_id == run_id).order_by(study_tests.c.id))
    params = run["parameters"] if isinstance(run["parameters"], dict) else json.loads(run["parameters"])
    return StoredRun(int(run_id), run["created_at"], run["model"], run["benchmark"], params,
                     firms.drop(columns="run_id"), _wide_ar(ar), tests.drop(columns=["run_id", "id"]))


def latest_abnormal_returns(engine: Engine, model: str = "market", benchmark: str | None = None) -> pd.DataFrame:
    """For every stored (event_id, ticker), its abnormal returns from the latest ``model`` run (wide, decimal),
    only runs on ``benchmark`` when given."""
    with engine.connect() as conn:
        on_benchmark = study_runs.c.benchmark == benchmark if benchmark else true()
        latest = (
            select(abnormal_returns.c.event_id, abnormal_returns.c.ticker, func.max(abnormal_returns.c.run_id).label("run_id"))
            .join(study_runs, study_runs.c.run_id == abnormal_returns.c.run_id)
            .where(study_runs.c.model == model, on_benchmark)
            .group_by(abnormal_returns.c.event_id, abnormal_returns.c.ticker)
            .subquery()
        )
        q = select(abnormal_returns.c.event_id, abnormal_returns.c.ticker, abnormal_returns.c.event_day, abnormal_returns.c.ar).join(
            latest,
            (latest.c.run_id == abnormal_returns.c.run_id)
            & (latest.c.event_id == abnormal_returns.c.event_id)
            & (latest.c.ticker == abnormal_returns.c.ticker),
        )
        return _wide_ar(_frame(conn, q))
