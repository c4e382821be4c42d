"""Stored event-study runs: ``study_runs``, ``study_firms``, ``abnormal_returns``, ``study_tests``.

:func:`save_results` writes a run in one transaction with SQLAlchemy Core bulk inserts
and returns its ``run_id``; :func:`load_run` reads it back; :func:`latest_abnormal_returns`
gives the newest stored ARs per event-firm.  Abnormal returns are stored as decimal
fractions by trading-day offset from day 0 (``event_day``).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Sequence

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select, true

from ..clock import utcnow
from ..exceptions import EventStudyError, UsageError
from ..jsonable import scalar_or_none, to_jsonable
from .analyst_store import insert_study_windows
from .study_extras import read_study_extras, write_study_extras
from .study_tables import abnormal_returns, study_firms, study_runs, study_tests

if TYPE_CHECKING:
    from ..results import EventStudyResults


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
            "alpha": scalar_or_none(f.get("alpha")),
            "beta": scalar_or_none(f.get("beta")),
            "sigma": scalar_or_none(f.get("sigma")),
            "confounded": None if pd.isna(f.get("confounded", np.nan)) else bool(f["confounded"]),
            "confounded_by": scalar_or_none(f.get("confounded_by")) or None,
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
            "statistic": scalar_or_none(t["statistic"]),
            "pvalue": scalar_or_none(t["pvalue"]),
            "n": None if pd.isna(t["n"]) else int(t["n"]),
            "group_col": scalar_or_none(t["group_col"]),
            "group": None if scalar_or_none(t["group"]) is None else str(t["group"]),
            "reason": scalar_or_none(t.get("reason")) or None,
        }
        for t in tests.to_dict(orient="records")
    ]


def save_results(engine: Engine, results: "EventStudyResults", *, selection: dict | None = None, group_cols: Sequence[str] = ()) -> int:
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
    params = dict(results.params)
    parameters = to_jsonable({**params, "windows": list(results.windows), "selection": selection or {}})
    firms = results.firms
    tests = results.tests
    extra = [results.by(c) for c in group_cols if not (tests["group_col"] == c).any()]
    if extra:
        tests = pd.concat([tests, *extra], ignore_index=True)
    with engine.begin() as conn:
        run_id = conn.execute(
            study_runs.insert().values(
                created_at=utcnow(),
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
        write_study_extras(conn, run_id, results)
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
    #: per event-firm and window: car, car_se, t, pvalue, bhar (decimal); and the excluded event-firms with reasons
    per_event: pd.DataFrame = field(default_factory=pd.DataFrame)
    exclusions: pd.DataFrame = field(default_factory=pd.DataFrame)


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
            raise UsageError(f"no study run with id {run_id}")
        firms = _frame(conn, select(study_firms).where(study_firms.c.run_id == run_id).order_by(study_firms.c.event_id, study_firms.c.ticker))
        ar = _frame(conn, select(abnormal_returns).where(abnormal_returns.c.run_id == run_id))
        tests = _frame(conn, select(study_tests).where(study_tests.c.run_id == run_id).order_by(study_tests.c.id))
        per_event, exclusions = read_study_extras(conn, run_id)
    params = run["parameters"] if isinstance(run["parameters"], dict) else json.loads(run["parameters"])
    return StoredRun(int(run_id), run["created_at"], run["model"], run["benchmark"], params,
                     firms.drop(columns="run_id"), _wide_ar(ar), tests.drop(columns=["run_id", "id"]),
                     per_event, exclusions)


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
