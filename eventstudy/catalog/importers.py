"""Event lists (CSV, Excel, EventStudyTools request files) -> validated catalog events, and back.

Formats, told apart by their first non-empty line
-------------------------------------------------
* **CSV / Excel with a header row** (``,``, ``;`` or tab separated; ``.xlsx``: the first
  sheet).  One row per party; rows with the same ``event_id`` are one event (without an
  ``event_id`` column each row is its own event).  Columns (header names are case-blind,
  spaces and hyphens read as ``_``):

  ==================  =====================================================================
  ``date``            announcement date ``YYYY-MM-DD`` (required)
  ``title``           required
  ``deal_type``       one of the catalog's deal types (required)
  ``ticker``          the party's symbol; empty for an unlisted party (then ``name`` is required)
  ``role``            the party's role (required)
  ``timing``          ``pre-open`` / ``intraday`` / ``after-close`` / ``unknown`` (default)
  ``event_id``        groups parties; used as the event id when it is a slug, else the id is
                      ``{date}-{first words of the title}``
  ``name``, ``exchange``, ``time`` (HH:MM), ``terms``, ``notes``, ``confidence`` (default
  ``medium``), ``confidence_note``, ``source`` (default: the file's name), ``url``,
  ``amount`` (number), ``amount_scale`` (default ``billion``), ``amount_currency`` (default
  ``USD``), ``amount_kind`` (required with an amount), ``amount_text``
  ==================  =====================================================================

  Event-level columns (everything but ticker, name, exchange, role, source, url) must agree
  on every row of one event.
* **EventStudyTools request files** (their ``01_RequestFile.csv``): no header, ``;``-separated,
  nine fields: event id; firm id (= ticker); market id (= benchmark); event date
  ``dd.mm.yyyy``; grouping variable; event window start; event window end; estimation window
  end; estimation window length (trading days, offsets from day 0).  The date is day 0:
  events get ``timing: unknown``, for which the engine puts day 0 on that date's session.
  The group becomes the deal type when it names one (else ``default_deal_type``, else the
  row is a problem); group, benchmark and windows are kept in ``notes`` in a fixed form that
  :func:`export_est` reads back.

Every problem is reported as ``file:line: field: message`` and, when there is any, no
event is returned (:class:`~eventstudy.exceptions.CatalogError`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import pandas as pd
from pydantic import ValidationError

from ..exceptions import CatalogError
from ..prices.calendar import trading_sessions
from .loader import Problem
from .schema import DealType, Event, Party, Timing
from .yaml_writer import PendingEvent

COLUMNS = ("event_id", "date", "time", "timing", "title", "deal_type", "ticker", "name", "exchange", "role",
           "amount", "amount_scale", "amount_currency", "amount_kind", "amount_text", "terms", "source", "url",
           "confidence", "confidence_note", "notes")
_PARTY_COLUMNS = {"ticker", "name", "exchange", "role", "source", "url"}
_EVENT_COLUMNS = tuple(c for c in COLUMNS if c not in _PARTY_COLUMNS and c != "event_id")
_REQUIRED = ("date", "title", "deal_type", "role")
EST_FIELDS = ("event_id", "firm", "market", "date", "group", "event_start", "event_end", "estimation_end", "estimation_length")
_EST_DATE = re.compile(r"^\d{1,2}\.\d{1,2}\.\d{4}$")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: The notes line that carries an EventStudyTools request's settings (written on import, read on export).
_EST_NOTE = re.compile(r"EventStudyTools request: event (?P<id>\S+); group (?P<group>.*?); market (?P<market>\S+); "
                       r"event window \[(?P<start>-?\d+), (?P<end>-?\d+)\]; estimation window ends at (?P<est_end>-?\d+), "
                       r"(?P<est_len>\d+) days")


@dataclass(frozen=True)
class Row:
    file: str
    line: int
    values: dict[str, str]


def slugify(text: str, words: int = 8) -> str:
    """Lower-case ``a-z0-9`` words joined by ``-`` (at most ``words`` of them)."""
    parts = re.findall(r"[a-z0-9]+", text.lower())
    return "-".join(parts[:words])


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _header_key(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


# ---------------------------------------------------------------------------------------------- reading


def _text_lines(path: Path) -> list[tuple[int, str]]:
    text = path.read_text(encoding="utf-8-sig")
    return [(i, line) for i, line in enumerate(text.splitlines(), start=1) if line.strip()]


def _split(line: str, delimiter: str) -> list[str]:
    return [c.strip() for c in next(csv.reader(io.StringIO(line), delimiter=delimiter))]


def _is_header(cells: list[str]) -> bool:
    keys = {_header_key(c) for c in cells}
    return "date" in keys and ("ticker" in keys or "name" in keys)


def _read_rows(path: Path) -> tuple[str, list[Row], list[Problem]]:
    """(kind, rows, problems) with kind ``table`` (header row) or ``est``."""
    name = str(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_excel(path)
    try:
        lines = _text_lines(path)
    except (OSError, UnicodeDecodeError) as exc:
        return "", [], [Problem(name, 0, 0, "", f"cannot read the file as UTF-8 text: {exc}")]
    if not lines:
        return "", [], [Problem(name, 0, 0, "", "the file is empty")]
    first_no, first = lines[0]
    for delimiter in (",", ";", "\t"):
        header = _split(first, delimiter)
        if _is_header(header):
            return "table", *_table_rows(name, [(n, _split(line, delimiter)) for n, line in lines], delimiter)
    if len(_split(first, ";")) == len(EST_FIELDS):
        return "est", [Row(name, n, dict(zip(EST_FIELDS, _split(line, ";")))) for n, line in lines], \
            [Problem(name, n, 0, "", f"expected {len(EST_FIELDS)} ';'-separated fields (EventStudyTools request file), got {k}")
             for n, line in lines if (k := len(_split(line, ";"))) != len(EST_FIELDS)]
    for delimiter in (",", "\t"):
        cells = _split(first, delimiter)
        if len(cells) == len(EST_FIELDS) and _EST_DATE.match(cells[3]):
            return "", [], [Problem(name, first_no, 0, "", f"looks like an EventStudyTools request file but is {delimiter!r}-separated; "
                                                         "EventStudyTools request files are ';'-separated")]
    return "", [], [Problem(name, first_no, 0, "", "cannot tell the format: expected a header row naming at least date and ticker "
                                                 f"(columns: {', '.join(COLUMNS)}) or an EventStudyTools request file "
                                                 f"({len(EST_FIELDS)} ';'-separated fields, no header)")]


def _table_rows(name: str, cells: list[tuple[int, list[str]]], delimiter: str = ",") -> tuple[list[Row], list[Problem]]:
    (header_no, header), body = cells[0], cells[1:]
    keys = [_header_key(c) for c in header]
    problems = [Problem(name, header_no, 0, key, f"unknown column {key!r} (known columns: {', '.join(COLUMNS)})")
                for key in keys if key not in COLUMNS]
    problems += [Problem(name, header_no, 0, key, f"column {key!r} appears twice") for key in sorted({k for k in keys if keys.count(k) > 1})]
    problems += [Problem(name, header_no, 0, key, f"missing required column {key!r}") for key in _REQUIRED if key not in keys]
    if problems:
        return [], problems
    rows = []
    for line_no, values in body:
        if len(values) != len(keys):
            problems.append(Problem(name, line_no, 0, "", f"expected {len(keys)} {delimiter!r}-separated fields as in the header, got {len(values)} "
                                                         "(wrong delimiter, or a value with the delimiter in it that is not quoted?)"))
            continue
        rows.append(Row(name, line_no, dict(zip(keys, values))))
    return rows, problems


def _read_excel(path: Path) -> tuple[str, list[Row], list[Problem]]:
    from openpyxl import load_workbook  # only Excel imports need it

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or non-xlsx file
        return "", [], [Problem(str(path), 0, 0, "", f"cannot read the file as an Excel workbook: {exc}")]
    try:
        sheet = book.worksheets[0]
        cells = [(n, [_cell(v) for v in row]) for n, row in enumerate(sheet.iter_rows(values_only=True), start=1)
                 if any(v not in (None, "") for v in row)]
    finally:
        book.close()
    if not cells:
        return "", [], [Problem(str(path), 0, 0, "", "the first sheet is empty")]
    # Trailing empty columns (formatted but blank cells) are not columns.
    width = max(i + 1 for _, row in cells for i, v in enumerate(row) if v)
    cells = [(n, row[:width] + [""] * (width - len(row))) for n, row in cells]
    if not _is_header(cells[0][1]):
        if len(cells[0][1]) == len(EST_FIELDS):
            # A date typed into Excel is a date cell (read as YYYY-MM-DD), not EventStudyTools' dd.mm.yyyy text.
            rows = [dict(zip(EST_FIELDS, row)) for _, row in cells]
            for row in rows:
                if re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["date"]):
                    row["date"] = ".".join(reversed(row["date"].split("-")))
            return "est", [Row(str(path), n, row) for (n, _), row in zip(cells, rows)], []
        return "", [], [Problem(str(path), cells[0][0], 0, "", f"expected a header row naming at least date and ticker (columns: {', '.join(COLUMNS)})")]
    return "table", *_table_rows(str(path), cells)


# ---------------------------------------------------------------------------------------------- building


def _where(loc: tuple, first: Row, parties: list[Row], source_rows: list[Row]) -> tuple[Row, str]:
    """The row and column a pydantic error location points at."""
    if not loc:
        return first, "ticker"
    head = loc[0]
    if head == "parties" and len(loc) > 1 and isinstance(loc[1], int) and loc[1] < len(parties):
        return parties[loc[1]], str(loc[2]) if len(loc) > 2 else "ticker"
    if head == "sources" and len(loc) > 1 and isinstance(loc[1], int) and loc[1] < len(source_rows):
        return source_rows[loc[1]], "url" if len(loc) > 2 and loc[2] == "url" else "source"
    if head == "amount":
        return first, "amount" if len(loc) < 2 or loc[1] == "value" else f"amount_{loc[1]}"
    return first, str(head)


def _validate(data: dict, first: Row, parties: list[Row], source_rows: list[Row], *, column_of: dict[str, str] | None = None
              ) -> tuple[Event | None, list[Problem]]:
    try:
        return Event.model_validate(data), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            row, column = _where(tuple(err["loc"]), first, parties, source_rows)
            column = (column_of or {}).get(column, column)
            message = err["msg"].removeprefix("Value error, ")
            if err["type"] in ("enum", "literal_error") or err["type"].startswith("string_pattern"):
                message += f" (got {err.get('input')!r})"
            problems.append(Problem(row.file, row.line, 0, column, message))
        return None, problems


def _table_event(group: list[Row]) -> tuple[Event | None, list[Problem]]:
    first = group[0]
    v = first.values
    problems = []
    for row in group[1:]:
        for col in _EVENT_COLUMNS:
            other = row.values.get(col, "")
            if other and other != v.get(col, ""):
                problems.append(Problem(row.file, row.line, 0, col, f"{other!r} differs from {v.get(col, '')!r} on line {first.line} "
                                                                    "(event-level columns must agree on every row of one event_id)"))
    if problems:
        return None, problems
    date = v.get("date", "")
    parties = []
    for row in group:
        ticker, name = row.values.get("ticker", ""), row.values.get("name", "")
        party: dict[str, Any] = {"name": name or ticker, "role": row.values.get("role", "")}
        if ticker:
            party["ticker"] = ticker
        else:
            party["listed"] = False
        if row.values.get("exchange"):
            party["exchange"] = row.values["exchange"]
        if not (name or ticker):
            problems.append(Problem(row.file, row.line, 0, "name", "a party needs a ticker or, when unlisted, a name"))
        parties.append(party)
    sources, source_rows = [], []
    for row in group:
        src = {"source": row.values.get("source") or Path(row.file).name}
        if row.values.get("url"):
            src["url"] = row.values["url"]
        if src not in sources:
            sources.append(src)
            source_rows.append(row)
    data: dict[str, Any] = {
        "id": _table_id(v),
        "title": v.get("title", ""),
        "date": date,
        "timing": v.get("timing") or Timing.UNKNOWN.value,
        "deal_type": v.get("deal_type", ""),
        "parties": parties,
        "sources": sources,
        "confidence": v.get("confidence") or "medium",
    }
    for key in ("time", "terms", "notes", "confidence_note"):
        if v.get(key):
            data[key] = v[key]
    if v.get("amount"):
        try:
            value = float(v["amount"].replace(",", "").replace("_", ""))
        except ValueError:
            problems.append(Problem(first.file, first.line, 0, "amount", f"{v['amount']!r} is not a number (e.g. 5 or 6.3; the scale goes in amount_scale)"))
        else:
            amount: dict[str, Any] = {"value": value, "kind": v.get("amount_kind", "")}
            for key in ("scale", "currency", "text"):
                if v.get(f"amount_{key}"):
                    amount[key] = v[f"amount_{key}"]
            data["amount"] = amount
    elif any(v.get(f"amount_{k}") for k in ("scale", "currency", "kind")):
        problems.append(Problem(first.file, first.line, 0, "amount", "amount_scale/amount_currency/amount_kind given without an amount"))
    event, bad = _validate(data, first, [r for r in group], source_rows)
    if event is not None and not _SLUG.match(event.id):
        bad.append(Problem(first.file, first.line, 0, "event_id", f"cannot build an id from {event.id!r}"))
    return (None if problems or bad else event), problems + bad


def _table_id(v: dict[str, str]) -> str:
    given = v.get("event_id", "")
    if _SLUG.match(given) and re.search(r"[a-z]", given):
        return given
    return f"{v.get('date', '')}-{slugify(v.get('title', ''), 6)}"


def _est_date(text: str) -> dt.date | None:
    if not _EST_DATE.match(text):
        return None
    day, month, year = (int(p) for p in text.split("."))
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _est_event(group: list[Row], default_deal_type: DealType | None) -> tuple[Event | None, list[Problem]]:
    first = group[0]
    v = first.values
    problems = []
    for row in group[1:]:
        for col in ("date", "group", "market", "event_start", "event_end", "estimation_end", "estimation_length"):
            if row.values[col] != v[col]:
                problems.append(Problem(row.file, row.line, 0, col, f"{row.values[col]!r} differs from {v[col]!r} on line {first.line} (same event id)"))
    date = _est_date(v["date"])
    if date is None:
        problems.append(Problem(first.file, first.line, 0, "date", f"{v['date']!r} is not a valid date in dd.mm.yyyy form (e.g. 18.09.2025)"))
    numbers = {}
    for col in ("event_start", "event_end", "estimation_end", "estimation_length"):
        try:
            numbers[col] = int(v[col])
        except ValueError:
            problems.append(Problem(first.file, first.line, 0, col, f"{v[col]!r} is not a whole number of trading days"))
    if len(numbers) == 4:
        if numbers["event_start"] > numbers["event_end"]:
            problems.append(Problem(first.file, first.line, 0, "event_start", f"event window start {numbers['event_start']} is after its end {numbers['event_end']}"))
        if numbers["estimation_end"] >= numbers["event_start"]:
            problems.append(Problem(first.file, first.line, 0, "estimation_end",
                                    f"estimation window end {numbers['estimation_end']} is not before the event window start {numbers['event_start']}"))
        if numbers["estimation_length"] <= 0:
            problems.append(Problem(first.file, first.line, 0, "estimation_length", f"estimation length must be positive (got {numbers['estimation_length']})"))
    for row in group:
        try:
            Party.model_validate({"name": row.values["firm"] or "?", "ticker": row.values["firm"], "role": "subject"})
        except ValidationError as exc:
            problems += [Problem(row.file, row.line, 0, "firm", e["msg"].removeprefix("Value error, ")) for e in exc.errors()]
    group_text = v["group"]
    deal = slugify(group_text, 20)
    if deal in {d.value for d in DealType}:
        deal_type = deal
    elif default_deal_type is not None:
        deal_type = default_deal_type.value
    else:
        deal_type = None
        problems.append(Problem(first.file, first.line, 0, "group", f"group {group_text!r} is not a deal type (expected one of: "
                                                                   f"{', '.join(d.value for d in DealType)}); pass --deal-type to use one for every such row"))
    if problems:
        return None, problems
    firms = ", ".join(r.values["firm"] for r in group)
    data = {
        "id": f"{date.isoformat()}-{slugify(group[0].values['firm'], 4) or 'firm'}-est-{slugify(v['event_id'], 4) or 'x'}",
        "title": f"EventStudyTools event {v['event_id']}: {firms}" + (f" ({group_text})" if group_text else ""),
        "date": date.isoformat(),
        "timing": Timing.UNKNOWN.value,
        "deal_type": deal_type,
        "parties": [{"name": r.values["firm"], "ticker": r.values["firm"], "role": "subject"} for r in group],
        "sources": [{"source": Path(first.file).name}],
        "confidence": "medium",
        "confidence_note": "event date taken as day 0 from an EventStudyTools request file; timing unknown "
                           "(the engine puts day 0 on that date's session); not checked against prices",
        "notes": (f"EventStudyTools request: event {v['event_id']}; group {group_text}; market {v['market']}; "
                  f"event window [{numbers['event_start']}, {numbers['event_end']}]; estimation window ends at "
                  f"{numbers['estimation_end']}, {numbers['estimation_length']} days"),
    }
    return _validate(data, first, group, [first], column_of={"ticker": "firm", "name": "firm", "date": "date"})


def _groups(rows: list[Row], key: str) -> list[list[Row]]:
    groups: dict[str, list[Row]] = {}
    for i, row in enumerate(rows):
        groups.setdefault(row.values.get(key) or f"#row{i}", []).append(row)
    return list(groups.values())


def read_event_file(path: str | Path, *, default_deal_type: DealType | None = None) -> list[PendingEvent]:
    """Events of one CSV / Excel / EventStudyTools file (see the module docstring for the columns).

    Raises
    ------
    CatalogError
        Listing every problem (``file:line: field: message``); no events are returned then.
    """
    return read_event_files([path], default_deal_type=default_deal_type)


def read_event_files(paths: Iterable[str | Path], *, default_deal_type: DealType | None = None) -> list[PendingEvent]:
    """Events of several files; problems of all files are collected before raising :class:`CatalogError`."""
    problems: list[Problem] = []
    pending: list[PendingEvent] = []
    for raw in paths:
        path = Path(raw)
        if not path.is_file():
            problems.append(Problem(str(path), 0, 0, "", "no such file"))
            continue
        kind, rows, bad = _read_rows(path)
        problems.extend(bad)
        if bad:
            continue
        if kind == "est":
            built = [(_est_event(g, default_deal_type), g[0]) for g in _groups(rows, "event_id")]
        else:
            built = [(_table_event(g), g[0]) for g in _groups(rows, "event_id")]
        for (event, bad_rows), first in built:
            problems.extend(bad_rows)
            if event is not None:
                pending.append(PendingEvent(event, first.file, first.line))
    if not problems and not pending:
        problems.append(Problem(", ".join(map(str, paths)), 0, 0, "", "no events in the file(s)"))
    if problems:
        raise CatalogError(problems)
    return pending


# ---------------------------------------------------------------------------------------------- export


def _day0(date: dt.date, timing: str) -> dt.date:
    """The session the engine uses as day 0 (after-close and non-session dates -> the next XNYS session)."""
    sessions = trading_sessions(date, date + dt.timedelta(days=10))
    after = timing == Timing.AFTER_CLOSE.value
    for session in sessions:
        day = session.date()
        if day > date or (day == date and not after):
            return day
    raise CatalogError([Problem("", 0, 0, "date", f"no XNYS session known after {date} (calendar ends)")])


def export_est(events: list[Event], *, benchmark: str = "SPY", event_window: tuple[int, int] = (-10, 10),
               estimation_end: int = -11, estimation_length: int = 250) -> str:
    """An EventStudyTools request file: one ``;``-separated row per listed party of each event.

    The date written is day 0 as this project's engine places it (after-close news -> the next
    session), since EventStudyTools takes its event date as day 0.  Events imported from a
    request file keep their own market, group and windows (from their ``notes``); the arguments
    apply to the others.  Event ids are numbered 1, 2, ... in the order given.
    """
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    number = 0
    for event in events:
        note = _EST_NOTE.search(event.notes or "")
        settings = (note["market"], note["group"], int(note["start"]), int(note["end"]), int(note["est_end"]), int(note["est_len"])) if note \
            else (benchmark, event.deal_type.value, *event_window, estimation_end, estimation_length)
        day0 = _day0(event.date, event.timing.value)
        for ticker in event.tickers:
            number += 1
            market, group, start, end, est_end, est_len = settings
            writer.writerow([number, ticker, market, day0.strftime("%d.%m.%Y"), group, start, end, est_end, est_len])
    return out.getvalue()


def export_csv(events: list[Event]) -> str:
    """The catalog as the import CSV (one row per party, ``event_id`` = the event's id).

    Lossy by design: one source per party row, no claims, confounders or quotes.
    Importing the output gives back each event's id, date, timing, title, deal type, parties and amount.
    """
    rows = []
    for event in events:
        for i, party in enumerate(event.parties):
            source = event.sources[min(i, len(event.sources) - 1)]
            amount = event.amount
            rows.append({
                "event_id": event.id, "date": event.date.isoformat(), "time": event.time or "", "timing": event.timing.value,
                "title": event.title, "deal_type": event.deal_type.value, "ticker": party.ticker or "", "name": party.name,
                "exchange": party.exchange or "", "role": party.role.value,
                "amount": f"{amount.value:g}" if amount else "", "amount_scale": amount.scale.value if amount else "",
                "amount_currency": amount.currency if amount else "", "amount_kind": amount.kind.value if amount else "",
                "amount_text": (amount.text or "") if amount else "", "terms": event.terms or "",
                "source": source.source, "url": source.url or "", "confidence": event.confidence.value,
                "confidence_note": event.confidence_note or "", "notes": event.notes or "",
            })
    return pd.DataFrame(rows, columns=list(COLUMNS)).to_csv(index=False, lineterminator="\n")


# ---------------------------------------------------------------------------------------------- scaffold


def new_event(*, date: str, title: str, deal_type: str, parties: list[str], timing: str = Timing.UNKNOWN.value,
              time: str | None = None, source: str = "entered with eventstudy events new", url: str | None = None,
              confidence: str = "low", event_id: str | None = None) -> Event:
    """A new catalog event from command-line values; ``parties`` are ``NAME:TICKER:ROLE`` (empty TICKER: unlisted).

    Raises
    ------
    CatalogError
        Naming the option (``--party``, ``--date``, ...) whose value is invalid.
    """
    problems, party_data = [], []
    for i, spec in enumerate(parties):
        bits = spec.split(":")
        if len(bits) != 3 or not bits[0].strip():
            problems.append(Problem("--party", 0, 0, str(i + 1), f"{spec!r} is not NAME:TICKER:ROLE (e.g. \"Intel:INTC:investee\", \"OpenAI::customer\")"))
            continue
        name, ticker, role = (b.strip() for b in bits)
        party_data.append({"name": name, "ticker": ticker, "role": role} if ticker else {"name": name, "listed": False, "role": role})
    data: dict[str, Any] = {"id": event_id or f"{date}-{slugify(title, 6)}", "title": title, "date": date, "timing": timing,
                            "deal_type": deal_type, "parties": party_data, "sources": [{"source": source, **({"url": url} if url else {})}],
                            "confidence": confidence}
    if time:
        data["time"] = time
    if problems:
        raise CatalogError(problems)
    try:
        return Event.model_validate(data)
    except ValidationError as exc:
        option = {"parties": "--party", "deal_type": "--deal-type", "sources": "--source", "id": "--id"}
        raise CatalogError([Problem(option.get(str(e["loc"][0]), f"--{e['loc'][0]}") if e["loc"] else "--party", 0, 0,
                                    ".".join(map(str, e["loc"][1:])), e["msg"].removeprefix("Value error, ")
                                    + (f" (got {e.get('input')!r})" if e["type"] == "enum" else ""))
                            for e in exc.errors()]) from None
