"""Crash safety and mutual exclusion with real processes.

* SIGKILL during the studies step, then rerun: the run completes, the dead run is
  marked interrupted, and nothing is computed or stored twice.
* Two concurrent runs: the second exits with code 6 and names the holder.
"""

from __future__ import annotations

import csv
import signal

import pytest
from typer.testing import CliRunner

from eventstudy.cli import app
from pipeline_testlib import count, rows, start_run, wait_for_pause, write_config

pytestmark = [pytest.mark.slow, pytest.mark.shared_data]


def _csv_rows(path) -> int:
    with open(path, newline="") as fh:
        return sum(1 for _ in csv.reader(fh)) - 1


def test_sigkill_mid_step_then_rerun_completes_without_duplicates(db_url, prices_dir, tmp_path, monkeypatch):
    monkeypatch.delenv("EVENTSTUDY_PRICE_SOURCE", raising=False)
    config = write_config(tmp_path, db_url, prices_dir)
    proc = start_run(config, pause_at="studies:3")  # paused after its third event study is stored
    try:
        wait_for_pause(proc)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert rows(db_url, "SELECT status FROM pipeline_runs") == [("running",)]
    assert rows(db_url, "SELECT step, status FROM pipeline_steps ORDER BY started_at") == [
        ("catalog", "ok"), ("ingest", "partial"), ("studies", "running")]
    done_before = rows(db_url, "SELECT key, result_id, run_id FROM pipeline_fingerprints WHERE kind = 'study'")
    assert len(done_before) == 3
    assert count(db_url, "SELECT count(*) FROM study_runs") == sum(r is not None for _, r, _ in done_before)

    result = CliRunner().invoke(app, ["pipeline", "run", "--once", "--config", str(config)])
    assert result.exit_code == 5, result.output  # partial: the reference folder lacks a few tickers

    assert rows(db_url, "SELECT id, status FROM pipeline_runs ORDER BY id") == [(1, "interrupted"), (2, "partial")]
    assert rows(db_url, "SELECT status FROM pipeline_steps WHERE run_id = 1 AND step = 'studies'") == [("interrupted",)]
    assert [s for (s,) in rows(db_url, "SELECT step FROM pipeline_steps WHERE run_id = 2 ORDER BY started_at")] == [
        "catalog", "ingest", "studies", "backtests", "reports"]
    # The three events studied before the kill were not studied again ...
    after = {k: (r, run) for k, r, run in rows(db_url, "SELECT key, result_id, run_id FROM pipeline_fingerprints WHERE kind = 'study'")}
    assert all(after[k] == (r, run) for k, r, run in done_before)
    assert {run for _, run in after.values()} == {1, 2}
    # ... and every event-firm is in exactly two stored runs: its event's own run and the all-events run.
    per_firm = rows(db_url, "SELECT event_id, ticker, count(*) FROM study_firms GROUP BY event_id, ticker")
    assert per_firm and {n for *_, n in per_firm} == {2}
    n_event_runs = count(db_url, "SELECT count(*) FROM pipeline_fingerprints WHERE kind = 'study' AND result_id IS NOT NULL")
    assert count(db_url, "SELECT count(*) FROM study_runs") == n_event_runs + 1
    # Prices were ingested once per source row (the rerun's ingest found them all present).
    for ticker, n in rows(db_url, "SELECT ticker, count(*) FROM prices GROUP BY ticker"):
        assert n == _csv_rows(prices_dir / f"{ticker}.csv"), ticker
    assert count(db_url, "SELECT count(*) FROM pipeline_lock") == 0


def test_second_concurrent_run_exits_6_and_names_the_holder(db_url, prices_dir, tmp_path, monkeypatch):
    monkeypatch.delenv("EVENTSTUDY_PRICE_SOURCE", raising=False)
    config = write_config(tmp_path, db_url, prices_dir)
    first = start_run(config, pause_at="catalog")
    try:
        wait_for_pause(first)
        second = start_run(config)
        out, err = second.communicate(timeout=120)
        assert second.returncode == 6, err
        assert "another pipeline run holds the lock" in err and f"pid {first.pid}" in err
        status = CliRunner().invoke(app, ["pipeline", "status", "--config", str(config), "--format", "json"])
        assert '"running": true' in status.output
    finally:
        first.kill()
        first.wait(timeout=30)
    # Only the first run was recorded; the refused one left no trace.
    assert count(db_url, "SELECT count(*) FROM pipeline_runs") == 1
