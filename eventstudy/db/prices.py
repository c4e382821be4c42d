"""Prices and factors in the database: bulk idempotent upserts, and wide loads for the engine.

Writes compare the incoming rows with the stored ones first and send only new or
changed rows, through one bulk statement per ticker: SQLite ``INSERT ... ON
CONFLICT DO UPDATE`` run with the driver's ``executemany``; PostgreSQL a binary ``COPY``
built with numpy, straight into ``prices`` when every row is new (undone and redone as
an upsert should another writer store one of them meanwhile), otherwise into a
temporary staging table then ``INSERT ... SELECT ... ON CONFLICT DO UPDATE``.
Loading the same data twice therefore changes zero rows.

Reads fetch every requested ticker in ONE query and return wide frames indexed by
the exchange's sessions (see :func:`eventstudy.prices.calendar.trading_sessions`).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from sqlalchemy import Connection, DateTime, Engine, String, bindparam, cast, column, func, or_, select, table, update
from sqlalchemy.dialects import postgresql, sqlite

from ..clock import utcnow
from .locks import pid_alive
from .price_tables import FACTOR_COLUMNS, PRICE_VALUE_COLUMNS, factors, ingest_runs, price_revisions, prices
from ..exceptions import DataError
from ..prices.calendar import DEFAULT_EXCHANGE, trading_sessions

from ..defaults import RETURN_KINDS  # noqa: E402 (re-exported; the one list of return kinds)
PRICE_FIELDS = PRICE_VALUE_COLUMNS
# Extra calendar days read before ``start`` so that the first requested day has a previous close.
_LOOKBACK_DAYS = 14
_STAGE = "_price_rows_stage"
#: Per-row fields of a price write (ticker, source and ingested_at are the same on every row of a ticker).
_ROW_FIELDS = ("date", *PRICE_VALUE_COLUMNS)
#: Rows per SQLite INSERT statement (capped by the driver's limit on bound variables).
_SQLITE_ROWS_PER_STATEMENT = 500
#: Columns that may be NULL: an incoming NULL there never replaces a stored value.
_NULLABLE = ("open", "high", "low", "volume")


@dataclass(frozen=True)
class UpsertCounts:
    """Rows of one upsert by outcome."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    #: Stored values changed (one per field), each recorded in ``price_revisions``.
    revised: int = 0


# --------------------------------------------------------------------------- writes

def last_dates(conn: Connection | Engine, tickers: Sequence[str] | None = None,
               until: dt.date | pd.Timestamp | None = None) -> dict[str, pd.Timestamp]:
    """The last stored date per ticker, on or before ``until`` if given (tickers with no rows are absent)."""
    q = select(prices.c.ticker, func.max(prices.c.date)).group_by(prices.c.ticker)
    if until is not None:
        q = q.where(prices.c.date <= pd.Timestamp(until).date())
    if tickers is not None:
        q = q.where(prices.c.ticker.in_(list(tickers)))
    if isinstance(conn, Engine):
        with conn.connect() as c:
            rows = c.execute(q).all()
    else:
        rows = conn.execute(q).all()
    return {t: pd.Timestamp(d) for t, d in rows}


def _stored(conn: Connection, ticker: str, start: np.datetime64) -> tuple[np.ndarray, np.ndarray]:
    """Stored rows of ``ticker`` from ``start`` on: (days as datetime64[D], values float64 in PRICE_VALUE_COLUMNS order), by date."""
    q = select(prices.c.date, *(prices.c[c] for c in PRICE_VALUE_COLUMNS)).where(
        prices.c.ticker == ticker, prices.c.date >= pd.Timestamp(start).date())
    rows = conn.execute(q).all()
    if not rows:
        return np.array([], dtype="datetime64[D]"), np.empty((0, len(PRICE_VALUE_COLUMNS)))
    days = np.array([r[0] for r in rows], dtype="datetime64[D]")
    values = np.array([r[1:] for r in rows], dtype="float64")  # NULL (None) -> NaN
    order = np.argsort(days, kind="stable")
    return days[order], values[order]


