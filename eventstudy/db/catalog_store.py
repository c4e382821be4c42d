"""Load the validated catalog into the database and read it back.

:func:`sync_catalog` is idempotent: loading the same catalog twice changes no
row; an edited event (different content hash) is rewritten; an event no longer
in the catalog is removed and reported.  Everything happens in one transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import pandas as pd
from sqlalchemy import Engine, delete, select

from ..catalog import CatalogEntry
from ..clock import utcnow
from .catalog_tables import CATALOG_CHILD_TABLES, claims, event_confounders, event_parties, event_sources, events
from .engine import CATALOG_LOCK_KEY, serialise


@dataclass
class SyncReport:
    """Event ids by what happened to them."""

    inserted: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def as_rows(self) -> list[dict]:
        return [{"action": k, "count": len(v), "events": ", ".join(v)} for k, v in vars(self).items()]


def _event_row(entry: CatalogEntry, now: dt.datetime) -> dict:
    e = entry.event
    return {
        "id": e.id,
        "title": e.title,
        "announced": e.date,
        "timing": e.timing.value,
        "announced_time": e.time,
        "timezone": e.timezone,
        "deal_type": e.deal_type.value,
        "amount_value": e.amount.absolute if e.amount else None,
        "amount_currency": e.amount.currency if e.amount else None,
        "amount_kind": e.amount.kind.value if e.amount else None,
        "amount_text": e.amount.text if e.amount else None,
        "terms": e.terms,
        "confidence": e.confidence.value,
        "confidence_note": e.confidence_note,
        "notes": e.notes,
        "catalog_file": Path(entry.file).name,
        "content_hash": entry.content_hash,
        "loaded_at": now,
    }


def _child_rows(entry: CatalogEntry) -> dict:
    e = entry.event
    return {
        event_parties: [
            {"event_id": e.id, "position": i, "name": p.name, "ticker": p.ticker, "exchange": p.exchange, "role": p.role.value}
            for i, p in enumerate(e.parties)
        ],
        event_sources: [
            {"event_id": e.id, "position": i, "source": s.source, "url": s.url, "quote": s.quote} for i, s in enumerate(e.sources)
        ],
        claims: [
            {
                "event_id": e.id,
                "position": i,
                "ticker": c.ticker,
                "window_start": c.window[0],
                "window_end": c.window[1],
                "claimed_move_pct": c.move_pct,
                "qualifier": c.qualifier.value,
                "measure": c.measure.value,
                "source": c.source,
                "quote": c.quote,
            }
            for i, c in enumerate(e.claims)
        ],
        event_confounders: [
            {"event_id": e.id, "position": i, "ticker": ticker, "description": description}
            for i, (ticker, description) in enumerate(
                (t, c.description) for c in e.confounders for t in (c.tickers or [None])
            )
        ],
    }


def sync_catalog(engine: Engine, entries: list[CatalogEntry]) -> SyncReport:
    """Make the catalog tables equal to ``entries`` in one transaction; return what changed.

    Parameters
    ----------
    engine
        A migrated read-write engine (:func:`eventstudy.db.open_db`).
    entries
        The whole validated catalog (:func:`eventstudy.catalog.load_catalog`); events
        stored in the database but absent here are deleted.

    Returns
    -------
    SyncReport
        Ids inserted, updated (content hash or file name differs; the event row is
        rewritten and its parties, sources and claims replaced), unchanged (rows not
        touched, ``loaded_at`` kept) and removed (with all their child rows).
    """
    report = SyncReport()
    now = utcnow()
    wanted = {e.event.id: e for e in entries}
    with engine.begin() as conn:
        serialise(conn, CATALOG_LOCK_KEY)  # two loads at once would both insert the same new events
        # An event is unchanged only when both its content and its file name are the same.
        stored = {i: (h, f) for i, h, f in conn.execute(select(events.c.id, events.c.content_hash, events.c.catalog_file)).all()}
        stale = [i for i in stored if i not in wanted]
        changed = [i for i, e in wanted.items() if i in stored and stored[i] != (e.content_hash, Path(e.file).name)]
        # Children first: not every backend enforces ON DELETE CASCADE by default.
        for table in CATALOG_CHILD_TABLES:
            if stale or changed:
                conn.execute(delete(table).where(table.c.event_id.in_(stale + changed)))
        if stale:
            conn.execute(delete(events).where(events.c.id.in_(stale)))
        for event_id in changed:
            conn.execute(events.update().where(events.c.id == event_id).values(_event_row(wanted[event_id], now)))
        new = [i for i in wanted if i not in stored]
        if new:
            conn.execute(events.insert(), [_event_row(wanted[i], now) for i in new])
        for event_id in new + changed:
            for table, rows in _child_rows(wanted[event_id]).items():
                if rows:
                    conn.execute(table.insert(), rows)
    report.inserted, report.updated, report.removed = new, changed, sorted(stale)
    report.unchanged = [i for i in wanted if i in stored and i not in changed]
    return report


def list_events(
    engine: Engine,
    *,
    ticker: str | None = None,
    role: str | None = None,
    deal_type: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> pd.DataFrame:
    """Events (one row per event) matching every filter given; ``tickers`` lists the parties' tickers.

    ``ticker`` and ``role`` filter on the same party when both are given.
    """
    q = select(events.c.id, events.c.announced, events.c.timing, events.c.deal_type, events.c.title, events.c.confidence)
    if ticker or role:
        party = select(event_parties.c.event_id)
        if ticker:
            party = party.where(event_parties.c.ticker == ticker.upper())
        if role:
            party = party.where(event_parties.c.role == role)
        q = q.where(events.c.id.in_(party))
    if deal_type:
        q = q.where(events.c.deal_type == deal_type)
    if since:
        q = q.where(events.c.announced >= since)
    if until:
        q = q.where(events.c.announced <= until)
    q = q.order_by(events.c.announced, events.c.id)
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(q).mappings().all(), columns=[c.name for c in q.selected_columns])
        parties = pd.DataFrame(
            conn.execute(select(event_parties).where(event_parties.c.event_id.in_(frame["id"].tolist())).order_by(event_parties.c.event_id, event_parties.c.position)).mappings().all(),
            columns=[c.name for c in event_parties.columns],
        )
    tickers = parties.dropna(subset=["ticker"]).groupby("event_id")["ticker"].agg(lambda s: ",".join(dict.fromkeys(s)))
    frame.insert(4, "tickers", frame["id"].map(tickers).fillna(""))
    return frame


def get_event(engine: Engine, event_id: str) -> dict | None:
    """One event with its parties, sources and claims as nested plain data, or ``None``."""
    with engine.connect() as conn:
        row = conn.execute(select(events).where(events.c.id == event_id)).mappings().first()
        if row is None:
            return None
        out = dict(row)
        for name, table in (("parties", event_parties), ("sources", event_sources), ("claims", claims)):
            rows = conn.execute(select(table).where(table.c.event_id == event_id).order_by(table.c.position)).mappings().all()
            out[name] = [{k: v for k, v in r.items() if k not in ("event_id", "position")} for r in rows]
    return out


#: Event columns :func:`load_events_frame` adds on request (beside the engine's input columns).
EVENT_EXTRA_COLUMNS = ("amount_value", "amount_currency", "content_hash", "title", "confidence")


def load_events_frame(engine: Engine, extra: Sequence[str] = ()) -> pd.DataFrame:
    """Every (event, listed party) pair: the engine's input.

    Columns: ``event_id, announced (datetime64), timing, deal_type, ticker, role, name``,
    then the ``extra`` event columns asked for (any of :data:`EVENT_EXTRA_COLUMNS`, e.g.
    ``amount_value`` in whole currency units of ``amount_currency``, or ``content_hash`` of the
    catalog entry).  Private parties (no ticker) are left out: they have no prices.
    Every column but the first four becomes a group column of the study, so ask only
    for what you need.
    """
    unknown = [c for c in extra if c not in EVENT_EXTRA_COLUMNS]
    if unknown:
        raise ValueError(f"unknown event column(s) {unknown}; choose from {list(EVENT_EXTRA_COLUMNS)}")
    q = (
        select(events.c.id.label("event_id"), events.c.announced, events.c.timing, events.c.deal_type,
               event_parties.c.ticker, event_parties.c.role, event_parties.c.name, *(events.c[c] for c in extra))
        .join(event_parties, event_parties.c.event_id == events.c.id)
        .where(event_parties.c.ticker.is_not(None))
        .order_by(events.c.announced, events.c.id, event_parties.c.position)
    )
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(q).mappings().all(), columns=[c.name for c in q.selected_columns])
    frame["announced"] = pd.to_datetime(frame["announced"])
    if "amount_value" in frame:
        frame["amount_value"] = frame["amount_value"].astype("float64")
    return frame


def load_event_keys(engine: Engine) -> pd.DataFrame:
    """One row per catalog event (listed parties or not): ``event_id, announced (datetime64), timing, content_hash``."""
    q = select(events.c.id.label("event_id"), events.c.announced, events.c.timing, events.c.content_hash).order_by(events.c.id)
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(q).all(), columns=["event_id", "announced", "timing", "content_hash"])
    frame["announced"] = pd.to_datetime(frame["announced"])
    return frame


def load_claims_frame(engine: Engine) -> pd.DataFrame:
    """Every claim joined to its event's date and timing (columns of ``claims`` plus ``announced``, ``timing``)."""
    q = (
        select(claims, events.c.announced, events.c.timing)
        .join(events, events.c.id == claims.c.event_id)
        .order_by(events.c.announced, claims.c.event_id, claims.c.position)
    )
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(q).mappings().all(), columns=[c.name for c in q.selected_columns])
    frame["announced"] = pd.to_datetime(frame["announced"])
    return frame


def load_confounders(engine: Engine) -> dict[tuple[str, str | None], str]:
    """Catalog confounders keyed by ``(event_id, ticker)``; ticker ``None`` means every party of the event."""
    q = select(event_confounders).order_by(event_confounders.c.event_id, event_confounders.c.position)
    out: dict[tuple[str, str | None], str] = {}
    with engine.connect() as conn:
        for row in conn.execute(q).mappings():
            key = (row["event_id"], row["ticker"])
            out[key] = f"{out[key]} {row['description']}" if key in out else row["description"]
    return out


def catalog_tickers(engine: Engine) -> list[str]:
    """The catalog's listed tickers (``event_parties``), upper-case, sorted, without repeats."""
    with engine.connect() as conn:
        found = conn.execute(select(event_parties.c.ticker).where(event_parties.c.ticker.is_not(None))
                             .distinct().order_by(event_parties.c.ticker)).scalars().all()
    return list(dict.fromkeys(t.upper() for t in found))
