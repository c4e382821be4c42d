"""Events -> planned trades, with the earliest fill the news timing allows (no look-ahead).

Time is counted in *slots*: slot ``2 s`` is the open of session ``s``, slot ``2 s + 1`` its close.
A trade's requested entry is ``(day 0 + k, open|close)``; it is filled at the later of that and
the earliest slot at which the news was public:

=================  ==============================================  ======================
timing             news known                                      earliest fill
=================  ==============================================  ======================
``pre-open``       before session d opens                          open of d (= day 0)
``intraday``       during session d (time unknown within it)       close of d (= day 0)
``after-close``    after session d closed                          open of d+1 (= day 0)
``unknown``        treated as after-close (conservative)           open of d+1
=================  ==============================================  ======================

News dated on a non-trading day is public before the next session opens: earliest = its open.
Directions ``fade``/``follow`` need the day-0 close, so their earliest fill is the day-0 close.
Day 0 itself follows :func:`eventstudy.core.windows.day0_positions` (after-close -> next session;
unknown -> the announcement session, as in the event study).

Sizing and hedge inputs use only closes up to the session before entry: volatility from the
``lookback`` returns ending at the close of session ``entry - 1``; beta from the estimation window
``[day0 + a, day0 + b]`` with ``b < 0``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.ols import fit_masked_ols
from ..core.windows import day0_positions, gather, is_after_close, offsets_range
from .data import PriceData

SESSIONS_PER_YEAR = 252

# Reasons a planned trade is dropped (shown in the run's ``skipped`` table).
NO_SESSION = "announcement after the last session"
NO_PRICE = "no price at entry or exit (not listed yet?)"
PAST_END = "exit after the last session"
NO_MOVE = "no day-0 move (needed for fade/follow)"
SMALL_MOVE = "day-0 move below min_day0_move"
NO_VOL = "no volatility estimate before entry"
NO_BETA = "no beta (too few returns in the estimation window)"
NO_TICKER = "no prices for this ticker in the database"
NO_HEDGE = "no prices for the hedge benchmark"


def earliest_slots(sessions: pd.DatetimeIndex, announced: np.ndarray, timings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Day-0 session index and earliest tradable slot for each event.

    Parameters
    ----------
    sessions : (T,) trading sessions.
    announced : (E,) announcement dates.
    timings : (E,) catalog timings (``pre-open``, ``intraday``, ``after-close``, ``unknown``).

    Returns
    -------
    day0 : (E,) int, -1 when past the last session.
    earliest : (E,) int slot (``2 s`` open, ``2 s + 1`` close of session ``s``).
    """
    sess = np.asarray(sessions.values, dtype="datetime64[D]")
    dates = np.asarray(pd.to_datetime(announced).values, dtype="datetime64[D]")
    timings = np.asarray(timings, dtype=object)
    day0 = day0_positions(sess, dates, is_after_close(timings))
    left = np.searchsorted(sess, dates, side="left")
    on_session = (left < len(sess)) & (sess[np.minimum(left, len(sess) - 1)] == dates)
    earliest = 2 * day0  # pre-open, after-close (day 0 is then the next session), weekend news
    earliest = np.where(on_session & (timings == "intraday"), 2 * day0 + 1, earliest)
    earliest = np.where(on_session & (timings == "unknown"), 2 * (left + 1), earliest)
    return day0, earliest


def _returns(close: np.ndarray) -> np.ndarray:
    out = np.full_like(close, np.nan)
    out[1:] = close[1:] / close[:-1] - 1.0
    return out


