"""Study result tables (study_runs, abnormal_returns, study_tests); filled in by the engine issue.

Revision ID: 0003_studies
Revises: 0002_prices
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0003_studies"
down_revision = "0002_prices"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
