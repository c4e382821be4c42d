"""Planned trades of many variants -> fills, equity curves and metrics, two engines.

``portfolio`` engine (vectorbt ``Portfolio.from_signals``, the reference)
    Every variant is one vectorbt *group* with ``cash_sharing=True`` (one pot of ``capital``).
    Inside a group each column is a *lane*: a sequence of trades that never overlap in time
    (:func:`~eventstudy.backtest.signals.assign_lanes`), so a lane's close/open/high/low are those
    of whichever ticker it holds at that moment.  Overlapping events on one ticker sit in different
    lanes and each trade exits after its own N sessions: nothing relies on shifting a signal series.
    A hedged variant has one benchmark lane per trade lane.  When cash runs short, vectorbt cuts
    the entry (exact cash accounting).
``trades`` engine (default)
    Every trade is filled on its own in event time by the numba kernels of
    :mod:`~eventstudy.backtest.trade_kernels`, which apply vectorbt's fill rules (tested to agree
    with ``from_signals`` trade by trade, and with the ``portfolio`` engine on the shipped specs), and
    the variant's value is ``capital`` plus the sum of its trades' marked-to-market P&L.  That is
    the cash-sharing portfolio's value whenever capital covers the entries (``peak_gross <= 1``);
    work is the sum of (N + 1) over trades instead of sessions x lanes, and vectorbt need not be
    imported.  Grids too large to keep every trade (:func:`simulate` ``keep_trades=False``) run in
    one compiled pass per chunk of variants that keeps only equity curves and trade statistics.

Fills (both engines): entries at the session open use ``price = open`` (else the close); time exits
at the close; stops (``sl_stop``/``tp_stop``/``sl_trail``, relative to the quoted entry price).
After an open fill, the rest of the entry session counts: its high/low reaching a level closes the
trade there at the level (:func:`_entry_day_stops`).  From the next session on vectorbt checks the
open first (a gap through a stop fills at the open), then high/low.  Within one bar the order of
high and low is unknown: when both the stop and the target lie inside it, the stop is assumed first
(conservative).  ``fees`` (proportional) and ``slippage`` (adverse price move) apply
to every fill.  A hedge leg is closed with its trade, at that session's close when a stop fired.

Memory: each chunk (one vectorbt run, or one kernel pass) holds at most ``max_cells`` cells; no
order logs are kept; a large grid keeps per-variant metrics and equity curves, trade lists only
when asked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .data import PriceData
from .metrics import buy_and_hold_value, equity_metrics, held_sessions, peak_open, trade_metrics
from .signals import (
    NO_BETA,
    NO_HEDGE,
    NO_TICKER,
    NO_VOL,
    assign_lanes,
    estimation_beta,
    filter_events,
    finish_trades,
    plan_entries,
    trailing_volatility,
)
from .spec import ALL_ROLES, SizingMethod, StrategySpec

DEFAULT_MAX_CELLS = 4_000_000
#: Keys that decide which trades a variant takes (stops only change how they end).
TRADE_KEYS = ("k", "hold", "role", "benchmark", "hedge")


@dataclass
class SimResult:
    """Everything one backtest of a set of variants produced.

    ``metrics``: one row per variant (``variant`` + the swept parameters + metric columns).
    ``trades``: one row per filled trade (see :func:`simulate` for columns).
    ``equity``: (sessions, variants) portfolio value at each close, in currency units.
    ``benchmarks``: buy-and-hold rows (traded names per role set, and the comparison benchmark).
    ``skipped``: planned trades that could not be placed, with ``reason``.
    """

    metrics: pd.DataFrame
    trades: pd.DataFrame
    equity: pd.DataFrame
    benchmarks: pd.DataFrame
    skipped: pd.DataFrame
    info: dict = field(default_factory=dict)


def _roles_of(role: str):
    return ALL_ROLES if role == ALL_ROLES else role.split(",")


def _universe_text(spec: StrategySpec, role: str) -> str:
    """The universe filters of one role choice, in words (for a variant that finds nothing to trade)."""
    u = spec.universe
    words = ["no listed party" + ("" if role == ALL_ROLES else f" with role {role.replace(',', '/')}")]
    if u.deal_types:
        words.append("in deal type " + "/".join(str(d) for d in u.deal_types))
    if u.min_amount is not None:
        words.append(f"with amount >= {u.min_amount:g}")
    if u.tickers:
        words.append("among the universe tickers")
    return " ".join(words)


def _why_empty(spec: StrategySpec, role: str, n_base: int, n_unpriced: int, skip: pd.DataFrame) -> str:
    """Why a trade key has no trade: nothing matches the universe, or every planned trade was skipped."""
    if n_base == 0:
        return _universe_text(spec, role)
    counts = skip["reason"].value_counts() if len(skip) else pd.Series(dtype=int)
    if n_unpriced:
        counts = pd.concat([pd.Series({NO_TICKER: n_unpriced}), counts])
    top = "; ".join(f"{reason} ({n})" for reason, n in counts.items())
    return f"all {n_base} planned trade(s) skipped: {top}" if top else "no trade"


def _trade_sets(spec: StrategySpec, events: pd.DataFrame, prices: PriceData, variants: list[dict]):
    """Trades per distinct trade key; returns (keys, per-key (frame, lanes), skipped frame, per-key note).

    Event rows whose ticker has no prices are skipped (reason :data:`NO_TICKER`, listed once); a key
    without any trade gets a note saying why (empty string otherwise).
    """
    u = spec.universe
    direction = spec.direction.value
    needs_close = direction in ("fade", "follow")
    plans: dict[int, pd.DataFrame] = {}
    keys = list(dict.fromkeys(tuple(v[k] for k in TRADE_KEYS) for v in variants))
    bases = {role: filter_events(events, roles=_roles_of(role), deal_types=u.deal_types, min_amount=u.min_amount,
                                 tickers=u.tickers) for role in dict.fromkeys(v["role"] for v in variants)}
    # Plan only the rows some variant trades: other rows' tickers need no prices.
    wanted = pd.concat([b[["event_id", "ticker"]] for b in bases.values()]).drop_duplicates()
    events = events.merge(wanted, on=["event_id", "ticker"], how="inner")
    priced = events["ticker"].isin(prices.tickers).to_numpy()
    skipped = [events.loc[~priced].assign(reason=NO_TICKER)] if (~priced).any() else []
    events = events.loc[priced].reset_index(drop=True)
    sets, notes = {}, {}
    skip_params: list[tuple[int, dict]] = []
    # Keys that differ only in hedge/benchmark (or in hold) share their plan, trades and the
    # per-row sizing and beta: computed once per (k, role) plan and picked by plan row ("_row").
    merged: dict[tuple, pd.DataFrame] = {}
    finished: dict[tuple, tuple[pd.DataFrame, pd.DataFrame]] = {}
    per_row: dict[tuple, np.ndarray] = {}
    s = spec.sizing
    for key in keys:
        params = dict(zip(TRADE_KEYS, key))
        base = bases[params["role"]]
        if params["k"] not in plans:
            plans[params["k"]] = plan_entries(events, prices, k=params["k"], at_close=spec.entry.at.value == "close",
                                              needs_day0_close=needs_close)
        pk = (params["k"], params["role"])
        if pk not in merged:
            plan = plans[params["k"]].merge(base[["event_id", "ticker"]], on=["event_id", "ticker"], how="inner")
            merged[pk] = plan.assign(_row=np.arange(len(plan)))
        plan = merged[pk]
        if (*pk, params["hold"]) not in finished:
            done_, skip_ = finish_trades(plan, prices, hold=params["hold"], direction=direction,
                                         min_day0_move=spec.min_day0_move)
            rows_ = done_.pop("_row").to_numpy()
            skip_.pop("_row")
            # The columns each key fills, created once: filling them is cheaper than adding them.
            filled = ["value", "sigma", "beta"] if s.method == SizingMethod.VOL_SCALED else ["value", "beta"]
            finished[(*pk, params["hold"])] = (done_.assign(**dict.fromkeys(filled, np.nan)), rows_, skip_)
        shared, rows, skip = finished[(*pk, params["hold"])]
        trades = shared.copy()  # each key sizes and hedges its own copy
        if s.method == SizingMethod.VOL_SCALED:
            if (*pk, "vol") not in per_row:
                per_row[(*pk, "vol")] = trailing_volatility(prices.close, plan["col"].to_numpy(), plan["entry"].to_numpy(),
                                                            s.vol_lookback)
            vol = per_row[(*pk, "vol")][rows]
            scale = np.minimum(s.target_vol / vol, s.max_leverage)
            trades["value"] = s.cash * scale
            trades["sigma"] = vol
        else:
            trades["value"] = s.cash
        no_hedge = params["hedge"] and params["benchmark"] not in prices.tickers
        if params["hedge"] and not no_hedge:
            if (*pk, params["benchmark"]) not in per_row:
                bench = prices.close[:, prices.column(params["benchmark"])]
                per_row[(*pk, params["benchmark"])] = estimation_beta(
                    prices.close, plan["col"].to_numpy(), bench, plan["day0"].to_numpy(), spec.hedge.estimation,
                    spec.hedge.min_obs)
            trades["beta"] = per_row[(*pk, params["benchmark"])][rows]
        else:
            trades["beta"] = np.nan
        reason = np.full(len(trades), "", dtype=object)
        reason[trades["value"].isna().to_numpy()] = NO_VOL
        if no_hedge:
            reason[reason == ""] = f"{NO_HEDGE} {params['benchmark']}"
        elif params["hedge"]:
            reason[(reason == "") & trades["beta"].isna().to_numpy()] = NO_BETA
        if (reason != "").any():
            bad = trades.loc[reason != ""].assign(reason=reason[reason != ""])
            skip = pd.concat([skip, bad], ignore_index=True)
            trades = trades.loc[reason == ""].reset_index(drop=True)
        trades["lane"] = assign_lanes(trades["entry"].to_numpy(), trades["exit"].to_numpy()) if len(trades) else []
        n_lanes = int(trades["lane"].max()) + 1 if len(trades) else 0
        if s.method == SizingMethod.EQUAL_WEIGHT and n_lanes:
            # Equal share of capital per concurrent slot; a hedged slot splits it over both legs, and
            # room is left for slippage and fees so that every entry fills in full.
            gross = 1.0 + (trades["beta"].abs().to_numpy() if params["hedge"] else 0.0)
            costs = (1.0 + spec.costs.slippage) * (1.0 + spec.costs.fees)
            trades["value"] = spec.capital / n_lanes / gross / costs
        sets[key] = (trades, n_lanes)
        notes[key] = "" if len(trades) else _why_empty(
            spec, params["role"], len(base), int((~base["ticker"].isin(prices.tickers)).sum()), skip)
        if len(skip):
            skipped.append(skip)
            skip_params.append((len(skip), params))
    return keys, sets, _skipped_frame(skipped, skip_params), notes


def _skipped_frame(frames: list[pd.DataFrame], params: list[tuple[int, dict]]) -> pd.DataFrame:
    """The skipped rows in one frame, with ``param_<key>`` columns naming the trade key that skipped
    them (the last ``len(params)`` frames, each ``n`` rows long; earlier ones have none: NaN)."""
    if not frames:
        return pd.DataFrame()
    frame = pd.concat(frames, ignore_index=True)
    if params:
        lead = len(frame) - sum(n for n, _ in params)
        counts = [lead] + [n for n, _ in params]
        for name in TRADE_KEYS:
            values = np.array([np.nan] + [p[name] for _, p in params], dtype=object)
            frame[f"param_{name}"] = pd.Series(np.repeat(values, counts), dtype=object).infer_objects()
    return frame


@dataclass
class _Chunk:
    """Column layout of one simulation chunk (arrays of per-trade values)."""

    group: np.ndarray  # (C,) variant (local) per column
    sl: np.ndarray
    tp: np.ndarray
    trail: np.ndarray
    t_var: np.ndarray  # per trade: local variant
    t_idx: np.ndarray  # per trade: row in the key's trade frame
    t_key: np.ndarray
    col_main: np.ndarray
    col_hedge: np.ndarray  # -1 when not hedged


def _layout(var_ids: np.ndarray, variants: list[dict], key_index: dict, sets: dict, keys: list) -> _Chunk:
    """Columns of a chunk: per variant ``max(lanes, 1)`` trade lanes, then as many hedge lanes if hedged."""
    key_of = np.array([key_index[v] for v in var_ids], dtype=np.int64)
    n_trades = np.array([len(sets[k][0]) for k in keys], dtype=np.int64)[key_of]
    n_lanes = np.array([sets[k][1] for k in keys], dtype=np.int64)[key_of]
    lanes_of_key = [sets[k][0]["lane"].to_numpy(dtype=np.int64) for k in keys]
    hedged = np.array([bool(variants[v]["hedge"]) for v in var_ids])
    pick = lambda name: np.array([np.nan if variants[v][name] is None else variants[v][name] for v in var_ids], dtype=float)  # noqa: E731
    stop, target = pick("stop_loss"), pick("take_profit")
    trailing = np.array([bool(variants[v]["trailing"]) for v in var_ids])
    width = np.maximum(n_lanes, 1)  # an empty variant still gets a (flat) column
    n_cols = width * np.where(hedged, 2, 1)
    off = np.cumsum(n_cols) - n_cols
    group = np.repeat(np.arange(len(var_ids)), n_cols)
    within = np.arange(n_cols.sum()) - np.repeat(off, n_cols)
    main = within < np.repeat(width, n_cols)
    t_var = np.repeat(np.arange(len(var_ids)), n_trades)
    t_key = np.repeat(key_of, n_trades)
    t_idx = np.arange(n_trades.sum()) - np.repeat(np.cumsum(n_trades) - n_trades, n_trades)
    lanes = np.concatenate([lanes_of_key[k][: n] for k, n in zip(key_of, n_trades)]) if len(var_ids) else np.zeros(0, int)
    col_main = off[t_var] + lanes
    col_hedge = np.where(hedged[t_var], off[t_var] + n_lanes[t_var] + lanes, -1)
    return _Chunk(group, np.where(main, np.repeat(stop, n_cols), np.nan), np.where(main, np.repeat(target, n_cols), np.nan),
                  main & np.repeat(trailing, n_cols), t_var, t_idx, t_key, col_main.astype(np.int64),
                  col_hedge.astype(np.int64))


def _cells(start: np.ndarray, stop: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row indices of every session start..stop (inclusive) of each interval, and the interval id."""
    lens = stop - start + 1
    which = np.repeat(np.arange(len(start)), lens)
    first = np.repeat(np.cumsum(lens) - lens, lens)
    rows = start[which] + (np.arange(lens.sum()) - first)
    return rows, which


