"""The event-time engine's own fill kernels agree with vectorbt, the reference, to the cent.

vectorbt stays the engine of record: its ``Portfolio.from_signals`` (one column per trade, the
settings the ``trades`` engine mirrors) is run on the same real price windows and compared trade by
trade and session by session; the shipped strategies are compared against the ``portfolio`` engine
(vectorbt's cash-sharing simulation) end to end; the metrics against vectorbt's return kernels.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from backtest_testlib import prices  # noqa: F401  (fixture)
from eventstudy.backtest.trade_kernels import add_marks, fill_trades

REPO = Path(__file__).resolve().parents[2]
FEES, SLIPPAGE = 0.001, 0.0005


def _windows(prices, n: int, width: int, seed: int = 0) -> dict[str, np.ndarray]:
    """``n`` random (ticker, start) windows of ``width`` sessions of real OHLC, one column each."""
    rng = np.random.default_rng(seed)
    out = {name: np.empty((width, n)) for name in ("open", "high", "low", "close")}
    cols = [prices.column(t) for t in ("AMD", "NVDA", "ORCL", "INTC", "QQQ")]
    for t in range(n):
        while True:
            c, r = rng.choice(cols), rng.integers(0, len(prices.sessions) - width)
            block = {name: getattr(prices, name)[r:r + width, c] for name in out}
            if all(np.isfinite(b).all() for b in block.values()):
                break
        for name in out:
            out[name][:, t] = block[name]
    return out


def _random_trades(n: int, width: int, seed: int = 1) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "hold": rng.integers(1, width, n),
        "side": rng.choice([1, -1], n),
        "at_close": rng.random(n) < 0.4,
        "value": rng.uniform(1_000, 20_000, n),
        "sl": rng.choice([np.nan, 0.02, 0.05, 0.10], n),
        "tp": rng.choice([np.nan, 0.03, 0.08, 0.20], n),
        "trail": rng.random(n) < 0.3,
    }


def _vectorbt(w: dict, quote_open: np.ndarray, tr: dict):
    """The reference: vectorbt's from_signals with the settings the trades engine mirrors."""
    from eventstudy.backtest.vbt_kernels import vectorbt

    vbt = vectorbt()  # the simulator compiled once, kept in the shared numba cache
    width, n = w["close"].shape
    first = np.zeros((width, n), bool)
    first[0] = True
    last = np.zeros((width, n), bool)
    last[tr["hold"], np.arange(n)] = True
    long_, short = tr["side"] > 0, tr["side"] < 0
    price = np.full((width, n), np.inf)
    price[0] = np.where(tr["at_close"], np.inf, quote_open[0])
    size = np.zeros((width, n))
    size[0] = tr["value"]
    init = tr["value"] * 10.0
    pf = vbt.Portfolio.from_signals(
        w["close"], entries=first & long_, exits=last & long_, short_entries=first & short, short_exits=last & short,
        price=price, size=size, size_type="value", accumulate=False, fees=FEES, slippage=SLIPPAGE, init_cash=init,
        cash_sharing=False, freq="1D", max_logs=0, open=w["open"], high=w["high"], low=w["low"],
        sl_stop=tr["sl"][None, :], tp_stop=tr["tp"][None, :], sl_trail=tr["trail"][None, :],
        stop_entry_price="price", stop_exit_price="stopmarket", upon_stop_exit="close")
    return pf.trades.values, pf.value().to_numpy() - init[None, :]


