"""Without numba (optional) the engine takes its numpy twins: same study, same test statistics."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from eventstudy.core._numba import HAS_NUMBA

SCRIPT = textwrap.dedent("""
    import json, warnings
    import numpy as np
    warnings.simplefilter("ignore")
    from eventstudy.core.calendar_time import calendar_time_portfolio
    from eventstudy.core.engine import run_event_study
    from eventstudy.core.models import get_model
    rng = np.random.default_rng(12)
    market = rng.normal(0.0004, 0.01, (700, 1))
    returns = 0.0002 + market * rng.uniform(0.5, 1.5, 30) + rng.normal(0, 0.02, (700, 30))
    returns[rng.random(returns.shape) < 0.03] = np.nan
    returns[:, 5] = np.round(returns[:, 5], 3)  # ties for the rank tests
    day0 = rng.integers(270, 680, 300)
    col = rng.integers(0, 30, 300)
    core = run_event_study(get_model("market"), returns, day0, col, windows=[(0, 0), (-2, 3), (0, 10)],
                           bench=market, bcol=np.zeros(300, dtype=int), min_estimation_obs=100,
                           chunk_size=128)
    out = {f"{w}/{m}/{t.name}": [t.stat, t.pvalue] for w, m, found in core.window_tests() for t in found}
    out["car"] = [float(np.nansum(x.car)) for x in core.measures]
    out["bhar"] = [float(np.nansum(x.bhar)) for x in core.measures]
    out["alpha_t"] = calendar_time_portfolio(returns, day0, col, (0, 10), factors=market, hac_lags=3).alpha_t
    print(json.dumps(out))
""")


def _run(disable: bool) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "EVENTSTUDY_DISABLE_NUMBA"}
    if disable:
        env["EVENTSTUDY_DISABLE_NUMBA"] = "1"
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not HAS_NUMBA, reason="numba not installed: nothing to compare the numpy path with")
def test_numpy_fallback_equals_compiled_kernels():
    compiled, fallback = _run(False), _run(True)
    assert compiled.keys() == fallback.keys() and len(compiled) > 40
    for key, value in compiled.items():
        np.testing.assert_allclose(fallback[key], value, rtol=1e-9, atol=1e-12, equal_nan=True, err_msg=key)
