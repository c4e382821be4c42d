"""Trade accounting against hand computation on real AMD prices (SOURCES.md: 2025-10-06 open 226.45,
2025-10-08 close 235.56; the OpenAI deal was announced before the open of 2025-10-06)."""

from __future__ import annotations

import pytest

from backtest_testlib import OPENAI_AMD, amd_spec, event, events, prices, raw  # noqa: F401  (fixtures)
from eventstudy.backtest.engine import simulate

AMD_OPEN_1006 = 226.45
AMD_CLOSE_1008 = 235.56
AMD_CLOSE_1006 = 203.71


def test_buy_open_sell_close_two_sessions_later_is_plus_4_02_percent(prices):
    res = simulate(amd_spec(), OPENAI_AMD, prices)
    (trade,) = res.trades.to_dict("records")
    assert str(trade["entry_date"].date()) == "2025-10-06" and trade["entry_at"] == "open"
    assert str(trade["exit_date"].date()) == "2025-10-08" and trade["exit_reason"] == "time"
    assert round(trade["entry_price"], 4) == AMD_OPEN_1006
    assert round(trade["exit_price"], 4) == AMD_CLOSE_1008
    hand = AMD_CLOSE_1008 / AMD_OPEN_1006 - 1.0
    assert round(hand * 100, 2) == 4.02
    assert trade["return"] == pytest.approx(hand, abs=1e-7)  # file prices carry float32 artefacts
    # Portfolio: 10,000 of 100,000 invested, so the account gains a tenth of the trade's return.
    metrics = res.metrics.iloc[0]
    assert metrics["total_return"] == pytest.approx(hand / 10, abs=1e-8)
    assert metrics["trades"] == 1 and metrics["win_rate"] == 1.0
    # Marked to the 2025-10-06 close while held.
    shares = 10_000 / AMD_OPEN_1006
    assert res.equity.loc["2025-10-06"].iloc[0] == pytest.approx(100_000 + shares * (AMD_CLOSE_1006 - AMD_OPEN_1006), rel=1e-6)


@pytest.mark.parametrize("fees,slippage", [(0.001, 0.0), (0.0, 0.002), (0.0005, 0.001)])
def test_fees_and_slippage_lower_the_return_by_the_hand_computed_amount(prices, fees, slippage):
    res = simulate(amd_spec(costs={"fees": fees, "slippage": slippage}), OPENAI_AMD, prices)
    trade = res.trades.iloc[0]
    # Hand: V buys V / open shares at the quoted open; the fill costs open*(1+s) each plus fee f on
    # that cost; the shares are sold at close*(1-s) less fee f.  Return is on the cost of the shares.
    v = 10_000.0
    shares = v / AMD_OPEN_1006
    cost = shares * AMD_OPEN_1006 * (1 + slippage)
    proceeds = shares * AMD_CLOSE_1008 * (1 - slippage)
    pnl = proceeds * (1 - fees) - cost * (1 + fees)
    assert trade["shares"] == pytest.approx(shares, rel=1e-6)
    assert trade["pnl"] == pytest.approx(pnl, rel=1e-6)
    assert trade["return"] == pytest.approx(pnl / cost, rel=1e-6)
    gross = AMD_CLOSE_1008 / AMD_OPEN_1006 - 1.0
    assert trade["return"] < gross
    assert res.metrics.iloc[0]["total_return"] == pytest.approx(pnl / 100_000, rel=1e-6)


def test_short_side_mirrors_the_long(prices):
    res = simulate(amd_spec(direction="short"), OPENAI_AMD, prices)
    trade = res.trades.iloc[0]
    shares = 10_000 / AMD_OPEN_1006
    assert trade["side"] == -1
    assert trade["pnl"] == pytest.approx(shares * (AMD_OPEN_1006 - AMD_CLOSE_1008), rel=1e-6)


def test_take_profit_fills_at_the_target(prices, raw):
    # Enter at the 2025-10-06 close (203.71); the 2025-10-07.. high reaches +5 % within the holding period.
    res = simulate(amd_spec(entry={"k": 0, "at": "close"}, exit={"hold": 3, "take_profit": 0.05}), OPENAI_AMD, prices)
    trade = res.trades.iloc[0]
    target = AMD_CLOSE_1006 * 1.05
    highs = raw["AMD"].loc["2025-10-07":"2025-10-09", "High"]
    first_hit = highs.index[highs.to_numpy() >= target][0]
    assert trade["exit_reason"] == "take-profit"
    assert trade["exit_date"] == first_hit
    opened = raw["AMD"].loc[first_hit, "Open"]
    assert trade["exit_price"] == pytest.approx(max(target, opened), rel=1e-6)
