"""Database round trip (SQLite and PostgreSQL): events and prices from the DB in, a stored run out."""

from __future__ import annotations

import numpy as np
import pytest
import sqlalchemy as sa

from conftest import REPO
from eventstudy.backtest import run_from_db
from eventstudy.backtest.data import load_events
from eventstudy.backtest.spec import StrategySpec
from eventstudy.db.backtests import list_runs, load_run, save_result
from eventstudy.catalog import load_catalog
from eventstudy.db import open_db
from eventstudy.db.catalog_store import sync_catalog
from eventstudy.exceptions import DataError
from eventstudy.prices.ingest import ingest_prices

TICKERS = ["AMD", "NVDA", "ORCL", "INTC", "AVGO", "CRWV", "SPY", "QQQ"]
SPEC = StrategySpec(
    name="db-roundtrip", entry={"k": 0, "at": "close"}, exit={"hold": 3},
    universe={"tickers": TICKERS}, costs={"fees": 0.0005},
    sweep={"hold": [1, 3], "stop_loss": [None, 0.05], "hedge": [False, True]},
)


@pytest.fixture
def engine(db_url):
    eng = open_db(db_url)
    sync_catalog(eng, load_catalog(REPO / "events"))
    yield eng
    eng.dispose()


def test_missing_prices_name_the_ticker_and_the_fix(engine):
    with pytest.raises(DataError) as info:
        run_from_db(engine, SPEC)
    assert "AMD" in str(info.value) and "eventstudy prices ingest" in str(info.value)


def test_run_store_and_read_back(engine, prices_dir):
    report = ingest_prices(engine, f"files:{prices_dir}", TICKERS, progress=False)
    assert report.ok
    events = load_events(engine)
    assert "AMD" in set(events["ticker"])
    result = run_from_db(engine, SPEC)
    assert len(result.results) == 8 and len(result.trades) > 0
    run_id = save_result(engine, result, trades_top=3)
    stored = load_run(engine, run_id)
    assert stored["run"]["spec"] == SPEC
    assert stored["run"]["n_variants"] == 8
    res = stored["results"].set_index("variant").sort_index()
    mine = result.results.set_index("variant").sort_index()
    for col in ("total_return", "sharpe", "max_drawdown", "win_rate", "avg_trade", "exposure", "rank"):
        np.testing.assert_allclose(res[col].to_numpy(float), mine[col].to_numpy(float), rtol=1e-12)
    assert (res["label"] == mine["label"]).all()
    # Trades of the three best variants, in entry order.
    best = set(mine.index[mine["rank"] <= 3])
    assert set(stored["trades"]["variant"]) == best
    top = mine.index[mine["rank"] == 1][0]
    a = stored["trades"].loc[stored["trades"]["variant"] == top].reset_index(drop=True)
    b = result.trades_of(top).sort_values(["entry_date", "ticker"]).reset_index(drop=True)
    np.testing.assert_allclose(a["pnl"].to_numpy(float), b["pnl"].to_numpy(float), rtol=1e-12)
    assert [str(d) for d in a["entry_date"]] == [str(d.date()) for d in b["entry_date"]]
    assert list_runs(engine)["run_id"].tolist() == [run_id]


def test_a_failed_save_writes_nothing(engine, prices_dir):
    ingest_prices(engine, f"files:{prices_dir}", TICKERS, progress=False)
    result = run_from_db(engine, SPEC)
    result.trades.loc[0, "entry_price"] = None  # NOT NULL column: the insert fails half-way
    with pytest.raises(sa.exc.IntegrityError):
        save_result(engine, result, trades_top=100)
    with engine.connect() as conn:
        for table in ("backtest_runs", "backtest_results", "backtest_trades"):
            assert conn.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar() == 0
