"""Benchmark: ingest the whole shared universe (~364 tickers, ~1.7M rows) into SQLite and PostgreSQL.

Run: ``python benchmarks/bench_ingest.py`` (needs ../shared/data; PostgreSQL
server binaries for the PostgreSQL half).  Printed, per database, in one run:

* ``ingest (end to end)``: :func:`eventstudy.prices.ingest.ingest_prices` from the CSV
  folders into an empty database (read + validate + compare + bulk upsert);
* ``upsert only``: the database half alone, on frames already in memory
  (:func:`eventstudy.db.prices.upsert_prices`, whole tickers in transactions
  of about ``BATCH_ROWS`` rows, as the ingest does);
* ``DataFrame.to_sql``: the reference, the same in-memory frames appended with
  pandas' ``to_sql`` (default method) into the same schema, same transactions;
* ``re-ingest (no change)``: a second end-to-end ingest, which writes nothing.

Goals (issue 13, validation included): the end-to-end ingest at >= 200k rows/s on
SQLite and >= 100k rows/s on PostgreSQL; the upsert >= 3x ``to_sql``.  The end-to-end
ingest overlaps reading with writing (a reader thread), so on a busy machine it suffers
twice.  Each measurement runs ``ROUNDS`` times and the fastest round is printed (the
machine may be shared): report ``uptime`` with the figures.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))  # pg_server lives with the tests

from pg_server import PostgresServer, find_pg_bin, wait_for  # noqa: E402

from eventstudy.db import open_db  # noqa: E402
from eventstudy.db.prices import upsert_prices  # noqa: E402
from eventstudy.sources.files import FileSource  # noqa: E402
from eventstudy.prices.ingest import BATCH_ROWS, ingest_prices  # noqa: E402
from eventstudy.exceptions import DataError  # noqa: E402
from eventstudy.prices.validate import validate_prices  # noqa: E402
from eventstudy.prices.calendar import exchange_for_ticker, session_days  # noqa: E402

SHARED = REPO.parent / "shared" / "data" / "prices"
FOLDERS = [SHARED / "raw" / "SungKyu-Kim39__BackTester39", SHARED / "universe"]
#: Each measurement is repeated; the fastest round is reported.
ROUNDS = 2
#: Tickers of the shared data that validation refuses (printed; left out of every measurement).
REFUSED: dict[str, str] = {}


def _sources() -> list[tuple[FileSource, list[str]]]:
    out = []
    for folder in FOLDERS:
        source = FileSource(folder)
        out.append((source, source.tickers()))
    return out


def _ingest_all(engine, sources) -> tuple[int, float]:
    t0 = time.perf_counter()
    rows = 0
    for source, tickers in sources:
        report = ingest_prices(engine, source, tickers, progress=False)
        unexpected = {t: m for t, m in report.failed.items() if t not in REFUSED}
        if unexpected:
            raise SystemExit(f"ingest failed: {unexpected}")
        rows += report.rows_inserted + report.rows_updated
    return rows, time.perf_counter() - t0


def _frames(sources) -> list[tuple[str, str, pd.DataFrame]]:
    """Every ticker's canonical frame, validated as the ingest does; the refused ones are listed in REFUSED."""
    out = []
    for source, tickers in sources:
        for ticker, frame in source.fetch({t: None for t in tickers}):
            try:
                validate_prices(ticker, frame)
            except DataError as exc:
                REFUSED[ticker] = str(exc)
                continue
            out.append((ticker, source.name, frame))
    return out


def _batches(frames):
    """Whole tickers grouped by about BATCH_ROWS rows: the transactions the ingest uses."""
    batch, size = [], 0
    for item in frames:
        batch.append(item)
        size += len(item[2])
        if size >= BATCH_ROWS:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _upsert_all(engine, frames) -> tuple[int, float]:
    t0 = time.perf_counter()
    rows = 0
    for batch in _batches(frames):
        with engine.begin() as conn:
            for ticker, name, frame in batch:
                rows += upsert_prices(conn, ticker, frame, name).inserted
    return rows, time.perf_counter() - t0


def _to_sql_all(engine, frames) -> tuple[int, float]:
    now = dt.datetime.now(dt.timezone.utc)
    t0 = time.perf_counter()
    rows = 0
    for batch in _batches(frames):
        with engine.begin() as conn:
            for ticker, name, frame in batch:
                table = frame.reset_index()
                table.insert(0, "ticker", ticker)
                table["date"] = table["date"].dt.date
                table["source"] = name
                table["ingested_at"] = now
                table.to_sql("prices", conn, if_exists="append", index=False)
                rows += len(table)  # to_sql's own count is -1 on psycopg
    return rows, time.perf_counter() - t0


