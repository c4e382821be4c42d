"""Run a spec's variant grid (one vectorbt run per memory chunk), rank it, and the out-of-sample mode.

Out of sample: variants are ranked on the events announced before ``oos.split`` ("in" sample) and
the best by ``oos.select_by`` is reported on the events announced on or after it ("out" sample),
together with every other variant's out-of-sample figures (so the selection's luck is visible).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .data import PriceData, check_events
from .engine import DEFAULT_MAX_CELLS, SimResult, simulate
from .signals import filter_events
from .spec import ALL_ROLES, StrategySpec

#: Grids up to this many variants keep every trade; larger ones keep the ``TRADES_TOP`` best.
TRADES_ALL = 200
TRADES_TOP = 20
#: Rows of :meth:`BacktestResult.selection`.
SELECTION_METRICS = ("variant", "label", "total_return", "cagr", "sharpe", "sortino", "max_drawdown",
                     "win_rate", "trades", "avg_trade", "exposure", "bh_total_return", "spy_total_return", "note")
#: Columns of the skipped table (then one ``param_<name>`` column per trade parameter when the
#: reason depends on them; empty when it does not, e.g. a ticker without prices).
SKIPPED_COLUMNS = ["sample", "event_id", "ticker", "role", "deal_type", "announced", "timing", "reason"]


@dataclass
class BacktestResult:
    """A finished backtest.

    ``results``: one row per (sample, variant): parameters, ``label``, metrics, ``rank`` (1 = best by
    ``spec.rank_by`` within the sample) and ``selected`` (the out-of-sample pick).
    ``trades``, ``benchmarks``, ``skipped``: as in :class:`~eventstudy.backtest.engine.SimResult`,
    with a ``sample`` column.  ``equity``: per sample, (sessions x variant labels) portfolio value.
    ``sample`` is ``all`` without out-of-sample mode, else ``in`` / ``out``.
    """

    spec: StrategySpec
    results: pd.DataFrame
    trades: pd.DataFrame
    equity: dict[str, pd.DataFrame]
    benchmarks: pd.DataFrame
    skipped: pd.DataFrame
    info: dict = field(default_factory=dict)
    #: Needed tickers with no stored price (their event-firms are in ``skipped``).
    missing: list[str] = field(default_factory=list)
    #: Walk-forward mode: folds and the stitched record (:class:`~eventstudy.backtest.walkforward.WalkForwardResult`).
    walk_forward: Any = None

    def skipped_table(self) -> pd.DataFrame:
        """The skipped (event, ticker) rows with readable columns (:data:`SKIPPED_COLUMNS`, always present)."""
        frame = self.skipped
        params = sorted(c for c in frame.columns if c.startswith("param_"))
        out = frame.reindex(columns=[*SKIPPED_COLUMNS, *params])
        if len(out):
            out["announced"] = pd.to_datetime(out["announced"]).dt.date
        return out

    @property
    def report_sample(self) -> str:
        return "out" if self.spec.oos else "all"

    def ranked(self, sample: str | None = None) -> pd.DataFrame:
        """Results of one sample (default: the reported one), best first."""
        sample = sample or self.report_sample
        return self.results.loc[self.results["sample"] == sample].sort_values("rank").reset_index(drop=True)

    def best_variant(self) -> int:
        """Variant number reported as the strategy's result (the OOS pick, else rank 1)."""
        rows = self.results.loc[self.results["sample"] == self.report_sample]
        if self.spec.oos:
            return int(rows.loc[rows["selected"], "variant"].iloc[0])
        return int(rows.sort_values("rank")["variant"].iloc[0])

    def selection(self) -> pd.DataFrame | None:
        """Out-of-sample mode: the variant chosen on the in-sample events, its in-sample and out-of-sample
        figures side by side (decimal fractions; ``rank`` is 1 = best of ``n`` variants in that sample).

        ``None`` without out-of-sample mode.
        """
        if self.spec.oos is None or self.spec.oos.split is None or not len(self.results):
            return None
        pick = self.best_variant()
        rows = self.results.loc[self.results["variant"] == pick].set_index("sample")
        out = pd.DataFrame({name: rows[name] for name in SELECTION_METRICS if name in rows.columns}).T
        out = out.reindex(columns=["in", "out"])
        first = rows.iloc[0]
        out.loc[f"rank_by_{self.spec.oos.select_by}"] = [first["in_sample_rank"], first["out_rank"]]
        n = self.results.groupby("sample")["variant"].nunique()
        out.loc["of_variants"] = [n.get("in"), n.get("out")]
        out.columns = ["in_sample", "out_of_sample"]
        return out.rename_axis("metric").reset_index()

    def trades_of(self, variant: int, sample: str | None = None) -> pd.DataFrame:
        sample = sample or self.report_sample
        t = self.trades
        return t.loc[(t["variant"] == variant) & (t["sample"] == sample)].reset_index(drop=True)


def required_tickers(spec: StrategySpec, events: pd.DataFrame) -> list[str]:
    """Every ticker a run of ``spec`` needs prices for: traded names, hedge benchmarks, the comparison."""
    events = check_events(events)
    names: list[str] = []
    variants = spec.variants()
    for role in dict.fromkeys(v["role"] for v in variants):
        roles = ALL_ROLES if role == ALL_ROLES else role.split(",")
        u = spec.universe
        names += filter_events(events, roles=roles, deal_types=u.deal_types, min_amount=u.min_amount,
                               tickers=u.tickers)["ticker"].tolist()
    names += [v["benchmark"] for v in variants if v["hedge"]]
    names.append(spec.benchmark)
    return list(dict.fromkeys(names))


