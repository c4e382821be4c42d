"""8-K filings -> candidate catalog events (date and timing from EDGAR's acceptance time).

Rules
-----
* Forms ``8-K`` and ``8-K/A`` filed (``filingDate``) in ``[since, until]`` whose items intersect
  ``items`` (default 1.01 material definitive agreement, 2.01 acquisition, 7.01 Reg FD,
  8.01 other events).  A filing whose only substantive item is 2.02 (results; 9.01 exhibits
  do not count) is left out even when 2.02 is asked for: results are not deals.
* Date and timing come from the acceptance time in the filing's SGML header (US/Eastern,
  never the submissions JSON's ``...Z`` text, whose clock depends on the filer): on an XNYS
  session, before the open -> ``pre-open``, open <= t < close -> ``intraday``, from the close
  on -> ``after-close`` (early closes as the calendar says); on a weekend or holiday ->
  ``pre-open`` (the market first reacts at the next session, which the engine makes day 0).
* The candidate event has the filer as ``announcer`` party, the items as a deal-type hint
  (2.01 acquisition, 2.03 financing, 1.01 supply-deal, else commentary: check it), the
  filing's document URL as source and ``confidence: medium`` (time authoritative, content not read).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from ..prices.calendar import session_bounds
from ..sources.edgar import NEW_YORK, EdgarClient, EdgarError, Filing, filing_url
from .importers import slugify
from .schema import Event, Timing

DEFAULT_ITEMS = ("1.01", "2.01", "7.01", "8.01")
FORMS = ("8-K", "8-K/A")
ITEM_NAMES = {
    "1.01": "material definitive agreement", "1.02": "termination of an agreement", "2.01": "acquisition or disposition",
    "2.02": "results of operations", "2.03": "financial obligation", "5.02": "officer changes",
    "7.01": "Regulation FD disclosure", "8.01": "other events", "9.01": "financial statements and exhibits",
}
_DEAL_HINT = (("2.01", "acquisition"), ("2.03", "financing"), ("1.01", "supply-deal"))
_NOT_SUBSTANTIVE = {"9.01"}


@dataclass(frozen=True)
class Candidate:
    """One discovered 8-K for one ticker.  ``accepted_at`` is tz-aware New York time (from the header)."""

    ticker: str
    cik: int
    company: str
    accession: str
    form: str
    items: tuple[str, ...]
    filing_date: dt.date
    accepted_at: dt.datetime
    json_acceptance: str
    url: str
    event: Event

    @property
    def timing(self) -> str:
        return self.event.timing.value


@dataclass
class DiscoverResult:
    candidates: list[Candidate] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)


def timing_of(accepted: dt.datetime, exchange: str = "XNYS") -> tuple[dt.date, Timing]:
    """(announcement date, timing) of news released at ``accepted`` (tz-aware), by the exchange's sessions."""
    local = accepted.astimezone(NEW_YORK)
    bounds = session_bounds(local.date(), exchange)
    if bounds is None:
        return local.date(), Timing.PRE_OPEN
    stamp = pd.Timestamp(accepted)
    if stamp < bounds[0]:
        return local.date(), Timing.PRE_OPEN
    if stamp < bounds[1]:
        return local.date(), Timing.INTRADAY
    return local.date(), Timing.AFTER_CLOSE


def wanted(filing: Filing, items: Iterable[str]) -> bool:
    """True for an 8-K / 8-K/A with an asked-for item that is not results-only."""
    substantive = set(filing.items) - _NOT_SUBSTANTIVE
    return filing.form in FORMS and bool(substantive & set(items)) and substantive != {"2.02"}


def candidate_event(ticker: str, cik: int, company: str, filing: Filing, accepted: dt.datetime) -> Event:
    """The catalog event a filing suggests (see the module docstring)."""
    date, timing = timing_of(accepted)
    local = accepted.astimezone(NEW_YORK)
    names = "; ".join(f"{i} {ITEM_NAMES.get(i, '')}".strip() for i in filing.items)
    deal_type = next((hint for item, hint in _DEAL_HINT if item in filing.items), "commentary")
    return Event.model_validate({
        "id": f"{date.isoformat()}-{slugify(ticker, 3)}-{filing.form.lower().replace('/', '')}-{filing.accession.replace('-', '')[-8:]}",
        "title": f"{company or ticker} {filing.form}: {names}",
        "date": date.isoformat(),
        "timing": timing.value,
        "time": local.strftime("%H:%M"),
        "deal_type": deal_type,
        "parties": [{"name": company or ticker, "ticker": ticker, "role": "announcer"}],
        "sources": [{"source": f"SEC EDGAR {filing.form} {filing.accession}", "url": filing_url(cik, filing.accession, filing.primary_document)}],
        "confidence": "medium",
        "confidence_note": (f"accepted by EDGAR {local:%Y-%m-%d %H:%M:%S} New York time (SGML header); "
                            f"the submissions JSON says {filing.json_acceptance}"),
        "notes": f"discovered from SEC EDGAR items {','.join(filing.items)}; deal type is a guess from the items, check it",
    })


def discover(client: EdgarClient, tickers: Iterable[str], *, since: dt.date, until: dt.date,
             items: Iterable[str] = DEFAULT_ITEMS) -> DiscoverResult:
    """Candidate events for ``tickers`` from 8-Ks filed ``since``..``until`` (both included).

    A ticker that fails (unknown to SEC, 403, bad JSON, ...) is recorded in ``errors`` with the
    message, and the others go on; a filing whose header cannot be read is an error of its ticker.
    """
    items = tuple(items)
    result = DiscoverResult()
    for ticker in dict.fromkeys(t.upper() for t in tickers):
        try:
            cik = client.cik(ticker)
            company, filings = client.filings(cik, since=since)
            found = []
            for filing in filings:
                if since <= filing.filing_date <= until and wanted(filing, items):
                    accepted = client.acceptance_time(cik, filing.accession)
                    found.append(Candidate(ticker, cik, company, filing.accession, filing.form, filing.items, filing.filing_date,
                                           accepted, filing.json_acceptance, filing_url(cik, filing.accession, filing.primary_document),
                                           candidate_event(ticker, cik, company, filing, accepted)))
            result.candidates.extend(found)
        except EdgarError as exc:
            result.errors[ticker] = str(exc)
    result.candidates.sort(key=lambda c: (c.accepted_at, c.ticker))
    return result
