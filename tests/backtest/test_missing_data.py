"""Missing data is handled like the event study does: unpriced event-firms are skipped with their
reason, and a variant that cannot trade says why (never a bare NaN)."""

from __future__ import annotations

import numpy as np

from backtest_testlib import event, events, prices  # noqa: F401  (fixtures)
from eventstudy.backtest.sweep import run_backtest
from eventstudy.backtest.spec import StrategySpec

EV = events(event("a", "AMD", "2025-10-06", "pre-open", role="supplier"),
            event("s", "9984.T", "2025-10-06", "pre-open", role="investor"),
            event("n", "NVDA", "2025-09-22", "pre-open", role="investor"))


def test_an_unpriced_ticker_is_skipped_with_its_reason_and_the_rest_trades(prices):
    assert "9984.T" not in prices.tickers
    res = run_backtest(StrategySpec(name="m", exit={"hold": 2}), EV, prices)
    assert set(res.trades["event_id"]) == {"a", "n"}
    skipped = res.skipped_table()
    assert skipped.loc[skipped["ticker"] == "9984.T", "reason"].tolist() == ["no prices for this ticker in the database"]
    assert res.results["note"].tolist() == [""]


def test_variants_that_cannot_trade_say_why(prices):
    spec = StrategySpec(name="m", exit={"hold": 2}, sweep={"role": ["all", "announcer", "investor"], "hedge": [False, True]},
                        hedge={"benchmark": "NOPE"})
    res = run_backtest(spec, EV, prices).results.set_index(["role", "hedge"])
    assert res.loc[("announcer", False), "note"] == "no listed party with role announcer"
    assert res.loc[("announcer", False), "trades"] == 0 and np.isnan(res.loc[("announcer", False), "sharpe"])
    assert res.loc[("all", True), "note"] == ("all 3 planned trade(s) skipped: no prices for this ticker in the database (1); "
                                              "no prices for the hedge benchmark NOPE (2)")
    # Only 9984.T and NVDA are investors; NVDA trades, so the variant trades.
    assert res.loc[("investor", False), "note"] == "" and res.loc[("investor", False), "trades"] == 1
    assert res.loc[("all", False), "note"] == ""
