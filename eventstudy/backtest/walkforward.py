"""Walk-forward out of sample: choose the variant on each train period, trade it on the next test period.

For each fold of ``spec.oos.walk_forward`` (see :class:`eventstudy.backtest.spec.WalkForward`):

1. every variant runs on the events announced in the train period; the one with the highest
   ``oos.select_by`` is chosen (a fold where no variant has a finite value chooses nothing);
2. the chosen variant runs on the events announced in the test period.

Train events whose trades could still be open when the test period starts are left out of that
fold's training ("purged": announced fewer than ``max k + max hold + 1`` sessions before the
first test session), so every choice uses only outcomes known when the test period begins.

The stitched result is the honest track record: the test-period trades of the chosen variants on
one capital (portfolio value = capital + the sum of the folds' P&L curves; sizing never compounds,
so this is the value of holding every fold's trades in one account).  For reference, every
variant also runs over the whole walk-forward test span (sample ``out``), as if fixed in advance.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .data import PriceData
from .engine import DEFAULT_MAX_CELLS, SimResult, simulate, variant_label
from .metrics import equity_metrics, trade_metrics
from .spec import Fold, StrategySpec, check_walk_forward

#: Sample name of the stitched walk-forward trades and equity.
WF_SAMPLE = "wf"
#: Columns of :attr:`WalkForwardResult.folds` (dates; ``is_value``/``oos_value`` = ``select_by`` on the
#: train/test events; returns are decimal fractions).
FOLD_COLUMNS = ["fold", "train_start", "train_end", "test_start", "test_end", "train_events", "test_events",
                "variant", "label", "is_value", "oos_value", "oos_total_return", "oos_trades", "note"]
#: Metrics of the stitched track record (decimal fractions; Sharpe/Sortino annualised, 252 sessions).
STITCHED_METRICS = ("total_return", "cagr", "sharpe", "sortino", "max_drawdown", "win_rate", "trades", "avg_trade")


@dataclass
class WalkForwardResult:
    """``folds``: one row per fold (:data:`FOLD_COLUMNS`).  ``stitched``: metrics of the chosen variants'
    test-period trades on one capital (:data:`STITCHED_METRICS` plus ``span_start``/``span_end``).
    ``equity``: the stitched portfolio value at each session close (currency units)."""

    mode: str
    train: str
    test: str
    select_by: str
    folds: pd.DataFrame
    stitched: dict
    equity: pd.Series


Simulate = Callable[..., SimResult]


def _purge_cutoff(prices: PriceData, test_start: dt.date, gap: int) -> pd.Timestamp:
    """Train events must be announced before this day: their trades exit by the session before ``test_start``."""
    p = int(prices.sessions.searchsorted(pd.Timestamp(test_start)))
    return prices.sessions[p - gap] if p - gap >= 0 else pd.Timestamp.min


def _stitch(parts: list[tuple[SimResult, int]], sessions: pd.DatetimeIndex, capital: float) -> tuple[pd.Series, dict]:
    """One account holding every fold's test trades: value = capital + sum of the folds' P&L curves."""
    if not parts:
        return pd.Series(dtype=float, name="walk-forward"), {name: (0 if name == "trades" else np.nan) for name in STITCHED_METRICS}
    pnl = np.zeros(len(sessions))
    spans = []
    for sim, _ in parts:
        eq = sim.equity.iloc[:, 0]
        rows = sessions.get_indexer(eq.index)
        curve = np.full(len(sessions), np.nan)
        curve[rows] = eq.to_numpy() - capital
        curve = pd.Series(curve).ffill().fillna(0.0).to_numpy()  # flat before the fold's first entry and after its last exit
        pnl += curve
        m = sim.metrics.iloc[0]
        if int(m["trades"]) > 0:
            spans.append((sessions.get_loc(m["span_start"]), sessions.get_loc(m["span_end"])))
    value = pd.Series(capital + pnl, index=sessions, name="walk-forward")
    if not spans:
        return value.iloc[:0], {name: (0 if name == "trades" else np.nan) for name in STITCHED_METRICS}
    r0, r1 = min(s[0] for s in spans), max(s[1] for s in spans)
    value = value.iloc[r0:r1 + 1]
    out: dict = {name: float(v[0]) for name, v in equity_metrics(value.to_numpy()[:, None], capital).items()}
    trades = pd.concat([sim.trades for sim, _ in parts if len(sim.trades)], ignore_index=True)
    pnl_t = trades["pnl"].to_numpy(float) + np.nan_to_num(trades["hedge_pnl"].to_numpy(float))
    tm = trade_metrics(np.zeros(len(trades), dtype=np.int64), pnl_t, trades["return"].to_numpy(float), 1)
    out.update(trades=int(tm["trades"][0]), win_rate=float(tm["win_rate"][0]), avg_trade=float(tm["avg_trade"][0]),
               span_start=value.index[0], span_end=value.index[-1])
    return value, out


def run_walk_forward(spec: StrategySpec, events: pd.DataFrame, prices: PriceData, *, max_cells: int = DEFAULT_MAX_CELLS,
                     engine: str | None = None, simulate_fn: Simulate | None = None,
                     progress: Callable[[int, int], None] | None = None):
    """Walk-forward backtest of ``spec`` (``spec.oos.walk_forward`` set); returns a
    :class:`~eventstudy.backtest.sweep.BacktestResult` whose ``walk_forward`` holds the folds and the
    stitched record, whose ``results`` are every variant over the walk-forward test span (sample
    ``out``, ``selected`` = the variant chosen in the last fold) and whose trades include the stitched
    ones (sample ``wf``).

    Raises
    ------
    ConfigError
        Not one fold fits between the first and last event (located at ``oos.walk_forward.train``).
    """
    from .sweep import TRADES_ALL, BacktestResult, events_in_span, rank

    sim_fn = simulate_fn or simulate
    events = events_in_span(spec, events)
    oos = spec.oos
    wf = oos.walk_forward
    by = oos.select_by
    if events.empty:
        first = last = spec.start or dt.date.today()
    else:
        first, last = events["announced"].min().date(), events["announced"].max().date()
    folds: list[Fold] = check_walk_forward(spec, spec.start or first, spec.end or last)
    variants = spec.variants()
    keep_all = len(variants) <= TRADES_ALL
    gap = max(v["k"] for v in variants) + max(v["hold"] for v in variants) + 1
    day = events["announced"].dt.normalize()
    total = len(folds) * (len(variants) + 1) + len(variants)
    done = 0
    rows, parts = [], []
    for f in folds:
        cutoff = _purge_cutoff(prices, f.test_start, gap)
        train = events.loc[(day >= pd.Timestamp(f.train_start)) & (day <= pd.Timestamp(f.train_end)) & (day < cutoff)]
        test = events.loc[(day >= pd.Timestamp(f.test_start)) & (day <= pd.Timestamp(f.test_end))]
        row = dict(fold=f.fold, train_start=f.train_start, train_end=f.train_end, test_start=f.test_start,
                   test_end=f.test_end, train_events=int(train["event_id"].nunique()),
                   test_events=int(test["event_id"].nunique()), variant=None, label=None, is_value=np.nan,
                   oos_value=np.nan, oos_total_return=np.nan, oos_trades=0, note="")
        values = sim_fn(spec, train, prices, variants, max_cells=max_cells, engine=engine, keep_trades=False).metrics[by]
        done += len(variants)
        if not np.isfinite(values.to_numpy(float)).any():
            row["note"] = f"no variant has a {by} on the train events: nothing traded"
        else:
            pick = int(values.fillna(-np.inf).to_numpy().argmax())  # ties: the first variant
            row.update(variant=pick, label=variant_label(variants[pick]), is_value=float(values.iloc[pick]))
            if test.empty:
                row["note"] = "no event in the test period"
            else:
                sim = sim_fn(spec, test, prices, [variants[pick]], max_cells=max_cells, engine=engine, keep_trades=True)
                m = sim.metrics.iloc[0]
                row.update(oos_value=float(m[by]), oos_total_return=float(m["total_return"]), oos_trades=int(m["trades"]),
                           note=m["note"] or "")
                parts.append((sim, pick))
        done += 1
        if progress is not None:
            progress(done, total)
        rows.append(row)
    fold_frame = pd.DataFrame(rows, columns=FOLD_COLUMNS)
    equity, stitched = _stitch(parts, prices.sessions, spec.capital)

    # Every variant over the whole test span, fixed in advance (for reference: hindsight, not a choice).
    span = (day >= pd.Timestamp(folds[0].test_start)) & (day <= pd.Timestamp(folds[-1].test_end))
    ref = sim_fn(spec, events.loc[span], prices, variants, max_cells=max_cells, engine=engine, keep_trades=keep_all)
    if progress is not None:
        progress(total, total)
    res = ref.metrics.copy()
    res.insert(0, "sample", "out")
    res.insert(2, "label", np.asarray(ref.equity.columns, dtype=object)[res["variant"].to_numpy()])
    res["rank"] = rank(res, spec.rank_by)
    chosen = fold_frame["variant"].dropna()
    last_pick = int(chosen.iloc[-1]) if len(chosen) else 0
    res["selected"] = res["variant"] == last_pick
    res["folds_chosen"] = res["variant"].map(chosen.astype(int).value_counts()).fillna(0).astype(int)

    wf_trades = [sim.trades.assign(variant=pick, sample=WF_SAMPLE) for sim, pick in parts if len(sim.trades)]
    ref_trades = [ref.trades.assign(sample="out")] if len(ref.trades) else []
    frames = ref_trades + wf_trades
    trades = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    result = BacktestResult(
        spec, res, trades, {"out": ref.equity, WF_SAMPLE: equity.to_frame()},
        ref.benchmarks.assign(sample="out"), ref.skipped.assign(sample="out") if len(ref.skipped) else ref.skipped,
        {"out": ref.info})
    result.walk_forward = WalkForwardResult(wf.mode, wf.train, wf.test, by, fold_frame, stitched, equity)
    return result
