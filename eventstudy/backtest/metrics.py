"""Performance measures of equity curves and trade lists.

Units: returns are simple daily decimal returns on trading sessions; annualisation uses
252 sessions a year; Sharpe and Sortino use a zero risk-free rate (excess over cash is not
taken); ``max_drawdown`` is a negative decimal (-0.12 = a 12 % peak-to-trough loss).
Definitions are vectorbt's (``returns.sharpe_ratio()``, ``sortino_ratio()``, ``max_drawdown()``),
the reference the tests compare with; computed here in numpy so that a backtest does not need
vectorbt imported (seconds at start-up).
"""

from __future__ import annotations

import numpy as np

ANN_FACTOR = 252.0


def equity_metrics(value: np.ndarray, init_value: np.ndarray | float) -> dict[str, np.ndarray]:
    """Metrics of equity curves.

    Parameters
    ----------
    value : (R, G) portfolio value at each session close, one column per curve.
    init_value : (G,) or scalar, value before the first session (the starting capital).

    Returns
    -------
    dict of (G,) arrays: ``total_return`` (value[-1] / init - 1), ``cagr``
    ((1 + total) ** (252 / R) - 1), ``sharpe`` (mean / std(ddof=1) * sqrt(252)), ``sortino``
    (mean / downside deviation * sqrt(252)), ``max_drawdown``.
    """
    value = np.asarray(value, dtype=np.float64)
    init = np.broadcast_to(np.asarray(init_value, dtype=np.float64), (value.shape[1],))
    before = np.vstack([init[None, :], value[:-1]])
    with np.errstate(invalid="ignore", divide="ignore"):
        rets = value / before - 1.0
        total = value[-1] / init - 1.0
        cagr = (1.0 + total) ** (ANN_FACTOR / value.shape[0]) - 1.0
        mean = rets.mean(axis=0)
        sharpe = mean / rets.std(axis=0, ddof=1) * np.sqrt(ANN_FACTOR)
        downside = np.sqrt((np.minimum(rets, 0.0) ** 2).mean(axis=0)) * np.sqrt(ANN_FACTOR)
        sortino = mean * ANN_FACTOR / downside
        growth = np.cumprod(1.0 + rets, axis=0)
        drawdown = (growth / np.maximum.accumulate(growth, axis=0) - 1.0).min(axis=0)
    few = value.shape[0] < 2  # one return has no dispersion
    return {
        "total_return": total,
        "cagr": cagr,
        "sharpe": np.where(np.isfinite(sharpe) & ~few, sharpe, np.nan),
        "sortino": np.where(np.isfinite(sortino) & ~few, sortino, np.nan),
        "max_drawdown": drawdown,
    }


def trade_metrics(group: np.ndarray, pnl: np.ndarray, ret: np.ndarray, n_groups: int) -> dict[str, np.ndarray]:
    """Per-group trade counts, win rate (share of trades with P&L > 0) and mean trade return (decimal)."""
    n = np.bincount(group, minlength=n_groups).astype(np.float64)
    wins = np.bincount(group, weights=(pnl > 0).astype(np.float64), minlength=n_groups)
    sums = np.bincount(group, weights=np.nan_to_num(ret), minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        return {"trades": n.astype(np.int64), "win_rate": np.where(n > 0, wins / n, np.nan),
                "avg_trade": np.where(n > 0, sums / n, np.nan)}


def held_sessions(group: np.ndarray, start: np.ndarray, stop: np.ndarray, n_rows: int, n_groups: int) -> np.ndarray:
    """Number of the ``n_rows`` sessions on which each group held at least one position.

    ``start``/``stop`` are inclusive row indices of each holding period; exposure = this / span length.
    """
    counts = np.zeros((n_rows + 1, n_groups), dtype=np.int64)
    np.add.at(counts, (start, group), 1)
    np.add.at(counts, (stop + 1, group), -1)
    return (np.cumsum(counts[:-1], axis=0) > 0).sum(axis=0)


def peak_open(group: np.ndarray, start: np.ndarray, stop: np.ndarray, amount: np.ndarray, n_rows: int,
              n_groups: int) -> np.ndarray:
    """Largest total ``amount`` (e.g. notional at cost) held at once per group over the sessions."""
    flat = np.zeros((n_rows + 1) * n_groups)
    np.add.at(flat, start * n_groups + group, amount)
    np.add.at(flat, (stop + 1) * n_groups + group, -amount)
    held = np.cumsum(flat.reshape(n_rows + 1, n_groups)[:-1], axis=0)
    return held.max(axis=0) if n_rows else np.zeros(n_groups)


def buy_and_hold_value(close: np.ndarray, capital: float) -> np.ndarray:
    """Equal-weight buy-and-hold: capital split equally across the columns of ``close`` (R, M) at row 0.

    A column with no price yet (listed later) holds its share in cash until its first price and
    buys there; missing prices later on carry the last value forward.
    """
    close = np.asarray(close, dtype=np.float64)
    # Forward fill: each cell takes the value of the last row at or above it with a price.
    seen = np.where(np.isnan(close), 0, np.arange(len(close))[:, None])
    ff = np.take_along_axis(close, np.maximum.accumulate(seen, axis=0), axis=0)
    first_row = np.argmax(~np.isnan(close), axis=0)
    first = close[first_row, np.arange(close.shape[1])]
    growth = np.where(np.isnan(ff), 1.0, ff / first)
    return capital * growth.mean(axis=1)
