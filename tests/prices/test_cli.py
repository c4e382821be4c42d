"""``eventstudy prices ingest|quality`` end to end (subprocess, so exit codes are the real ones)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path


from conftest import EVENTSTUDY, FACTORS_DIR

FF3 = FACTORS_DIR / "tommy66779__Comparaison-IA-DotCom" / "F-F_Research_Data_Factors_daily.csv"


def _run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([EVENTSTUDY, *args], capture_output=True, text=True, timeout=300, env=env)


def test_exit_codes_full_partial_failed(sqlite_url, prices_dir):
    db_url = sqlite_url  # the CLI is what is tested here; both databases are covered by the store tests
    src = f"files:{prices_dir}"
    ok = _run("--db", db_url, "prices", "ingest", "--source", src, "--tickers", "AMD,CRWV", "--format", "json", "--no-progress")
    assert ok.returncode == 0, ok.stderr
    rows = {r["ticker"]: r for r in json.loads(ok.stdout)}
    assert rows["AMD"]["status"] == "ok" and rows["AMD"]["rows_inserted"] == 6642
    partial = _run("--db", db_url, "prices", "ingest", "--source", src, "--tickers", "AMD,NOSUCH", "-f", "json")
    assert partial.returncode == 5 and "NOSUCH" in partial.stderr
    failed = _run("--db", db_url, "prices", "ingest", "--source", src, "--tickers", "NOSUCH", "-f", "csv")
    assert failed.returncode == 4 and "NOSUCH.csv" in failed.stdout
    quality = _run("--db", db_url, "prices", "quality", "--tickers", "AMD,CRWV", "-f", "json")
    assert quality.returncode == 0
    assert {r["ticker"]: r["missing_sessions"] for r in json.loads(quality.stdout)} == {"AMD": 0, "CRWV": 0}


def test_source_from_environment_and_factors(sqlite_url, prices_dir, shared_data):
    import os

    env = {**os.environ, "EVENTSTUDY_PRICE_SOURCE": f"files:{prices_dir}"}
    run = _run("--db", sqlite_url, "prices", "ingest", "--tickers", "SPY", "--factors", str(FF3), "-f", "json", env=env)
    assert run.returncode == 0, run.stderr
    assert '"dates_written": 26233' in run.stdout and '"ticker": "SPY"' in run.stdout
    only_factors = _run("--db", sqlite_url, "prices", "ingest", "--factors", str(FF3), "-f", "json", env=env)
    assert only_factors.returncode == 0 and '"dates_written": 0' in only_factors.stdout and "SPY" not in only_factors.stdout


def test_all_files_needs_files_source(sqlite_url):
    run = _run("--db", sqlite_url, "prices", "ingest", "--source", "yfinance", "--all-files")
    assert run.returncode == 2 and "--all-files needs a files:DIR source" in run.stderr


def test_malformed_factor_file_is_reported(sqlite_url, tmp_path):
    bad = tmp_path / "ff.csv"
    bad.write_text(",Mkt-RF,SMB,HML,RF\n20250102,0.1,0.2,oops,0.01\n")
    run = _run("--db", sqlite_url, "prices", "ingest", "--factors", str(bad))
    assert run.returncode == 4 and f"{bad}:2: 'oops' is not a number" in run.stderr
