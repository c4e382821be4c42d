"""Data screens (eventstudy2's diagnostics): which event-firms are excluded from a study, and why.

Four screens, each switchable (``None`` turns one off), defaults in :mod:`eventstudy.defaults`:

==================  ==========================================================  =====================
screen              excludes an event-firm when                                 default
==================  ==========================================================  =====================
``min_obs``         fewer usable estimation-window returns than ``min_estimation_obs``  100 (the core's status)
``min_price``       its close on the session before day 0 is below the threshold  1.0 (price units)
``min_sigma``       its estimation-window residual SD (decimal daily) is below it   0.002 (0.2 %/day)
``max_zero_share``  the share of exactly-zero estimation returns is above it (thin)  0.2
==================  ==========================================================  =====================

:func:`fit_screened` fits once, screens the studied event-firms, and refits without the
excluded ones, so that every test of the final results is computed without them.  The
excluded event-firms (and those the core could not study) are listed, each with its reason,
in ``results.exclusions`` (columns :data:`EXCLUSION_COLUMNS`).
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .core.windows import gather, offsets_range
from .defaults import DEFAULT_MAX_ZERO_SHARE, DEFAULT_MIN_PRICE, DEFAULT_MIN_SIGMA
from .exceptions import DataError

if TYPE_CHECKING:
    from .results import EventStudyResults
    from .study import EventStudy

#: Columns of the exclusions table: ``screen`` is the screen's name (``min_obs``, ``min_price``, ``min_sigma``,
#: ``max_zero_share``, or ``data`` for an event-firm without returns), ``value`` what was measured, ``threshold``
#: the limit it failed (NaN for ``data``), ``reason`` one readable line.
EXCLUSION_COLUMNS = ["event_id", "ticker", "screen", "value", "threshold", "reason"]


@dataclass(frozen=True)
class Screens:
    """Screen thresholds; ``None`` switches a screen off (see the module docstring for units)."""

    min_price: float | None = DEFAULT_MIN_PRICE
    min_sigma: float | None = DEFAULT_MIN_SIGMA
    max_zero_share: float | None = DEFAULT_MAX_ZERO_SHARE

    @classmethod
    def off(cls) -> Screens:
        """No screen but the core's minimum estimation observations."""
        return cls(None, None, None)

    def as_dict(self) -> dict[str, float | None]:
        return asdict(self)


def screen_measures(results: EventStudyResults, returns: pd.DataFrame, prices: pd.DataFrame | None,
                    estimation: tuple[int, int]) -> pd.DataFrame:
    """What the screens look at, per studied event-firm: ``event_id, ticker, price (close on day -1; NaN without
    prices), sigma (decimal daily residual SD), zero_share (share of exactly-zero estimation-window returns)``."""
    ok = results.firms[results.firms["status"] == "ok"].reset_index(drop=True)
    rows = returns.index.get_indexer(pd.DatetimeIndex(ok["day0"]))
    cols = returns.columns.get_indexer(ok["ticker"].astype(object))
    est = gather(np.asfortranarray(returns.to_numpy(dtype=np.float64)), rows, cols, offsets_range(*estimation))
    finite = np.isfinite(est)
    with np.errstate(invalid="ignore", divide="ignore"):
        zero_share = (est == 0).sum(axis=0) / finite.sum(axis=0)
    price = np.full(len(ok), np.nan)
    if prices is not None:
        aligned = prices.reindex(index=returns.index, columns=list(dict.fromkeys(ok["ticker"])))
        pc = aligned.columns.get_indexer(ok["ticker"].astype(object))
        price = gather(np.asfortranarray(aligned.to_numpy(dtype=np.float64)), rows, pc, np.array([-1]))[0]
    return pd.DataFrame({"event_id": ok["event_id"], "ticker": ok["ticker"], "price": price,
                         "sigma": ok["sigma"].to_numpy(dtype=float), "zero_share": zero_share})