def _ffill(a: np.ndarray) -> np.ndarray:
    out = pd.DataFrame(a).ffill().to_numpy()
    return np.where(np.isnan(out), 1.0, out)


class _Arrays:
    """Dense (R, C) inputs of one vectorbt run."""

    def __init__(self, r: int, c: int, stops: bool):
        self.close = np.ones((r, c))
        self.price = np.full((r, c), np.inf)  # inf = the close
        self.size = np.zeros((r, c))
        self.le = np.zeros((r, c), dtype=bool)
        self.lx = np.zeros((r, c), dtype=bool)
        self.se = np.zeros((r, c), dtype=bool)
        self.sx = np.zeros((r, c), dtype=bool)
        self.ohl = [np.ones((r, c)) for _ in range(3)] if stops else None

    def place(self, prices: PriceData, ff: dict, r0: int, col: np.ndarray, tick: np.ndarray, entry: np.ndarray,
              exit_: np.ndarray, at_close: np.ndarray, side: np.ndarray, value: np.ndarray, with_ohl: bool) -> None:
        rows, which = _cells(entry, exit_)
        cc, tt = col[which], tick[which]
        self.close[rows - r0, cc] = ff["close"][rows, tt]
        if with_ohl and self.ohl is not None:
            for arr, name in zip(self.ohl, ("open", "high", "low")):
                arr[rows - r0, cc] = ff[name][rows, tt]
        e = entry - r0
        self.price[e, col] = np.where(at_close, np.inf, prices.open[entry, tick])
        self.size[e, col] = value
        self.le[e, col] = side > 0
        self.se[e, col] = side < 0
        self.lx[exit_ - r0, col] = side > 0
        self.sx[exit_ - r0, col] = side < 0

    def clear_exits(self, rows: np.ndarray, col: np.ndarray) -> None:
        self.lx[rows, col] = False
        self.sx[rows, col] = False


