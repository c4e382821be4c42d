"""Per-event CAR significance and the exclusions table of study runs (study_event_windows, study_exclusions).

Revision ID: 0009
Revises: 0005_pipeline
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0005_pipeline"
branch_labels = None
depends_on = None


def _run_key() -> sa.Column:
    return sa.Column("run_id", sa.Integer, sa.ForeignKey("study_runs.run_id", ondelete="CASCADE"), primary_key=True)


def upgrade() -> None:
    op.create_table(
        "study_event_windows",
        _run_key(),
        sa.Column("event_id", sa.String(120), primary_key=True),
        sa.Column("ticker", sa.String(20), primary_key=True),
        sa.Column("window", sa.String(20), primary_key=True),
        sa.Column("car", sa.Float),
        sa.Column("car_se", sa.Float),
        sa.Column("t", sa.Float),
        sa.Column("pvalue", sa.Float),
        sa.Column("bhar", sa.Float),
    )
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
    op.drop_table("study_event_windows")
