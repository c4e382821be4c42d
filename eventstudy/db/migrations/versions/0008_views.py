"""Analyst views (event_reactions, claim_checks, study_summary, backtest_summary) and the stored results they read.

New tables: study_cars and study_caar (per-event CAR with t/p and CAAR per window, written with
each study run), claim_check_runs and claim_results (each claim check of the main job).  The
views are plain SQL valid on SQLite and PostgreSQL; identifiers that are keywords
("window", "group") are double-quoted.  Units: *_pct columns are percent, *_days and
window_* columns trading-day offsets from day 0.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# One row per stored study run x event x listed party.  Raw returns are close-to-close price
# returns on the ticker's own sessions (dividends not included), like the claim check.
EVENT_REACTIONS_ALL = """
CREATE VIEW event_reactions_all AS
SELECT
    f.run_id AS study_run_id,
    r.model,
    r.benchmark,
    e.id AS event_id,
    e.title,
    e.announced,
    f.day0,
    e.timing,
    e.deal_type,
    f.ticker,
    (SELECT p.role FROM event_parties p WHERE p.event_id = f.event_id AND p.ticker = f.ticker
      ORDER BY p.position LIMIT 1) AS role,
    (SELECT p.name FROM event_parties p WHERE p.event_id = f.event_id AND p.ticker = f.ticker
      ORDER BY p.position LIMIT 1) AS party,
    f.status,
    100.0 * ((SELECT px.close FROM prices px WHERE px.ticker = f.ticker AND px.date = f.day0)
      / (SELECT px.close FROM prices px WHERE px.ticker = f.ticker AND px.date < f.day0
         ORDER BY px.date DESC LIMIT 1) - 1.0) AS raw_return_day0_pct,
    100.0 * (SELECT a.ar FROM abnormal_returns a WHERE a.run_id = f.run_id AND a.event_id = f.event_id
      AND a.ticker = f.ticker AND a.event_day = 0) AS abnormal_return_day0_pct,
    c0.car_t AS t_day0,
    c0.car_p AS p_day0,
    100.0 * ((SELECT px.close FROM prices px WHERE px.ticker = f.ticker AND px.date >= f.day0
         ORDER BY px.date LIMIT 1 OFFSET 2)
      / (SELECT px.close FROM prices px WHERE px.ticker = f.ticker AND px.date < f.day0
         ORDER BY px.date DESC LIMIT 1) - 1.0) AS raw_return_0_2_pct,
    100.0 * (SELECT SUM(a.ar) FROM abnormal_returns a WHERE a.run_id = f.run_id AND a.event_id = f.event_id
      AND a.ticker = f.ticker AND a.event_day BETWEEN 0 AND 2) AS car_0_2_pct,
    c2.car_t AS t_0_2,
    c2.car_p AS p_0_2,
    f.confounded,
    f.confounded_by
FROM study_firms f
JOIN study_runs r ON r.run_id = f.run_id
JOIN events e ON e.id = f.event_id
LEFT JOIN study_cars c0 ON c0.run_id = f.run_id AND c0.event_id = f.event_id AND c0.ticker = f.ticker
    AND c0.window_start = 0 AND c0.window_end = 0
LEFT JOIN study_cars c2 ON c2.run_id = f.run_id AND c2.event_id = f.event_id AND c2.ticker = f.ticker
    AND c2.window_start = 0 AND c2.window_end = 2
"""

EVENT_REACTIONS = """
CREATE VIEW event_reactions AS
SELECT x.* FROM event_reactions_all x
WHERE x.study_run_id = (SELECT MAX(f2.run_id) FROM study_firms f2
                        WHERE f2.event_id = x.event_id AND f2.ticker = x.ticker)
"""

# The latest stored check of each event's claims.
CLAIM_CHECKS = """
CREATE VIEW claim_checks AS
SELECT
    c.event_id,
    e.title,
    c.ticker,
    c.window_start,
    c.window_end,
    c.from_date,
    c.to_date,
    c.claimed_move_pct,
    c.qualifier,
    c.measure,
    c.measured_move_pct,
    k.benchmark,
    c.benchmark_move_pct,
    c.abnormal_move_pct,
    c.car_pct,
    c.intraday_high_pct,
    c.tolerance_pp,
    c.verdict,
    c.note,
    c.source,
    c.quote,
    c.check_id,
    k.checked_at,
    k.study_run_id
FROM claim_results c
JOIN claim_check_runs k ON k.check_id = c.check_id
JOIN events e ON e.id = c.event_id
WHERE c.check_id = (SELECT MAX(c2.check_id) FROM claim_results c2 WHERE c2.event_id = c.event_id)
"""

# Tests over all events (study_tests rows without a group) beside the window's CAAR.
STUDY_SUMMARY = """
CREATE VIEW study_summary AS
SELECT
    t.run_id AS study_run_id,
    r.created_at,
    r.model,
    r.benchmark,
    t.measure,
    t."window" AS window_label,
    w.window_start,
    w.window_end,
    100.0 * w.caar AS caar_pct,
    100.0 * w.mean_bhar AS mean_bhar_pct,
    100.0 * w.median_car AS median_car_pct,
    w.n AS n_firms,
    t.test,
    t.statistic,
    t.pvalue,
    t.n AS test_n,
    t.reason
