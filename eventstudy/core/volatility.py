"""Abnormal volatility: tests of an event-window change in residual variance (arrays in, numbers out).

The inputs are the expected-return model's residuals the engine already computes: the
event-window abnormal returns ``AR_it`` (decimal), each firm's estimation-window residual SD
``sigma_i`` (decimal, daily) and its estimation-window residuals (for the rank test).  For firm
``i`` with ``L_i`` available days in the window ``W``:

* the **variance ratio** ``VR_i = sum_{t in W} AR_it^2 / (L_i sigma_i^2)`` -- the event window's
  mean squared standardised abnormal return ``SAR_it^2 = (AR_it / sigma_i)^2``, Beaver's (1968)
  ``U`` statistic averaged over the window ("abnormal volatility" ``AV = VR - 1``, as
  EventStudyTools' AVyT reports it).  ``VR = 2`` means the window's residual variance was twice
  the estimation window's (its SD ``sqrt(2)`` times).  ``AR^2`` holds the window's mean abnormal
  return too: a deal-day jump of 10 residual SDs gives ``VR = 100`` whatever the spread around it
  (Beaver's reading: the size of the price reaction, whatever its sign).  To tell a variance change
  from a common move, read the CAR tests beside it.

Two tests of H0 "no change in residual variance", two-sided by default; with
``alternative="greater"`` they test for a rise only (a window calmer than usual is then not
significant, which is what a single near-zero abnormal return should read as):

``chi2`` -- the squared standardised AR test (Beaver 1968; Patell & Wolfson 1979 use the same
    chi-square reasoning on squared standardised residuals): with independent normal residuals of
    known variance each ``SAR_it^2`` is chi-square(1), so ``X = sum_i sum_t SAR_it^2`` is
    chi-square with ``sum_i L_i`` degrees of freedom.  ``p = 2 min(F(X), 1 - F(X))``.  It assumes
    normality and cross-sectional independence: fat tails make it over-reject (Hilliard & Savickas
    2002 show this for daily returns), and ``sigma_i`` estimated from ``n`` days makes each term
    F(1, n - K) rather than chi-square(1), a mean bias of ``2 / (n - K - 2)`` (0.8 % for the
    default 240-day estimation window); the one-sided (``greater``) test feels that heavier tail most:
    in simulation it holds 5.0-5.4 % at 240 estimation days but rejects 6-7 % at 120.
``rank`` -- a rank test on squared abnormal returns (Corrado 1989 ranks applied to ``AR^2``): per
    firm, the ``T_i = n_i + L_i`` squared residuals of the estimation window and the event window
    are ranked (``K_it``, ties averaged) and ``U_it = K_it / (T_i + 1) - 1/2``.  Under H0 the days
    are exchangeable, so ``S_i = sum_{t in W} U_it`` has mean 0 and, drawing ``L_i`` of ``T_i``
    ranks without replacement, variance ``L_i (T_i - L_i) / (12 (T_i + 1))`` exactly;
    ``Z = sum_i S_i / sqrt(sum_i Var S_i)`` is asymptotically N(0, 1).  No normality is assumed
    (nor is the size of ``sigma_i`` used).  With one firm and one day ``|Z| <= sqrt(3)``, so it
    cannot reach p < 0.08: read the chi2 column for single events.  Both tests treat firms as
    independent: events that share dates (clustered AR residuals) inflate both.

References
----------
Beaver, W. H. (1968). The information content of annual earnings announcements. Journal of
Accounting Research 6 (Supplement), 67-92.
Patell, J. M. and Wolfson, M. A. (1979). Anticipated information releases reflected in call option
prices. Journal of Accounting and Economics 1, 117-140.
Corrado, C. J. (1989). A nonparametric test for abnormal security-price performance in event
studies. Journal of Financial Economics 23, 385-395.
Hilliard, J. E. and Savickas, R. (2002). On the statistical significance of event effects on
unsystematic volatility. Journal of Financial Research 25, 447-462.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy import stats

#: The tests :func:`volatility_tests` reports, in table order.
VOLATILITY_TESTS = ("chi2", "rank")


@dataclass(frozen=True)
class VolatilityTests:
    """Across-firm abnormal-volatility results for one window (numpy scalars, or arrays over the
    leading batch axes of the inputs).

    ``n``: firms with at least one abnormal return in the window; ``days``: ``sum_i L_i``;
    ``mean_vr`` / ``median_vr``: mean and median of the per-firm variance ratios (dimensionless);
    ``chi2`` with ``chi2_df`` degrees of freedom and its ``chi2_p``; ``rank_z`` and its normal
    ``rank_p`` (two-sided, or upper-tail for ``alternative="greater"``).
    """

    n: np.ndarray
    days: np.ndarray
    mean_vr: np.ndarray
    median_vr: np.ndarray
    chi2: np.ndarray
    chi2_df: np.ndarray
    chi2_p: np.ndarray
    rank_z: np.ndarray
    rank_p: np.ndarray


def variance_ratios(ar: np.ndarray, sigma: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-firm variance ratio ``sum_t AR_t^2 / (L sigma^2)`` and its day count ``L``.

    ``ar``: (..., L, N) event-window abnormal returns (decimal; NaN = missing day);
    ``sigma``: (..., N) estimation-window residual SD (decimal, same units as ``ar``).
    Returns ``(vr, days)`` of shape (..., N); ``vr`` is NaN where a firm has no day in the window.
    """
    ar = np.asarray(ar, dtype=float)
    days = np.sum(np.isfinite(ar), axis=-2)
    ssq = np.nansum(ar**2, axis=-2)
    with np.errstate(invalid="ignore", divide="ignore"):
        vr = np.where(days > 0, ssq / (days * np.asarray(sigma, dtype=float) ** 2), np.nan)
    return vr, days


