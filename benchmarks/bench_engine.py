"""Engine benchmark: vectorised event study vs a per-event statsmodels loop vs PyPI ``eventstudy`` 0.1a12.

Run as a script (it is not a test)::

    /work/venv/bin/python benchmarks/bench_engine.py                # 10k and 100k event-firm windows
    /work/venv/bin/python benchmarks/bench_engine.py --sizes 10000 --sm-sample 200

Data: daily closes of the universe files (``../shared/data/prices/universe/*.csv.gz``) plus SPY
from ``../shared/data/prices/raw/SungKyu-Kim39__BackTester39``; simple returns on SPY's sessions.
Pseudo-events: random (ticker, session) pairs whose whole span [-250, +10] has returns for the
firm and SPY (so every implementation sees identical, complete inputs).

What is timed (wall clock, best of ``--repeat`` rounds; every figure in one run on this machine;
each round runs the engine, its lean variant and the statsmodels loop once in turn, so that the
speed of a shared machine, which drifts by a third within minutes here, weighs on both sides of
every ratio alike; the 2-thread engine has rounds of its own with the statsmodels loop, and its
ratio uses the loop's time from those rounds):

* engine/core  : ``run_event_study`` (market model, windows [0,0] [0,2] [-1,1] [-5,5] [0,10])
                 plus every CAR and BHAR test on every window (GRANK, KP-adjusted Patell and the
                 LBT bootstrap included; ``CoreResult.window_tests``) and the calendar-time portfolio
                 regression on [0,10]; 'core x2' is the same with ``n_jobs=2``;
* engine/full  : ``EventStudy(returns, events).fit()`` plus ``results.tests`` (pandas in/out,
                 confounding flags, firms table);
* statsmodels  : ``eventstudy.core.reference.reference_event_study`` (one ``sm.OLS`` per event,
                 explicit forecast-error matrices) on ``--sm-sample`` events, in the same rounds as the
                 engine, extrapolated linearly;
* engine/lean  : what 0.1a12 computes (one window, CARs and a t test, no ranks), for a like-for-like ratio;
* eventstudy 0.1a12 : ``Multiple.from_list(..., Single.market_model, event_window=(-5, 10),
                 estimation_size=240, buffer_size=5)`` (the same [-250, -11] estimation window) in a
                 separate virtualenv (the package name clashes with ours), on ``--es-sample`` events,
                 extrapolated linearly. It computes ONE window and a t-test only, so the ratio
                 flatters it. Its CSV import is not timed.

Memory: tracemalloc peak of one engine/core run and the process peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import textwrap
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

from eventstudy.core.calendar_time import calendar_time_portfolio
from eventstudy.core.engine import run_event_study
from eventstudy.core.models import get_model
from eventstudy.core.reference import reference_event_study
from eventstudy.core.statistics import BHAR_TESTS, CAR_TESTS, run_tests
from eventstudy.study import EventStudy

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "data" / "prices"
UNIVERSE = SHARED / "universe"
SPY_FILE = SHARED / "raw" / "SungKyu-Kim39__BackTester39" / "SPY.csv"
WINDOWS = [(0, 0), (0, 2), (-1, 1), (-5, 5), (0, 10)]
ESTIMATION = (-250, -11)
ES_PYTHON = "/tmp/es012/bin/python"


def load_returns() -> pd.DataFrame:
    """Wide simple returns (decimal) on SPY's sessions for the universe tickers plus SPY."""
    spy = pd.read_csv(SPY_FILE, usecols=["Date", "Close"], index_col="Date", parse_dates=True)["Close"]
    closes = {"SPY": spy}
    for path in sorted(UNIVERSE.glob("*.csv.gz")):
        if path.name.endswith("_dividends.csv.gz"):
            continue
        ticker = path.name[: -len(".csv.gz")]
        frame = pd.read_csv(path, usecols=["Date", "Close"], index_col="Date", parse_dates=True)
        closes[ticker] = frame["Close"][~frame.index.duplicated()]
    wide = pd.DataFrame(closes).reindex(spy.index)
    return wide.pct_change(fill_method=None).iloc[1:]


