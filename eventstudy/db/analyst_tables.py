"""Stored results the analyst views read: ``study_cars``, ``study_caar``, ``claim_check_runs``, ``claim_results``.

They hold numbers the engine and the claim check compute and that SQL cannot
recompute without copying their rules (forecast-error standard errors, the claim
verdict band, event time on the price calendar):

* ``study_cars``: per stored study run, event-firm and window: CAR, its
  forecast-error standard error, the per-event t and p, BHAR;
* ``study_caar``: per run and window: CAAR (mean CAR), mean BHAR, median CAR, N;
* ``claim_check_runs`` / ``claim_results``: every claim check the main job ran,
  one row per claim with the measured moves and the verdict.

Units: ``car``, ``car_se``, ``bhar``, ``caar``, ``mean_bhar``, ``median_car`` are
DECIMAL fractions (0.2313 = +23.13 %); the ``*_pct`` columns of ``claim_results``
are percent; windows are trading-day offsets from day 0, both ends included.
"""

from sqlalchemy import Column, Date, DateTime, Float, ForeignKey, Integer, String, Table, Text

from .meta import metadata

study_cars = Table(
    "study_cars",
    metadata,
    Column("run_id", Integer, ForeignKey("study_runs.run_id", ondelete="CASCADE"), primary_key=True),
    Column("event_id", String(120), primary_key=True),
    Column("ticker", String(20), primary_key=True),
    Column("window_start", Integer, primary_key=True),
    Column("window_end", Integer, primary_key=True),
    Column("car", Float),
    Column("car_se", Float),
    Column("car_t", Float),
    Column("car_p", Float),
    Column("bhar", Float),
)

study_caar = Table(
    "study_caar",
    metadata,
    Column("run_id", Integer, ForeignKey("study_runs.run_id", ondelete="CASCADE"), primary_key=True),
    Column("window_start", Integer, primary_key=True),
    Column("window_end", Integer, primary_key=True),
    # The label study_tests.window uses for the same window, "[a,b]".
    Column("window_label", String(20), nullable=False),
    Column("caar", Float),
    Column("mean_bhar", Float),
    Column("median_car", Float),
    Column("n", Integer, nullable=False),
)

claim_check_runs = Table(
    "claim_check_runs",
    metadata,
    Column("check_id", Integer, primary_key=True, autoincrement=True),
    Column("checked_at", DateTime(timezone=True), nullable=False),
    Column("benchmark", String(20), nullable=False),
    Column("study_run_id", Integer, ForeignKey("study_runs.run_id", ondelete="SET NULL")),
    Column("tolerance_pp", Float, nullable=False),
    Column("tolerance_rel", Float, nullable=False),
)

claim_results = Table(
    "claim_results",
    metadata,
    Column("check_id", Integer, ForeignKey("claim_check_runs.check_id", ondelete="CASCADE"), primary_key=True),
    Column("row_no", Integer, primary_key=True),
    Column("event_id", String(120), nullable=False, index=True),
    Column("ticker", String(20), nullable=False),
    Column("window_start", Integer, nullable=False),
    Column("window_end", Integer, nullable=False),
    Column("day0", Date),
    Column("from_date", Date),
    Column("to_date", Date),
    Column("claimed_move_pct", Float, nullable=False),
    Column("qualifier", String(20), nullable=False),
    Column("measure", String(20), nullable=False),
    Column("measured_move_pct", Float),
    Column("benchmark_move_pct", Float),
    Column("abnormal_move_pct", Float),
    Column("car_pct", Float),
    Column("intraday_high_pct", Float),
    Column("tolerance_pp", Float, nullable=False),
    Column("verdict", String(20), nullable=False),
    Column("note", Text),
    Column("source", Text),
    Column("quote", Text),
)
