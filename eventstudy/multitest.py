"""Multiple-testing adjustment of a study's p-values across windows x tests.

A study reports many tests over several windows; reading any one star as "significant at
5 %" ignores the family.  :func:`adjust_tests` adjusts every computed p-value of one measure
(CAR, BHAR) and one group together, with Holm's step-down (family-wise error rate) or
Benjamini-Hochberg (false discovery rate), through ``statsmodels.stats.multitest``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .core.statistics import significance_stars
from .exceptions import ConfigError

#: Accepted methods -> statsmodels' names.
ADJUST_METHODS = {"holm": "holm", "fdr_bh": "fdr_bh", "bh": "fdr_bh", "bonferroni": "bonferroni"}


def check_method(method: str) -> str:
    """The statsmodels name of ``method``; ConfigError (exit 2) listing the valid ones otherwise."""
    try:
        return ADJUST_METHODS[method]
    except KeyError:
        raise ConfigError(f"--adjust: unknown method {method!r}; choose among {', '.join(ADJUST_METHODS)}") from None


def adjust_tests(tests: pd.DataFrame, method: str = "holm") -> pd.DataFrame:
    """``tests`` (the tidy frame of :attr:`EventStudyResults.tests`) with ``pvalue_adj`` and ``stars_adj``.

    The family is every row with a finite p-value sharing ``measure``, ``group_col`` and ``group``
    (so each group of a ``by()`` table is its own family); rows without a p-value stay NaN.
    """
    from statsmodels.stats.multitest import multipletests

    name = check_method(method)
    out = tests.copy()
    out["pvalue_adj"] = np.nan
    keys = pd.Series([f"{m}|{c}|{g}" for m, c, g in zip(out["measure"], out["group_col"], out["group"])], index=out.index)
    for idx in out.groupby(keys, sort=False).groups.values():
        p = out.loc[idx, "pvalue"].to_numpy(dtype=float)
        fin = np.isfinite(p)
        if fin.any():
            adj = np.full(len(p), np.nan)
            adj[fin] = multipletests(p[fin], method=name)[1]
            out.loc[idx, "pvalue_adj"] = adj
    out["stars_adj"] = [significance_stars(p) if np.isfinite(p) else "" for p in out["pvalue_adj"]]
    out.attrs["adjust"] = name
    return out
