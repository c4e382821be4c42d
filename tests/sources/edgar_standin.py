"""A local HTTP stand-in for SEC EDGAR: a real server on 127.0.0.1 serving SEC's paths and formats.

Point the client at it with ``EVENTSTUDY_SEC_URL=http://127.0.0.1:PORT`` (one base URL for
``files/company_tickers.json``, ``submissions/CIK##########.json`` and
``Archives/edgar/data/{cik}/{accession without dashes}/{accession}.hdr.sgml``).

The fixtures follow SEC's layouts as documented (https://www.sec.gov/search-filings/edgar-application-programming-interfaces)
and as published: the submissions JSON's top-level keys and ``filings.recent`` parallel arrays in
SEC's order, and the SGML header's ``<SEC-HEADER>`` / ``<ACCEPTANCE-DATETIME>`` lines followed by
tab-separated ``KEY:\tvalue`` lines.  Filers (real CIKs, invented filings):

* NVDA (1045810): an 8-K (1.01, 9.01) accepted 07:02:11 New York time, whose JSON gives the
  true UTC instant ``...T11:02:11.000Z`` -> **pre-open**; a 10-Q and a results-only 8-K (2.02, 9.01),
  both skipped.
* INTC (50863): a filer whose JSON clock is **New York time with a Z**: an 8-K (8.01) accepted
  16:05:30 New York time shows ``...T16:05:30.000Z`` (read as UTC: 12:05 New York, intraday)
  -> **after-close** by its header.
* AMD (2488): HTTP 429 on the first ``n`` submissions requests, then an 8-K (7.01) accepted
  11:15:00 -> intraday.

NVDA also has an older page (``filings.files``) holding an 8-K (8.01) accepted 2024-03-18 18:30 -> after-close.

``behaviour`` maps a path to ``"403"``, ``"html"``, ``"truncated"``, ``("429", n)`` or ``("503", n)``.
``requests`` records (path, status, user agent) of every request.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

NY = ZoneInfo("America/New_York")
UTC = dt.timezone.utc

COMPANIES = {"NVDA": (1045810, "NVIDIA CORP"), "INTC": (50863, "INTEL CORP"), "AMD": (2488, "ADVANCED MICRO DEVICES INC"),
             "ORCL": (1341439, "ORACLE CORP"), "MSFT": (789019, "MICROSOFT CORP"), "AVGO": (1730168, "Broadcom Inc.")}


@dataclass(frozen=True)
class FakeFiling:
    accession: str
    form: str
    items: str
    accepted_ny: dt.datetime  # naive New York wall time (what the header says)
    ny_clock_in_json: bool = False  # the filer's JSON shows New York time with a Z
    document: str = "doc.htm"
    report_date: str = ""

    def json_acceptance(self) -> str:
        shown = self.accepted_ny if self.ny_clock_in_json else self.accepted_ny.replace(tzinfo=NY).astimezone(UTC).replace(tzinfo=None)
        return shown.strftime("%Y-%m-%dT%H:%M:%S.000Z")


FILINGS = {
    "NVDA": [
        FakeFiling("0001045810-25-000210", "8-K", "1.01,9.01", dt.datetime(2025, 9, 18, 7, 2, 11), document="nvda-20250918.htm"),
        FakeFiling("0001045810-25-000209", "10-Q", "", dt.datetime(2025, 8, 27, 16, 24, 2), document="nvda-20250727.htm", report_date="2025-07-27"),
        FakeFiling("0001045810-25-000208", "8-K", "2.02,9.01", dt.datetime(2025, 8, 27, 16, 20, 40), document="nvda-20250827.htm"),
    ],
    "INTC": [
        FakeFiling("0000050863-25-000140", "8-K", "8.01", dt.datetime(2025, 9, 22, 16, 5, 30), ny_clock_in_json=True, document="intc-20250922.htm"),
        FakeFiling("0000050863-25-000139", "8-K", "2.02,9.01", dt.datetime(2025, 7, 24, 16, 1, 12), ny_clock_in_json=True, document="intc-20250724.htm"),
    ],
    "AMD": [FakeFiling("0000002488-25-000120", "8-K", "7.01,9.01", dt.datetime(2025, 10, 6, 11, 15, 0), document="amd-20251006.htm")],
    "ORCL": [FakeFiling("0001341439-25-000050", "8-K", "1.01", dt.datetime(2025, 9, 10, 8, 0, 0))],
    "MSFT": [FakeFiling("0000789019-25-000080", "8-K", "8.01", dt.datetime(2025, 9, 12, 9, 0, 0))],
    "AVGO": [FakeFiling("0001730168-25-000090", "8-K", "8.01", dt.datetime(2025, 10, 13, 9, 0, 0))],
}


#: Filings only in an older page (``filings.files``), as SEC splits long histories.
OLDER = {"NVDA": [FakeFiling("0001045810-24-000030", "8-K", "8.01", dt.datetime(2024, 3, 18, 18, 30, 0), document="nvda-20240318.htm")]}


def _arrays(rows: list[FakeFiling]) -> dict:
    return {
        "accessionNumber": [f.accession for f in rows],
        "filingDate": [f.accepted_ny.date().isoformat() for f in rows],
        "reportDate": [f.report_date or f.accepted_ny.date().isoformat() for f in rows],
        "acceptanceDateTime": [f.json_acceptance() for f in rows],
        "act": ["34" for _ in rows],
        "form": [f.form for f in rows],
        "fileNumber": ["000-23985" for _ in rows],
        "filmNumber": [str(251300000 + i) for i, _ in enumerate(rows)],
        "items": [f.items for f in rows],
        "core_type": [f.form for f in rows],
        "size": [312345 for _ in rows],
        "isXBRL": [1 for _ in rows],
        "isInlineXBRL": [1 for _ in rows],
        "primaryDocument": [f.document for f in rows],
        "primaryDocDescription": [f.form for f in rows],
    }


def older_page_name(ticker: str) -> str:
    return f"CIK{COMPANIES[ticker][0]:010d}-submissions-001.json"


def company_tickers() -> dict:
    return {str(i): {"cik_str": cik, "ticker": ticker, "title": title} for i, (ticker, (cik, title)) in enumerate(COMPANIES.items())}


def submissions(ticker: str) -> dict:
    cik, name = COMPANIES[ticker]
    recent = _arrays(FILINGS.get(ticker, []))
    older = OLDER.get(ticker, [])
    files = [{"name": older_page_name(ticker), "filingCount": len(older), "filingFrom": min(f.accepted_ny.date() for f in older).isoformat(),
              "filingTo": max(f.accepted_ny.date() for f in older).isoformat()}] if older else []
    return {
        "cik": str(cik), "entityType": "operating", "sic": "3674", "sicDescription": "Semiconductors & Related Devices",
        "ownerOrg": "04 Manufacturing", "insiderTransactionForOwnerExists": 0, "insiderTransactionForIssuerExists": 1,
        "name": name, "tickers": [ticker], "exchanges": ["Nasdaq"], "ein": "000000000", "lei": None, "description": "",
        "website": "", "investorWebsite": "", "category": "Large accelerated filer", "fiscalYearEnd": "0126",
        "stateOfIncorporation": "DE", "stateOfIncorporationDescription": "DE",
        "addresses": {"mailing": {"street1": "2788 SAN TOMAS EXPRESSWAY", "city": "SANTA CLARA", "stateOrCountry": "CA", "zipCode": "95051"},
                      "business": {"street1": "2788 SAN TOMAS EXPRESSWAY", "city": "SANTA CLARA", "stateOrCountry": "CA", "zipCode": "95051"}},
        "phone": "408-486-2000", "flags": "", "formerNames": [],
        "filings": {"recent": recent, "files": files},
    }


def header(ticker: str, filing: FakeFiling) -> str:
    cik, name = COMPANIES[ticker]
    day = filing.accepted_ny.strftime("%Y%m%d")
    items = {"1.01": "Entry into a Material Definitive Agreement", "2.02": "Results of Operations and Financial Condition",
             "7.01": "Regulation FD Disclosure", "8.01": "Other Events", "9.01": "Financial Statements and Exhibits"}
    lines = [f"<SEC-HEADER>{filing.accession}.hdr.sgml : {day}",
             f"<ACCEPTANCE-DATETIME>{filing.accepted_ny:%Y%m%d%H%M%S}",
             f"ACCESSION NUMBER:\t\t{filing.accession}",
             f"CONFORMED SUBMISSION TYPE:\t{filing.form}",
             "PUBLIC DOCUMENT COUNT:\t\t3",
             f"CONFORMED PERIOD OF REPORT:\t{day}"]
    lines += [f"ITEM INFORMATION:\t\t{items[i]}" for i in filing.items.split(",") if i in items]
    lines += [f"FILED AS OF DATE:\t\t{day}", f"DATE AS OF CHANGE:\t\t{day}", "", "FILER:", "", "\tCOMPANY DATA:\t",
              f"\t\tCOMPANY CONFORMED NAME:\t\t\t{name}", f"\t\tCENTRAL INDEX KEY:\t\t\t{cik:010d}", "</SEC-HEADER>", ""]
    return "\n".join(lines)


HTML_BLOCK = ("<!DOCTYPE html><html><head><title>SEC.gov | Request Rate Threshold Exceeded</title></head>"
              "<body><h1>Your Request Originates from an Undeclared Automated Tool</h1></body></html>")


def routes() -> dict[str, tuple[str, str]]:
    """path -> (content type, body) of every file the stand-in serves."""
    served = {"/files/company_tickers.json": ("application/json", json.dumps(company_tickers()))}
    for ticker, (cik, _) in COMPANIES.items():
        served[f"/submissions/CIK{cik:010d}.json"] = ("application/json", json.dumps(submissions(ticker)))
        if ticker in OLDER:
            served[f"/submissions/{older_page_name(ticker)}"] = ("application/json", json.dumps(_arrays(OLDER[ticker])))
        for filing in FILINGS.get(ticker, []) + OLDER.get(ticker, []):
            path = f"/Archives/edgar/data/{cik}/{filing.accession.replace('-', '')}/{filing.accession}.hdr.sgml"
            served[path] = ("text/plain", header(ticker, filing))
    return served


def submissions_path(ticker: str) -> str:
    return f"/submissions/CIK{COMPANIES[ticker][0]:010d}.json"


@dataclass
class EdgarStandIn:
    behaviour: dict[str, object] = field(default_factory=dict)
    requests: list[tuple[str, int, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.files = routes()
        self._used: dict[str, int] = {}
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output clean
                pass

            def do_GET(self) -> None:
                status, kind, body = standin.answer(self.path)
                standin.requests.append((self.path, status, self.headers.get("User-Agent", "")))
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def answer(self, path: str) -> tuple[int, str, str]:
        how = self.behaviour.get(path)
        if isinstance(how, tuple):
            used = self._used.get(path, 0)
            if used < how[1]:
                self._used[path] = used + 1
                return int(how[0]), "text/html", "<html><body>Too Many Requests</body></html>"
        if how == "403":
            return 403, "text/html", HTML_BLOCK
        if how == "html":
            return 200, "text/html", HTML_BLOCK
        if path not in self.files:
            return 404, "text/html", "<html><body>Not Found</body></html>"
        kind, body = self.files[path]
        if how == "truncated":
            return 200, kind, body[: len(body) // 2]
        return 200, kind, body

    def __enter__(self) -> "EdgarStandIn":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
