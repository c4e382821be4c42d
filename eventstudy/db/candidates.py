"""SQL for discovered event candidates (table ``event_candidates``, see :mod:`.candidate_tables`).

Every write is one transaction: a discover run stores all its new candidates or none.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import Engine, select, update

from .candidate_tables import event_candidates as t

if TYPE_CHECKING:
    from ..catalog.discovery import Candidate
    from ..catalog.schema import Event

STATUSES = ("new", "accepted", "rejected")
_LIST_COLUMNS = ("id", "status", "ticker", "event_date", "timing", "accepted_at", "json_acceptance", "form", "items", "company", "accession", "url")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def add_candidates(engine: Engine, candidates: Iterable["Candidate"]) -> list[int]:
    """Store the candidates not stored yet (by accession and ticker); return the new rows' ids.

    Known ones, whatever their status (new, accepted, rejected), are left as they are, so a second
    discover over the same range adds nothing.
    """
    found = list(candidates)
    if not found:
        return []
    with engine.begin() as conn:
        known = set(conn.execute(select(t.c.accession, t.c.ticker).where(t.c.accession.in_({c.accession for c in found}))).all())
        fresh = [c for c in found if (c.accession, c.ticker) not in known]
        now = _now()
        ids = []
        for c in dict(((c.accession, c.ticker), c) for c in fresh).values():
            ids.append(conn.execute(t.insert().values(
                accession=c.accession, ticker=c.ticker, cik=c.cik, company=c.company, form=c.form, items=",".join(c.items),
                filing_date=c.filing_date, accepted_at=c.accepted_at.astimezone(dt.timezone.utc), json_acceptance=c.json_acceptance,
                event_date=c.event.date, timing=c.timing, event_id=c.event.id, url=c.url,
                event_json=c.event.model_dump_json(), status="new", discovered_at=now,
            )).inserted_primary_key[0])
    return ids


def list_candidates(engine: Engine, *, status: str | None = None, tickers: Iterable[str] | None = None) -> pd.DataFrame:
    """Candidates as a DataFrame (columns ``_LIST_COLUMNS``; ``accepted_at`` in UTC), oldest acceptance first."""
    query = select(*(t.c[name] for name in _LIST_COLUMNS)).order_by(t.c.accepted_at, t.c.ticker)
    if status is not None:
        query = query.where(t.c.status == status)
    if tickers is not None:
        query = query.where(t.c.ticker.in_(list(tickers)))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return pd.DataFrame([dict(r._mapping) for r in rows], columns=list(_LIST_COLUMNS))


def candidate_events(engine: Engine, ids: Iterable[int] | None = None, *, status: str = "new") -> dict[int, "Event"]:
    """``{id: candidate Event}`` for ``ids`` (any status), or for every candidate with ``status`` when ids is None.

    Raises
    ------
    KeyError
        Naming the ids that are not in the table.
    """
    from ..catalog.schema import Event

    query = select(t.c.id, t.c.event_json)
    wanted = None if ids is None else [int(i) for i in ids]
    query = query.where(t.c.status == status) if wanted is None else query.where(t.c.id.in_(wanted))
    with engine.connect() as conn:
        found = {row.id: Event.model_validate(json.loads(row.event_json)) for row in conn.execute(query.order_by(t.c.id))}
    missing = sorted(set(wanted or ()) - set(found))
    if missing:
        raise KeyError(", ".join(map(str, missing)))
    return found


def set_status(engine: Engine, ids: Iterable[int], status: str) -> int:
    """Mark candidates ``accepted`` or ``rejected`` (one transaction); return how many rows changed."""
    if status not in STATUSES:
        raise ValueError(f"status {status!r} is not one of {STATUSES}")
    ids = [int(i) for i in ids]
    with engine.begin() as conn:
        return conn.execute(update(t).where(t.c.id.in_(ids)).values(status=status, decided_at=_now())).rowcount
