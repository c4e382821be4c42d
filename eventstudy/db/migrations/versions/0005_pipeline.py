"""Pipeline tables (pipeline_runs, pipeline_steps, pipeline_lock); filled in by the nightly-pipeline issue.

Revision ID: 0005_pipeline
Revises: 0004_backtests
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0005_pipeline"
down_revision = "0004_backtests"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
