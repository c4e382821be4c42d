"""Overlapping events on one ticker each hold exactly N sessions; a sweep's variant equals a single run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from backtest_testlib import event, events, prices, raw  # noqa: F401  (fixtures)
from eventstudy.backtest.engine import simulate
from eventstudy.backtest.signals import assign_lanes
from eventstudy.backtest.spec import StrategySpec
from eventstudy.backtest.sweep import run_backtest

# Three AMD events one session apart, each held 5 sessions: all three are open on 2025-10-08.
OVERLAP = events(event("a", "AMD", "2025-10-06"), event("b", "AMD", "2025-10-07"), event("c", "AMD", "2025-10-08"),
                 event("d", "AMD", "2025-10-03", "after-close"))


def test_overlapping_events_each_exit_after_their_own_n_sessions(prices, raw):
    spec = StrategySpec(name="o", entry={"k": 0, "at": "open"}, exit={"hold": 5}, capital=1_000_000)
    res = simulate(spec, OVERLAP, prices)
    trades = res.trades.set_index("event_id").sort_index()
    assert len(trades) == 4
    sessions = raw["AMD"].index
    amd = raw["AMD"]
    for eid, row in trades.iterrows():
        i = sessions.get_loc(row["entry_date"])
        assert sessions[i + 5] == row["exit_date"], eid
        hand = amd["Close"].iloc[i + 5] / amd["Open"].iloc[i] - 1
        assert row["return"] == pytest.approx(hand, rel=1e-6), eid
    # "d" (after-close Friday) and "a" (pre-open Monday) enter at the same open and both hold.
    assert trades.loc["a", "entry_date"] == trades.loc["d", "entry_date"]
    assert res.info["lanes"] == 4  # four simultaneous trades -> four lanes


def test_lanes_never_overlap_and_reuse_freed_lanes():
    entry = np.array([0, 1, 2, 6, 7, 3])
    exit_ = np.array([5, 6, 2, 9, 8, 4])
    lanes = assign_lanes(entry, exit_)
    for lane in np.unique(lanes):
        idx = np.flatnonzero(lanes == lane)
        idx = idx[np.argsort(entry[idx])]
        assert np.all(entry[idx[1:]] > exit_[idx[:-1]])
    assert lanes.max() + 1 == 2 + 1  # at most three open at once (rows 0, 1 and 3 at session 3)


SWEEP_EVENTS = events(event("a", "AMD", "2025-10-06", role="supplier"), event("n", "NVDA", "2025-09-22", "intraday", role="investor"),
                      event("o", "ORCL", "2025-09-09", "after-close", role="supplier"),
                      event("i", "INTC", "2025-09-18", role="investee"), event("n2", "NVDA", "2025-09-18", role="investor"))


def sweep_spec() -> StrategySpec:
    return StrategySpec(
        name="grid", entry={"k": 0, "at": "open"}, exit={"hold": 3}, costs={"fees": 0.0005, "slippage": 0.0005},
        sizing={"method": "equal-weight"},
        sweep={"k": [0, 1], "hold": [2, 5], "stop_loss": [None, 0.04], "take_profit": [None, 0.08],
               "trailing": [False, True], "role": ["all", "supplier"], "benchmark": ["SPY", "QQQ"], "hedge": [False, True]},
    )


@pytest.mark.parametrize("engine", ["trades", "portfolio"])
def test_one_variant_of_a_sweep_equals_a_single_run_with_its_parameters(prices, engine):
    spec = sweep_spec().model_copy(update={"engine": engine})
    variants = spec.variants()
    grid = run_backtest(spec, SWEEP_EVENTS, prices, max_cells=1_000)  # several chunks on purpose
    assert grid.info["all"]["chunks"] > 1
    results = grid.ranked().set_index("variant")
    checked = 0
    for v, params in enumerate(variants):
        if not (params["hedge"] and params["stop_loss"] is not None and params["k"] == 1) and v % 7:
            continue
        single = run_backtest(spec.with_params(params), SWEEP_EVENTS, prices)
        one = single.ranked().iloc[0]
        for col in ("total_return", "sharpe", "sortino", "max_drawdown", "win_rate", "trades", "avg_trade", "exposure"):
            assert one[col] == pytest.approx(results.loc[v, col], rel=1e-10, nan_ok=True), (v, col)
        a = grid.trades_of(v).sort_values(["event_id"]).reset_index(drop=True)
        b = single.trades_of(0).sort_values(["event_id"]).reset_index(drop=True)
        pd.testing.assert_frame_equal(a.drop(columns=["variant"]), b.drop(columns=["variant"]), check_dtype=False)
        checked += 1
    assert checked > 10


def test_sweep_changes_what_it_should(prices):
    spec = sweep_spec()
    grid = run_backtest(spec, SWEEP_EVENTS, prices).ranked()
    hedged = grid.loc[grid["hedge"]]
    plain = grid.loc[~grid["hedge"]]
    assert len(hedged) == len(plain)
    # Role "supplier" keeps AMD and ORCL only.
    sup = grid.loc[(grid["role"] == "supplier") & ~grid["hedge"]]
    assert (sup["trades"] <= 2).all() and (grid.loc[grid["role"] == "all", "trades"] >= 4).all()
    # Stops can only shorten holding: exposure never rises when a stop is added.
    key = ["k", "hold", "role", "benchmark", "hedge", "take_profit", "trailing"]
    no_stop = grid.loc[grid["stop_loss"].isna() & ~grid["trailing"]].set_index(key[:-1])["exposure"]
    stop = grid.loc[grid["stop_loss"].notna() & ~grid["trailing"]].set_index(key[:-1])["exposure"]
    assert (stop <= no_stop.reindex(stop.index) + 1e-12).all()


def test_out_of_sample_picks_on_early_events_and_reports_later_ones(prices):
    spec = StrategySpec(name="oos", direction="follow", entry={"k": 0, "at": "close"}, exit={"hold": 3},
                        sweep={"hold": [1, 3, 5], "stop_loss": [None, 0.05]}, oos={"split": "2025-09-20", "select_by": "sharpe"})
    res = run_backtest(spec, SWEEP_EVENTS, prices)
    ins = res.results.loc[res.results["sample"] == "in"]
    out = res.results.loc[res.results["sample"] == "out"]
    best_in = ins.loc[ins["sharpe"].idxmax(), "variant"]
    assert res.best_variant() == best_in
    assert out.loc[out["selected"], "variant"].item() == best_in
    # Trades of each sample come only from its own events.
    split = pd.Timestamp("2025-09-20")
    t = res.trades
    assert set(t.loc[t["sample"] == "in", "event_id"]) == {"o", "i", "n2"}
    assert set(t.loc[t["sample"] == "out", "event_id"]) == {"a", "n"}
    assert (t.loc[t["sample"] == "out", "entry_date"] >= split).all()
    # The report leads with that pick: in- and out-of-sample figures side by side, its OOS rank.
    sel = res.selection().set_index("metric")
    assert sel.loc["variant", "in_sample"] == best_in == sel.loc["variant", "out_of_sample"]
    assert sel.loc["sharpe", "in_sample"] == ins["sharpe"].max()
    assert sel.loc["sharpe", "out_of_sample"] == out.loc[out["variant"] == best_in, "sharpe"].item()
    oos_rank = 1 + int((out["sharpe"].fillna(-np.inf) > out.loc[out["variant"] == best_in, "sharpe"].item()).sum())
    assert sel.loc["rank_by_sharpe", "out_of_sample"] == oos_rank and sel.loc["rank_by_sharpe", "in_sample"] == 1


@pytest.mark.parametrize("sizing", ["fixed-cash", "vol-scaled"])
def test_event_time_engine_equals_the_cash_sharing_portfolio(prices, sizing):
    """With enough capital, summing each trade's P&L (engine 'trades') is the cash-sharing portfolio."""
    base = sweep_spec()
    spec = base.model_copy(update={"sizing": base.sizing.model_copy(update={"method": sizing}), "capital": 1e6})
    a = run_backtest(spec, SWEEP_EVENTS, prices, engine="portfolio")
    b = run_backtest(spec, SWEEP_EVENTS, prices, engine="trades")
    assert a.info["all"]["engine"] == "portfolio" and b.info["all"]["engine"] == "trades"
    ra, rb = a.ranked().set_index("variant").sort_index(), b.ranked().set_index("variant").sort_index()
    assert (ra["peak_gross"] <= 1).all()  # capital never binds here
    for col in ("total_return", "sharpe", "sortino", "max_drawdown", "win_rate", "trades", "avg_trade", "exposure"):
        np.testing.assert_allclose(ra[col].to_numpy(float), rb[col].to_numpy(float), rtol=1e-9, atol=1e-12, err_msg=col)
    np.testing.assert_allclose(a.equity["all"].to_numpy(), b.equity["all"].to_numpy(), rtol=1e-12)
    ta = a.trades.sort_values(["variant", "event_id"]).reset_index(drop=True)
    tb = b.trades.sort_values(["variant", "event_id"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(ta, tb, check_dtype=False, rtol=1e-9)


def test_portfolio_engine_cuts_entries_when_cash_runs_short(prices):
    """Equal weight of 100 % per slot: after ORCL's loss the cash-sharing portfolio can buy less AMD."""
    spec = StrategySpec(name="cash", entry={"k": 0, "at": "open"}, exit={"hold": 2}, sizing={"method": "equal-weight"},
                        universe={"roles": ["supplier"]})
    ev = events(event("o", "ORCL", "2025-09-09", "after-close"), event("a", "AMD", "2025-10-06"))
    cut = run_backtest(spec, ev, prices, engine="portfolio").trades.set_index("event_id")
    full = run_backtest(spec, ev, prices, engine="trades").trades.set_index("event_id")
    assert full.loc["a", "notional"] == pytest.approx(100_000)
    assert cut.loc["o", "notional"] == pytest.approx(100_000)
    orcl_loss = -cut.loc["o", "pnl"]
    assert cut.loc["a", "notional"] == pytest.approx(100_000 - orcl_loss, rel=1e-9)


def test_large_grids_keep_the_trades_of_the_best_variants_only(prices):
    base = sweep_spec()
    spec = base.model_copy(update={"sweep": base.sweep.model_copy(update={"hold": [2, 3, 5]})})
    assert len(spec.variants()) > 200
    res = run_backtest(spec, SWEEP_EVENTS, prices, trades_top=5)
    ranked = res.ranked()
    assert set(res.trades["variant"]) == set(ranked.loc[ranked["rank"] <= 5, "variant"])
    best = res.best_variant()
    single = run_backtest(spec.with_params(spec.variants()[best]), SWEEP_EVENTS, prices)
    a = res.trades_of(best).sort_values("event_id").reset_index(drop=True).drop(columns="variant")
    b = single.trades_of(0).sort_values("event_id").reset_index(drop=True).drop(columns="variant")
    pd.testing.assert_frame_equal(a, b, check_dtype=False)
