"""The repository's own catalog: valid, complete for the headline claims, and honest about what was verified.

References used here are independent of the loader: the YAML files read with
plain ``yaml.safe_load``, the seed documents, SEED-FACTS.md and the real price
files in ``../shared`` (tests needing those skip when they are absent).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import PRICES_DIR, REPO
from eventstudy.catalog import load_catalog
from eventstudy.core.windows import day0_positions, is_after_close

CATALOG = REPO / "events"
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="module")
def entries():
    return {e.event.id: e.event for e in load_catalog(CATALOG)}


@pytest.fixture(scope="module")
def raw_files() -> dict[str, dict]:
    return {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(CATALOG.glob("*.yaml"))}


def test_repo_catalog_validates(entries, raw_files):
    assert sorted(entries) == sorted(raw_files)
    assert 15 <= len(entries) <= 25


def test_file_name_is_the_id_and_starts_with_the_date(raw_files):
    for stem, data in raw_files.items():
        assert data["id"] == stem
        assert stem.startswith(str(data["date"]) + "-"), stem


def _claim(entries, event_id: str, ticker: str, window: tuple[int, int]):
    found = [c for c in entries[event_id].claims if c.ticker == ticker and c.window == window]
    assert len(found) == 1, (event_id, ticker, window)
    return found[0]


def test_headline_claims(entries):
    amd = entries["2025-10-06-openai-amd"]
    assert (amd.date, amd.timing.value) == (dt.date(2025, 10, 6), "pre-open")
    claim = _claim(entries, "2025-10-06-openai-amd", "AMD", (0, 2))
    assert claim.move_pct == 43

    orcl = entries["2025-09-09-oracle-openai-300b"]
    assert (orcl.date, orcl.timing.value) == (dt.date(2025, 9, 9), "after-close")
    claim = _claim(entries, "2025-09-09-oracle-openai-300b", "ORCL", (0, 0))
    assert claim.move_pct == 39 and claim.measure.value == "close-to-close"
    # the FQ1 results are a recorded confounder of ORCL's reaction
    assert any("earnings" in c.description.lower() and c.tickers == ["ORCL"] for c in orcl.confounders)

    nvda = entries["2025-09-22-nvidia-openai-10gw"]
    assert (nvda.date, nvda.timing.value) == (dt.date(2025, 9, 22), "intraday")
    claim = _claim(entries, "2025-09-22-nvidia-openai-10gw", "NVDA", (0, 0))
    assert (claim.move_pct, claim.qualifier.value) == (4, "nearly")


def _closes(ticker: str) -> pd.Series:
    frame = pd.read_csv(PRICES_DIR / f"{ticker}.csv", parse_dates=["Date"], index_col="Date")
    return frame["Close"]


@pytest.mark.parametrize(
    ("event_id", "ticker", "window", "day0", "measured_pct"),
    [  # day 0 and the measured moves as SOURCES.md states them from real closes
        ("2025-10-06-openai-amd", "AMD", (0, 2), "2025-10-06", 43.05),
        ("2025-09-09-oracle-openai-300b", "ORCL", (0, 0), "2025-09-10", 35.95),
        ("2025-09-22-nvidia-openai-10gw", "NVDA", (0, 0), "2025-09-22", 3.93),
    ],
)
def test_headline_windows_measure_the_known_moves(entries, prices_dir, event_id, ticker, window, day0, measured_pct):
    """Catalog date + timing + window, applied to real closes, give the moves SOURCES.md reports."""
    event = entries[event_id]
    _claim(entries, event_id, ticker, window)
    closes = _closes(ticker)
    sessions = closes.index.values.astype("datetime64[D]")
    [pos] = day0_positions(sessions, np.array([event.date], dtype="datetime64[D]"), is_after_close([event.timing.value]))
    assert str(sessions[pos]) == day0
    start, end = window
    move = (closes.iloc[pos + end] / closes.iloc[pos + start - 1] - 1) * 100
    assert move == pytest.approx(measured_pct, abs=0.005)


def _verify_rows() -> list[dict]:
    """Rows of SEED-FACTS' deal table marked *verify*: candidate dates (or month) and tickers."""
    text = (SHARED / "SEED-FACTS.md").read_text(encoding="utf-8")
    rows = []
    for line in text.splitlines():
        if not line.startswith("| 2025") or "*verify*" not in line:
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        when, listed = cells[0], cells[2]
        full = re.match(r"(\d{4})-(\d{2})-(\d{2})(?:/(\d{2}))?", when)
        if full:
            y, m, d, d2 = full.groups()
            days = {dt.date(int(y), int(m), int(d))} | ({dt.date(int(y), int(m), int(d2))} if d2 else set())
            rows.append({"row": line, "days": days, "month": None, "tickers": set(re.findall(r"\b[0-9A-Z]{2,5}(?:\.[A-Z])?\b", listed))})
        else:
            y, m = re.match(r"(\d{4})-(\d{2})", when).groups()
            rows.append({"row": line, "days": set(), "month": (int(y), int(m)), "tickers": set(re.findall(r"\b[A-Z]{2,5}\b", listed))})
    return rows


