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
from numba.extending import register_jitable  # helpers callable from Python and from compiled kernels


@register_jitable
def _fill_one(quote_open, open_, high, low, close, e, k, at_close, d, value, stop, target, trail, hold, fees, slippage,
              with_stops):
    """One trade; returns (filled, exit_j, shares, entry_price, exit_price, entry_fee, exit_fee, pnl)."""
    last = close.shape[0] - 1
    q = close[e, k] if at_close else quote_open[e, k]
    if np.isnan(q) or not value > 0.0:
        return False, 0, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan
    shares = value / q
    in_px = q * (1.0 + d * slippage)
    stops = with_stops and not (np.isnan(stop) and np.isnan(target))
    out_j, px = -1, np.nan
    if stops and not at_close:
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
            if not np.isnan(stop) and trail:
                if d > 0 and hi > ref:
                    ref = hi
                elif d < 0 and lo < ref:
                    ref = lo
            if not np.isnan(hit):
                out_j, px = j, hit
                break
        if j >= hold:
            out_j, px = j, close[r, k]
        j += 1
    out_px = px * (1.0 - d * slippage)
    f_in = shares * in_px * fees
    f_out = shares * out_px * fees
    pnl = d * (shares * out_px - shares * in_px) - f_in - f_out
    return True, out_j, shares, in_px, out_px, f_in, f_out, pnl


@register_jitable
def _mark_one(acc, v, close, r0, e, k, d, exit_j, shares, entry_px, entry_fee, pnl):
    """Add one trade's day-to-day change of marked P&L to ``acc[v]`` (sessions from calendar row ``r0``):
    ``d * shares * (close - entry) - entry fee`` while open, its P&L from its exit on."""
    n_rows = acc.shape[1]
    last = close.shape[0] - 1
    prev = 0.0
    for j in range(exit_j + 1):
        row = e - r0 + j
        if row >= n_rows:
            break
        mark = d * shares * (close[min(e + j, last), k] - entry_px) - entry_fee if j < exit_j else pnl
        acc[v, row] += mark - prev
        prev = mark


def _fill_trades(quote_open, open_, high, low, close, entry, hold, tick, at_close, side, value, sl, tp, trail,
                 fees, slippage, with_stops):
    """Fill every trade; returns (filled, exit_j, size, entry_price, exit_price, entry_fees, exit_fees,
    pnl, ret) arrays over trades (``exit_j``: sessions from entry to exit; prices include slippage)."""
    n = len(entry)
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
        ok, j, shares, in_px, out_px, f_in, f_out, gain = _fill_one(
            quote_open, open_, high, low, close, entry[t], tick[t], at_close[t], float(side[t]), value[t], sl[t], tp[t],
            trail[t], hold[t], fees, slippage, with_stops)
        if ok:
            filled[t] = True
            exit_j[t] = j
            size[t] = shares
            entry_px[t] = in_px
            exit_px[t] = out_px
            entry_fees[t] = f_in
            exit_fees[t] = f_out
            pnl[t] = gain
            ret[t] = gain / (shares * in_px)
    return filled, exit_j, size, entry_px, exit_px, entry_fees, exit_fees, pnl, ret


def _add_marks(acc, close, r0, starts, entry, tick, side, filled, exit_j, size, entry_px, entry_fees, pnl):
    """Add each trade's marked P&L path (:func:`_mark_one`) to its variant's row of ``acc``.

    Trades are sorted by variant; variant ``v`` owns trades ``starts[v]:starts[v + 1]``.
    """
    for v in prange(acc.shape[0]):
        for t in range(starts[v], starts[v + 1]):
            if filled[t]:
                _mark_one(acc, v, close, r0, entry[t], tick[t], float(side[t]), exit_j[t], size[t], entry_px[t],
                          entry_fees[t], pnl[t])


