"""Monte Carlo size and power of every test, with bands tight enough to catch a test of 1.5x its size.

Designs
-------
* random dates, synthetic: per firm ``R_it = 0.0003 + beta_i R_mt + e_it``, ``R_mt ~ N(0.0004, 0.01)``,
  ``e_it ~ N(0, sigma_i)``, ``sigma_i ~ U(0.01, 0.03)``, independent across firms; day 0 drawn per
  event over ~900 sessions (few calendar overlaps; clustering is the other design). 2,000 replications: the two-sided 0.1 % binomial band around 5 % is about [3.5 %, 6.6 %]
  (computed with scipy below), which excludes 7.5 %.
* clustered, real: 200 firms of the shared universe (``../shared/data/prices/universe``) with
  complete data around ONE random date, SPY as the market; 1,000 replications. Their residuals
  move together, so the tests that assume cross-sectional independence over-reject; the tests
  the study calls cluster-robust must hold 3-7 %.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from eventstudy.core.engine import run_event_study
from eventstudy.core.models import get_model
from eventstudy.core.statistics import BHAR_TESTS, CAR_TESTS, run_tests

N_EVENTS = 40
WINDOWS = [(0, 0), (-1, 1)]
LABELS = ("[0,0]", "[-1,1]")
T = 1200  # day 0 drawn over ~900 sessions: 40 events rarely share calendar days (random dates, as in BW 1985)
NOMINAL = 0.05
REPS_RANDOM = 2000
REPS_CLUSTERED = 1000
N_CLUSTER = 200
#: Tests that hold 3-7 % on the clustered design (the study may call these cluster-robust). KP-adjusted
#: Patell is NOT among them: it inherits Patell's over-rejection on real data (fat tails, thin
#: trading; measured 6.5-7.2 % here, see the test) and needs the data screens first.
CLUSTER_ROBUST = ("kp", "grank", "bw1985")

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "prices"


def _pvalues(core, label_windows=LABELS) -> dict:
    out = {}
    group = core.group_summary()
    for w, label in enumerate(label_windows):
        panel = core.panel(w, None, group)
        for measure in ("CAR", "BHAR"):
            for t in run_tests(panel, measure):
                out[(measure, label, t.name)] = t.pvalue
    return out


def _synthetic(rng, effect: float):
    market = rng.normal(0.0004, 0.01, T)
    betas = rng.uniform(0.6, 1.6, N_EVENTS)
    sig = rng.uniform(0.01, 0.03, N_EVENTS)
    returns = 0.0003 + market[:, None] * betas + rng.normal(0, 1, (T, N_EVENTS)) * sig
    day0 = rng.integers(270, T - 11, N_EVENTS)
    returns[day0, np.arange(N_EVENTS)] += effect
    core = run_event_study(
        get_model("market"), returns, day0, np.arange(N_EVENTS), windows=WINDOWS, min_estimation_obs=100,
        bench=market[:, None], bcol=np.zeros(N_EVENTS, dtype=int),
    )
    return _pvalues(core)


def _rates(rows: list[dict]) -> dict:
    return {k: float(np.mean([r[k] < NOMINAL for r in rows])) for k in rows[0]}


def binomial_band(reps: int, level: float = 0.001) -> tuple[float, float]:
    """Two-sided ``level`` band of the rejection rate of a test of exact size NOMINAL over ``reps`` draws."""
    lo, hi = stats.binom.ppf([level / 2, 1 - level / 2], reps, NOMINAL) / reps
    return float(lo), float(hi)


def test_band_catches_a_test_with_one_and_a_half_times_its_size():
    lo, hi = binomial_band(REPS_RANDOM)
    assert lo > NOMINAL / 1.5 and hi < 1.5 * NOMINAL
    # a test rejecting 7.5 % lands inside the band less than 10 % of the time
    assert stats.binom.cdf(hi * REPS_RANDOM, REPS_RANDOM, 1.5 * NOMINAL) < 0.10


@pytest.mark.slow
def test_size_on_random_dates():
    rng = np.random.default_rng(11)
    rates = _rates([_synthetic(rng, 0.0) for _ in range(REPS_RANDOM)])
    assert len(rates) == 2 * (len(CAR_TESTS) + len(BHAR_TESTS))
    lo, hi = binomial_band(REPS_RANDOM)
    bad = {k: v for k, v in rates.items() if not lo <= v <= hi}
    assert not bad, f"rejection rates outside [{lo:.3f}, {hi:.3f}] over {REPS_RANDOM} replications: {bad}"


@pytest.mark.slow
def test_injected_abnormal_returns_are_detected():
    rng = np.random.default_rng(12)
    rates = _rates([_synthetic(rng, 0.02) for _ in range(60)])
    day0 = {k: v for k, v in rates.items() if k[1] == "[0,0]"}
    weak = {k: v for k, v in day0.items() if v < 0.9}
    assert not weak, f"power below 90% for a +2% day-0 effect: {weak}"


@pytest.fixture(scope="module")
def universe():
    folder = SHARED / "universe"
    spy_file = SHARED / "raw" / "SungKyu-Kim39__BackTester39" / "SPY.csv"
    if not folder.is_dir() or not spy_file.is_file():
        pytest.skip(f"shared universe prices not found at {folder} (only on project machines and CI)")
    spy = pd.read_csv(spy_file, usecols=["Date", "Close"], index_col="Date", parse_dates=True)["Close"]
    closes = {}
    for path in sorted(folder.glob("*.csv.gz")):
        if not path.name.endswith("_dividends.csv.gz"):
            frame = pd.read_csv(path, usecols=["Date", "Close"], index_col="Date", parse_dates=True)["Close"]
            closes[path.name[: -len(".csv.gz")]] = frame[~frame.index.duplicated()]
    wide = pd.DataFrame(closes).reindex(spy.index)
    returns = wide.pct_change(fill_method=None).iloc[1:].to_numpy()
    market = spy.pct_change().iloc[1:].to_numpy()[:, None]
    return np.asfortranarray(returns), market


def _clustered(rng, returns, market, complete, days):
    d = int(rng.choice(days))
    cols = rng.choice(np.flatnonzero(complete[d]), N_CLUSTER, replace=False)
    core = run_event_study(
        get_model("market"), returns, np.full(N_CLUSTER, d), cols, windows=WINDOWS, min_estimation_obs=100,
        bench=market, bcol=np.zeros(N_CLUSTER, dtype=int),
    )
    return _pvalues(core)


@pytest.mark.slow
def test_size_on_clustered_real_event_dates(universe):
    returns, market = universe
    span = (-250, 10)
    finite = np.isfinite(returns) & np.isfinite(market)
    csum = np.vstack([np.zeros((1, returns.shape[1])), np.cumsum(finite, axis=0)])
    rows = np.arange(-span[0], returns.shape[0] - span[1])
    complete = np.zeros(returns.shape, dtype=bool)
    complete[rows] = (csum[rows + span[1] + 1] - csum[rows + span[0]]) == span[1] - span[0] + 1
    days = np.flatnonzero(complete.sum(axis=1) >= N_CLUSTER)
    assert len(days) > 1000
    rng = np.random.default_rng(2025)
    rates = _rates([_clustered(rng, returns, market, complete, days) for _ in range(REPS_CLUSTERED)])
    robust = {k: v for k, v in rates.items() if k[0] == "CAR" and k[2] in CLUSTER_ROBUST}
    assert len(robust) == 2 * len(CLUSTER_ROBUST)
    bad = {k: v for k, v in robust.items() if not 0.03 <= v <= 0.07}
    assert not bad, f"cluster-robust tests outside 3-7 % on {REPS_CLUSTERED} clustered replications: {bad}"
    # the design is really clustered: the tests that assume independence over-reject on it
    naive = {k: v for k, v in rates.items() if k[0] == "CAR" and k[2] in ("t-cs", "patell", "bmp")}
    assert min(naive.values()) > 0.10, naive
    # the KP adjustment removes most of Patell's over-rejection, not all of it (measured 6.5-7.2 %)
    for label in LABELS:
        assert rates[("CAR", label, "kp-patell")] < min(0.08, rates[("CAR", label, "patell")] / 3)
