"""``eventstudy study run`` and ``eventstudy claims check`` on the real 2025 prices.

The reference numbers are computed here from the raw CSV files with a plain
statsmodels OLS market model per event-firm, independently of the engine.
"""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from typer.testing import CliRunner

from eventstudy.catalog import load_catalog
from eventstudy.cli import app
from eventstudy.db import open_db
from eventstudy.db.catalog_store import sync_catalog
from eventstudy.exceptions import ConfigError, DataError, EventStudyError
from eventstudy.db.studies import load_run
from conftest import EVENTSTUDY

CATALOG = Path(__file__).resolve().parent.parent / "study" / "catalog"
AMD_EVENT = "2025-10-06-openai-amd"
runner = CliRunner()


def _returns(prices_dir: Path, ticker: str) -> pd.Series:
    close = pd.read_csv(prices_dir / f"{ticker}.csv", index_col="Date", parse_dates=True)["Close"]
    return close.pct_change().loc["2024-06":"2025-12"]


def market_model_car(prices_dir: Path, ticker: str, day0: str, window: tuple[int, int]) -> tuple[float, pd.Series]:
    """CAR over ``window`` and the ARs over [-5, 10]: OLS of r on SPY over sessions [-250, -11] (statsmodels)."""
    r, m = _returns(prices_dir, ticker), _returns(prices_dir, "SPY")
    pos = m.index.get_loc(pd.Timestamp(day0))
    est = slice(pos - 250, pos - 10)
    fit = sm.OLS(r.iloc[est].to_numpy(), sm.add_constant(m.iloc[est].to_numpy())).fit()
    a, b = fit.params
    offsets = range(-5, 11)
    ar = pd.Series([r.iloc[pos + k] - a - b * m.iloc[pos + k] for k in offsets], index=list(offsets))
    return float(ar.loc[window[0]:window[1]].sum()), ar


@pytest.fixture
def study_db(sqlite_url, prices_dir):
    from eventstudy.prices.ingest import ingest_prices

    engine = open_db(sqlite_url)
    sync_catalog(engine, load_catalog(CATALOG))
    report = ingest_prices(engine, f"files:{prices_dir}", ["AMD", "NVDA", "ORCL", "SPY"], progress=False)
    assert report.ok, report.failed
    return sqlite_url


def invoke(db_url: str, *args: str):
    return runner.invoke(app, ["--db", db_url, *args])


def test_study_run_table_matches_statsmodels(study_db, prices_dir, tmp_path):
    out = tmp_path / "out"
    result = invoke(study_db, "study", "run", "--event", AMD_EVENT, "--window", "0,2", "--window=-1,1",
                    "--format", "csv", "--out", str(out))
    assert result.exit_code == 0, result.output
    tables = pd.read_csv(io.StringIO(result.stdout), dtype=str, keep_default_na=False)
    assert set(tables["measure"]) == {"CAR", "BHAR"}
    table = tables[tables["measure"] == "CAR"].set_index("row")
    ref = {w: np.mean([market_model_car(prices_dir, t, "2025-10-06", w)[0] for t in ("AMD", "NVDA")]) for w in [(0, 2), (-1, 1)]}
    assert table.at["CAAR (%)", "[0,2]"].rstrip("*") == f"{ref[(0, 2)] * 100:.2f}"
    assert table.at["CAAR (%)", "[-1,1]"].rstrip("*") == f"{ref[(-1, 1)] * 100:.2f}"
    assert table.at["N", "[0,2]"] == "2"
    # Files: tables in four formats, plots in two.
    for name in ("car.md", "car.tex", "car.html", "car.csv", "bhar.md", "tests.csv", "caar.png", "caar.svg", "car_events.svg"):
        assert (out / name).stat().st_size > 0, name
    assert AMD_EVENT in (out / "car_by_event.csv").read_text()


