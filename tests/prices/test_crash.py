"""A real SIGKILL of an ingest subprocess midway, then a rerun: the database equals a clean run.

The kill lands while tickers are being written (we poll the database from
outside); one transaction per ticker means every ticker present right after the
kill is complete, and the rerun fills in the rest.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import sqlalchemy as sa

from eventstudy.db import open_db
from eventstudy.db.price_tables import prices
from eventstudy.sources.files import list_tickers
from eventstudy.prices.ingest import ingest_prices
from conftest import REFUSED_SHARED

SCRIPT = """
import sys
from eventstudy.db import open_db
from eventstudy.sources.files import list_tickers
from eventstudy.prices.ingest import ingest_prices
from pathlib import Path
folder = Path(sys.argv[2])
ingest_prices(open_db(sys.argv[1]), f"files:{folder}", list_tickers(folder), progress=False)
"""


def _content(engine) -> list[tuple]:
    cols = [c for c in prices.c if c.name != "ingested_at"]
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(*cols).order_by(prices.c.ticker, prices.c.date)).all()]


def _rows_per_ticker(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return dict(conn.execute(sa.text("SELECT ticker, COUNT(*) FROM prices GROUP BY ticker")).all())


def test_sigkill_midway_then_rerun_equals_clean_run(db_url, sqlite_url, prices_dir):
    tickers = list_tickers(prices_dir)
    engine = open_db(db_url)  # schema first, so the child does not race us on migrations
    child = subprocess.Popen([sys.executable, "-c", SCRIPT, db_url, str(prices_dir)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 120
        while time.time() < deadline and child.poll() is None:
            try:
                if len(_rows_per_ticker(engine)) >= 3:
                    break
            except sa.exc.OperationalError:  # table busy for a moment
                pass
            time.sleep(0.01)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL, child.stderr.read().decode()
    after_kill = _rows_per_ticker(engine)
    assert 3 <= len(after_kill) < len(tickers), "the kill must land midway"
    # No half ticker: every ticker present is complete.
    expected = {t: sum(1 for _ in open(prices_dir / f"{t}.csv")) - 1 for t in tickers if t not in REFUSED_SHARED}
    assert {t: n for t, n in after_kill.items()} == {t: expected[t] for t in after_kill}
    assert not set(after_kill) & set(REFUSED_SHARED)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT status FROM ingest_runs")).scalars().all() == ["running"]

    rerun = ingest_prices(engine, f"files:{prices_dir}", tickers, progress=False)
    assert set(rerun.failed) == set(REFUSED_SHARED)  # refused by validation, every time, nothing of it stored
    with engine.connect() as conn:  # the killed run is recognised as such by the next ingest
        statuses = conn.execute(sa.text("SELECT status FROM ingest_runs ORDER BY id")).scalars().all()
    assert statuses == ["interrupted", "partial"]
    clean = open_db(sqlite_url)
    assert set(ingest_prices(clean, f"files:{prices_dir}", tickers, progress=False).failed) == set(REFUSED_SHARED)
    assert _content(engine) == _content(clean)
