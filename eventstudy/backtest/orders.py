"""Tonight's orders: what a strategy would place for catalog events whose entry is still ahead.

An event is *pending* when it was announced by the next session's date (known tonight) and its
entry (the slot the backtest would fill, see :mod:`eventstudy.backtest.signals`) falls after
``asof``, the last priced session by default.
Sessions after ``asof`` come from the exchange calendar (:func:`eventstudy.prices.calendar.trading_sessions`),
so day 0, the entry session and the exit session are the ones the backtest would use once prices arrive.

The strategy's own parameters are used (``entry``, ``exit``, ``sizing``, ``hedge``; a sweep is not
expanded: pass ``params`` to place the orders of one variant, e.g. the backtest's reported one).

Units: ``notional`` and ``hedge_notional`` in currency; ``stop_loss``/``take_profit`` decimal
fractions of the fill price; ``ref_price`` is the last close at or before ``asof`` and the
``*_price_est`` levels are computed from it (the real levels follow the fill).  Sizing uses only
closes up to ``asof``: vol-scaled from the ``vol_lookback`` returns ending there; equal-weight
splits ``capital`` over the pending orders of the strategy (its open trades are not known here).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from .data import PriceData, check_events
from .signals import SESSIONS_PER_YEAR, earliest_slots, estimation_beta, filter_events
from .spec import ALL_ROLES, Direction, SizingMethod, StrategySpec

#: Columns of :func:`pending_orders` (one row per order; the hedge leg rides on its order's row).
ORDER_COLUMNS = ["strategy", "event_id", "ticker", "role", "announced", "timing", "side", "session", "at",
                 "notional", "ref_price", "est_shares", "stop_loss", "stop_price_est", "take_profit",
                 "target_price_est", "exit_session", "hedge_ticker", "hedge_side", "hedge_beta", "hedge_notional",
                 "note"]
#: Sessions of calendar kept after ``asof`` (entries further ahead are not tonight's business).
HORIZON = 60


def _calendar_after(sessions: pd.DatetimeIndex, asof: pd.Timestamp) -> pd.DatetimeIndex:
    """The priced sessions up to ``asof`` followed by the exchange's next sessions."""
    from ..prices.calendar import trading_sessions

    ahead = trading_sessions(asof + pd.Timedelta(days=1), asof + pd.Timedelta(days=2 * HORIZON))
    ahead = pd.DatetimeIndex(ahead).normalize()
    return sessions[sessions <= asof].append(ahead[ahead > asof])


