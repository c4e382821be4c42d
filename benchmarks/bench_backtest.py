"""Backtest sweep throughput: 10,000 variants over the catalog events and over pseudo-events.

Run: ``python benchmarks/bench_backtest.py [--variants-only] [--pseudo-events 300] [--portfolio-variants 1000]``

Reports the cold start (fresh process, empty numba cache) and the warm start (fresh process,
project cache filled), then, per data set: the first run in this process (numba compilation of vectorbt's
simulator included, printed apart as "first run"), the warm run (median of ``--repeat``),
variants per second, and peak memory of the warm run (tracemalloc: Python and numpy
allocations) plus the process's peak RSS.  Goal from the issue: 10k variants <= 10 s warm on
2 cores, memory bounded (no order logs; arrays bounded by ``max_cells`` per vectorbt run).

Data: ``../shared/data/prices/raw/SungKyu-Kim39__BackTester39`` (catalog tickers, SPY, QQQ)
and ``../shared/data/prices/universe`` (pseudo-events on random tickers and dates, seed 0).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "data" / "prices"
RAW = SHARED / "raw" / "SungKyu-Kim39__BackTester39"
UNIVERSE = SHARED / "universe"

GRID = {  # 5 x 10 x 10 x 10 x 2 = 10,000 variants
    "k": [0, 1, 2, 3, 4],
    "hold": [1, 2, 3, 5, 7, 10, 15, 20, 30, 40],
    "stop_loss": [None, 0.02, 0.03, 0.05, 0.07, 0.10, 0.15, 0.20, 0.25, 0.30],
    "take_profit": [None, 0.05, 0.10, 0.15, 0.20, 0.30, 0.40, 0.50, 0.75, 1.00],
    "hedge": [False, True],
}


def catalog_events() -> pd.DataFrame:
    from eventstudy.catalog import load_catalog

    rows = [dict(event_id=e.event.id, ticker=p.ticker, announced=e.event.date, timing=e.event.timing.value,
                 role=p.role.value, deal_type=e.event.deal_type.value)
            for e in load_catalog(REPO / "events") for p in e.event.parties if p.ticker]
    frame = pd.DataFrame(rows)
    return frame.loc[[(RAW / f"{t}.csv").exists() for t in frame["ticker"]]].reset_index(drop=True)


def pseudo_events(n: int, seed: int = 0) -> tuple[pd.DataFrame, Path]:
    rng = np.random.default_rng(seed)
    tickers = sorted(p.name[:-7] for p in UNIVERSE.glob("*.csv.gz") if not p.name.endswith("_dividends.csv.gz"))
    picked = rng.choice(tickers, size=n, replace=True)
    days = pd.bdate_range("2024-03-01", "2025-12-31")
    dates = rng.choice(days, size=n)
    timings = rng.choice(["pre-open", "intraday", "after-close", "unknown"], size=n)
    roles = rng.choice(["announcer", "counterparty", "supplier", "customer"], size=n)
    frame = pd.DataFrame({"event_id": [f"pseudo-{i}" for i in range(n)], "ticker": picked, "announced": dates,
                          "timing": timings, "role": roles, "deal_type": "supply-deal"})
    return frame, UNIVERSE


def load_prices(events: pd.DataFrame, folder: Path):
    from eventstudy.backtest.data import PriceData

    # SPY and the catalog tickers live in RAW, pseudo-event tickers in the universe folder.
    return PriceData.from_csv_dir([folder, RAW], list(events["ticker"]) + ["SPY"])


def timed(label: str, spec, events, prices, repeat: int, engine: str | None = None) -> dict:
    from eventstudy.backtest.sweep import run_backtest

    n = len(spec.variants())
    t0 = time.perf_counter()
    first = run_backtest(spec, events, prices, engine=engine)
    first_s = time.perf_counter() - t0
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        res = run_backtest(spec, events, prices, engine=engine)
        times.append(time.perf_counter() - t0)
    warm = statistics.median(times)
    # Memory in a separate run: tracemalloc slows allocation-heavy code down too much to time under it.
    tracemalloc.start()
    run_backtest(spec, events, prices, engine=engine)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    info = res.info["all"]
    out = {"data": label, "engine": info["engine"], "variants": n, "events": info["events"],
           "trades": len(res.trades), "sessions": info["sessions"], "cells": info["cells"], "chunks": info["chunks"],
           "first_run_s": round(first_s, 2), "warm_s": round(warm, 2), "variants_per_s": round(n / warm),
           "warm_peak_mb": round(peak / 2**20), "rss_peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}
    del first
    return out


COLD_SNIPPET = """
import time, sys
sys.path.insert(0, {bench!r})
t0 = time.perf_counter()
import bench_backtest as B
from eventstudy.backtest.spec import StrategySpec
from eventstudy.backtest.sweep import run_backtest
t1 = time.perf_counter()
ev = B.catalog_events()
prices = B.load_prices(ev, B.RAW)
spec = StrategySpec(name="cold", exit={{"hold": 3, "stop_loss": 0.05}}, hedge={{"enabled": True}})
t2 = time.perf_counter()
for engine in ("trades", "portfolio"):
    run_backtest(spec, ev, prices, engine=engine)
