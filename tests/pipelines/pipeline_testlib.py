"""Helpers shared by the pipeline tests: a config file per test, subprocess runs, table counts."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import sqlalchemy as sa
from conftest import EVENTSTUDY

REPO = Path(__file__).resolve().parents[2]


def write_config(tmp_path: Path, db_url: str, prices_dir: Path | None = None, *, sections: str = "", **extra: str) -> Path:
    """A pipeline TOML in ``tmp_path`` pointing at ``db_url``, the repo's catalog and ``tmp_path/out``.

    ``extra`` are top-level ``key = value`` lines (values in TOML syntax); ``sections`` raw TOML appended.
    """
    lines = [
        f'db = "{db_url}"',
        f'price_source = "files:{prices_dir}"' if prices_dir else 'price_source = "yfinance"',
        f'catalog = "{REPO / "events"}"',
        f'output = "{tmp_path / "out"}"',
    ]
    lines += [f"{k} = {v}" for k, v in extra.items()]
    lines.append(sections)
    path = tmp_path / "pipeline.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EVENTSTUDY_")}
    env.update(extra)
    return env


def start_run(config: Path, *, pause_at: str | None = None) -> subprocess.Popen:
    """``eventstudy pipeline run --once`` in a subprocess (optionally paused at a step, see eventstudy.pipelines.nightly)."""
    env = clean_env(**({"EVENTSTUDY_PIPELINE_PAUSE_AT": pause_at, "EVENTSTUDY_PIPELINE_PAUSE_SECONDS": "120"} if pause_at else {}))
    return subprocess.Popen([str(EVENTSTUDY), "pipeline", "run", "--once", "--config", str(config)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def wait_for_pause(proc: subprocess.Popen, timeout: float = 120) -> list[str]:
    """Read the subprocess's stderr until it says it paused; return the lines read."""
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            if proc.poll() is not None:
                raise AssertionError(f"run ended (code {proc.returncode}) before pausing:\n" + "".join(lines) + proc.stderr.read())
            continue
        lines.append(line)
        if "pipeline paused at" in line:
            return lines
    raise AssertionError("run did not pause in time:\n" + "".join(lines))


def count(url: str, sql: str) -> int:
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as conn:
            return int(conn.exec_driver_sql(sql).scalar())
    finally:
        engine.dispose()


def rows(url: str, sql: str) -> list[tuple]:
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.exec_driver_sql(sql).all()]
    finally:
        engine.dispose()