def _run_vbt(arr: _Arrays, chunk: _Chunk, spec: StrategySpec, index: pd.DatetimeIndex):
    from .vbt_kernels import vectorbt

    vbt = vectorbt()

    kwargs = {}
    if arr.ohl is not None:
        kwargs = dict(open=arr.ohl[0], high=arr.ohl[1], low=arr.ohl[2], sl_stop=chunk.sl[None, :],
                      tp_stop=chunk.tp[None, :], sl_trail=chunk.trail[None, :], stop_entry_price="price",
                      stop_exit_price="stopmarket", upon_stop_exit="close")
    return vbt.Portfolio.from_signals(
        pd.DataFrame(arr.close, index=index, copy=False),
        entries=arr.le, exits=arr.lx, short_entries=arr.se, short_exits=arr.sx,
        price=arr.price, size=arr.size, size_type="value", accumulate=False,
        fees=spec.costs.fees, slippage=spec.costs.slippage,
        init_cash=spec.capital, cash_sharing=True, group_by=chunk.group, call_seq="auto",
        freq="1D", max_logs=0, **kwargs,
    )


def _match(records: np.ndarray, cols: np.ndarray, entry_rows: np.ndarray, n_rows: int) -> np.ndarray:
    """Index into ``records`` of the trade opened at (col, entry row), or -1 if it never filled."""
    rec_key = records["col"] * n_rows + records["entry_idx"]
    order = np.argsort(rec_key, kind="stable")
    want = cols * n_rows + entry_rows
    pos = np.searchsorted(rec_key[order], want)
    pos = np.minimum(pos, max(len(order) - 1, 0))
    found = (len(order) > 0) & (rec_key[order][pos] == want) if len(order) else np.zeros(len(want), bool)
    return np.where(found, order[pos] if len(order) else -1, -1)