t3 = time.perf_counter()
run_backtest(spec, ev, prices, engine="trades")
t4 = time.perf_counter()
print(f"{{t1 - t0:.2f}} {{t3 - t2:.2f}} {{t4 - t3:.2f}}")
"""


def cold_compile() -> dict:
    """Import and first-backtest times in a fresh process with an empty numba cache (true first compile)."""
    import os
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache, PYTHONWARNINGS="ignore")
        out = subprocess.run([sys.executable, "-c", COLD_SNIPPET.format(bench=str(Path(__file__).parent))],
                             capture_output=True, text=True, env=env, check=True).stdout.split()
    return {"import_s": float(out[0]), "first_backtests_s (compile)": float(out[1]), "same, warm_s": float(out[2])}


def fresh_process(cache: str | None = None) -> dict:
    """The same snippet in a new process on the project's numba cache (:mod:`eventstudy.numba_cache`),
    or on ``cache``; run it twice first to know the cache is warm: what a second ``backtest run`` pays."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, PYTHONWARNINGS="ignore")
    if cache:
        env["NUMBA_CACHE_DIR"] = cache
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", COLD_SNIPPET.format(bench=str(Path(__file__).parent))],
                         capture_output=True, text=True, env=env, check=True).stdout.split()
    return {"import_s": float(out[0]), "first_backtests_s": float(out[1]), "same, again_s": float(out[2]),
            "process_s": round(time.perf_counter() - t0, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pseudo-events", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--portfolio-variants", type=int, default=1000,
                        help="also time the cash-sharing portfolio engine on the first N variants (0: skip)")
    parser.add_argument("--no-cold", action="store_true", help="skip the empty-numba-cache compile measurement")
    args = parser.parse_args()
    if not args.no_cold:
        print("cold start (empty numba cache):", cold_compile(), flush=True)
    from eventstudy.numba_cache import configure_numba_cache

    cache = configure_numba_cache()
    fresh_process()  # fills the project cache if it was empty
    print(f"warm start (fresh process, numba cache {cache}):", fresh_process(), flush=True)

    t0 = time.perf_counter()
    import vectorbt  # noqa: F401

    from eventstudy.backtest.spec import StrategySpec

    print(f"import vectorbt: {time.perf_counter() - t0:.1f} s")
    spec = StrategySpec(name="bench", entry={"k": 0, "at": "open"}, exit={"hold": 5},
                        costs={"fees": 0.0005, "slippage": 0.0005}, sweep=GRID)
    assert len(spec.variants()) == 10_000
    rows = []

    def report(row: dict) -> None:
        rows.append(row)
        print(pd.DataFrame(rows).to_string(index=False), flush=True)

    cat = catalog_events()
    report(timed("catalog", spec, cat, load_prices(cat, RAW), args.repeat))
    if args.portfolio_variants:
        small = dict(GRID, stop_loss=GRID["stop_loss"][:2], take_profit=GRID["take_profit"][: max(1, args.portfolio_variants // 200)])
        pspec = spec.model_copy(update={"sweep": spec.sweep.model_copy(update=small)})
        report(timed("catalog", pspec, cat, load_prices(cat, RAW), args.repeat, engine="portfolio"))
    if UNIVERSE.is_dir() and args.pseudo_events:
        ev, folder = pseudo_events(args.pseudo_events)
        report(timed(f"pseudo-{args.pseudo_events}", spec, ev, load_prices(ev, folder), args.repeat))


if __name__ == "__main__":
    main()