def events_in_span(spec: StrategySpec, events: pd.DataFrame) -> pd.DataFrame:
    """The checked events announced within the spec's ``start`` .. ``end`` (ends included, either optional)."""
    events = check_events(events)
    if spec.start is not None:
        events = events.loc[events["announced"] >= pd.Timestamp(spec.start)]
    if spec.end is not None:
        events = events.loc[events["announced"] <= pd.Timestamp(spec.end)]
    return events


def rank(frame: pd.DataFrame, by: str) -> pd.Series:
    """1 = best (highest ``by``); NaN values rank last; ties keep variant order."""
    return frame[by].rank(ascending=False, method="first", na_option="bottom").astype(int)


def _finish(sim: SimResult, sample: str, spec: StrategySpec) -> tuple:
    res = sim.metrics.copy()
    res.insert(0, "sample", sample)
    res.insert(2, "label", np.asarray(sim.equity.columns, dtype=object)[res["variant"].to_numpy()])
    res["rank"] = rank(res, spec.rank_by)
    res["selected"] = False
    return (res, sim.trades.assign(sample=sample) if len(sim.trades) else sim.trades, sim.benchmarks.assign(sample=sample),
            sim.skipped.assign(sample=sample) if len(sim.skipped) else sim.skipped)


def run_backtest(spec: StrategySpec, events: pd.DataFrame, prices: PriceData, *, max_cells: int = DEFAULT_MAX_CELLS,
                 engine: str | None = None, trades_top: int = TRADES_TOP,
                 progress: Callable[[int, int], None] | None = None,
                 simulate_fn: Callable[..., SimResult] | None = None) -> BacktestResult:
    """Backtest every variant of ``spec`` on ``events`` (see :func:`eventstudy.backtest.engine.simulate`
    for ``max_cells`` and ``engine``).

    Trades are kept for every variant of a grid of at most ``TRADES_ALL`` variants; for larger grids
    only for the ``trades_top`` best of each sample (and the out-of-sample pick), obtained by running
    those variants again (a variant's result does not depend on the rest of the grid).
    ``simulate_fn`` (default :func:`~eventstudy.backtest.engine.simulate`) runs a list of variants,
    e.g. fanned out by :mod:`eventstudy.backtest.executors`.  Walk-forward specs go to
    :func:`eventstudy.backtest.walkforward.run_walk_forward`.
    """
    if spec.oos is not None and spec.oos.walk_forward is not None:
        from .walkforward import run_walk_forward

        return run_walk_forward(spec, events, prices, max_cells=max_cells, engine=engine, simulate_fn=simulate_fn,
                                progress=progress)
    simulate_ = simulate_fn or simulate
    events = events_in_span(spec, events)
    variants = spec.variants()
    if spec.oos is None:
        samples = {"all": events}
    else:
        split = pd.Timestamp(spec.oos.split)
        samples = {"in": events.loc[events["announced"] < split], "out": events.loc[events["announced"] >= split]}
    keep_all = len(variants) <= TRADES_ALL
    total = len(variants) * len(samples)
    parts, equity, info = [], {}, {}
    for i, (name, ev) in enumerate(samples.items()):
        step = (lambda done, _n, i=i: progress(i * len(variants) + done, total)) if progress else None
        sim = simulate_(spec, ev, prices, variants, max_cells=max_cells, engine=engine, keep_trades=keep_all,
                       progress=step)
        parts.append(_finish(sim, name, spec))
        equity[name] = sim.equity
        info[name] = sim.info
    results = pd.concat([p[0] for p in parts], ignore_index=True)
    if spec.oos is not None:
        ins = results.loc[results["sample"] == "in"]
        pick = int(ins.loc[ins[spec.oos.select_by].fillna(-np.inf).idxmax(), "variant"]) if len(ins) else 0
        results["selected"] = results["variant"] == pick
        chosen = ins.set_index("variant")[spec.oos.select_by]
        results["in_sample_" + spec.oos.select_by] = results["variant"].map(chosen)
        # Rank by the selection metric in sample, and each variant's out-of-sample rank beside it.
        by = spec.oos.select_by
        results["in_sample_rank"] = results["variant"].map(pd.Series(rank(ins, by).to_numpy(), index=ins["variant"]))
        outs = results.loc[results["sample"] == "out"]
        results["out_rank"] = results["variant"].map(pd.Series(rank(outs, by).to_numpy(), index=outs["variant"]))
    trades = [p[1] for p in parts]
    if not keep_all:
        trades = []
        for name, ev in samples.items():
            rows = results.loc[results["sample"] == name]
            wanted = sorted(set(rows.loc[(rows["rank"] <= trades_top) | rows["selected"], "variant"]))
            again = simulate_(spec, ev, prices, [variants[v] for v in wanted], max_cells=max_cells, engine=engine)
            ids = np.asarray(wanted)
            trades.append(again.trades.assign(variant=ids[again.trades["variant"].to_numpy()], sample=name)
                          if len(again.trades) else again.trades)
    concat = lambda frames: pd.concat([f for f in frames if len(f)], ignore_index=True) if any(len(f) for f in frames) else pd.DataFrame()  # noqa: E731
    return BacktestResult(spec, results, concat(trades), equity, concat([p[2] for p in parts]),
                          concat([p[3] for p in parts]), info)
