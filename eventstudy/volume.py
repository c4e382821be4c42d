"""Abnormal trading volume: the log-volume market model (Campbell & Wasley 1996).

Each event-firm's daily log volume ``V_it = ln(1 + volume_it)`` is regressed over the estimation
window on the market's ``V_mt`` (by default the benchmark ETF's log volume, e.g. SPY):
``V_it = a_i + b_i V_mt + e_it``; the abnormal log volume is ``AV_it = V_it - a_i - b_i V_mt`` in
the event window, and its cumulation over ``[a, b]`` is the CAV.  ``AV = 0.69`` means about twice
the expected volume (``exp(AV) - 1`` = +100 %).  Campbell & Wasley use log turnover plus a small
constant; with raw share volume the firm's share count only shifts the intercept.

The engine and its tests are the return study's (:class:`eventstudy.study.EventStudy` on the
log-volume matrix): the cross-sectional t, Patell, BMP, Kolari-Pynnonen and rank tests apply to
abnormal log volume as to abnormal returns (Campbell & Wasley recommend the rank test on NASDAQ
volume).  The BHAR rows mean nothing for volume and are dropped.

References
----------
Campbell, C. J. and Wasley, C. E. (1996). Measuring abnormal daily trading volume for samples of
NYSE/ASE and NASDAQ securities using parametric and nonparametric test statistics. Review of
Quantitative Finance and Accounting 6, 309-326.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .defaults import DEFAULT_ESTIMATION, DEFAULT_MIN_OBS, DEFAULT_WINDOWS
from .exceptions import DataScaleWarning


def log_volume(volume: pd.DataFrame) -> pd.DataFrame:
    """``ln(1 + volume)`` per session and ticker (NaN where the volume is missing; negative volumes are NaN)."""
    v = volume.astype(float)
    return np.log1p(v.where(v >= 0))


def volume_study(volume: pd.DataFrame, events: pd.DataFrame, *, benchmark: str = "SPY",
                 estimation: tuple[int, int] = DEFAULT_ESTIMATION, windows: Sequence[tuple[int, int]] = DEFAULT_WINDOWS,
                 min_estimation_obs: int = DEFAULT_MIN_OBS) -> Any:
    """Abnormal log volume of ``events`` (rows as for :class:`EventStudy`) from wide daily share ``volume``.

    Returns the :class:`~eventstudy.results.EventStudyResults` of the log-volume market model: ``.ar``
    is the abnormal log volume, ``.car`` the CAV per window, ``.tests`` the CAR-measure tests only
    (``params["measure"] == "log volume"``).
    """
    from .study import EventStudy

    with warnings.catch_warnings():  # log volumes are around 15, not decimal returns: the scale check does not apply
        warnings.simplefilter("ignore", DataScaleWarning)
        study = EventStudy(log_volume(volume), events, benchmark=benchmark)
    results = study.fit(model="market", estimation=estimation, windows=list(windows), min_estimation_obs=min_estimation_obs)
    tests = results.tests
    results.tests = tests[tests["measure"] == "CAR"].reset_index(drop=True)  # instance attribute shadows the cached one
    results.params.update({"measure": "log volume", "returns": "log(1 + share volume)",
                           "model_title": "Log-volume market model (Campbell-Wasley 1996)"})
    return results


def volume_table(results: Any) -> pd.DataFrame:
    """Per window: mean abnormal log volume (``cav``), ``excess_pct`` = 100 (exp(cav) - 1), N, and each test's
    statistic and p-value (columns ``<test>`` and ``p:<test>``)."""
    agg = results.caar
    out = pd.DataFrame({"cav": agg["caar"], "excess_pct": 100 * np.expm1(agg["caar"]), "n": agg["n"]})
    tests = results.tests
    stat = tests.pivot_table(index="window", columns="test", values="statistic", aggfunc="first", sort=False)
    pval = tests.pivot_table(index="window", columns="test", values="pvalue", aggfunc="first", sort=False)
    out = out.join(stat).join(pval.add_prefix("p:"))
    return out.rename_axis("window").reset_index()