def simulate(spec: StrategySpec, events: pd.DataFrame, prices: PriceData, variants: list[dict] | None = None, *,
             max_cells: int = DEFAULT_MAX_CELLS, engine: str | None = None, keep_trades: bool = True,
             progress: Callable[[int, int], None] | None = None) -> SimResult:
    """Backtest ``variants`` (default: ``spec.variants()``) of ``spec`` on ``events``.

    Parameters
    ----------
    spec : strategy; its sweep is ignored when ``variants`` is given.
    events : one row per (event, listed party): ``event_id, ticker, announced, timing, role,
        deal_type`` (+ optional ``amount_value``), see :func:`eventstudy.backtest.data.check_events`.
    prices : OHLC of every traded ticker, the hedge benchmarks and ``spec.benchmark``.
    max_cells : memory bound: cells per chunk (sessions x lanes for ``portfolio``, trade-sessions for ``trades``).
    engine : default ``spec.engine``.  ``portfolio``: cash-sharing groups of lanes on the calendar
        (entries are cut when cash runs short); ``trades``: one column per trade in event time,
        portfolio value = capital + sum of trade P&L (identical whenever capital covers the entries,
        which ``peak_gross`` <= 1 shows; far cheaper for large grids).
    keep_trades : build the trade list (False for large grids: memory then stays bounded by the
        per-variant metrics and equity curves; re-run the variants of interest to get their trades).
    progress : called with (done, total) variants after each chunk.

    Returns
    -------
    SimResult
        ``trades`` columns: ``variant, event_id, ticker, role, side (+1 long / -1 short), entry_date,
        entry_at, entry_price, exit_date, exit_price, exit_reason (time|stop-loss|take-profit|
        trailing-stop), shares, notional, pnl, return, hedge_ticker, hedge_beta, hedge_pnl, delayed,
        day0_date, day0_move`` (prices include slippage; pnl net of fees, in currency; return =
        (pnl + hedge_pnl) / notional, decimal).
    """
    from .data import check_events

    events = check_events(events)
    variants = spec.variants() if variants is None else variants
    keys, sets, skipped, notes = _trade_sets(spec, events, prices, variants)
    key_pos = {k: i for i, k in enumerate(keys)}
    key_index = {v: key_pos[tuple(p[k] for k in TRADE_KEYS)] for v, p in enumerate(variants)}
    frames = [sets[k][0] for k in keys]
    all_entry = np.concatenate([f["entry"].to_numpy() for f in frames]) if frames else np.zeros(0, int)
    all_exit = np.concatenate([f["exit"].to_numpy() for f in frames]) if frames else np.zeros(0, int)
    t_total = len(prices.sessions)
    if len(all_entry):
        r0, r1 = max(int(all_entry.min()) - 1, 0), int(all_exit.max())
    else:
        r0, r1 = 0, t_total - 1
    n_rows = r1 - r0 + 1
    index = prices.sessions[r0:r1 + 1]
    ff = {name: _ffill(getattr(prices, name)) for name in ("open", "high", "low", "close")}
    has_stops = any(v["stop_loss"] is not None or v["take_profit"] is not None for v in variants)

    # Cells (sessions x columns) per variant decide the engine and the chunking (a chunk is one vectorbt run).
    n_cols = np.array([max(sets[keys[key_index[v]]][1], 1) * (2 if p["hedge"] else 1) for v, p in enumerate(variants)])
    lane_cells = n_cols * n_rows
    n_trades = np.array([len(sets[keys[key_index[v]]][0]) for v in range(len(variants))])
    trade_cells = np.array([n_trades[v] * (p["hold"] + 1) * (2 if p["hedge"] else 1) for v, p in enumerate(variants)])
    engine = engine or spec.engine
    if engine not in ("portfolio", "trades"):
        raise ValueError(f"engine must be 'portfolio' or 'trades', not {engine!r}")
    # Large grids of the event-time engine (no trade list wanted) run in one compiled pass per chunk
    # (:func:`_sweep_chunk`); otherwise a chunk holds per-trade arrays (trades engine) or dense
    # sessions x lanes arrays (portfolio engine).  Either way a chunk is at most ``max_cells`` cells.
    fused = engine == "trades" and not keep_trades
    cells = lane_cells if engine == "portfolio" else trade_cells
    chunks, current, acc = [], [], 0
    for v in range(len(variants)):
        if current and acc + cells[v] > max_cells:
            chunks.append(np.array(current, dtype=np.int64))
            current, acc = [], 0
        current.append(v)
        acc += cells[v]
    chunks.append(np.array(current, dtype=np.int64))

    equity = np.empty((n_rows, len(variants)))
    metric_parts, trade_parts = [], []
    done = 0
    key_trades = _key_trades(keys, sets) if fused else None
    for var_ids in chunks:
        if fused:
            eq, met = _sweep_chunk(spec, prices, ff, var_ids, variants, key_index, key_trades, r0, n_rows, has_stops)
            trd = None
        else:
            chunk = _layout(var_ids, variants, key_index, sets, keys)
            eq, met, trd = _simulate_chunk(spec, prices, ff, chunk, var_ids, variants, keys, sets, r0, n_rows, index,
                                           has_stops, engine, keep_trades)
        equity[:, var_ids] = eq
        metric_parts.append(met)
        if trd is not None:
            trade_parts.append(trd)
        done += len(var_ids)
        if progress is not None:
            progress(done, len(variants))

    metrics = pd.concat(metric_parts, ignore_index=True).sort_values("variant").reset_index(drop=True)
    # Each variant is measured over its own span: the session before its first entry to its last
    # planned exit (so a variant scores the same alone as inside a sweep), benchmarks likewise.
    span_of_key = []
    for key in keys:
        frame = sets[key][0]
        span_of_key.append((max(int(frame["entry"].min()) - 1, 0) - r0, int(frame["exit"].max()) - r0)
                           if len(frame) else (0, n_rows - 1))
    spans = np.array([span_of_key[key_index[v]] for v in range(len(variants))], dtype=np.int64).reshape(-1, 2)
    metrics["span_start"] = index[spans[:, 0]] if len(index) else pd.NaT
    metrics["span_end"] = index[spans[:, 1]] if len(index) else pd.NaT
    metrics["exposure"] = metrics["exposure"] / (spans[:, 1] - spans[:, 0] + 1)
    measured: dict[str, np.ndarray] = {}
    for s0, s1 in {tuple(x) for x in spans}:
        cols = np.flatnonzero((spans[:, 0] == s0) & (spans[:, 1] == s1))
        for name, values in equity_metrics(equity[s0:s1 + 1, cols], spec.capital).items():
            measured.setdefault(name, np.full(len(variants), np.nan))[cols] = values
    for name, values in measured.items():
        metrics[name] = values
    params = pd.DataFrame(variants)
    metrics = params.assign(variant=np.arange(len(variants))).merge(metrics, on="variant")
    # A variant without trades says why (never a bare NaN Sharpe).
    note = np.array([notes[keys[key_index[v]]] for v in range(len(variants))], dtype=object)
    note[(note == "") & (metrics["trades"].to_numpy() == 0)] = "no entry filled"
    metrics["note"] = note
    roles = [v["role"] for v in variants]
    bench = _benchmarks(spec, events, prices, sorted({(roles[i], *map(int, spans[i] + r0)) for i in range(len(variants))},
                                                      key=str))
    for name in ("bh_total_return", "bh_sharpe", "spy_total_return", "spy_sharpe"):
        metrics[name] = np.nan
    if len(bench):
        where = list(zip(metrics["role"], spans[:, 0] + r0, spans[:, 1] + r0))
        traded = bench.loc[bench["kind"] == "traded"].set_index(["role", "row0", "row1"])
        comp = bench.loc[bench["kind"] == "benchmark"].drop_duplicates(["row0", "row1"]).set_index(["row0", "row1"])
        for prefix, table, keys_ in (("bh", traded, where), ("spy", comp, [w[1:] for w in where])):
            pos = table.index.get_indexer(pd.MultiIndex.from_tuples(keys_)) if len(keys_) else np.zeros(0, int)
            for col in ("total_return", "sharpe"):
                values = table[col].to_numpy(dtype=float)
                metrics[f"{prefix}_{col}"] = np.where(pos >= 0, values[np.maximum(pos, 0)] if len(values) else np.nan, np.nan)
        bench = bench.drop(columns=["row0", "row1"])
    trades = pd.concat(trade_parts, ignore_index=True) if trade_parts else pd.DataFrame()
    for col in ("event_id", "ticker", "role", "entry_at", "exit_reason", "hedge_ticker"):
        if col in trades:  # one text dtype whatever the chunking (None where missing)
            trades[col] = pd.Series(trades[col].to_numpy(dtype=object), dtype=object).where(trades[col].notna(), None)
    labels = [variant_label(p) for p in variants]
    info = {"start": index[0].date() if len(index) else None, "end": index[-1].date() if len(index) else None,
            "sessions": n_rows, "chunks": len(chunks), "engine": engine, "cells": int(cells.sum()), "lanes": int(n_cols.sum()), "variants": len(variants),
            "events": int(events["event_id"].nunique())}
    return SimResult(metrics, trades, pd.DataFrame(equity, index=index, columns=labels), bench, skipped, info)


