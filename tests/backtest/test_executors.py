"""Sweeps fanned out on a real Dask cluster give exactly the single-process result."""

from __future__ import annotations

import pandas as pd
import pytest

from backtest_testlib import event, events, prices  # noqa: F401  (fixtures)
from eventstudy.backtest.engine import simulate
from eventstudy.backtest.executors import DaskSimulate, check_executor
from eventstudy.backtest.spec import StrategySpec
from eventstudy.backtest.sweep import run_backtest
from eventstudy.exceptions import ConfigError

distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")

# Suppliers and customers over 2024 (one per month), and a ticker without prices.
EVENTS = events(*[event(f"{tk}-{day:%Y%m}", tk, str(day.date()), "pre-open", role="supplier" if i % 2 else "customer")
                  for day in pd.bdate_range("2024-01-01", "2024-12-31", freq="BMS")
                  for i, tk in enumerate(("AMD", "NVDA", "ORCL", "INTC"))],
                event("jp", "9984.T", "2024-05-02"))
# 3 x 3 x 2 x 2 = 36 variants; "announcer" plans no trade (nobody has that role), so its variants'
# figures depend on the span of the whole run: the cluster's pieces must be brought to that span.
SPEC = StrategySpec(name="fan", direction="long", entry={"k": 0, "at": "open"}, exit={"hold": 3}, costs={"fees": 0.0005},
                    sweep={"role": ["supplier", "announcer", "customer"], "hold": [1, 3, 6], "k": [0, 2],
                           "stop_loss": [None, 0.04]})


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as c:
        yield c


def _sorted(frame: pd.DataFrame, by: list[str] | None = None) -> pd.DataFrame:
    """Rows in a fixed order (by ``by``, default every column as text): pieces list them in their own order."""
    if by is None:
        order = frame.astype(str).sort_values(list(frame.columns), kind="stable").index
        return frame.loc[order].reset_index(drop=True)
    return frame.sort_values(by, kind="stable").reset_index(drop=True)


@pytest.mark.parametrize("engine,chunks", [("trades", 6), ("portfolio", 4)])
def test_dask_pieces_equal_the_local_run(prices, client, engine, chunks):  # noqa: F811
    local = simulate(SPEC, EVENTS, prices, engine=engine)
    fanned = DaskSimulate(client, chunks=chunks)(SPEC, EVENTS, prices, engine=engine)
    assert fanned.info["pieces"] == chunks and (local.metrics["note"].str.contains("announcer")).sum() == 12
    pd.testing.assert_frame_equal(fanned.metrics, local.metrics)
    pd.testing.assert_frame_equal(fanned.equity, local.equity)
    key = ["variant", "event_id", "ticker"]
    pd.testing.assert_frame_equal(_sorted(fanned.trades, key), _sorted(local.trades, key))
    cols = list(local.skipped.columns)
    pd.testing.assert_frame_equal(_sorted(fanned.skipped[cols], cols[:3]), _sorted(local.skipped, cols[:3]))
    pd.testing.assert_frame_equal(_sorted(fanned.benchmarks), _sorted(local.benchmarks))


def test_a_dask_backtest_result_equals_the_local_one(prices, client):  # noqa: F811
    spec = StrategySpec.model_validate({**SPEC.model_dump(), "oos": {"split": "2024-07-01"}})
    local = run_backtest(spec, EVENTS, prices)
    fanned = run_backtest(spec, EVENTS, prices, simulate_fn=DaskSimulate(client, chunks=5))
    pd.testing.assert_frame_equal(fanned.results, local.results)
    assert fanned.best_variant() == local.best_variant()


def test_a_walk_forward_on_dask_equals_the_local_one(prices, client):  # noqa: F811
    spec = StrategySpec.model_validate({**SPEC.model_dump(), "sweep": {"hold": [1, 3], "role": ["supplier", "customer"]},
                                        "oos": {"walk_forward": {"train": "4M", "test": "3M"}}})
    local = run_backtest(spec, EVENTS, prices)
    fanned = run_backtest(spec, EVENTS, prices, simulate_fn=DaskSimulate(client, chunks=3))
    pd.testing.assert_frame_equal(fanned.walk_forward.folds, local.walk_forward.folds)
    assert fanned.walk_forward.stitched == local.walk_forward.stitched
    pd.testing.assert_series_equal(fanned.walk_forward.equity, local.walk_forward.equity)
    pd.testing.assert_frame_equal(fanned.results, local.results)


def test_executor_names():
    assert check_executor(None) == "local" and check_executor("dask") == "dask"
    assert check_executor("dask://10.0.0.5:8786") == "dask://10.0.0.5:8786"
    for bad in ("spark", "dask://nohost", "dask://h:port"):
        with pytest.raises(ConfigError, match="--executor: .* is not an executor"):
            check_executor(bad)


def test_pipeline_config_takes_the_executor(tmp_path):
    from eventstudy.pipelines.config import load_config

    path = tmp_path / "p.toml"
    path.write_text('[backtests]\nexecutor = "dask://127.0.0.1:8786"\n')
    assert load_config(path).backtest_executor == "dask://127.0.0.1:8786"
    assert load_config(None).backtest_executor == "local"
    path.write_text('[backtests]\nexecutor = "threads"\n')
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert f"{path}: [backtests] executor: 'threads' is not an executor" in str(info.value)


def test_the_dask_executor_runs_in_worker_processes_sharing_the_numba_cache(prices):  # noqa: F811
    """``open_executor("dask")``: a LocalCluster of worker processes (specs, events and prices pickled
    across), whose workers load compiled kernels from the project's numba cache.  The workers are
    forked here so that they inherit the imported engine (spawned ones import vectorbt again: ~10 s)."""
    import os

    import dask

    from eventstudy.backtest.executors import open_executor

    spec = StrategySpec.model_validate({**SPEC.model_dump(), "sweep": {"hold": [1, 3], "role": ["supplier", "announcer"]}})
    local = simulate(spec, EVENTS, prices)
    with dask.config.set({"distributed.worker.multiprocessing-method": "fork"}), \
            open_executor("dask", n_workers=2) as fanned:
        pids = fanned.client.run(os.getpid)
        caches = set(fanned.client.run(lambda: os.environ.get("NUMBA_CACHE_DIR")).values())
        result = fanned(spec, EVENTS, prices)
    assert len(set(pids.values()) - {os.getpid()}) == 2
    assert caches == {os.environ["NUMBA_CACHE_DIR"]}
    pd.testing.assert_frame_equal(result.metrics, local.metrics)
    pd.testing.assert_frame_equal(result.equity, local.equity)