def pseudo_events(returns: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
    """n random (ticker, session) events with complete returns for the firm and SPY over [-250, +10]."""
    values = returns.to_numpy()
    lo, hi = ESTIMATION[0], max(b for _, b in WINDOWS)
    span = hi - lo + 1
    finite = np.isfinite(values) & np.isfinite(values[:, [returns.columns.get_loc("SPY")]])
    csum = np.vstack([np.zeros((1, values.shape[1])), np.cumsum(finite, axis=0)])
    # complete[t, j]: rows t+lo .. t+hi all finite
    t = np.arange(-lo, values.shape[0] - hi)
    complete = (csum[t + hi + 1] - csum[t + lo]) == span
    complete[:, returns.columns.get_loc("SPY")] = False
    rows, cols = np.nonzero(complete)
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(rows), size=n, replace=len(rows) < n)
    day0 = t[rows[pick]]
    return pd.DataFrame({
        "event_id": [f"pe{i:06d}" for i in range(n)],
        "ticker": returns.columns[cols[pick]].astype(str),
        "announced": returns.index[day0],
        "timing": "pre-open",
        "role": np.where(rng.random(n) < 0.5, "supplier", "customer"),
    })


def best_of(fn, repeat: int) -> tuple[float, object]:
    """Best wall-clock time of ``repeat`` calls (and the last output)."""
    times, outs = interleaved({"fn": fn}, repeat)
    return times["fn"], outs["fn"]


def interleaved(fns: dict, repeat: int) -> tuple[dict, dict]:
    """Best wall-clock time (and last-round output) of each function, over ``repeat`` rounds that
    call each once in turn: on a shared machine whose speed drifts, every figure of a ratio then
    sees the same moments. Outputs of earlier rounds are dropped at once (an engine result holds
    ~0.7 GB at 100k windows; keeping several would time the allocator, not the engine)."""
    best = {k: np.inf for k in fns}
    outs = {}
    for r in range(repeat):
        for k, fn in fns.items():
            t0 = time.perf_counter()
            out = fn()
            best[k] = min(best[k], time.perf_counter() - t0)
            if r == repeat - 1:
                outs[k] = out
            del out
    return best, outs


def cpu_of(fn) -> float:
    """Process CPU seconds of one call: on a shared machine, what the run itself cost."""
    t0 = time.process_time()
    fn()
    return time.process_time() - t0


def core_inputs(returns: pd.DataFrame, events: pd.DataFrame):
    values = returns.to_numpy()
    day0 = returns.index.get_indexer(pd.DatetimeIndex(events["announced"]))
    cols = returns.columns.get_indexer(events["ticker"])
    spy = values[:, [returns.columns.get_loc("SPY")]]
    return values, day0, cols, spy


def engine_core(values, day0, cols, spy, n_jobs=1):
    core = run_event_study(
        get_model("market"), values, day0, cols, windows=WINDOWS, estimation=ESTIMATION,
        min_estimation_obs=100, bench=spy, bcol=np.zeros(len(day0), dtype=np.intp), n_jobs=n_jobs,
    )
    tests = core.window_tests()  # every test of every window and measure, on the run's threads
    tests.append(calendar_time_portfolio(values, day0, cols, (0, 10), factors=spy, hac_lags=5))
    return core, tests


def engine_lean(values, day0, cols, spy):
    """What eventstudy 0.1a12 computes: market model, one window [-5, 10], CARs and a t test."""
    core = run_event_study(
        get_model("market"), values, day0, cols, windows=[(-5, 10)], estimation=ESTIMATION,
        min_estimation_obs=100, bench=spy, bcol=np.zeros(len(day0), dtype=np.intp), ranks=False,
    )
    return core, run_tests(core.panel(0), "CAR", ["t-cs"])


