"""SEC EDGAR: ticker -> CIK, a filer's filings, and a filing's acceptance time (the only module that talks to SEC).

Endpoints (``EVENTSTUDY_SEC_URL`` replaces both SEC hosts with one base URL serving the same paths,
for mirrors and tests):

* ``https://www.sec.gov/files/company_tickers.json``: ``{"0": {"cik_str": 320193, "ticker": "AAPL", "title": ...}, ...}``
* ``https://data.sec.gov/submissions/CIK##########.json``: ``filings.recent`` holds parallel arrays
  (``accessionNumber``, ``filingDate``, ``acceptanceDateTime``, ``form``, ``items``, ``primaryDocument``, ...);
  older filings are in the pages listed in ``filings.files`` (same arrays at the top level).
* ``https://www.sec.gov/Archives/edgar/data/{cik}/{accession without dashes}/{accession}.hdr.sgml``:
  the filing's SGML header, whose ``<ACCEPTANCE-DATETIME>YYYYMMDDHHMMSS`` is US/Eastern wall time.

**Acceptance time.**  The submissions JSON's ``acceptanceDateTime`` ends in ``Z`` but for many
filers it is the New York clock with a ``Z`` appended; the header is the authority and
:meth:`EdgarClient.acceptance_time` reads it (cached for good: a filing's header never changes).

**SEC's fair-access rules**, kept here: a declared ``User-Agent`` with a contact e-mail
(``EVENTSTUDY_SEC_USER_AGENT``, e.g. ``"Jane Doe jane@example.com"``; without one the client refuses
to start), at most 10 requests per second (a minimum gap between requests), retries with
exponential backoff (``Retry-After`` honoured) on 429 and 5xx, and a local cache so that
repeated runs do not ask again.  A 403 (SEC's answer to undeclared tools), an HTML page where
JSON was expected, truncated JSON and an unreachable host are :class:`EdgarError` naming the
URL; connection failures are not retried (an offline machine fails in seconds).

**Why plain requests and a small file cache** (not edgartools, not requests-cache/hishel):
``requests`` is already installed (yfinance depends on it) and we need three endpoints only.
edgartools would bring a large dependency tree, its own cache and rate limiting we cannot point
at a stand-in by one base URL, and parses more than we use.  A generic HTTP cache would follow
SEC's ``Cache-Control`` headers, whereas what we want is known per endpoint: headers are
immutable, the ticker map may be a day old, submissions an hour; and only answers that parsed
are cached, so a truncated body is never kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import requests

from ..exceptions import ConfigError, DataError

SEC_URL_ENV = "EVENTSTUDY_SEC_URL"
SEC_USER_AGENT_ENV = "EVENTSTUDY_SEC_USER_AGENT"
SEC_CACHE_ENV = "EVENTSTUDY_SEC_CACHE"
WWW, DATA = "https://www.sec.gov", "https://data.sec.gov"
NEW_YORK = ZoneInfo("America/New_York")
#: Cache lifetimes in seconds per kind of answer (None: forever).
TICKERS_MAX_AGE = 24 * 3600
SUBMISSIONS_MAX_AGE = 3600
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
_ACCEPTANCE = re.compile(rb"<ACCEPTANCE-DATETIME>\s*(\d{14})")
_RETRY_STATUS = {429, 500, 502, 503, 504}


class EdgarError(DataError):
    """An answer from SEC (or the configured mirror) that cannot be used; the message names the URL."""


@dataclass(frozen=True)
class Filing:
    """One row of a filer's ``filings`` arrays.  ``json_acceptance`` is the raw submissions-JSON text."""

    accession: str
    filing_date: dt.date
    json_acceptance: str
    form: str
    items: tuple[str, ...]
    primary_document: str


def resolve_user_agent(value: str | None = None) -> str:
    """The declared User-Agent (argument, else ``$EVENTSTUDY_SEC_USER_AGENT``); it must hold a contact e-mail."""
    agent = (value or os.environ.get(SEC_USER_AGENT_ENV) or "").strip()
    if not _EMAIL.search(agent):
        raise ConfigError(f"SEC requires a declared User-Agent with a contact e-mail: set {SEC_USER_AGENT_ENV}, "
                          f"e.g. 'Jane Doe jane@example.com' (got {agent!r})")
    return agent


def default_cache_dir() -> Path:
    return Path(os.environ.get(SEC_CACHE_ENV) or Path.home() / ".cache" / "eventstudy" / "sec")


