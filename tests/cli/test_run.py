"""The main job ``eventstudy run`` end to end on the shared price files."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from eventstudy.cli import app
from eventstudy.db import open_db
from eventstudy.db.study_tables import abnormal_returns, study_runs, study_tests
from conftest import EVENTSTUDY, REPO
from eventstudy.defaults import DEFAULT_WINDOWS, window_label

#: ``car_by_event.csv`` as every face writes it (eventstudy run --out, study run --out, the nightly report).
CAR_BY_EVENT_HEADER = ["event_id", "ticker", *(f"{m} {window_label(w)}" for m in ("car", "bhar") for w in DEFAULT_WINDOWS)]

CATALOG = Path(__file__).resolve().parent.parent / "study" / "catalog"
AMD_EVENT = "2025-10-06-openai-amd"
OUTPUTS = ("car.md", "car.tex", "car.html", "car.csv", "bhar.md", "car_by_role.md", "tests.csv", "firms.csv",
           "car_by_event.csv", "caar.png", "caar.svg", "car_events.png", "car_events.svg",
           "claims.md", "claims.tex", "claims.html", "claims.csv")


def _readme_python_blocks() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.M | re.S)


def test_main_job_on_the_repository_catalog(tmp_path, prices_dir, monkeypatch):
    """The README's first command (defaults: ./eventstudy.db, out/), then every Python block of the README in that folder."""
    out = tmp_path / "out"
    db = tmp_path / "eventstudy.db"
    env = {k: v for k, v in os.environ.items() if k not in ("EVENTSTUDY_DB", "EVENTSTUDY_PRICE_SOURCE")}
    proc = subprocess.run([EVENTSTUDY, "run", "--prices", f"files:{prices_dir}"],
                          capture_output=True, text=True, timeout=600, cwd=tmp_path, env=env)
    # Some catalog tickers (e.g. 9984.T) have no file in the shared folder: named in a warning, exit 0.
    assert proc.returncode == 0, proc.stderr
    assert "warning: no prices for catalog ticker(s)" in proc.stderr and "9984.T" in proc.stderr
    for name in OUTPUTS:
        assert (out / name).stat().st_size > 0, name
    assert AMD_EVENT in (out / "car_by_event.csv").read_text()
    assert AMD_EVENT in (out / "claims.md").read_text()
    claims = pd.read_csv(out / "claims.csv").set_index(["event_id", "ticker", "window"])
    amd = claims.loc[(AMD_EVENT, "AMD", "[0,2]")]
    assert round(amd["measured_pct"], 2) == 43.05 and amd["verdict"] == "matches"
    assert "CAAR (%)" in proc.stdout and "claims vs measured moves" in proc.stdout and "tables and plots in out" in proc.stdout
    engine = open_db(f"sqlite:///{db}")
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(study_runs)).scalar() == 1
        stored_events = set(conn.execute(sa.select(abnormal_returns.c.event_id).distinct()).scalars())
    assert AMD_EVENT in stored_events
    # Factor files beside the price folder were found and loaded.
    assert "factors F-F_Research_Data_Factors_daily.csv" in proc.stderr
    # One report writer: the per-event file has the documented columns.
    assert list(pd.read_csv(out / "car_by_event.csv", nrows=0).columns) == CAR_BY_EVENT_HEADER

    blocks = _readme_python_blocks()
    assert len(blocks) >= 2
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("EVENTSTUDY_DB", raising=False)
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)  # noqa: S102 - the README's own examples
    assert "AMD" in set(namespace["inputs"].events["ticker"])
    assert namespace["results"].car.shape[0] >= 1


def test_main_job_in_process_on_both_databases(db_url, tmp_path, prices_dir):
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["--db", db_url, "run", "--prices", f"files:{prices_dir}", "--catalog", str(CATALOG),
                                      "--out", str(out), "--window", "0,0", "--window", "0,2"])
    assert result.exit_code == 0, result.output
    for name in OUTPUTS:
        assert (out / name).exists(), name
    car = pd.read_csv(out / "car_by_event.csv").set_index(["event_id", "ticker"])
    engine = open_db(db_url)
    with engine.connect() as conn:
        rows = pd.DataFrame(conn.execute(sa.select(abnormal_returns)).mappings().all())
        n_tests = conn.execute(sa.select(sa.func.count()).select_from(study_tests)).scalar()
    # The stored daily ARs add up to the CARs in the written table.
    summed = rows[rows["event_day"].between(0, 2)].groupby(["event_id", "ticker"])["ar"].sum()
    pd.testing.assert_series_equal(summed.sort_index(), car["car [0,2]"].sort_index(), check_names=False, atol=1e-12, rtol=0)
    assert n_tests > 0
    assert "stored in" in result.stdout


@pytest.mark.slow
def test_main_job_offline_yfinance_fails_clearly(tmp_path):
    proc = subprocess.run([EVENTSTUDY, "--db", f"sqlite:///{tmp_path / 'y.db'}", "run", "--prices", "yfinance",
                           "--catalog", str(CATALOG), "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert proc.returncode == 4, proc.stderr
    assert "no prices could be ingested from yfinance" in proc.stderr and "AMD" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()
