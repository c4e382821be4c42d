"""Numba kernels of the event-time (``trades``) engine: each planned trade filled on its own.

The fills are those of vectorbt's ``Portfolio.from_signals`` for one column holding one trade
(entry signal on the entry session, exit signal ``hold`` sessions later, ``size_type="value"``,
``stop_entry_price="price"``, ``stop_exit_price="stopmarket"``, ``upon_stop_exit="close"``, cash
enough for the entry), which stays the reference: tests compare these kernels with vectorbt trade
by trade to the cent (tests/backtest/test_trade_kernels.py).  Running them here instead of through
vectorbt saves what a ``backtest run`` paid for vectorbt's generality: importing vectorbt (seconds),
dense (sessions x trades) input arrays per run, and one generic simulation step per cell.

Fill rules (``d`` = +1 long, -1 short; ``q`` = quoted entry price, the open or the close):

* entry: ``size = value / q`` shares at ``q * (1 + d * slippage)``, fee ``fees`` on that value;
  an open fill whose open is missing does not fill.
* entry session after an open fill: the stop ``q * (1 - d * sl)`` (checked first: conservative)
  or the target ``q * (1 + d * tp)`` inside the session's low-high range closes the trade there;
  a trailing stop trails nothing yet.
* later sessions, in vectorbt's order: the stop (trailing: relative to the best high / low seen
  up to the previous session), then the target; a session opening beyond a level fills at the
  open, else a level inside the low-high range fills at the level; a trailing reference then
  moves to this session's high (long) or low (short).
* otherwise the exit at the close of session ``hold``.  Exits fill at ``price * (1 - d * slippage)``
  with fee ``fees`` on their value.  P&L = ``d * size * (exit - entry) - fees``, in currency.

Price arrays are (sessions, tickers), forward-filled (``open``/``high``/``low``/``close``) except
``quote_open`` (the raw open, NaN when missing).  Rows past the last session repeat the last one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import prange  # plain range when run as Python


def _fill_trades(quote_open, open_, high, low, close, entry, hold, tick, at_close, side, value, sl, tp, trail,
                   fees, slippage, with_stops):
    """Fill every trade; returns (filled, exit_j, size, entry_price, exit_price, entry_fees, exit_fees,
    pnl, ret) arrays over trades (``exit_j``: sessions from entry to exit; prices include slippage)."""
    n = len(entry)
    last = close.shape[0] - 1
    filled = np.zeros(n, dtype=np.bool_)
    exit_j = np.zeros(n, dtype=np.int64)
    size = np.full(n, np.nan)
    entry_px = np.full(n, np.nan)
    exit_px = np.full(n, np.nan)
    entry_fees = np.full(n, np.nan)
    exit_fees = np.full(n, np.nan)
    pnl = np.full(n, np.nan)
    ret = np.full(n, np.nan)
    for t in prange(n):
        e, k, d = entry[t], tick[t], float(side[t])
        q = close[e, k] if at_close[t] else quote_open[e, k]
        if np.isnan(q) or not value[t] > 0.0:
            continue
        shares = value[t] / q
        in_px = q * (1.0 + d * slippage)
        stop, target = sl[t], tp[t]
        stops = with_stops and not (np.isnan(stop) and np.isnan(target))
        out_j, px = -1, np.nan
        if stops and not at_close[t]:
            # The rest of the entry session, after the open fill (vectorbt starts on the next one).
            if not np.isnan(stop) and (low[e, k] <= q * (1.0 - stop) if d > 0 else high[e, k] >= q * (1.0 + stop)):
                out_j, px = 0, q * (1.0 - d * stop)
            elif not np.isnan(target) and (high[e, k] >= q * (1.0 + target) if d > 0 else low[e, k] <= q * (1.0 - target)):
                out_j, px = 0, q * (1.0 + d * target)
        ref = q
        j = 1
        while out_j < 0:
            r = min(e + j, last)
            if stops:
                o, hi, lo = open_[r, k], high[r, k], low[r, k]
                # vectorbt's order: the stop, then the target; a session opening beyond a level
                # fills at the open, else a level inside the session's range fills at the level.
                hit = np.nan
                if not np.isnan(stop):
                    level = ref * (1.0 - d * stop)
                    if (o <= level) if d > 0 else (level <= o):
                        hit = o
                    elif lo <= level <= hi:
                        hit = level
                if np.isnan(hit) and not np.isnan(target):
                    level = q * (1.0 + d * target)
                    if (level <= o) if d > 0 else (o <= level):
                        hit = o
                    elif lo <= level <= hi:
                        hit = level
                if not np.isnan(stop) and trail[t]:
                    if d > 0 and hi > ref:
                        ref = hi
                    elif d < 0 and lo < ref:
                        ref = lo
                if not np.isnan(hit):
                    out_j, px = j, hit
                    break
            if j >= hold[t]:
                out_j, px = j, close[r, k]
            j += 1
        out_px = px * (1.0 - d * slippage)
        f_in = shares * in_px * fees
        f_out = shares * out_px * fees
        gain = shares * out_px - shares * in_px
        filled[t] = True
        exit_j[t] = out_j
        size[t] = shares
        entry_px[t] = in_px
        exit_px[t] = out_px
        entry_fees[t] = f_in
        exit_fees[t] = f_out
        pnl[t] = d * gain - f_in - f_out
        ret[t] = pnl[t] / (shares * in_px)
    return filled, exit_j, size, entry_px, exit_px, entry_fees, exit_fees, pnl, ret


def _add_marks(acc, close, r0, starts, entry, tick, side, filled, exit_j, size, entry_px, entry_fees, pnl):
    """Add each trade's day-to-day change of marked-to-market P&L to its variant's row of ``acc``
    (variants x sessions of the span starting at calendar row ``r0``).

    Trades are sorted by variant; variant ``v`` owns trades ``starts[v]:starts[v + 1]``.  A trade is
    marked at ``d * size * (close - entry) - entry fee`` while open and at its P&L from its exit on.
    """
    n_rows = acc.shape[1]
    last = close.shape[0] - 1
    for v in prange(acc.shape[0]):
        for t in range(starts[v], starts[v + 1]):
            if not filled[t]:
                continue
            d = float(side[t])
            prev = 0.0
            for j in range(exit_j[t] + 1):
                row = entry[t] - r0 + j
                if row >= n_rows:
                    break
                if j < exit_j[t]:
                    mark = d * size[t] * (close[min(entry[t] + j, last), tick[t]] - entry_px[t]) - entry_fees[t]
                else:
                    mark = pnl[t]
                acc[v, row] += mark - prev
                prev = mark


#: Below this many trade-sessions the kernels run as plain Python: loading compiled numba code
#: costs about a second per process (numba's CPU target set-up), more than a small spec's loops.
COMPILE_ABOVE = 50_000
_COMPILED: dict = {}


def _kernel(fn, work: int):
    """``fn`` itself for small ``work``, else its numba compilation (parallel, kept in the disk cache)."""
    if work < COMPILE_ABOVE:
        return fn
    if fn not in _COMPILED:
        from numba import njit

        _COMPILED[fn] = njit(cache=True, parallel=True)(fn)
    return _COMPILED[fn]


@dataclass
class TradeFills:
    """Per-trade results of :func:`fill_trades` (NaN where not ``filled``)."""

    filled: np.ndarray
    exit_j: np.ndarray  # sessions from entry to exit
    size: np.ndarray  # shares
    entry_price: np.ndarray  # incl. slippage
    exit_price: np.ndarray
    entry_fees: np.ndarray
    exit_fees: np.ndarray
    pnl: np.ndarray  # currency, net of fees
    ret: np.ndarray  # pnl / (size * entry_price), decimal


def fill_trades(quote_open: np.ndarray, ff: dict[str, np.ndarray], entry, hold, tick, at_close, side, value, sl, tp,
                trail, fees: float, slippage: float, with_stops: bool) -> TradeFills:
    """Fill trades (see the module docstring); arrays over trades, ``sl``/``tp`` NaN when unset."""
    as_f = lambda a: np.ascontiguousarray(a, dtype=np.float64).reshape(-1)  # noqa: E731
    as_i = lambda a: np.ascontiguousarray(a, dtype=np.int64).reshape(-1)  # noqa: E731
    hold = as_i(hold)
    kernel = _kernel(_fill_trades, int(hold.sum()) + len(hold))
    out = kernel(quote_open, ff["open"], ff["high"], ff["low"], ff["close"], as_i(entry), hold, as_i(tick),
                 np.ascontiguousarray(at_close, dtype=np.bool_).reshape(-1), as_i(side), as_f(value), as_f(sl), as_f(tp),
                 np.ascontiguousarray(trail, dtype=np.bool_).reshape(-1), float(fees), float(slippage), bool(with_stops))
    return TradeFills(*out)


def add_marks(acc: np.ndarray, close: np.ndarray, r0: int, var: np.ndarray, entry: np.ndarray, tick: np.ndarray,
              side: np.ndarray, fills: TradeFills) -> None:
    """Add the marked P&L path of each trade (``var``: its variant, sorted ascending) into ``acc``
    (variants x sessions), in place."""
    starts = np.searchsorted(np.asarray(var, dtype=np.int64), np.arange(acc.shape[0] + 1))
    kernel = _kernel(_add_marks, int(fills.exit_j.sum()) + len(fills.exit_j))
    kernel(acc, close, int(r0), starts, np.ascontiguousarray(entry, dtype=np.int64),
           np.ascontiguousarray(tick, dtype=np.int64), np.ascontiguousarray(side, dtype=np.int64), fills.filled,
           fills.exit_j, fills.size, fills.entry_price, fills.entry_fees, fills.pnl)
