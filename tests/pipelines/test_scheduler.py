"""APScheduler wiring: a near-term trigger fires the stored job, the job survives a restart, a missed run runs late."""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
import threading
import time

import pytest

import eventstudy.pipelines.nightly as nightly
from eventstudy.db import open_db
from eventstudy.pipelines.config import PipelineConfig, load_config
from eventstudy.pipelines.nightly import Step, StepResult
from eventstudy.pipelines.scheduler import JOB_FUNC, JOB_ID, JOBSTORE_TABLE, build_scheduler, describe_schedule, stored_job
from pipeline_testlib import EVENTSTUDY, clean_env, rows, write_config

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.triggers.date import DateTrigger


@pytest.fixture
def fired(monkeypatch):
    """Replace the pipeline's steps by one quick step: these tests are about when and how the job fires."""
    event = threading.Event()

    def quick(ctx):
        event.set()
        return StepResult(note="quick step")

    monkeypatch.setattr(nightly, "DEFAULT_STEPS", (Step("quick", quick),))
    return event


def _config(db_url, tmp_path, **schedule) -> PipelineConfig:
    """A config file (the scheduled job re-reads it) with ``schedule`` keys for its [schedule] table."""
    lines = "".join(f"{k} = {v!r}\n".replace("'", '"') for k, v in schedule.items())
    path = write_config(tmp_path, db_url, sections="[schedule]\n" + lines)
    return load_config(path)


def _runs(db_url) -> list[tuple]:
    return rows(db_url, "SELECT trigger, status FROM pipeline_runs ORDER BY id")


def test_near_term_trigger_fires_the_stored_job(db_url, tmp_path, fired):
    cfg = _config(db_url, tmp_path)
    engine = open_db(db_url)
    when = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=1.5)
    scheduler = build_scheduler(cfg, background=True, trigger=DateTrigger(when), engine=engine)
    scheduler.start()
    try:
        job = scheduler.get_job(JOB_ID)
        assert job.func_ref == JOB_FUNC and job.coalesce and job.max_instances == 1
        assert job.misfire_grace_time == 6 * 3600
        assert fired.wait(15), "the job did not fire"
    finally:
        scheduler.shutdown()  # waits for the job to finish
    assert _runs(db_url) == [("scheduled", "nothing-new")]
    engine.dispose()


def test_job_survives_a_restart_and_is_replaced_when_the_schedule_changes(db_url, tmp_path, fired):
    cfg = _config(db_url, tmp_path)
    first = build_scheduler(cfg, background=True)
    first.start()
    next_run = first.get_job(JOB_ID).next_run_time
    first.shutdown()
    ny = next_run.astimezone(cfg.tz)
    assert (ny.hour, ny.minute) == (18, 30) and ny.weekday() < 5
    assert next_run > dt.datetime.now(dt.timezone.utc)

    stored = stored_job(open_db(db_url))
    assert stored is not None and stored.next_run_time == next_run
    second = build_scheduler(cfg, background=True)
    second.start()
    try:
        assert [j.id for j in second.get_jobs()] == [JOB_ID]
        assert second.get_job(JOB_ID).next_run_time == next_run
    finally:
        second.shutdown()

    changed = _config(db_url, tmp_path, cron="0 7 * * sat")
    third = build_scheduler(changed, background=True)
    third.start()
    try:
        ny = third.get_job(JOB_ID).next_run_time.astimezone(cfg.tz)
        assert (ny.weekday(), ny.hour, ny.minute) == (5, 7, 0)
        assert len(third.get_jobs()) == 1
    finally:
        third.shutdown()
    assert describe_schedule(changed)["cron"] == "0 7 * * sat"


def _miss_a_run(cfg, seconds_ago):
    """Schedule the job, then pretend the scheduler was down when it was due ``seconds_ago``.

    The stored row is edited directly: a paused scheduler would process the due job
    itself while shutting down (APScheduler 3 checks only for "paused" there).
    """
    s = build_scheduler(cfg, background=True)
    s.start()
    s.shutdown()
    store = SQLAlchemyJobStore(engine=open_db(cfg.db_url), tablename=JOBSTORE_TABLE)
    store.start(None, "default")
    job = store.lookup_job(JOB_ID)
    job.next_run_time = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=seconds_ago)
    store.update_job(job)
    store.shutdown()


def test_run_missed_during_downtime_runs_on_restart_flagged_late(db_url, tmp_path, fired):
    cfg = _config(db_url, tmp_path, late_after_seconds=60)
    _miss_a_run(cfg, seconds_ago=15 * 60)
    restarted = build_scheduler(cfg, background=True)  # same schedule: the stored job (and its missed run) is kept
    restarted.start()
    try:
        assert fired.wait(15), "the missed run did not happen on restart"
        nxt = restarted.get_job(JOB_ID).next_run_time
    finally:
        restarted.shutdown()
    assert _runs(db_url) == [("late", "nothing-new")]
    assert nxt > dt.datetime.now(dt.timezone.utc)  # and the schedule goes on


def test_run_missed_beyond_the_grace_time_is_skipped(sqlite_url, tmp_path, fired):
    cfg = _config(sqlite_url, tmp_path, misfire_grace_hours=0.01)  # 36 s
    _miss_a_run(cfg, seconds_ago=15 * 60)
    restarted = build_scheduler(cfg, background=True)
    restarted.start()
    try:
        assert not fired.wait(2)
    finally:
        restarted.shutdown()
    assert _runs(sqlite_url) == []


def test_schedule_start_runs_in_foreground_and_stops_on_sigterm(sqlite_url, tmp_path):
    config = write_config(tmp_path, sqlite_url)
    proc = subprocess.Popen([str(EVENTSTUDY), "schedule", "start", "--config", str(config)],
                            stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=clean_env())
    try:
        deadline = time.monotonic() + 60
        seen = ""
        while "scheduler started" not in seen and time.monotonic() < deadline:
            line = proc.stderr.readline()
            if not line and proc.poll() is not None:
                break
            seen += line
        assert "scheduler started" in seen, seen
        proc.send_signal(signal.SIGTERM)
        rest = proc.communicate(timeout=30)[1]
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    assert "stopping the scheduler" in rest and "scheduler stopped" in rest
    shown = subprocess.run([str(EVENTSTUDY), "schedule", "show", "--config", str(config), "--format", "json"],
                           capture_output=True, text=True, env=clean_env(), timeout=60)
    assert shown.returncode == 0, shown.stderr
    assert '"stored_job": "cron[' in shown.stdout
