"""An independent accounting check: a multi-trade spec with fees and slippage replayed through a plain
pandas ledger (written here from the documented fill rules, not from the engine) agrees to the cent.

Rules (eventstudy.backtest.spec.Sizing, engine docstring): pre-open news is bought at that session's
open (k = 0, at open) and sold at the close ``hold`` sessions later; a notional V buys V / quoted price
shares; slippage moves each fill against the trade; fees are charged on each fill's value; the
account is capital + the trades' marked-to-market P&L (fixed-cash sizing never compounds).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from backtest_testlib import event, events, prices, raw  # noqa: F401  (fixtures)
from eventstudy.backtest.sweep import run_backtest
from eventstudy.backtest.spec import StrategySpec

FEES, SLIP, CASH, CAPITAL, HOLD = 0.001, 0.002, 10_000.0, 100_000.0, 3
EVENTS = [("a", "AMD", "2025-10-06"), ("b", "NVDA", "2025-09-22"), ("c", "ORCL", "2025-09-10"),
          ("d", "INTC", "2025-09-18"), ("e", "AMD", "2025-10-08"), ("f", "NVDA", "2025-09-23")]


def ledger(raw: dict[str, pd.DataFrame], side: int) -> tuple[pd.DataFrame, pd.Series]:
    """Trades and the account value at each close, from the CSV frames alone."""
    rows, calendar = [], raw["SPY"].index
    for eid, ticker, day in EVENTS:
        px = raw[ticker]
        i = px.index.get_loc(pd.Timestamp(day))
        quoted_in, quoted_out = px["Open"].iloc[i], px["Close"].iloc[i + HOLD]
        shares = CASH / quoted_in
        fill_in, fill_out = quoted_in * (1 + side * SLIP), quoted_out * (1 - side * SLIP)
        fee_in, fee_out = FEES * shares * fill_in, FEES * shares * fill_out
        rows.append(dict(event_id=eid, ticker=ticker, entry_date=px.index[i], exit_date=px.index[i + HOLD],
                         entry_price=fill_in, exit_price=fill_out, shares=shares, fee_in=fee_in,
                         pnl=side * shares * (fill_out - fill_in) - fee_in - fee_out))
    trades = pd.DataFrame(rows)
    value = pd.Series(CAPITAL, index=calendar)
    for t in trades.itertuples():
        close = raw[t.ticker]["Close"].reindex(calendar).ffill()
        held = (calendar >= t.entry_date) & (calendar < t.exit_date)
        value[held] += side * t.shares * (close[held] - t.entry_price) - t.fee_in
        value[calendar >= t.exit_date] += t.pnl
    return trades, value


@pytest.mark.parametrize("direction,side", [("long", 1), ("short", -1)])
def test_vectorbt_results_agree_with_a_plain_ledger_to_the_cent(prices, raw, direction, side):
    spec = StrategySpec(name="ledger", direction=direction, entry={"k": 0, "at": "open"}, exit={"hold": HOLD},
                        sizing={"method": "fixed-cash", "cash": CASH}, capital=CAPITAL,
                        costs={"fees": FEES, "slippage": SLIP})
    res = run_backtest(spec, events(*(event(e, t, d, "pre-open") for e, t, d in EVENTS)), prices)
    want, value = ledger(raw, side)
    got = res.trades.sort_values("event_id").reset_index(drop=True)
    assert list(got["event_id"]) == list(want["event_id"])
    assert (got["entry_date"] == want["entry_date"]).all() and (got["exit_date"] == want["exit_date"]).all()
    for col in ("entry_price", "exit_price", "shares"):
        np.testing.assert_allclose(got[col], want[col], rtol=1e-9, err_msg=col)
    np.testing.assert_allclose(got["pnl"], want["pnl"], atol=0.005)  # to the cent
    equity = res.equity["all"].iloc[:, 0]
    np.testing.assert_allclose(equity.to_numpy(), value.reindex(equity.index).to_numpy(), atol=0.005)
    total = res.results["total_return"].iloc[0]
    assert total * CAPITAL == pytest.approx(want["pnl"].sum(), abs=0.005)
