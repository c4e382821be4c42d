"""Study result tables: study_runs, study_firms, abnormal_returns, study_tests.

Revision ID: 0003_studies
Revises: 0002_prices
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_studies"
down_revision = "0002_prices"
branch_labels = None
depends_on = None


def _run_key() -> sa.Column:
    return sa.Column("run_id", sa.Integer, sa.ForeignKey("study_runs.run_id", ondelete="CASCADE"), primary_key=True)


def upgrade() -> None:
    op.create_table(
        "study_runs",
        sa.Column("run_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("model", sa.String(40), nullable=False),
        sa.Column("benchmark", sa.String(20)),
        sa.Column("parameters", sa.JSON, nullable=False),
        sa.Column("n_firms", sa.Integer, nullable=False),
        sa.Column("n_ok", sa.Integer, nullable=False),
    )
    op.create_table(
        "study_firms",
        _run_key(),
        sa.Column("event_id", sa.String(120), primary_key=True),
        sa.Column("ticker", sa.String(20), primary_key=True),
        sa.Column("day0", sa.Date),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("n_est", sa.Integer),
        sa.Column("alpha", sa.Float),
        sa.Column("beta", sa.Float),
        sa.Column("sigma", sa.Float),
        sa.Column("confounded", sa.Boolean),
        sa.Column("confounded_by", sa.Text),
    )
    op.create_table(
        "abnormal_returns",
        _run_key(),
        sa.Column("event_id", sa.String(120), primary_key=True),
        sa.Column("ticker", sa.String(20), primary_key=True),
        sa.Column("event_day", sa.Integer, primary_key=True),
        sa.Column("ar", sa.Float, nullable=False),
    )
    op.create_table(
        "study_tests",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("study_runs.run_id", ondelete="CASCADE"), nullable=False),
        sa.Column("measure", sa.String(10), nullable=False),
        sa.Column("window", sa.String(20), nullable=False),
        sa.Column("test", sa.String(40), nullable=False),
        sa.Column("statistic", sa.Float),
        sa.Column("pvalue", sa.Float),
        sa.Column("n", sa.Integer),
        sa.Column("group_col", sa.String(40)),
        sa.Column("group", sa.Text),
        sa.Column("reason", sa.Text),
    )
    op.create_index("ix_study_tests_run_id", "study_tests", ["run_id"])


def downgrade() -> None:
    op.drop_index("ix_study_tests_run_id", table_name="study_tests")
    for name in ("study_tests", "abnormal_returns", "study_firms", "study_runs"):
        op.drop_table(name)