def variant_label(params: dict) -> str:
    """Short text naming a variant, e.g. ``k=0 N=5 sl=0.05 tp=- role=all hedge=-``."""
    fmt = lambda x: "-" if x is None else f"{x:g}" if isinstance(x, float) else str(x)  # noqa: E731
    hedge = params["benchmark"] if params["hedge"] else "-"
    trail = "trail" if params["trailing"] else "sl"
    return (f"k={params['k']} N={params['hold']} {trail}={fmt(params['stop_loss'])} "
            f"tp={fmt(params['take_profit'])} role={params['role']} hedge={hedge}")


def _chunk_trades(chunk: _Chunk, sets, keys, prices: PriceData, variants, var_ids) -> tuple[dict, list]:
    """Per-trade arrays of a chunk, in the chunk's trade order (plus ``meta`` to fetch text columns)."""
    fields = ("entry", "exit", "entry_at_close", "side", "col", "value", "beta", "lane", "day0", "delayed", "day0_move")
    per = {f: [] for f in fields}
    meta = []
    for key in np.unique(chunk.t_key):
        frame = sets[keys[key]][0]
        sel = chunk.t_key == key
        rows = chunk.t_idx[sel]
        for f in fields:
            per[f].append(frame[f].to_numpy()[rows])
        meta.append((np.flatnonzero(sel), frame, rows))
    order = np.argsort(np.concatenate([m[0] for m in meta])) if meta else np.zeros(0, int)
    t = {f: (np.concatenate(per[f])[order] if meta else np.zeros(0)) for f in fields}
    for f in ("entry", "exit", "side", "col", "day0"):
        t[f] = t[f].astype(np.int64)
    t["entry_at_close"] = t["entry_at_close"].astype(bool)
    t["value"] = t["value"].astype(np.float64)
    t["hedged"] = chunk.col_hedge >= 0
    bench_of_var = np.array([prices.column(variants[v]["benchmark"])
                             if variants[v]["hedge"] and variants[v]["benchmark"] in prices.tickers else 0 for v in var_ids],
                            dtype=np.int64)
    t["bench"] = bench_of_var[chunk.t_var]
    beta = np.nan_to_num(t["beta"].astype(np.float64))
    t["h_side"] = -t["side"] * np.where(beta < 0, -1, 1)
    t["h_value"] = np.abs(beta) * t["value"]
    return t, meta


