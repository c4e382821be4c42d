"""Walk-forward out of sample: folds by date, each choice made on earlier outcomes only, the stitched record."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from backtest_testlib import event, events, prices  # noqa: F401  (fixtures)
from eventstudy.backtest import load_spec
from eventstudy.backtest.engine import simulate
from eventstudy.backtest.spec import StrategySpec, WalkForward
from eventstudy.backtest.sweep import run_backtest
from eventstudy.exceptions import ConfigError

D = dt.date

# Pre-open events on weekdays, 2024-01 .. 2024-12: on the first weekday of each month (AMD, NVDA, ORCL,
# INTC), and three weekdays before each month's last one (AMD, INTC: their 4-session trades would
# still be open when a test period starts on the 1st).
MONTHLY = events(*[event(f"{tk}-{day:%Y%m%d}", tk, str(day.date()), "pre-open")
                   for day in pd.bdate_range("2024-01-01", "2024-12-31", freq="BMS")
                   for tk in ("AMD", "NVDA", "ORCL", "INTC")],
                 *[event(f"{tk}-{(day - pd.offsets.BDay(3)):%Y%m%d}", tk, str((day - pd.offsets.BDay(3)).date()), "pre-open")
                   for day in pd.bdate_range("2024-01-01", "2024-12-31", freq="BME")
                   for tk in ("AMD", "INTC")])


def _spec(mode: str = "rolling", **wf) -> StrategySpec:
    return StrategySpec(
        name="wf", direction="long", entry={"k": 0, "at": "open"}, exit={"hold": 3}, start="2024-01-01", end="2024-12-31",
        sweep={"hold": [1, 4], "stop_loss": [None, 0.04]},
        oos={"walk_forward": {"mode": mode, "train": "4M", "test": "2M", **wf}, "select_by": "sharpe"})


def test_folds_by_calendar_period_rolling_and_expanding():
    rolling = WalkForward(mode="rolling", train="6M", test="3M").folds(D(2024, 1, 1), D(2024, 12, 31))
    assert [(f.train_start, f.train_end, f.test_start, f.test_end) for f in rolling] == [
        (D(2024, 1, 1), D(2024, 6, 30), D(2024, 7, 1), D(2024, 9, 30)),
        (D(2024, 4, 1), D(2024, 9, 30), D(2024, 10, 1), D(2024, 12, 31)),
    ]
    expanding = WalkForward(mode="expanding", train="1Y", test="90D", start="2023-01-01").folds(D(2022, 5, 1), D(2024, 6, 1))
    assert [f.train_start for f in expanding] == [D(2023, 1, 1)] * 2
    assert [(f.test_start, f.test_end) for f in expanding] == [(D(2024, 1, 1), D(2024, 3, 30)), (D(2024, 3, 31), D(2024, 6, 1))]
    assert WalkForward(train="2Y", test="1M").folds(D(2024, 1, 1), D(2025, 12, 31)) == []


@pytest.fixture(scope="module")
def recorded(prices):  # noqa: F811
    """The rolling walk-forward run, with every event set the engine was handed (train, test, reference)."""
    calls = []

    def spy(spec, ev, px, variants, **kw):
        calls.append((ev.copy(), list(variants)))
        return simulate(spec, ev, px, variants, **kw)

    spec = _spec()
    return spec, run_backtest(spec, MONTHLY, prices, simulate_fn=spy), calls


def test_each_fold_chooses_on_trades_closed_before_its_test_period_and_trades_only_it(recorded, prices):  # noqa: F811
    spec, res, calls = recorded
    folds = res.walk_forward.folds
    assert len(folds) == 4  # tests May-Jun, Jul-Aug, Sep-Oct, Nov-Dec 2024
    grid = spec.variants()
    fold_calls = [c for c in calls if len(c[1]) == len(grid)][:-1]  # train runs; the last full-grid run is the reference
    test_calls = [c for c in calls if len(c[1]) == 1]
    assert len(fold_calls) == len(test_calls) == 4
    day = MONTHLY["announced"].astype("datetime64[ns]")
    for f, (train, _), (test, one) in zip(folds.itertuples(), fold_calls, test_calls):
        start, test_start = pd.Timestamp(f.train_start), pd.Timestamp(f.test_start)
        assert start == test_start - pd.DateOffset(months=4)
        # Every trade the choice was made on had exited before the test period began...
        trades = simulate(spec, train, prices, grid).trades
        assert len(trades) and (trades["exit_date"] < test_start).all(), f.fold
        # ... the late events of the month before were left out for it (purged), and nothing older.
        in_span = MONTHLY.loc[(day >= start) & (day < test_start)]
        left_out = in_span.loc[~in_span["event_id"].isin(train["event_id"])]
        assert len(left_out) == 2 and (left_out["announced"].astype("datetime64[ns]") > test_start - pd.Timedelta(days=10)).all()
        # The choice is the variant with the highest Sharpe on those events, computed independently.
        sharpe = simulate(spec, train, prices, grid).metrics["sharpe"]
        assert f.variant == int(sharpe.idxmax()) and f.is_value == pytest.approx(sharpe.max(), rel=1e-12)
        assert one == [grid[f.variant]]
        # It is traded on exactly the events announced in the test period.
        expect = MONTHLY.loc[(day >= test_start) & (day <= pd.Timestamp(f.test_end)), "event_id"]
        assert sorted(test["event_id"]) == sorted(expect) and f.test_events == len(expect)


def test_stitched_record_is_the_chosen_variants_test_trades_on_one_capital(recorded):
    spec, res, _ = recorded
    wf = res.walk_forward
    t = res.trades.loc[res.trades["sample"] == "wf"]
    assert len(t) == wf.folds["oos_trades"].sum() == wf.stitched["trades"]
    # Sizing never compounds: the final value is capital plus every trade's P&L.
    total = (t["pnl"] + t["hedge_pnl"].fillna(0.0)).sum() / spec.capital
    assert wf.stitched["total_return"] == pytest.approx(total, rel=1e-9)
    assert wf.equity.iloc[-1] == pytest.approx(spec.capital * (1 + total), rel=1e-12)
    # Sharpe of the stitched curve from its own daily returns (mean / sd * sqrt(252)), the first one
    # from the starting capital (the curve starts the session before the first entry).
    v = wf.equity.to_numpy()
    r = pd.Series(v / np.r_[spec.capital, v[:-1]] - 1.0)
    assert wf.stitched["sharpe"] == pytest.approx(r.mean() / r.std(ddof=1) * np.sqrt(252), rel=1e-9)
    assert wf.stitched["win_rate"] == pytest.approx(((t["pnl"] + t["hedge_pnl"].fillna(0)) > 0).mean())
    # Each fold's trades belong to its own test events and its chosen variant.
    for f in wf.folds.itertuples():
        mine = t.loc[t["variant"] == f.variant]
        assert len(mine) >= f.oos_trades
    # The reference grid covers the whole test span; the last fold's choice is the reported variant.
    assert res.best_variant() == wf.folds["variant"].iloc[-1]
    assert res.selection() is None and res.report_sample == "out"


def test_expanding_trains_from_the_start(prices):  # noqa: F811
    res = run_backtest(_spec("expanding"), MONTHLY, prices)
    folds = res.walk_forward.folds
    assert (folds["train_start"] == D(2024, 1, 1)).all()
    assert folds["train_events"].is_monotonic_increasing and folds["train_events"].iloc[-1] > folds["train_events"].iloc[0]


def test_a_train_span_longer_than_the_events_is_a_located_error(prices, tmp_path):  # noqa: F811
    path = tmp_path / "wf.yaml"
    path.write_text("name: x\noos:\n  walk_forward:\n    train: 2Y\n    test: 1M\n")
    with pytest.raises(ConfigError) as info:
        run_backtest(load_spec(path), MONTHLY, prices)
    assert f"{path}:4:12: oos.walk_forward.train" in str(info.value) and "fewer than 1 fold" in str(info.value)


@pytest.mark.parametrize("text,where,message", [
    ("oos:\n  walk_forward: {train: 0M, test: 1M}\n", "3:25: oos.walk_forward.train", "positive period"),
    ("oos:\n  walk_forward: {train: 6M, test: -1M}\n", "3:35: oos.walk_forward.test", "positive calendar period such as 2Y"),
    ("oos:\n  walk_forward: {train: 6M, test: 3X}\n", "3:35: oos.walk_forward.test", "calendar period such as 2Y"),
    ("oos:\n  walk_forward: {train: 6, test: 3M}\n", "3:25: oos.walk_forward.train", "calendar period such as 2Y"),
    ("oos:\n  walk_forward: {mode: sliding, train: 6M, test: 3M}\n", "3:24: oos.walk_forward.mode", "'rolling'"),
    ("oos:\n  walk_forward: {train: 6M, test: 3M, every: 1M}\n", "3:39: oos.walk_forward.every", "allowed keys here: mode, train, test, start"),
    ("oos:\n  split: 2025-01-01\n  walk_forward: {train: 6M, test: 3M}\n", "3:3: oos", "exclude each other"),
    ("oos:\n  select_by: sharpe\n", "3:3: oos", "needs split"),
    ("start: 2025-01-01\nend: 2025-06-30\noos:\n  walk_forward: {train: 6M, test: 1M}\n",
     "5:25: oos.walk_forward.train", "fewer than 1 fold"),
])
def test_bad_walk_forward_specs_name_file_line_and_field(tmp_path, text, where, message):
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\n" + text)
    with pytest.raises(ConfigError) as info:
        load_spec(path)
    assert f"{path}:{where}" in str(info.value) and message in str(info.value)


def test_store_and_read_back_the_folds_and_the_stitched_record(recorded, sqlite_url):
    from eventstudy.db import open_db
    from eventstudy.db.backtests import delete_run, load_run, save_result

    spec, res, _ = recorded
    engine = open_db(sqlite_url)
    run_id = save_result(engine, res, trades_top=1)
    stored = load_run(engine, run_id)
    wf = res.walk_forward
    assert stored["run"]["spec"] == spec and stored["run"]["best_variant"] == res.best_variant()
    assert stored["walk_forward"]["n_folds"] == len(wf.folds) and stored["walk_forward"]["mode"] == "rolling"
    assert stored["walk_forward"]["sharpe"] == pytest.approx(wf.stitched["sharpe"], rel=1e-12)
    assert stored["walk_forward"]["span_start"] == wf.stitched["span_start"].date()
    folds = stored["folds"]
    assert folds["variant"].tolist() == wf.folds["variant"].tolist()
    assert [str(d) for d in folds["test_start"]] == [str(d) for d in wf.folds["test_start"]]
    np.testing.assert_allclose(folds["oos_value"].to_numpy(float), wf.folds["oos_value"].to_numpy(float), rtol=1e-12)
    # Every stitched trade is kept, whatever trades_top says.
    assert (stored["trades"]["sample"] == "wf").sum() == wf.stitched["trades"]
    delete_run(engine, run_id)  # children first: folds and the stitched row go with the run
    with engine.connect() as conn:
        left = [conn.exec_driver_sql(f"SELECT COUNT(*) FROM {t}").scalar() for t in ("backtest_folds", "backtest_walk_forward")]
    assert left == [0, 0]
    engine.dispose()
