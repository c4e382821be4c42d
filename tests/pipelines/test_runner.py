"""The run machinery with simple steps: history, failures that keep earlier results, nothing-new, interrupted runs."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from eventstudy.db import open_db
from eventstudy.exceptions import DataError, LockHeld
from eventstudy.pipelines.config import PipelineConfig
from eventstudy.db.locks import PipelineLock
from eventstudy.pipelines.nightly import Step, StepResult, last_run, run_history, run_pipeline


@pytest.fixture
def setup(db_url, tmp_path):
    engine = open_db(db_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE results (k VARCHAR(20) PRIMARY KEY, v INTEGER)")
    yield engine, PipelineConfig(db_url=db_url, output_dir=tmp_path / "out")
    engine.dispose()


def _upsert(ctx, k, v):
    with ctx.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM results WHERE k = :k"), {"k": k})
        conn.execute(sa.text("INSERT INTO results VALUES (:k, :v)"), {"k": k, "v": v})


def _results(engine):
    with engine.connect() as conn:
        return dict(conn.exec_driver_sql("SELECT k, v FROM results").all())


def test_failing_step_is_recorded_and_does_not_wipe_earlier_results(setup):
    engine, cfg = setup

    def write(ctx):
        _upsert(ctx, "a", 1)
        return StepResult(rows=1, changed=True, note="wrote a")

    def broken(ctx):
        raise DataError("AMD.csv line 7: close is not a number")

    def after(ctx):
        _upsert(ctx, "b", 2)
        return StepResult(rows=1, changed=True)

    outcome = run_pipeline(cfg, steps=[Step("write", write), Step("broken", broken), Step("after", after)], engine=engine)
    assert outcome.status == "failed" and outcome.exit_code == 1
    assert _results(engine) == {"a": 1, "b": 2}
    hist = run_history(engine)
    assert list(hist["step"]) == ["write", "broken", "after"]
    assert list(hist["step_status"]) == ["ok", "failed", "ok"]
    assert list(hist["rows"]) == [1, None, 1]
    assert "AMD.csv line 7" in hist.loc[1, "error"]
    assert all(hist["finished_at"].notna()) and hist.loc[0, "run_status"] == "failed"
    assert (outcome.report_dir / "pipeline.log").read_text().count("AMD.csv line 7") >= 1


def test_nothing_new_is_said_and_partial_is_distinct(setup):
    engine, cfg = setup
    idle = Step("idle", lambda ctx: StepResult(note="idle: nothing to do"))
    outcome = run_pipeline(cfg, steps=[idle], engine=engine)
    assert (outcome.status, outcome.exit_code) == ("nothing-new", 0)
    assert outcome.summary.startswith("Nothing new")
    some = Step("some", lambda ctx: StepResult(rows=3, changed=True, status="partial", error="XYZ: no data"))
    outcome = run_pipeline(cfg, steps=[idle, some], engine=engine)
    assert (outcome.status, outcome.exit_code) == ("partial", 5)
    assert last_run(engine)["status"] == "partial"


def test_run_while_locked_is_refused_and_not_recorded(setup):
    engine, cfg = setup
    with PipelineLock(engine):
        with pytest.raises(LockHeld):
            run_pipeline(cfg, steps=[Step("idle", lambda ctx: StepResult())], engine=engine)
    assert last_run(engine) is None


def test_a_dead_running_run_is_marked_interrupted_by_the_next(setup):
    engine, cfg = setup
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO pipeline_runs (started_at, status, trigger) VALUES ('2026-01-05 23:30:00', 'running', 'scheduled')")
        conn.exec_driver_sql(
            "INSERT INTO pipeline_steps (run_id, step, started_at, status) VALUES (1, 'studies', '2026-01-05 23:31:00', 'running')")
    run_pipeline(cfg, steps=[Step("idle", lambda ctx: StepResult())], engine=engine)
    hist = run_history(engine)
    old = hist[hist["run_id"] == 1].iloc[0]
    assert (old["run_status"], old["step_status"]) == ("interrupted", "interrupted")


def test_stop_request_ends_the_run_interrupted_after_the_current_item(setup):
    engine, cfg = setup
    stop = threading.Event()
    seen = []

    def loop(ctx):
        for _, k in ctx.items(["x", "y", "z"], "items"):
            _upsert(ctx, k, 0)
            seen.append(k)
            stop.set()  # e.g. SIGTERM arrives while "x" is processed
        return StepResult(rows=len(seen), changed=True)

    outcome = run_pipeline(cfg, steps=[Step("loop", loop), Step("never", lambda ctx: StepResult())], stop=stop, engine=engine)
    assert outcome.status == "interrupted"
    assert seen == ["x"] and _results(engine) == {"x": 0}
    assert list(run_history(engine)["step"]) == ["loop"]
