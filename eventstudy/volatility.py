"""Abnormal volatility tables from a fitted return study (see :mod:`eventstudy.core.volatility`).

The return study's own residuals are used -- no second fit: its event-window abnormal returns
(``results.ar``), each firm's estimation residual SD (``results.firms["sigma"]``) and its
estimation-window residuals.  So the expected-return model, return kind, data screens and
estimation window are the study's (by default the market model on SPY over sessions [-250, -11]).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .core.statistics import significance_stars
from .core.volatility import VOLATILITY_TESTS, chi2_pvalue, variance_ratios, volatility_tests
from .defaults import window_label
from .results import EventStudyResults

#: Column order of :func:`volatility_table`.
TABLE_COLUMNS = ("window", "n", "days", "mean_vr", "median_vr", "chi2", "df", "p:chi2", "rank", "p:rank")


def _window_arrays(results: EventStudyResults) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """(Le, N) estimation residuals and (N,) residual SDs of the studied (OK) event-firms, and their keys."""
    # The engine keeps the estimation residuals (and the OK mask) for its own rank tests; the results' public
    # frames do not hold them (eventstudy.design reads them the same way).
    ok = results._core.ok
    est_ar = results._core.est_ar[:, ok]
    sigma = results.firms.loc[ok, "sigma"].to_numpy(dtype=float)
    return est_ar, sigma, results.ar.columns


def _window_ar(results: EventStudyResults, window: tuple[int, int]) -> np.ndarray:
    """(L, N) abnormal returns of the window's offsets (decimal, NaN = missing day)."""
    a, b = window
    return results.ar.loc[a:b].to_numpy(dtype=float)


def volatility_table(results: EventStudyResults, alternative: str = "two-sided") -> pd.DataFrame:
    """Per window of the study: ``n`` firms, ``days`` (sum of their window days), ``mean_vr`` and ``median_vr``
    (variance ratio: window mean squared AR over the estimation residual variance; 1 = unchanged), the chi-square
    statistic ``chi2`` (sum of squared standardised ARs) with ``df`` degrees of freedom and its ``p:chi2``,
    the squared-AR rank test ``rank`` (N(0,1) under H0) and its ``p:rank``; p-values two-sided, or upper-tail
    (a rise in volatility) for ``alternative="greater"``."""
    est_ar, sigma, _ = _window_arrays(results)
    rows = []
    for w in results.windows:
        res = volatility_tests(_window_ar(results, w), sigma, est_ar, alternative)
        rows.append({"window": window_label(w), "n": int(res.n), "days": int(res.days), "mean_vr": float(res.mean_vr),
                     "median_vr": float(res.median_vr), "chi2": float(res.chi2), "df": int(res.chi2_df),
                     "p:chi2": float(res.chi2_p), "rank": float(res.rank_z), "p:rank": float(res.rank_p)})
    return pd.DataFrame(rows, columns=list(TABLE_COLUMNS))


def starred_table(table: pd.DataFrame, digits: int = 3) -> pd.DataFrame:
    """:func:`volatility_table` for reading: statistics rounded with significance stars (``***`` p < 0.01,
    ``**`` < 0.05, ``*`` < 0.10), p-values rounded."""
    out = table.copy()
    for test in VOLATILITY_TESTS:
        out[test] = [f"{s:.{digits}f}{significance_stars(p)}" if np.isfinite(s) else ""
                     for s, p in zip(table[test], table[f"p:{test}"])]
        out[f"p:{test}"] = table[f"p:{test}"].round(4)
    return out.round({"mean_vr": digits, "median_vr": digits})


def volatility_per_event(results: EventStudyResults, alternative: str = "two-sided") -> pd.DataFrame:
    """One row per studied event-firm and window: ``event_id, ticker, day0, window, days, sigma`` (decimal daily
    estimation residual SD), ``vr`` (variance ratio), ``sd_ratio`` = sqrt(vr), and the firm's own chi-square test
    ``chi2`` (sum of its squared standardised ARs, ``days`` degrees of freedom) with its ``p`` (two-sided, or
    upper-tail for ``alternative="greater"``) and ``stars``."""
    _, sigma, keys = _window_arrays(results)
    day0 = results.firms.set_index(["event_id", "ticker"])["day0"]
    frames = []
    for w in results.windows:
        vr, days = variance_ratios(_window_ar(results, w), sigma)
        chi2 = vr * days
        p = chi2_pvalue(chi2, days, alternative)
        frames.append(pd.DataFrame({
            "event_id": keys.get_level_values("event_id"), "ticker": keys.get_level_values("ticker"),
            "day0": day0.reindex(keys).to_numpy(), "window": window_label(w), "days": days, "sigma": sigma,
            "vr": vr, "sd_ratio": np.sqrt(vr), "chi2": chi2, "p": p,
            "stars": [significance_stars(x) for x in p]}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
