"""Price tables (prices, factors, ingest_runs); filled in by the ingestion issue.

Revision ID: 0002_prices
Revises: 0001_catalog
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_prices"
down_revision = "0001_catalog"
branch_labels = None
depends_on = None

_FACTORS = ("mkt_rf", "smb", "hml", "rf", "mom", "rmw", "cma")


def upgrade() -> None:
    op.create_table(
        "prices",
        sa.Column("ticker", sa.String(20), primary_key=True),
        sa.Column("date", sa.Date, primary_key=True),
        sa.Column("open", sa.Float),
        sa.Column("high", sa.Float),
        sa.Column("low", sa.Float),
        sa.Column("close", sa.Float, nullable=False),
        sa.Column("volume", sa.BigInteger),
        sa.Column("dividend", sa.Float, nullable=False),
        sa.Column("split_factor", sa.Float, nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "factors",
        sa.Column("date", sa.Date, primary_key=True),
        *(sa.Column(name, sa.Float) for name in _FACTORS),
    )
    op.create_table(
        "ingest_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("source", sa.String(300), nullable=False),
        sa.Column("tickers_ok", sa.Integer, nullable=False),
        sa.Column("tickers_failed", sa.Integer, nullable=False),
        sa.Column("rows_inserted", sa.Integer, nullable=False),
        sa.Column("rows_updated", sa.Integer, nullable=False),
        sa.Column("errors", sa.Text),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("pid", sa.Integer),
        sa.Column("host", sa.String(255)),
    )


def downgrade() -> None:
    for name in ("ingest_runs", "factors", "prices"):
        op.drop_table(name)
