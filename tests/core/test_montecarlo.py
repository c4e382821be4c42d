"""Monte Carlo on a market-model DGP: size near 5% without effects, power with injected ARs.

DGP per firm: R_it = 0.0003 + beta_i R_mt + e_it, R_mt ~ N(0.0004, 0.01), e_it ~ N(0, sigma_i)
with sigma_i ~ U(0.01, 0.03), independent across firms; day 0 drawn per event.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from eventstudy.core.engine import run_event_study
from eventstudy.core.models import get_model
from eventstudy.core.statistics import BHAR_TESTS, CAR_TESTS, run_tests

N_EVENTS = 40
WINDOWS = [(0, 0), (-1, 1)]
T = 420


def _replication(rng, effect: float):
    market = rng.normal(0.0004, 0.01, T)
    betas = rng.uniform(0.6, 1.6, N_EVENTS)
    sig = rng.uniform(0.01, 0.03, N_EVENTS)
    returns = 0.0003 + market[:, None] * betas + rng.normal(0, 1, (T, N_EVENTS)) * sig
    day0 = rng.integers(270, T - 5, N_EVENTS)
    returns[day0, np.arange(N_EVENTS)] += effect
    core = run_event_study(
        get_model("market"), returns, day0, np.arange(N_EVENTS), windows=WINDOWS, min_estimation_obs=100,
        bench=market[:, None], bcol=np.zeros(N_EVENTS, dtype=int),
    )
    out = {}
    for w, label in enumerate(("[0,0]", "[-1,1]")):
        panel = core.panel(w)
        for measure in ("CAR", "BHAR"):
            for t in run_tests(panel, measure):
                out[(measure, label, t.name)] = t.pvalue
    return out


def _rejection_rates(effect: float, reps: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    rows = [_replication(rng, effect) for _ in range(reps)]
    return {k: np.mean([r[k] < 0.05 for r in rows]) for k in rows[0]}


@pytest.mark.slow
def test_size_close_to_nominal():
    reps = 300
    rates = _rejection_rates(0.0, reps, seed=11)
    assert len(rates) == 2 * (len(CAR_TESTS) + len(BHAR_TESTS))
    # two-sided binomial band for 5% with 300 draws at the 0.1% level, applied test by test
    lo, hi = stats.binom.ppf([0.0005, 0.9995], reps, 0.05) / reps
    bad = {k: v for k, v in rates.items() if not lo <= v <= hi}
    assert not bad, f"rejection rates outside [{lo:.3f}, {hi:.3f}]: {bad}"


@pytest.mark.slow
def test_injected_abnormal_returns_are_detected():
    rates = _rejection_rates(0.02, 60, seed=12)
    day0 = {k: v for k, v in rates.items() if k[1] == "[0,0]"}
    weak = {k: v for k, v in day0.items() if v < 0.9}
    assert not weak, f"power below 90% for a +2% day-0 effect: {weak}"
