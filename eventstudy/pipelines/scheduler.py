"""The scheduler process: APScheduler 3 firing the nightly pipeline on a cron trigger.

One job, id :data:`JOB_ID`, stored by reference (``eventstudy.pipelines.nightly:scheduled_run``)
in an ``SQLAlchemyJobStore`` inside the project database (table
:data:`JOBSTORE_TABLE`), so it survives restarts.  Job options: ``coalesce=True``
(several missed fire times run once), ``max_instances=1``, and a long
``misfire_grace_time`` (6 h by default) so that a run missed while the scheduler was
down still happens when it comes back, recorded with trigger ``late``.

On start the stored job is kept as it is when its trigger and arguments match the
config: replacing it would recompute its next fire time from *now* and silently
drop the run missed during downtime.  When the config changed, the job is replaced
(``replace_existing=True``).

The pipeline lock (:mod:`eventstudy.db.locks`), not the scheduler, guarantees that two
scheduler processes, or a scheduler and a manual run, never run the pipeline at once.
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
import signal
import threading
import time
from typing import Any

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MISSED,
    EVENT_SCHEDULER_STARTED,
    JobExecutionEvent,
)
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.job import Job
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from ..clock import utcnow
from ..db import Engine, has_table, open_db, open_existing, safe_url

from . import nightly
from .config import PipelineConfig

log = logging.getLogger(__name__)

JOB_ID = "eventstudy-nightly-pipeline"
JOB_FUNC = "eventstudy.pipelines.nightly:scheduled_run"
JOBSTORE_TABLE = "apscheduler_jobs"


class FireTimeExecutor(ThreadPoolExecutor):
    """A thread-pool executor that tells the job when it was *meant* to run.

    APScheduler 3 does not expose a job's scheduled fire time to the job itself; the
    pipeline needs it to record a run that starts late (missed during downtime) as
    ``late``.  The job is submitted as a copy whose kwargs carry ``scheduled_for``
    (the latest due fire time: with ``coalesce`` it is the only one).
    """

    def _do_submit_job(self, job: Job, run_times: list[dt.datetime]) -> None:
        if job.func_ref == JOB_FUNC and run_times:
            clone = copy.copy(job)  # Job pickles func, args, trigger...; not its store alias or scheduler
            clone._jobstore_alias, clone._scheduler = job._jobstore_alias, job._scheduler
            clone.kwargs = {**job.kwargs, "scheduled_for": run_times[-1]}
            job = clone
        super()._do_submit_job(job, run_times)


def make_trigger(config: PipelineConfig) -> CronTrigger:
    """The cron trigger of ``config`` (crontab fields, in the config's timezone)."""
    return CronTrigger.from_crontab(config.cron, timezone=config.timezone)


def _job_kwargs(config: PipelineConfig) -> dict[str, Any]:
    path = str(config.source_file.resolve()) if config.source_file else None
    # The job store lives in this database, so the job must run against it too.
    return {"config_path": path, "db_url": config.db_url}


def _job_options(config: PipelineConfig) -> dict[str, Any]:
    return {"coalesce": True, "max_instances": 1, "misfire_grace_time": config.misfire_grace_seconds}


def stored_job(engine: Engine) -> Job | None:
    """The pipeline job as stored in the job store (None if never scheduled; a read-only engine is enough)."""
    if not has_table(engine, JOBSTORE_TABLE):  # looking must not create the job store's table
        return None
    store = SQLAlchemyJobStore(engine=engine, tablename=JOBSTORE_TABLE)
    store.start(None, "default")
    return store.lookup_job(JOB_ID)


def _same_job(job: Job, trigger: BaseTrigger, config: PipelineConfig) -> bool:
    options = _job_options(config)
    return (
        job.func_ref == JOB_FUNC
        and repr(job.trigger) == repr(trigger)
        and job.kwargs == _job_kwargs(config)
        and all(getattr(job, k) == v for k, v in options.items())
    )


def build_scheduler(config: PipelineConfig, *, background: bool = False, trigger: BaseTrigger | None = None,
                    engine: Engine | None = None) -> BaseScheduler:
    """A configured (not started) scheduler holding the pipeline job.

    Parameters
    ----------
    config : PipelineConfig
    background : bool
        ``BackgroundScheduler`` (tests, embedding) instead of the foreground ``BlockingScheduler``.
    trigger : apscheduler trigger, optional
        Replaces the config's cron trigger (tests use a near-term ``DateTrigger``).
    engine : Engine, optional
        The project database; opened (and migrated) from ``config.db_url`` when not given.
    """
    engine = engine or open_db(config.db_url)
    trigger = trigger or make_trigger(config)
    cls = BackgroundScheduler if background else BlockingScheduler
    scheduler = cls(
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename=JOBSTORE_TABLE)},
        executors={"default": FireTimeExecutor(max_workers=1)},
        job_defaults=_job_options(config),
        timezone=config.timezone,
    )
    existing = stored_job(engine)
    if existing is not None and _same_job(existing, trigger, config):
        log.info("keeping stored job %s (next run %s)", JOB_ID, existing.next_run_time)
    else:
        if existing is not None:
            log.info("schedule changed: replacing stored job %s (was %s)", JOB_ID, existing.trigger)
        scheduler.add_job(JOB_FUNC, trigger, id=JOB_ID, name="nightly pipeline", kwargs=_job_kwargs(config),
                          replace_existing=True, **_job_options(config))
    scheduler.add_listener(_log_event, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED)
    return scheduler