@pytest.mark.parametrize("compiled", [True, False], ids=["numba", "python"])
def test_fills_and_marked_pnl_equal_vectorbt_from_signals_to_the_cent(prices, compiled, monkeypatch):
    from eventstudy.backtest import trade_kernels

    monkeypatch.setattr(trade_kernels, "COMPILE_ABOVE", 0 if compiled else 10**9)
    n, width = 400, 31
    w = _windows(prices, n, width)
    # vectorbt checks stops from the session after entry; the kernel also uses the rest of the entry
    # session after an open fill (tested against the raw prices in test_fills.py).  A flat entry
    # bar (high = low = open) leaves that rule nothing to do, so both see the same trades here.
    w["high"][0] = w["low"][0] = w["open"][0]
    quote_open = w["open"].copy()
    quote_open[0, ::37] = np.nan  # a missing open: the open fill does not happen
    tr = _random_trades(n, width)
    rec, ref_marks = _vectorbt(w, quote_open, tr)

    fills = fill_trades(quote_open, w, np.zeros(n, int), tr["hold"], np.arange(n), tr["at_close"], tr["side"],
                        tr["value"], tr["sl"], tr["tp"], tr["trail"], FEES, SLIPPAGE, True)
    assert np.array_equal(np.sort(rec["col"]), np.flatnonzero(fills.filled))
    assert (~fills.filled).sum() == len(range(0, n, 37)) - tr["at_close"][::37].sum()
    f = rec["col"]
    assert (rec["status"] == 1).all()  # every reference trade closed
    np.testing.assert_array_equal(fills.exit_j[f], rec["exit_idx"])
    stopped = rec["exit_idx"] < tr["hold"][f]
    assert 50 < stopped.sum() < n - 50  # both stop exits and time exits are compared
    assert (tr["trail"][f] & stopped).sum() > 10
    for ours, theirs in ((fills.size, "size"), (fills.entry_price, "entry_price"), (fills.exit_price, "exit_price"),
                         (fills.entry_fees, "entry_fees"), (fills.exit_fees, "exit_fees"), (fills.ret, "return")):
        np.testing.assert_allclose(ours[f], rec[theirs], rtol=1e-10, err_msg=theirs)
    np.testing.assert_allclose(fills.pnl[f], rec["pnl"], rtol=0, atol=0.005)

    # Session by session, the marked P&L of each trade is vectorbt's value less its starting cash.
    acc = np.zeros((n, width))
    add_marks(acc, w["close"], 0, np.arange(n), np.zeros(n, int), np.arange(n), tr["side"], fills)
    np.testing.assert_allclose(np.cumsum(acc, axis=1).T, ref_marks, rtol=0, atol=0.005)


def _catalog_events(tickers: list[str]) -> pd.DataFrame:
    from eventstudy.catalog import load_catalog

    rows = [dict(event_id=e.event.id, ticker=p.ticker, announced=e.event.date, timing=e.event.timing.value,
                 role=p.role.value, deal_type=e.event.deal_type.value)
            for e in load_catalog(REPO / "events") for p in e.event.parties if p.ticker in tickers]
    return pd.DataFrame(rows)


@pytest.mark.parametrize("name", sorted(p.stem for p in (REPO / "examples" / "strategies").glob("*.yaml")))
def test_shipped_strategies_equal_vectorbt_cash_sharing_portfolio(prices, name):
    """Each shipped spec (its sweep thinned to the first and last value of each axis, capital large
    enough never to bind) gives the same trades and equity with both engines."""
    from eventstudy.backtest import load_spec
    from eventstudy.backtest.sweep import run_backtest

    spec = load_spec(REPO / "examples" / "strategies" / f"{name}.yaml")
    update = {"capital": 1e7}
    if spec.sweep is not None:
        axes = spec.sweep.model_dump(exclude_none=True).items()
        update["sweep"] = spec.sweep.model_copy(update={k: list(dict.fromkeys([v[0], v[-1]])) for k, v in axes if v})
    spec = spec.model_copy(update=update)
    ev = _catalog_events(["AMD", "NVDA", "ORCL", "INTC"])
    a = run_backtest(spec, ev, prices, engine="portfolio")
    b = run_backtest(spec, ev, prices, engine="trades")
    assert len(b.trades) > 0
    ra, rb = a.results.sort_values(["sample", "variant"]), b.results.sort_values(["sample", "variant"])
    assert (ra["peak_gross"].fillna(0) <= 1).all()
    for col in ("total_return", "sharpe", "max_drawdown", "trades", "avg_trade"):
        np.testing.assert_allclose(ra[col].to_numpy(float), rb[col].to_numpy(float), rtol=1e-9, atol=1e-12, err_msg=col)
    for sample in a.equity:
        np.testing.assert_allclose(a.equity[sample].to_numpy(), b.equity[sample].to_numpy(), rtol=0, atol=0.005)
    keys = ["sample", "variant", "event_id", "ticker"]
    ta, tb = a.trades.sort_values(keys).reset_index(drop=True), b.trades.sort_values(keys).reset_index(drop=True)
    assert ta[keys].equals(tb[keys])
    np.testing.assert_allclose(ta["pnl"].to_numpy(float), tb["pnl"].to_numpy(float), rtol=0, atol=0.005)
    assert (ta["exit_reason"] == tb["exit_reason"]).all()


