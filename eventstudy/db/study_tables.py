"""Stored event-study runs: ``study_runs``, ``study_firms``, ``abnormal_returns``, ``study_tests``.

Units: ``ar`` is a simple abnormal return as a decimal fraction (0.2371 means +23.71 %);
``event_day`` is the trading-session offset from event day 0; test ``window`` labels are
``"[a,b]"`` with both ends included.  Every child row carries the ``run_id`` of the run
that produced it, and a run is written in one transaction (see
:func:`eventstudy.db.studies.save_results`).
"""

from sqlalchemy import JSON, Boolean, Column, Date, DateTime, Float, ForeignKey, Integer, String, Table, Text

from .meta import metadata

study_runs = Table(
    "study_runs",
    metadata,
    Column("run_id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("model", String(40), nullable=False),
    Column("benchmark", String(20)),
    # Everything needed to reproduce the run (windows, estimation window, min obs, selection).
    Column("parameters", JSON, nullable=False),
    Column("n_firms", Integer, nullable=False),
    Column("n_ok", Integer, nullable=False),
)


def _run_fk() -> Column:
    return Column("run_id", Integer, ForeignKey("study_runs.run_id", ondelete="CASCADE"), primary_key=True)


study_firms = Table(
    "study_firms",
    metadata,
    _run_fk(),
    Column("event_id", String(120), primary_key=True),
    Column("ticker", String(20), primary_key=True),
    Column("day0", Date),
    Column("status", Text, nullable=False),
    Column("n_est", Integer),
    Column("alpha", Float),
    Column("beta", Float),
    Column("sigma", Float),
    Column("confounded", Boolean),
    Column("confounded_by", Text),
)

abnormal_returns = Table(
    "abnormal_returns",
    metadata,
    _run_fk(),
    Column("event_id", String(120), primary_key=True),
    Column("ticker", String(20), primary_key=True),
    Column("event_day", Integer, primary_key=True),
    Column("ar", Float, nullable=False),
)

study_tests = Table(
    "study_tests",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("study_runs.run_id", ondelete="CASCADE"), nullable=False, index=True),
    Column("measure", String(10), nullable=False),
    Column("window", String(20), nullable=False),
    Column("test", String(40), nullable=False),
    Column("statistic", Float),
    Column("pvalue", Float),
    Column("n", Integer),
    # NULL group_col: the test over all events; otherwise the grouping column and its value.
    Column("group_col", String(40)),
    Column("group", Text),
    # Why a test could not be computed (statistic and p-value then NULL).
    Column("reason", Text),
)

STUDY_CHILD_TABLES = (study_firms, abnormal_returns, study_tests)
