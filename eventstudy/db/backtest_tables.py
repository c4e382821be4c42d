"""Backtest tables: ``backtest_runs`` (the spec as JSON), ``backtest_results`` (one row per sample x
variant), ``backtest_trades`` (trades of the stored variants); walk-forward runs add
``backtest_walk_forward`` (the stitched out-of-sample record) and ``backtest_folds`` (one row per fold).

Units: every return, drawdown, win rate and exposure is a decimal fraction (0.04 = 4 %); money
(``pnl``, ``notional``, prices) in the traded currency; dates are exchange session dates.
``sample`` is ``all``, or ``in`` / ``out`` in out-of-sample mode (walk-forward: ``out`` = every variant
over the whole test span, ``wf`` = the stitched trades of the variants chosen fold by fold).
"""

from sqlalchemy import Boolean, Column, Date, DateTime, Float, ForeignKey, Integer, String, Table, Text

from .meta import metadata

backtest_runs = Table(
    "backtest_runs",
    metadata,
    Column("run_id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("spec_json", Text, nullable=False),
    Column("spec_hash", String(64), nullable=False),
    Column("rank_by", String(40), nullable=False),
    Column("oos_split", Date),
    Column("span_start", Date),
    Column("span_end", Date),
    Column("n_variants", Integer, nullable=False),
    Column("n_events", Integer, nullable=False),
    Column("n_trades", Integer, nullable=False),
    Column("best_variant", Integer),
)


def _run_key() -> Column:
    return Column("run_id", Integer, ForeignKey("backtest_runs.run_id", ondelete="CASCADE"), primary_key=True)


def _metric_columns() -> list[Column]:
    """The performance columns a variant's row and the stitched walk-forward record share."""
    return [
        Column("total_return", Float),
        Column("cagr", Float),
        Column("sharpe", Float),
        Column("sortino", Float),
        Column("max_drawdown", Float),
        Column("win_rate", Float),
        Column("trades", Integer, nullable=False),
        Column("avg_trade", Float),
    ]


backtest_results = Table(
    "backtest_results",
    metadata,
    _run_key(),
    Column("sample", String(8), primary_key=True),
    Column("variant", Integer, primary_key=True),
    Column("label", Text, nullable=False),
    Column("k", Integer, nullable=False),
    Column("hold", Integer, nullable=False),
    Column("stop_loss", Float),
    Column("take_profit", Float),
    Column("trailing", Boolean, nullable=False),
    Column("role", String(200), nullable=False),
    Column("benchmark", String(20), nullable=False),
    Column("hedge", Boolean, nullable=False),
    *_metric_columns(),
    Column("exposure", Float),
    Column("peak_gross", Float),
    Column("bh_total_return", Float),
    Column("bh_sharpe", Float),
    Column("spy_total_return", Float),
    Column("spy_sharpe", Float),
    Column("rank", Integer, nullable=False),
    Column("selected", Boolean, nullable=False),
)

backtest_trades = Table(
    "backtest_trades",
    metadata,
    _run_key(),
    Column("sample", String(8), primary_key=True),
    Column("variant", Integer, primary_key=True),
    Column("trade_no", Integer, primary_key=True),
    Column("event_id", String(120), nullable=False),
    Column("ticker", String(20), nullable=False),
    Column("role", String(20)),
    Column("side", Integer, nullable=False),
    Column("day0_date", Date),
    Column("day0_move", Float),
    Column("entry_date", Date, nullable=False),
    Column("entry_at", String(5), nullable=False),
    Column("delayed", Boolean, nullable=False),
    Column("entry_price", Float, nullable=False),
    Column("exit_date", Date, nullable=False),
    Column("exit_price", Float, nullable=False),
    Column("exit_reason", String(20), nullable=False),
    Column("shares", Float, nullable=False),
    Column("notional", Float, nullable=False),
    Column("pnl", Float, nullable=False),
    Column("hedge_ticker", String(20)),
    Column("hedge_beta", Float),
    Column("hedge_pnl", Float),
    Column("trade_return", Float),
)

backtest_walk_forward = Table(
    "backtest_walk_forward",
    metadata,
    _run_key(),
    Column("mode", String(10), nullable=False),
    Column("train", String(10), nullable=False),
    Column("test", String(10), nullable=False),
    Column("start", Date),
    Column("select_by", String(40), nullable=False),
    Column("n_folds", Integer, nullable=False),
    Column("span_start", Date),
    Column("span_end", Date),
    *_metric_columns(),
)

backtest_folds = Table(
    "backtest_folds",
    metadata,
    _run_key(),
    Column("fold", Integer, primary_key=True),
    Column("train_start", Date, nullable=False),
    Column("train_end", Date, nullable=False),
    Column("test_start", Date, nullable=False),
    Column("test_end", Date, nullable=False),
    Column("train_events", Integer, nullable=False),
    Column("test_events", Integer, nullable=False),
    Column("variant", Integer),
    Column("label", Text),
    Column("is_value", Float),
    Column("oos_value", Float),
    Column("oos_total_return", Float),
    Column("oos_trades", Integer, nullable=False),
    Column("note", Text, nullable=False),
)

BACKTEST_CHILD_TABLES = (backtest_results, backtest_trades, backtest_walk_forward, backtest_folds)
