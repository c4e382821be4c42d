"""Hostile ``eventstudy query`` statements on SQLite and on a real PostgreSQL server.

Each case runs the real command and checks the exit code, one clear stderr line,
no traceback, and afterwards a byte-identical SQLite file (row-identical tables on
PostgreSQL, read through a separate superuser engine).  PostgreSQL is queried
through a role holding only pg_read_all_data; the superuser and roles that reach
server files or programs are refused.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest
import sqlalchemy as sa

from conftest import EVENTSTUDY, _fresh_pg_db, ensure_pg_role, reader_url
from eventstudy.db import open_existing
from eventstudy.db.query import query_readonly
from eventstudy.exceptions import ReadOnlyViolation
from hostile_support import assert_clean_error, cli, load_repo_catalog, pg_rows, sqlite_db, sqlite_fingerprint, sqlite_template  # noqa: F401

FOREVER = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
TWENTY_THOUSAND = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 20000) SELECT x FROM c"
READ_ONLY = "refused: the query connection is read-only"
#: Roles that reach outside the database (each also holds pg_read_all_data, so only the danger is refused).
DANGEROUS = {"es_exec": "pg_execute_server_program", "es_writefiles": "pg_write_server_files", "es_readfiles": "pg_read_server_files"}


@dataclass
class Backend:
    name: str
    url: str  # what the analyst passes to --db
    snapshot: Callable[[], object]  # bytes (SQLite) or rows (PostgreSQL), compared before and after
    admin_url: str = ""


@pytest.fixture(scope="module")
def pg_loaded(pg_server) -> str:
    """One PostgreSQL database with the catalog, the dblink extension and the dangerous test roles (admin URL)."""
    admin = _fresh_pg_db(pg_server)
    load_repo_catalog(admin)
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS dblink")
        for name, role in DANGEROUS.items():
            ensure_pg_role(conn, name, f"pg_read_all_data, {role}")
    engine.dispose()
    return admin


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request, sqlite_db) -> Backend:
    if request.param == "sqlite":
        return Backend("sqlite", f"sqlite:///{sqlite_db}", lambda: sqlite_fingerprint(sqlite_db))
    admin = request.getfixturevalue("pg_loaded")
    return Backend("postgres", reader_url(admin), lambda: pg_rows(admin), admin)


@pytest.fixture
def pg(pg_loaded) -> Backend:
    return Backend("postgres", reader_url(pg_loaded), lambda: pg_rows(pg_loaded), pg_loaded)


def query(backend: Backend, *args: str) -> subprocess.CompletedProcess:
    return cli("--db", backend.url, "query", *args, timeout=60)


def refused_unchanged(backend: Backend, args: tuple, exit_code: int, *needles: str) -> str:
    before = backend.snapshot()
    line = assert_clean_error(query(backend, *args), exit_code, *needles)
    assert backend.snapshot() == before
    return line


def pg_active(admin_url: str, needle: str) -> int:
    """Backends (other than this one) running a statement that contains ``needle``."""
    engine = sa.create_engine(admin_url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() "
                                        "AND query LIKE :q"), {"q": f"%{needle}%"}).scalar()
    finally:
        engine.dispose()


# ---------------------------------------------------------------- both backends

WRITES = {
    "insert": ("INSERT INTO claims SELECT * FROM claims", READ_ONLY),
    "update": ("UPDATE events SET title = 'changed'", READ_ONLY),
    "delete": ("DELETE FROM claims", READ_ONLY),
    "drop": ("DROP TABLE claims", READ_ONLY),
    "create": ("CREATE TABLE sneaky (a integer)", READ_ONLY),
    "copy-after-comments": ("/* all */ -- export\n  COPY events TO STDOUT", "refused: COPY is not available through query"),
}


@pytest.mark.parametrize("case", list(WRITES))
def test_writes_and_copy_are_refused(backend, case):
    sql, message = WRITES[case]
    refused_unchanged(backend, (sql,), 3, message)


def test_two_statements_are_invalid_input(backend):
    refused_unchanged(backend, ("SELECT 1; DELETE FROM claims",), 2, "refused: send one SQL statement at a time")


def test_sql_error_is_one_line(backend):
    refused_unchanged(backend, ("select * from no_such_table",), 1, "SQL error:", "no_such_table")


def test_runaway_statement_stops_at_the_timeout(backend):
    started = time.monotonic()
    refused_unchanged(backend, (FOREVER, "--timeout", "0.5"), 1, "query stopped after its 0.5 s timeout")
    assert time.monotonic() - started < 15


def test_rows_are_capped_with_a_note(backend):
    result = query(backend, TWENTY_THOUSAND, "--limit", "5", "--format", "csv")
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert result.stdout.split() == ["x", "1", "2", "3", "4", "5"]
    assert "note: showing the first 5 rows; the statement returned more" in result.stderr


def test_default_cap_is_ten_thousand_rows(backend):
    result = query(backend, TWENTY_THOUSAND, "--format", "csv")
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.split()) == 1 + 10_000
    assert "showing the first 10,000 rows" in result.stderr


def test_empty_result_keeps_its_header(backend):
    result = query(backend, "select id, title from events where 1 = 0", "--format", "csv")
    assert (result.returncode, result.stdout.split()) == (0, ["id,title"]), result.stderr


def _interrupt(args: list[str], ready: Callable[[subprocess.Popen], bool]) -> tuple[subprocess.CompletedProcess, float]:
    """Start the command, wait until ``ready``, send SIGINT (Ctrl-C); return the result and seconds from signal to exit."""
    proc = subprocess.Popen([EVENTSTUDY, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not ready(proc):
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.02)
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err), time.monotonic() - sent


def _holds_open(path: Path, seconds: float) -> Callable[[subprocess.Popen], bool]:
    """True once the process has held ``path`` open for ``seconds`` (the query is running; the migration check is brief)."""
    since: list[float] = []

    def ready(proc: subprocess.Popen) -> bool:
        fds = Path(f"/proc/{proc.pid}/fd")
        try:
            open_now = any(os.readlink(fd) == str(path) for fd in fds.iterdir())
        except OSError:
            open_now = False
        if not open_now:
            since.clear()
            return False
        since.append(time.monotonic())
        return since[-1] - since[0] >= seconds
    return ready


def test_ctrl_c_cancels_a_running_sqlite_statement(sqlite_db):
    before = sqlite_fingerprint(sqlite_db)
    result, elapsed = _interrupt(["--db", f"sqlite:///{sqlite_db}", "query", FOREVER], _holds_open(sqlite_db, 0.5))
    assert_clean_error(result, 130, "cancelled (Ctrl-C)")
    assert elapsed < 5
    assert sqlite_fingerprint(sqlite_db) == before


@pytest.mark.postgres
def test_ctrl_c_cancels_the_statement_on_the_server(pg):
    before = pg.snapshot()
    result, elapsed = _interrupt(["--db", pg.url, "query", "select pg_sleep(1000)"], lambda _: pg_active(pg.admin_url, "pg_sleep(1000)") > 0)
    assert_clean_error(result, 130, "query cancelled (Ctrl-C)")
    assert elapsed < 5
    time.sleep(0.2)
    assert pg_active(pg.admin_url, "pg_sleep(1000)") == 0
    assert pg.snapshot() == before


@pytest.mark.parametrize(("option", "value"), [("--timeout", "0"), ("--limit", "0"), ("--limit", "many")])
def test_bad_options_are_usage_errors(sqlite_db, option, value):
    assert_clean_error(cli("--db", f"sqlite:///{sqlite_db}", "query", "select 1", option, value), 2, f"Invalid value for '{option}'")


# ---------------------------------------------------------------- SQLite only

SQLITE_ESCAPES = {
    "attach-read-write": ("ATTACH DATABASE '{db}' AS rw", 3, READ_ONLY),
    "temp-table": ("CREATE TEMP TABLE t AS SELECT * FROM events", 3, READ_ONLY),
    "pragma-user-version": ("PRAGMA user_version = 7", 3, READ_ONLY),
    "vacuum-into": ("VACUUM INTO '{dir}/copy.db'", 3, READ_ONLY),
    "load-extension": ("SELECT load_extension('{dir}/evil')", 3, READ_ONLY),
    "gigabyte-blob": ("SELECT length(randomblob(1000000000))", 1, "SQL error: string or blob too big"),
}


@pytest.mark.parametrize("case", list(SQLITE_ESCAPES))
def test_sqlite_escape_hatches(sqlite_db, case):
    sql, code, message = SQLITE_ESCAPES[case]
    backend = Backend("sqlite", f"sqlite:///{sqlite_db}", lambda: sqlite_fingerprint(sqlite_db))
    refused_unchanged(backend, (sql.format(db=sqlite_db, dir=sqlite_db.parent),), code, message)
    assert not (sqlite_db.parent / "copy.db").exists()


# ---------------------------------------------------------------- PostgreSQL only

@pytest.mark.postgres
def test_superuser_is_refused_with_a_way_out(pg):
    admin = Backend("postgres", pg.admin_url, pg.snapshot)
    line = refused_unchanged(admin, ("select 1",), 3, "refused: eventstudy query will not run as PostgreSQL role 'postgres', which is a superuser")
    assert "GRANT pg_read_all_data TO analyst" in line
    assert "--db 'postgresql+psycopg://analyst:CHANGE-ME@" in line and line.split("@", 1)[1].split("'")[0] == pg.admin_url.split("@", 1)[1]


@pytest.mark.postgres
@pytest.mark.parametrize("role", list(DANGEROUS))
def test_roles_reaching_server_files_or_programs_are_refused(pg, role):
    url = sa.engine.make_url(pg.admin_url).set(username=role).render_as_string(hide_password=False)
    refused_unchanged(Backend("postgres", url, pg.snapshot), ("select 1",), 3, f"role '{role}', which is a member of {DANGEROUS[role]}")


PG_ESCAPES = {
    # nested comments hide COPY from the client-side check: the server refuses it for this role
    "copy-to-program": ("/* /* */ */ COPY (SELECT 1) TO PROGRAM 'touch {dir}/pwned'", "privileges of the pg_execute_server_program role to COPY to or from an external program"),
    "copy-to-file": ("/* /* */ */ COPY events TO '{dir}/pwned'", "privileges of the pg_write_server_files role to COPY to a file"),
    "read-server-file": ("SELECT pg_read_file('/etc/passwd')", "permission denied for function pg_read_file"),
    "reload-config": ("SELECT pg_reload_conf()", "permission denied for function pg_reload_conf"),
    "large-object-export": ("SELECT lo_export(1, '{dir}/pwned')", "permission denied for function lo_export"),
    "dblink-write": ("SELECT dblink_exec('host=127.0.0.1 port={port} dbname={db} user=postgres', 'DELETE FROM claims')", "password is required"),
    "become-superuser": ("SELECT set_config('role', 'postgres', false)", "permission denied to set role"),
}


@pytest.mark.postgres
@pytest.mark.parametrize("case", list(PG_ESCAPES))
def test_postgres_escape_hatches(pg, case, tmp_path):
    os.chmod(tmp_path, 0o777)  # the server (user postgres) could write here: the refusal must come from the role
    sql, message = PG_ESCAPES[case]
    url = sa.engine.make_url(pg.admin_url)
    refused_unchanged(pg, (sql.format(dir=tmp_path, port=url.port, db=url.database),), 1, "SQL error:", message)
    assert not (tmp_path / "pwned").exists()


@pytest.mark.postgres
def test_timeout_cannot_be_switched_off_from_inside_the_statement(pg):
    refused_unchanged(pg, ("select set_config('statement_timeout', '0', false), pg_sleep(30)", "--timeout", "0.5"), 1, "query stopped after its 0.5 s timeout")
    assert pg_active(pg.admin_url, "pg_sleep(30)") == 0


@pytest.mark.postgres
def test_killed_client_leaves_no_statement_running(pg):
    proc = subprocess.Popen([EVENTSTUDY, "--db", pg.url, "query", "select pg_sleep(600)", "--timeout", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not pg_active(pg.admin_url, "pg_sleep(600)"):
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    proc.kill()
    proc.wait()
    time.sleep(1.5)  # the server's own statement_timeout (1 s) ends the backend's statement
    assert pg_active(pg.admin_url, "pg_sleep(600)") == 0


@pytest.mark.postgres
def test_copy_that_reaches_the_server_leaves_the_engine_usable(pg):
    before = pg.snapshot()
    engine = open_existing(pg.url)
    with pytest.raises(ReadOnlyViolation, match="COPY is not available"):
        query_readonly(engine, "/* /* */ */ COPY events TO STDOUT")
    assert query_readonly(engine, "select count(*) as n from events").rows == [(len(before["events"]),)]
    engine.dispose()
    assert pg.snapshot() == before
