"""Where a sweep's variants run: in this process (``local``) or fanned out on Dask (``dask``).

An executor is a function with the signature of :func:`eventstudy.backtest.engine.simulate`;
:func:`eventstudy.backtest.sweep.run_backtest` takes one as ``simulate_fn``.  The Dask one splits
the variant list into contiguous chunks, runs :func:`~eventstudy.backtest.engine.simulate` on each
chunk on a ``distributed`` cluster and joins the pieces in the original variant order, so the
result equals the single-process run: a variant's figures do not depend on the other variants of
its run, only on the sessions the run spans, and every piece is brought to the whole run's span.

Executor names (``--executor`` on ``eventstudy backtest run``, ``[backtests] executor`` in the
pipeline config): ``local``; ``dask`` (a ``distributed.LocalCluster`` on this machine, one worker
process per core); ``dask://HOST:PORT`` (the scheduler of an existing cluster).

Workers load vectorbt's compiled kernels from the project's numba cache
(:mod:`eventstudy.numba_cache`): local worker processes inherit ``NUMBA_CACHE_DIR``; remote ones
set it when they first import :mod:`eventstudy.backtest` (which is what running a task does).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pandas as pd

from ..exceptions import ConfigError

if TYPE_CHECKING:  # the engine (vectorbt) loads only when a sweep runs: checking a name stays cheap
    from .data import PriceData
    from .engine import SimResult
    from .spec import StrategySpec

LOCAL = "local"
DASK = "dask"
_DASK_URL = "dask://"

Simulate = Callable[..., "SimResult"]


def check_executor(name: str | None, where: str = "--executor") -> str:
    """The executor name, checked: ``local``, ``dask`` or ``dask://HOST:PORT``.

    Raises
    ------
    ConfigError
        Anything else, naming ``where`` (the option or config key).
    """
    name = (name or LOCAL).strip()
    if name in (LOCAL, DASK):
        return name
    if name.startswith(_DASK_URL):
        host, _, port = name[len(_DASK_URL):].rpartition(":")
        if host and port.isdigit():
            return name
    raise ConfigError(f"{where}: {name!r} is not an executor (expected local, dask or dask://HOST:PORT)")


@contextmanager
def open_executor(name: str | None = None, *, n_workers: int | None = None) -> Iterator[Simulate | None]:
    """Yield the ``simulate_fn`` for ``name`` (``None`` for ``local``: the plain in-process engine).

    ``dask`` starts a ``LocalCluster`` (``n_workers`` processes, default one per core) and closes it
    on exit; ``dask://HOST:PORT`` connects to that scheduler (and leaves the cluster running).
    """
    name = check_executor(name)
    if name == LOCAL:
        yield None
        return
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ConfigError("the dask executor needs dask and distributed: pip install 'eventstudy[dask]'") from None
    if name == DASK:
        with _quiet_cluster_logs(), \
                LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
                Client(cluster) as client:
            yield DaskSimulate(client)
    else:
        address = "tcp://" + name[len(_DASK_URL):]
        try:
            client = Client(address, timeout="10s")
        except OSError as exc:
            raise ConfigError(f"--executor: cannot reach the Dask scheduler at {address}: {exc}") from None
        with client:
            yield DaskSimulate(client)


@contextmanager
def _quiet_cluster_logs() -> Iterator[None]:
    """A command's own cluster logs only problems: not its start-up chatter (INFO), nor the nanny's
    note that it stopped a worker at shutdown (the run is over by then)."""
    import logging

    levels = {name: logging.getLogger(name).level for name in ("distributed", "distributed.nanny")}
    logging.getLogger("distributed").setLevel(logging.WARNING)
    logging.getLogger("distributed.nanny").setLevel(logging.ERROR)
    try:
        yield
    finally:
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


def _run_chunk(spec: "StrategySpec", events: pd.DataFrame, prices: "PriceData", variants: list[dict],
               kwargs: dict) -> "SimResult":
    """One chunk on a worker (module level: Dask pickles it by reference)."""
    from .engine import simulate

    return simulate(spec, events, prices, variants, **kwargs)


class DaskSimulate:
    """:func:`~eventstudy.backtest.engine.simulate` with the variants fanned out on a Dask ``Client``.

    ``chunks``: pieces per call (default: twice the cluster's worker threads, at most one per variant).
    """

    def __init__(self, client, chunks: int | None = None):
        self.client = client
        self.chunks = chunks
        self._sent: tuple | None = None  # (prices, its future): one copy per cluster for repeated calls

    def _scatter(self, events: pd.DataFrame, prices: "PriceData"):
        # Unique keys (hash=False): a later call scattering equal data must not race the release of
        # an earlier one.  The prices (the large part) go out once for all calls with the same object.
        if self._sent is None or self._sent[0] is not prices:
            self._sent = (prices, self.client.scatter(prices, broadcast=True, hash=False))
        return self.client.scatter(events, broadcast=True, hash=False), self._sent[1]

    def _n_chunks(self, n_variants: int) -> int:
        threads = sum(self.client.nthreads().values()) or 1
        return max(1, min(n_variants, self.chunks or 2 * threads))

    def __call__(self, spec: "StrategySpec", events: pd.DataFrame, prices: "PriceData", variants: list[dict] | None = None,
                 *, max_cells: int | None = None, engine: str | None = None, keep_trades: bool = True,
                 progress: Callable[[int, int], None] | None = None) -> "SimResult":
        from distributed import as_completed

        from .engine import DEFAULT_MAX_CELLS

        max_cells = max_cells or DEFAULT_MAX_CELLS
        variants = spec.variants() if variants is None else variants
        n = len(variants)
        size = math.ceil(n / self._n_chunks(n)) if n else 1
        bounds = [(i, min(i + size, n)) for i in range(0, n, size)] or [(0, 0)]
        kwargs = dict(max_cells=max_cells, engine=engine, keep_trades=keep_trades)
        ev, px = self._scatter(events, prices)
        futures = {self.client.submit(_run_chunk, spec, ev, px, variants[a:b], kwargs, pure=False): (a, b) for a, b in bounds}
        pieces: dict[tuple[int, int], "SimResult"] = {}
        done = 0
        for future in as_completed(futures):
            a, b = futures[future]
            pieces[(a, b)] = future.result()
            done += b - a
            if progress is not None:
                progress(done, n)
        ordered = [(a, pieces[(a, b)]) for a, b in bounds]
        window = self._window(ordered, prices)
        # A piece narrower than the run whose variants may lack planned trades measured those variants
        # over its own span; run it again beside the variants that fix the run's first and last session.
        anchors = self._anchors(ordered, window)
        again = {}
        for a, piece in ordered:
            if self._needs_anchors(piece, window):
                extra = [v for v in anchors if not a <= v < a + len(piece.metrics)]
                chunk = [variants[v] for v in range(a, a + len(piece.metrics))] + [variants[v] for v in extra]
                again[a] = (self.client.submit(_run_chunk, spec, ev, px, chunk, kwargs, pure=False), len(piece.metrics))
        for a, (future, m) in again.items():
            ordered = [(s, _head(future.result(), m) if s == a else p) for s, p in ordered]
        return _join(ordered, window, spec.capital)

    @staticmethod
    def _window(ordered: list[tuple[int, "SimResult"]], prices: "PriceData") -> pd.DatetimeIndex:
        """Sessions of the whole run: the union of the windows of the pieces with planned trades."""
        spans = [p.equity.index for _, p in ordered if len(p.equity.index) and _planned(p).any()]
        if not spans:
            return ordered[0][1].equity.index
        first, last = min(s[0] for s in spans), max(s[-1] for s in spans)
        return prices.sessions[(prices.sessions >= first) & (prices.sessions <= last)]

    @staticmethod
    def _anchors(ordered: list[tuple[int, "SimResult"]], window: pd.DatetimeIndex) -> list[int]:
        """Global ids of planned variants whose spans start at the window's first session / end at its last."""
        out = []
        for edge, col in ((window[0], "span_start"), (window[-1], "span_end")):
            for a, p in ordered:
                hit = p.metrics.loc[_planned(p) & (p.metrics[col] == edge), "variant"]
                if len(hit):
                    out.append(a + int(hit.iloc[0]))
                    break
        return list(dict.fromkeys(out))

    @staticmethod
    def _needs_anchors(piece: "SimResult", window: pd.DatetimeIndex) -> bool:
        return not piece.equity.index.equals(window) and bool((~_planned(piece)).any())


def _planned(piece: "SimResult") -> pd.Series:
    """Variants of a piece known to have planned trades: a filled trade, a span inside the piece's
    window, or no "why empty" note (the engine notes a variant without planned trades, and
    "no entry filled" one whose planned entries all failed)."""
    m = piece.metrics
    idx = piece.equity.index
    inside = (m["span_start"] != idx[0]) | (m["span_end"] != idx[-1]) if len(idx) else False
    return (m["trades"] > 0) | inside | m["note"].isin(["", "no entry filled"])


def _head(sim: "SimResult", m: int) -> "SimResult":
    """The first ``m`` variants of a piece run with anchor variants appended."""
    from .engine import SimResult

    t = sim.trades
    trades = t.loc[t["variant"] < m].reset_index(drop=True) if len(t) else t
    # Benchmarks and skipped rows of the anchors also belong to their own pieces: the join drops repeats.
    return SimResult(sim.metrics.loc[sim.metrics["variant"] < m].reset_index(drop=True), trades, sim.equity.iloc[:, :m],
                     sim.benchmarks, sim.skipped, sim.info)


def _join(ordered: list[tuple[int, "SimResult"]], window: pd.DatetimeIndex, capital: float) -> "SimResult":
    """The pieces as one run over ``window``, variants renumbered from each piece's offset."""
    from .engine import SimResult

    metrics, trades, equity, bench, skipped = [], [], [], [], []
    for a, p in ordered:
        metrics.append(p.metrics.assign(variant=p.metrics["variant"] + a))
        if len(p.trades):
            trades.append(p.trades.assign(variant=p.trades["variant"] + a))
        # Before a piece's first session nothing is held (value = capital); after its last exit the value stays.
        eq = p.equity.reindex(window).ffill()
        equity.append(eq.fillna(capital) if len(eq) else eq)
        bench.append(p.benchmarks)
        skipped.append(p.skipped)
    nonempty = lambda frames: [f for f in frames if len(f)]  # noqa: E731
    skipped_frame = pd.concat(nonempty(skipped), ignore_index=True).drop_duplicates(ignore_index=True) if nonempty(skipped) else pd.DataFrame()
    bench_frame = (pd.concat(nonempty(bench), ignore_index=True).drop_duplicates(ignore_index=True) if nonempty(bench)
                   else ordered[0][1].benchmarks)
    info = dict(ordered[0][1].info)
    info.update(start=window[0].date() if len(window) else None, end=window[-1].date() if len(window) else None,
                sessions=len(window), chunks=sum(p.info.get("chunks", 1) for _, p in ordered),
                cells=sum(p.info.get("cells", 0) for _, p in ordered), lanes=sum(p.info.get("lanes", 0) for _, p in ordered),
                variants=sum(len(p.metrics) for _, p in ordered), pieces=len(ordered))
    return SimResult(pd.concat(metrics, ignore_index=True).reset_index(drop=True),
                     pd.concat(trades, ignore_index=True) if trades else ordered[0][1].trades,
                     pd.concat(equity, axis=1) if equity else pd.DataFrame(index=window),
                     bench_frame, skipped_frame, info)
