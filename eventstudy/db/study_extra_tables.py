"""Exclusions of a stored study run: ``study_exclusions`` (event-firms a data screen left out, with the screen,
the firm's value, the threshold and a one-line reason).  The per-event CARs with their t and p are
``study_cars`` (:mod:`eventstudy.db.analyst_tables`).  Rows belong to the run that produced them
(``run_id``, cascade on delete).
"""

from sqlalchemy import Column, Float, ForeignKey, Integer, String, Table, Text  # noqa: F401

from .meta import metadata


def _run_fk() -> Column:
    return Column("run_id", Integer, ForeignKey("study_runs.run_id", ondelete="CASCADE"), primary_key=True)


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
