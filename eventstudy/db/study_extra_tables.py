"""Per-event significance and exclusions of a stored study run: ``study_event_windows``, ``study_exclusions``.

Units: ``car``, ``car_se`` and ``bhar`` are decimal fractions (0.2313 = +23.13 %); ``window`` is
``"[a,b]"`` in trading-session offsets from day 0, both ends included; ``pvalue`` is two-sided
from t(n_est - K).  Rows belong to the run that produced them (``run_id``, cascade on delete).
"""

from sqlalchemy import Column, Float, ForeignKey, Integer, String, Table, Text

from .meta import metadata


def _run_fk() -> Column:
    return Column("run_id", Integer, ForeignKey("study_runs.run_id", ondelete="CASCADE"), primary_key=True)


study_event_windows = Table(
    "study_event_windows",
    metadata,
    _run_fk(),
    Column("event_id", String(120), primary_key=True),
    Column("ticker", String(20), primary_key=True),
    Column("window", String(20), primary_key=True),
    Column("car", Float),
    Column("car_se", Float),
    Column("t", Float),
    Column("pvalue", Float),
    Column("bhar", Float),
)

study_exclusions = Table(
    "study_exclusions",
    metadata,
    _run_fk(),
    Column("event_id", String(120), primary_key=True),
    Column("ticker", String(20), primary_key=True),
    # min_obs | min_price | min_sigma | max_zero_share | data (no returns / no day 0)
    Column("screen", String(20), nullable=False),
    Column("value", Float),
    Column("threshold", Float),
    Column("reason", Text, nullable=False),
)
