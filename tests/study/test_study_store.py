"""From the database to the engine: event selection, return spans, confounders stated in the catalog."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from eventstudy.catalog import load_catalog
from eventstudy.db import open_db
from eventstudy.db.catalog_store import sync_catalog
from eventstudy.exceptions import ConfigError, EventStudyError
from eventstudy.jobs.study import StudySettings, catalog_confounders, date_span, run_study, select_events

CATALOG = Path(__file__).resolve().parent / "catalog"


def test_catalog_confounders_apply_to_named_tickers_or_every_party():
    known = {("e1", None): "market rally.", ("e1", "ORCL"): "FQ1 earnings.", ("e2", "PLTR"): "Q3 results."}
    assert catalog_confounders(known, "e1", "ORCL") == "market rally. FQ1 earnings."
    assert catalog_confounders(known, "e1", "NVDA") == "market rally."
    assert catalog_confounders(known, "e2", "NVDA") == ""
    assert catalog_confounders(known, "e3", "AMD") == ""


def test_date_span_covers_estimation_and_windows():
    announced = pd.Series(pd.to_datetime(["2025-03-03", "2025-10-06"]))
    start, end = date_span(announced, (-250, -11), [(0, 10), (-5, 5)])
    import exchange_calendars as xcals

    nyse = xcals.get_calendar("XNYS", start="2023-01-01")
    before = nyse.sessions_in_range(pd.Timestamp(start), pd.Timestamp("2025-03-03"))
    after = nyse.sessions_in_range(pd.Timestamp("2025-10-06"), pd.Timestamp(end))
    # Day 0 plus 250 sessions before the first event, day 0 plus 10 after the last, on the NYSE calendar;
    # and no more than a session or two of slack (the span is asked of the calendar, not guessed).
    assert 251 <= len(before) <= 253
    assert 11 <= len(after) <= 13


@pytest.fixture
def engine(db_url, prices_dir):
    from eventstudy.prices.ingest import ingest_prices

    engine = open_db(db_url)
    sync_catalog(engine, load_catalog(CATALOG))
    assert ingest_prices(engine, f"files:{prices_dir}", ["AMD", "NVDA", "ORCL", "SPY"], progress=False).ok
    return engine


def test_selection_and_confounders_reach_the_results(engine):
    assert set(select_events(engine, role="competitor")["ticker"]) == {"NVDA"}
    assert list(select_events(engine, ticker="orcl")["event_id"]) == ["2025-09-09-oracle-openai", "2025-09-22-nvidia-openai"]
    results = run_study(engine, StudySettings(windows=[(0, 0)]), event_ids=["2025-09-09-oracle-openai"])
    firm = results.firms.iloc[0]
    assert firm["day0"] == pd.Timestamp("2025-09-10")  # after-close: the next session
    assert firm["status"] == "ok" and firm["n_est"] == 240
    assert firm["confounded"] and "FQ1 earnings" in firm["confounded_by"]


def test_selection_errors(engine):
    with pytest.raises(EventStudyError, match="2099-nothing"):
        select_events(engine, event_ids=["2099-nothing", "2025-10-06-openai-amd"])
    with pytest.raises(EventStudyError, match="no catalog event-firm matches"):
        select_events(engine, ticker="AMD", role="investor")
    with pytest.raises(ConfigError, match="unknown model"):
        run_study(engine, StudySettings(model="capm-ish"))
