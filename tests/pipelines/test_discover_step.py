"""The nightly ``discover`` step end to end: EDGAR stand-in -> auto-accepted catalog files -> same night's studies.

Runs ``run_pipeline`` with the step in front of the default steps (as the lead wires it) on
the shared reference prices; the stand-in's NVDA (after-close 2024-03-18, from an older
submissions page; pre-open 2025-09-18) and INTC (after-close 2025-09-22) 8-Ks must come out as catalog events whose per-event studies are stored.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "sources"))
from edgar_standin import EdgarStandIn  # noqa: E402
from eventstudy.catalog import load_catalog  # noqa: E402
from pipeline_testlib import REPO, rows  # noqa: E402
from eventstudy.pipelines.config import load_config  # noqa: E402
from eventstudy.pipelines.nightly import DEFAULT_STEPS, Step, run_pipeline, step_discover  # noqa: E402

pytestmark = [pytest.mark.shared_data]


def _day0_pct(prices_dir, ticker: str, day: str) -> float:
    """Close-to-close total return in percent from the CSV files (dividend on that ex-date added)."""
    close = pd.read_csv(prices_dir / f"{ticker}.csv", index_col="Date", parse_dates=True)["Close"]
    divs = prices_dir / f"{ticker}_dividends.csv"
    div = pd.read_csv(divs, index_col="Date", parse_dates=True).iloc[:, 0] if divs.exists() else pd.Series(dtype=float)
    i = close.index.get_loc(pd.Timestamp(day))
    return round(100 * ((close.iloc[i] + float(div.get(pd.Timestamp(day), 0.0))) / close.iloc[i - 1] - 1), 2)


def test_discover_step_auto_accepts_into_the_same_nights_studies(prices_dir, tmp_path, monkeypatch):
    db = f"sqlite:///{tmp_path / 'x.db'}"
    catalog = tmp_path / "events"
    catalog.mkdir()
    shutil.copy(REPO / "events" / "2025-10-06-openai-amd.yaml", catalog)
    monkeypatch.setenv("EVENTSTUDY_SEC_USER_AGENT", "Event Study Tests tests@example.com")
    monkeypatch.setenv("EVENTSTUDY_SEC_CACHE", str(tmp_path / "sec"))
    monkeypatch.delenv("EVENTSTUDY_DB", raising=False)
    monkeypatch.delenv("EVENTSTUDY_PRICE_SOURCE", raising=False)
    config_file = tmp_path / "pipeline.toml"
    config_file.write_text(
        f'db = "{db}"\nprice_source = "files:{prices_dir}"\ncatalog = "{catalog}"\noutput = "{tmp_path / "out"}"\n'
        '[discover]\nenabled = true\ntickers = ["NVDA", "INTC"]\nauto_accept = true\nlookback_days = 3650\n', encoding="utf-8")
    config = load_config(config_file)
    steps = [Step("discover", step_discover), *(s for s in DEFAULT_STEPS if s.name in ("catalog", "ingest", "studies", "reports"))]
    with EdgarStandIn() as sec:
        monkeypatch.setenv("EVENTSTUDY_SEC_URL", sec.url)
        outcome = run_pipeline(config, steps=steps, progress=False)
        # (The run is partial only because the reference folder has no SMH file for the default benchmarks.)
        assert {s["step"]: s["status"] for s in outcome.steps} == {"discover": "ok", "catalog": "ok", "ingest": "partial", "studies": "ok", "reports": "ok"}
        events = {e.event.id: e.event for e in load_catalog(catalog)}
        found = {(e.tickers[0], e.date.isoformat(), e.timing.value) for e in events.values() if e.id != "2025-10-06-openai-amd"}
        assert found == {("NVDA", "2024-03-18", "after-close"), ("NVDA", "2025-09-18", "pre-open"), ("INTC", "2025-09-22", "after-close")}
        studied = {key for (key,) in rows(db, "SELECT key FROM pipeline_fingerprints WHERE kind = 'study' AND result_id IS NOT NULL")}
        assert set(events) <= studied
        summary = next((tmp_path / "out").iterdir()) / "summary.md"
        assert f"- #2 NVDA 2025-09-18 pre-open: day 0 2025-09-18, {_day0_pct(prices_dir, 'NVDA', '2025-09-18'):+.2f} vs" in summary.read_text()
        assert f"- #3 INTC 2025-09-22 after-close: day 0 2025-09-23, {_day0_pct(prices_dir, 'INTC', '2025-09-23'):+.2f} vs" in summary.read_text()
        # A second night finds nothing new.
        again = run_pipeline(config, steps=steps[:1], progress=False)
    (note,) = rows(db, f"SELECT rows FROM pipeline_steps WHERE run_id = {again.run_id} AND step = 'discover'")[0]
    assert note == 0