def screen_failures(measures: pd.DataFrame, screens: Screens) -> pd.DataFrame:
    """Rows of :data:`EXCLUSION_COLUMNS` for every event-firm failing a screen (first failing screen only)."""
    checks = [
        ("min_price", "price", screens.min_price, lambda v, t: v < t, "close on day -1 {v:.4g} below the minimum price {t:g}"),
        ("min_sigma", "sigma", screens.min_sigma, lambda v, t: v < t,
         "estimation residual SD {v:.3%} per day below the minimum {t:.3%}"),
        ("max_zero_share", "zero_share", screens.max_zero_share, lambda v, t: v > t,
         "{v:.0%} of estimation returns are exactly zero (thin trading; maximum {t:.0%})"),
    ]
    out, taken = [], np.zeros(len(measures), dtype=bool)
    for screen, col, threshold, fails, text in checks:
        if threshold is None:
            continue
        values = measures[col].to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            bad = np.isfinite(values) & fails(values, threshold) & ~taken
        taken |= bad
        for r in measures[bad].itertuples():
            v = getattr(r, col)
            out.append({"event_id": r.event_id, "ticker": r.ticker, "screen": screen, "value": float(v),
                        "threshold": float(threshold), "reason": text.format(v=v, t=threshold)})
    return pd.DataFrame(out, columns=EXCLUSION_COLUMNS)


def core_exclusions(firms: pd.DataFrame, min_obs: int) -> pd.DataFrame:
    """Rows of :data:`EXCLUSION_COLUMNS` for the event-firms the core could not study (status not ok)."""
    bad = firms[firms["status"] != "ok"]
    few = bad["status"].str.startswith("too few estimation")
    return pd.DataFrame({
        "event_id": bad["event_id"], "ticker": bad["ticker"], "screen": np.where(few, "min_obs", "data"),
        "value": np.where(few, bad["n_est"].astype(float), np.nan),
        "threshold": np.where(few, float(min_obs), np.nan), "reason": bad["status"],
    }, columns=EXCLUSION_COLUMNS).reset_index(drop=True)


def fit_screened(study: EventStudy, screens: Screens = Screens(), *, prices: pd.DataFrame | None = None,
                 **fit_kwargs: Any) -> EventStudyResults:
    """``study.fit(**fit_kwargs)`` without the event-firms that fail a screen.

    Parameters
    ----------
    study : the EventStudy (its ``returns`` are what the zero-share screen reads).
    screens : thresholds (``Screens.off()``: none).
    prices : wide closes (index = dates, columns = tickers) for the minimum-price screen; without them
        that screen is not applied (the run parameters say so).
    fit_kwargs : passed to :meth:`EventStudy.fit`.

    Raises
    ------
    DataError
        Every studied event-firm fails a screen (the reasons named).
    """
    results = study.fit(**fit_kwargs)
    estimation = tuple(results.params["estimation"])
    failed = screen_failures(screen_measures(results, study.returns, prices, estimation), screens)
    if len(failed):
        drop = pd.MultiIndex.from_frame(failed[["event_id", "ticker"]])
        keys = pd.MultiIndex.from_frame(study.events[["event_id", "ticker"]])
        kept = study.events[~keys.isin(drop)].reset_index(drop=True)
        if not (results.firms["status"] == "ok").sum() > len(failed):
            raise DataError("every event-firm failed the data screens: "
                            + "; ".join(f"{r.event_id} {r.ticker}: {r.reason}" for r in failed.head(5).itertuples()))
        rest = copy.copy(study)  # same returns, benchmark, factors and settings; fewer events
        rest.events = kept
        results = rest.fit(**fit_kwargs)
    results.screened = failed
    screen_params = screens.as_dict()
    if prices is None:
        screen_params["min_price"] = None  # not applied: no closes given
    results.params["screens"] = {**screen_params, "min_obs": results.params["min_estimation_obs"]}
    return results
