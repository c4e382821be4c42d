"""A study run's exclusions (:mod:`eventstudy.db.study_extra_tables`) and, read back, its per-event table.

:func:`write_study_extras` runs inside :func:`eventstudy.db.studies.save_results`' transaction (a
run is stored whole or not at all).  The per-event CAR rows are stored once, in ``study_cars``
(:func:`eventstudy.db.analyst_store.insert_study_windows`, read by the analyst views);
:func:`read_study_extras` gives them back in the layout of ``EventStudyResults.per_event``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import Connection, select

from ..jsonable import scalar_or_none
from ..defaults import window_label
from .analyst_tables import study_cars
from .study_extra_tables import study_exclusions

if TYPE_CHECKING:
    from ..results import EventStudyResults


def write_study_extras(conn: Connection, run_id: int, results: EventStudyResults) -> None:
    """Insert the exclusions of ``results`` (every event-firm a data screen left out, with its reason)."""
    excl = [{"run_id": run_id, "event_id": str(r["event_id"]), "ticker": str(r["ticker"]), "screen": str(r["screen"]),
             "value": scalar_or_none(r["value"]), "threshold": scalar_or_none(r["threshold"]), "reason": str(r["reason"])}
            for r in results.exclusions.to_dict(orient="records")]
    if excl:
        conn.execute(study_exclusions.insert(), excl)


def read_study_extras(conn: Connection, run_id: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(per_event, exclusions)`` of a stored run: per-event columns ``event_id, ticker, window, car, car_se, t,
    pvalue, bhar`` (decimal), exclusions as in their table (without ``run_id``)."""
    c = study_cars.c
    cars = conn.execute(select(c.event_id, c.ticker, c.window_start, c.window_end, c.car, c.car_se, c.car_t, c.car_p, c.bhar)
                        .where(c.run_id == run_id).order_by(c.event_id, c.ticker, c.window_start, c.window_end)).all()
    per_event = pd.DataFrame(
        [{"event_id": e, "ticker": t, "window": window_label((a, b)), "car": car, "car_se": se, "t": tv, "pvalue": pv, "bhar": bh}
         for e, t, a, b, car, se, tv, pv, bh in cars],
        columns=["event_id", "ticker", "window", "car", "car_se", "t", "pvalue", "bhar"])
    result = conn.execute(select(study_exclusions).where(study_exclusions.c.run_id == run_id)
                          .order_by(study_exclusions.c.event_id, study_exclusions.c.ticker))
    exclusions = pd.DataFrame(result.mappings().all(), columns=list(result.keys())).drop(columns="run_id")
    return per_event, exclusions
