"""The discover job: EDGAR 8-Ks -> stored candidates -> (on acceptance) catalog YAML, and the timing check.

CLI commands, the nightly step and notebooks call these; SQL is in :mod:`eventstudy.db.candidates`,
HTTP in :mod:`eventstudy.sources.edgar`, the filing rules in :mod:`eventstudy.catalog.discovery`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..catalog import load_catalog
from ..catalog.discovery import DEFAULT_ITEMS, Candidate, discover
from ..catalog.yaml_writer import PendingEvent, WriteReport, write_events
from ..db import Engine
from ..db.candidates import add_candidates, candidate_events, list_candidates, set_status
from ..exceptions import EventStudyError
from ..sources.edgar import EdgarClient


@dataclass
class DiscoverOutcome:
    """``new``: candidates stored by this run (with their row ids); ``known``: found again, already stored."""

    new: list[tuple[int, Candidate]] = field(default_factory=list)
    known: int = 0
    errors: dict[str, str] = field(default_factory=dict)


def catalog_tickers(catalog: str | Path) -> list[str]:
    """The listed tickers of the catalog's parties, sorted."""
    return sorted({t for entry in load_catalog(catalog) for t in entry.event.tickers})


def discover_candidates(engine: Engine, client: EdgarClient, tickers: Iterable[str], *, since: dt.date, until: dt.date,
                        items: Iterable[str] = DEFAULT_ITEMS) -> DiscoverOutcome:
    """Read EDGAR for ``tickers`` and store the candidates not seen before (one transaction)."""
    found = discover(client, tickers, since=since, until=until, items=items)
    ids = add_candidates(engine, found.candidates)
    stored = list_candidates(engine).set_index("id") if ids else None
    by_key = {(c.accession, c.ticker): c for c in found.candidates}
    new = [(i, by_key[(stored.at[i, "accession"], stored.at[i, "ticker"])]) for i in ids] if ids else []
    return DiscoverOutcome(new=new, known=len(found.candidates) - len(new), errors=found.errors)


def accept_candidates(engine: Engine, catalog: str | Path, ids: Iterable[int] | None = None, *, dry_run: bool = False) -> WriteReport:
    """Write the candidates (``ids``, or every ``new`` one) as catalog YAML, then mark them accepted.

    Files first: if writing fails nothing is marked; accepting again is harmless (unchanged files).
    """
    try:
        events = candidate_events(engine, ids)
    except KeyError as exc:
        raise EventStudyError(f"no candidate with id {exc.args[0]} (see 'eventstudy events candidates')") from None
    report = write_events(catalog, [PendingEvent(e, f"candidate {i}") for i, e in events.items()], dry_run=dry_run)
    if not dry_run:
        set_status(engine, events, "accepted")
    return report


def reject_candidates(engine: Engine, ids: Iterable[int]) -> int:
    ids = [int(i) for i in ids]
    try:
        candidate_events(engine, ids)
    except KeyError as exc:
        raise EventStudyError(f"no candidate with id {exc.args[0]} (see 'eventstudy events candidates')") from None
    return set_status(engine, ids, "rejected")


def day0_reactions(engine: Engine, new: list[tuple[int, Candidate]], benchmark: str = "SPY") -> list[dict]:
    """Day-0 total return of each candidate's ticker and of ``benchmark``, in PERCENT, where prices exist.

    Day 0 as the engine places it (``core.windows.day0_positions``: after-close -> next session).
    ``None`` while the session's prices are not stored yet.
    """
    import numpy as np

    from ..core.windows import day0_positions, is_after_close
    from ..db.prices import load_returns

    rows = []
    for cid, c in new:
        start, end = c.event.date - dt.timedelta(days=10), c.event.date + dt.timedelta(days=10)
        returns = load_returns(engine, [c.ticker, benchmark], start=start, end=end, kind="total", allow_missing=True)
        pos = day0_positions(returns.index.values.astype("datetime64[D]"), np.array([np.datetime64(c.event.date)]),
                             is_after_close([c.timing]))[0]
        firm = market = None
        if pos >= 0 and not np.isnan(returns.iloc[pos, 0]):
            firm = round(100 * float(returns.iloc[pos, 0]), 2)
            market = None if np.isnan(returns.iloc[pos, 1]) else round(100 * float(returns.iloc[pos, 1]), 2)
        rows.append({"id": cid, "ticker": c.ticker, "date": c.event.date.isoformat(), "timing": c.timing,
                     "day0": returns.index[pos].date().isoformat() if pos >= 0 else None, "return_pct": firm, f"{benchmark}_pct": market})
    return rows


def timing_disagreements(engine: Engine, catalog: str | Path) -> list[dict]:
    """Catalog events whose parties have a stored 8-K candidate on the same date with another timing.

    One row per (event, ticker, filing): the catalog timing, the 8-K's timing and its acceptance time.
    Events with ``timing: unknown`` are reported too (the 8-K says what it was).
    """
    entries = load_catalog(catalog)
    tickers = {t for e in entries for t in e.event.tickers}
    stored = list_candidates(engine, tickers=tickers)
    rows = []
    for entry in entries:
        event = entry.event
        same_day = stored[(stored["ticker"].isin(event.tickers)) & (stored["event_date"] == event.date)]
        for _, c in same_day.iterrows():
            if c["timing"] != event.timing.value:
                rows.append({"event": event.id, "file": f"{entry.file}:{entry.line}", "ticker": c["ticker"], "catalog_timing": event.timing.value,
                             "filing_timing": c["timing"], "accepted_at": c["accepted_at"], "accession": c["accession"], "url": c["url"]})
    return rows
