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


def plot_equity(result: BacktestResult, path: str | Path, *, top: int = 5, prices=None) -> Path:
    """Equity of the ``top`` ranked variants (reported sample), with buy-and-hold of ``spec.benchmark``
    over the same sessions when ``prices`` (:class:`~eventstudy.backtest.data.PriceData`) is given."""
    sample = result.report_sample
    ranked = result.ranked(sample)
    equity = result.equity[sample]
    fig, ax = plt.subplots(figsize=(10, 5.5))
    for _, row in ranked.head(top).iterrows():
        curve = equity.iloc[:, int(row["variant"])] / result.spec.capital
        ax.plot(curve.index, curve.to_numpy(), lw=1.4, label=f"#{int(row['rank'])} {row['label']}")
    bench = result.spec.benchmark
    if prices is not None and bench in prices.tickers and len(equity):
        rows = prices.sessions.get_indexer(equity.index)
        value = buy_and_hold_value(prices.close[rows][:, [prices.column(bench)]], 1.0)
        ax.plot(equity.index, value, color="black", lw=1.0, ls="--", label=f"{bench} buy-and-hold")
    ax.axhline(1.0, color="grey", lw=0.6)
    ax.set_ylabel("portfolio value / starting capital")
    ax.set_title(f"{result.spec.name}: equity ({sample} sample)")
    ax.legend(fontsize=7, loc="best")
    fig.autofmt_xdate()
    return _save(fig, path)


def plot_heatmap(result: BacktestResult, path: str | Path, x: str, y: str, *, metric: str | None = None) -> Path:
    """``metric`` (default ``spec.rank_by``) over the (x, y) grid, other parameters at the best variant's values."""
    metric = metric or result.spec.rank_by
    frame = result.ranked()
    for name in (x, y, metric):
        if name not in frame.columns:
            raise ConfigError(f"cannot draw a heatmap of {name!r}: not a parameter or metric of this run")
    best = frame.iloc[0]
    fixed = [c for c in ("k", "hold", "stop_loss", "take_profit", "trailing", "role", "benchmark", "hedge") if c not in (x, y)]
    mask = np.ones(len(frame), dtype=bool)
    for c in fixed:
        same = (frame[c] == best[c]) | (frame[c].isna() & pd.isna(best[c]))
        mask &= same.to_numpy()
    grid = frame.loc[mask].pivot_table(index=y, columns=x, values=metric, aggfunc="first", dropna=False)
    fig, ax = plt.subplots(figsize=(1.2 + 0.9 * max(grid.shape[1], 2), 1.2 + 0.6 * max(grid.shape[0], 2)))
    im = ax.imshow(grid.to_numpy(dtype=float), cmap="RdYlGn", aspect="auto", origin="lower")
    ax.set_xticks(range(grid.shape[1]), [str(v) for v in grid.columns])
    ax.set_yticks(range(grid.shape[0]), [str(v) for v in grid.index])
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    for (i, j), v in np.ndenumerate(grid.to_numpy(dtype=float)):
        if np.isfinite(v):
            ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=7)
    fig.colorbar(im, ax=ax, label=metric)
    ax.set_title(f"{metric} by {x} x {y}", fontsize=9)
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
