"""Pipeline tables (pipeline_runs, pipeline_steps, pipeline_lock, pipeline_fingerprints).

Revision ID: 0005_pipeline
Revises: 0004_backtests
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_pipeline"
down_revision = "0004_backtests"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pipeline_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("trigger", sa.String(20), nullable=False),
        sa.Column("summary", sa.Text),
    )
    op.create_table(
        "pipeline_steps",
        sa.Column("run_id", sa.Integer, sa.ForeignKey("pipeline_runs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("step", sa.String(40), primary_key=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("rows", sa.Integer),
        sa.Column("error", sa.Text),
    )
    op.create_table(
        "pipeline_lock",
        sa.Column("name", sa.String(60), primary_key=True),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("pid", sa.Integer, nullable=False),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("acquired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "pipeline_fingerprints",
        sa.Column("kind", sa.String(20), primary_key=True),
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("last_price_date", sa.Date),
        sa.Column("result_id", sa.Integer),
        sa.Column("run_id", sa.Integer),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for name in ("pipeline_fingerprints", "pipeline_lock", "pipeline_steps", "pipeline_runs"):
        op.drop_table(name)
