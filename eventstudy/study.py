"""Pandas front end of the event-study engine: labels in, :class:`EventStudyResults` out.

:class:`EventStudy` normalises its inputs once (returns matrix, events, benchmarks,
factors), translates tickers and dates into column/row indices, calls the pure
core (:func:`eventstudy.core.engine.run_event_study`) and hands the arrays to the
passive results object, which puts the labels back.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor

import numpy as np
import pandas as pd

from .core.abnormal import RETURN_KINDS
from .core.engine import FEW_OBS, NO_SERIES, OK, STATUS_TEXT, resolve_event_period, run_event_study
from .core.models import ModelSpec, get_model
from .core.statistics import check_conventions
from .core.windows import day0_positions, is_after_close, overlapping_pairs
from .defaults import DEFAULT_ESTIMATION, DEFAULT_MIN_OBS, DEFAULT_MODEL, DEFAULT_WINDOWS, window_label  # noqa: F401 (re-exported)
from .exceptions import ConfigError, DataError, DataScaleWarning
from .results import EventStudyResults

#: Columns the events frame must have.
REQUIRED_EVENT_COLUMNS = ("event_id", "ticker", "announced", "timing")
#: Valid catalog timings.
TIMINGS = frozenset({"pre-open", "intraday", "after-close", "unknown"})

BenchmarkSpec = str | Mapping[str, str]


class EventStudy:
    """Event study on a wide returns frame and a table of events.

    Parameters
    ----------
    returns : DataFrame
        Wide daily SIMPLE returns in DECIMAL fractions (0.01 = 1%): index = sorted
        tz-naive session dates, columns = tickers, NaN where a ticker has no price
        (e.g. before its IPO). Must contain the benchmark column(s) for the market
        and market-adjusted models. This is the frame of
        :func:`eventstudy.db.prices.load_returns`.
    events : DataFrame
        One row per event x listed firm with at least ``event_id, ticker, announced,
        timing`` (timing in pre-open | intraday | after-close | unknown). Any other
        column (``role``, ``deal_type``, ``name`` ...) is kept as a group column. An
        optional ``confounders`` column (free text, e.g. ``"FQ1 earnings"``) marks a
        known confounding event that is not in the catalog.
    benchmark : str or mapping, default "SPY"
        The market return: one ticker for every event, or a mapping role -> ticker
        (key ``"*"`` or ``"default"`` for roles not listed; otherwise SPY).
    factors : DataFrame, optional
        Daily factors in DECIMAL, index = dates, columns among ``mkt_rf, smb, hml,
        rf, mom, rmw, cma`` (needed by ff3 / carhart / ff5).

    Examples
    --------
    >>> res = EventStudy(returns, events).fit(model="market")  # doctest: +SKIP
    >>> res.car.loc[:, "[0,2]"]  # doctest: +SKIP
    """

    def __init__(
        self,
        returns: pd.DataFrame,
        events: pd.DataFrame,
        *,
        benchmark: BenchmarkSpec = "SPY",
        factors: pd.DataFrame | None = None,
    ) -> None:
        self.returns = _check_returns(returns)
        self.events = _check_events(events)
        self.benchmark = benchmark
        self.factors = None if factors is None else _check_factors(factors, self.returns.index)

    def _benchmarks(self) -> list[str]:
        if isinstance(self.benchmark, str):
            return [self.benchmark] * len(self.events)
        fallback = self.benchmark.get("*", self.benchmark.get("default", "SPY"))
        roles = self.events["role"] if "role" in self.events else pd.Series([None] * len(self.events))
        return [self.benchmark.get(r, fallback) if isinstance(r, str) else fallback for r in roles]

    def fit(
        self,
        model: str | ModelSpec = DEFAULT_MODEL,
        estimation: tuple[int, int] = DEFAULT_ESTIMATION,
        windows: Sequence[tuple[int, int]] = DEFAULT_WINDOWS,
        min_estimation_obs: int = DEFAULT_MIN_OBS,
        n_jobs: int = 1,
        executor: Executor | None = None,
        *,
        event_period: tuple[int, int] | None = None,
        returns: str = "simple",
        conventions: str = "default",
    ) -> EventStudyResults:
        """Estimate the model for every event-firm and compute ARs, CARs, BHARs and tests.

        Parameters
        ----------
        model : registry name or alias ("constant", "market-adj", "market", "ff3", "carhart", "ff5").
        estimation : (start, end) offsets in trading sessions relative to day 0, both included.
        windows : event windows (a, b), both ends included; every a must exceed ``estimation[1]``.
        min_estimation_obs : event-firms with fewer usable estimation days are skipped
            (status "too few estimation observations", listed in ``results.firms``).
        n_jobs : threads for the core's event blocks and, later, the tests of each window (results do
            not depend on it).
        executor : a ``concurrent.futures.Executor`` for the blocks instead, e.g. a Dask
            ``distributed.Client(...).get_executor()`` for very large runs.
        event_period : (a, b) sessions ranked with the estimation window by the rank tests; default
            [-10, +10] widened to cover every window. A window's statistics do not depend on the
            other windows requested.
        returns : "simple", "total" (simple returns with dividends reinvested, as loaded by
            ``load_returns(kind="total")``) or "log": what the returns frame holds, recorded in
            ``params["returns"]``. CARs sum them as given; BHARs always compound simple returns
            (log inputs converted).
        conventions : "default" or "estudy2" (reproduce the R package estudy2's definitions,
            :data:`eventstudy.core.statistics.CONVENTIONS`).

        Returns
        -------
        EventStudyResults
        """
        spec = get_model(model)
        windows = _check_windows(windows, estimation)
        kinds = (*RETURN_KINDS, "total")
        if returns not in kinds:
            raise ConfigError(f"unknown returns kind {returns!r}; choose one of {', '.join(kinds)}")
        kind = "log" if returns == "log" else "simple"  # total returns are simple returns with dividends
        conventions = check_conventions(conventions)
        try:
            event_period = resolve_event_period(windows, event_period, estimation)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"event_period: {exc}") from None
        if event_period[0] <= estimation[1]:
            raise ConfigError(f"event period [{event_period[0]},{event_period[1]}] overlaps the estimation window "
                              f"ending at {estimation[1]}")
        ev = self.events
        sessions = self.returns.index.values.astype("datetime64[D]")
        dates = ev["announced"].values.astype("datetime64[D]")
        day0 = day0_positions(sessions, dates, is_after_close(ev["timing"]))
        cols = self.returns.columns.get_indexer(ev["ticker"].astype(object))

        kwargs: dict = {}
        bench_names = self._benchmarks() if spec.uses_benchmark else [None] * len(ev)
        if spec.uses_benchmark:
            unique = list(dict.fromkeys(bench_names))
            missing = [b for b in unique if b not in self.returns.columns]
            if missing:
                raise ConfigError(f"benchmark {', '.join(missing)} not in the returns columns (load its prices)")
            kwargs["bench"] = self.returns[unique].to_numpy(dtype=np.float64)
            kwargs["bcol"] = np.array([unique.index(b) for b in bench_names], dtype=np.intp)
        if spec.factors or spec.excess:
            if self.factors is None:
                raise ConfigError(f"model {spec.name!r} needs factors ({', '.join(spec.needs_factors)}); pass factors=")
            missing = [f for f in spec.needs_factors if f not in self.factors.columns]
            if missing:
                raise ConfigError(f"model {spec.name!r} needs factor columns {missing}; the factors frame has {list(self.factors.columns)}")
            kwargs["factors"] = self.factors[list(spec.factors)].to_numpy(dtype=np.float64)
            kwargs["rf"] = self.factors["rf"].to_numpy(dtype=np.float64)

        core = run_event_study(
            spec, self.returns.to_numpy(dtype=np.float64), day0, cols, windows=windows,
            estimation=estimation, min_estimation_obs=min_estimation_obs, n_jobs=n_jobs,
            executor=executor, event_period=event_period, returns_kind=kind, conventions=conventions, **kwargs,
        )
        firms = self._firms_frame(core, day0, sessions, bench_names, spec, min_estimation_obs, windows)
        params = {
            "model": spec.name, "model_title": spec.title, "estimation": tuple(estimation),
            "windows": list(windows), "min_estimation_obs": int(min_estimation_obs),
            "benchmark": self.benchmark if isinstance(self.benchmark, str) else dict(self.benchmark),
            "returns": f"{returns}, decimal", "event_period": tuple(event_period), "conventions": conventions,
            "sample": (str(self.returns.index[0].date()), str(self.returns.index[-1].date())),
            "n_events": int(ev["event_id"].nunique()), "n_event_firms": len(ev),
        }
        if spec.excess:
            params["factors"] = list(spec.needs_factors)
        results = EventStudyResults(core=core, firms=firms, params=params, model=spec)
        results.sessions = self.returns.index  # issue 10 (study level): day-0 rows for the design diagnostics
        return results

    def calendar_time(self, windows: Sequence[tuple[int, int]] = DEFAULT_WINDOWS, *, factors: str = "market",
                      hac_lags: int = 5) -> pd.DataFrame:
        """Calendar-time portfolio test per window (Jaffe 1974; Mitchell & Stafford 2000), equal-weighted.

        Each session the portfolio holds every event-firm inside its window ``[a, b]``
        (trading-session offsets from day 0, both ends included); its daily simple return is
        regressed on the benchmark's (``factors="market"``), or, with ``factors="ff3"`` or
        ``"carhart"``, its excess return on the Fama-French factors.  Cross-sectional
        dependence (events sharing dates) is absorbed because the portfolio is one series.

        Returns
        -------
        DataFrame
            One row per window: ``window``, ``alpha`` (daily intercept, decimal), ``alpha_t``
            and ``alpha_p`` (OLS), ``alpha_t_hac`` and ``alpha_p_hac`` (Newey-West with
            ``hac_lags`` lags), ``n_days``, ``mean_firms``, ``factors``.
        """
        from .core.calendar_time import calendar_time_portfolio

        ev = self.events
        sessions = self.returns.index.values.astype("datetime64[D]")
        day0 = day0_positions(sessions, ev["announced"].values.astype("datetime64[D]"), is_after_close(ev["timing"]))
        cols = self.returns.columns.get_indexer(ev["ticker"].astype(object))
        returns = self.returns.to_numpy(dtype=np.float64)
        rf = None
        if factors == "market":
            bench = self._benchmarks()
            if len(set(bench)) != 1 or bench[0] not in self.returns.columns:
                raise ConfigError("calendar-time portfolios need one benchmark column in the returns (per-role benchmarks differ)")
            x = self.returns[[bench[0]]].to_numpy(dtype=np.float64)
        else:
            needed = {"ff3": ["mkt_rf", "smb", "hml"], "carhart": ["mkt_rf", "smb", "hml", "mom"]}.get(factors)
            if needed is None:
                raise ConfigError(f"unknown calendar-time factors {factors!r}; choose market, ff3 or carhart")
            if self.factors is None or not set(needed + ["rf"]) <= set(self.factors.columns):
                raise ConfigError(f"calendar-time {factors} needs factor columns {needed + ['rf']} (ingest the Fama-French files)")
            x = self.factors[needed].to_numpy(dtype=np.float64)
            rf = self.factors["rf"].to_numpy(dtype=np.float64)
        rows = []
        for a, b in windows:
            res = calendar_time_portfolio(returns, day0, cols, (int(a), int(b)), factors=x, rf=rf, hac_lags=hac_lags)
            rows.append({"window": window_label((a, b)), "alpha": res.alpha, "alpha_t": res.alpha_t, "alpha_p": res.alpha_p,
                         "alpha_t_hac": res.alpha_t_hac, "alpha_p_hac": res.alpha_p_hac, "n_days": res.n_days,
                         "mean_firms": res.mean_firms, "factors": factors})
        return pd.DataFrame(rows)

    def _firms_frame(self, core, day0, sessions, bench_names, spec, min_obs, windows) -> pd.DataFrame:
        ev = self.events
        firms = ev[["event_id", "ticker"]].copy()
        firms["day0"] = pd.to_datetime(np.where(day0 >= 0, sessions[np.clip(day0, 0, None)], np.datetime64("NaT")))
        text = np.array(STATUS_TEXT, dtype=object)[core.status]
        few = core.status == FEW_OBS
        if few.any():
            text = text.copy()
            text[few] = [f"too few estimation observations ({n} < {min_obs})" for n in core.fit.n_est[few]]
        firms["status"] = text
        firms["n_est"] = np.where(core.status == NO_SERIES, 0, core.fit.n_est)
        firms["sigma"] = np.sqrt(core.fit.sigma2)
        coef = core.fit.coef
        firms["alpha"] = coef[:, 0] if spec.n_params and spec.intercept else np.nan
        firms["beta"] = coef[:, 1] if coef.shape[1] > 1 else (1.0 if spec.name == "market-adj" else np.nan)
        loadings = [f"beta_{f}" for f in spec.factors[1:]]  # beta is the market (mkt_rf) loading
        for j, name in enumerate(loadings, start=2):
            firms[name] = coef[:, j]
        firms.loc[core.status != OK, ["sigma", "alpha", "beta", *loadings]] = np.nan
        firms["benchmark"] = bench_names
        lo = min(a for a, _ in windows)
        hi = max(b for _, b in windows)
        codes = pd.factorize(ev["ticker"])[0]
        i, j = overlapping_pairs(codes, day0, lo, hi)
        by = np.full(len(ev), "", dtype=object)
        if len(i):
            order = np.lexsort((j, i))
            i, j = i[order], j[order]
            starts = np.flatnonzero(np.r_[True, i[1:] != i[:-1]])
            names = ev["event_id"].to_numpy(dtype=object)[j]
            # label formatting only (one join per flagged event-firm); the search itself is vectorised
            by[i[starts]] = [", ".join(part) for part in np.split(names, starts[1:])]
        by = pd.Series(by, dtype=object)
        if "confounders" in ev:
            extra = ev["confounders"].fillna("").astype(str).str.strip().to_numpy(dtype=object)
            by = pd.Series([", ".join(x for x in (a, b) if x) for a, b in zip(by, extra)], dtype=object)
        firms["confounded"] = (by != "").to_numpy()
        firms["confounded_by"] = by.to_numpy()
        group_cols = [c for c in ev.columns if c not in REQUIRED_EVENT_COLUMNS and c != "confounders"]
        for c in ["announced", "timing", *group_cols]:
            firms[c] = ev[c].to_numpy()
        return firms.reset_index(drop=True)


def _check_returns(returns: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(returns, pd.DataFrame) or returns.empty:
        raise DataError("returns must be a non-empty DataFrame (index = session dates, columns = tickers)")
    try:
        idx = pd.DatetimeIndex(returns.index)
    except (TypeError, ValueError) as exc:
        raise DataError(f"returns index is not dates: {exc}") from None
    if idx.tz is not None:
        idx = idx.tz_localize(None)
    idx = idx.normalize()
    if idx.has_duplicates:
        raise DataError(f"returns index has duplicate dates, e.g. {idx[idx.duplicated()][0].date()}")
    out = returns.set_axis(idx, axis=0).sort_index()
    out.columns = [str(c) for c in out.columns]
    values = out.to_numpy(dtype=np.float64)
    finite = values[np.isfinite(values)]
    if finite.size and np.median(np.abs(finite)) > 0.2:
        warnings.warn(
            f"returns have median |r| = {np.median(np.abs(finite)):.3g}: they look like percent; the engine expects decimal fractions",
            DataScaleWarning, stacklevel=3,
        )
    return out


def _check_events(events: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in REQUIRED_EVENT_COLUMNS if c not in events.columns]
    if missing:
        raise DataError(f"events frame lacks column(s) {missing}; it has {list(events.columns)}")
    ev = events.copy()
    ev = ev[ev["ticker"].notna() & (ev["ticker"].astype(str).str.strip() != "")].reset_index(drop=True)
    if ev.empty:
        raise DataError("no events with a ticker to study")
    ev["ticker"] = ev["ticker"].astype(str)
    ev["event_id"] = ev["event_id"].astype(str)
    try:
        announced = pd.to_datetime(ev["announced"])
        ev["announced"] = announced.dt.tz_localize(None) if announced.dt.tz is not None else announced
    except (TypeError, ValueError) as exc:
        raise DataError(f"events column 'announced' is not dates: {exc}") from None
    if ev["announced"].isna().any():
        bad = ev.loc[ev["announced"].isna(), "event_id"].iloc[0]
        raise DataError(f"event {bad}: missing announcement date")
    bad = ~ev["timing"].isin(TIMINGS)
    if bad.any():
        row = ev[bad].iloc[0]
        raise DataError(f"event {row['event_id']}: timing {row['timing']!r} is not one of {sorted(TIMINGS)}")
    dup = ev.duplicated(["event_id", "ticker"])
    if dup.any():  # same firm listed twice in one event (two roles): study it once, keep the first role
        ev = ev[~dup].reset_index(drop=True)
    return ev


def _check_factors(factors: pd.DataFrame, index: pd.DatetimeIndex) -> pd.DataFrame:
    f = factors.copy()
    f.index = pd.DatetimeIndex(f.index).normalize()
    f.columns = [str(c).lower().replace("-", "_") for c in f.columns]
    vals = f.to_numpy(dtype=np.float64)
    finite = vals[np.isfinite(vals)]
    if finite.size and np.median(np.abs(finite)) > 0.1:
        warnings.warn("factors look like percent (Ken French files); the engine expects decimal", DataScaleWarning, stacklevel=3)
    return f.reindex(index)


def _check_windows(windows: Sequence[tuple[int, int]], estimation: tuple[int, int]) -> list[tuple[int, int]]:
    out = []
    for w in windows:
        try:
            a, b = (int(v) for v in w)
        except (TypeError, ValueError):
            raise ConfigError(f"window {w!r} is not a pair of integers (a, b)") from None
        if b < a:
            raise ConfigError(f"window [{a},{b}] ends before it starts")
        out.append((a, b))
    if not out:
        raise ConfigError("at least one event window is needed")
    e0, e1 = (int(v) for v in estimation)
    if e1 < e0:
        raise ConfigError(f"estimation window [{e0},{e1}] ends before it starts")
    lo = min(a for a, _ in out)
    if e1 >= lo:
        raise ConfigError(f"estimation window [{e0},{e1}] overlaps the event window starting at {lo}")
    return list(dict.fromkeys(out))
