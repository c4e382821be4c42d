"""Backtests of trading strategies around announcements, on vectorbt.

Public API (imported lazily: numba loads only when a backtest runs, vectorbt only for the
``portfolio`` engine and as the tests' reference)::

    spec = load_spec("examples/strategies/counterparty-close-hold5.yaml")   # or StrategySpec(...)
    result = run_backtest(spec, events_frame, PriceData.from_frames(load_prices(...)))
    run_id, result = run_and_store(engine, spec)                              # DB in, DB out
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..numba_cache import configure_numba_cache
from .spec import StrategySpec

configure_numba_cache()  # library users (notebook, pipeline) share the CLI's compiled kernels

if TYPE_CHECKING:
    from ..db import Engine

    from .sweep import BacktestResult

__all__ = ["StrategySpec", "load_spec", "run_backtest", "run_and_store", "run_from_db", "BacktestResult",
           "PriceData", "simulate", "save_result", "load_run", "list_runs"]

_LAZY = {
    "run_backtest": "eventstudy.backtest.sweep", "BacktestResult": "eventstudy.backtest.sweep",
    "PriceData": "eventstudy.backtest.data", "simulate": "eventstudy.backtest.engine",
    "save_result": "eventstudy.db.backtests", "load_run": "eventstudy.db.backtests", "list_runs": "eventstudy.db.backtests",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(name)


def load_spec(path: str | Path) -> StrategySpec:
    """Read and validate a YAML strategy spec (errors name the file, line and field)."""
    return StrategySpec.from_yaml(path)


def run_from_db(engine: "Engine", spec: StrategySpec, *, progress=None, max_cells: int | None = None,
                executor: str | None = None) -> "BacktestResult":
    """Run ``spec`` on the catalog events and prices stored in the database behind ``engine``
    (tickers without prices are skipped and named in ``result.missing``); ``executor``: ``local``,
    ``dask`` or ``dask://HOST:PORT`` (see :mod:`eventstudy.backtest.executors`)."""
    from ..jobs.backtest import run_backtest_job

    return run_backtest_job(engine, spec, store=False, progress=progress, max_cells=max_cells, executor=executor).result


def run_and_store(engine: "Engine", spec: StrategySpec, *, progress=None, trades_top: int = 20,
                  executor: str | None = None) -> tuple[int, "BacktestResult"]:
    """Run ``spec`` from the database and store the result; returns ``(run_id, result)``."""
    from ..db.backtests import save_result

    result = run_from_db(engine, spec, progress=progress, executor=executor)
    return save_result(engine, result, trades_top=trades_top), result
