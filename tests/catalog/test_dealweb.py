"""The deal web on the repository's catalog: edges from roles and flows, cycles through OpenAI, reactions, files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from typer.testing import CliRunner

from eventstudy.catalog import load_catalog
from eventstudy.cli import app
from eventstudy.exceptions import CatalogError
from eventstudy.reporting.dealweb import build_web, deal_edges, find_cycles, spillover_candidates


@pytest.fixture(scope="module")
def events(repo_catalog_dir):
    return [entry.event for entry in load_catalog(repo_catalog_dir)]


@pytest.fixture(scope="module")
def repo_catalog_dir():
    from pathlib import Path

    return Path(__file__).resolve().parents[2] / "events"


def _edge_set(events):
    edges, _ = deal_edges(events)
    return {(e.source, e.target, e.kind, e.event_id) for e in edges}


def test_edges_follow_the_money(events):
    edges = _edge_set(events)
    assert ("OpenAI", "ORCL", "purchase", "2025-09-09-oracle-openai-300b") in edges       # customer -> supplier
    assert ("NVDA", "INTC", "investment", "2025-09-18-nvidia-intel-5b") in edges         # investor -> investee
    assert ("AMD", "OpenAI", "warrants", "2025-10-06-openai-amd") in edges               # flow: grantor -> holder
    assert ("OpenAI", "NVDA", "purchase", "2025-09-22-nvidia-openai-10gw") in edges      # flow the roles cannot say
    assert ("BLK", "Aligned Data Centers", "acquisition", "2025-10-15-aligned-data-centers") in edges
    # The private CoreWeave of March is the CRWV listed later: one node.
    assert ("OpenAI", "CRWV", "purchase", "2025-03-10-openai-coreweave") in edges
    # No edge between a competitor and anyone: NVDA is only named beside the AMD deal.
    assert not any(e[3] == "2025-10-06-openai-amd" and "NVDA" in e[:2] for e in edges)


def test_cycles_through_openai(events):
    cycles = find_cycles(build_web(events))
    assert {"NVDA -> OpenAI -> NVDA", "AMD -> OpenAI -> AMD"} <= set(cycles["cycle"])
    nvda = cycles.set_index("cycle").loc["NVDA -> OpenAI -> NVDA"]
    assert "up to $100B [investment]" in nvda["steps"] and "10 GW of NVIDIA systems [purchase]" in nvda["steps"]
    assert all("OpenAI" in c for c in cycles["cycle"])
    # Without the 10 GW deal (before --since) that cycle is gone, the AMD one stays.
    later = find_cycles(build_web(events, since=pd.Timestamp("2025-10-01").date()))
    assert set(later["cycle"]) == {"AMD -> OpenAI -> AMD"}


def test_spillover_candidates_name_suppliers_and_competitors(events):
    cand = spillover_candidates(events)
    amd = cand[cand["event_id"] == "2025-10-06-openai-amd"].set_index("ticker")["relation"]
    assert amd["AMD"] == "party: supplier" and amd["NVDA"] == "party: competitor"
    assert amd["ORCL"] == "supplier of OpenAI (2025-09-09-oracle-openai-300b)"
    assert amd["AVGO"] == "supplier of OpenAI (2025-10-13-openai-broadcom)"


def test_a_flow_must_join_parties_of_its_event(tmp_path, repo_catalog_dir):
    text = (repo_catalog_dir / "2025-10-06-openai-amd.yaml").read_text(encoding="utf-8")
    (tmp_path / "2025-10-06-openai-amd.yaml").write_text(text.replace("to: OpenAI", "to: OpenAl"), encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_catalog(tmp_path)
    assert "2025-10-06-openai-amd.yaml:" in str(err.value) and "'OpenAl' is not a party" in str(err.value)


def _day0_ar_pct(prices_dir, ticker: str, day0: str) -> float:
    """Market-model AR on day 0 (percent), statsmodels OLS over sessions -250..-11, simple price returns."""
    close = pd.concat({t: pd.read_csv(prices_dir / f"{t}.csv", parse_dates=["Date"], index_col="Date")["Close"]
                       for t in (ticker, "SPY")}, axis=1).dropna()
    ret = (close / close.shift(1) - 1.0).dropna()
    pos = ret.index.get_loc(pd.Timestamp(day0))
    est = ret.iloc[pos - 250: pos - 10]
    fit = sm.OLS(est[ticker], sm.add_constant(est["SPY"])).fit()
    return 100.0 * float(ret[ticker].iloc[pos] - fit.predict(np.array([[1.0, ret["SPY"].iloc[pos]]]))[0])


def test_events_web_after_a_study(tmp_path, prices_dir, repo_catalog_dir):
    db = f"sqlite:///{tmp_path / 'w.db'}"
    runner = CliRunner()
    ran = runner.invoke(app, ["--db", db, "run", "--prices", f"files:{prices_dir}", "--catalog", str(repo_catalog_dir),
                              "--out", str(tmp_path / "out"), "--window", "0,0", "--window", "0,2"])
    assert ran.exit_code == 0, ran.output
    out = tmp_path / "web"
    result = runner.invoke(app, ["--db", db, "events", "web", "--out", str(out), "--catalog", str(repo_catalog_dir),
                                 "--format", "csv"])
    assert result.exit_code == 0, result.output
    for name in ("deal_web.png", "deal_web.svg", "deal_web.html", "cycles.csv", "spillover.csv"):
        assert (out / name).stat().st_size > 1000 or name.endswith(".csv"), name
    assert (out / "deal_web.png").read_bytes()[:4] == b"\x89PNG" and b"plotly" in (out / "deal_web.html").read_bytes()
    cycles = pd.read_csv(out / "cycles.csv").set_index("cycle")
    assert f"AMD: {_day0_ar_pct(prices_dir, 'AMD', '2025-10-06'):+.2f}%" in cycles.loc["AMD -> OpenAI -> AMD", "reactions"]
    spill = pd.read_csv(out / "spillover.csv").set_index(["event_id", "ticker"])
    # ORCL is no party of the AMD deal: its reaction is measured for the spill-over table.
    orcl = spill.loc[("2025-10-06-openai-amd", "ORCL")]
    assert orcl["abnormal_return_day0_pct"] == pytest.approx(_day0_ar_pct(prices_dir, "ORCL", "2025-10-06"), abs=1e-6)


def test_events_web_without_a_database_draws_uncoloured(tmp_path, repo_catalog_dir):
    result = CliRunner().invoke(app, ["--db", str(tmp_path / "none.db"), "events", "web", "--out", str(tmp_path / "w"),
                                      "--catalog", str(repo_catalog_dir)])
    assert result.exit_code == 0, result.output
    assert "note: no database at" in result.stderr and (tmp_path / "w" / "deal_web.png").exists()
    assert not (tmp_path / "none.db").exists()
