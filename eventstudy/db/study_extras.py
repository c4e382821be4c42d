"""Rows of a study run's per-event table and exclusions (:mod:`eventstudy.db.study_extra_tables`).

:func:`write_study_extras` runs inside :func:`eventstudy.db.studies.save_results`' transaction (a
run is stored whole or not at all); :func:`read_study_extras` reads them back as frames.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import Connection, select

from ..jsonable import scalar_or_none
from .study_extra_tables import study_event_windows, study_exclusions

if TYPE_CHECKING:
    from ..results import EventStudyResults


def write_study_extras(conn: Connection, run_id: int, results: EventStudyResults) -> None:
    """Insert the per-event rows (every studied event-firm x window) and the exclusions of ``results``."""
    per_event = results.per_event
    rows = [{"run_id": run_id, "event_id": str(r["event_id"]), "ticker": str(r["ticker"]), "window": str(r["window"]),
             **{k: scalar_or_none(r[k]) for k in ("car", "car_se", "t", "pvalue", "bhar")}}
            for r in per_event.to_dict(orient="records")]
    if rows:
        conn.execute(study_event_windows.insert(), rows)
    excl = [{"run_id": run_id, "event_id": str(r["event_id"]), "ticker": str(r["ticker"]), "screen": str(r["screen"]),
             "value": scalar_or_none(r["value"]), "threshold": scalar_or_none(r["threshold"]), "reason": str(r["reason"])}
            for r in results.exclusions.to_dict(orient="records")]
    if excl:
        conn.execute(study_exclusions.insert(), excl)


def read_study_extras(conn: Connection, run_id: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(per_event, exclusions)`` of a stored run (columns as in the tables, without ``run_id``)."""
    out = []
    for table, order in ((study_event_windows, (study_event_windows.c.event_id, study_event_windows.c.ticker)),
                         (study_exclusions, (study_exclusions.c.event_id, study_exclusions.c.ticker))):
        result = conn.execute(select(table).where(table.c.run_id == run_id).order_by(*order))
        frame = pd.DataFrame(result.mappings().all(), columns=list(result.keys()))
        out.append(frame.drop(columns="run_id"))
    return out[0], out[1]
