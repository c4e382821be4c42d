"""Backtest start-up and sweep throughput: 10,000 variants over the catalog events and over pseudo-events.

Run: ``python benchmarks/bench_backtest.py [--no-cold] [--pseudo-events 300] [--portfolio-variants 1000]``

Start-up: ``eventstudy backtest run`` of a small spec end to end in a fresh process, with an
empty numba cache (cold) and with the project's shared cache (warm; goal <= 3 s), and the first
compile of the large-grid kernels into an empty cache.  Then, per data set: the first run in this
process, the warm run (median of ``--repeat``), variants per second, and peak memory of the warm
run (tracemalloc: Python and numpy allocations) plus the process's peak RSS.  Goal from the
issue: 10k variants x 300 pseudo-events <= 4 s warm on 2 cores, memory bounded (``max_cells``
per chunk).  The ``portfolio`` row is vectorbt's cash-sharing simulation (the reference engine).

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


SMALL_SPEC = """name: small
universe: {tickers: [AMD, NVDA, ORCL, INTC, AVGO, SPY]}
entry: {k: 0, at: open}
exit: {hold: 3, stop_loss: 0.05}
costs: {fees: 0.0005, slippage: 0.0005}
"""
SMALL_TICKERS = "AMD,NVDA,ORCL,INTC,AVGO,SPY"


def _cli(args: list[str], env: dict) -> float:
    """Wall seconds of one ``eventstudy`` command in a fresh process (fails loudly if it fails)."""
    import subprocess
    import sys

    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "from eventstudy.cli import main; main()", *args], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - t0


def start_up(repeat: int) -> dict:
    """``eventstudy backtest run`` of a small spec end to end (fresh process: imports, database,
    backtest, table), on a temporary SQLite database holding the catalog and the spec's prices.

    ``cold``: empty numba cache (``NUMBA_CACHE_DIR`` a new folder); ``warm``: the project cache
    (:mod:`eventstudy.numba_cache`) after one run, median of ``repeat``.  Also the large-grid
    kernels' first compile into an empty cache (a 10k-variant sweep's first run pays it once).
    """
    import os
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{tmp}/bench.db"
        spec = Path(tmp) / "small.yaml"
        spec.write_text(SMALL_SPEC, encoding="utf-8")
        env = dict(os.environ, PYTHONWARNINGS="ignore")
        _cli(["--db", db, "events", "load", "--catalog", str(REPO / "events")], env)
        _cli(["--db", db, "prices", "ingest", "--prices", f"files:{RAW}", "--tickers", SMALL_TICKERS], env)
        run = ["--db", db, "backtest", "run", str(spec), "--no-progress", "--no-store"]
        cold_env = dict(env, NUMBA_CACHE_DIR=str(Path(tmp) / "numba-empty"))
        cold = _cli(run, cold_env)
        _cli(run, env)  # fills the project cache if needed
        warm = statistics.median(_cli(run, env) for _ in range(repeat))
        empty = dict(env, NUMBA_CACHE_DIR=str(Path(tmp) / "numba-empty-2"))
        compile_s = subprocess.run([sys.executable, "-c", COMPILE_SNIPPET.format(bench=str(Path(__file__).parent))],
                                   env=empty, check=True, capture_output=True, text=True).stdout.split()
    return {"cold_s": round(cold, 2), "warm_s": round(warm, 2), "large-grid kernels compile_s": float(compile_s[0]),
            "same, warm_s": float(compile_s[1])}


COMPILE_SNIPPET = """
import sys, time
sys.path.insert(0, {bench!r})
import bench_backtest as B
from eventstudy.backtest.spec import StrategySpec
from eventstudy.backtest.sweep import run_backtest
ev = B.catalog_events()
prices = B.load_prices(ev, B.RAW)
import eventstudy.backtest.trade_kernels as K
K.COMPILE_ABOVE = 0  # compile every kernel, as a large grid does
spec = StrategySpec(name="compile", exit={{"hold": 3}}, hedge={{"enabled": True}},
                    sweep={{"k": [0, 1, 2, 3, 4], "hold": [1, 3, 5, 10], "stop_loss": [None, 0.05, 0.1],
                           "take_profit": [None, 0.1]}})
t0 = time.perf_counter()
run_backtest(spec, ev, prices)
t1 = time.perf_counter()
run_backtest(spec, ev, prices)
print(f"{{t1 - t0:.2f}} {{time.perf_counter() - t1:.2f}}")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pseudo-events", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--portfolio-variants", type=int, default=1000,
                        help="also time the cash-sharing portfolio engine on the first N variants (0: skip)")
    parser.add_argument("--no-cold", action="store_true", help="skip the start-up measurements")
    args = parser.parse_args()
    if not args.no_cold:
        print("start-up, eventstudy backtest run of a small spec (fresh process):", start_up(args.repeat), flush=True)

    t0 = time.perf_counter()
    import vectorbt  # noqa: F401  (the portfolio engine's; the trades engine runs without it)

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
