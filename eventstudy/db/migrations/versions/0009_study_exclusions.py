"""The exclusions table of study runs (study_exclusions): event-firms a data screen left out, and why.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def _run_key() -> sa.Column:
    return sa.Column("run_id", sa.Integer, sa.ForeignKey("study_runs.run_id", ondelete="CASCADE"), primary_key=True)


def upgrade() -> None:
    op.create_table(
        "study_exclusions",
        _run_key(),
        sa.Column("event_id", sa.String(120), primary_key=True),
        sa.Column("ticker", sa.String(20), primary_key=True),
        sa.Column("screen", sa.String(20), nullable=False),
        sa.Column("value", sa.Float),
        sa.Column("threshold", sa.Float),
        sa.Column("reason", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("study_exclusions")