def run_es012(returns: pd.DataFrame, events: pd.DataFrame, python: str) -> dict:
    """Time PyPI eventstudy 0.1a12 in its own interpreter on the same events."""
    tickers = sorted(set(events["ticker"]) | {"SPY"})
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "returns.csv"
        frame = returns[tickers].copy()
        frame.index = frame.index.strftime("%Y-%m-%d")
        frame.index.name = "date"
        frame.to_csv(csv)
        ev = [{"security_ticker": t, "market_ticker": "SPY", "event_date": str(d.date())}
              for t, d in zip(events["ticker"], pd.DatetimeIndex(events["announced"]))]
        (Path(tmp) / "events.json").write_text(json.dumps(ev))
        script = textwrap.dedent(f"""
            import json, time, warnings
            import numpy as np
            import eventstudy as es
            warnings.simplefilter("ignore")
            es.Single.import_returns({str(csv)!r})
            ev = json.load(open({str(Path(tmp) / 'events.json')!r}))
            for e in ev:
                e["event_date"] = np.datetime64(e["event_date"])
            t0 = time.perf_counter()
            agg = es.Multiple.from_list(ev, es.Single.market_model, event_window=(-5, 10),
                                        estimation_size=240, buffer_size=5)
            res = agg.results()
            dt = time.perf_counter() - t0
            print(json.dumps({{"seconds": dt, "n": len(agg.sample), "errors": len(agg.errors),
                               "ar_first": [list(map(float, s.AR)) for s in agg.sample[:20]]}}))
        """)
        # cwd outside the repo: "python -c" puts the cwd first on sys.path and ours is also "eventstudy"
        # and PYTHONPATH (set to a worktree when developing) would put ours first too
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        out = subprocess.run([python, "-c", script], capture_output=True, text=True, cwd=tmp, env=env)
        if out.returncode:
            raise RuntimeError(f"eventstudy 0.1a12 run failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--sm-sample", type=int, default=400, help="events timed in the statsmodels loop")
    ap.add_argument("--es-sample", type=int, default=400, help="events timed in eventstudy 0.1a12")
    ap.add_argument("--es-python", default=ES_PYTHON, help="interpreter of the virtualenv holding eventstudy==0.1a12")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=2025)
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    returns = load_returns()
    print(f"loaded {returns.shape[1]} tickers x {returns.shape[0]} sessions in {time.perf_counter() - t0:.1f} s "
          f"({returns.index[0].date()} .. {returns.index[-1].date()})")
    # warm-up: numba compilation (cached on disk after the first run) and imports
    engine_core(*core_inputs(returns, pseudo_events(returns, 50, args.seed)))

    rows = []
    for n in args.sizes:
        events = pseudo_events(returns, n, args.seed)
        inputs = core_inputs(returns, events)
        sub = events.iloc[: min(args.sm_sample, n)]
        sub_in = core_inputs(returns, sub)

        def loop():
            return reference_event_study(
                get_model("market"), sub_in[0], sub_in[1], sub_in[2], windows=WINDOWS, estimation=ESTIMATION,
                bench=sub_in[3], bcol=np.zeros(len(sub), dtype=np.intp))

        engine_core(*inputs)  # first touch of this size's memory, not timed
        times, outs = interleaved({
            "core": lambda: engine_core(*inputs), "lean": lambda: engine_lean(*inputs), "sm": loop,
        }, args.repeat)
        # Two threads in rounds of their own (still alternating with the reference): each thread
        # allocates from its own malloc arena, so a 2-thread run right after a 1-thread one
        # faults in ~0.5 GB of fresh pages that no single-mode run (a user's) would.
        engine_core(*inputs, n_jobs=2)
        times2, _ = interleaved({"core2": lambda: engine_core(*inputs, n_jobs=2), "sm": loop}, args.repeat)
        t_core, t_core2, t_lean, t_sm, t_sm2 = times["core"], times2["core2"], times["lean"], times["sm"], times2["sm"]
        core, ref = outs["core"][0], outs["sm"]
        assert core.ok.all(), "pseudo-events are complete by construction"
        c_core = cpu_of(lambda: engine_core(*inputs))

        def full():
            res = EventStudy(returns, events).fit(estimation=ESTIMATION, windows=WINDOWS)
            return res.tests

        t_full, _ = best_of(full, max(1, args.repeat - 1))

        tracemalloc.start()
        engine_core(*inputs)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()

        t_sm_all = t_sm / len(sub) * n
        t_sm2_all = t_sm2 / len(sub) * n
        union = core.fit.rows(min(a for a, _ in WINDOWS), max(b for _, b in WINDOWS))  # the reference's rows
        agree = float(np.nanmax(np.abs(ref.ar - core.fit.ar[union][:, : len(sub)])))

        es = None
        if Path(args.es_python).exists():
            es_sub = events.iloc[: min(args.es_sample, n)]
            runs = []
            for _ in range(args.repeat):  # alternating with the engine's lean run, like the other ratios
                runs.append(run_es012(returns, es_sub, args.es_python))
                t_lean = min(t_lean, best_of(lambda: engine_lean(*inputs), 1)[0])
            es = min(runs, key=lambda r: r["seconds"])
            es["all"] = es["seconds"] / es["n"] * n
            es["agree"] = float(np.max(np.abs(np.array(es["ar_first"]) - core.fit.ar[union][:, : len(es["ar_first"])].T)))
        rows.append((n, t_core, t_core2, t_full, peak, t_sm, len(sub), t_sm_all, agree, es, c_core, t_lean, t_sm2_all))

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nmachine: {len(os.sched_getaffinity(0))} cores, load average {load} (other jobs share the cores)")
    print(f"market model, 5 windows, {len(CAR_TESTS)} CAR tests + {len(BHAR_TESTS)} BHAR tests per window and a "
          "calendar-time regression; times are wall-clock seconds\n")
    print("ratios: reference time / engine/core time on 1 thread ('ratio') and with n_jobs=2 ('x2'); "
          "each time is the best of rounds that alternate the engine and its reference\n")
    head = (f"{'windows':>8} {'core':>8} {'core cpu':>8} {'core x2':>8} {'full':>8} {'statsmodels':>12} {'ratio':>6} "
            f"{'x2':>5} {'es 0.1a12':>10} {'ratio':>6} {'peak MB':>8}")
    print(head)
    print("-" * len(head))
    for n, t_core, t_core2, t_full, peak, t_sm, n_sm, t_sm_all, agree, es, c_core, t_lean, t_sm2_all in rows:
        es_txt = f"{es['all']:10.1f} {es['all'] / t_core:6.0f}" if es else f"{'n/a':>10} {'':>6}"
        print(f"{n:>8} {t_core:8.3f} {c_core:8.3f} {t_core2:8.3f} {t_full:8.3f} {t_sm_all:12.1f} {t_sm_all / t_core:6.0f} "
              f"{t_sm2_all / t_core2:5.0f} {es_txt} {peak / 2**20:8.0f}")
    print()
    for n, t_core, t_core2, t_full, peak, t_sm, n_sm, t_sm_all, agree, es, c_core, t_lean, t_sm2_all in rows:
        print(f"{n}: statsmodels loop measured on {n_sm} events in {t_sm:.2f} s ({t_sm / n_sm * 1e3:.2f} ms/event), "
              f"extrapolated x{n / n_sm:.0f}; in the 2-thread rounds {t_sm2_all / n * 1e3:.2f} ms/event; "
              f"max |AR engine - statsmodels| = {agree:.1e}")
        if es:
            print(f"{n}: eventstudy 0.1a12 measured on {es['n']} events ({es['errors']} errors) in {es['seconds']:.2f} s "
                  f"({es['seconds'] / es['n'] * 1e3:.2f} ms/event), extrapolated; max |AR engine - 0.1a12| = {es['agree']:.1e}")
        print(f"{n}: engine/core {n / t_core:,.0f} event-firm windows per second; full pandas path {t_full:.2f} s")
        if es:
            print(f"{n}: like for like with 0.1a12 (one window [-5,10], CAR + t test, no ranks): engine {t_lean:.3f} s, "
                  f"ratio {es['all'] / t_lean:.0f}x")
    print(f"\nprocess peak RSS {rss:.0f} MB (includes the loaded universe and the pandas path)")


if __name__ == "__main__":
    sys.exit(main())
