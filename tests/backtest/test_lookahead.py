"""No look-ahead: each timing rule places the earliest fill where the issue says, and sizing/hedge
inputs do not change when every price from the entry session on is altered.

Calendar used: Fri 2025-10-03, (weekend), Mon 2025-10-06, Tue 2025-10-07 are consecutive sessions.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from backtest_testlib import event, events, prices, raw  # noqa: F401  (fixtures)
from eventstudy.backtest.engine import simulate
from eventstudy.backtest.signals import earliest_slots
from eventstudy.backtest.spec import StrategySpec


def first_trade(prices, timing: str, announced: str, *, at: str, k: int = 0, direction: str = "long") -> dict:
    spec = StrategySpec(name="t", direction=direction, entry={"k": k, "at": at}, exit={"hold": 2})
    res = simulate(spec, events(event("e", "AMD", announced, timing)), prices)
    (trade,) = res.trades.to_dict("records")
    return trade


def when(trade: dict) -> tuple[str, str]:
    return str(trade["entry_date"].date()), trade["entry_at"]


def test_after_close_news_is_never_bought_at_that_close(prices):
    # News after Friday's close: the earliest fill is Monday's open, whatever is requested.
    assert when(first_trade(prices, "after-close", "2025-10-03", at="open")) == ("2025-10-06", "open")
    assert when(first_trade(prices, "after-close", "2025-10-03", at="close")) == ("2025-10-06", "close")


def test_pre_open_news_is_bought_at_that_open(prices):
    trade = first_trade(prices, "pre-open", "2025-10-06", at="open")
    assert when(trade) == ("2025-10-06", "open") and not trade["delayed"]


def test_intraday_news_is_not_bought_at_that_open(prices):
    trade = first_trade(prices, "intraday", "2025-10-06", at="open")
    assert when(trade) == ("2025-10-06", "close") and trade["delayed"]


def test_unknown_timing_is_treated_as_after_close(prices):
    for at in ("open", "close"):
        trade = first_trade(prices, "unknown", "2025-10-06", at=at)
        assert when(trade) == ("2025-10-07", "open") and trade["delayed"]
    # A later request is honoured as asked.
    assert when(first_trade(prices, "unknown", "2025-10-06", at="close", k=1)) == ("2025-10-07", "close")


def test_weekend_news_is_tradable_at_the_next_open(prices):
    for timing in ("pre-open", "intraday", "after-close"):
        assert when(first_trade(prices, timing, "2025-10-04", at="open")) == ("2025-10-06", "open")


def test_fading_needs_the_day0_close(prices, raw):
    trade = first_trade(prices, "pre-open", "2025-10-06", at="open", direction="fade")
    assert when(trade) == ("2025-10-06", "close") and trade["delayed"]
    amd = raw["AMD"]["Close"]
    assert trade["day0_move"] == pytest.approx(amd["2025-10-06"] / amd["2025-10-03"] - 1, rel=1e-12)
    assert trade["side"] == -1  # AMD jumped on day 0


def test_earliest_slots_table():
    sessions = pd.DatetimeIndex(["2025-10-02", "2025-10-03", "2025-10-06", "2025-10-07"])
    dates = np.array(["2025-10-03"] * 4 + ["2025-10-04"], dtype="datetime64[D]")
    timings = np.array(["pre-open", "intraday", "after-close", "unknown", "intraday"], dtype=object)
    day0, slot = earliest_slots(sessions, dates, timings)
    # slot 2s = open of session s, 2s+1 its close
    assert day0.tolist() == [1, 1, 2, 1, 2]
    assert slot.tolist() == [2, 3, 4, 4, 4]


def _scramble_from(prices, row: int, seed: int):
    """A copy of ``prices`` with every open/high/low/close from ``row`` on multiplied by random factors."""
    rng = np.random.default_rng(seed)
    changed = {}
    for name in ("open", "high", "low", "close"):
        a = getattr(prices, name).copy()
        a[row:] *= rng.uniform(0.5, 1.5, size=a[row:].shape)
        changed[name] = a
    return dataclasses.replace(prices, **changed)


@pytest.mark.parametrize("at", ["open", "close"])
def test_sizing_and_hedge_use_only_data_known_at_entry(prices, at):
    spec = StrategySpec(name="t", entry={"k": 1, "at": at}, exit={"hold": 3},
                        sizing={"method": "vol-scaled", "cash": 10_000, "target_vol": 0.3},
                        hedge={"enabled": True, "benchmark": "SPY"})
    ev = events(event("a", "AMD", "2025-10-06"), event("n", "NVDA", "2025-09-22", "intraday"))
    base = simulate(spec, ev, prices).trades.set_index("event_id")
    for i, eid in enumerate(base.index):
        entry_row = prices.sessions.get_loc(base.loc[eid, "entry_date"])
        # Entry at the open: its own open is known; alter from the next row.  At the close: from the entry close.
        # Either way everything after the decision point is scrambled, including the entry day's close.
        altered = _scramble_from(prices, entry_row + (1 if at == "open" else 0), seed=i)
        if at == "close":
            altered.close[entry_row] = prices.close[entry_row]  # the fill price itself is known at the fill
        again = simulate(spec, ev, altered).trades.set_index("event_id")
        if at == "open":
            altered_close = altered.close.copy()
            altered_close[entry_row] *= 1.3  # the entry day's close is unknown at its open
            again = simulate(spec, ev, dataclasses.replace(altered, close=altered_close)).trades.set_index("event_id")
        assert again.loc[eid, "shares"] == pytest.approx(base.loc[eid, "shares"], rel=1e-12)
        assert again.loc[eid, "hedge_beta"] == pytest.approx(base.loc[eid, "hedge_beta"], rel=1e-12)
        assert again.loc[eid, "entry_price"] == pytest.approx(base.loc[eid, "entry_price"], rel=1e-12)
        assert again.loc[eid, "pnl"] != pytest.approx(base.loc[eid, "pnl"], rel=1e-6)  # the future did change


def test_beta_matches_ols_on_the_estimation_window(prices, raw):
    """The hedge beta equals a numpy least-squares slope over day0-250 .. day0-11."""
    spec = StrategySpec(name="t", entry={"k": 0, "at": "close"}, exit={"hold": 2}, hedge={"enabled": True})
    trade = simulate(spec, events(event("a", "AMD", "2025-10-06")), prices).trades.iloc[0]
    closes = pd.DataFrame({t: raw[t]["Close"] for t in ("AMD", "SPY")}).dropna()
    rets = closes.pct_change()
    d0 = rets.index.get_loc(pd.Timestamp("2025-10-06"))
    window = rets.iloc[d0 - 250:d0 - 10]
    slope = np.polyfit(window["SPY"].to_numpy(), window["AMD"].to_numpy(), 1)[0]
    assert trade["hedge_beta"] == pytest.approx(slope, rel=1e-9)
