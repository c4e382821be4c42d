"""Analyst-facing catalog tables: ``events``, ``event_parties``, ``event_sources``, ``claims``, ``event_confounders``.

Units: ``amount_value`` is in whole currency units (USD 100e9, not "100");
``claimed_move_pct`` is in percent (43.0 means +43 %); claim windows are
trading-day offsets from event day 0, both ends included, measured from the
close of day ``window_start - 1`` to the close of day ``window_end``.
"""

from sqlalchemy import Column, Date, DateTime, Float, ForeignKey, Integer, String, Table, Text

from .meta import metadata

events = Table(
    "events",
    metadata,
    Column("id", String(120), primary_key=True),
    Column("title", Text, nullable=False),
    Column("announced", Date, nullable=False),
    Column("timing", String(20), nullable=False),
    Column("announced_time", String(5)),
    Column("timezone", String(64)),
    Column("deal_type", String(40), nullable=False),
    Column("amount_value", Float),
    Column("amount_currency", String(3)),
    Column("amount_kind", String(40)),
    Column("amount_text", Text),
    Column("terms", Text),
    Column("confidence", String(10), nullable=False),
    Column("confidence_note", Text),
    Column("notes", Text),
    Column("catalog_file", Text, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("loaded_at", DateTime(timezone=True), nullable=False),
)

event_parties = Table(
    "event_parties",
    metadata,
    Column("event_id", String(120), ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("name", Text, nullable=False),
    Column("ticker", String(20), index=True),
    Column("exchange", String(20)),
    Column("role", String(20), nullable=False),
)

event_sources = Table(
    "event_sources",
    metadata,
    Column("event_id", String(120), ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("source", Text, nullable=False),
    Column("url", Text),
    Column("quote", Text),
)

claims = Table(
    "claims",
    metadata,
    Column("event_id", String(120), ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("ticker", String(20), nullable=False),
    Column("window_start", Integer, nullable=False),
    Column("window_end", Integer, nullable=False),
    Column("claimed_move_pct", Float, nullable=False),
    Column("qualifier", String(20), nullable=False),
    Column("measure", String(20), nullable=False),
    Column("source", Text, nullable=False),
    Column("quote", Text),
)

event_confounders = Table(
    "event_confounders",
    metadata,
    Column("event_id", String(120), ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    # NULL ticker: the confounder affects every listed party of the event.
    Column("ticker", String(20)),
    Column("description", Text, nullable=False),
)

CATALOG_CHILD_TABLES = (event_parties, event_sources, claims, event_confounders)
