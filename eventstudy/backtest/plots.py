"""Figures of a backtest (matplotlib, Agg backend: no display needed): equity curves and a grid heatmap.

File type follows the suffix (``.png`` or ``.svg``).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from ..exceptions import ConfigError  # noqa: E402
from .metrics import buy_and_hold_value  # noqa: E402
from .sweep import BacktestResult  # noqa: E402


def _bh_curve(prices, tickers: list[str], index: pd.DatetimeIndex) -> np.ndarray | None:
    names = [t for t in tickers if t in prices.tickers]
    if not names or not len(index):
        return None
    rows = prices.sessions.get_indexer(index)
    return buy_and_hold_value(prices.close[rows][:, prices.columns(names)], 1.0)


def _curve(result: BacktestResult, sample: str, variant: int) -> pd.Series:
    """Value / capital of ``variant`` over its own span in ``sample`` (session before first entry to last exit)."""
    row = result.results.loc[(result.results["sample"] == sample) & (result.results["variant"] == variant)].iloc[0]
    curve = result.equity[sample].iloc[:, variant] / result.spec.capital
    return curve.loc[row["span_start"]:row["span_end"]]


def plot_equity(result: BacktestResult, path: str | Path, *, prices=None, variant: int | None = None) -> Path:
    """Equity of the reported variant (the in-sample pick in out-of-sample mode, else rank 1) with
    buy-and-hold of its traded names and of ``spec.benchmark`` over the same sessions (when ``prices``,
    a :class:`~eventstudy.backtest.data.PriceData`, is given), and its drawdown [%] below.

    Out-of-sample mode draws the pick's in-sample curve too (before the split line) and, thin, the
    variant that was best out of sample (hindsight: not a choice anyone could have made)."""
    if result.walk_forward is not None and variant is None:
        return plot_walk_forward(result, path, prices=prices)
    variant = result.best_variant() if variant is None else variant
    sample = result.report_sample
    fig, (ax, dd) = plt.subplots(2, 1, figsize=(10, 6.5), sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    label = result.results.loc[result.results["variant"] == variant, "label"].iloc[0]
    parts = ([("in", "in sample (chosen here)"), ("out", "out of sample")] if result.spec.oos and result.spec.oos.split
             else [(sample, "")])
    for name, what in parts:
        curve = _curve(result, name, variant)
        if not len(curve):
            continue
        lw = 1.8 if name == sample else 1.2
        ax.plot(curve.index, curve.to_numpy(), lw=lw, color="tab:blue" if name == sample else "tab:cyan",
                label=f"#{variant} {label}" + (f" ({what})" if what else ""))
        drawdown = 100 * (curve / curve.cummax() - 1.0)
        dd.fill_between(curve.index, drawdown.to_numpy(), 0.0, color="tab:red", alpha=0.35 if name == sample else 0.2)
        if prices is not None:
            bench = result.benchmarks
            traded = bench.loc[(bench["kind"] == "traded") & (bench["sample"] == name)
                               & (bench["role"] == result.results.loc[result.results["variant"] == variant, "role"].iloc[0])]
            tickers = traded["tickers"].iloc[0].split(",") if len(traded) else []
            for names, style, text in ((tickers, dict(color="tab:green", ls="-."), "buy-and-hold of the traded names"),
                                       ([result.spec.benchmark], dict(color="black", ls="--"), f"{result.spec.benchmark} buy-and-hold")):
                value = _bh_curve(prices, names, curve.index)
                if value is not None:
                    ax.plot(curve.index, value, lw=1.0, label=text if name == sample else None, **style)
    if result.spec.oos and result.spec.oos.split is not None:
        split = pd.Timestamp(result.spec.oos.split)
        for a in (ax, dd):
            a.axvline(split, color="grey", ls=":", lw=1.0)
        ranked = result.ranked("out")
        hindsight = int(ranked["variant"].iloc[0]) if len(ranked) else variant
        if hindsight != variant:
            curve = _curve(result, "out", hindsight)
            ax.plot(curve.index, curve.to_numpy(), lw=0.8, ls=":", color="tab:orange",
                    label=f"#{hindsight} best out of sample (hindsight)")
    ax.axhline(1.0, color="grey", lw=0.6)
    ax.set_ylabel("value / starting capital")
    title = f"{result.spec.name}: variant #{variant}"
    if result.spec.oos and result.spec.oos.split is not None:
        title += f", chosen on events before {result.spec.oos.split} by in-sample {result.spec.oos.select_by}"
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7, loc="best")
    dd.set_ylabel("drawdown [%]")
    fig.autofmt_xdate()
    return _save(fig, path)


def plot_walk_forward(result: BacktestResult, path: str | Path, *, prices=None) -> Path:
    """The stitched walk-forward record (value / starting capital) with each fold's test period
    shaded and named by its chosen variant, ``spec.benchmark`` buy-and-hold over the same sessions
    (when ``prices`` is given), and the drawdown [%] below."""
    wf = result.walk_forward
    fig, (ax, dd) = plt.subplots(2, 1, figsize=(10, 6.5), sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    curve = wf.equity / result.spec.capital
    if len(curve):
        s = wf.stitched
        ax.plot(curve.index, curve.to_numpy(), lw=1.8, color="tab:blue",
                label=f"walk-forward, stitched out of sample (Sharpe {s['sharpe']:.2f}, {s['trades']} trades)")
        drawdown = 100 * (curve / curve.cummax() - 1.0)
        dd.fill_between(curve.index, drawdown.to_numpy(), 0.0, color="tab:red", alpha=0.35)
        if prices is not None:
            value = _bh_curve(prices, [result.spec.benchmark], curve.index)
            if value is not None:
                ax.plot(curve.index, value, lw=1.0, color="black", ls="--", label=f"{result.spec.benchmark} buy-and-hold")
    for i, f in enumerate(wf.folds.itertuples()):
        for a in (ax, dd):
            a.axvspan(pd.Timestamp(f.test_start), pd.Timestamp(f.test_end), color="grey", alpha=0.08 if i % 2 else 0.16, lw=0)
        chosen = "none" if pd.isna(f.variant) else f"#{int(f.variant)}"
        ax.text(pd.Timestamp(f.test_start), 1.0, f" {f.fold}: {chosen}", fontsize=6, va="bottom", color="grey")
    ax.axhline(1.0, color="grey", lw=0.6)
    ax.set_ylabel("value / starting capital")
    ax.set_title(f"{result.spec.name}: walk-forward ({wf.mode}, train {wf.train}, test {wf.test}); "
                 f"variant chosen by in-sample {wf.select_by} per fold (shaded: test periods)", fontsize=9)
    ax.legend(fontsize=7, loc="best")
    dd.set_ylabel("drawdown [%]")
    fig.autofmt_xdate()
    return _save(fig, path)


def plot_heatmap(result: BacktestResult, path: str | Path, x: str, y: str, *, metric: str | None = None) -> Path:
    """``metric`` (default ``spec.rank_by``, reported sample) over the (x, y) grid; the other swept
    parameters are fixed at the reported variant's values (named in the title), its cell outlined."""
    metric = metric or result.spec.rank_by
    frame = result.ranked()
    for name in (x, y, metric):
        if name not in frame.columns:
            raise ConfigError(f"cannot draw a heatmap of {name!r}: not a parameter or metric of this run")
    chosen = frame.loc[frame["variant"] == result.best_variant()].iloc[0]
    fixed = [c for c in result.spec.swept() if c not in (x, y)]
    mask = np.ones(len(frame), dtype=bool)
    for c in fixed:
        same = (frame[c] == chosen[c]) | (frame[c].isna() & pd.isna(chosen[c]))
        mask &= same.to_numpy()
    sub = frame.loc[mask]
    # Axis values in order, "none" (no stop / no target) first; pivot on positions so None is kept.
    levels = {a: sorted(dict.fromkeys(sub[a].astype(object).where(sub[a].notna(), None)), key=lambda v: (v is not None, str(type(v)), v if v is not None else 0))
              for a in (x, y)}
    pos = {a: sub[a].astype(object).where(sub[a].notna(), None).map(lambda v, a=a: levels[a].index(v)) for a in (x, y)}
    values = np.full((len(levels[y]), len(levels[x])), np.nan)
    values[pos[y].to_numpy(int), pos[x].to_numpy(int)] = sub[metric].to_numpy(dtype=float)
    grid = pd.DataFrame(values, index=levels[y], columns=levels[x])
    fig, ax = plt.subplots(figsize=(2.5 + 1.0 * max(grid.shape[1], 2), 2.0 + 0.6 * max(grid.shape[0], 2)))
    im = ax.imshow(values, cmap="RdYlGn", aspect="auto", origin="lower")
    fmt = lambda v: "-" if v is None or (isinstance(v, float) and np.isnan(v)) else f"{v:g}" if isinstance(v, float) else str(v)  # noqa: E731
    ax.set_xticks(range(grid.shape[1]), [fmt(v) for v in grid.columns])
    ax.set_yticks(range(grid.shape[0]), [fmt(v) for v in grid.index])
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    for (i, j), v in np.ndenumerate(values):
        ax.text(j, i, f"{v:.2f}" if np.isfinite(v) else "no trades", ha="center", va="center", fontsize=7)
    norm = lambda v: None if v is None or (isinstance(v, float) and np.isnan(v)) else v  # noqa: E731
    cx = levels[x].index(norm(chosen[x])) if norm(chosen[x]) in levels[x] else None
    cy = levels[y].index(norm(chosen[y])) if norm(chosen[y]) in levels[y] else None
    if cx is not None and cy is not None:
        ax.add_patch(plt.Rectangle((cx - 0.5, cy - 0.5), 1, 1, fill=False, lw=2.0, ec="black"))
    fig.colorbar(im, ax=ax, label=metric)
    where = "out-of-sample " if result.spec.oos else ""
    title = f"{where}{metric} by {x} x {y}"
    if fixed:
        title += "\nfixed at variant #{}: ".format(int(chosen["variant"])) + ", ".join(
            f"{c}={'none' if fmt(chosen[c]) == '-' else fmt(chosen[c])}" for c in fixed)
    title += "\n(outlined: the variant " + ("chosen in the last walk-forward fold)" if result.walk_forward is not None
                                            else "chosen in sample)" if result.spec.oos else "ranked first)")
    ax.set_title(title, fontsize=8)
    return _save(fig, path)


def default_heatmap_axes(result: BacktestResult) -> tuple[str, str] | None:
    """The first two swept parameters (a heatmap needs two), else None."""
    swept = result.spec.swept()
    return (swept[0], swept[1]) if len(swept) >= 2 else None


def _save(fig, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