@dataclass
class _Fills:
    """What the simulation did with each planned trade of a chunk (arrays over trades)."""

    equity: np.ndarray  # (R, variants of the chunk)
    filled: np.ndarray
    exit_row: np.ndarray  # calendar row index in the span
    shares: np.ndarray
    entry_px: np.ndarray
    exit_px: np.ndarray
    pnl: np.ndarray
    hedge_pnl: np.ndarray


def _portfolio_fills(spec, prices, ff, chunk: _Chunk, t: dict, r0, n_rows, index, has_stops) -> _Fills:
    """Cash-sharing vectorbt portfolio: one group per variant, one column per lane (and hedge lane)."""
    entry, exit_, hedged = t["entry"], t["exit"], t["hedged"]
    arr = _Arrays(n_rows, len(chunk.group), has_stops)
    arr.place(prices, ff, r0, chunk.col_main, t["col"], entry, exit_, t["entry_at_close"], t["side"], t["value"], True)
    if hedged.any():
        h = hedged
        arr.place(prices, ff, r0, chunk.col_hedge[h], t["bench"][h], entry[h], exit_[h], t["entry_at_close"][h],
                  t["h_side"][h], t["h_value"][h], False)
    lane_sl, lane_tp = chunk.sl[chunk.col_main], chunk.tp[chunk.col_main]
    ohl = (prices.open[entry, t["col"]], prices.high[entry, t["col"]], prices.low[entry, t["col"]])

    def records(pf):
        """Trade records with entry-session stops applied, the planned trades' records, and which were stopped."""
        rec = pf.trades.values.copy()
        m_idx = _match(rec, chunk.col_main, entry - r0, n_rows)
        before = rec.copy()
        hit = (_entry_day_stops(spec, rec, m_idx, ohl[0], ohl[1], ohl[2], t["side"], lane_sl, lane_tp,
                                ~t["entry_at_close"]) if has_stops else np.zeros(len(entry), bool))
        return rec, m_idx, before, hit

    pf = _run_vbt(arr, chunk, spec, index)
    rec, m_idx, before, hit = records(pf)
    real_exit = np.where(m_idx >= 0, rec["exit_idx"][np.maximum(m_idx, 0)] + r0, exit_)
    early = hedged & (real_exit < exit_)
    if early.any():
        # A stop closed the trade before its time: close its hedge at that session's close instead.
        h_side = t["h_side"]
        arr.clear_exits(exit_[early] - r0, chunk.col_hedge[early])
        arr.lx[real_exit[early] - r0, chunk.col_hedge[early]] = h_side[early] > 0
        arr.sx[real_exit[early] - r0, chunk.col_hedge[early]] = h_side[early] < 0
        pf = _run_vbt(arr, chunk, spec, index)
        rec, m_idx, before, hit = records(pf)
    equity = pf.value().to_numpy().reshape(n_rows, -1).copy()
    if hit.any():
        # vectorbt held the stopped trades on: swap their marked P&L for the entry-session exit's.
        # (Exact in value; when capital binds, their cash still frees only at vectorbt's exit.)
        for i in np.flatnonzero(hit):
            old, e = before[m_idx[i]], entry[i] - r0
            j = np.arange(e, n_rows)
            d = 1.0 if old["direction"] == 0 else -1.0
            mark = d * old["size"] * (arr.close[j, chunk.col_main[i]] - old["entry_price"]) - old["entry_fees"]
            mark = np.where(j < old["exit_idx"], mark, old["pnl"])
            equity[j, chunk.t_var[i]] += rec["pnl"][m_idx[i]] - mark
    mi = np.maximum(m_idx, 0)
    h_idx = np.where(hedged, _match(rec, np.where(hedged, chunk.col_hedge, 0), entry - r0, n_rows), -1)
    hedge_pnl = np.where(h_idx >= 0, rec["pnl"][np.maximum(h_idx, 0)], 0.0)
    return _Fills(equity, m_idx >= 0, rec["exit_idx"][mi], rec["size"][mi], rec["entry_price"][mi],
                  rec["exit_price"][mi], rec["pnl"][mi], hedge_pnl)


def _entry_day_stops(spec, rec: np.ndarray, idx_u: np.ndarray, base: np.ndarray, high: np.ndarray, low: np.ndarray,
                     side: np.ndarray, sl: np.ndarray, tp: np.ndarray, at_open: np.ndarray) -> np.ndarray:
    """Close, in place in the trade records ``rec``, the open-filled trades whose stop or target the
    rest of the entry session reached (vectorbt checks stops from the next session only).

    Levels are relative to the quoted open ``base`` (as vectorbt's ``stop_entry_price="price"``):
    a long's stop at ``base * (1 - sl)``, target at ``base * (1 + tp)`` (mirrored for shorts).  The
    order of the session's high and low is unknown, so when both levels lie inside its range the
    stop is assumed first (conservative); a trailing stop trails nothing on its entry session.  The
    fill is the level less slippage, with fees on its value.  A gap through the stop cannot happen
    on the entry session (the trade bought at that open).  ``idx_u`` maps each planned trade to its
    record (-1: not filled); returns which planned trades were closed here.
    """
    d = side.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        stop_px = base * (1.0 - d * np.nan_to_num(sl, nan=np.inf))
        target_px = base * (1.0 + d * np.nan_to_num(tp, nan=np.inf))
        hit_sl = ~np.isnan(sl) & np.where(d > 0, low <= stop_px, high >= stop_px)
        hit_tp = ~np.isnan(tp) & np.where(d > 0, high >= target_px, low <= target_px)
    hit = at_open & (idx_u >= 0) & (hit_sl | hit_tp)
    if not hit.any():
        return hit
    r = idx_u[hit]
    level = np.where(hit_sl[hit], stop_px[hit], target_px[hit])
    exit_px = level * (1.0 - d[hit] * spec.costs.slippage)
    size = rec["size"][r]
    exit_fees = size * exit_px * spec.costs.fees
    pnl = d[hit] * size * (exit_px - rec["entry_price"][r]) - rec["entry_fees"][r] - exit_fees
    rec["exit_idx"][r] = rec["entry_idx"][r]
    rec["exit_price"][r] = exit_px
    rec["exit_fees"][r] = exit_fees
    rec["pnl"][r] = pnl
    rec["return"][r] = pnl / (size * rec["entry_price"][r])
    return hit


