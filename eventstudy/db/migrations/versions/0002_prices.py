"""Price tables (prices, factors, ingest_runs); filled in by the ingestion issue.

Revision ID: 0002_prices
Revises: 0001_catalog
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0002_prices"
down_revision = "0001_catalog"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