def _bench(label: str, make_url, sources, frames) -> list[dict]:
    """One round of the four measurements, each into a fresh database named by ``make_url``."""
    results = []
    engine = open_db(make_url("e2e"))
    rows, secs = _ingest_all(engine, sources)
    results.append({"db": label, "what": "ingest (end to end)", "rows": rows, "seconds": secs})
    again, secs2 = _ingest_all(engine, sources)
    assert again == 0, f"re-ingest changed {again} rows"
    results.append({"db": label, "what": "re-ingest (no change)", "rows": 0, "seconds": secs2})
    engine.dispose()
    engine = open_db(make_url("upsert"))
    rows, secs = _upsert_all(engine, frames)
    results.append({"db": label, "what": "upsert only", "rows": rows, "seconds": secs})
    engine.dispose()
    engine = open_db(make_url("tosql"))
    rows, secs = _to_sql_all(engine, frames)
    results.append({"db": label, "what": "DataFrame.to_sql", "rows": rows, "seconds": secs})
    engine.dispose()
    return results


def main() -> None:
    if not all(f.is_dir() for f in FOLDERS):
        raise SystemExit(f"shared data not found under {SHARED}")
    sources = _sources()
    # The exchange calendars are built once per process (XKRX takes seconds): built first and timed apart,
    # so that "reading + validating" times the reading and validating (the end-to-end rounds always ran warm).
    t0 = time.perf_counter()
    for exchange in sorted({exchange_for_ticker(t) for _, tickers in sources for t in tickers}):
        session_days(np.datetime64("2000-01-03"), np.datetime64("2000-01-03"), exchange)
    print(f"exchange calendars built in {time.perf_counter() - t0:.2f} s (once per process, not in the figures below)")
    t0 = time.perf_counter()
    frames = _frames(sources)
    read_secs = time.perf_counter() - t0
    n_rows = sum(len(f) for _, _, f in frames)
    print(f"universe: {len(frames)} tickers, {n_rows:,} rows; reading + validating the files alone: "
          f"{read_secs:.2f} s ({n_rows / read_secs:,.0f} rows/s)")
    for ticker, why in REFUSED.items():
        print(f"refused by validation, left out: {why}")
    results = []
    for _ in range(ROUNDS):
        with tempfile.TemporaryDirectory() as tmp:
            results += _bench("sqlite", lambda name: f"sqlite:///{tmp}/{name}.db", sources, frames)
    bin_dir = find_pg_bin()
    if bin_dir is None:
        print("PostgreSQL server binaries not found: PostgreSQL half skipped")
    else:
        server = PostgresServer(bin_dir).start()
        try:
            wait_for(server.url())
            import sqlalchemy as sa

            admin = sa.create_engine(server.url(), isolation_level="AUTOCOMMIT")
            for round_ in range(ROUNDS):
                with admin.connect() as conn:
                    for name in ("e2e", "upsert", "tosql"):
                        conn.exec_driver_sql(f"CREATE DATABASE bench_{name}_{round_}")
                results += _bench("postgresql", lambda name: server.url(f"bench_{name}_{round_}"), sources, frames)
            admin.dispose()
        finally:
            server.stop()
    # Best of the rounds per measurement: the machine is shared, the minimum is the least disturbed run.
    table = pd.DataFrame(results).groupby(["db", "what"], sort=False, as_index=False).agg(
        rows=("rows", "max"), seconds=("seconds", "min"))
    table["rows/s"] = (table["rows"] / table["seconds"]).round(0)
    print(table.to_string(index=False, formatters={"seconds": "{:.2f}".format, "rows/s": "{:,.0f}".format}))
    for db in table["db"].unique():
        part = table.set_index("what").loc[lambda t: t["db"] == db]
        ref = part.loc["DataFrame.to_sql", "rows/s"]
        print(f"{db}: end-to-end ingest {part.loc['ingest (end to end)', 'rows/s']:,.0f} rows/s = "
              f"{part.loc['ingest (end to end)', 'rows/s'] / ref:.2f}x to_sql; upsert only "
              f"{part.loc['upsert only', 'rows/s']:,.0f} rows/s = {part.loc['upsert only', 'rows/s'] / ref:.2f}x to_sql "
              f"({ref:,.0f} rows/s)")


if __name__ == "__main__":
    main()
