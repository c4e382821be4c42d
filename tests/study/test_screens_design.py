"""Issue 10, study level: data screens and the exclusions table, design diagnostics, multiple-testing adjustment.

Real closes from ../shared/data; the thinly traded shell is a doctored copy of a real series whose
numbers the test sets, so what each screen must measure is known.  References: statsmodels OLS
residuals (design), Holm's and Benjamini-Hochberg's step procedures written out by hand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from eventstudy.db import open_db
from eventstudy.db.studies import load_run, save_results
from eventstudy.design import CLUSTER_UNRELIABLE
from eventstudy.screens import Screens, fit_screened
from eventstudy.study import EventStudy

pytestmark = pytest.mark.shared_data

TICKERS = ["AMD", "NVDA", "ORCL", "INTC", "AVGO", "SPY"]
EST = (-250, -11)


@pytest.fixture(scope="module")
def closes(prices_dir) -> pd.DataFrame:
    frame = pd.DataFrame({t: pd.read_csv(prices_dir / f"{t}.csv", index_col="Date", parse_dates=True)["Close"] for t in TICKERS})
    frame = frame.loc["2023-06-01":"2025-12-31"]
    # SHELL: a penny stock quoted at 0.5, moving 1/20 of INTC, unchanged on every third session (thin trading)
    shell = 0.5 * (1 + 0.05 * frame["INTC"].pct_change().fillna(0)).cumprod()
    shell[np.arange(len(shell)) % 3 == 0] = np.nan
    frame["SHELL"] = shell.ffill()
    return frame


@pytest.fixture(scope="module")
def returns(closes) -> pd.DataFrame:
    return closes.pct_change(fill_method=None).iloc[1:]


def events(rows) -> pd.DataFrame:
    return pd.DataFrame([(f"e{i}-{t}", t, d, "pre-open") for i, (t, d) in enumerate(rows)],
                        columns=["event_id", "ticker", "announced", "timing"])


SCREENED = events([("AMD", "2025-10-06"), ("NVDA", "2025-10-06"), ("ORCL", "2025-09-10"), ("AVGO", "2025-10-13"),
                   ("INTC", "2025-09-18"), ("SHELL", "2025-10-06")])


def _shell_est(returns: pd.DataFrame) -> pd.Series:
    pos = returns.index.get_loc(pd.Timestamp("2025-10-06"))
    return returns["SHELL"].iloc[pos + EST[0]:pos + EST[1] + 1]


@pytest.mark.parametrize("screen", ["min_price", "min_sigma", "max_zero_share"])
def test_each_screen_excludes_the_shell_with_its_reason(returns, closes, screen):
    only = {"min_price": Screens(1.0, None, None), "min_sigma": Screens(None, 0.002, None),
            "max_zero_share": Screens(None, None, 0.2)}[screen]
    res = fit_screened(EventStudy(returns, SCREENED), only, prices=closes, estimation=EST)
    ex = res.exclusions.set_index("ticker")
    assert list(ex.index) == ["SHELL"] and ex.at["SHELL", "screen"] == screen
    est = _shell_est(returns)
    expected = {"min_price": closes["SHELL"].loc[:"2025-10-03"].iloc[-1],  # close on day -1
                "max_zero_share": (est == 0).mean()}.get(screen)
    if expected is not None:
        assert ex.at["SHELL", "value"] == pytest.approx(expected, rel=1e-12)
    if screen == "max_zero_share":
        assert 0.3 < ex.at["SHELL", "value"] < 0.36  # every third session unchanged
    if screen == "min_sigma":  # residual SD of the shell's market-model fit (statsmodels)
        pos = returns.index.get_loc(pd.Timestamp("2025-10-06"))
        y = est.to_numpy()
        x = sm.add_constant(returns["SPY"].iloc[pos + EST[0]:pos + EST[1] + 1].to_numpy())
        assert ex.at["SHELL", "value"] == pytest.approx(np.sqrt(sm.OLS(y, x).fit().scale), rel=1e-10)
    # the tests are those of the study without the shell
    ref = EventStudy(returns, SCREENED[SCREENED.ticker != "SHELL"]).fit(estimation=EST)
    pd.testing.assert_frame_equal(res.tests, ref.tests)
    assert "SHELL" not in set(res.firms["ticker"])
    assert res.params["screens"][screen] is not None


def test_screens_off_keep_the_shell_and_defaults_exclude_it(returns, closes):
    off = fit_screened(EventStudy(returns, SCREENED), Screens.off(), prices=closes, estimation=EST)
    assert off.exclusions.empty and "SHELL" in set(off.firms["ticker"])
    default = fit_screened(EventStudy(returns, SCREENED), Screens(), prices=closes, estimation=EST)
    assert list(default.exclusions["ticker"]) == ["SHELL"]
    assert default.exclusions["screen"].iloc[0] == "min_price"  # first failing screen is named
    assert "[!] excluded 1 event-firm(s) by the min_price screen" in default.summary().as_text()


def test_too_few_estimation_days_are_listed_as_min_obs(returns):
    # INTC a year after the sample start: fewer than 300 estimation returns
    ev = events([("AMD", "2025-10-06"), ("INTC", "2024-03-01")])
    res = fit_screened(EventStudy(returns, ev), Screens.off(), estimation=(-300, -11), min_estimation_obs=290)
    ex = res.exclusions.set_index("ticker")
    assert ex.at["INTC", "screen"] == "min_obs" and ex.at["INTC", "threshold"] == 290
    assert ex.at["INTC", "value"] < 290


def test_exclusions_and_per_event_rows_are_stored(db_url, returns, closes):
    res = fit_screened(EventStudy(returns, SCREENED), Screens(), prices=closes, estimation=EST)
    engine = open_db(db_url)
    run_id = save_results(engine, res)
    stored = load_run(engine, run_id)
    assert stored.exclusions[["ticker", "screen"]].values.tolist() == [["SHELL", "min_price"]]
    assert stored.exclusions["reason"].iloc[0] == res.exclusions["reason"].iloc[0]
    per = stored.per_event.set_index(["event_id", "ticker", "window"])["t"]
    mine = res.per_event.set_index(["event_id", "ticker", "window"])["t"]
    np.testing.assert_allclose(per.loc[mine.index].to_numpy(), mine.to_numpy(), rtol=1e-12)


def _residuals(returns: pd.DataFrame, ticker: str, day0: str) -> pd.Series:
    """Market-model OLS residuals over the estimation window, indexed by date (statsmodels)."""
    pos = returns.index.get_loc(pd.Timestamp(day0))
    sl = slice(pos + EST[0], pos + EST[1] + 1)
    y, m = returns[ticker].iloc[sl], returns["SPY"].iloc[sl]
    return pd.Series(sm.OLS(y.to_numpy(), sm.add_constant(m.to_numpy())).fit().resid, index=y.index)


def test_design_counts_and_residual_correlation(returns):
    ev = events([("AMD", "2025-10-06"), ("NVDA", "2025-10-06"), ("ORCL", "2025-09-10"), ("INTC", "2025-03-03")])
    res = EventStudy(returns, ev).fit(estimation=EST)
    d = res.design
    assert (d.n_firms, d.n_dates, d.n_sharing_date) == (4, 3, 2)
    # widest window [-5,10]: 2025-09-10 is 18 sessions before 2025-10-06, so only AMD and NVDA overlap
    assert d.n_overlapping == 2 and d.n_pairs == 1
    ref = np.corrcoef(_residuals(returns, "AMD", "2025-10-06"), _residuals(returns, "NVDA", "2025-10-06"))[0, 1]
    assert d.mean_residual_corr == pytest.approx(ref, abs=1e-12)
    assert d.headline == {"[0,0]": "kp", "[0,2]": "kp", "[-1,1]": "kp", "[-5,5]": "grank", "[0,10]": "grank"}
    assert d.unreliable == CLUSTER_UNRELIABLE
    notes = "\n".join(res._notes())
    assert "Unreliable here (CAR): Cross-sectional t, Patell Z" in notes and "Patell Z (!)" in res.summary().as_text()


def test_design_correlation_aligns_calendar_days_across_dates(returns):
    # a window of +-20 sessions makes 2025-09-10 and 2025-10-06 overlap: residuals are matched on calendar days
    ev = events([("AMD", "2025-10-06"), ("ORCL", "2025-09-10")])
    res = EventStudy(returns, ev).fit(estimation=(-250, -21), windows=[(-20, 20)])
    a = _residuals_window(returns, "AMD", "2025-10-06", (-250, -21))
    b = _residuals_window(returns, "ORCL", "2025-09-10", (-250, -21))
    both = pd.concat([a, b], axis=1, join="inner")
    assert 200 < len(both) < 231
    assert res.design.mean_residual_corr == pytest.approx(np.corrcoef(both.iloc[:, 0], both.iloc[:, 1])[0, 1], abs=1e-12)


def _residuals_window(returns, ticker, day0, est):
    pos = returns.index.get_loc(pd.Timestamp(day0))
    sl = slice(pos + est[0], pos + est[1] + 1)
    y, m = returns[ticker].iloc[sl], returns["SPY"].iloc[sl]
    return pd.Series(sm.OLS(y.to_numpy(), sm.add_constant(m.to_numpy())).fit().resid, index=y.index)


def test_separate_dates_headline_bmp_and_nothing_marked(returns):
    ev = events([("AMD", "2025-10-06"), ("ORCL", "2025-06-02"), ("INTC", "2025-03-03")])
    d = EventStudy(returns, ev).fit(estimation=EST, windows=[(0, 0), (0, 2)]).design
    assert d.n_overlapping == 0 and d.n_sharing_date == 0 and np.isnan(d.mean_residual_corr)
    assert d.headline == {"[0,0]": "bmp", "[0,2]": "bmp"} and d.unreliable == {}


def _holm(p: np.ndarray) -> np.ndarray:
    m = len(p)
    order = np.argsort(p)
    out = np.empty(m)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        out[i] = running
    return out


def _bh(p: np.ndarray) -> np.ndarray:
    m = len(p)
    out = np.empty(m)
    for i in range(m):
        out[i] = min(1.0, min(m * p[j] / (np.sum(p <= p[j])) for j in range(m) if p[j] >= p[i]))
    return out


@pytest.mark.parametrize("method, ref", [("holm", _holm), ("fdr_bh", _bh)])
def test_adjusted_pvalues_across_windows_and_tests(returns, method, ref):
    res = EventStudy(returns, SCREENED[SCREENED.ticker != "SHELL"]).fit(estimation=EST)
    adj = res.adjusted_tests(method)
    for measure in ("CAR", "BHAR"):
        rows = adj[(adj["measure"] == measure) & adj["pvalue"].notna()]
        assert len(rows) >= 10
        np.testing.assert_allclose(rows["pvalue_adj"].to_numpy(), ref(rows["pvalue"].to_numpy()), rtol=1e-12)
    assert (adj["pvalue_adj"].dropna() >= adj.loc[adj["pvalue_adj"].notna(), "pvalue"]).all()