def trailing_volatility(close: np.ndarray, cols: np.ndarray, entry: np.ndarray, lookback: int) -> np.ndarray:
    """Annualised std of the ``lookback`` daily simple returns ending at the close of ``entry - 1``.

    NaN when fewer than ``lookback // 2`` returns are available.
    """
    r = gather(_returns(close), entry, cols, np.arange(-lookback, 0)).T  # (E, lookback)
    n = np.sum(~np.isnan(r), axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = np.nanstd(np.where(n[:, None] > 1, r, 0.0), axis=1, ddof=1) if r.size else np.zeros(len(cols))
    return np.where(n >= max(lookback // 2, 2), sd * np.sqrt(SESSIONS_PER_YEAR), np.nan)


def estimation_beta(close: np.ndarray, cols: np.ndarray, bench: np.ndarray, day0: np.ndarray,
                    window: tuple[int, int], min_obs: int) -> np.ndarray:
    """OLS slope of the ticker's daily simple returns on the benchmark's over ``[day0+a, day0+b]``.

    The engine's own masked OLS (:func:`eventstudy.core.ols.fit_masked_ols`): only sessions
    where both returns exist count; NaN when fewer than ``min_obs`` remain.  ``bench`` is
    the (T,) benchmark close.
    """
    offsets = offsets_range(*window)
    y = gather(_returns(close), day0, cols, offsets)
    x = gather(_returns(bench[:, None]), day0, np.zeros(len(cols), dtype=np.intp), offsets)
    fit = fit_masked_ols(y, x[:, :, None])
    return np.where(fit.n >= min_obs, fit.coef[:, 1], np.nan)


def plan_entries(events: pd.DataFrame, prices: PriceData, *, k: int, at_close: bool, needs_day0_close: bool) -> pd.DataFrame:
    """Entry session and slot of each event row for one ``k``.

    Returns ``events`` with added columns ``day0`` (int), ``earliest``/``requested``/``slot`` (ints),
    ``entry`` (session index), ``entry_at_close`` (bool), ``delayed`` (bool: timing pushed the fill
    later than requested), ``day0_move`` (decimal close-to-close move of day 0) and ``col``
    (ticker column in ``prices``).
    """
    day0, earliest = earliest_slots(prices.sessions, events["announced"].to_numpy(), events["timing"].to_numpy())
    if needs_day0_close:
        earliest = np.maximum(earliest, 2 * day0 + 1)
    requested = 2 * (day0 + k) + int(at_close)
    slot = np.maximum(requested, earliest)
    cols = prices.columns(events["ticker"].tolist())
    last = len(prices.sessions) - 1
    d0 = np.clip(day0, 1, last)
    move = prices.close[d0, cols] / prices.close[d0 - 1, cols] - 1.0
    out = events.copy()
    out["day0"] = day0
    out["earliest"] = earliest
    out["requested"] = requested
    out["slot"] = slot
    out["entry"] = slot // 2
    out["entry_at_close"] = (slot % 2).astype(bool)
    out["delayed"] = slot > requested
    out["day0_move"] = np.where(day0 >= 1, move, np.nan)
    out["col"] = cols
    return out


def finish_trades(plan: pd.DataFrame, prices: PriceData, *, hold: int, direction: str,
                  min_day0_move: float | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Add exit session and side; split into tradable rows and skipped rows (with ``reason``).

    ``side`` is +1 (long) or -1 (short); exit is the close of session ``entry + hold``.
    """
    t = len(prices.sessions)
    entry = plan["entry"].to_numpy()
    exit_ = entry + hold
    cols = plan["col"].to_numpy()
    move = plan["day0_move"].to_numpy()
    if direction == "long":
        side = np.ones(len(plan), dtype=np.int64)
    elif direction == "short":
        side = -np.ones(len(plan), dtype=np.int64)
    else:
        sign = np.sign(np.nan_to_num(move)).astype(np.int64)
        side = -sign if direction == "fade" else sign
    reason = np.full(len(plan), "", dtype=object)
    reason[(plan["day0"].to_numpy() < 0)] = NO_SESSION
    reason[(reason == "") & (exit_ >= t)] = PAST_END
    ok = reason == ""
    if ok.any():
        e, x, c = entry[ok], exit_[ok], cols[ok]
        at_close = plan["entry_at_close"].to_numpy()[ok]
        entry_px = np.where(at_close, prices.close[e, c], prices.open[e, c])
        bad = np.isnan(entry_px) | np.isnan(prices.close[x, c]) | np.isnan(prices.close[e, c])
        sub = reason[ok]
        sub[bad] = NO_PRICE
        reason[ok] = sub
    if direction in ("fade", "follow"):
        reason[(reason == "") & ((np.isnan(move)) | (move == 0))] = NO_MOVE
        if min_day0_move is not None:
            reason[(reason == "") & (np.abs(np.nan_to_num(move)) < min_day0_move)] = SMALL_MOVE
    out = plan.copy()
    out["exit"] = exit_
    out["side"] = side
    out["reason"] = reason
    keep = reason == ""
    return out.loc[keep].drop(columns="reason").reset_index(drop=True), out.loc[~keep].reset_index(drop=True)


def filter_events(events: pd.DataFrame, *, roles, deal_types=None, min_amount=None, tickers=None) -> pd.DataFrame:
    """Rows of ``events`` matching the universe filters (``roles`` a list of role names or ``"all"``)."""
    mask = np.ones(len(events), dtype=bool)
    if roles != "all":
        mask &= events["role"].isin([str(r) for r in roles]).to_numpy()
    if deal_types:
        mask &= events["deal_type"].isin([str(d) for d in deal_types]).to_numpy()
    if min_amount is not None:
        mask &= (events["amount_value"].fillna(-1.0) >= min_amount).to_numpy()
    if tickers:
        mask &= events["ticker"].isin(list(tickers)).to_numpy()
    return events.loc[mask].reset_index(drop=True)


def assign_lanes(entry: np.ndarray, exit_: np.ndarray) -> np.ndarray:
    """Greedy interval colouring: lane per trade so that trades in one lane never overlap.

    A lane is free again for an entry strictly after the previous trade's exit session
    (a position exits at a close; the next may enter from the following open).  The number
    of lanes equals the maximum number of trades open at once.
    """
    order = np.lexsort((exit_, entry))
    lanes = np.empty(len(entry), dtype=np.int64)
    lane_end: list[int] = []
    for i in order:
        for lane, end in enumerate(lane_end):
            if end < entry[i]:
                lanes[i] = lane
                lane_end[lane] = exit_[i]
                break
        else:
            lanes[i] = len(lane_end)
            lane_end.append(int(exit_[i]))
    return lanes