def _trades_fills(spec, prices, ff, chunk: _Chunk, t: dict, var_ids, variants, r0, n_rows, has_stops) -> _Fills:
    """Event-time engine: every trade (and hedge leg) filled on its own (:mod:`.trade_kernels`).

    The portfolio's value is ``capital`` plus the sum of the trades' marked-to-market P&L, which is
    exactly the cash-sharing portfolio's value whenever ``capital`` covers every entry (the sizing
    methods fix each notional at entry and never compound).  Work: sum of (hold + 1) over trades.
    """
    from .trade_kernels import add_marks, fill_trades

    entry, hold = t["entry"], t["exit"] - t["entry"]
    params = [variants[v] for v in var_ids]
    sl = np.array([np.nan if p["stop_loss"] is None else p["stop_loss"] for p in params], dtype=float)[chunk.t_var]
    tp = np.array([np.nan if p["take_profit"] is None else p["take_profit"] for p in params], dtype=float)[chunk.t_var]
    trail = np.array([bool(p["trailing"]) for p in params], dtype=bool)[chunk.t_var]
    fees, slip = spec.costs.fees, spec.costs.slippage
    main = fill_trades(prices.open, ff, entry, hold, t["col"], t["entry_at_close"], t["side"], t["value"], sl, tp, trail,
                       fees, slip, has_stops)
    filled = main.filled
    exit_j = np.where(filled, main.exit_j, hold)
    acc = np.zeros((len(var_ids), n_rows))
    add_marks(acc, ff["close"], r0, chunk.t_var, entry, t["col"], t["side"], main)
    hedge_pnl = np.zeros(len(entry))
    # A hedge opens and closes with its trade; a trade stopped on its entry session carries no hedge
    # (one session cannot hold both a signal entry and exit).
    h = t["hedged"] & filled & (exit_j > 0)
    if h.any():
        nan = np.full(int(h.sum()), np.nan)
        leg = fill_trades(prices.open, ff, entry[h], exit_j[h], t["bench"][h], t["entry_at_close"][h], t["h_side"][h],
                          t["h_value"][h], nan, nan, np.zeros(len(nan), bool), fees, slip, False)
        hedge_pnl[h] = np.where(leg.filled, leg.pnl, 0.0)
        add_marks(acc, ff["close"], r0, chunk.t_var[h], entry[h], t["bench"][h], t["h_side"][h], leg)
    equity = spec.capital + np.cumsum(acc, axis=1).T
    return _Fills(equity, filled, entry - r0 + exit_j, main.size, main.entry_price, main.exit_price, main.pnl, hedge_pnl)


#: Per-trade fields the compiled sweep reads from each trade key's frame.
_KEY_FIELDS = ("entry", "exit", "col", "side", "value", "entry_at_close", "beta")


def _key_trades(keys: list, sets: dict) -> tuple[dict, np.ndarray]:
    """The trades of every key in one set of arrays (:data:`_KEY_FIELDS`), key ``i`` owning rows
    ``start[i]:start[i + 1]``."""
    frames = [sets[k][0] for k in keys]
    start = np.concatenate([[0], np.cumsum([len(f) for f in frames])]).astype(np.int64)
    arrays = {name: np.concatenate([f[name].to_numpy(dtype=float) if len(f) else np.zeros(0) for f in frames])
              if frames else np.zeros(0) for name in _KEY_FIELDS}
    return arrays, start


def _sweep_chunk(spec, prices, ff, var_ids, variants, key_index, key_trades, r0, n_rows, has_stops):
    """Equity and metric columns of the variants ``var_ids`` in one compiled pass (no trade list)."""
    from .trade_kernels import sweep_variants

    params = [variants[v] for v in var_ids]
    level = lambda name: np.array([np.nan if p[name] is None else p[name] for p in params], dtype=float)  # noqa: E731
    bench = np.array([prices.column(p["benchmark"]) if p["hedge"] and p["benchmark"] in prices.tickers else 0
                      for p in params], dtype=np.int64)
    arrays, start = key_trades
    res = sweep_variants(prices.open, ff, r0, n_rows, spec.capital, arrays, start,
                         np.array([key_index[v] for v in var_ids], dtype=np.int64), level("stop_loss"),
                         level("take_profit"), np.array([bool(p["trailing"]) for p in params]),
                         np.array([bool(p["hedge"]) for p in params]), bench, spec.costs.fees, spec.costs.slippage,
                         has_stops)
    n = res.trades.astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        met = pd.DataFrame({"variant": var_ids, "trades": res.trades, "win_rate": np.where(n > 0, res.wins / n, np.nan),
                            "avg_trade": np.where(n > 0, res.sum_ret / n, np.nan), "exposure": res.held,
                            "peak_gross": res.peak_gross / spec.capital})
    return res.equity, met


