"""Issue 10, study level: per-event table, return kinds, bad options, CAR regression and adjusted p-values.

Real prices (../shared/data); the references are statsmodels fits made here from the raw CSV files.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from conftest import run_cli
from typer.testing import CliRunner

from eventstudy.catalog import load_catalog
from eventstudy.cli import app
from eventstudy.db import open_db, open_existing
from eventstudy.db.catalog_store import sync_catalog
from eventstudy.db.studies import load_run

CATALOG = Path(__file__).resolve().parent.parent / "study" / "catalog"
AMD_EVENT = "2025-10-06-openai-amd"
TICKERS = ["AMD", "NVDA", "ORCL", "SPY"]
runner = CliRunner()


def invoke(db_url: str, *args: str):
    return runner.invoke(app, ["--db", db_url, *args])


@pytest.fixture
def study_db(sqlite_url, prices_dir):
    from eventstudy.prices.ingest import ingest_prices

    engine = open_db(sqlite_url)
    sync_catalog(engine, load_catalog(CATALOG))
    report = ingest_prices(engine, f"files:{prices_dir}", TICKERS, progress=False)
    assert report.ok, report.failed
    return sqlite_url


def _returns(prices_dir: Path, ticker: str, kind: str = "simple") -> pd.Series:
    close = pd.read_csv(prices_dir / f"{ticker}.csv", index_col="Date", parse_dates=True)["Close"]
    r = np.log(close / close.shift(1)) if kind == "log" else close.pct_change()
    return r.loc["2024-06":"2025-12"]


def prediction(prices_dir: Path, ticker: str, day0: str, kind: str = "simple") -> tuple[float, float]:
    """Day-0 AR and its prediction-error SE: statsmodels OLS on SPY over sessions [-250, -11], ``se_obs`` at day 0."""
    r, m = _returns(prices_dir, ticker, kind), _returns(prices_dir, "SPY", kind)
    pos = m.index.get_loc(pd.Timestamp(day0))
    fit = sm.OLS(r.iloc[pos - 250:pos - 10].to_numpy(), sm.add_constant(m.iloc[pos - 250:pos - 10].to_numpy())).fit()
    pred = fit.get_prediction(np.array([[1.0, m.iloc[pos]]]))
    return float(r.iloc[pos] - pred.predicted_mean[0]), float(pred.se_obs[0])


def test_per_event_table_amd(study_db, prices_dir, tmp_path):
    """AMD 2025-10-06: AR +23.13 %, t = 10.0 (market model on SPY, estimation [-250,-11]), printed, written and stored."""
    ar, se = prediction(prices_dir, "AMD", "2025-10-06")
    assert round(ar * 100, 2) == 23.13 and round(ar / se, 1) == 10.0  # the figures, from statsmodels
    result = invoke(study_db, "study", "run", "--event", AMD_EVENT, "--per-event", "--format", "csv", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    table = pd.read_csv(io.StringIO(result.stdout)).set_index(["ticker", "window"])
    row = table.loc[("AMD", "[0,0]")]
    assert row["car"] == pytest.approx(ar, abs=1e-10)
    assert row["car_se"] == pytest.approx(se, rel=1e-8)
    assert row["t"] == pytest.approx(ar / se, rel=1e-8) and row["stars"] == "***"
    assert len(table) == 2 * 5  # AMD and NVDA x the five default windows
    # Written by the report writer, and stored.
    written = pd.read_csv(tmp_path / "per_event.csv").set_index(["ticker", "window"])
    assert written.loc[("AMD", "[0,0]"), "t"] == pytest.approx(ar / se, rel=1e-8)
    assert "+23.13" in (tmp_path / "per_event.md").read_text()
    stored = load_run(open_existing(study_db)).per_event.set_index(["ticker", "window"])
    assert stored.loc[("AMD", "[0,0]"), "car"] == pytest.approx(ar, abs=1e-10)
    assert stored.loc[("AMD", "[0,0]"), "pvalue"] < 1e-10


def test_per_event_table_is_printed_under_the_caar_table(study_db):
    result = invoke(study_db, "study", "run", "--event", AMD_EVENT, "--no-store", "--window", "0,0")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.index("CAAR (%)") < out.index("Per-event CAR") and "+23.13" in out and "10.00***" in out
    assert "Headline test" in out and "Design: 2 event-firms on 1 day-0 dates; 2 share a day 0" in out


@pytest.mark.parametrize("kind", ["log", "simple"])
def test_return_kind_reaches_the_engine_and_the_stored_run(study_db, prices_dir, kind):
    result = invoke(study_db, "study", "run", "--event", AMD_EVENT, "--returns", kind, "--per-event", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = {(r["ticker"], r["window"]): r for r in json.loads(result.stdout)}
    ar, _ = prediction(prices_dir, "AMD", "2025-10-06", kind)
    assert rows[("AMD", "[0,0]")]["car"] == pytest.approx(ar, abs=1e-10)
    assert load_run(open_existing(study_db)).parameters["returns"] == f"{kind}, decimal"


@pytest.mark.parametrize("args, option", [
    (["--window=-1000000,1000000"], "--window"),
    (["--estimation=-100000,-11"], "--estimation"),
    (["--estimation=-20,-11"], "--min-obs"),
    (["--estimation=-250,0"], "--estimation"),
    (["--window=-20,5"], "--estimation"),
    (["--adjust", "bonf"], "--adjust"),
])
def test_bad_options_exit_2_before_any_data_is_read(tmp_path, args, option):
    db = tmp_path / "never.db"
    proc = run_cli("--db", db, "study", "run", *args)
    assert proc.returncode == 2, proc.stderr
    assert option in proc.stderr and "Traceback" not in proc.stderr
    if option != "--adjust":  # typer's own choice check prints a usage box; ours is one line
        assert len(proc.stderr.strip().splitlines()) == 1
    assert not db.exists()  # nothing was opened, created or loaded


def test_car_regression_matches_a_direct_statsmodels_fit(sqlite_url, prices_dir, repo_catalog):
    """CAR[0,2] on log amount and the confounded flag over the repo catalog: coefficients, HC1 and
    date-clustered SEs against statsmodels on a design matrix built by hand."""
    from eventstudy.db.catalog_store import load_events_frame
    from eventstudy.jobs import StudySettings, run_study
    from eventstudy.prices.ingest import ingest_prices

    engine = open_db(sqlite_url)
    sync_catalog(engine, load_catalog(repo_catalog))
    tickers = sorted({p.name[:-4] for p in prices_dir.glob("*.csv")} & set(load_events_frame(engine)["ticker"]) | {"SPY"})
    ingest_prices(engine, f"files:{prices_dir}", tickers, progress=False)
    result = invoke(sqlite_url, "study", "regress", "--window", "0,2", "--x", "log_amount", "--x", "confounded",
                    "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    coef = pd.DataFrame(doc["coefficients"]).set_index("term")
    assert list(coef.index) == ["Intercept", "log_amount", "confounded"]

    res = run_study(open_existing(sqlite_url), StudySettings(windows=((0, 2),)))
    firms = res.firms[res.firms["status"] == "ok"].reset_index(drop=True)
    amounts = load_events_frame(engine, extra=("amount_value",)).drop_duplicates("event_id").set_index("event_id")["amount_value"]
    data = pd.DataFrame({"y": res.car["[0,2]"].to_numpy(), "amount": firms["event_id"].map(amounts).to_numpy(dtype=float),
                         "conf": firms["confounded"].astype(float).to_numpy(), "date": firms["day0"].to_numpy()})
    data = data[data["amount"] > 0]
    x = np.column_stack([np.ones(len(data)), np.log(data["amount"]), data["conf"]])
    hc = sm.OLS(data["y"].to_numpy(), x).fit(cov_type="HC1", use_t=True)
    cl = sm.OLS(data["y"].to_numpy(), x).fit(cov_type="cluster", cov_kwds={"groups": pd.factorize(data["date"])[0]},
                                              use_t=True)
    assert doc["n"] == len(data) >= 10 and doc["n_clusters"] == data["date"].nunique()
    np.testing.assert_allclose(coef["coef"].to_numpy(), hc.params, rtol=1e-10)
    np.testing.assert_allclose(coef["se_hc"].to_numpy(), hc.bse, rtol=1e-8)
    np.testing.assert_allclose(coef["p_hc"].to_numpy(), hc.pvalues, rtol=1e-6)
    np.testing.assert_allclose(coef["se_cluster"].to_numpy(), cl.bse, rtol=1e-8)
    np.testing.assert_allclose(coef["p_cluster"].to_numpy(), cl.pvalues, rtol=1e-6)


def test_abnormal_volume_matches_a_log_volume_market_model(study_db, prices_dir):
    """AMD's day-0 abnormal log volume: statsmodels OLS of ln(1 + volume) on SPY's over sessions [-250, -11]."""
    vol = {t: pd.read_csv(prices_dir / f"{t}.csv", index_col="Date", parse_dates=True)["Volume"].loc["2024-06":"2025-12"]
           for t in ("AMD", "SPY")}
    v, m = np.log1p(vol["AMD"].astype(float)), np.log1p(vol["SPY"].astype(float))
    pos = m.index.get_loc(pd.Timestamp("2025-10-06"))
    fit = sm.OLS(v.iloc[pos - 250:pos - 10].to_numpy(), sm.add_constant(m.iloc[pos - 250:pos - 10].to_numpy())).fit()
    pred = fit.get_prediction(np.array([[1.0, m.iloc[pos]]]))
    av = v.iloc[pos] - pred.predicted_mean[0]
    result = invoke(study_db, "study", "volume", "--event", AMD_EVENT, "--window", "0,0", "--per-event", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = {r["ticker"]: r for r in json.loads(result.stdout)}
    assert rows["AMD"]["cav"] == pytest.approx(av, abs=1e-10)
    assert rows["AMD"]["t"] == pytest.approx(av / pred.se_obs[0], rel=1e-8)
    assert av > 1.5  # the deal day traded over four times the expected volume