def pending_orders(spec: StrategySpec, events: pd.DataFrame, prices: PriceData, *, asof: dt.date | None = None,
                   params: dict[str, Any] | None = None) -> pd.DataFrame:
    """Orders ``spec`` would place for events whose entry falls after ``asof`` (columns :data:`ORDER_COLUMNS`).

    Parameters
    ----------
    events : one row per (event, listed party), as for :func:`eventstudy.backtest.engine.simulate`.
    prices : closes up to ``asof`` of the traded tickers, the hedge benchmark (for beta and sizing).
    asof : last session whose close is known (default: the last session of ``prices``).
    params : one variant's parameters (:meth:`StrategySpec.variants`); default the spec's own.
    """
    p = dict(spec.base_params() if params is None else params)
    events = check_events(events)
    last = prices.sessions[-1] if asof is None else pd.Timestamp(asof).normalize()
    sessions = _calendar_after(prices.sessions, last)
    n_priced = int((prices.sessions <= last).sum())
    roles = ALL_ROLES if p["role"] == ALL_ROLES else p["role"].split(",")
    u = spec.universe
    ev = filter_events(events, roles=roles, deal_types=u.deal_types, min_amount=u.min_amount, tickers=u.tickers)
    if spec.start is not None:
        ev = ev.loc[ev["announced"] >= pd.Timestamp(spec.start)]
    if spec.end is not None:
        ev = ev.loc[ev["announced"] <= pd.Timestamp(spec.end)]
    # News known by tonight: announced up to the next session's date (after-close today, the weekend,
    # pre-open tomorrow); later catalog entries would be look-ahead under a past ``asof``.
    ev = ev.loc[ev["announced"] <= sessions[n_priced]].reset_index(drop=True)
    if ev.empty:
        return pd.DataFrame(columns=ORDER_COLUMNS)
    day0, earliest = earliest_slots(sessions, ev["announced"].to_numpy(), ev["timing"].to_numpy())
    fade_follow = spec.direction in (Direction.FADE, Direction.FOLLOW)
    if fade_follow:
        earliest = np.maximum(earliest, 2 * day0 + 1)
    slot = np.maximum(2 * (day0 + p["k"]) + int(spec.entry.at.value == "close"), earliest)
    entry = slot // 2
    pending = (day0 >= 0) & (entry >= n_priced) & (entry + p["hold"] < len(sessions))
    ev, day0, slot, entry = ev.loc[pending].reset_index(drop=True), day0[pending], slot[pending], entry[pending]
    if ev.empty:
        return pd.DataFrame(columns=ORDER_COLUMNS)

    known = ev["ticker"].isin(prices.tickers).to_numpy()
    col = np.array([prices.tickers.index(t) if k else 0 for t, k in zip(ev["ticker"], known)], dtype=np.int64)
    close = prices.close[:n_priced]
    ref = np.where(known, _last_valid(close, col), np.nan)
    note = np.where(known, "", "no prices for this ticker: size and levels unknown").astype(object)

    side = np.full(len(ev), "buy" if spec.direction != Direction.SHORT else "sell", dtype=object)
    if fade_follow:
        # The day-0 close decides the side: known only when day 0 is a priced session.
        d0 = np.minimum(day0, n_priced - 1)
        move = np.where(day0 < n_priced, close[d0, col] / close[np.maximum(d0 - 1, 0), col] - 1.0, np.nan)
        up = move > 0
        buy = ~up if spec.direction == Direction.FADE else up
        side = np.where(np.isnan(move), "decided at the day-0 close", np.where(buy, "buy", "sell")).astype(object)
        small = ~np.isnan(move) & (spec.min_day0_move is not None) & (np.abs(move) < (spec.min_day0_move or 0))
        side[small] = "none"
        threshold = f" if |move| >= {spec.min_day0_move:.0%}" if spec.min_day0_move else ""
        note[np.isnan(move)] = f"{spec.direction.value}s the day-0 move{threshold}: side decided at that close"
        note[small] = "day-0 move below min_day0_move: no trade"

    s = spec.sizing
    if s.method == SizingMethod.VOL_SCALED:
        rets = close[1:] / close[:-1] - 1.0
        window = rets[-s.vol_lookback:][:, col]
        vol = np.nanstd(window, axis=0, ddof=1) * np.sqrt(SESSIONS_PER_YEAR)
        vol = np.where(np.sum(~np.isnan(window), axis=0) >= max(s.vol_lookback // 2, 2), vol, np.nan)
        notional = s.cash * np.minimum(s.target_vol / vol, s.max_leverage)
    elif s.method == SizingMethod.EQUAL_WEIGHT:
        notional = np.full(len(ev), spec.capital / len(ev))
    else:
        notional = np.full(len(ev), s.cash)

    sign = np.where(side == "sell", -1.0, 1.0)
    sl, tp = p["stop_loss"], p["take_profit"]
    out = pd.DataFrame({
        "strategy": spec.name, "event_id": ev["event_id"], "ticker": ev["ticker"], "role": ev["role"],
        "announced": ev["announced"].dt.date, "timing": ev["timing"], "side": side,
        "session": sessions[entry].date, "at": np.where(slot % 2 == 1, "close", "open"),
        "notional": notional, "ref_price": ref, "est_shares": notional / ref,
        "stop_loss": np.nan if sl is None else sl,
        "stop_price_est": np.nan if sl is None else ref * (1 - sign * sl),
        "take_profit": np.nan if tp is None else tp,
        "target_price_est": np.nan if tp is None else ref * (1 + sign * tp),
        "exit_session": sessions[entry + p["hold"]].date,
        "hedge_ticker": None, "hedge_side": None, "hedge_beta": np.nan, "hedge_notional": np.nan, "note": note,
    })
    if p["hedge"]:
        bench = p["benchmark"]
        out["hedge_ticker"] = bench
        if bench in prices.tickers:
            beta = estimation_beta(close, col, close[:, prices.tickers.index(bench)], day0,
                                   spec.hedge.estimation, spec.hedge.min_obs)
            out["hedge_beta"] = beta
            out["hedge_notional"] = np.abs(beta) * notional
            out["hedge_side"] = np.where(sign * np.sign(np.nan_to_num(beta, nan=1.0)) > 0, "sell", "buy")
        else:
            out["note"] = out["note"] + f"no prices for the hedge benchmark {bench}"
    return out.loc[out["side"] != "none"].reset_index(drop=True)[ORDER_COLUMNS]


def _last_valid(close: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Last non-NaN close of each column in ``cols`` (NaN when none)."""
    sub = close[:, cols]
    ok = ~np.isnan(sub)
    last = np.where(ok.any(axis=0), sub.shape[0] - 1 - np.argmax(ok[::-1], axis=0), 0)
    return np.where(ok.any(axis=0), sub[last, np.arange(sub.shape[1])], np.nan)