def test_study_run_stores_what_statsmodels_gives(study_db, prices_dir):
    result = invoke(study_db, "study", "run", "--ticker", "AMD", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    stored = load_run(open_db(study_db), doc["run_id"])
    _, ref = market_model_car(prices_dir, "AMD", "2025-10-06", (0, 0))
    got = stored.ar[(AMD_EVENT, "AMD")]
    np.testing.assert_allclose(got.loc[-5:10].to_numpy(), ref.to_numpy(), rtol=0, atol=1e-10)
    assert stored.parameters["selection"] == {"ticker": "AMD"}
    assert stored.firms["status"].tolist() == ["ok"]
    assert [t["measure"] for t in doc["tables"]] == ["CAR", "BHAR"]
    car = doc["tables"][0]
    assert car["values"]["mean"]["[0,0]"] == pytest.approx(ref.loc[0], abs=1e-10)
    assert car["values"]["mean"]["[0,2]"] == pytest.approx(ref.loc[0:2].sum(), abs=1e-10)
    assert car["cells"]["N"]["[0,2]"] == "1"
    assert set(stored.tests["measure"]) == {"CAR", "BHAR"}


def test_study_run_by_role_and_markdown(study_db):
    result = invoke(study_db, "study", "run", "--group", "role", "--format", "markdown", "--no-store")
    assert result.exit_code == 0, result.output
    for role in ("supplier", "competitor", "investor", "partner"):
        assert f"role = {role}" in result.stdout
    assert "| CAAR (%)" in result.stdout


def test_unknown_event_is_named(study_db):
    result = invoke(study_db, "study", "run", "--event", "2099-01-01-nothing")
    assert isinstance(result.exception, EventStudyError)
    assert "2099-01-01-nothing" in str(result.exception)


@pytest.mark.parametrize("bad", ["0-2", "1", "a,b", "3,1"])
def test_bad_window_syntax(study_db, bad):
    result = invoke(study_db, "study", "run", f"--window={bad}")
    assert isinstance(result.exception, ConfigError) and result.exception.exit_code == 2
    assert "--window" in str(result.exception) and repr(bad) in str(result.exception)


def test_bad_window_exit_code_from_the_real_cli(study_db):
    proc = subprocess.run([EVENTSTUDY, "--db", study_db, "study", "run", "--window", "0-2"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2
    assert "error: --window '0-2' is not a window" in proc.stderr and "Traceback" not in proc.stderr


def test_missing_prices_name_the_ticker(sqlite_url, prices_dir):
    from eventstudy.prices.ingest import ingest_prices

    engine = open_db(sqlite_url)
    sync_catalog(engine, load_catalog(CATALOG))
    ingest_prices(engine, f"files:{prices_dir}", ["AMD", "SPY"], progress=False)
    result = invoke(sqlite_url, "study", "run", "--event", "2025-09-09-oracle-openai")
    assert isinstance(result.exception, DataError)
    assert "ORCL" in str(result.exception) and "eventstudy prices ingest" in str(result.exception)


def test_claims_check_csv(study_db, tmp_path):
    assert invoke(study_db, "study", "run", "--format", "csv").exit_code == 0  # gives the model CARs
    result = invoke(study_db, "claims", "check", "--format", "csv", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    checked = pd.read_csv(io.StringIO(result.stdout)).set_index(["ticker", "window"])
    assert round(checked.at[("AMD", "[0,2]"), "measured_pct"], 2) == 43.05
    assert round(checked.at[("ORCL", "[0,0]"), "measured_pct"], 2) == 35.95
    assert round(checked.at[("NVDA", "[0,0]"), "measured_pct"], 2) == 3.93
    assert checked["verdict"].to_dict() == {("AMD", "[0,2]"): "matches", ("AMD", "[0,1]"): "overstated",
                                            ("ORCL", "[0,0]"): "overstated", ("NVDA", "[0,0]"): "matches"}
    assert checked["car_pct"].notna().all()
    assert (tmp_path / "claims.md").read_text().count("overstated") == 2


def test_claims_check_table_notes_intraday_high(study_db):
    result = invoke(study_db, "claims", "check")
    assert result.exit_code == 0, result.output
    assert "intraday high +43.15%" in result.stdout
    assert "max(1 pp, 5% of |claimed|)" in result.stdout


def test_every_command_has_help():
    for group, commands in (("study", ["run"]), ("claims", ["check"])):
        for cmd in commands:
            result = runner.invoke(app, [group, cmd, "--help"])
            assert result.exit_code == 0 and "Example:" in result.stdout
    assert "Example:" in runner.invoke(app, ["run", "--help"]).stdout


def test_tests_that_cannot_be_computed_keep_their_reason(study_db):
    """One event-firm: the cross-sectional tests are undefined and say why, in the DB too."""
    result = invoke(study_db, "study", "run", "--event", "2025-09-09-oracle-openai", "--format", "json")
    assert result.exit_code == 0, result.output
    stored = load_run(open_db(study_db), json.loads(result.stdout)["run_id"]).tests
    undefined = stored[stored["statistic"].isna()]
    assert len(undefined) > 0 and undefined["reason"].notna().all()
    assert stored.loc[stored["statistic"].notna(), "reason"].isna().all()


def test_firms_without_prices_are_skipped_and_named(sqlite_url, prices_dir):
    from eventstudy.prices.ingest import ingest_prices

    engine = open_db(sqlite_url)
    sync_catalog(engine, load_catalog(CATALOG))
    ingest_prices(engine, f"files:{prices_dir}", ["AMD", "NVDA", "SPY"], progress=False)
    result = runner.invoke(app, ["--db", sqlite_url, "study", "run", "--format", "csv"])
    assert result.exit_code == 0, result.output
    stored = load_run(open_db(sqlite_url))
    status = stored.firms.set_index(["event_id", "ticker"])["status"]
    assert status[("2025-09-09-oracle-openai", "ORCL")] == "no returns for this ticker"
    assert status[(AMD_EVENT, "AMD")] == "ok"
    assert "skipped 2025-09-09-oracle-openai ORCL: no returns for this ticker (load them: eventstudy prices ingest --tickers ORCL)" in result.stderr
    assert not stored.ar.columns.get_level_values("ticker").isin(["ORCL"]).any()