def _differs(new: pd.DataFrame, old: pd.DataFrame) -> np.ndarray:
    """Row mask: any value of ``new`` differs from ``old`` (same index; NaN equals NaN)."""
    a, b = new.to_numpy("float64"), old.to_numpy("float64")
    return ((a != b) & ~(np.isnan(a) & np.isnan(b))).any(axis=1)


def _update_values(stmt) -> dict:
    """The ON CONFLICT assignments: a NULL coming in keeps the stored value (never replace a value by NULL)."""
    return {c: (func.coalesce(stmt.excluded[c], prices.c[c]) if c in _NULLABLE else stmt.excluded[c])
            for c in (*PRICE_VALUE_COLUMNS, "source", "ingested_at")}


def _values_differ(stmt):
    """The ON CONFLICT guard, a safety net for concurrent writers: a row whose values are equal is never rewritten."""
    return or_(*(prices.c[c].is_distinct_from(stmt.excluded[c]) for c in PRICE_VALUE_COLUMNS))


@lru_cache(maxsize=8)
def _sqlite_upsert_sql(rows: int = 1) -> str:
    """The upsert as SQL text for the driver's executemany, inserting ``rows`` rows per statement.

    Parameters are numbered: ``?1`` ticker, ``?2`` source, ``?3`` ingested_at (bound once per
    statement), then :data:`_ROW_FIELDS` of each row in turn (``?4`` ... ``?{3 + 8 * rows}``).
    Multi-row VALUES: SQLite executes one statement per chunk instead of one per row (about 2x faster).
    """
    stmt = sqlite.insert(prices)
    stmt = stmt.on_conflict_do_update(index_elements=[prices.c.ticker, prices.c.date], set_=_update_values(stmt),
                                      where=_values_differ(stmt))
    compiled = stmt.compile(dialect=sqlite.dialect(paramstyle="qmark"))
    head, conflict = str(compiled).split(" ON CONFLICT ", 1)
    insert, _ = head.split(" VALUES ", 1)
    shared = {"ticker": 1, "source": 2, "ingested_at": 3}
    groups = []
    for r in range(rows):
        number = {name: 4 + 8 * r + k for k, name in enumerate(_ROW_FIELDS)} | shared
        groups.append("(" + ", ".join(f"?{number[name]}" for name in compiled.positiontup) + ")")
    return f"{insert} VALUES {', '.join(groups)} ON CONFLICT {conflict}"


_ISO_FROM, _ISO_TO = np.datetime64("1900-01-01", "D"), np.datetime64("2101-01-01", "D")


@lru_cache(maxsize=1)
def _iso_table() -> np.ndarray:
    """ISO text of every day from 1900 to 2100 (object array; built once, ~73k strings)."""
    return np.datetime_as_string(np.arange(_ISO_FROM, _ISO_TO), unit="D").astype(object)


def _iso_text(days: np.ndarray) -> np.ndarray:
    """``YYYY-MM-DD`` text of datetime64[D] ``days`` (object array), from a table (numpy's formatting costs ~0.3 us a day)."""
    if len(days) and days.min() >= _ISO_FROM and days.max() < _ISO_TO:
        return _iso_table()[(days - _ISO_FROM).astype(np.int64)]
    return np.datetime_as_string(days, unit="D").astype(object)


