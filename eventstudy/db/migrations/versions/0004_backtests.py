"""Backtest tables (backtest_runs, backtest_results, backtest_trades); filled in by the backtest issue.

Revision ID: 0004_backtests
Revises: 0003_studies
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0004_backtests"
down_revision = "0003_studies"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
