"""Stops and targets on the entry session after an open fill, the within-bar order, gaps at the open.

Real prices (shared CSV files): AMD 2025-10-06 opened 226.45, high 226.71, low 203.01 (the OpenAI
deal, announced before that open); ORCL opened 14.5 % below its 2025-12-10 close on 2025-12-11.
"""

from __future__ import annotations

import pytest

from backtest_testlib import OPENAI_AMD, amd_spec, event, events, prices, raw  # noqa: F401  (fixtures)
from eventstudy.backtest.engine import simulate

spec = amd_spec


@pytest.mark.parametrize("engine", ["trades", "portfolio"])
def test_stop_reached_on_the_entry_session_exits_there_at_the_stop(prices, raw, engine):
    day = raw["AMD"].loc["2025-10-06"]
    stop = day["Open"] * 0.95
    assert day["Low"] < stop < day["Open"]  # the session after the open fill went through the stop
    res = simulate(spec(exit={"hold": 2, "stop_loss": 0.05}, costs={"fees": 0.001, "slippage": 0.002}),
                   OPENAI_AMD, prices, engine=engine)
    (t,) = res.trades.to_dict("records")
    assert str(t["exit_date"].date()) == "2025-10-06" and t["exit_reason"] == "stop-loss"
    entry_px, exit_px = day["Open"] * 1.002, stop * 0.998
    assert t["entry_price"] == pytest.approx(entry_px, rel=1e-6)
    assert t["exit_price"] == pytest.approx(exit_px, rel=1e-6)
    shares = 10_000 / day["Open"]  # a notional buys V / quoted price shares; slippage makes the fill dearer
    hand = shares * (exit_px - entry_px) - 0.001 * shares * (entry_px + exit_px)
    assert t["pnl"] == pytest.approx(hand, rel=1e-6)
    # The account holds that loss from the entry session on.
    equity = res.equity.iloc[:, 0]
    assert equity.loc["2025-10-06":].to_numpy() == pytest.approx(100_000 + hand, rel=1e-9)


def test_when_stop_and_target_both_lie_in_the_entry_session_the_stop_comes_first(prices, raw):
    day = raw["AMD"].loc["2025-10-06"]
    assert day["High"] >= day["Open"] * 1.001 and day["Low"] <= day["Open"] * 0.95
    both = simulate(spec(exit={"hold": 2, "stop_loss": 0.05, "take_profit": 0.001}), OPENAI_AMD, prices).trades.iloc[0]
    assert both["exit_reason"] == "stop-loss" and both["exit_price"] == pytest.approx(day["Open"] * 0.95, rel=1e-6)
    target = simulate(spec(exit={"hold": 2, "take_profit": 0.001}), OPENAI_AMD, prices).trades.iloc[0]
    assert target["exit_reason"] == "take-profit" and str(target["exit_date"].date()) == "2025-10-06"
    assert target["exit_price"] == pytest.approx(day["Open"] * 1.001, rel=1e-6)


def test_a_gap_through_the_stop_fills_at_the_open(prices, raw):
    orcl = raw["ORCL"]
    entry, nxt = orcl.loc["2025-12-10", "Close"], orcl.loc["2025-12-11", "Open"]
    assert nxt < entry * 0.95
    ev = events(event("orcl", "ORCL", "2025-12-10", "pre-open"))
    t = simulate(spec(entry={"k": 0, "at": "close"}, exit={"hold": 3, "stop_loss": 0.05}), ev, prices).trades.iloc[0]
    assert str(t["exit_date"].date()) == "2025-12-11" and t["exit_reason"] == "stop-loss"
    assert t["exit_price"] == pytest.approx(nxt, rel=1e-6)
