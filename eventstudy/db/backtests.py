"""Store backtests in the database and read them back (one transaction per run: all or nothing).

Every variant's metrics are stored; trades only for the ``trades_top`` best variants of each sample
plus the out-of-sample pick (a 10,000-variant sweep would otherwise write millions of rows).
Walk-forward runs also store their folds, the stitched record and its trades (sample ``wf``).
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import Engine, delete, func, select

from ..clock import utcnow
from ..jsonable import scalar_or_none
from .backtest_tables import backtest_folds, backtest_results, backtest_runs, backtest_trades, backtest_walk_forward
from ..exceptions import UsageError
from ..backtest.spec import StrategySpec

if TYPE_CHECKING:
    from ..backtest.sweep import BacktestResult

RESULT_COLUMNS = [c.name for c in backtest_results.columns if c.name != "run_id"]
FOLD_COLUMNS = [c.name for c in backtest_folds.columns if c.name != "run_id"]
TRADE_COLUMNS = [c.name for c in backtest_trades.columns if c.name != "run_id"]


def _clean(value):
    """A driver value: Timestamps -> dates (trade sessions), else :func:`eventstudy.jsonable.scalar_or_none`."""
    return value.date() if isinstance(value, pd.Timestamp) else scalar_or_none(value)


def _rows(frame: pd.DataFrame, columns: list[str], run_id: int) -> list[dict]:
    records = frame[columns].to_dict(orient="records")
    return [{"run_id": run_id, **{k: _clean(v) for k, v in r.items()}} for r in records]


def save_result(engine: Engine, result: "BacktestResult", *, trades_top: int = 20) -> int:
    """Insert ``result`` (run, every variant's metrics, trades of the best ``trades_top``); return the run id."""
    spec_json = result.spec.to_json()
    res = result.results.copy()
    res["trades"] = res["trades"].fillna(0).astype(int)
    keep = res.loc[(res["rank"] <= trades_top) | res["selected"], ["sample", "variant"]]
    trades = result.trades
    wf = result.walk_forward
    if wf is not None and len(trades):  # every stitched trade is kept
        keep = pd.concat([keep, trades.loc[trades["sample"] == "wf", ["sample", "variant"]].drop_duplicates()])
    if len(trades):
        trades = trades.merge(keep, on=["sample", "variant"], how="inner")
        trades = trades.sort_values(["sample", "variant", "entry_date", "ticker"]).reset_index(drop=True)
        trades["trade_no"] = trades.groupby(["sample", "variant"]).cumcount()
        trades = trades.rename(columns={"return": "trade_return"})
    span = [i for i in result.info.values() if i.get("start")]
    run = {
        "name": result.spec.name,
        "created_at": utcnow(),
        "spec_json": spec_json,
        "spec_hash": hashlib.sha256(spec_json.encode()).hexdigest(),
        "rank_by": result.spec.rank_by,
        "oos_split": result.spec.oos.split if result.spec.oos else None,
        "span_start": min(i["start"] for i in span) if span else None,
        "span_end": max(i["end"] for i in span) if span else None,
        "n_variants": int(res["variant"].nunique()),
        "n_events": int(sum(i.get("events", 0) for i in result.info.values())),
        "n_trades": int(len(result.trades)),
        "best_variant": result.best_variant() if len(res) else None,
    }
    with engine.begin() as conn:
        run_id = conn.execute(backtest_runs.insert().values(**run).returning(backtest_runs.c.run_id)).scalar_one()
        conn.execute(backtest_results.insert(), _rows(res, RESULT_COLUMNS, run_id))
        if len(trades):
            conn.execute(backtest_trades.insert(), _rows(trades, TRADE_COLUMNS, run_id))
        if wf is not None:
            spec_wf = result.spec.oos.walk_forward
            stitched = {c.name: _clean(wf.stitched.get(c.name)) for c in backtest_walk_forward.columns if c.name in wf.stitched}
            conn.execute(backtest_walk_forward.insert().values(
                run_id=run_id, mode=wf.mode, train=wf.train, test=wf.test, start=spec_wf.start, select_by=wf.select_by,
                n_folds=len(wf.folds), **{**stitched, "trades": int(wf.stitched.get("trades") or 0)}))
            if len(wf.folds):
                conn.execute(backtest_folds.insert(), _rows(wf.folds, FOLD_COLUMNS, run_id))
    return int(run_id)


def list_runs(engine: Engine, limit: int = 50) -> pd.DataFrame:
    """Most recent runs first: ``run_id, name, created_at, n_variants, n_events, n_trades, best_variant``."""
    q = select(backtest_runs.c.run_id, backtest_runs.c.name, backtest_runs.c.created_at, backtest_runs.c.n_variants,
               backtest_runs.c.n_events, backtest_runs.c.n_trades, backtest_runs.c.best_variant,
               backtest_runs.c.span_start, backtest_runs.c.span_end).order_by(backtest_runs.c.run_id.desc()).limit(limit)
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(q).mappings().all(), columns=[c.name for c in q.selected_columns])


def load_run(engine: Engine, run_id: int) -> dict:
    """One stored run: ``run`` (dict, with ``spec`` parsed back to :class:`StrategySpec`), ``results`` and
    ``trades`` frames (columns as in the tables); walk-forward runs also ``walk_forward`` (dict of the
    stitched record, else ``None``) and ``folds`` (frame, empty otherwise)."""
    with engine.connect() as conn:
        run = conn.execute(select(backtest_runs).where(backtest_runs.c.run_id == run_id)).mappings().first()
        if run is None:
            last = conn.execute(select(func.max(backtest_runs.c.run_id))).scalar()
            raise UsageError(f"no backtest run {run_id} in the database (latest run: {last})")
        results = pd.DataFrame(conn.execute(select(backtest_results).where(backtest_results.c.run_id == run_id)
                                            .order_by(backtest_results.c.sample, backtest_results.c.rank)).mappings().all(),
                               columns=[c.name for c in backtest_results.columns])
        trades = pd.DataFrame(conn.execute(select(backtest_trades).where(backtest_trades.c.run_id == run_id)
                                           .order_by(backtest_trades.c.sample, backtest_trades.c.variant,
                                                     backtest_trades.c.trade_no)).mappings().all(),
                              columns=[c.name for c in backtest_trades.columns])
        wf = conn.execute(select(backtest_walk_forward).where(backtest_walk_forward.c.run_id == run_id)).mappings().first()
        folds = pd.DataFrame(conn.execute(select(backtest_folds).where(backtest_folds.c.run_id == run_id)
                                          .order_by(backtest_folds.c.fold)).mappings().all(),
                             columns=[c.name for c in backtest_folds.columns])
    out = dict(run)
    out["spec"] = StrategySpec.model_validate(json.loads(out["spec_json"]))
    return {"run": out, "results": results, "trades": trades, "walk_forward": None if wf is None else dict(wf),
            "folds": folds}


def delete_run(engine: Engine, run_id: int) -> None:
    """Remove a run and its rows (children first: not every backend cascades by default)."""
    with engine.begin() as conn:
        for table in (backtest_folds, backtest_walk_forward, backtest_trades, backtest_results):
            conn.execute(delete(table).where(table.c.run_id == run_id))
        conn.execute(delete(backtest_runs).where(backtest_runs.c.run_id == run_id))
