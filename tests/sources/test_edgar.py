"""SEC EDGAR discovery through the real client, against a local HTTP stand-in (``edgar_standin.py``).

Expected timings are worked out here from the stand-in's New York wall times and the session
hours (09:30-16:00 New York; 13:00 close on 2025-11-28), independently of the code's calendar path.
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import time
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from edgar_standin import FILINGS, EdgarStandIn, submissions_path
from eventstudy.catalog import load_catalog
from eventstudy.catalog.discovery import discover, timing_of
from eventstudy.cli import app
from eventstudy.exceptions import ConfigError, PartialFailure
from eventstudy.sources.edgar import EdgarClient

NY = ZoneInfo("America/New_York")
UA = "Event Study Tests tests@example.com"
runner = CliRunner()


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTSTUDY_SEC_USER_AGENT", UA)
    monkeypatch.setenv("EVENTSTUDY_SEC_CACHE", str(tmp_path / "sec-cache"))
    return tmp_path


def _cli(db: str, *args: str):
    return runner.invoke(app, ["--db", db, "events", *map(str, args)])


def _json(result) -> list[dict]:
    return json.loads(result.stdout)


def test_discover_times_candidates_from_the_header_and_skips_10q_and_results(env, monkeypatch):
    db = f"sqlite:///{env / 'x.db'}"
    with EdgarStandIn() as sec:
        monkeypatch.setenv("EVENTSTUDY_SEC_URL", sec.url)
        first = _cli(db, "discover", "--tickers", "NVDA,INTC,AMD", "--since", "2025-07-01", "--until", "2025-10-31", "-f", "json")
        assert first.exit_code == 0, first.output
        got = {(r["ticker"], r["date"], r["timing"]) for r in _json(first)}
        assert got == {("NVDA", "2025-09-18", "pre-open"), ("INTC", "2025-09-22", "after-close"), ("AMD", "2025-10-06", "intraday")}
        # INTC's JSON clock is New York time with a Z: read as UTC it would have been an intraday filing.
        (intc,) = [f for f in FILINGS["INTC"] if f.items == "8.01"]
        as_if_utc = dt.datetime.fromisoformat(intc.json_acceptance().replace("Z", "+00:00")).astimezone(NY)
        assert (as_if_utc.hour, as_if_utc.minute) == (12, 5)
        assert all(agent == UA for _, _, agent in sec.requests)
        asked = len(sec.requests)
        second = _cli(db, "discover", "--tickers", "NVDA,INTC,AMD", "--since", "2025-07-01", "--until", "2025-10-31", "-f", "json")
        assert second.exit_code == 0 and _json(second) == [] and "0 new candidate(s), 3 already known" in second.stderr
        assert len(sec.requests) == asked  # everything came from the local cache
    listed = _json(_cli(db, "candidates", "-f", "json"))
    assert sorted(r["form"] + " " + r["items"] for r in listed) == ["8-K 1.01,9.01", "8-K 7.01,9.01", "8-K 8.01"]


def test_accept_all_writes_catalog_files_that_load_and_reject_is_remembered(env, monkeypatch):
    db = f"sqlite:///{env / 'x.db'}"
    cat = env / "cat"
    with EdgarStandIn() as sec:
        monkeypatch.setenv("EVENTSTUDY_SEC_URL", sec.url)
        assert _cli(db, "discover", "--tickers", "NVDA,INTC,AMD", "--since", "2025-07-01", "--until", "2025-10-31").exit_code == 0
        ids = {r["ticker"]: r["id"] for r in _json(_cli(db, "candidates", "-f", "json"))}
        assert _cli(db, "reject", ids["AMD"]).exit_code == 0
        accepted = _cli(db, "accept", "--all", "--catalog", cat, "-f", "json")
        assert accepted.exit_code == 0, accepted.output
        events = {e.event.tickers[0]: e.event for e in load_catalog(cat)}
        assert set(events) == {"NVDA", "INTC"}
        assert (events["INTC"].timing.value, events["INTC"].time, events["INTC"].date) == ("after-close", "16:05", dt.date(2025, 9, 22))
        assert events["NVDA"].sources[0].url == "https://www.sec.gov/Archives/edgar/data/1045810/000104581025000210/nvda-20250918.htm"
        assert _cli(db, "load", "--catalog", cat).exit_code == 0
        again = _cli(db, "discover", "--tickers", "AMD", "--since", "2025-07-01", "--until", "2025-10-31", "-f", "json")
        assert _json(again) == []  # the rejected filing is not proposed again
    status = {r["ticker"]: r["status"] for r in _json(_cli(db, "candidates", "-f", "json"))}
    assert status == {"NVDA": "accepted", "INTC": "accepted", "AMD": "rejected"}


def test_bad_answers_name_the_ticker_or_url_and_other_tickers_go_on(env, monkeypatch):
    db = f"sqlite:///{env / 'x.db'}"
    behaviour = {submissions_path("ORCL"): "403", submissions_path("MSFT"): "html", submissions_path("AVGO"): "truncated"}
    with EdgarStandIn(behaviour=behaviour) as sec:
        monkeypatch.setenv("EVENTSTUDY_SEC_URL", sec.url)
        result = _cli(db, "discover", "--tickers", "ORCL,MSFT,AVGO,ZZZZ,NVDA", "--since", "2025-07-01", "--until", "2025-10-31", "-f", "json")
    assert isinstance(result.exception, PartialFailure)  # exit code 5 through the console script
    err = result.stderr
    assert f"ORCL: {sec.url}{submissions_path('ORCL')}: SEC refused the request (403 Forbidden)" in err
    assert f"MSFT: {sec.url}{submissions_path('MSFT')}: answered an HTML page" in err
    assert f"AVGO: {sec.url}{submissions_path('AVGO')}: truncated or malformed JSON" in err
    assert "ZZZZ: ticker ZZZZ is not in SEC's company_tickers.json" in err
    assert [r["ticker"] for r in _json(result)] == ["NVDA"]
    engine = sa.create_engine(db)
    with engine.connect() as conn:
        assert conn.execute(sa.text("select ticker from event_candidates")).scalars().all() == ["NVDA"]
    engine.dispose()


def test_429_then_success_backs_off_exponentially(env):
    delays: list[float] = []
    with EdgarStandIn(behaviour={submissions_path("AMD"): ("429", 2)}) as sec:
        client = EdgarClient(base_url=sec.url, cache_dir=env / "c", sleep=delays.append, base_delay=0.5)
        found = discover(client, ["AMD"], since=dt.date(2025, 7, 1), until=dt.date(2025, 10, 31))
    assert not found.errors and [c.timing for c in found.candidates] == ["intraday"]
    assert [d for d in delays if d >= 0.5] == [0.5, 1.0]
    assert [s for p, s, _ in sec.requests if p == submissions_path("AMD")] == [429, 429, 200]


def test_older_pages_are_read_only_when_the_range_reaches_them(env):
    with EdgarStandIn() as sec:
        client = EdgarClient(base_url=sec.url, cache_dir=env / "c")
        recent = discover(client, ["NVDA"], since=dt.date(2025, 1, 1), until=dt.date(2025, 12, 31))
        assert not any("submissions-001" in p for p, _, _ in sec.requests)
        older = discover(client, ["NVDA"], since=dt.date(2024, 1, 1), until=dt.date(2024, 12, 31))
    assert [c.timing for c in recent.candidates] == ["pre-open"]
    assert [(c.event.date.isoformat(), c.timing, c.event.time) for c in older.candidates] == [("2024-03-18", "after-close", "18:30")]


def test_5xx_without_end_fails_naming_the_url(env):
    with EdgarStandIn(behaviour={submissions_path("AMD"): ("503", 99)}) as sec:
        client = EdgarClient(base_url=sec.url, cache_dir=env / "c", sleep=lambda s: None, max_retries=2)
        found = discover(client, ["AMD"], since=dt.date(2025, 7, 1), until=dt.date(2025, 10, 31))
    assert found.errors["AMD"].endswith(f"{submissions_path('AMD')}: HTTP 503 after 2 retries (SEC busy or rate limiting); try later")


def test_no_user_agent_is_refused_before_any_request(tmp_path, monkeypatch):
    monkeypatch.delenv("EVENTSTUDY_SEC_USER_AGENT", raising=False)
    with EdgarStandIn() as sec:
        monkeypatch.setenv("EVENTSTUDY_SEC_URL", sec.url)
        result = _cli(f"sqlite:///{tmp_path / 'x.db'}", "discover", "--tickers", "NVDA")
        assert result.exit_code != 0 and isinstance(result.exception, ConfigError)
        assert "EVENTSTUDY_SEC_USER_AGENT" in str(result.exception) and "e-mail" in str(result.exception)
        with pytest.raises(ConfigError):
            EdgarClient(user_agent="my-bot/1.0", base_url=sec.url)
        assert sec.requests == []


def test_offline_fails_fast(env):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = EdgarClient(base_url=f"http://127.0.0.1:{port}", cache_dir=env / "c")
    started = time.monotonic()
    found = discover(client, ["NVDA", "INTC"], since=dt.date(2025, 7, 1), until=dt.date(2025, 10, 31))
    assert time.monotonic() - started < 5
    assert "cannot connect" in found.errors["NVDA"] and "offline?" in found.errors["NVDA"]


def test_requests_keep_to_ten_per_second(env):
    with EdgarStandIn() as sec:
        client = EdgarClient(base_url=sec.url, cache_dir=env / "c")
        started = time.monotonic()
        for _ in range(11):
            client._get(f"{sec.url}/files/company_tickers.json")  # the transport itself, no cache
        assert time.monotonic() - started >= 1.0  # 10 gaps of at least 0.1 s


@pytest.mark.parametrize(("ny", "expected"), [
    ("2025-09-18 09:29:59", ("2025-09-18", "pre-open")),
    ("2025-09-18 09:30:00", ("2025-09-18", "intraday")),
    ("2025-09-18 15:59:59", ("2025-09-18", "intraday")),
    ("2025-09-18 16:00:00", ("2025-09-18", "after-close")),
    ("2025-11-28 13:30:00", ("2025-11-28", "after-close")),  # early close at 13:00
    ("2025-11-27 10:00:00", ("2025-11-27", "pre-open")),     # Thanksgiving: closed, day 0 is the next session
    ("2025-09-20 10:00:00", ("2025-09-20", "pre-open")),     # Saturday
])
def test_timing_rule(ny, expected):
    date, timing = timing_of(dt.datetime.fromisoformat(ny).replace(tzinfo=NY))
    assert (date.isoformat(), timing.value) == expected


def test_check_reports_a_catalog_timing_the_8k_contradicts(env, monkeypatch):
    db = f"sqlite:///{env / 'x.db'}"
    cat = env / "cat"
    cat.mkdir()
    (cat / "2025-09-22-intel-news.yaml").write_text(
        "id: 2025-09-22-intel-news\ntitle: Intel news\ndate: 2025-09-22\ntiming: pre-open\ndeal_type: investment\n"
        "parties:\n  - name: Intel\n    ticker: INTC\n    role: investee\nsources:\n  - source: test\nconfidence: low\n", encoding="utf-8")
    with EdgarStandIn() as sec:
        monkeypatch.setenv("EVENTSTUDY_SEC_URL", sec.url)
        assert _cli(db, "discover", "--catalog", cat, "--since", "2025-07-01", "--until", "2025-10-31").exit_code == 0
    result = _cli(db, "check", "--catalog", cat, "-f", "json")
    assert result.exit_code == 1
    (row,) = _json(result)
    assert (row["event"], row["catalog_timing"], row["filing_timing"]) == ("2025-09-22-intel-news", "pre-open", "after-close")
