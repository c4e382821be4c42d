"""Walk-forward backtests: backtest_walk_forward (the stitched out-of-sample record of a run) and
backtest_folds (per fold: train and test spans, the variant chosen, its in- and out-of-sample metric).

Revision ID: 0010_walk_forward
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_walk_forward"
down_revision = "0009"
branch_labels = None
depends_on = None


def _run_key() -> sa.Column:
    return sa.Column("run_id", sa.Integer, sa.ForeignKey("backtest_runs.run_id", ondelete="CASCADE"), primary_key=True)


def upgrade() -> None:
    op.create_table(
        "backtest_walk_forward",
        _run_key(),
        sa.Column("mode", sa.String(10), nullable=False),
        sa.Column("train", sa.String(10), nullable=False),
        sa.Column("test", sa.String(10), nullable=False),
        sa.Column("start", sa.Date),
        sa.Column("select_by", sa.String(40), nullable=False),
        sa.Column("n_folds", sa.Integer, nullable=False),
        sa.Column("span_start", sa.Date),
        sa.Column("span_end", sa.Date),
        sa.Column("total_return", sa.Float),
        sa.Column("cagr", sa.Float),
        sa.Column("sharpe", sa.Float),
        sa.Column("sortino", sa.Float),
        sa.Column("max_drawdown", sa.Float),
        sa.Column("win_rate", sa.Float),
        sa.Column("trades", sa.Integer, nullable=False),
        sa.Column("avg_trade", sa.Float),
    )
    op.create_table(
        "backtest_folds",
        _run_key(),
        sa.Column("fold", sa.Integer, primary_key=True),
        sa.Column("train_start", sa.Date, nullable=False),
        sa.Column("train_end", sa.Date, nullable=False),
        sa.Column("test_start", sa.Date, nullable=False),
        sa.Column("test_end", sa.Date, nullable=False),
        sa.Column("train_events", sa.Integer, nullable=False),
        sa.Column("test_events", sa.Integer, nullable=False),
        sa.Column("variant", sa.Integer),
        sa.Column("label", sa.Text),
        sa.Column("is_value", sa.Float),
        sa.Column("oos_value", sa.Float),
        sa.Column("oos_total_return", sa.Float),
        sa.Column("oos_trades", sa.Integer, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("backtest_folds")
    op.drop_table("backtest_walk_forward")