def _sweep(quote_open, open_, high, low, close, r0, key_start, entry, exit_, tick, side, value, at_close, beta,
           v_key, v_sl, v_tp, v_trail, v_hedged, v_bench, fees, slippage, with_stops,
           acc, n_trades, wins, sum_ret, held, peak):
    """Every variant's trades (those of its trade key: ``key_start[key]:key_start[key + 1]``) filled,
    hedged and marked into ``acc`` (variants x sessions), with per-variant trade counts, winners
    (P&L incl. hedge > 0), sum of trade returns, sessions with a position and peak gross notional
    (currency, the hedge leg at its notional plus slippage).  No per-trade output: for large grids."""
    n_rows = acc.shape[1]
    for v in prange(len(v_key)):
        opened = np.zeros(n_rows + 1, dtype=np.int64)
        gross_at = np.zeros(n_rows + 1)
        for t in range(key_start[v_key[v]], key_start[v_key[v] + 1]):
            e, d = entry[t], float(side[t])
            ok, j, shares, in_px, _, f_in, _, pnl = _fill_one(
                quote_open, open_, high, low, close, e, tick[t], at_close[t], d, value[t], v_sl[v], v_tp[v], v_trail[v],
                exit_[t] - e, fees, slippage, with_stops)
            if not ok:
                continue
            _mark_one(acc, v, close, r0, e, tick[t], d, j, shares, in_px, f_in, pnl)
            notional = shares * in_px
            gross = notional
            hedge_pnl = 0.0
            if v_hedged[v]:
                b = 0.0 if np.isnan(beta[t]) else beta[t]
                h_side = -d * (-1.0 if b < 0 else 1.0)
                h_value = abs(b) * value[t]
                gross += h_value * (1.0 + slippage)
                if j > 0:  # a trade stopped on its entry session carries no hedge
                    h_ok, h_j, h_shares, h_in, _, h_fin, _, h_pnl = _fill_one(
                        quote_open, open_, high, low, close, e, v_bench[v], at_close[t], h_side, h_value, np.nan,
                        np.nan, False, j, fees, slippage, False)
                    if h_ok:
                        hedge_pnl = h_pnl
                        _mark_one(acc, v, close, r0, e, v_bench[v], h_side, h_j, h_shares, h_in, h_fin, h_pnl)
            n_trades[v] += 1
            if pnl + hedge_pnl > 0:
                wins[v] += 1
            ret = (pnl + hedge_pnl) / notional
            if not np.isnan(ret):
                sum_ret[v] += ret
            opened[e - r0] += 1
            opened[e - r0 + j + 1] -= 1
            gross_at[e - r0] += gross
            gross_at[e - r0 + j + 1] -= gross
        count, now, top, n_held = 0, 0.0, -np.inf, 0
        for r in range(n_rows):
            count += opened[r]
            now += gross_at[r]
            if count > 0:
                n_held += 1
            top = max(top, now)
        held[v] = n_held
        peak[v] = top if n_rows else 0.0


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


@dataclass
class SweepTotals:
    """Per-variant results of :func:`sweep_variants` (arrays over variants)."""

    equity: np.ndarray  # (sessions, variants), currency
    trades: np.ndarray
    wins: np.ndarray  # trades with P&L (incl. hedge) > 0
    sum_ret: np.ndarray  # sum of trade returns (decimal)
    held: np.ndarray  # sessions with at least one open position
    peak_gross: np.ndarray  # largest gross notional open at once, currency


def sweep_variants(quote_open: np.ndarray, ff: dict[str, np.ndarray], r0: int, n_rows: int, capital: float,
                   key_trades: dict[str, np.ndarray], key_start: np.ndarray, v_key, v_sl, v_tp, v_trail, v_hedged,
                   v_bench, fees: float, slippage: float, with_stops: bool) -> SweepTotals:
    """Equity curves and trade statistics of many variants in one compiled pass, without per-trade
    output: each variant fills the trades of its trade key (``key_trades`` arrays ``entry, exit,
    col, side, value, entry_at_close, beta``, key ``i`` owning rows ``key_start[i]:key_start[i + 1]``)
    with its stops, and its hedge leg on ``v_bench`` when ``v_hedged``."""
    n = len(v_key)
    per_key = (key_trades["exit"] - key_trades["entry"] + 1).sum() / max(len(key_start) - 1, 1)
    kernel = _kernel(_sweep, int(n * per_key))
    acc = np.zeros((n, n_rows))
    out = [np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64), np.zeros(n), np.zeros(n, dtype=np.int64), np.zeros(n)]
    i64 = lambda a: np.ascontiguousarray(a, dtype=np.int64)  # noqa: E731
    f64 = lambda a: np.ascontiguousarray(a, dtype=np.float64)  # noqa: E731
    kt = key_trades
    kernel(quote_open, ff["open"], ff["high"], ff["low"], ff["close"], int(r0), i64(key_start), i64(kt["entry"]),
           i64(kt["exit"]), i64(kt["col"]), i64(kt["side"]), f64(kt["value"]),
           np.ascontiguousarray(kt["entry_at_close"], dtype=np.bool_), f64(kt["beta"]), i64(v_key), f64(v_sl), f64(v_tp),
           np.ascontiguousarray(v_trail, dtype=np.bool_), np.ascontiguousarray(v_hedged, dtype=np.bool_), i64(v_bench),
           float(fees), float(slippage), bool(with_stops), acc, *out)
    return SweepTotals(capital + np.cumsum(acc, axis=1).T, *out)
