"""Passive results of an event study, with labels put back on the core's arrays.

:class:`EventStudyResults` only holds what :meth:`eventstudy.study.EventStudy.fit`
produced; every table is a ``cached_property`` built from those arrays on first use.
Units: abnormal returns, CARs and BHARs are decimal fractions of simple daily
returns; windows ``[a,b]`` are trading-session offsets from day 0, ends included.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.iolib.summary import Summary
from statsmodels.iolib.table import SimpleTable

from .defaults import window_label
from .core.engine import CoreResult
from .core.models import ModelSpec
from .exceptions import ConfigError
from .core.statistics import (
    TEST_TITLES,
    GroupSummary,
    InvalidTestStatistic,
    TestStatistic,
    event_t,
    run_tests,
    significance_stars,
)

if TYPE_CHECKING:
    from .design import Design

__all__ = ["EventStudyResults", "TestStatistic", "InvalidTestStatistic", "compare", "significance_stars"]

#: Columns of the tidy tests frame.
TEST_COLUMNS = [
    "measure", "window", "test", "statistic", "pvalue", "n", "group_col", "group",
    "stars", "distribution", "null", "reason",
]


def caar_band(ar: pd.DataFrame, start: int, end: int, *, level: float = 0.95) -> pd.DataFrame:
    """AAR and CAAR paths with cross-sectional confidence bands: the one convention for CAAR paths and bands.

    Parameters
    ----------
    ar : DataFrame
        Abnormal returns (decimal), index = event-time offset, one column per event-firm.
    start, end : int
        Offsets where the cumulation starts and ends (both included).
    level : float
        Two-sided confidence level of the band.

    Returns
    -------
    DataFrame
        Index = offset; columns ``aar, aar_se, caar, caar_se, lower, upper, n`` (decimal).
        ``caar`` at offset t is the mean over firms of ``sum_{s=start..t} AR_i(s)``;
        days a firm lacks (pre-IPO, halts) add nothing to its sum.
    """
    window = ar.loc[start:end].dropna(axis=1, how="all")
    car = window.cumsum(skipna=True).where(window.notna().cumsum() > 0)
    n = car.notna().sum(axis=1)
    out = pd.DataFrame({
        "aar": window.mean(axis=1),
        "aar_se": window.std(axis=1, ddof=1) / np.sqrt(window.notna().sum(axis=1)),
        "caar": car.mean(axis=1),
        "caar_se": car.std(axis=1, ddof=1) / np.sqrt(n),
        "n": n,
    })
    crit = stats.t.ppf(0.5 + level / 2.0, np.maximum(n - 1, 1))
    out["lower"] = out["caar"] - crit * out["caar_se"]
    out["upper"] = out["caar"] + crit * out["caar_se"]
    return out[["aar", "aar_se", "caar", "caar_se", "lower", "upper", "n"]]


class _SummaryStr:
    """``__str__``, ``__repr__`` and ``_repr_html_`` from ``summary()``."""

    def summary(self) -> Summary:  # pragma: no cover - overridden
        raise NotImplementedError

    def __str__(self) -> str:
        return self.summary().as_text()

    def __repr__(self) -> str:
        return f"{type(self).__name__}\n{self.summary().as_text()}"

    def _repr_html_(self) -> str:
        return self.summary().as_html()


class EventStudyResults(_SummaryStr):
    """Results of :meth:`eventstudy.study.EventStudy.fit`.

    Attributes
    ----------
    firms : DataFrame, one row per event-firm (every input row, skipped ones included):
        ``event_id, ticker, day0 (Timestamp), status ("ok" or the skip reason), n_est,
        sigma (daily residual SD, decimal), alpha (daily, decimal), beta (market or mkt_rf
        loading; 1 for market-adjusted), beta_<factor> (factor models), benchmark,
        confounded (bool), confounded_by (str: other catalog events on the ticker whose
        day 0 falls in the widest window, plus the events' ``confounders`` text),
        announced, timing`` and the group columns.
    ar : DataFrame, index = event-time offset (int), columns = MultiIndex (event_id, ticker),
        abnormal returns (decimal) of the OK event-firms over the union of the windows.
    car, bhar, car_se, car_t, car_p : DataFrames, index = (event_id, ticker) of OK event-firms,
        columns = window labels like ``"[0,2]"``.
    aar, aar_se, caar_path, caar_se : Series by offset (see their docstrings).
    tests : tidy DataFrame of the across-event tests for all OK event-firms.
    params : dict of the run parameters. windows : list of (a, b).
    """

    def __init__(self, core: CoreResult, firms: pd.DataFrame, params: dict[str, Any], model: ModelSpec) -> None:
        self._core = core
        self.firms = firms
        self.params = params
        self.model = model
        self.windows: list[tuple[int, int]] = list(core.windows)
        # Set by eventstudy.screens.fit_screened: event-firms the data screens excluded (EXCLUSION_COLUMNS).
        self.screened: pd.DataFrame | None = None
        # The study's return index (day-0 rows are positions in it), for the design diagnostics.
        self.sessions: pd.DatetimeIndex | None = None

    # ------------------------------------------------------------------ labels
    @cached_property
    def _ok(self) -> np.ndarray:
        return self._core.ok

    @cached_property
    def _keys(self) -> pd.MultiIndex:
        ok = self.firms.loc[self._ok, ["event_id", "ticker"]]
        return pd.MultiIndex.from_frame(ok, names=["event_id", "ticker"])

    @cached_property
    def _labels(self) -> list[str]:
        return [window_label(w) for w in self.windows]

    def _per_window(self, values: list[np.ndarray]) -> pd.DataFrame:
        data = np.column_stack([v[self._ok] for v in values]) if values else np.empty((0, 0))
        return pd.DataFrame(data, index=self._keys, columns=pd.Index(self._labels, name="window"))

    # ------------------------------------------------------------------ measures
    @cached_property
    def ar(self) -> pd.DataFrame:
        """Abnormal returns (decimal), rows = event-time offsets of the union of the windows, columns = (event_id, ticker).

        (The core also holds the rest of the declared event period, ranked by the rank tests.)
        """
        fit = self._core.fit
        rows = fit.rows(min(a for a, _ in self.windows), max(b for _, b in self.windows))
        return pd.DataFrame(fit.ar[rows][:, self._ok], index=pd.Index(fit.ev_offsets[rows], name="offset"),
                            columns=self._keys)

    @cached_property
    def car(self) -> pd.DataFrame:
        """CAR per OK event-firm and window: sum of the available daily ARs (decimal)."""
        return self._per_window([m.car for m in self._core.measures])

    @cached_property
    def car_se(self) -> pd.DataFrame:
        """Forecast-error standard error of each CAR (estimation-error term included)."""
        return self._per_window([m.car_se for m in self._core.measures])

    @cached_property
    def _event_t(self) -> list[tuple[np.ndarray, np.ndarray]]:
        return [event_t(m.car, m.car_se, self._core.fit.dof) for m in self._core.measures]

    @cached_property
    def car_t(self) -> pd.DataFrame:
        """Per-event t = CAR / se(CAR)."""
        return self._per_window([t for t, _ in self._event_t])

    @cached_property
    def car_p(self) -> pd.DataFrame:
        """Two-sided p-value of ``car_t`` from t(n_est - K) (normal-theory, per event)."""
        return self._per_window([p for _, p in self._event_t])

    @cached_property
    def bhar(self) -> pd.DataFrame:
        """Buy-and-hold abnormal return per OK event-firm and window (decimal)."""
        return self._per_window([m.bhar for m in self._core.measures])

    @cached_property
    def aar_n(self) -> pd.Series:
        """Number of OK event-firms with an AR on each offset."""
        return pd.Series(np.isfinite(self.ar.to_numpy()).sum(axis=1), index=self.ar.index, name="n")

    @cached_property
    def aar(self) -> pd.Series:
        """Average abnormal return by offset: mean over the event-firms with data that day."""
        with np.errstate(invalid="ignore"):
            return pd.Series(np.nanmean(self.ar.to_numpy(), axis=1), index=self.ar.index, name="aar")

    @cached_property
    def aar_se(self) -> pd.Series:
        """Cross-sectional standard error of the AAR: ``sd_i(AR_it) / sqrt(n_t)`` (sd denominator n_t - 1)."""
        a = self.ar.to_numpy()
        n = np.isfinite(a).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            se = np.where(n > 1, np.nanstd(a, axis=1, ddof=1) / np.sqrt(n), np.nan)
        return pd.Series(se, index=self.ar.index, name="aar_se")

    @cached_property
    def caar_path(self) -> pd.Series:
        """CAAR from the first offset of the union window (decimal): the ``caar`` column of :func:`caar_band`."""
        return self._band["caar"].rename("caar")

    @cached_property
    def caar_se(self) -> pd.Series:
        """Cross-sectional standard error of :attr:`caar_path` at each offset (``caar_se`` of :func:`caar_band`)."""
        return self._band["caar_se"].rename("caar_se")

    @cached_property
    def _band(self) -> pd.DataFrame:
        return caar_band(self.ar, int(self.ar.index.min()), int(self.ar.index.max()))

    @cached_property
    def caar(self) -> pd.DataFrame:
        """Per window: ``caar`` (mean CAR), ``mean_bhar``, ``median_car``, ``n`` (OK event-firms with a CAR)."""
        car, bhar = self.car, self.bhar
        return pd.DataFrame(
            {"caar": car.mean(), "mean_bhar": bhar.mean(), "median_car": car.median(), "n": car.notna().sum()}
        )

    # ------------------------------------------------------------------ tests
    @cached_property
    def _group_all(self) -> GroupSummary:
        return self._core.group_summary()

    def _test_rows(self, keep: np.ndarray | None, group_col: str | None, group: Any, tests: Sequence[str] | None) -> list[dict]:
        rows = []
        summary = self._group_all if keep is None else self._core.group_summary(keep)
        for w, measure, found in self._core.window_tests(keep, None if tests is None else list(tests), summary):
            for t in found:
                rows.append({
                    "measure": measure, "window": self._labels[w], "test": t.name, "statistic": t.stat,
                    "pvalue": t.pvalue, "n": t.n, "group_col": group_col, "group": group,
                    "stars": t.stars, "distribution": t.distribution, "null": t.null,
                    "reason": getattr(t, "reason", None) or None,
                })
        return rows

    @cached_property
    def tests(self) -> pd.DataFrame:
        """Tidy table of every across-event test, all OK event-firms together.

        Columns: ``measure ("CAR"|"BHAR"), window, test, statistic, pvalue, n, group_col
        (None here), group (None), stars, distribution, null, reason`` (reason is set when a
        test could not be computed; statistic and p-value are then NaN).
        """
        return pd.DataFrame(self._test_rows(None, None, None, None), columns=TEST_COLUMNS)

    def test(self, name: str, window: tuple[int, int] | str, measure: str = "CAR") -> TestStatistic:
        """One test as a :class:`TestStatistic` object (all OK event-firms)."""
        label = window if isinstance(window, str) else window_label(window)
        w = self._labels.index(label)
        found = run_tests(self._core.panel(w, None, self._group_all), measure, [name])
        if not found:  # a valid name of the other measure (e.g. "patell" for BHAR)
            raise ConfigError(f"test {name!r} has no {measure} version")
        return found[0]

    def by(self, column: str, tests: Sequence[str] | None = None) -> pd.DataFrame:
        """The tests frame computed separately for each value of a group column (role, deal_type, ticker ...).

        Event-firms keep their own key (event_id, ticker): a firm in several events counts
        once per event. Groups with too few event-firms give rows with a ``reason``.
        """
        if column not in self.firms.columns:
            raise KeyError(f"no column {column!r} in firms; have {list(self.firms.columns)}")
        values = self.firms[column].to_numpy(dtype=object)
        rows: list[dict] = []
        for g in pd.unique(values[pd.notna(values) & self._ok]):
            rows += self._test_rows(values == g, column, g, tests)
        return pd.DataFrame(rows, columns=TEST_COLUMNS)

    def group_caar(self, column: str) -> pd.DataFrame:
        """Mean CAR and N per (group, window) for a group column."""
        car = self.car.copy()
        car.index = pd.Index(self.firms.loc[self._ok, column].to_numpy(dtype=object), name=column)
        long = car.stack().rename("car").reset_index()
        return long.groupby([column, "window"], sort=False)["car"].agg(caar="mean", n="count").reset_index()

    # ------------------------------------------------------------------ per event, exclusions, design
    @cached_property
    def per_event(self) -> pd.DataFrame:
        """Each studied event-firm's CAR per window with SE, t, p and stars (long; see
        :func:`eventstudy.per_event.per_event_frame` for the columns; decimal fractions)."""
        from .per_event import per_event_frame

        return per_event_frame(self)

    @cached_property
    def exclusions(self) -> pd.DataFrame:
        """Every event-firm left out of the tests, with its reason: those the data screens excluded, then those the
        core could not study (too few estimation returns, no returns); columns
        :data:`eventstudy.screens.EXCLUSION_COLUMNS`."""
        from .screens import EXCLUSION_COLUMNS, core_exclusions

        parts = [f for f in (self.screened, core_exclusions(self.firms, self.params["min_estimation_obs"]))
                 if f is not None and len(f)]
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=EXCLUSION_COLUMNS)

    @cached_property
    def design(self) -> "Design":
        """Design diagnostics and the headline-test rule (:class:`eventstudy.design.Design`)."""
        from .design import study_design

        return study_design(self, self.sessions)

    def adjusted_tests(self, method: str = "holm") -> pd.DataFrame:
        """:attr:`tests` with ``pvalue_adj`` and ``stars_adj`` columns: p-values adjusted for multiple testing across
        windows x tests, separately per measure (see :func:`eventstudy.multitest.adjust_tests`)."""
        from .multitest import adjust_tests

        return adjust_tests(self.tests, method)

    # ------------------------------------------------------------------ output
    def to_frame(self) -> pd.DataFrame:
        """One row per event-firm (all of them): ``firms`` plus ``car_[a,b]``, ``car_se_``, ``car_t_``, ``car_p_``, ``bhar_`` columns."""
        out = self.firms.copy()
        parts = {"car": self.car, "car_se": self.car_se, "car_t": self.car_t, "car_p": self.car_p, "bhar": self.bhar}
        idx = pd.MultiIndex.from_frame(self.firms[["event_id", "ticker"]])
        for name, frame in parts.items():
            wide = frame.reindex(idx)
            for label in self._labels:
                out[f"{name}_{label}"] = wide[label].to_numpy()
        return out

    def summary(self, tests: Sequence[str] | None = None, measure: str = "CAR") -> Summary:
        """Summary with the run header, CAAR per window with test statistics (stars), and Notes."""
        smry = Summary()
        p = self.params
        n_ok = int(self._ok.sum())
        n_conf = int(self.firms.loc[self._ok, "confounded"].sum())
        left = [
            ("Model:", p["model_title"]),
            ("Benchmark:", str(p["benchmark"]) if self.model.uses_benchmark else "-"),
            ("Estimation:", window_label(p["estimation"])),
            ("Min. est. obs:", str(p["min_estimation_obs"])),
        ]
        right = [
            ("Event-firms:", str(len(self.firms))),
            ("Studied (ok):", str(n_ok)),
            ("Skipped:", str(len(self.firms) - n_ok)),
            ("Confounded:", str(n_conf)),
        ]
        stubs = [a for a, _ in left]
        data = [[b, c, d] for (_, b), (c, d) in zip(left, right)]
        smry.tables.append(SimpleTable(data, stubs=stubs, title=f"Event study: {measure}"))
        frame = self.tests[self.tests["measure"] == measure]
        if tests is not None:
            frame = frame[frame["test"].isin(list(tests))]
        agg = self.caar
        head = ["CAAR" if measure == "CAR" else "mean BHAR", "N"]
        col = "caar" if measure == "CAR" else "mean_bhar"
        rows = [[f"{agg.loc[lbl, col]:.4f}" if np.isfinite(agg.loc[lbl, col]) else "", f"{int(agg.loc[lbl, 'n'])}"] for lbl in self._labels]
        names = list(dict.fromkeys(frame["test"]))
        unreliable = set(self.design.unreliable.get(measure, ()))
        for name in names:
            head.append(TEST_TITLES.get(name, name) + (" (!)" if name in unreliable else ""))
            for i, lbl in enumerate(self._labels):
                r = frame[(frame["window"] == lbl) & (frame["test"] == name)]
                s = r["statistic"].iloc[0] if len(r) else np.nan
                rows[i].append(f"{s:.3f}{r['stars'].iloc[0]}" if np.isfinite(s) else "n/a")
        # windows as columns, statistics as rows (the layout of published tables)
        table = [[rows[i][j] for i in range(len(self._labels))] for j in range(len(head))]
        smry.tables.append(SimpleTable(table, headers=self._labels, stubs=head, title="Windows"))
        smry.add_extra_txt(self._notes())
        return smry

    def _notes(self) -> list[str]:
        p = self.params
        notes = [
            "Notes:",
            f"[1] {str(p.get('returns', 'simple, decimal')).split(',')[0].capitalize()} daily returns in decimal "
            "(BHARs compound simple returns); windows are trading-session offsets from day 0, both ends included.",
            "[2] Day 0: the announcement session for pre-open/intraday/unknown timing, the next session for "
            "after-close news or a non-trading day.",
            f"[3] {p['model_title']} estimated by OLS per event-firm over {window_label(p['estimation'])}; missing days "
            "(incl. before an IPO) are dropped and counted in n_est; event-firms with n_est < "
            f"{p['min_estimation_obs']} are skipped (see firms.status).",
            "[4] CAR SE = forecast-error variance incl. estimation error (Campbell-Lo-MacKinlay 1997 ch. 4); "
            "Patell/BMP standardise by it; BW 1980/1985 use the time-series SD of the AAR over the estimation window.",
            "[5] Significance: *** p<0.01, ** p<0.05, * p<0.10, two-sided. Patell, BMP and the t tests assume "
            "cross-sectional independence; Kolari-Pynnonen adjusts BMP for the average residual cross-correlation.",
        ]
        notes += [f"[{i}] {line}" for i, line in enumerate(self.design.notes(), start=6)]
        if self.design.unreliable:
            notes.append("[!] (!) marks a test the design makes unreliable (see above).")
        conf = self.firms.loc[self._ok & self.firms["confounded"].to_numpy(), ["event_id", "ticker", "confounded_by"]]
        for _, r in conf.head(10).iterrows():
            notes.append(f"[!] {r['event_id']} {r['ticker']} is confounded by: {r['confounded_by']}")
        if len(conf) > 10:
            notes.append(f"[!] ... and {len(conf) - 10} more confounded event-firms (firms.confounded)")
        if self.screened is not None:
            for screen, count in self.screened["screen"].value_counts().items():
                notes.append(f"[!] excluded {count} event-firm(s) by the {screen} screen (results.exclusions)")
        skipped = self.firms.loc[~self._ok, "status"].value_counts()
        for reason, count in skipped.items():
            notes.append(f"[!] skipped {count} event-firm(s): {reason}")
        return notes


def compare(results: dict[str, EventStudyResults] | Sequence[EventStudyResults], test: str = "bmp", measure: str = "CAR") -> pd.DataFrame:
    """Side-by-side CAAR (or mean BHAR) per window across specifications, with one test's stars.

    Parameters
    ----------
    results : mapping name -> results (or a sequence; names become the model names).
    test : registry name of the test whose stars are shown.

    Returns
    -------
    DataFrame, index = window label, columns = (spec, "caar" | "stat" | "pvalue" | "n").
    """
    if not isinstance(results, dict):
        results = {f"{r.params['model']}-{i}": r for i, r in enumerate(results)}
    parts = {}
    col = "caar" if measure == "CAR" else "mean_bhar"
    for name, res in results.items():
        t = res.tests[(res.tests["test"] == test) & (res.tests["measure"] == measure)].set_index("window")
        parts[name] = pd.DataFrame({
            "caar": res.caar[col], "stat": t["statistic"], "pvalue": t["pvalue"], "stars": t["stars"], "n": res.caar["n"],
        })
    return pd.concat(parts, axis=1)
