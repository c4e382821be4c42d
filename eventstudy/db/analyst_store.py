"""Writes the stored results behind the analyst views (see :mod:`eventstudy.db.analyst_tables`).

* :func:`insert_study_windows` adds a study run's per-event CARs (with t and p) and its
  CAAR per window, inside the transaction that stores the run;
* :func:`save_claim_checks` stores one claim check (all rows in one transaction) and
  returns its ``check_id``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine

from .analyst_tables import claim_check_runs, claim_results, study_caar, study_cars

_WINDOW_LABEL = re.compile(r"^\[(-?\d+),(-?\d+)\]$")


def _window(label: str) -> tuple[int, int]:
    """``"[a,b]"`` -> ``(a, b)``."""
    match = _WINDOW_LABEL.match(str(label))
    if match is None:
        raise ValueError(f"not a window label: {label!r}")
    return int(match.group(1)), int(match.group(2))


def _num(value: Any) -> float | None:
    if value is None or value is pd.NaT:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def _date(value: Any) -> dt.date | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


def insert_study_windows(conn: Connection, run_id: int, results: Any) -> None:
    """Insert ``results``' per-event window measures and CAAR table for ``run_id`` (decimal fractions).

    ``results`` is an :class:`eventstudy.results.EventStudyResults`: ``car``, ``car_se``,
    ``car_t``, ``car_p``, ``bhar`` (rows (event_id, ticker), columns window labels) and ``caar``.
    """
    measures = {"car": results.car, "car_se": results.car_se, "car_t": results.car_t, "car_p": results.car_p,
                "bhar": results.bhar}
    long = pd.concat({name: frame.stack(future_stack=True) for name, frame in measures.items()}, axis=1)
    rows = []
    for (event_id, ticker, label), values in zip(long.index, long.to_dict(orient="records")):
        a, b = _window(label)
        rows.append({"run_id": run_id, "event_id": str(event_id), "ticker": str(ticker), "window_start": a,
                     "window_end": b, **{k: _num(v) for k, v in values.items()}})
    if rows:
        conn.execute(study_cars.insert(), rows)
    caar = results.caar
    caar_rows = [
        {"run_id": run_id, "window_start": _window(label)[0], "window_end": _window(label)[1], "window_label": str(label),
         "caar": _num(r["caar"]), "mean_bhar": _num(r["mean_bhar"]), "median_car": _num(r["median_car"]), "n": int(r["n"])}
        for label, r in zip(caar.index, caar.to_dict(orient="records"))
    ]
    if caar_rows:
        conn.execute(study_caar.insert(), caar_rows)


def save_claim_checks(engine: Engine, checked: pd.DataFrame, *, benchmark: str, tolerance_pp: float,
                      tolerance_rel: float, study_run_id: int | None = None) -> int:
    """Store a claim check (:func:`eventstudy.claims.check_claims`' frame, moves in percent); return its ``check_id``."""
    with engine.begin() as conn:
        check_id = conn.execute(claim_check_runs.insert().values(
            checked_at=dt.datetime.now(dt.timezone.utc), benchmark=benchmark, study_run_id=study_run_id,
            tolerance_pp=tolerance_pp, tolerance_rel=tolerance_rel,
        )).inserted_primary_key[0]
        rows = []
        for row_no, c in enumerate(checked.to_dict(orient="records")):
            a, b = _window(c["window"])
            rows.append({
                "check_id": check_id, "row_no": row_no, "event_id": c["event_id"], "ticker": c["ticker"],
                "window_start": a, "window_end": b, "day0": _date(c["day0"]), "from_date": _date(c["from_date"]),
                "to_date": _date(c["to_date"]), "claimed_move_pct": float(c["claimed_pct"]), "qualifier": c["qualifier"],
                "measure": c["measure"], "measured_move_pct": _num(c["measured_pct"]),
                "benchmark_move_pct": _num(c["benchmark_pct"]), "abnormal_move_pct": _num(c["abnormal_pct"]),
                "car_pct": _num(c["car_pct"]), "intraday_high_pct": _num(c["intraday_high_pct"]),
                "tolerance_pp": float(c["tolerance_pp"]), "verdict": c["verdict"], "note": c["note"] or None,
                "source": c["source"], "quote": c["quote"],
            })
        if rows:
            conn.execute(claim_results.insert(), rows)
    return int(check_id)
