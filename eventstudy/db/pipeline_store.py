"""The nightly pipeline's records: runs and steps (the run log) and the fingerprints of computed items.

Timestamps are stored in UTC and handed back timezone-aware.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable

import pandas as pd
from sqlalchemy import Engine, select, update

from ..clock import aware, utcnow
from .pipeline_tables import pipeline_fingerprints, pipeline_runs, pipeline_steps


# --------------------------------------------------------------------------- fingerprints

def stored_fingerprints(engine: Engine, kind: str) -> dict[str, str]:
    """``{key: fingerprint}`` of every stored item of ``kind`` (``study``, ``study-all``, ``backtest``, ``report``)."""
    with engine.connect() as conn:
        rows = conn.execute(select(pipeline_fingerprints.c.key, pipeline_fingerprints.c.fingerprint)
                            .where(pipeline_fingerprints.c.kind == kind))
        return dict(rows.all())


def fingerprint_results(engine: Engine, kind: str) -> dict[str, int | None]:
    """``{key: result id}`` (the study or backtest run stored for it) of every item of ``kind``."""
    with engine.connect() as conn:
        return dict(conn.execute(select(pipeline_fingerprints.c.key, pipeline_fingerprints.c.result_id)
                                 .where(pipeline_fingerprints.c.kind == kind)).all())


def save_fingerprint(engine: Engine, kind: str, key: str, fingerprint: str, run_id: int, *,
                     last_price_date: dt.date | None = None, result_id: int | None = None) -> None:
    """Record that ``kind``/``key`` is now computed from inputs ``fingerprint`` (upsert, one transaction).

    ``result_id`` is the study or backtest run stored for it; ``run_id`` the pipeline run.
    """
    values = {"fingerprint": fingerprint, "last_price_date": last_price_date, "result_id": result_id,
              "run_id": run_id, "updated_at": utcnow()}
    with engine.begin() as conn:
        n = conn.execute(update(pipeline_fingerprints)
                         .where(pipeline_fingerprints.c.kind == kind, pipeline_fingerprints.c.key == key)
                         .values(values)).rowcount
        if n == 0:
            conn.execute(pipeline_fingerprints.insert().values(kind=kind, key=key, **values))


def drop_fingerprints(engine: Engine, kind: str, keys: Iterable[str]) -> None:
    """Forget the items ``keys`` of ``kind`` (their inputs are gone, e.g. an event removed from the catalog)."""
    keys = list(keys)
    if keys:
        with engine.begin() as conn:
            conn.execute(pipeline_fingerprints.delete().where(pipeline_fingerprints.c.kind == kind,
                                                              pipeline_fingerprints.c.key.in_(keys)))


def fingerprints_changed_since(engine: Engine, kinds: Iterable[str], since: dt.datetime | None) -> list[dict]:
    """Fingerprint rows of ``kinds`` updated after ``since`` (all when None), by kind and key."""
    q = select(pipeline_fingerprints).where(pipeline_fingerprints.c.kind.in_(list(kinds)))
    if since is not None:
        q = q.where(pipeline_fingerprints.c.updated_at > since)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(q.order_by(pipeline_fingerprints.c.kind, pipeline_fingerprints.c.key)).mappings()]


def fingerprint_time(engine: Engine, kind: str, key: str) -> dt.datetime | None:
    """When ``kind``/``key`` was last recorded (None if never)."""
    with engine.connect() as conn:
        return conn.execute(select(pipeline_fingerprints.c.updated_at)
                            .where(pipeline_fingerprints.c.kind == kind, pipeline_fingerprints.c.key == key)).scalar()


# --------------------------------------------------------------------------- run log

def mark_dead_runs(engine: Engine) -> list[int]:
    """Runs still ``running`` while the caller holds the lock died mid-run (killed, host crash): mark them ``interrupted``."""
    with engine.begin() as conn:
        dead = [r for (r,) in conn.execute(select(pipeline_runs.c.id).where(pipeline_runs.c.status == "running"))]
        if dead:
            conn.execute(update(pipeline_steps).where(pipeline_steps.c.run_id.in_(dead), pipeline_steps.c.status == "running")
                         .values(status="interrupted", error="process ended during this step"))
            conn.execute(update(pipeline_runs).where(pipeline_runs.c.id.in_(dead))
                         .values(status="interrupted", summary="process ended before the run finished; the next run resumed it"))
    return dead


def start_run(engine: Engine, trigger: str) -> int:
    """Record a new run (status ``running``) and return its id."""
    with engine.begin() as conn:
        return int(conn.execute(pipeline_runs.insert().values(started_at=utcnow(), status="running", trigger=trigger))
                   .inserted_primary_key[0])


def finish_run(engine: Engine, run_id: int, status: str, summary: str) -> None:
    """Close a run with its final status and one-paragraph summary."""
    with engine.begin() as conn:
        conn.execute(update(pipeline_runs).where(pipeline_runs.c.id == run_id)
                     .values(finished_at=utcnow(), status=status, summary=summary))


def start_step(engine: Engine, run_id: int, name: str) -> None:
    """Record that step ``name`` of run ``run_id`` started."""
    with engine.begin() as conn:
        conn.execute(pipeline_steps.insert().values(run_id=run_id, step=name, started_at=utcnow(), status="running"))


def finish_step(engine: Engine, run_id: int, name: str, status: str, rows: int | None, error: str | None) -> None:
    """Close step ``name`` of run ``run_id`` with its status, rows written and error text."""
    with engine.begin() as conn:
        conn.execute(update(pipeline_steps).where(pipeline_steps.c.run_id == run_id, pipeline_steps.c.step == name)
                     .values(finished_at=utcnow(), status=status, rows=rows, error=error))


HISTORY_COLUMNS = ["run_id", "trigger", "run_status", "started_at", "finished_at", "step", "step_status", "rows", "error",
                   "step_started_at", "step_finished_at"]


def run_history(engine: Engine, limit: int = 20) -> pd.DataFrame:
    """The last ``limit`` runs, one row per run and step (columns :data:`HISTORY_COLUMNS`).

    UTC timestamps; a run without steps has one row with empty step columns.
    """
    with engine.connect() as conn:
        runs = conn.execute(select(pipeline_runs).order_by(pipeline_runs.c.id.desc()).limit(limit)).mappings().all()
        ids = [r["id"] for r in runs]
        steps = conn.execute(select(pipeline_steps).where(pipeline_steps.c.run_id.in_(ids))
                             .order_by(pipeline_steps.c.run_id, pipeline_steps.c.started_at)).mappings().all() if ids else []
    by_run: dict[int, list] = {}
    for s in steps:
        by_run.setdefault(s["run_id"], []).append(s)
    rows = []
    for r in runs:
        base = {"run_id": r["id"], "trigger": r["trigger"], "run_status": r["status"],
                "started_at": aware(r["started_at"]), "finished_at": aware(r["finished_at"])}
        for s in by_run.get(r["id"], []) or [None]:
            rows.append(base | ({"step": s["step"], "step_status": s["status"], "rows": s["rows"], "error": s["error"],
                                 "step_started_at": aware(s["started_at"]), "step_finished_at": aware(s["finished_at"])}
                                if s else {"step": None, "step_status": None, "rows": None, "error": None,
                                           "step_started_at": None, "step_finished_at": None}))
    # object dtype keeps integer row counts and empty cells as they are (no float NaN).
    return pd.DataFrame(rows, columns=HISTORY_COLUMNS, dtype=object)


def last_run(engine: Engine) -> dict | None:
    """The most recent run as a dict (``id, started_at, finished_at, status, trigger, summary``), or None."""
    with engine.connect() as conn:
        row = conn.execute(select(pipeline_runs).order_by(pipeline_runs.c.id.desc()).limit(1)).mappings().first()
    if row is None:
        return None
    out = dict(row)
    out["started_at"], out["finished_at"] = aware(out["started_at"]), aware(out["finished_at"])
    return out