class EdgarClient:
    """A polite EDGAR client.

    Parameters
    ----------
    user_agent
        ``"Name e-mail"``; default ``$EVENTSTUDY_SEC_USER_AGENT`` (refused without an e-mail).
    base_url
        One URL replacing ``www.sec.gov`` and ``data.sec.gov`` (default ``$EVENTSTUDY_SEC_URL``, else SEC).
    cache_dir
        Where answers are kept (default ``$EVENTSTUDY_SEC_CACHE`` or ``~/.cache/eventstudy/sec``).
    max_per_second
        Request rate ceiling (SEC allows 10).
    max_retries, base_delay
        Retries after the first attempt on 429/5xx, waiting ``base_delay * 2**k`` seconds (or Retry-After).
    timeout
        Seconds to connect and to wait for an answer.
    """

    def __init__(self, *, user_agent: str | None = None, base_url: str | None = None, cache_dir: str | Path | None = None,
                 session: requests.Session | None = None, max_per_second: float = 10.0, max_retries: int = 4,
                 base_delay: float = 1.0, timeout: float = 5.0, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic):
        self.user_agent = resolve_user_agent(user_agent)
        base = (base_url or os.environ.get(SEC_URL_ENV) or "").rstrip("/")
        self.www, self.data = (base, base) if base else (WWW, DATA)
        self.cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        self.session = session or requests.Session()
        self.session.headers.update({"User-Agent": self.user_agent, "Accept-Encoding": "gzip, deflate"})
        self.min_gap = 1.0 / max_per_second
        self.max_retries, self.base_delay, self.timeout = max_retries, base_delay, timeout
        self.sleep, self.clock = sleep, clock
        self._last = -1e18
        self.requests_made = 0
        self._tickers: dict[str, tuple[int, str]] | None = None
        self._offline = ""

    # -- transport -------------------------------------------------------------------------

    def _cache_path(self, url: str) -> Path:
        return self.cache_dir / hashlib.sha256(url.encode()).hexdigest()[:32]

    def _cached(self, url: str, max_age: float | None) -> bytes | None:
        path = self._cache_path(url)
        if not path.is_file() or (max_age is not None and time.time() - path.stat().st_mtime > max_age):
            return None
        return path.read_bytes()

    def _store(self, url: str, body: bytes) -> None:
        path = self._cache_path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(body)
        os.replace(tmp, path)

    def _get(self, url: str) -> requests.Response:
        if self._offline:
            raise EdgarError(f"{url}: {self._offline}")
        for attempt in range(self.max_retries + 1):
            wait = self._last + self.min_gap - self.clock()
            if wait > 0:
                self.sleep(wait)
            self._last = self.clock()
            self.requests_made += 1
            try:
                response = self.session.get(url, timeout=(self.timeout, self.timeout))
            except requests.exceptions.Timeout as exc:
                raise EdgarError(f"{url}: no answer within {self.timeout:g} s ({type(exc).__name__}); SEC or the mirror is slow or unreachable") from None
            except requests.exceptions.ConnectionError as exc:
                # Remembered: the next requests of this client fail at once instead of each waiting on the network.
                self._offline = f"cannot connect ({_connection_reason(exc)}); offline? (set {SEC_URL_ENV} to use a mirror)"
                raise EdgarError(f"{url}: {self._offline}") from None
            if response.status_code in _RETRY_STATUS and attempt < self.max_retries:
                self.sleep(self._retry_delay(response, attempt))
                continue
            return response
        raise AssertionError("unreachable")  # the loop returns on its last attempt

    def _retry_delay(self, response: requests.Response, attempt: int) -> float:
        after = response.headers.get("Retry-After", "")
        if after.isdigit():
            return min(float(after), 60.0)
        return self.base_delay * 2 ** attempt

    def _fetch(self, url: str, *, max_age: float | None, what: str) -> bytes:
        """The body of a 200 answer (cached or fetched); an HTML page is an error."""
        body = self._cached(url, max_age)
        if body is not None:
            return body
        response = self._get(url)
        status = response.status_code
        if status == 403:
            raise EdgarError(f"{url}: SEC refused the request (403 Forbidden); SEC blocks undeclared tools and more than "
                             f"10 requests/s: check {SEC_USER_AGENT_ENV} ({self.user_agent!r}) and try later")
        if status == 404:
            raise EdgarError(f"{url}: not found (404): no {what}")
        if status in _RETRY_STATUS:
            raise EdgarError(f"{url}: HTTP {status} after {self.max_retries} retries (SEC busy or rate limiting); try later")
        if status != 200:
            raise EdgarError(f"{url}: HTTP {status} {response.reason or ''}".rstrip())
        body = response.content
        kind = response.headers.get("Content-Type", "")
        if "html" in kind.lower() or body.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
            raise EdgarError(f"{url}: answered an HTML page where {what} was expected (an SEC block page, or "
                             f"{SEC_URL_ENV} points at a web site instead of an EDGAR mirror)")
        return body

    def _json(self, url: str, *, max_age: float | None, what: str) -> dict:
        body = self._fetch(url, max_age=max_age, what=what)
        try:
            data = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            self._cache_path(url).unlink(missing_ok=True)
            raise EdgarError(f"{url}: truncated or malformed JSON ({exc}); try again") from None
        if not isinstance(data, dict):
            raise EdgarError(f"{url}: expected a JSON object, got {type(data).__name__}")
        self._store(url, body)
        return data

    # -- endpoints -------------------------------------------------------------------------

    def tickers(self) -> dict[str, tuple[int, str]]:
        """``{TICKER: (cik, company title)}`` from ``company_tickers.json``."""
        if self._tickers is None:
            url = f"{self.www}/files/company_tickers.json"
            data = self._json(url, max_age=TICKERS_MAX_AGE, what="ticker map")
            try:
                self._tickers = {str(row["ticker"]).upper(): (int(row["cik_str"]), str(row["title"])) for row in data.values()}
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                raise EdgarError(f"{url}: unexpected layout ({exc!r}); expected {{'0': {{'cik_str', 'ticker', 'title'}}, ...}}") from None
        return self._tickers

    def cik(self, ticker: str) -> int:
        found = self.tickers().get(ticker.upper())
        if found is None:
            raise EdgarError(f"ticker {ticker} is not in SEC's company_tickers.json (not an SEC filer, or misspelled)")
        return found[0]

    def submissions(self, cik: int) -> dict:
        """The filer's submissions JSON (name, tickers, filings)."""
        return self._json(f"{self.data}/submissions/CIK{cik:010d}.json", max_age=SUBMISSIONS_MAX_AGE, what=f"submissions for CIK {cik}")

    def filings(self, cik: int, *, since: dt.date | None = None) -> tuple[str, list[Filing]]:
        """(company name, filings) of ``cik``: the recent block plus older pages reaching back to ``since``."""
        url = f"{self.data}/submissions/CIK{cik:010d}.json"
        data = self.submissions(cik)
        try:
            block = data["filings"]
            found = _filing_rows(block["recent"], url)
            for page in block.get("files", []):
                if since is not None and dt.date.fromisoformat(page["filingTo"]) >= since:
                    page_url = f"{self.data}/submissions/{page['name']}"
                    found += _filing_rows(self._json(page_url, max_age=None, what=f"older filings of CIK {cik}"), page_url)
        except (KeyError, TypeError) as exc:
            raise EdgarError(f"{url}: unexpected layout (missing {exc}); expected filings.recent with parallel arrays") from None
        return str(data.get("name", "")), found

    def header_url(self, cik: int, accession: str) -> str:
        return f"{self.www}/Archives/edgar/data/{cik}/{accession.replace('-', '')}/{accession}.hdr.sgml"

    def acceptance_time(self, cik: int, accession: str) -> dt.datetime:
        """When EDGAR accepted the filing, from its SGML header (US/Eastern; returned tz-aware, America/New_York)."""
        url = self.header_url(cik, accession)
        body = self._fetch(url, max_age=None, what=f"SGML header of {accession}")
        match = _ACCEPTANCE.search(body)
        if match is None:
            raise EdgarError(f"{url}: no <ACCEPTANCE-DATETIME> in the SGML header")
        try:
            naive = dt.datetime.strptime(match.group(1).decode(), "%Y%m%d%H%M%S")
        except ValueError:
            raise EdgarError(f"{url}: bad <ACCEPTANCE-DATETIME> {match.group(1).decode()!r}") from None
        self._store(url, body)
        return naive.replace(tzinfo=NEW_YORK)


def _connection_reason(exc: Exception) -> str:
    text = str(exc)
    if "NameResolution" in text or "resolve" in text.lower() or "Name or service not known" in text:
        return "the host name does not resolve"
    if "refused" in text.lower():
        return "connection refused"
    return text[:120]


def _filing_rows(arrays: dict, url: str) -> list[Filing]:
    columns = ("accessionNumber", "filingDate", "acceptanceDateTime", "form", "items", "primaryDocument")
    lengths = {c: len(arrays[c]) for c in columns}
    if len(set(lengths.values())) > 1:
        raise EdgarError(f"{url}: filings arrays of different lengths {lengths} (truncated answer?)")
    rows = []
    for acc, filed, accepted, form, items, doc in zip(*(arrays[c] for c in columns)):
        rows.append(Filing(acc, dt.date.fromisoformat(filed), accepted, form,
                           tuple(i.strip() for i in (items or "").split(",") if i.strip()), doc))
    return rows


def filing_url(cik: int, accession: str, primary_document: str) -> str:
    """The public address of the filing's main document on www.sec.gov (for the catalog's source)."""
    return f"{WWW}/Archives/edgar/data/{cik}/{accession.replace('-', '')}/{primary_document}"