def _row_cells(days: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Driver-ready cells of :data:`_ROW_FIELDS`, one row per price row (object array, built column-wise).

    NaN becomes None (NULL), volume a Python int, the date ISO text (SQLAlchemy's SQLite
    storage format for Date).
    """
    cells = np.empty((len(days), len(_ROW_FIELDS)), dtype=object)
    cells[:, 0] = _iso_text(days)
    cells[:, 1:] = values.astype(object)
    cells[:, 1:][np.isnan(values)] = None
    k = PRICE_VALUE_COLUMNS.index("volume")
    volume = values[:, k]
    known = ~np.isnan(volume)
    cells[known, 1 + k] = volume[known].astype(np.int64).astype(object)
    return cells


def _write_sqlite(conn: Connection, ticker: str, days: np.ndarray, values: np.ndarray, source: str,
                  now: dt.datetime) -> None:
    cells = _row_cells(days, values)
    limit = conn.connection.dbapi_connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    chunk = max(1, min(_SQLITE_ROWS_PER_STATEMENT, (limit - 3) // len(_ROW_FIELDS)))
    shared = (ticker, source, now.strftime("%Y-%m-%d %H:%M:%S.%f"))  # SQLAlchemy's SQLite DateTime format
    done = 0
    for size in dict.fromkeys((chunk, max(chunk // 20, 1), 1)):  # big statements, then small ones for the rest
        count = (len(cells) - done) // size
        if not count:
            continue
        params = np.empty((count, 3 + size * len(_ROW_FIELDS)), dtype=object)
        params[:, :3] = shared
        params[:, 3:] = cells[done:done + count * size].reshape(count, -1)
        conn.exec_driver_sql(_sqlite_upsert_sql(size), list(map(tuple, params.tolist())))
        done += count * size


# PostgreSQL binary COPY (the format of the COPY documentation): signature, flags and extension length,
# then per row a 16-bit field count and per field a 32-bit length (-1: NULL) and the big-endian value.
_PG_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
_PG_COPY_TRAILER = b"\xff\xff"
_PG_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
_PG_EPOCH_DAY = np.datetime64("2000-01-01", "D")


def _pg_copy_rows(fields: Sequence[tuple[str, object]], n: int) -> bytes:
    """``n`` rows in PostgreSQL's binary COPY format, built with numpy (no Python loop over rows).

    ``fields``, in column order: ``("bytes", b"...")`` the same text on every row,
    ``("int8", k)`` the same 64-bit integer on every row, ``("date", days)`` datetime64[D]
    days, ``("float8", x)`` and ``("bigint", x)`` float64 arrays whose NaN is NULL.  Rows
    keep their order (consecutive rows with the same NULL cells are packed together).
    """
    nullable = [j for j, (kind, _) in enumerate(fields) if kind in ("float8", "bigint")]
    nulls = np.zeros((n, len(fields)), dtype=bool)
    for j in nullable:
        nulls[:, j] = np.isnan(fields[j][1])
    # Runs of rows sharing one NULL pattern: one fixed-width record layout per run.
    pattern = nulls[:, nullable] @ (1 << np.arange(len(nullable), dtype=np.int64)) if nullable else np.zeros(n, np.int64)
    cuts = np.flatnonzero(np.diff(pattern)) + 1
    parts = [_PG_COPY_HEADER]
    for lo, hi in zip(np.concatenate([[0], cuts]), np.concatenate([cuts, [n]])):
        null = nulls[lo]
        layout = [("count", ">i2")]
        for j, (kind, value) in enumerate(fields):
            width = {"date": 4, "float8": 8, "bigint": 8, "int8": 8}.get(kind) or len(value)
            layout.append((f"len{j}", ">i4"))
            if not null[j]:
                layout.append((f"val{j}", {"date": ">i4", "float8": ">f8", "bigint": ">i8", "int8": ">i8"}.get(kind)
                               or f"S{width}"))
        record = np.empty(hi - lo, dtype=layout)
        record["count"] = len(fields)
        for j, (kind, value) in enumerate(fields):
            if null[j]:
                record[f"len{j}"] = -1
                continue
            record[f"len{j}"] = {"date": 4, "float8": 8, "bigint": 8, "int8": 8}.get(kind) or len(value)
            if kind == "date":
                record[f"val{j}"] = (value[lo:hi] - _PG_EPOCH_DAY).astype(np.int64)
            elif kind == "bigint":
                record[f"val{j}"] = value[lo:hi].astype(np.int64)
            elif kind == "float8":
                record[f"val{j}"] = value[lo:hi]
            else:  # the same value on every row
                record[f"val{j}"] = value
        parts.append(record.tobytes())
    parts.append(_PG_COPY_TRAILER)
    return b"".join(parts)


def _pg_value_fields(days: np.ndarray, values: np.ndarray) -> list[tuple[str, object]]:
    return [("date", days), *(("bigint" if c == "volume" else "float8", values[:, k])
                              for k, c in enumerate(PRICE_VALUE_COLUMNS))]


def _copy(conn: Connection, target: str, columns: Sequence[str], data: bytes) -> None:
    cursor = conn.connection.dbapi_connection.cursor()
    with cursor.copy(f"COPY {target} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.write(data)


@lru_cache(maxsize=1)
def _pg_upsert_from_stage():
    """``INSERT INTO prices SELECT :ticker, <stage row>, :source, :now FROM stage ON CONFLICT DO UPDATE``."""
    stage = table(_STAGE, *(column(name) for name in _ROW_FIELDS))
    shaped = select(cast(bindparam("ticker"), String), *stage.c, cast(bindparam("source"), String),
                    cast(bindparam("now"), DateTime(timezone=True)))
    stmt = postgresql.insert(prices).from_select(["ticker", *_ROW_FIELDS, "source", "ingested_at"], shaped)
    return stmt.on_conflict_do_update(index_elements=[prices.c.ticker, prices.c.date], set_=_update_values(stmt),
                                      where=_values_differ(stmt))


def _write_postgres(conn: Connection, ticker: str, days: np.ndarray, values: np.ndarray, source: str,
                    now: dt.datetime, all_new: bool) -> None:
    """Binary COPY built with numpy.  Rows that were all new when compared go straight into ``prices`` (a plain
    COPY, about twice as fast on the server as an upsert); should another writer have stored one of those dates
    meanwhile, that COPY is undone (savepoint) and the rows take the upsert path: COPY into a session-private
    staging table, then one ``INSERT ... SELECT ... ON CONFLICT DO UPDATE``."""
    if all_new and now.tzinfo is not None:  # (a naive ``now`` is left to the server's time zone, as before)
        fields = [("bytes", ticker.encode()), *_pg_value_fields(days, values), ("bytes", source.encode()),
                  ("int8", (now - _PG_EPOCH) // dt.timedelta(microseconds=1))]
        try:
            with conn.begin_nested():
                _copy(conn, "prices", ["ticker", *_ROW_FIELDS, "source", "ingested_at"], _pg_copy_rows(fields, len(days)))
            return
        except Exception as exc:  # COPY runs on the raw cursor: the driver's own error class
            if getattr(getattr(exc, "orig", exc), "sqlstate", None) != "23505":  # 23505: a duplicate key
                raise
    # A session-private staging table of the row fields, emptied after each ticker (a batch holds several).
    conn.exec_driver_sql(f"CREATE TEMP TABLE IF NOT EXISTS {_STAGE} (date date, open float8, high float8, low float8, "
                         "close float8, volume bigint, dividend float8, split_factor float8)")
    _copy(conn, _STAGE, _ROW_FIELDS, _pg_copy_rows(_pg_value_fields(days, values), len(days)))
    conn.execute(_pg_upsert_from_stage(), {"ticker": ticker, "source": source, "now": now})
    # TRUNCATE, not DELETE: autovacuum never visits temp tables, so deleted rows would pile up
    # over a long run and every later INSERT ... SELECT would scan them.
    conn.exec_driver_sql(f"TRUNCATE {_STAGE}")


def upsert_prices(conn: Connection, ticker: str, frame: pd.DataFrame, source: str,
                  now: dt.datetime | None = None, run_id: int | None = None) -> UpsertCounts:
    """Write one ticker's canonical frame (see :mod:`eventstudy.sources.base`); return the counts.

    Only rows that are new or whose values differ from the stored ones are sent.  A
    missing (NaN) incoming value keeps the stored one; every stored value that changes
    is recorded in ``price_revisions`` (old, new, ``run_id``).  Runs inside the caller's
    transaction (the ingest uses one per batch of whole tickers).
    """
    if frame.empty:
        return UpsertCounts()
    now = now or dt.datetime.now(dt.timezone.utc)
    same = tuple(frame.columns) == PRICE_VALUE_COLUMNS  # the canonical order: no pandas reindexing
    values = (frame if same else frame.loc[:, list(PRICE_VALUE_COLUMNS)]).to_numpy("float64", copy=True)
    days = pd.DatetimeIndex(frame.index).to_numpy("datetime64[D]")
    old_days, old_values = _stored(conn, ticker, days[0])
    slot = np.minimum(np.searchsorted(old_days, days), max(len(old_days) - 1, 0))
    known = old_days[slot] == days if len(old_days) else np.zeros(len(days), dtype=bool)
    changed = np.zeros(len(days), dtype=bool)
    revised = 0
    if known.any():
        rows = np.flatnonzero(known)
        incoming, stored = values[rows], old_values[slot[rows]]
        gap = np.isnan(incoming) & ~np.isnan(stored)
        if gap.any():  # a value the source no longer gives is kept, not erased
            incoming = np.where(gap, stored, incoming)
            values[rows] = incoming
        cells = (incoming != stored) & ~(np.isnan(incoming) & np.isnan(stored))
        changed[rows] = cells.any(axis=1)
        if cells.any():
            revised = _record_revisions(conn, ticker, days[rows], cells, stored, incoming, run_id, now)
    send = ~known | changed
    if send.any():
        if conn.dialect.name == "postgresql":
            _write_postgres(conn, ticker, days[send], values[send], source, now, all_new=not changed.any())
        elif conn.dialect.name == "sqlite":
            _write_sqlite(conn, ticker, days[send], values[send], source, now)
        else:
            raise DataError(f"bulk price upserts support SQLite and PostgreSQL, not {conn.dialect.name}")
    n_new, n_changed = int((~known).sum()), int(changed.sum())
    return UpsertCounts(n_new, n_changed, len(days) - n_new - n_changed, revised)


def _record_revisions(conn: Connection, ticker: str, days: np.ndarray, cells: np.ndarray, stored: np.ndarray,
                      incoming: np.ndarray, run_id: int | None, now: dt.datetime) -> int:
    """Insert one ``price_revisions`` row per changed cell; return how many."""
    rows, cols = np.nonzero(cells)
    day = days.astype(object)  # datetime.date

    def value(x: float) -> float | None:
        return None if x != x else float(x)  # x != x: NaN

    records = [{"run_id": run_id, "ticker": ticker, "date": day[r], "field": PRICE_VALUE_COLUMNS[k],
                "old_value": value(stored[r, k]), "new_value": value(incoming[r, k]), "revised_at": now}
               for r, k in zip(rows.tolist(), cols.tolist())]
    conn.execute(price_revisions.insert(), records)
    return len(records)


def upsert_tickers(engine: Engine, batch: Sequence[tuple[str, pd.DataFrame]], source: str,
                   run_id: int | None = None) -> list[tuple[str, UpsertCounts | str]]:
    """Upsert whole tickers in ONE transaction; when it fails, redo them one per transaction to name the culprit.

    Returns ``(ticker, counts)`` per ticker, or ``(ticker, message)`` for a ticker the
    database refused (that ticker is left as it was; the others are stored).
    """
    if not batch:
        return []
    try:
        with engine.begin() as conn:
            return [(t, upsert_prices(conn, t, f, source, run_id=run_id)) for t, f in batch]
    except Exception as exc:  # noqa: BLE001 - DataError, SQLAlchemy's errors and the driver's own (COPY runs on the raw cursor)
        if len(batch) == 1:
            return [(batch[0][0], _first_line(exc))]
        return [item for one in batch for item in upsert_tickers(engine, [one], source, run_id)]


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def store_factors(engine: Engine, frame: pd.DataFrame, fill_only: Iterable[str] = ()) -> int:
    """:func:`upsert_factors` in one transaction of its own; returns the dates inserted or changed."""
    with engine.begin() as conn:
        return upsert_factors(conn, frame, fill_only=fill_only)


def upsert_factors(conn: Connection, frame: pd.DataFrame, fill_only: Iterable[str] = ()) -> int:
    """Merge factor columns by date (only the columns ``frame`` has); return rows inserted or changed.

    ``frame``: index dates, columns among :data:`FACTOR_COLUMNS`, DECIMAL values.
    Columns in ``fill_only`` are written only where no value is stored yet.
    """
    cols = [c for c in frame.columns if c in FACTOR_COLUMNS]
    if frame.empty or not cols:
        return 0
    frame = frame[cols].astype("float64")
    rows = conn.execute(select(factors.c.date, *(factors.c[c] for c in cols))
                        .where(factors.c.date >= frame.index[0].date(), factors.c.date <= frame.index[-1].date())).all()
    old = pd.DataFrame(rows, columns=["date", *cols])
    old.index = pd.DatetimeIndex(pd.to_datetime(old.pop("date")), name="date")
    old = old.astype("float64")
    known = frame.index.isin(old.index)
    changed = np.zeros(len(frame), dtype=bool)
    if known.any():
        stored = old.loc[frame.index[known]]
        for col in set(fill_only) & set(cols):
            keep = stored[col].notna().to_numpy()
            frame.loc[frame.index[known][keep], col] = stored[col].to_numpy()[keep]
        changed[known] = _differs(frame.loc[known], stored)
    send = frame.loc[~known | changed]
    if send.empty:
        return 0
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    stmt = insert(factors)
    stmt = stmt.on_conflict_do_update(index_elements=[factors.c.date], set_={c: stmt.excluded[c] for c in cols})
    records = [{"date": d, **{c: (None if v != v else v) for c, v in zip(cols, vals)}}  # v != v: NaN
               for d, vals in zip(send.index.date, send.to_numpy().tolist())]
    conn.execute(stmt, records)
    return len(send)


# --------------------------------------------------------------------------- reads

def _as_list(tickers: str | Iterable[str]) -> list[str]:
    items = [tickers] if isinstance(tickers, str) else list(tickers)
    return list(dict.fromkeys(t.strip().upper() for t in items if t and t.strip()))


def _day(value) -> pd.Timestamp | None:
    return None if value is None else pd.Timestamp(value).normalize()


def _long(engine: Engine, tickers: list[str], fields: Sequence[str],
          start: pd.Timestamp | None, end: pd.Timestamp | None) -> pd.DataFrame:
    """Rows for all ``tickers`` in one query: columns ``ticker, date`` + ``fields``."""
    q = select(prices.c.ticker, prices.c.date, *(prices.c[f] for f in fields)).where(prices.c.ticker.in_(tickers))
    if start is not None:
        q = q.where(prices.c.date >= start.date())
    if end is not None:
        q = q.where(prices.c.date <= end.date())
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(q)]  # plain tuples: pandas reads Row objects 10x slower
    frame = pd.DataFrame(rows, columns=["ticker", "date", *fields])
    frame["date"] = pd.to_datetime(frame["date"])
    for f in fields:
        frame[f] = frame[f].astype("float64")
    return frame


def _no_data(tickers: list[str], found: Iterable[str], start, end, allow_missing: bool = False) -> None:
    """Raise naming the tickers without rows (with ``allow_missing``: only when none has any)."""
    found = set(found)
    missing = [t for t in tickers if t not in found]
    if missing and (not allow_missing or not found):
        span = "" if start is None and end is None else f" between {start.date() if start is not None else '...'} and {end.date() if end is not None else '...'}"
        raise DataError(f"no prices in the database for {', '.join(missing)}{span} "
                        "(run 'eventstudy prices ingest --tickers ...' first?)")


def _wide(long: pd.DataFrame, field: str, tickers: list[str], sessions: pd.DatetimeIndex) -> pd.DataFrame:
    wide = long.pivot(index="date", columns="ticker", values=field).reindex(index=sessions, columns=tickers)
    wide.columns.name = None
    wide.index.name = "date"
    return wide


def _sessions(long: pd.DataFrame, start, end, exchange: str) -> pd.DatetimeIndex:
    first = start if start is not None else long["date"].min()
    last = end if end is not None else long["date"].max()
    return trading_sessions(first, last, exchange)


def load_prices(engine: Engine, tickers: str | Iterable[str], fields: Sequence[str] = ("open", "high", "low", "close"),
                start=None, end=None, *, exchange: str = DEFAULT_EXCHANGE,
                allow_missing: bool = False) -> dict[str, pd.DataFrame]:
    """Stored prices as one wide frame per field, from one query.

    Each frame: index = ``exchange`` sessions from ``start`` (default: the first
    stored date) to ``end`` (default: the last), both included; columns = tickers
    in the order asked; NaN where a ticker has no row for a session.  Prices are
    split-adjusted, not dividend-adjusted; ``dividend`` is cash per share.
    With ``allow_missing``, a ticker with no row at all is an all-NaN column
    instead of an error (callers that give such tickers their own verdict).

    Raises
    ------
    DataError
        Naming every ticker with no row at all in the range (all of them when
        ``allow_missing``), or an unknown field.
    """
    names = _as_list(tickers)
    bad = [f for f in fields if f not in PRICE_FIELDS]
    if bad:
        raise DataError(f"unknown price field(s) {', '.join(bad)}; choose among {', '.join(PRICE_FIELDS)}")
    start, end = _day(start), _day(end)
    long = _long(engine, names, list(fields), start, end)
    _no_data(names, long["ticker"].unique(), start, end, allow_missing)
    sessions = _sessions(long, start, end, exchange)
    return {f: _wide(long, f, names, sessions) for f in fields}


def load_returns(engine: Engine, tickers: str | Iterable[str], start=None, end=None, kind: str = "simple",
                 *, exchange: str = DEFAULT_EXCHANGE, allow_missing: bool = False) -> pd.DataFrame:
    """Daily close-to-close returns, wide and aligned on the exchange calendar, from one query.

    Parameters
    ----------
    kind
        ``simple``: C_t / C_{t-1} - 1; ``log``: ln(C_t / C_{t-1});
        ``total``: (C_t + D_t) / C_{t-1} - 1 with D_t the cash dividend whose ex-date is t.
        C_{t-1} is the close of the previous session of ``exchange``.
    start, end
        First and last session returned, both included (default: the stored range).
    allow_missing
        A ticker with no price at all becomes an all-NaN column instead of an error.

    Returns
    -------
    DataFrame
        Index = sessions (tz-naive), columns = tickers in the order asked, values
        DECIMAL fractions (0.01 = +1 %).  NaN where a ticker has no close on the
        session or on the previous one (before its listing, around a gap).

    Raises
    ------
    DataError
        Naming every ticker with no price at all in the range, or an unknown ``kind``.
    """
    if kind not in RETURN_KINDS:
        raise DataError(f"unknown return kind {kind!r}; choose among {', '.join(RETURN_KINDS)}")
    names = _as_list(tickers)
    start, end = _day(start), _day(end)
    fetch_from = None if start is None else start - pd.Timedelta(days=_LOOKBACK_DAYS)
    long = _long(engine, names, ["close", "dividend"], fetch_from, end)
    in_range = long if start is None else long.loc[long["date"] >= start]
    _no_data(names, in_range["ticker"].unique(), start, end, allow_missing)
    sessions = _sessions(long, fetch_from, end, exchange)
    close = _wide(long, "close", names, sessions)
    previous = close.shift(1)
    if kind == "simple":
        out = close / previous - 1.0
    elif kind == "log":
        out = np.log(close / previous)
    else:
        dividend = _wide(long, "dividend", names, sessions).fillna(0.0)
        out = (close + dividend) / previous - 1.0
    return out if start is None else out.loc[out.index >= start]


def load_factors(engine: Engine, start=None, end=None) -> pd.DataFrame:
    """Stored Fama-French daily factors in DECIMAL (0.0039 = +0.39 %).

    Index = dates (``date``), both ends included; columns among
    ``mkt_rf, smb, hml, rf, mom, rmw, cma`` (columns never loaded are left out).

    Raises
    ------
    DataError
        When no factor row lies in the range (run ``eventstudy prices ingest --factors FILE``).
    """
    start, end = _day(start), _day(end)
    q = select(factors).order_by(factors.c.date)
    if start is not None:
        q = q.where(factors.c.date >= start.date())
    if end is not None:
        q = q.where(factors.c.date <= end.date())
    with engine.connect() as conn:
        rows = conn.execute(q).all()
    if not rows:
        raise DataError("no Fama-French factors in the database for the range asked "
                        "(run 'eventstudy prices ingest --factors FILE' first?)")
    frame = pd.DataFrame(rows, columns=["date", *FACTOR_COLUMNS])
    frame.index = pd.DatetimeIndex(pd.to_datetime(frame.pop("date")), name="date")
    return frame.astype("float64").dropna(axis=1, how="all")


def load_price_rows(engine: Engine, tickers: Sequence[str] | None, fields: Sequence[str]) -> pd.DataFrame:
    """Stored rows in long form: columns ``ticker, date`` (Timestamp) and ``fields``, sorted by ticker and date."""
    q = select(prices.c.ticker, prices.c.date, *(prices.c[c] for c in fields)).order_by(prices.c.ticker, prices.c.date)
    if tickers is not None:
        q = q.where(prices.c.ticker.in_(list(tickers)))
    with engine.connect() as conn:
        long = pd.DataFrame(conn.execute(q).all(), columns=["ticker", "date", *fields])
    long["date"] = pd.to_datetime(long["date"])
    return long


def load_closes(engine: Engine, tickers: Sequence[str]) -> dict[str, pd.Series]:
    """Close prices per ticker, indexed by date (tickers without any row are left out)."""
    long = load_price_rows(engine, tickers, ("close",))
    return {t: g.set_index("date")["close"] for t, g in long.groupby("ticker")}


def price_extents(engine: Engine) -> list[tuple[str, str, int]]:
    """``(ticker, last date, row count)`` for every stored ticker, by ticker."""
    q = select(prices.c.ticker, func.max(prices.c.date), func.count()).group_by(prices.c.ticker).order_by(prices.c.ticker)
    with engine.connect() as conn:
        return [(t, str(d), int(n)) for t, d, n in conn.execute(q).all()]


# --------------------------------------------------------------------------- ingest runs

def start_ingest_run(engine: Engine, source: str) -> int:
    """Record a new ingest (status ``running``, this process and host) and return its id.

    Runs still ``running`` whose process on this host is gone were killed: they are
    marked ``interrupted`` first.
    """
    with engine.begin() as conn:
        running = conn.execute(select(ingest_runs.c.id, ingest_runs.c.pid).where(
            ingest_runs.c.status == "running", ingest_runs.c.host == socket.gethostname())).all()
        dead = [run_id for run_id, pid in running if pid is None or not pid_alive(pid)]
        if dead:
            conn.execute(update(ingest_runs).where(ingest_runs.c.id.in_(dead)).values(status="interrupted"))
        return int(conn.execute(ingest_runs.insert().values(
            started_at=utcnow(), source=source, tickers_ok=0, tickers_failed=0, rows_inserted=0,
            rows_updated=0, status="running", pid=os.getpid(), host=socket.gethostname())).inserted_primary_key[0])


def finish_ingest_run(engine: Engine, run_id: int, *, tickers_ok: int, failed: dict[str, str], rows_inserted: int,
                      rows_updated: int, status: str, values_revised: int = 0) -> None:
    """Close an ingest run with its counts, failures (JSON ``{ticker: message}``) and final status."""
    with engine.begin() as conn:
        conn.execute(update(ingest_runs).where(ingest_runs.c.id == run_id).values(
            finished_at=utcnow(), tickers_ok=tickers_ok, tickers_failed=len(failed),
            rows_inserted=rows_inserted, rows_updated=rows_updated, values_revised=values_revised,
            errors=json.dumps(failed) if failed else None, status=status))


def load_revisions(engine: Engine, run_id: int | None = None, ticker: str | None = None) -> pd.DataFrame:
    """Recorded revisions of stored prices: columns ``run_id, ticker, date, field, old_value, new_value, revised_at``."""
    cols = ("run_id", "ticker", "date", "field", "old_value", "new_value", "revised_at")
    q = select(*(price_revisions.c[c] for c in cols)).order_by(price_revisions.c.id)
    if run_id is not None:
        q = q.where(price_revisions.c.run_id == run_id)
    if ticker is not None:
        q = q.where(price_revisions.c.ticker == ticker.upper())
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(q).all(), columns=list(cols))