def _simulate_chunk(spec, prices, ff, chunk: _Chunk, var_ids, variants, keys, sets, r0, n_rows, index, has_stops,
                    engine: str, keep_trades: bool):
    t, meta = _chunk_trades(chunk, sets, keys, prices, variants, var_ids)
    if engine == "portfolio":
        fills = _portfolio_fills(spec, prices, ff, chunk, t, r0, n_rows, index, has_stops)
    else:
        fills = _trades_fills(spec, prices, ff, chunk, t, var_ids, variants, r0, n_rows, has_stops)
    side, tick, entry, exit_ = t["side"], t["col"], t["entry"], t["exit"]
    hedged = t["hedged"]
    pnl, hedge_pnl, entry_px, exit_px = fills.pnl, fills.hedge_pnl, fills.entry_px, fills.exit_px
    notional = fills.shares * entry_px
    with np.errstate(invalid="ignore", divide="ignore"):
        ret = (pnl + hedge_pnl) / notional
    exit_row = fills.exit_row

    f = fills.filled
    g = chunk.t_var[f]
    n_local = len(var_ids)
    tm = trade_metrics(g, (pnl + hedge_pnl)[f], ret[f], n_local)
    expo = held_sessions(g, (entry - r0)[f], exit_row[f], n_rows, n_local)
    gross = notional + np.where(hedged, t["h_value"] * (1 + spec.costs.slippage), 0.0)
    peak = peak_open(g, (entry - r0)[f], exit_row[f], gross[f], n_rows, n_local) / spec.capital
    met = pd.DataFrame({"variant": var_ids, **tm, "exposure": expo, "peak_gross": peak})

    if not keep_trades:
        return fills.equity, met, None
    # A time exit fills at the close (less slippage); any other fill price means a stop fired.
    time_fill = prices.close[np.minimum(exit_row + r0, len(prices.sessions) - 1), tick] * (1 - side * spec.costs.slippage)
    stopped = (exit_row + r0 < exit_) | ~np.isclose(exit_px, time_fill, rtol=1e-9, atol=0.0)
    reason = _exit_reasons(stopped, side, entry_px, exit_px, chunk, variants, var_ids)
    sess = prices.sessions
    tickers = np.asarray(prices.tickers, dtype=object)
    trades = pd.DataFrame({
        "variant": var_ids[chunk.t_var[f]],
        "event_id": _gather_meta(meta, "event_id", len(entry))[f],
        "ticker": tickers[tick[f]],
        "role": _gather_meta(meta, "role", len(entry))[f],
        "side": side[f],
        "day0_date": sess[t["day0"][f]],
        "day0_move": t["day0_move"].astype(np.float64)[f],
        "entry_date": sess[entry[f]],
        "entry_at": np.where(t["entry_at_close"][f], "close", "open"),
        "delayed": t["delayed"].astype(bool)[f],
        "entry_price": entry_px[f],
        "exit_date": sess[exit_row[f] + r0],
        "exit_price": exit_px[f],
        "exit_reason": reason[f],
        "shares": fills.shares[f],
        "notional": notional[f],
        "pnl": pnl[f],
        "hedge_ticker": np.where(hedged[f], tickers[t["bench"][f]], None),
        "hedge_beta": np.where(hedged[f], t["beta"].astype(np.float64)[f], np.nan),
        "hedge_pnl": np.where(hedged[f], hedge_pnl[f], np.nan),
        "return": ret[f],
    })
    return fills.equity, met, trades


def _gather_meta(meta, column: str, n: int) -> np.ndarray:
    out = np.empty(n, dtype=object)
    for positions, frame, rows in meta:
        out[positions] = frame[column].to_numpy(dtype=object)[rows]
    return out


def _exit_reasons(stopped, side, entry_px, exit_px, chunk: _Chunk, variants, var_ids) -> np.ndarray:
    """``time`` for scheduled exits; for stops, which stop (from the exit price vs the entry price)."""
    reason = np.full(len(stopped), "time", dtype=object)
    if not stopped.any():
        return reason
    params = [variants[v] for v in var_ids]
    tp = np.array([np.nan if p["take_profit"] is None else p["take_profit"] for p in params])[chunk.t_var]
    trail = np.array([bool(p["trailing"]) for p in params])[chunk.t_var]
    gain = side * (exit_px / entry_px - 1.0)
    with np.errstate(invalid="ignore"):
        hit_tp = ~np.isnan(tp) & (gain >= tp * 0.999)
    reason[stopped] = np.where(hit_tp[stopped], "take-profit", np.where(trail[stopped], "trailing-stop", "stop-loss"))
    return reason


def _benchmarks(spec: StrategySpec, events: pd.DataFrame, prices: PriceData, spans: list[tuple[str, int, int]]):
    """Buy-and-hold over each (role choice, first row, last row) span: the traded names (equal weight)
    and ``spec.benchmark``, bought at the close of the span's first session."""
    rows = []
    cols = ["kind", "role", "tickers", "span_start", "span_end", "row0", "row1", "total_return", "cagr", "sharpe",
            "sortino", "max_drawdown"]
    names_of = {}
    for role, a, b in spans:
        if role not in names_of:
            found = filter_events(events, roles=_roles_of(role), deal_types=spec.universe.deal_types,
                                  min_amount=spec.universe.min_amount, tickers=spec.universe.tickers)["ticker"].unique()
            names_of[role] = [n for n in found if n in prices.tickers]
        where = {"span_start": prices.sessions[a], "span_end": prices.sessions[b], "row0": a, "row1": b}
        groups = [("traded", role, names_of[role])]
        if spec.benchmark in prices.tickers:
            groups.append(("benchmark", None, [spec.benchmark]))
        for kind, r, names in groups:
            if not names:
                continue
            value = buy_and_hold_value(prices.close[a:b + 1][:, prices.columns(names)], spec.capital)
            m = equity_metrics(value[:, None], spec.capital)
            rows.append({"kind": kind, "role": r, "tickers": ",".join(names), **where, **{k: v[0] for k, v in m.items()}})
    frame = pd.DataFrame(rows, columns=cols)
    return frame.drop_duplicates(["kind", "role", "row0", "row1"]).reset_index(drop=True)