def squared_ranks(ar: np.ndarray, est_ar: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-firm rank sum ``S_i`` of the window's squared ARs among the estimation window's, and its
    null variance (see the module docstring).

    ``ar``: (..., L, N) event-window abnormal returns; ``est_ar``: (..., Le, N) estimation-window
    residuals (decimal; NaN = missing day).  Returns ``(s, var)`` of shape (..., N), both 0 for a
    firm without a day in the window.
    """
    ar = np.asarray(ar, dtype=float)
    sq = ar**2
    pool = np.concatenate([np.asarray(est_ar, dtype=float) ** 2, sq], axis=-2)  # (..., T, N)
    # Rank of each window day in its firm's pool, ties averaged: #below + (#equal incl. itself + 1) / 2.
    # Comparisons with NaN are False, so missing days neither rank nor count.
    below = np.sum(pool[..., None, :, :] < sq[..., :, None, :], axis=-2)
    equal = np.sum(pool[..., None, :, :] == sq[..., :, None, :], axis=-2)
    ranks = np.where(np.isfinite(sq), below + (equal + 1) / 2, np.nan)
    total = np.sum(np.isfinite(pool), axis=-2)
    u = ranks / (total[..., None, :] + 1) - 0.5
    s = np.nansum(u, axis=-2)
    days = np.sum(np.isfinite(ar), axis=-2)
    var = days * (total - days) / (12.0 * (total + 1))
    return s, var


#: Alternatives of the volatility tests: a change either way, or a rise.
ALTERNATIVES = ("two-sided", "greater")


def check_alternative(alternative: str) -> str:
    """``alternative`` if it is one of :data:`ALTERNATIVES`, else ValueError naming them."""
    if alternative not in ALTERNATIVES:
        raise ValueError(f"unknown alternative {alternative!r}; choose one of {', '.join(ALTERNATIVES)}")
    return alternative


def chi2_pvalue(stat: np.ndarray, df: np.ndarray, alternative: str = "two-sided") -> np.ndarray:
    """p-value of a chi-square statistic with ``df`` degrees of freedom (NaN where ``df`` is 0):
    ``2 min(F, 1 - F)`` (at most 1) two-sided, ``1 - F`` for ``"greater"``."""
    check_alternative(alternative)
    with np.errstate(invalid="ignore", divide="ignore"):
        upper = stats.chi2.sf(stat, df)
        p = upper if alternative == "greater" else np.minimum(1.0, 2 * np.minimum(stats.chi2.cdf(stat, df), upper))
    return np.where(np.asarray(df) > 0, p, np.nan)


def volatility_tests(ar: np.ndarray, sigma: np.ndarray, est_ar: np.ndarray,
                     alternative: str = "two-sided") -> VolatilityTests:
    """The chi2 and rank tests of abnormal volatility over one window (see the module docstring).

    ``ar``: (..., L, N) event-window abnormal returns of the window's L days (decimal, NaN =
    missing); ``sigma``: (..., N) estimation residual SD; ``est_ar``: (..., Le, N) estimation
    residuals.  Leading axes (e.g. Monte Carlo replications) are carried through.  Firms without a
    finite ``sigma > 0`` must be left out by the caller.

    >>> rng = np.random.default_rng(0)
    >>> res = volatility_tests(rng.normal(0, 2, (3, 40)), np.ones(40), rng.normal(0, 1, (200, 40)))
    >>> int(res.n), int(res.chi2_df), bool(res.chi2_p < 0.01), bool(res.rank_p < 0.01)
    (40, 120, True, True)
    """
    vr, days = variance_ratios(ar, sigma)
    has = days > 0
    n = has.sum(axis=-1)
    total_days = days.sum(axis=-1)
    chi2 = np.nansum(vr * days, axis=-1)  # sum of SAR^2
    chi2_p = chi2_pvalue(chi2, total_days, alternative)
    with np.errstate(invalid="ignore", divide="ignore"):
        s, var = squared_ranks(ar, est_ar)
        den = np.sqrt(var.sum(axis=-1))
        rank_z = np.where(den > 0, s.sum(axis=-1) / np.where(den > 0, den, 1.0), np.nan)
    rank_p = stats.norm.sf(rank_z) if alternative == "greater" else 2 * stats.norm.sf(np.abs(rank_z))
    with np.errstate(invalid="ignore"):
        mean_vr = np.where(n > 0, np.nansum(vr, axis=-1) / np.maximum(n, 1), np.nan)
    with warnings.catch_warnings():  # a window no firm has a day in: NaN, said by n == 0
        warnings.simplefilter("ignore", RuntimeWarning)
        median_vr = np.nanmedian(np.where(has, vr, np.nan), axis=-1)
    return VolatilityTests(n=n, days=total_days, mean_vr=mean_vr, median_vr=median_vr, chi2=np.where(total_days > 0, chi2, np.nan),
                           chi2_df=total_days, chi2_p=chi2_p, rank_z=rank_z, rank_p=rank_p)
