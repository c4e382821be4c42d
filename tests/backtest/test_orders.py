"""Tonight's orders: events whose entry falls after the last priced session (real prices end 2026-05-29)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from backtest_testlib import event, events, prices  # noqa: F401  (fixtures)
from eventstudy.backtest import load_spec
from eventstudy.backtest.orders import ORDER_COLUMNS, pending_orders
from eventstudy.backtest.spec import StrategySpec
from conftest import REPO

LAST = pd.Timestamp("2026-05-29")  # last session of the shared files (a Friday)
AMD_SUPPLIER = events(event("amd-supplier", "AMD", "2026-05-29", "after-close", role="supplier"))


def test_amd_supplier_news_after_the_last_close_is_bought_at_the_next_close(prices):
    assert prices.sessions[-1] == LAST
    spec = load_spec(REPO / "examples" / "strategies" / "counterparty-close-hold5.yaml")
    (order,) = pending_orders(spec, AMD_SUPPLIER, prices).to_dict("records")
    assert (order["ticker"], order["side"], order["at"]) == ("AMD", "buy", "close")
    # After-close news on Friday 2026-05-29: day 0 = Monday 2026-06-01; exit 5 sessions later.
    assert order["session"] == dt.date(2026, 6, 1) and order["exit_session"] == dt.date(2026, 6, 8)
    assert order["notional"] == 10_000
    assert order["ref_price"] == pytest.approx(prices.close[-1, prices.column("AMD")])


def test_events_already_traded_give_no_order_and_asof_moves_the_cut(prices):
    spec = StrategySpec(name="s", entry={"k": 0, "at": "open"}, exit={"hold": 2, "stop_loss": 0.05},
                        hedge={"enabled": True, "benchmark": "SPY"})
    old = events(event("old", "NVDA", "2026-05-20", "pre-open"), event("new", "NVDA", "2026-05-28", "after-close"))
    assert pending_orders(spec, old, prices).empty  # both entries are priced sessions already
    (order,) = pending_orders(spec, old, prices, asof=dt.date(2026, 5, 28)).to_dict("records")
    assert order["event_id"] == "new" and order["session"] == dt.date(2026, 5, 29) and order["at"] == "open"
    assert order["stop_price_est"] == pytest.approx(order["ref_price"] * 0.95)
    assert order["hedge_ticker"] == "SPY" and order["hedge_side"] == "sell" and order["hedge_beta"] > 0
    assert order["hedge_notional"] == pytest.approx(order["hedge_beta"] * 10_000)
    assert list(pending_orders(spec, old, prices).columns) == ORDER_COLUMNS


def test_news_announced_after_tonight_is_not_an_order_yet(prices):
    spec = StrategySpec(name="s", entry={"k": 0, "at": "open"}, exit={"hold": 2})
    later = events(event("later", "NVDA", "2026-05-27", "pre-open"), event("next", "AMD", "2026-05-22", "pre-open"))
    # Tonight is the close of Thursday 2026-05-21: Friday's pre-open news may be known, Wednesday's is not.
    got = pending_orders(spec, later, prices, asof=dt.date(2026, 5, 21))
    assert got["event_id"].tolist() == ["next"] and got["session"].tolist() == [dt.date(2026, 5, 22)]
