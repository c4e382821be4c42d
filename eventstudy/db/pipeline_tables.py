"""Nightly-pipeline tables: run history, per-step outcomes, the single-run lock, input fingerprints.

* ``pipeline_runs``: one row per pipeline run. ``status`` is ``running``, ``ok``,
  ``nothing-new`` (no new data: nothing recomputed), ``partial`` (some tickers or
  items failed), ``failed`` (a step failed) or ``interrupted`` (the process died;
  set by the next run).  ``trigger`` is ``manual``, ``scheduled`` or ``late``
  (a scheduled run that started after its fire time, e.g. missed during downtime).
* ``pipeline_steps``: one row per run and step; ``rows`` counts what the step
  wrote (rows ingested, studies stored, backtests run, report files written).
* ``pipeline_lock``: one row per lock name.  On SQLite the row *is* the lock
  (owner + heartbeat, stale rows are taken over); on PostgreSQL the lock is an
  advisory lock and the row only says who holds it.
* ``pipeline_fingerprints``: what each derived result was computed from
  (``kind`` = ``study`` per event, ``study-all``, ``backtest`` per strategy file,
  ``report``), so a rerun recomputes only what changed; ``result_id`` is the stored
  study or backtest run it produced; ``last_price_date`` the last price date the
  event's windows reach.  Timestamps are UTC.
"""

from sqlalchemy import BigInteger, Column, Date, DateTime, ForeignKey, Integer, String, Table, Text

from .meta import metadata

pipeline_runs = Table(
    "pipeline_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("status", String(20), nullable=False),
    Column("trigger", String(20), nullable=False),
    Column("summary", Text),
)

pipeline_steps = Table(
    "pipeline_steps",
    metadata,
    Column("run_id", Integer, ForeignKey("pipeline_runs.id", ondelete="CASCADE"), primary_key=True),
    Column("step", String(40), primary_key=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("status", String(20), nullable=False),
    Column("rows", Integer),
    Column("error", Text),
)

pipeline_lock = Table(
    "pipeline_lock",
    metadata,
    Column("name", String(60), primary_key=True),
    Column("owner", String(200), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("host", String(255), nullable=False),
    Column("acquired_at", DateTime(timezone=True), nullable=False),
    Column("heartbeat_at", DateTime(timezone=True), nullable=False),
    # The holder's start time (/proc/PID/stat field 22, clock ticks since boot): a reused PID has another.
    Column("pid_start", BigInteger),
)

pipeline_fingerprints = Table(
    "pipeline_fingerprints",
    metadata,
    Column("kind", String(20), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("last_price_date", Date),
    Column("result_id", Integer),
    Column("run_id", Integer),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
