"""Backtest jobs: strategy specs against the catalog and prices in the database.

* :func:`load_backtest_inputs` gives ``(events, prices, missing)``: tickers without any stored
  price are left out (``missing``) and their event-firms become skipped rows of the run, the way
  the event study leaves out firms without returns;
* :func:`run_backtest_job` = load + check the spec against the data + run (+ store), in this
  process or fanned out on Dask (``executor``);
* :func:`tonight_orders` (see :mod:`eventstudy.backtest.orders`): the orders each spec would place
  for events whose entry falls after the last priced session.

None of them prints; the CLI and the nightly pipeline report ``missing`` and the variants' notes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

import pandas as pd

from ..db import Engine
from ..exceptions import DataError

if TYPE_CHECKING:
    from ..backtest.data import PriceData
    from ..backtest.spec import StrategySpec
    from ..backtest.sweep import BacktestResult


@dataclass
class BacktestRun:
    """One finished backtest job: the result, the prices it used, the unpriced tickers and the stored run id."""

    result: "BacktestResult"
    prices: "PriceData"
    missing: list[str]
    run_id: int | None = None

    def warnings(self) -> list[str]:
        """See :func:`backtest_warnings`."""
        return backtest_warnings(self.result)


def backtest_warnings(result: "BacktestResult") -> list[str]:
    """One line per thing a trader must know: unpriced tickers (named), variants that cannot trade (why)."""
    lines = []
    if result.missing:
        skipped = result.skipped
        n = int(skipped["ticker"].isin(result.missing).sum()) if len(skipped) else 0
        lines.append(f"no prices for {', '.join(result.missing)}: {n} event-firm(s) left out "
                     f"(listed in the skipped table; load them with 'eventstudy prices ingest --tickers "
                     f"{','.join(result.missing)}')")
    res = result.results
    if "note" in res:
        for sample, rows in res.groupby("sample", sort=False):
            bad = rows.loc[rows["note"] != ""]
            if len(bad):
                why = "; ".join(f"{note} ({n})" for note, n in bad["note"].value_counts().items())
                where = "" if sample == "all" else f" ({sample} sample)"
                lines.append(f"{len(bad)} of {len(rows)} variant(s) cannot trade{where}: {why}")
    return lines


def load_backtest_inputs(engine: Engine, spec: "StrategySpec") -> tuple[pd.DataFrame, "PriceData", list[str]]:
    """Catalog events (one row per event x listed party), OHLC of every ticker ``spec`` needs, and the
    needed tickers with no stored price at all.

    Raises
    ------
    DataError
        No events in the database, or not one needed ticker has prices (named, with the fix).
    """
    from ..backtest.data import load_events, load_price_data
    from ..backtest.sweep import required_tickers

    events = load_events(engine)
    if events.empty:
        raise DataError("no events in the database: load the catalog first ('eventstudy events load')")
    prices, missing = load_price_data(engine, required_tickers(spec, events))
    return events, prices, missing


def run_backtest_job(engine: Engine, spec: "StrategySpec", *, store: bool = True,
                     progress: Callable[[int, int], None] | None = None, max_cells: int | None = None,
                     executor: str | None = None) -> BacktestRun:
    """Run every variant of ``spec`` on the database's events and prices (and store it when ``store``).

    ``executor``: where the variants run, ``local`` (default), ``dask`` (a local Dask cluster) or
    ``dask://HOST:PORT`` (see :mod:`eventstudy.backtest.executors`); the result is the same.

    Raises
    ------
    ConfigError
        ``k`` or ``hold`` reach beyond the stored sessions (named at their line in the spec file).
    DataError
        See :func:`load_backtest_inputs`.
    """
    from ..backtest.engine import DEFAULT_MAX_CELLS
    from ..backtest.executors import check_executor, open_executor
    from ..backtest.spec import check_against_sessions
    from ..backtest.sweep import run_backtest

    executor = check_executor(executor)
    events, prices, missing = load_backtest_inputs(engine, spec)
    check_against_sessions(spec, len(prices.sessions))
    with open_executor(executor) as simulate_fn:
        result = run_backtest(spec, events, prices, progress=progress, max_cells=max_cells or DEFAULT_MAX_CELLS,
                              simulate_fn=simulate_fn)
    result.missing = missing
    run_id = None
    if store:
        from ..db.backtests import save_result

        run_id = save_result(engine, result)
    return BacktestRun(result, prices, missing, run_id)


def tonight_orders(engine: Engine, specs: "list[StrategySpec]", *, asof=None) -> tuple[pd.DataFrame, list[str]]:
    """Orders each spec would place for catalog events whose entry falls after ``asof`` (default: the
    last priced session of the tickers the spec needs), one frame for all specs
    (:data:`eventstudy.backtest.orders.ORDER_COLUMNS`), and the needed tickers without prices.
    """
    from ..backtest.orders import ORDER_COLUMNS, pending_orders

    frames, missing = [], []
    for spec in specs:
        events, prices, lacking = load_backtest_inputs(engine, spec)
        missing += [t for t in lacking if t not in missing]
        frames.append(pending_orders(spec, events, prices, asof=asof))
    frames = [f for f in frames if len(f)]
    return (pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=ORDER_COLUMNS)), missing


def orders_per_spec(engine: Engine, paths) -> tuple[pd.DataFrame, dict[str, str]]:
    """Tonight's orders of each strategy file in ``paths`` (see :func:`tonight_orders`), and per file
    that could not be read or run the one-line reason (one bad spec does not stop the others)."""
    from ..backtest import load_spec
    from ..backtest.orders import ORDER_COLUMNS
    from ..exceptions import EventStudyError

    frames, errors = [], {}
    for path in paths:
        try:
            frames.append(tonight_orders(engine, [load_spec(path)])[0])
        except EventStudyError as exc:
            errors[str(path)] = str(exc).splitlines()[-1]
    frames = [f for f in frames if len(f)]
    return (pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=ORDER_COLUMNS)), errors


def orders_markdown(orders: pd.DataFrame, errors: dict[str, str]) -> list[str]:
    """Markdown lines of tonight's orders for the nightly summary."""
    lines = ["## Tonight's orders (events whose entry falls after the last priced session)", ""]
    if len(orders):
        lines += ["| strategy | event | ticker | side | session | notional | stop | target | hedge | note |",
                  "|---|---|---|---|---|---:|---:|---:|---|---|"]
        pct = lambda v: "" if pd.isna(v) else f"{100 * v:.1f} %"  # noqa: E731
        for o in orders.to_dict(orient="records"):
            hedge = (f"{o['hedge_side']} {o['hedge_notional']:.0f} {o['hedge_ticker']}"
                     if isinstance(o["hedge_ticker"], str) and pd.notna(o["hedge_notional"]) else "")
            lines.append(f"| {o['strategy']} | {o['event_id']} | {o['ticker']} | {o['side']} | {o['session']} {o['at']} "
                         f"| {o['notional']:.0f} | {pct(o['stop_loss'])} | {pct(o['take_profit'])} | {hedge} | {o['note']} |")
    else:
        lines.append("- none")
    lines += [f"- {path}: no orders ({why})" for path, why in errors.items()]
    return lines