def test_seed_facts_verify_rows_have_confidence_notes(entries):
    if not (SHARED / "SEED-FACTS.md").is_file():
        pytest.skip("../shared/SEED-FACTS.md not present")
    rows = _verify_rows()
    assert len(rows) >= 9  # the digest marks about ten rows *verify*
    for row in rows:
        def matches(event) -> bool:
            in_time = event.date in row["days"] if row["days"] else (event.date.year, event.date.month) == row["month"]
            return in_time and (not row["tickers"] or bool(row["tickers"] & set(event.tickers)))

        found = [e for e in entries.values() if matches(e)]
        assert found, f"no catalog event for SEED-FACTS row: {row['row']}"
        for event in found:
            note = event.confidence_note or ""
            assert len(note) > 40, f"{event.id}: confidence_note missing or too short"
            # a note says what was checked: a dated price move or why no price could be checked
            assert re.search(r"[+-]\d+\.\d+%", note) or "no price" in note.lower(), event.id


def test_every_event_says_how_sure_it_is(entries):
    for event in entries.values():
        assert event.confidence_note, f"{event.id} has no confidence_note"


def _normalise(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def test_quotes_appear_in_the_cited_seed_documents(entries):
    seeds = SHARED / "seeds"
    if not seeds.is_dir():
        pytest.skip("../shared/seeds not present")
    documents = {p.name: _normalise(p.read_text(encoding="utf-8")) for p in seeds.glob("*.txt")}
    facts = _normalise((SHARED / "SEED-FACTS.md").read_text(encoding="utf-8"))
    checked = 0
    for event in entries.values():
        cited = [(s.source, s.quote) for s in event.sources] + [(c.source, c.quote) for c in event.claims]
        for source, quote in cited:
            if not quote:
                continue
            if source == "SEED-FACTS.md":
                assert _normalise(quote).replace("|", "") in facts.replace("|", ""), (event.id, quote)
            elif source in documents:
                # Claim quotes may be English paraphrases; Chinese quotes must be verbatim.
                if re.search(r"[\u4e00-\u9fff]", quote):
                    assert _normalise(quote) in documents[source], (event.id, source, quote)
                    checked += 1
            else:
                pytest.fail(f"{event.id}: source {source!r} is neither a seed file nor SEED-FACTS.md")
    assert checked >= 15


def test_private_parties_have_no_ticker_and_non_us_listings_are_noted(entries):
    for event in entries.values():
        for party in event.parties:
            if party.name in ("OpenAI", "MGX", "US government"):
                assert not party.listed and party.ticker is None, (event.id, party.name)
        if any(t.endswith(".T") for t in event.tickers):
            assert "no price" in (event.notes or "").lower(), event.id


def test_listed_tickers_have_reference_prices_or_are_explained(entries, shared_data):
    universe = shared_data / "prices" / "universe"
    for event in entries.values():
        for ticker in event.tickers:
            has_prices = (PRICES_DIR / f"{ticker}.csv").is_file() or (universe / f"{ticker}.csv.gz").is_file()
            assert has_prices or "no price" in (event.notes or "").lower(), (event.id, ticker)
