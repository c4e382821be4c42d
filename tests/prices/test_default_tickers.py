"""``default_tickers``: the catalog's listed tickers plus the benchmarks."""

from __future__ import annotations

import yaml

from eventstudy.catalog import load_catalog
from eventstudy.db import open_db
from eventstudy.db.catalog_store import sync_catalog
from eventstudy.prices.ingest import default_tickers


def test_catalog_tickers_then_benchmarks(db_url, repo_catalog):
    engine = open_db(db_url)
    sync_catalog(engine, load_catalog(repo_catalog))
    expected = set()
    for path in repo_catalog.glob("*.yaml"):
        for doc in yaml.safe_load_all(path.read_text()):
            for party in (doc or {}).get("parties", []):
                if party.get("ticker"):
                    expected.add(str(party["ticker"]).upper())
    tickers = default_tickers(engine)
    assert "AMD" in expected and "NVDA" in expected  # the parties of 2025-10-06-openai-amd.yaml
    assert tickers == list(dict.fromkeys([*sorted(expected), "SPY", "QQQ", "SMH"]))
