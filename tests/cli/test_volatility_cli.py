"""``eventstudy study volatility`` on the real shared prices (AMD, 2025-10-06 OpenAI deal).

The reference is a statsmodels market-model fit on the raw CSV files (sessions [-250, -11] before day 0).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats
from typer.testing import CliRunner

from eventstudy.catalog import load_catalog
from eventstudy.cli import app
from eventstudy.db import open_db
from eventstudy.db.catalog_store import sync_catalog

CATALOG = Path(__file__).resolve().parent.parent / "study" / "catalog"
AMD_EVENT = "2025-10-06-openai-amd"


@pytest.fixture(scope="module")
def study_db(tmp_path_factory, prices_dir) -> Path:
    """A SQLite database with the study catalog and AMD, NVDA, ORCL, SPY prices, in journal_mode=delete (so a
    write or a WAL switch shows in the file)."""
    from eventstudy.prices.ingest import ingest_prices

    path = tmp_path_factory.mktemp("volatility") / "study.db"
    engine = open_db(f"sqlite:///{path}")
    sync_catalog(engine, load_catalog(CATALOG))
    report = ingest_prices(engine, f"files:{prices_dir}", ["AMD", "NVDA", "ORCL", "SPY"], progress=False)
    assert report.ok, report.failed
    engine.dispose()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode=delete")
    return path


def amd_day0(prices_dir: Path) -> tuple[float, float, int]:
    """AMD's day-0 market-model AR, the estimation residual variance (SSR / dof) and dof, from statsmodels."""
    close = {t: pd.read_csv(prices_dir / f"{t}.csv", index_col="Date", parse_dates=True)["Close"].loc["2024-06":"2025-12"]
             for t in ("AMD", "SPY")}
    r, m = close["AMD"].pct_change(), close["SPY"].pct_change()
    pos = m.index.get_loc(pd.Timestamp("2025-10-06"))
    fit = sm.OLS(r.iloc[pos - 250:pos - 10].to_numpy(), sm.add_constant(m.iloc[pos - 250:pos - 10].to_numpy())).fit()
    ar = r.iloc[pos] - fit.predict(np.array([[1.0, m.iloc[pos]]]))[0]
    return float(ar), float(fit.scale), int(fit.df_resid)


def test_amd_day0_variance_ratio_matches_statsmodels(study_db, prices_dir):
    ar, scale, _ = amd_day0(prices_dir)
    result = CliRunner().invoke(app, ["--db", str(study_db), "study", "volatility", "--event", AMD_EVENT, "--window", "0,0",
                                      "--per-event", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = {r["ticker"]: r for r in json.loads(result.stdout)}
    amd = rows["AMD"]
    assert amd["vr"] == pytest.approx(ar**2 / scale, rel=1e-8)
    assert amd["vr"] > 90  # a 23 % move on a 2.3 % residual SD: about 100 times the usual squared residual
    assert amd["p"] == pytest.approx(2 * stats.chi2.sf(ar**2 / scale, 1), rel=1e-6)
    assert amd["stars"] == "***"


def test_table_printed_exit_0_and_the_database_is_not_touched(study_db):
    before = study_db.read_bytes()
    result = CliRunner().invoke(app, ["--db", str(study_db), "study", "volatility", "--event", AMD_EVENT])
    assert result.exit_code == 0, result.output
    assert "Abnormal volatility" in result.stdout and "mean_vr" in result.stdout and "[0,0]" in result.stdout
    assert "***" in result.stdout  # the chi-square test on AMD's deal day
    assert study_db.read_bytes() == before
    assert not Path(f"{study_db}-wal").exists()



def test_greater_tests_a_rise_only(study_db, prices_dir):
    ar, scale, _ = amd_day0(prices_dir)
    args = ["--db", str(study_db), "study", "volatility", "--event", AMD_EVENT, "--window", "0,0", "--per-event", "--format", "json"]
    both = {r["ticker"]: r for r in json.loads(CliRunner().invoke(app, args).stdout)}
    result = CliRunner().invoke(app, [*args, "--alternative", "greater"])
    assert result.exit_code == 0, result.output
    rise = {r["ticker"]: r for r in json.loads(result.stdout)}
    assert rise["AMD"]["p"] == pytest.approx(stats.chi2.sf(ar**2 / scale, 1), rel=1e-6)
    calm = [t for t, r in both.items() if r["vr"] < 1]  # a day calmer than usual is no evidence of a rise
    assert calm and all(rise[t]["p"] == pytest.approx(stats.chi2.sf(both[t]["vr"], 1), rel=1e-9) and rise[t]["p"] > 0.3
                        for t in calm)
    bad = CliRunner().invoke(app, [*args, "--alternative", "less"])
    assert bad.exit_code == 2 and "Traceback" not in bad.output