def test_metrics_equal_vectorbt_return_kernels():
    from vectorbt.returns import nb as rnb

    from eventstudy.backtest.metrics import equity_metrics

    rng = np.random.default_rng(3)
    value = 100_000 * np.cumprod(1 + rng.normal(0.0005, 0.02, (250, 6)), axis=0)
    value[:, 5] = 100_000  # no trade: flat
    init = np.full(6, 100_000.0)
    got = equity_metrics(value, 100_000.0)
    rets = rnb.returns_nb(value, init)
    want = {"sharpe": rnb.sharpe_ratio_nb(rets, 252.0, 0.0, 1), "sortino": rnb.sortino_ratio_nb(rets, 252.0, 0.0),
            "max_drawdown": rnb.max_drawdown_nb(rets), "total_return": value[-1] / init - 1}
    for name, ref in want.items():
        ref = np.where(np.isfinite(ref), ref, np.nan)  # vectorbt's inf for a flat curve is reported as NaN
        np.testing.assert_allclose(got[name], ref, rtol=1e-10, atol=1e-14, err_msg=name)
    assert np.isnan(got["sharpe"][5]) and got["max_drawdown"][5] == 0


@pytest.mark.parametrize("direction,sizing", [("long", "fixed-cash"), ("fade", "vol-scaled"), ("short", "equal-weight")])
def test_the_one_pass_sweep_equals_the_per_trade_path(prices, direction, sizing, monkeypatch):
    """Large grids skip the trade list and run one compiled pass per chunk of variants; small grids
    fill trade by trade: both give the same metrics and equity for every variant."""
    from eventstudy.backtest import trade_kernels
    from eventstudy.backtest.engine import simulate

    monkeypatch.setattr(trade_kernels, "COMPILE_ABOVE", 0)  # compiled, as for the large grids it serves
    from eventstudy.backtest.spec import StrategySpec

    spec = StrategySpec(name="grid", direction=direction, entry={"k": 0, "at": "open"}, exit={"hold": 3},
                        sizing={"method": sizing}, costs={"fees": 0.001, "slippage": 0.0005},
                        sweep={"k": [0, 1], "hold": [1, 4], "stop_loss": [None, 0.03], "take_profit": [None, 0.05],
                               "trailing": [False, True], "hedge": [False, True]})
    ev = _catalog_events(["AMD", "NVDA", "ORCL", "INTC"])
    per_trade = simulate(spec, ev, prices, keep_trades=True)
    one_pass = simulate(spec, ev, prices, keep_trades=False, max_cells=per_trade.info["cells"] // 5)  # several chunks
    assert one_pass.info["chunks"] > 1 and len(per_trade.trades) > 100
    assert (per_trade.trades["exit_reason"] != "time").sum() > 10 and per_trade.trades["hedge_pnl"].notna().any()
    a, b = per_trade.metrics, one_pass.metrics
    assert (a["trades"] > 0).all()
    for col in a.columns:
        if a[col].dtype.kind == "f":
            np.testing.assert_allclose(a[col].to_numpy(), b[col].to_numpy(), rtol=1e-9, atol=1e-12, err_msg=col)
        else:
            assert a[col].equals(b[col]), col
    np.testing.assert_allclose(per_trade.equity.to_numpy(), one_pass.equity.to_numpy(), rtol=0, atol=1e-6)
