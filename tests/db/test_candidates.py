"""Candidate SQL (``eventstudy.db.candidates``) on SQLite and a real PostgreSQL server."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "sources"))
from edgar_standin import EdgarStandIn  # noqa: E402
from eventstudy.catalog.discovery import discover  # noqa: E402
from eventstudy.db import open_db  # noqa: E402
from eventstudy.db.candidates import add_candidates, candidate_events, list_candidates, set_status  # noqa: E402
from eventstudy.sources.edgar import EdgarClient  # noqa: E402


def test_store_list_decide_round_trip(db_url, tmp_path):
    with EdgarStandIn() as sec:
        client = EdgarClient(user_agent="Tests tests@example.com", base_url=sec.url, cache_dir=tmp_path / "c")
        found = discover(client, ["NVDA", "INTC"], since=dt.date(2025, 7, 1), until=dt.date(2025, 10, 31)).candidates
    engine = open_db(db_url)
    ids = add_candidates(engine, found)
    assert len(ids) == 2 and add_candidates(engine, found) == []
    listed = list_candidates(engine)
    assert list(listed["ticker"]) == ["NVDA", "INTC"]  # by acceptance time
    stamps = {t: ts for t, ts in zip(listed["ticker"], listed["accepted_at"])}
    # 07:02:11 New York (EDT) is 11:02:11 UTC; 16:05:30 EDT is 20:05:30 UTC.
    assert (stamps["NVDA"].hour, stamps["NVDA"].minute, stamps["INTC"].hour, stamps["INTC"].minute) == (11, 2, 20, 5)
    events = candidate_events(engine)
    assert {e.tickers[0] for e in events.values()} == {"NVDA", "INTC"}
    assert set_status(engine, [ids[0]], "rejected") == 1
    assert list(list_candidates(engine, status="new")["id"]) == [ids[1]]
    engine.dispose()
