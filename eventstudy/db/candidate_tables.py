"""Discovered event candidates (8-K filings from SEC EDGAR), waiting to be accepted into the catalog or rejected.

* ``event_candidates``: one row per (filing accession, ticker).  ``accepted_at`` is EDGAR's
  acceptance time from the filing's SGML header (stored UTC); ``json_acceptance`` the raw
  ``acceptanceDateTime`` text of the submissions JSON (kept to show when the two disagree).
  ``event_date`` / ``timing`` are the catalog date and timing derived from ``accepted_at``;
  ``event_json`` is the whole candidate catalog event (schema JSON).  ``status`` is ``new``,
  ``accepted`` or ``rejected`` (a rejected filing is never proposed again).
"""

from sqlalchemy import Column, Date, DateTime, Integer, String, Table, Text, UniqueConstraint

from .meta import metadata

event_candidates = Table(
    "event_candidates",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("accession", String(25), nullable=False),
    Column("ticker", String(20), nullable=False),
    Column("cik", Integer, nullable=False),
    Column("company", String(200), nullable=False),
    Column("form", String(10), nullable=False),
    Column("items", String(100), nullable=False),
    Column("filing_date", Date, nullable=False),
    Column("accepted_at", DateTime(timezone=True), nullable=False),
    Column("json_acceptance", String(40), nullable=False),
    Column("event_date", Date, nullable=False),
    Column("timing", String(20), nullable=False),
    Column("event_id", String(200), nullable=False),
    Column("url", Text, nullable=False),
    Column("event_json", Text, nullable=False),
    Column("status", String(10), nullable=False),
    Column("discovered_at", DateTime(timezone=True), nullable=False),
    Column("decided_at", DateTime(timezone=True)),
    UniqueConstraint("accession", "ticker", name="uq_event_candidates_accession_ticker"),
)
