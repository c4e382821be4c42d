"""Backtest tables: backtest_runs, backtest_results, backtest_trades.

Revision ID: 0004_backtests
Revises: 0003_studies
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_backtests"
down_revision = "0003_studies"
branch_labels = None
depends_on = None


def _run_key() -> sa.Column:
    return sa.Column("run_id", sa.Integer, sa.ForeignKey("backtest_runs.run_id", ondelete="CASCADE"), primary_key=True)


def upgrade() -> None:
    op.create_table(
        "backtest_runs",
        sa.Column("run_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("spec_json", sa.Text, nullable=False),
        sa.Column("spec_hash", sa.String(64), nullable=False),
        sa.Column("rank_by", sa.String(40), nullable=False),
        sa.Column("oos_split", sa.Date),
        sa.Column("span_start", sa.Date),
        sa.Column("span_end", sa.Date),
        sa.Column("n_variants", sa.Integer, nullable=False),
        sa.Column("n_events", sa.Integer, nullable=False),
        sa.Column("n_trades", sa.Integer, nullable=False),
        sa.Column("best_variant", sa.Integer),
    )
    op.create_table(
        "backtest_results",
        _run_key(),
        sa.Column("sample", sa.String(8), primary_key=True),
        sa.Column("variant", sa.Integer, primary_key=True),
        sa.Column("label", sa.Text, nullable=False),
        sa.Column("k", sa.Integer, nullable=False),
        sa.Column("hold", sa.Integer, nullable=False),
        sa.Column("stop_loss", sa.Float),
        sa.Column("take_profit", sa.Float),
        sa.Column("trailing", sa.Boolean, nullable=False),
        sa.Column("role", sa.String(200), nullable=False),
        sa.Column("benchmark", sa.String(20), nullable=False),
        sa.Column("hedge", sa.Boolean, nullable=False),
        *[sa.Column(name, sa.Float) for name in ("total_return", "cagr", "sharpe", "sortino", "max_drawdown", "win_rate")],
        sa.Column("trades", sa.Integer, nullable=False),
        *[sa.Column(name, sa.Float) for name in ("avg_trade", "exposure", "peak_gross", "bh_total_return", "bh_sharpe",
                                                  "spy_total_return", "spy_sharpe")],
        sa.Column("rank", sa.Integer, nullable=False),
        sa.Column("selected", sa.Boolean, nullable=False),
    )
    op.create_table(
        "backtest_trades",
        _run_key(),
        sa.Column("sample", sa.String(8), primary_key=True),
        sa.Column("variant", sa.Integer, primary_key=True),
        sa.Column("trade_no", sa.Integer, primary_key=True),
        sa.Column("event_id", sa.String(120), nullable=False),
        sa.Column("ticker", sa.String(20), nullable=False),
        sa.Column("role", sa.String(20)),
        sa.Column("side", sa.Integer, nullable=False),
        sa.Column("day0_date", sa.Date),
        sa.Column("day0_move", sa.Float),
        sa.Column("entry_date", sa.Date, nullable=False),
        sa.Column("entry_at", sa.String(5), nullable=False),
        sa.Column("delayed", sa.Boolean, nullable=False),
        sa.Column("entry_price", sa.Float, nullable=False),
        sa.Column("exit_date", sa.Date, nullable=False),
        sa.Column("exit_price", sa.Float, nullable=False),
        sa.Column("exit_reason", sa.String(20), nullable=False),
        sa.Column("shares", sa.Float, nullable=False),
        sa.Column("notional", sa.Float, nullable=False),
        sa.Column("pnl", sa.Float, nullable=False),
        sa.Column("hedge_ticker", sa.String(20)),
        sa.Column("hedge_beta", sa.Float),
        sa.Column("hedge_pnl", sa.Float),
        sa.Column("trade_return", sa.Float),
    )


def downgrade() -> None:
    op.drop_table("backtest_trades")
    op.drop_table("backtest_results")
    op.drop_table("backtest_runs")
