"""Price tables: ``prices``, ``factors``, ``ingest_runs``, ``price_revisions``.

Units: ``prices`` open/high/low/close are split-adjusted, NOT dividend-adjusted
(as traded, in the listing currency); ``dividend`` is the cash dividend per
share whose ex-date is ``date`` (0 when none); ``split_factor`` is the split
ratio taking effect on ``date`` (10.0 for a 10-for-1 split, 1.0 when none).
``factors`` values are DECIMAL daily returns (Ken French's percent / 100).
"""

from sqlalchemy import BigInteger, Column, Date, DateTime, Float, Index, Integer, String, Table, Text

from .meta import metadata

PRICE_VALUE_COLUMNS = ("open", "high", "low", "close", "volume", "dividend", "split_factor")
FACTOR_COLUMNS = ("mkt_rf", "smb", "hml", "rf", "mom", "rmw", "cma")

prices = Table(
    "prices",
    metadata,
    # The key (ticker, date) is the unique constraint the upserts conflict on.
    Column("ticker", String(20), primary_key=True),
    Column("date", Date, primary_key=True),
    Column("open", Float),
    Column("high", Float),
    Column("low", Float),
    Column("close", Float, nullable=False),
    Column("volume", BigInteger),
    Column("dividend", Float, nullable=False),
    Column("split_factor", Float, nullable=False),
    Column("source", String(200), nullable=False),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
)

factors = Table(
    "factors",
    metadata,
    Column("date", Date, primary_key=True),
    *(Column(name, Float) for name in FACTOR_COLUMNS),
)

ingest_runs = Table(
    "ingest_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("source", String(300), nullable=False),
    Column("tickers_ok", Integer, nullable=False, default=0),
    Column("tickers_failed", Integer, nullable=False, default=0),
    Column("rows_inserted", Integer, nullable=False, default=0),
    Column("rows_updated", Integer, nullable=False, default=0),
    Column("errors", Text),
    # running | ok | partial | failed | interrupted (its process died: found by the next ingest on that host)
    Column("status", String(20), nullable=False),
    Column("pid", Integer),
    Column("host", String(255)),
    # Stored values changed by the run (each one a row of price_revisions); last, as migration 0007 appends it.
    Column("values_revised", Integer, default=0),
)

# One row per stored value an ingest changed: (ticker, date, field) went from old_value to new_value
# in ingest run run_id.  Volume is stored as a float here (exact below 2**53 shares).
price_revisions = Table(
    "price_revisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer),
    Column("ticker", String(20), nullable=False),
    Column("date", Date, nullable=False),
    Column("field", String(20), nullable=False),
    Column("old_value", Float),
    Column("new_value", Float),
    Column("revised_at", DateTime(timezone=True), nullable=False),
    Index("ix_price_revisions_ticker_date", "ticker", "date"),
)