FROM study_tests t
JOIN study_runs r ON r.run_id = t.run_id
LEFT JOIN study_caar w ON w.run_id = t.run_id AND w.window_label = t."window"
WHERE t.group_col IS NULL
"""

BACKTEST_SUMMARY = """
CREATE VIEW backtest_summary AS
SELECT
    b.run_id AS backtest_run_id,
    b.name AS strategy,
    b.created_at,
    v.sample,
    v.variant,
    v.label,
    v."rank",
    v.selected,
    v.k AS entry_offset_days,
    v.hold AS hold_days,
    100.0 * v.stop_loss AS stop_loss_pct,
    100.0 * v.take_profit AS take_profit_pct,
    v.trailing,
    v.role,
    v.benchmark,
    v.hedge,
    v.trades,
    100.0 * v.total_return AS total_return_pct,
    100.0 * v.cagr AS cagr_pct,
    v.sharpe,
    v.sortino,
    100.0 * v.max_drawdown AS max_drawdown_pct,
    100.0 * v.win_rate AS win_rate_pct,
    100.0 * v.avg_trade AS avg_trade_pct,
    100.0 * v.exposure AS exposure_pct,
    100.0 * v.bh_total_return AS buy_hold_return_pct,
    v.bh_sharpe AS buy_hold_sharpe,
    100.0 * v.spy_total_return AS spy_return_pct,
    v.spy_sharpe
FROM backtest_results v
JOIN backtest_runs b ON b.run_id = v.run_id
"""

VIEWS = (
    ("event_reactions_all", EVENT_REACTIONS_ALL),
    ("event_reactions", EVENT_REACTIONS),
    ("claim_checks", CLAIM_CHECKS),
    ("study_summary", STUDY_SUMMARY),
    ("backtest_summary", BACKTEST_SUMMARY),
)


def _run_key() -> sa.Column:
    return sa.Column("run_id", sa.Integer, sa.ForeignKey("study_runs.run_id", ondelete="CASCADE"), primary_key=True)


def upgrade() -> None:
    op.create_table(
        "study_cars",
        _run_key(),
        sa.Column("event_id", sa.String(120), primary_key=True),
        sa.Column("ticker", sa.String(20), primary_key=True),
        sa.Column("window_start", sa.Integer, primary_key=True),
        sa.Column("window_end", sa.Integer, primary_key=True),
        sa.Column("car", sa.Float),
        sa.Column("car_se", sa.Float),
        sa.Column("car_t", sa.Float),
        sa.Column("car_p", sa.Float),
        sa.Column("bhar", sa.Float),
    )
    op.create_table(
        "study_caar",
        _run_key(),
        sa.Column("window_start", sa.Integer, primary_key=True),
        sa.Column("window_end", sa.Integer, primary_key=True),
        sa.Column("window_label", sa.String(20), nullable=False),
        sa.Column("caar", sa.Float),
        sa.Column("mean_bhar", sa.Float),
        sa.Column("median_car", sa.Float),
        sa.Column("n", sa.Integer, nullable=False),
    )
    op.create_table(
        "claim_check_runs",
        sa.Column("check_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("benchmark", sa.String(20), nullable=False),
        sa.Column("study_run_id", sa.Integer, sa.ForeignKey("study_runs.run_id", ondelete="SET NULL")),
        sa.Column("tolerance_pp", sa.Float, nullable=False),
        sa.Column("tolerance_rel", sa.Float, nullable=False),
    )
    op.create_table(
        "claim_results",
        sa.Column("check_id", sa.Integer, sa.ForeignKey("claim_check_runs.check_id", ondelete="CASCADE"), primary_key=True),
        sa.Column("row_no", sa.Integer, primary_key=True),
        sa.Column("event_id", sa.String(120), nullable=False),
        sa.Column("ticker", sa.String(20), nullable=False),
        sa.Column("window_start", sa.Integer, nullable=False),
        sa.Column("window_end", sa.Integer, nullable=False),
        sa.Column("day0", sa.Date),
        sa.Column("from_date", sa.Date),
        sa.Column("to_date", sa.Date),
        sa.Column("claimed_move_pct", sa.Float, nullable=False),
        sa.Column("qualifier", sa.String(20), nullable=False),
        sa.Column("measure", sa.String(20), nullable=False),
        sa.Column("measured_move_pct", sa.Float),
        sa.Column("benchmark_move_pct", sa.Float),
        sa.Column("abnormal_move_pct", sa.Float),
        sa.Column("car_pct", sa.Float),
        sa.Column("intraday_high_pct", sa.Float),
        sa.Column("tolerance_pp", sa.Float, nullable=False),
        sa.Column("verdict", sa.String(20), nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("source", sa.Text),
        sa.Column("quote", sa.Text),
    )
    op.create_index("ix_claim_results_event_id", "claim_results", ["event_id"])
    for _, sql in VIEWS:
        op.execute(sql)


def downgrade() -> None:
    for name, _ in reversed(VIEWS):
        op.execute(f"DROP VIEW IF EXISTS {name}")
    op.drop_index("ix_claim_results_event_id", table_name="claim_results")
    for name in ("claim_results", "claim_check_runs", "study_caar", "study_cars"):
        op.drop_table(name)
