"""Per-event significance: each event-firm's CAR per window with its standard error, t, p and stars.

The numbers come from the core (``car_se`` is the forecast-error standard error of the
CAR including estimation error, and ``t = CAR / se(CAR)`` is referred to ``t(n_est - K)``,
see :func:`eventstudy.core.statistics.event_t`); this module only lays them out.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .core.statistics import significance_stars

#: Columns of :func:`per_event_frame`, in order.
PER_EVENT_COLUMNS = ["event_id", "ticker", "day0", "window", "car", "car_se", "t", "pvalue", "stars", "bhar"]


def per_event_frame(results: Any) -> pd.DataFrame:
    """One row per studied (status ok) event-firm and window, event-firms in input order, windows in run order.

    Columns
    -------
    event_id, ticker : the event-firm. day0 : Timestamp of event day 0.
    window : label ``"[a,b]"`` (trading-session offsets from day 0, both ends included).
    car : CAR, decimal fraction (0.2313 = +23.13 %; a single-day window is the day's AR).
    car_se : its forecast-error standard error (decimal). t : ``car / car_se``.
    pvalue : two-sided, from t(n_est - K). stars : ``*`` p<0.10, ``**`` p<0.05, ``***`` p<0.01.
    bhar : buy-and-hold abnormal return over the window (decimal).
    """
    labels = list(results.car.columns)
    parts = {"car": results.car, "car_se": results.car_se, "t": results.car_t, "pvalue": results.car_p,
             "bhar": results.bhar}
    keys = results.car.index
    n = len(keys)
    frame = pd.DataFrame({
        "event_id": np.repeat(keys.get_level_values("event_id").to_numpy(dtype=object), len(labels)),
        "ticker": np.repeat(keys.get_level_values("ticker").to_numpy(dtype=object), len(labels)),
        "window": np.tile(np.array(labels, dtype=object), n),
    })
    for name, wide in parts.items():
        frame[name] = wide.reindex(columns=labels).to_numpy(dtype=float).reshape(-1)
    day0 = results.firms.set_index(["event_id", "ticker"])["day0"]
    frame["day0"] = day0.reindex(pd.MultiIndex.from_frame(frame[["event_id", "ticker"]])).to_numpy()
    frame["stars"] = [significance_stars(p) if np.isfinite(p) else "" for p in frame["pvalue"]]
    return frame[PER_EVENT_COLUMNS]


def per_event_display(frame: pd.DataFrame, decimals: int = 2) -> pd.DataFrame:
    """The per-event table as people read it: CAR and SE in percent, t with stars, p to 3 places."""
    def pct(v: float) -> str:
        return "" if not np.isfinite(v) else f"{v * 100:+.{decimals}f}"

    return pd.DataFrame({
        "event": frame["event_id"], "ticker": frame["ticker"],
        "day 0": pd.to_datetime(frame["day0"]).dt.strftime("%Y-%m-%d").fillna(""),
        "window": frame["window"], "CAR %": frame["car"].map(pct), "SE %": frame["car_se"].map(lambda v: pct(v).lstrip("+")),
        "t": [("" if not np.isfinite(t) else f"{t:.2f}{s}") for t, s in zip(frame["t"], frame["stars"])],
        "p": frame["pvalue"].map(lambda p: "" if not np.isfinite(p) else f"{p:.3f}"),
        "BHAR %": frame["bhar"].map(pct),
    })
