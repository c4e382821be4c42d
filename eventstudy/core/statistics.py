"""Test statistics for abnormal returns, as objects.

Each test takes a :class:`WindowPanel` (the per-event quantities for one event
window, columns = event-firms) and returns a :class:`TestStatistic`, or an
:class:`InvalidTestStatistic` with a reason and NaN p-value when it cannot be
computed (too few events, no estimation data). Nothing here raises on thin data.

Conventions shared by every test (stated once here, repeated where they matter):

* returns are daily returns in decimal (simple or log, as fed); windows ``[a, b]`` include both ends;
* ``N`` = number of event-firms with a CAR in the window; missing days inside a
  window are skipped (the CAR sums the available days);
* sample standard deviations use the ``n - 1`` denominator unless stated;
* p-values are two-sided;
* ``conventions="estudy2"`` switches the few definitions where the R package estudy2
  (Rudnytskyi) differs, so that its published output is reproduced (see :data:`CONVENTIONS`).

References
----------
1. Brown, S. J. & Warner, J. B. (1980). Measuring security price performance. JFE 8, 205-258.
2. Brown, S. J. & Warner, J. B. (1985). Using daily stock returns. JFE 14, 3-31.
3. Patell, J. M. (1976). Corporate forecasts of earnings per share and stock price behavior. JAR 14, 246-276.
4. Boehmer, E., Musumeci, J. & Poulsen, A. B. (1991). Event-study methodology under conditions of
   event-induced variance. JFE 30, 253-272.
5. Kolari, J. W. & Pynnönen, S. (2010). Event study testing with cross-sectional correlation of
   abnormal returns. RFS 23, 3996-4025.
6. Corrado, C. J. (1989). A nonparametric test for abnormal security-price performance in event
   studies. JFE 23, 385-395; Corrado, C. J. & Zivney, T. L. (1992). JFQA 27, 465-478.
7. Cowan, A. R. (1992). Nonparametric event study tests. RQFA 2, 343-358.
8. Wilcoxon, F. (1945). Individual comparisons by ranking methods. Biometrics Bulletin 1, 80-83.
9. Hall, P. (1992). On the removal of skewness by transformation. JRSS-B 54, 221-228;
   Lyon, J. D., Barber, B. M. & Tsai, C.-L. (1999). Improved methods for tests of long-run
   abnormal stock returns. JF 54, 165-201.
10. Campbell, J. Y., Lo, A. W. & MacKinlay, A. C. (1997). The Econometrics of Financial Markets, ch. 4.
11. Kolari, J. W. & Pynnönen, S. (2011). Nonparametric rank tests for event studies. JEF 18, 953-971.
12. Rudnytskyi, I. estudy2: An Implementation of Parametric and Nonparametric Event Study Tests
    (R package, CRAN), ``R/parametric_tests.R`` and ``R/nonparametric_tests.R``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Callable, ClassVar

import numpy as np
from scipy import special, stats

from .._typing import BoolArray, Float64Array1D, SeedLike
from ..exceptions import ConfigError
from ._kernels import signed_rank_sums, skew_t_rows

#: Conventions: "default" (this module's docstrings) or "estudy2", which changes exactly these
#: definitions to estudy2's: residual sigma with ``n - 1`` (and, for the market model, the
#: benchmark mean and sum of squares of the Patell/BMP standardisation over every estimation-window
#: market day; :func:`eventstudy.core.abnormal.compute_abnormal`); BW 1980 on the model's ARs with
#: ``sd(AAR) = sqrt(sum_i sigma_i^2) / N``; a pooled ``p_hat`` for the generalized sign test; the
#: Corrado-Zivney rank scaling ``D_t = N mean_i (U_it - 1/2) / sqrt(N_t)`` (N = all event-firms,
#: N_t those ranked on day t), ``S^2 = sum_t D_t^2 / mean_i(T_i)``; Wilcoxon reported as ``W+`` with its exact distribution.
CONVENTIONS = ("default", "estudy2")


def check_conventions(name: str) -> str:
    """Validate a conventions name (case-insensitive); ConfigError listing the valid ones."""
    key = str(name).strip().lower()
    if key not in CONVENTIONS:
        raise ConfigError(f"unknown conventions {name!r}; choose one of {', '.join(CONVENTIONS)}")
    return key


@dataclass(frozen=True)
class TestStatistic:
    """Outcome of one hypothesis test.

    Attributes
    ----------
    name : registry name of the test (e.g. ``"patell"``).
    stat : value of the statistic.
    pvalue : two-sided p-value under ``distribution``.
    null : the null hypothesis in plain English.
    distribution : reference distribution, e.g. ``"t(23)"`` or ``"N(0,1)"``.
    n : number of event-firms used.
    """

    __test__: ClassVar[bool] = False  # not a pytest test class

    name: str
    stat: float
    pvalue: float
    null: str
    distribution: str
    n: int
    valid: ClassVar[bool] = True

    @property
    def stars(self) -> str:
        """``***`` p < 0.01, ``**`` p < 0.05, ``*`` p < 0.10, else empty."""
        return significance_stars(self.pvalue)

    def __str__(self) -> str:
        return f"{self.name}: stat={self.stat:.4f}{self.stars} p={self.pvalue:.4g} ~ {self.distribution} (n={self.n}); H0: {self.null}"


@dataclass(frozen=True)
class InvalidTestStatistic(TestStatistic):
    """A test that could not be computed: NaN statistic and p-value, with the reason."""

    reason: str = ""
    valid: ClassVar[bool] = False

    def __str__(self) -> str:
        return f"{self.name}: not computed ({self.reason})"


def significance_stars(p: float) -> str:
    """Stars for a p-value: ``***`` < 0.01, ``**`` < 0.05, ``*`` < 0.10.

    >>> significance_stars(0.03), significance_stars(0.2), significance_stars(float("nan"))
    ('**', '', '')
    """
    if not np.isfinite(p):
        return ""
    return "***" if p < 0.01 else "**" if p < 0.05 else "*" if p < 0.10 else ""


@dataclass(frozen=True)
class GroupSummary:
    """Window-independent inputs of the tests for one set of event-firms (computed once per group).

    Attributes
    ----------
    aar_est : (Le,) AAR per estimation-window day (event time): mean model AR over the events
        with data that day; NaN when none.
    maar_est : (Le,) the same for mean-adjusted returns ``R - mean_est(R)`` (Brown-Warner 1980).
    aar_ev, maar_ev : (Lv,) the same on the event-window days (offsets ``ev_offsets``).
    rank_dev : (Lc,) Corrado ``D_t = mean_i (U_it - 1/2)`` over the estimation + event span
        (offsets ``span_offsets``), ``U_it = K_it / (1 + n_i)``.
    p_hat : Cowan's expected share of positive ARs (mean over events of the share of
        positive estimation-window ARs).
    r_bar : average cross-correlation of estimation residuals (Kolari-Pynnonen).
    rank_n : (Lc,) number of events with a rank on each span day.
    n_firms : number of event-firms with estimation data.
    p_hat_pooled : positive estimation-window ARs / all estimation-window ARs, pooled (estudy2).
    """

    ev_offsets: np.ndarray
    span_offsets: np.ndarray
    aar_est: Float64Array1D
    maar_est: Float64Array1D
    aar_ev: Float64Array1D
    maar_ev: Float64Array1D
    rank_dev: Float64Array1D
    p_hat: float
    r_bar: float
    rank_n: Float64Array1D | None = None
    n_firms: int = 0
    p_hat_pooled: float = np.nan


@dataclass(frozen=True)
class WindowPanel:
    """Everything the tests need for one event window ``[a, b]`` and one group of event-firms.

    Attributes
    ----------
    window : (a, b), offsets in sessions, ends included.
    car : (N,) CAR over the window (decimal). bhar : (N,) BHAR over the window.
    car_se : (N,) forecast-error standard error of each CAR.
    dof : (N,) residual degrees of freedom of each event's estimation (``n_est - K``).
    summary : window-independent summaries of the same event-firms (:attr:`group`), or a
        callable computing them on first use (tests that need none never pay for them).
    sigma2 : (N,) estimation-window residual variance of each event (None if not given).
    conventions : "default" or "estudy2" (:data:`CONVENTIONS`).
    seed : int or Generator for the bootstrap tests (a fixed default keeps tables reproducible).
    grank : callable returning the GRANK rank sums and counts ``(Le + 1,)`` (last = event point),
        or None when the estimation arrays are not kept
        (:meth:`eventstudy.core.engine.CoreResult.grank_inputs`).
    """

    window: tuple[int, int]
    car: Float64Array1D
    bhar: Float64Array1D
    car_se: Float64Array1D
    dof: np.ndarray
    summary: GroupSummary | Callable[[], GroupSummary]
    sigma2: Float64Array1D | None = None
    conventions: str = "default"
    seed: SeedLike = 0
    grank: Callable[[], tuple[np.ndarray, np.ndarray] | None] | None = None

    @cached_property
    def group(self) -> GroupSummary:
        """Window-independent summaries of the same event-firms."""
        return self.summary() if callable(self.summary) else self.summary

    @property
    def n(self) -> int:
        """Number of event-firms with a CAR."""
        return int(np.isfinite(self.car).sum())

    def in_window(self, offsets: np.ndarray) -> BoolArray:
        """Boolean mask of ``offsets`` inside the window."""
        return (offsets >= self.window[0]) & (offsets <= self.window[1])


# scipy.special directly: the same functions scipy.stats.t.sf / norm.sf evaluate, without their
# per-call overhead (~100 us), which dominated Monte Carlo runs of thousands of small studies.
def _t_p(stat: float, df: float) -> float:
    return float(2 * special.stdtr(df, -abs(stat))) if np.isfinite(stat) and df > 0 else np.nan


def _z_p(stat: float) -> float:
    return float(2 * special.ndtr(-abs(stat))) if np.isfinite(stat) else np.nan


def _finite(x: np.ndarray) -> np.ndarray:
    return x[np.isfinite(x)]


NULL_MEAN_CAR = "mean CAR = 0"


def _need(name: str, null: str, n: int, minimum: int) -> InvalidTestStatistic | None:
    if n < minimum:
        return InvalidTestStatistic(name, np.nan, np.nan, null, "", n, reason=f"needs at least {minimum} events, has {n}")
    return None


def cross_sectional_t(x: Float64Array1D, name: str = "t-cs", null: str = NULL_MEAN_CAR) -> TestStatistic:
    """Cross-sectional t test of the mean (e.g. of CARs or BHARs).

    ``t = mean(x) / (s(x) / sqrt(N))`` with ``s`` the sample standard deviation
    (denominator ``N - 1``); ``t(N - 1)``. Ignores the estimation-window variance, so it
    is robust to event-induced variance (Brown & Warner 1985; CLM 1997 sec. 4.4.5).
    Events with a NaN value are left out.

    Examples
    --------
    >>> t = cross_sectional_t(np.array([0.02, 0.05, -0.01, 0.03, np.nan]))
    >>> round(t.stat, 4), t.distribution, t.n, t.stars
    (1.8, 't(3)', 4, '')
    >>> cross_sectional_t(np.array([0.02])).reason
    'needs at least 2 events, has 1'
    """
    x = _finite(np.asarray(x, dtype=np.float64))
    bad = _need(name, null, len(x), 2)
    if bad:
        return bad
    s = x.std(ddof=1)
    if s == 0:
        return InvalidTestStatistic(name, np.nan, np.nan, null, "", len(x), reason="zero cross-sectional variance")
    stat = float(x.mean() / (s / np.sqrt(len(x))))
    return TestStatistic(name, stat, _t_p(stat, len(x) - 1), null, f"t({len(x) - 1})", len(x))


def _crude_dependence(panel: WindowPanel, aar_ev: np.ndarray, aar_est: np.ndarray, name: str, null: str) -> TestStatistic:
    n = panel.n
    bad = _need(name, null, n, 1)
    if bad:
        return bad
    est = _finite(aar_est)
    win = _finite(aar_ev[panel.in_window(panel.group.ev_offsets)])
    m = len(est)
    if m < 3 or len(win) == 0:
        return InvalidTestStatistic(name, np.nan, np.nan, null, "", n, reason=f"only {m} estimation days with data")
    s = est.std(ddof=1)
    stat = float(win.sum() / (s * np.sqrt(len(win))))
    return TestStatistic(name, stat, _t_p(stat, m - 1), null, f"t({m - 1})", n)


def brown_warner_1980(panel: WindowPanel) -> TestStatistic:
    """Brown & Warner (1980) mean-adjusted returns test with the time-series SD of the AAR.

    Mean-adjusted returns ``A_it = R_it - mean_est(R_i)`` (whatever model was chosen for
    the other tests). ``AAR_t`` = mean over the events with data on day t (event time);
    ``S = sd_t(AAR_t)`` over the estimation-window days (denominator ``M - 1``, M = days
    with at least one event); ``t = sum_{t in w} AAR_t / (S sqrt(L_w))`` with L_w the
    window days that have data; ``t(M - 1)``.
    """
    g = panel.group
    if panel.conventions == "estudy2":
        return _bw1980_estudy2(panel)
    return _crude_dependence(panel, g.maar_ev, g.maar_est, "bw1980", "mean mean-adjusted return = 0 in the window")


def _bw1980_estudy2(panel: WindowPanel) -> TestStatistic:
    """estudy2's ``brown_warner_1980``: model ARs, ``sd(AAR) = sqrt(sum_i s_i^2) / N`` (s_i^2 the
    residual variance, all N event-firms), ``t = CAAR_w / (sd sqrt(L_w))``; t(mean n_est - 1)."""
    name, null = "bw1980", NULL_MEAN_CAR
    n = panel.n
    bad = _need(name, null, n, 1)
    if bad:
        return bad
    s2 = _finite(panel.sigma2)
    win = _finite(panel.group.aar_ev[panel.in_window(panel.group.ev_offsets)])
    if len(win) == 0 or len(s2) == 0:
        return InvalidTestStatistic(name, np.nan, np.nan, null, "", n, reason="no residual variances")
    sd = np.sqrt(s2.sum()) / len(s2)
    stat = float(win.sum() / (sd * np.sqrt(len(win))))
    df = float(np.mean(panel.dof[np.isfinite(panel.dof)])) + 1  # mean estimation length - 1
    return TestStatistic(name, stat, _t_p(stat, df), null, f"t({df:.0f})", n)


def brown_warner_1985(panel: WindowPanel) -> TestStatistic:
    """Brown & Warner (1985) crude dependence adjustment on the model's abnormal returns.

    ``S = sd_t(AAR_t)`` over the estimation-window days (event time, denominator
    ``M - 1``), so cross-sectional dependence enters through the variance of the portfolio
    AAR; ``t = CAAR_w / (S sqrt(L_w))`` with ``CAAR_w = sum_{t in w} AAR_t`` (each AAR_t
    averages the events with data that day); ``t(M - 1)``.
    """
    g = panel.group
    return _crude_dependence(panel, g.aar_ev, g.aar_est, "bw1985", NULL_MEAN_CAR)


def _scar(panel: WindowPanel) -> tuple[np.ndarray, np.ndarray]:
    ok = np.isfinite(panel.car) & np.isfinite(panel.car_se) & (panel.car_se > 0)
    return panel.car[ok] / panel.car_se[ok], ok


def patell(panel: WindowPanel) -> TestStatistic:
    """Patell (1976) standardised residual test, multi-day form of CLM (1997, J2).

    ``SCAR_i = CAR_i / se(CAR_i)`` with the forecast-error SE (estimation-error term
    included, :func:`eventstudy.core.abnormal.window_measures`); under H0 each SCAR is
    t with ``d_i = n_est_i - K`` degrees of freedom, variance ``d_i / (d_i - 2)``;
    ``Z = sum SCAR_i / sqrt(sum d_i / (d_i - 2))`` ~ N(0, 1). Events with ``d_i <= 2`` are left out.
    Assumes cross-sectional independence and no event-induced variance.
    """
    name, null = "patell", NULL_MEAN_CAR
    scar, ok = _scar(panel)
    d = panel.dof[ok].astype(np.float64)
    keep = d > 2
    scar, d = scar[keep], d[keep]
    bad = _need(name, null, len(scar), 1)
    if bad:
        return bad
    stat = float(scar.sum() / np.sqrt((d / (d - 2)).sum()))
    return TestStatistic(name, stat, _z_p(stat), null, "N(0,1)", len(scar))


def kp_patell(panel: WindowPanel) -> TestStatistic:
    """Kolari & Pynnönen (2010) adjusted Patell test for cross-sectional correlation.

    Correlated SCARs inflate the variance of their sum from ``sum v_i`` to about
    ``N v (1 + (N - 1) r)``, and Patell's denominator (built from each event's own time series)
    does not see it: ``Z_KP = Z_Patell / sqrt(1 + (N - 1) r)`` with ``r`` the average
    cross-correlation of estimation residuals (as in :func:`kolari_pynnonen`); N(0, 1).
    """
    base = patell(panel)
    null = base.null
    if not base.valid:
        return _renamed(base, null, "kp-patell")
    r = panel.group.r_bar
    if not np.isfinite(r):
        return InvalidTestStatistic("kp-patell", np.nan, np.nan, null, "", base.n, reason="no estimation residuals for the cross-correlation")
    stat = float(base.stat / np.sqrt(1 + (base.n - 1) * r))
    return TestStatistic("kp-patell", stat, _z_p(stat), null, "N(0,1)", base.n)


def bmp(panel: WindowPanel) -> TestStatistic:
    """Boehmer, Musumeci & Poulsen (1991) standardised cross-sectional test.

    ``t = mean(SCAR) / (sd(SCAR) / sqrt(N))``, SCAR as in :func:`patell`, ``sd`` with
    denominator ``N - 1``; ``t(N - 1)``. Robust to event-induced variance; assumes
    cross-sectional independence.
    """
    scar, _ = _scar(panel)
    return _renamed(cross_sectional_t(scar, "bmp"), "mean standardised CAR = 0")


def kolari_pynnonen(panel: WindowPanel) -> TestStatistic:
    """Kolari & Pynnönen (2010) adjusted BMP test for cross-sectional correlation.

    ``t_KP = t_BMP * sqrt((1 - r) / (1 + (N - 1) r))`` with ``r`` the average cross-correlation
    of estimation-window residuals, aligned in event time: columns demeaned over their own
    available days and scaled to unit norm, missing days set to 0, ``r = (||sum_i u_i||^2 - N)
    / (N (N - 1))`` -- the mean of the off-diagonal Pearson correlations, exact when no day is
    missing (:func:`eventstudy.core._kernels.residual_partials`); no N x N matrix is formed;
    ``t(N - 1)``.
    """
    base = bmp(panel)
    if not base.valid:
        return _renamed(base, base.null, "kp")
    r = panel.group.r_bar
    if not np.isfinite(r):
        return InvalidTestStatistic("kp", np.nan, np.nan, base.null, "", base.n, reason="no estimation residuals for the cross-correlation")
    stat = base.stat * np.sqrt((1 - r) / (1 + (base.n - 1) * r))
    return TestStatistic("kp", float(stat), _t_p(stat, base.n - 1), base.null, f"t({base.n - 1})", base.n)


def corrado_rank(panel: WindowPanel) -> TestStatistic:
    """Corrado (1989) rank test, multi-day form with missing days (Corrado & Zivney 1992; Cowan 1992).

    Ranks ``K_it`` of each event's ARs over the combined estimation + event span (ties
    averaged, missing days excluded), standardised ``U_it = K_it / (1 + n_i)`` with n_i the
    event's available days. ``D_t = mean_i (U_it - 1/2)`` over events with data on day t;
    ``S = sqrt(mean_t D_t^2)`` over all days of the span (denominator = number of days,
    Corrado's convention); ``Z = sum_{t in w} D_t / (sqrt(L_w) S)`` ~ N(0, 1). This is Cowan's
    (1992) CAR rank test (aliases ``cowan``, ``car-rank``). The span is the estimation window plus
    the declared event period, so a window's Z never depends on the other windows requested.
    """
    name, null = "corrado", "abnormal returns in the window are not ranked higher or lower than usual"
    n = panel.n
    bad = _need(name, null, n, 1)
    if bad:
        return bad
    d = panel.group.rank_dev
    have = np.isfinite(d)
    if not have.any():
        return InvalidTestStatistic(name, np.nan, np.nan, null, "", n, reason="no ranks (run with ranks=True)")
    if panel.conventions == "estudy2":
        # estudy2's modified_rank_test: "sums" are rowMeans * N (all N firms, even on days only N_t
        # have a rank), scaled by 1/sqrt(N_t); variance over mean_i(T_i)
        cnt = panel.group.rank_n
        with np.errstate(invalid="ignore", divide="ignore"):
            d = np.where(have, d * panel.group.n_firms / np.sqrt(cnt), np.nan)
        s = np.sqrt(np.sum(d[have] ** 2) / (cnt.sum() / panel.group.n_firms))
    else:
        s = np.sqrt(np.mean(d[have] ** 2))
    dw = d[panel.in_window(panel.group.span_offsets) & have]
    if s == 0 or len(dw) == 0:
        return InvalidTestStatistic(name, np.nan, np.nan, null, "", n, reason="degenerate ranks")
    stat = float(dw.sum() / (np.sqrt(len(dw)) * s))
    return TestStatistic(name, stat, _z_p(stat), null, "N(0,1)", n)


def generalized_sign(panel: WindowPanel) -> TestStatistic:
    """Cowan (1992) generalized sign test.

    ``p_hat = (1/N) sum_i (1/n_i) sum_{t in est} 1[AR_it > 0]`` (fraction of positive
    estimation-window ARs, per event then averaged); ``w`` = number of events with CAR > 0;
    ``Z = (w - N p_hat) / sqrt(N p_hat (1 - p_hat))`` ~ N(0, 1), no continuity correction.
    estudy2 conventions pool ``p_hat`` over all estimation-window ARs of all events.
    """
    name, null = "gsign", "share of positive CARs = share of positive estimation-window ARs"
    ok = np.isfinite(panel.car)
    n = int(ok.sum())
    bad = _need(name, null, n, 1)
    if bad:
        return bad
    p = panel.group.p_hat_pooled if panel.conventions == "estudy2" else panel.group.p_hat
    if not np.isfinite(p):
        return InvalidTestStatistic(name, np.nan, np.nan, null, "", n, reason="no estimation-window ARs")
    if p <= 0 or p >= 1:
        return InvalidTestStatistic(name, np.nan, np.nan, null, "", n, reason=f"p_hat = {p}")
    w = float((panel.car[ok] > 0).sum())
    stat = float((w - n * p) / np.sqrt(n * p * (1 - p)))
    return TestStatistic(name, stat, _z_p(stat), null, "N(0,1)", n)


def wilcoxon_signed_rank(x: Float64Array1D, name: str = "wilcoxon", null: str = "CARs are symmetric about 0") -> TestStatistic:
    """Wilcoxon (1945) signed-rank test, normal approximation.

    Zeros dropped (Wilcoxon's convention), ranks of ``|x|`` with ties averaged,
    ``W+`` = sum of ranks of positive values; ``Z = (W+ - n(n+1)/4) / sqrt(n(n+1)(2n+1)/24
    - sum(t^3 - t)/48)`` (tie correction), no continuity correction; N(0, 1). Equals
    ``scipy.stats.wilcoxon(x, method="approx", correction=False)``.
    """
    n, w_plus, ties = signed_rank_sums(x)
    bad = _need(name, null, n, 2)
    if bad:
        return bad
    var = n * (n + 1) * (2 * n + 1) / 24 - ties / 48
    stat = float((w_plus - n * (n + 1) / 4) / np.sqrt(var))
    return TestStatistic(name, stat, _z_p(stat), null, "N(0,1)", n)


def skewness_adjusted_t(x: Float64Array1D, name: str = "skew-t", null: str = "mean BHAR = 0") -> TestStatistic:
    """Skewness-adjusted t (Hall 1992; Lyon, Barber & Tsai 1999, eq. 5), for BHARs.

    ``S = mean(x) / s(x)`` (s with denominator N - 1), ``g = sum (x - mean)^3 / (N s^3)``,
    ``t_sa = sqrt(N) (S + g S^2 / 3 + g / (6 N))``; p-value from ``t(N - 1)`` (LBT's
    analytic version, not their bootstrap).
    """
    x = _finite(np.asarray(x, dtype=np.float64))
    n = len(x)
    bad = _need(name, null, n, 3)
    if bad:
        return bad
    s = x.std(ddof=1)
    if s == 0:
        return InvalidTestStatistic(name, np.nan, np.nan, null, "", n, reason="zero cross-sectional variance")
    ratio = x.mean() / s
    dev = x - x.mean()
    g = (dev * dev * dev).sum() / (n * s**3)  # not dev ** 3: numpy's float power calls pow(), 100x slower
    stat = float(np.sqrt(n) * (ratio + g * ratio**2 / 3 + g / (6 * n)))
    return TestStatistic(name, stat, _t_p(stat, n - 1), null, f"t({n - 1})", n)


def bootstrap_skewness_adjusted_t(
    x: Float64Array1D, seed: SeedLike = 0, n_boot: int = 1000, fraction: float = 0.25,
    max_subsample: int = 1000, name: str = "skew-t-boot", null: str = "mean BHAR = 0",
) -> TestStatistic:
    """Lyon, Barber & Tsai (1999) bootstrapped skewness-adjusted t.

    The statistic is :func:`skewness_adjusted_t` on all N values; its p-value comes from
    ``n_boot`` resamples (with replacement) of size ``n_b = fraction * N`` (LBT: N/4, capped at
    ``max_subsample`` so large samples stay cheap), each giving ``t_sa^b`` with the mean measured
    from the full-sample mean (the bootstrap null). Two-sided p-value
    ``2 min(P*(t_b <= t), P*(t_b >= t))`` (at most 1). ``seed`` is an int or a
    ``numpy.random.Generator``; a fixed seed gives the same p-value every run.
    """
    x = _finite(np.asarray(x, dtype=np.float64))
    n = len(x)
    base = skewness_adjusted_t(x, name=name, null=null)
    if not base.valid:
        return base
    nb = max(min(int(fraction * n), max_subsample), 3)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    tb = skew_t_rows(x, rng.integers(0, n, size=(n_boot, nb)), float(x.mean()))
    tb = tb[np.isfinite(tb)]
    if len(tb) == 0:
        return InvalidTestStatistic(name, np.nan, np.nan, null, "", n, reason="degenerate bootstrap samples")
    p = float(min(1.0, 2 * min(np.mean(tb <= base.stat), np.mean(tb >= base.stat))))
    return TestStatistic(name, base.stat, p, null, f"bootstrap({len(tb)}, n_b={nb})", n)


def grank(panel: WindowPanel) -> TestStatistic:
    """Kolari & Pynnönen (2011) generalized rank test (GRANK) of the AAR (one-day window) or CAAR.

    ``SAR_it = AR_it / sigma_i`` on estimation days; the window is collapsed into one point,
    ``SCAR*_i = SCAR_i / S_SCAR`` (``SCAR_i = CAR_i / se(CAR_i)``, ``S_SCAR`` its cross-sectional
    SD, which absorbs event-induced volatility). ``U_it = K_it / (T_i + 1) - 1/2`` with ``K_it``
    the rank of each point among the event's ``T_i`` points (estimation days + the event point,
    ties averaged); ``U_bar_t`` = mean over events with data on t; ``S^2 = (1/T) sum_t (N_t/N)
    U_bar_t^2`` over the T points; ``Z = U_bar_0 / S``, ``t = Z sqrt((T - 2) / (T - 1 - Z^2))``
    ~ t(T - 2). Cross-sectional correlation enters through the time series of ``U_bar_t``, so the
    test keeps its size when events cluster in calendar time.
    """
    name, null = "grank", "abnormal returns in the window are not ranked higher or lower than usual"
    n = panel.n
    bad = _need(name, null, n, 2)
    if bad:
        return bad
    inputs = panel.grank() if panel.grank is not None else None
    if inputs is None:
        return InvalidTestStatistic(name, np.nan, np.nan, null, "", n, reason="needs the estimation arrays (keep_arrays=True)")
    total, count = inputs
    have = count > 0
    n0 = count[-1]
    if n0 < 2:
        return InvalidTestStatistic(name, np.nan, np.nan, null, "", n, reason="fewer than 2 standardized CARs")
    ubar = total[have] / count[have]
    t_pts = int(have.sum())
    s = np.sqrt(np.sum(count[have] / n0 * ubar**2) / t_pts)
    z = ubar[-1] / s
    if s == 0 or t_pts <= 3 or t_pts - 1 - z**2 <= 0:
        return InvalidTestStatistic(name, np.nan, np.nan, null, "", n, reason="degenerate ranks")
    stat = float(z * np.sqrt((t_pts - 2) / (t_pts - 1 - z**2)))
    return TestStatistic(name, stat, _t_p(stat, t_pts - 2), null, f"t({t_pts - 2})", int(n0))


def _wilcoxon_estudy2(x: Float64Array1D, name: str, null: str) -> TestStatistic:
    """estudy2's ``wilcoxon_test``: the statistic is ``W+`` (zeros dropped); exact two-sided p."""
    n, w_plus, _ = signed_rank_sums(x)
    bad = _need(name, null, n, 2)
    if bad:
        return bad
    x = _finite(np.asarray(x, dtype=np.float64))
    x = x[x != 0]
    p = float(stats.wilcoxon(x, method="exact" if n <= 50 else "approx").pvalue)
    return TestStatistic(name, w_plus, p, null, f"signrank({n})", n)


def _renamed(t: TestStatistic, null: str, name: str | None = None) -> TestStatistic:
    name = name or t.name
    if isinstance(t, InvalidTestStatistic):
        return InvalidTestStatistic(name, t.stat, t.pvalue, null, t.distribution, t.n, reason=t.reason)
    return TestStatistic(name, t.stat, t.pvalue, null, t.distribution, t.n)


#: The two measures tests are run on, in display order: CARs (sums of ARs) and BHARs.
MEASURES: tuple[str, ...] = ("CAR", "BHAR")

#: CAR tests by name, in display order.
CAR_TESTS: dict[str, Callable[[WindowPanel], TestStatistic]] = {
    "t-cs": lambda p: cross_sectional_t(p.car),
    "bw1980": brown_warner_1980,
    "bw1985": brown_warner_1985,
    "patell": patell,
    "kp-patell": kp_patell,
    "bmp": bmp,
    "kp": kolari_pynnonen,
    "corrado": corrado_rank,
    "grank": grank,
    "gsign": generalized_sign,
    "wilcoxon": lambda p: (_wilcoxon_estudy2(p.car, "wilcoxon", "CARs are symmetric about 0")
                           if p.conventions == "estudy2" else wilcoxon_signed_rank(p.car)),
}

#: BHAR tests by name.
BHAR_TESTS: dict[str, Callable[[WindowPanel], TestStatistic]] = {
    "t-cs": lambda p: cross_sectional_t(p.bhar, null="mean BHAR = 0"),
    "skew-t": lambda p: skewness_adjusted_t(p.bhar),
    "skew-t-boot": lambda p: bootstrap_skewness_adjusted_t(p.bhar, seed=p.seed),
    "wilcoxon": lambda p: wilcoxon_signed_rank(p.bhar, null="BHARs are symmetric about 0"),
}

#: Accepted spellings -> registry names.
TEST_ALIASES: dict[str, str] = {
    "t": "t-cs", "cross-sectional": "t-cs", "csect": "t-cs",
    "brown-warner-1980": "bw1980", "brown-warner-1985": "bw1985", "bw": "bw1985", "crude": "bw1985",
    "patell-z": "patell", "boehmer": "bmp", "kolari-pynnonen": "kp", "adjusted-bmp": "kp",
    "rank": "corrado", "corrado-rank": "corrado", "sign": "gsign", "generalized-sign": "gsign",
    "signed-rank": "wilcoxon", "skewness-adjusted": "skew-t", "hall": "skew-t",
    "adjusted-patell": "kp-patell", "patell-kp": "kp-patell", "kolari-pynnonen-patell": "kp-patell",
    "generalized-rank": "grank", "kolari-pynnonen-rank": "grank",
    "cowan": "corrado", "car-rank": "corrado", "corrado-zivney": "corrado",
    "bootstrap-skew-t": "skew-t-boot", "lbt": "skew-t-boot", "lyon-barber-tsai": "skew-t-boot",
}

#: Per-test long titles used in summaries.
TEST_TITLES: dict[str, str] = {
    "t-cs": "Cross-sectional t",
    "bw1980": "Brown-Warner 1980 (mean-adjusted)",
    "bw1985": "Brown-Warner 1985 (crude dependence)",
    "patell": "Patell Z",
    "kp-patell": "Kolari-Pynnonen adj. Patell Z",
    "bmp": "BMP t",
    "kp": "Kolari-Pynnonen adj. BMP",
    "corrado": "Corrado rank Z",
    "grank": "GRANK t (Kolari-Pynnonen 2011)",
    "gsign": "Generalized sign Z",
    "wilcoxon": "Wilcoxon signed-rank Z",
    "skew-t": "Skewness-adjusted t",
    "skew-t-boot": "Skewness-adjusted t (LBT bootstrap p)",
}


def resolve_test_names(names: list[str] | None, measure: str | None = None) -> list[str]:
    """Registry names for ``names`` (aliases, any case, ``_``/space as ``-``); ConfigError listing the
    valid names when one is unknown. ``measure`` ("CAR"/"BHAR") restricts to that registry; None
    accepts a name of either (``run_tests`` then skips names the measure lacks)."""
    if measure not in (None, "CAR", "BHAR"):
        raise ConfigError(f"unknown measure {measure!r}; choose CAR or BHAR")
    registries = [CAR_TESTS, BHAR_TESTS] if measure is None else [CAR_TESTS if measure == "CAR" else BHAR_TESTS]
    valid = list(dict.fromkeys(k for r in registries for k in r))
    if names is None:
        return valid
    out = []
    for raw in names:
        key = str(raw).strip().lower().replace("_", "-").replace(" ", "-")
        key = TEST_ALIASES.get(key, key)
        if key not in valid:
            raise ConfigError(f"unknown test {raw!r}{'' if measure is None else ' for ' + measure}; choose from "
                              f"{', '.join(valid)} (aliases: {', '.join(sorted(TEST_ALIASES))})")
        out.append(key)
    return out


def run_tests(panel: WindowPanel, measure: str, names: list[str] | None = None) -> list[TestStatistic]:
    """Run the named tests (default: all) of ``measure`` ("CAR" or "BHAR") on one panel.

    Unknown names raise ConfigError listing the valid ones; a valid name of the other measure
    (e.g. ``"patell"`` for BHAR) is skipped, so one list of names can serve both measures.
    """
    registry = CAR_TESTS if measure == "CAR" else BHAR_TESTS
    chosen = resolve_test_names(None if names is None else list(names), None if names is not None else measure)
    return [registry[name](panel) for name in chosen if name in registry]


def event_t(car: Float64Array1D, car_se: Float64Array1D, dof: np.ndarray) -> tuple[Float64Array1D, Float64Array1D]:
    """Per-event t statistics ``CAR / se(CAR)`` and two-sided p-values from ``t(n_est - K)``."""
    with np.errstate(invalid="ignore", divide="ignore"):
        t = car / car_se
        p = 2 * stats.t.sf(np.abs(t), np.where(dof > 0, dof, np.nan))
    return t, p
