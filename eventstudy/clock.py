"""The clock: timezone-aware UTC now, and UTC back on timestamps that SQLite returns naive."""

from __future__ import annotations

import datetime as dt


def utcnow() -> dt.datetime:
    """Now, timezone-aware, in UTC."""
    return dt.datetime.now(dt.timezone.utc)


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """``value`` with UTC attached when it is naive (SQLite hands timezone-aware columns back naive; they hold UTC)."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.timezone.utc)
