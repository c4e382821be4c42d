"""``run_readonly`` / ``eventstudy query``: reads work, every write is refused by the connection, nothing changes.

Runs on SQLite and on a real PostgreSQL server.  The data are compared table by
table before and after each attempt, through a separate read-write engine.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa

from conftest import EVENTSTUDY, REPO, reader_url
from eventstudy.catalog import load_catalog
from eventstudy.db import open_db, open_existing
from eventstudy.db.catalog_store import sync_catalog
from eventstudy.db.query import query_readonly, run_readonly
from eventstudy.exceptions import EventStudyError, ReadOnlyViolation, UsageError

TABLES = ("events", "event_parties", "event_sources", "claims", "alembic_version")

WRITES = [
    "INSERT INTO events (id, title, announced, timing, deal_type, confidence, catalog_file, content_hash, loaded_at) "
    "VALUES ('x', 'x', '2025-01-01', 'unknown', 'policy', 'low', 'x.yaml', 'x', '2025-01-01 00:00:00')",
    "UPDATE events SET title = 'changed'",
    "DELETE FROM claims",
    "DROP TABLE claims",
    "CREATE TABLE sneaky (a integer)",
]


@pytest.fixture
def loaded(db_url):
    engine = open_db(db_url)
    sync_catalog(engine, load_catalog(REPO / "events"))
    return engine


def dump(engine) -> dict[str, list[tuple]]:
    out = {}
    with engine.connect() as conn:
        for name in TABLES:
            out[name] = sorted(tuple(map(str, r)) for r in conn.execute(sa.text(f"select * from {name}")).all())
        out["tables"] = sorted(sa.inspect(conn).get_table_names())
    return out


def n_yaml() -> int:
    return len(list((REPO / "events").glob("*.yaml")))


def test_select_works(db_url, loaded):
    ro = open_existing(reader_url(db_url))
    frame = run_readonly(ro, "select count(*) as n from events")
    assert frame["n"].tolist() == [n_yaml()]
    amd = run_readonly(ro, "select e.id, c.claimed_move_pct from events e join claims c on c.event_id = e.id where c.ticker = 'AMD' order by c.position")
    assert amd.values.tolist()[0] == ["2025-10-06-openai-amd", 43.0]
    # ':' and '%' in the SQL are data, not placeholders
    assert run_readonly(ro, "select count(*) as n from events where id like '2025-10-%' and ':x' = ':x'")["n"].iloc[0] > 0


@pytest.mark.parametrize("sql", WRITES, ids=["insert", "update", "delete", "drop", "create"])
def test_writes_are_refused(db_url, loaded, sql):
    before = dump(loaded)
    with pytest.raises(ReadOnlyViolation, match="refused"):
        run_readonly(open_existing(reader_url(db_url)), sql)
    assert dump(loaded) == before


def test_sql_error_is_not_a_refusal(db_url, loaded):
    with pytest.raises(EventStudyError, match="SQL error") as info:
        run_readonly(open_existing(reader_url(db_url)), "select * from no_such_table")
    assert not isinstance(info.value, ReadOnlyViolation)


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        "SET default_transaction_read_only=off; DELETE FROM events",
        "SET default_transaction_read_only=off; COMMIT; DELETE FROM events",
        "SELECT 1; DELETE FROM claims",
    ],
)
def test_postgres_multi_statement_is_refused(pg_url, sql):
    engine = open_db(pg_url)
    sync_catalog(engine, load_catalog(REPO / "events"))
    before = dump(engine)
    with pytest.raises(UsageError, match="one SQL statement"):
        run_readonly(open_existing(reader_url(pg_url)), sql)
    assert dump(engine) == before


@pytest.mark.postgres
def test_postgres_session_switch_does_not_survive(pg_url):
    """A SET that turns read-only off is rolled back with its transaction; the next write is still refused."""
    engine = open_db(pg_url)
    sync_catalog(engine, load_catalog(REPO / "events"))
    before = dump(engine)
    ro = open_existing(reader_url(pg_url))
    for sql in ("SET default_transaction_read_only = off", "SELECT set_config('default_transaction_read_only', 'off', false)", "COMMIT"):
        run_readonly(ro, sql)
    assert run_readonly(ro, "SHOW default_transaction_read_only").iloc[0, 0] == "on"
    with pytest.raises(ReadOnlyViolation):
        run_readonly(ro, "DELETE FROM events")
    assert dump(engine) == before


@pytest.mark.parametrize("sql", ["ATTACH DATABASE '{file}' AS rw", "CREATE TEMP TABLE t AS SELECT * FROM events", "SELECT 1; DELETE FROM events"])
def test_sqlite_escape_hatches_are_refused(sqlite_url, sql):
    engine = open_db(sqlite_url)
    sync_catalog(engine, load_catalog(REPO / "events"))
    before = dump(engine)
    ro = open_existing(sqlite_url)
    # A write is refused by the connection (exit 3); two statements are invalid input (exit 2).
    with pytest.raises(UsageError if ";" in sql else ReadOnlyViolation):
        run_readonly(ro, sql.format(file=sqlite_url.split(":///", 1)[1]))
    # the follow-up write fails too: refused, or "no such table" because the ATTACH never happened
    with pytest.raises(EventStudyError):
        run_readonly(ro, "DELETE FROM rw.events" if "ATTACH" in sql else "DELETE FROM events")
    assert dump(engine) == before


def test_sqlite_pragma_query_only_off_changes_nothing(sqlite_url):
    engine = open_db(sqlite_url)
    sync_catalog(engine, load_catalog(REPO / "events"))
    before = dump(engine)
    ro = open_existing(sqlite_url)
    run_readonly(ro, "PRAGMA query_only=0")
    for sql in WRITES:
        with pytest.raises(ReadOnlyViolation):
            run_readonly(ro, sql)
    assert dump(engine) == before


def test_cli_query_exit_codes(db_url, loaded):
    before = dump(loaded)
    refused = subprocess.run([str(EVENTSTUDY), "--db", reader_url(db_url), "query", "DELETE FROM events"], capture_output=True, text=True, timeout=120)
    assert refused.returncode == 3, refused.stderr
    assert "refused" in refused.stderr
    assert dump(loaded) == before
    ok = subprocess.run([str(EVENTSTUDY), "--db", reader_url(db_url), "query", "select count(*) as n from events", "--format", "csv"], capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.split() == ["n", str(n_yaml())]


def test_rows_are_capped_and_the_cap_is_reported(db_url, loaded):
    ro = open_existing(reader_url(db_url))
    sql = "select e.id, p.ticker from events e, event_parties p order by e.id, p.ticker"
    everything = query_readonly(ro, sql, limit=None)
    capped = query_readonly(ro, sql, limit=7)
    assert (capped.truncated, everything.truncated) == (True, False)
    assert capped.rows == everything.rows[:7] and capped.columns == ["id", "ticker"]
    exact = query_readonly(ro, sql, limit=len(everything.rows))
    assert not exact.truncated and exact.rows == everything.rows


def test_timeout_stops_a_runaway_statement(db_url, loaded):
    import time

    ro = open_existing(reader_url(db_url))
    started = time.monotonic()
    with pytest.raises(EventStudyError, match="timeout"):
        query_readonly(ro, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c", timeout=0.3)
    assert time.monotonic() - started < 5
    assert query_readonly(ro, "select 1 as one").rows == [(1,)]  # the connection is still usable