def _log_event(event: JobExecutionEvent) -> None:
    if event.code == EVENT_JOB_MISSED:
        log.error("scheduled run of %s at %s was missed by more than the misfire grace time; it will not run until the next fire time",
                  event.job_id, event.scheduled_run_time)
    elif event.code == EVENT_JOB_ERROR:
        log.error("scheduled run of %s (due %s) raised: %s", event.job_id, event.scheduled_run_time, event.exception)
    else:
        log.info("scheduled run of %s (due %s) finished: %s", event.job_id, event.scheduled_run_time, event.retval)


def start_foreground(config: PipelineConfig) -> None:
    """Run the scheduler (a ``BlockingScheduler``) in the foreground until SIGTERM or SIGINT.

    On a signal the scheduler stops firing, a running pipeline stops at its next
    checkpoint (its run is recorded ``interrupted`` and resumes next time), and
    the process exits once that run has released the lock.
    """
    scheduler = build_scheduler(config)
    nightly.SCHEDULER_STOP.clear()

    def _stop(signum: int, _frame: Any) -> None:
        # Only set a flag and hand over to a thread: logging or locking inside a
        # signal handler can deadlock with the interrupted main thread.
        nightly.SCHEDULER_STOP.set()
        threading.Thread(target=_shutdown, args=(scheduler, signal.Signals(signum).name), daemon=True).start()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)

    def _started(_event: Any) -> None:
        job = scheduler.get_job(JOB_ID)
        log.info("scheduler started: cron %r (%s), misfire grace %s, database %s; next run %s",
                 config.cron, config.timezone, dt.timedelta(seconds=config.misfire_grace_seconds),
                 safe_url(config.db_url), job.next_run_time if job else None)

    scheduler.add_listener(_started, EVENT_SCHEDULER_STARTED)
    if not nightly.SCHEDULER_STOP.is_set():
        scheduler.start()  # blocks until shutdown
    log.info("scheduler stopped")


def _shutdown(scheduler: BaseScheduler, signame: str) -> None:
    log.info("received %s: stopping the scheduler (a running pipeline stops at its next checkpoint)", signame)
    deadline = time.monotonic() + 30
    while not scheduler.running and time.monotonic() < deadline:  # the signal may come while it is starting
        time.sleep(0.05)
    if scheduler.running:
        scheduler.shutdown(wait=False)


def describe_schedule(config: PipelineConfig, engine: Engine | None = None) -> dict[str, Any]:
    """What ``eventstudy schedule show`` prints: the configured trigger, the stored job and its next fire time (reads only)."""
    engine = engine or open_existing(config.db_url)
    trigger = make_trigger(config)
    job = stored_job(engine)
    now = utcnow().astimezone(config.tz)
    info: dict[str, Any] = {
        "job_id": JOB_ID,
        "function": JOB_FUNC,
        "cron": config.cron,
        "timezone": config.timezone,
        "misfire_grace": str(dt.timedelta(seconds=config.misfire_grace_seconds)),
        "config_file": str(config.source_file) if config.source_file else "(none: defaults)",
        "database": safe_url(config.db_url),
        "job_store_table": JOBSTORE_TABLE,
    }
    if job is None:
        info["stored_job"] = "none (start the scheduler with `eventstudy schedule start`)"
        info["next_run"] = trigger.get_next_fire_time(None, now)
    else:
        info["stored_job"] = f"{job.trigger}" + ("" if _same_job(job, trigger, config) else " (differs from the config; replaced at next start)")
        info["next_run"] = job.next_run_time
        if job.next_run_time is not None and job.next_run_time < now:
            info["note"] = "the stored next run is in the past: it runs (late) when the scheduler starts, if within the grace time"
    return info
