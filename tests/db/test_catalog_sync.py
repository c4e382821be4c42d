"""Loading the catalog into the database: idempotent, edits replace children, removals are reported, bad catalogs write nothing.

Runs on SQLite and on a real PostgreSQL server (``db_url``).  Expected row counts
come from reading the YAML files with plain ``yaml.safe_load``, not from the loader.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from conftest import REPO
from eventstudy.catalog import load_catalog
from eventstudy.jobs import load_catalog_into_db
from eventstudy.db import open_db
from eventstudy.db.catalog_store import get_event, list_events, load_claims_frame, load_events_frame, sync_catalog
from eventstudy.exceptions import CatalogError

TABLES = ("events", "event_parties", "event_sources", "claims")


@pytest.fixture
def catalog(tmp_path) -> Path:
    """A private copy of the repository catalog that tests may edit."""
    folder = tmp_path / "events"
    shutil.copytree(REPO / "events", folder)
    return folder


def dump(engine) -> dict[str, list[tuple]]:
    """Every row of the catalog tables, in primary-key order."""
    meta = sa.MetaData()
    meta.reflect(engine, only=TABLES)
    out = {}
    with engine.connect() as conn:
        for name in TABLES:
            table = meta.tables[name]
            out[name] = [tuple(r) for r in conn.execute(sa.select(table).order_by(*table.primary_key.columns)).all()]
    return out


def expected_counts(folder: Path) -> dict[str, int]:
    data = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in folder.glob("*.yaml")]
    return {
        "events": len(data),
        "event_parties": sum(len(d["parties"]) for d in data),
        "event_sources": sum(len(d["sources"]) for d in data),
        "claims": sum(len(d.get("claims") or []) for d in data),
    }


def rows_for(engine, event_id: str) -> dict[str, int]:
    with engine.connect() as conn:
        out = {"events": conn.execute(sa.text("select count(*) from events where id = :i"), {"i": event_id}).scalar()}
        for name in TABLES[1:]:
            out[name] = conn.execute(sa.text(f"select count(*) from {name} where event_id = :i"), {"i": event_id}).scalar()
    return out


def test_load_then_reload_changes_nothing(db_url, catalog):
    engine = open_db(db_url)
    first = sync_catalog(engine, load_catalog(catalog))
    ids = sorted(p.stem for p in catalog.glob("*.yaml"))
    assert sorted(first.inserted) == ids and not (first.updated or first.removed or first.unchanged)
    before = dump(engine)
    assert {k: len(v) for k, v in before.items()} == expected_counts(catalog)

    second = sync_catalog(engine, load_catalog(catalog))
    assert sorted(second.unchanged) == ids and not (second.inserted or second.updated or second.removed)
    assert dump(engine) == before  # row for row, loaded_at included


def test_loaded_rows_match_the_yaml(db_url, catalog):
    engine = open_db(db_url)
    sync_catalog(engine, load_catalog(catalog))
    raw = yaml.safe_load((catalog / "2025-10-06-openai-amd.yaml").read_text(encoding="utf-8"))
    stored = get_event(engine, "2025-10-06-openai-amd")
    assert str(stored["announced"]) == str(raw["date"]) and stored["timing"] == raw["timing"]
    assert [(p["name"], p["ticker"], p["role"]) for p in stored["parties"]] == [(p["name"], p.get("ticker"), p["role"]) for p in raw["parties"]]
    assert [(c["ticker"], c["window_start"], c["window_end"], c["claimed_move_pct"]) for c in stored["claims"]] == [
        (c["ticker"], c["window"][0], c["window"][1], c["move_pct"]) for c in raw["claims"]
    ]
    # 160 million (scale) -> whole units in the database
    assert stored["amount_value"] == pytest.approx(raw["amount"]["value"] * 1e6)

    frame = load_events_frame(engine)
    listed = sum(1 for p in catalog.glob("*.yaml") for party in yaml.safe_load(p.read_text(encoding="utf-8"))["parties"] if party.get("ticker"))
    assert len(frame) == listed
    assert list(frame.columns) == ["event_id", "announced", "timing", "deal_type", "ticker", "role", "name"]
    claims = load_claims_frame(engine)
    assert len(claims) == expected_counts(catalog)["claims"]
    amd = list_events(engine, ticker="amd")
    assert "2025-10-06-openai-amd" in set(amd["id"])


def test_edited_event_is_updated_and_children_replaced(db_url, catalog):
    engine = open_db(db_url)
    sync_catalog(engine, load_catalog(catalog))
    before = dump(engine)

    path = catalog / "2025-10-06-openai-amd.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["title"] = "Edited title"
    data["parties"] = [p for p in data["parties"] if p.get("ticker") != "NVDA"]  # drop the competitor
    data["claims"] = data["claims"][:1]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")

    report = sync_catalog(engine, load_catalog(catalog))
    assert report.updated == ["2025-10-06-openai-amd"]
    assert not (report.inserted or report.removed)
    after = dump(engine)
    event = get_event(engine, "2025-10-06-openai-amd")
    assert event["title"] == "Edited title"
    assert [p["ticker"] for p in event["parties"]] == [p.get("ticker") for p in data["parties"]]
    assert len(event["claims"]) == 1
    assert rows_for(engine, "2025-10-06-openai-amd") == {"events": 1, "event_parties": len(data["parties"]), "event_sources": len(data["sources"]), "claims": 1}
    # every other event's rows are untouched
    for name in TABLES:
        key = 0
        others_before = [r for r in before[name] if r[key] != "2025-10-06-openai-amd"]
        others_after = [r for r in after[name] if r[key] != "2025-10-06-openai-amd"]
        assert others_after == others_before


def test_renamed_file_is_an_update(db_url, catalog):
    engine = open_db(db_url)
    sync_catalog(engine, load_catalog(catalog))
    (catalog / "2025-10-13-openai-broadcom.yaml").rename(catalog / "2025-10-13-openai-broadcom.yml")
    report = sync_catalog(engine, load_catalog(catalog))
    assert report.updated == ["2025-10-13-openai-broadcom"]
    assert get_event(engine, "2025-10-13-openai-broadcom")["catalog_file"] == "2025-10-13-openai-broadcom.yml"


def test_removed_event_is_reported_and_deleted(db_url, catalog):
    engine = open_db(db_url)
    sync_catalog(engine, load_catalog(catalog))
    gone = "2025-09-22-nvidia-openai-10gw"
    assert rows_for(engine, gone)["claims"] == 2
    (catalog / f"{gone}.yaml").unlink()

    report = sync_catalog(engine, load_catalog(catalog))
    assert report.removed == [gone]
    assert rows_for(engine, gone) == {"events": 0, "event_parties": 0, "event_sources": 0, "claims": 0}
    assert {k: len(v) for k, v in dump(engine).items()} == expected_counts(catalog)


def test_invalid_catalog_leaves_database_untouched(db_url, catalog):
    engine = open_db(db_url)
    sync_catalog(engine, load_catalog(catalog))
    before = dump(engine)

    # A valid edit and a removal, together with one broken file: none of it may reach the database.
    amd = catalog / "2025-10-06-openai-amd.yaml"
    amd.write_text(amd.read_text(encoding="utf-8").replace("title: OpenAI and AMD", "title: Changed OpenAI and AMD"), encoding="utf-8")
    (catalog / "2025-10-13-openai-broadcom.yaml").unlink()
    broken = catalog / "2025-12-01-broken.yaml"
    broken.write_text("id: 2025-12-01-broken\ntitle: x\ndate: 2025-12-01\ntiming: whenever\n", encoding="utf-8")

    with pytest.raises(CatalogError) as info:
        load_catalog_into_db(engine, catalog)
    assert any(p.file == str(broken) and p.line == 4 for p in info.value.problems)
    assert dump(engine) == before
