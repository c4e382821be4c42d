"""Fanning blocks of events out (threads, Dask) gives exactly the single-process result."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from eventstudy.core.engine import run_event_study
from eventstudy.core.models import get_model
from eventstudy.core.statistics import run_tests


def _inputs(seed: int = 4):
    rng = np.random.default_rng(seed)
    market = rng.normal(0.0004, 0.01, (600, 1))
    returns = 0.0002 + market * rng.uniform(0.5, 1.5, 20) + rng.normal(0, 0.02, (600, 20))
    returns[:300, 3] = np.nan  # a late listing
    day0 = rng.integers(260, 590, 250)
    col = rng.integers(0, 20, 250)
    kwargs = {"windows": [(0, 0), (-2, 3)], "bench": market, "bcol": np.zeros(250, dtype=int), "min_estimation_obs": 50}
    return returns, day0, col, kwargs


def _same(a, b):
    np.testing.assert_array_equal(a.status, b.status)
    np.testing.assert_array_equal(a.fit.ar, b.fit.ar)
    np.testing.assert_array_equal(a.est_ar, b.est_ar)
    np.testing.assert_array_equal(a.u, b.u)
    for ma, mb in zip(a.measures, b.measures):
        np.testing.assert_array_equal(ma.car_var, mb.car_var)
    for w in range(2):
        ta = [t.stat for t in run_tests(a.panel(w), "CAR")]
        tb = [t.stat for t in run_tests(b.panel(w), "CAR")]
        np.testing.assert_allclose(ta, tb, rtol=1e-12)


def test_blocks_and_threads_do_not_change_results():
    returns, day0, col, kw = _inputs()
    spec = get_model("market")
    one = run_event_study(spec, returns, day0, col, chunk_size=10_000, **kw)
    _same(one, run_event_study(spec, returns, day0, col, chunk_size=37, **kw))
    _same(one, run_event_study(spec, returns, day0, col, chunk_size=64, n_jobs=2, **kw))
    with ThreadPoolExecutor(2) as pool:
        _same(one, run_event_study(spec, returns, day0, col, chunk_size=50, executor=pool, **kw))


def test_window_tests_on_threads_equal_the_serial_tests():
    # every test of every window and measure, bootstrap included, whatever the thread count
    returns, day0, col, kw = _inputs()
    spec = get_model("market")
    serial = run_event_study(spec, returns, day0, col, chunk_size=64, **kw)
    threaded = run_event_study(spec, returns, day0, col, chunk_size=64, n_jobs=2, **kw)
    want = [(w, m, [(t.name, t.stat, t.pvalue) for t in run_tests(serial.panel(w), m)])
            for w in range(2) for m in ("CAR", "BHAR")]
    got = [(w, m, [(t.name, t.stat, t.pvalue) for t in found]) for w, m, found in threaded.window_tests()]
    assert [(w, m, [x[0] for x in r]) for w, m, r in got] == [(w, m, [x[0] for x in r]) for w, m, r in want]
    for (_, _, a), (_, _, b) in zip(got, want):
        np.testing.assert_array_equal([x[1:] for x in a], [x[1:] for x in b])


@pytest.mark.slow
def test_dask_executor():
    distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")
    returns, day0, col, kw = _inputs()
    spec = get_model("market")
    one = run_event_study(spec, returns, day0, col, **kw)
    with distributed.Client(processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None) as client:
        _same(one, run_event_study(spec, returns, day0, col, chunk_size=60, executor=client.get_executor(), **kw))


def test_without_ranks_only_the_rank_test_is_missing():
    returns, day0, col, kw = _inputs()
    spec = get_model("market")
    full = run_event_study(spec, returns, day0, col, **kw)
    lean = run_event_study(spec, returns, day0, col, ranks=False, **kw)
    got = {t.name: t for t in run_tests(lean.panel(1), "CAR")}
    ref = {t.name: t for t in run_tests(full.panel(1), "CAR")}
    assert not got["corrado"].valid and "ranks" in got["corrado"].reason
    for name in set(ref) - {"corrado"}:
        assert got[name].stat == ref[name].stat, name


def test_dropping_arrays_keeps_overall_tests():
    returns, day0, col, kw = _inputs()
    spec = get_model("market")
    full = run_event_study(spec, returns, day0, col, chunk_size=64, **kw)
    slim = run_event_study(spec, returns, day0, col, chunk_size=64, keep_arrays=False, **kw)
    for w in range(2):
        a = {t.name: t for t in run_tests(full.panel(w), "CAR")}
        b = {t.name: t for t in run_tests(slim.panel(w), "CAR")}
        # GRANK ranks each event's estimation days against its SCAR: it needs the arrays
        assert a.pop("grank").valid and "keep_arrays" in b.pop("grank").reason
        np.testing.assert_array_equal([t.stat for t in a.values()], [t.stat for t in b.values()])
    # the stored partials equal a fresh reduction of the arrays
    keep = np.ones(len(day0), dtype=bool)
    np.testing.assert_allclose(full.group_summary(keep).rank_dev, full.group_summary().rank_dev, rtol=1e-12)
    assert full.group_summary(keep).r_bar == pytest.approx(full.group_summary().r_bar, rel=1e-12)
    with pytest.raises(ValueError, match="keep_arrays"):
        slim.group_summary(keep)
