"""Read ``events/*.yaml`` into validated :class:`~eventstudy.catalog.schema.Event` objects.

Every problem in every file is collected (file, line, column, field, message)
before anything is returned, so one run shows all that needs fixing and the
caller can refuse to touch the database when the list is not empty.

Line and column numbers come from the YAML node tree (``yaml.compose``), so a
pydantic error location such as ``("parties", 1, "role")`` is reported at the
line where that value is written.  Dates and times are read as plain strings
(no YAML 1.1 timestamp or sexagesimal magic) and validated by the schema, so a
bad date is a reported problem rather than a crash in the YAML parser.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import yaml
from pydantic import BaseModel, ValidationError

from ..exceptions import CatalogError
from .schema import Amount, Claim, Event, Party, Source


@dataclass(frozen=True)
class Problem:
    """One catalog problem.  ``line`` and ``column`` are 1-based (0 when unknown)."""

    file: str
    line: int
    column: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


@dataclass(frozen=True)
class CatalogEntry:
    """A validated event with where it came from and a hash of its content (for change detection).

    ``line`` is the 1-based line of the event's ``id:`` key in ``file``.
    """

    event: Event
    file: str
    line: int
    content_hash: str


class _CatalogLoader(yaml.SafeLoader):
    """SafeLoader without implicit timestamps and sexagesimal numbers.

    ``2025-13-45`` would otherwise raise a bare ``ValueError`` inside PyYAML and
    ``time: 10:30`` would silently become the integer 630; as strings both reach
    the schema, which reports them with their line.
    """


_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_INT_TAG = "tag:yaml.org,2002:int"
_CatalogLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in (_TIMESTAMP_TAG, _INT_TAG)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
# Plain decimal integers only: no octal, hex or sexagesimal ("10:30" stays a string).
_CatalogLoader.add_implicit_resolver(_INT_TAG, re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$"), list("-+0123456789"))

# Which model a (list-index-free) location prefix points into: used to list the allowed keys.
_MODEL_AT: dict[tuple[str, ...], type[BaseModel]] = {
    (): Event,
    ("parties",): Party,
    ("amount",): Amount,
    ("sources",): Source,
    ("claims",): Claim,
}


def _key_node(mapping: yaml.MappingNode, key: Any) -> tuple[yaml.Node, yaml.Node] | None:
    return next(((k, v) for k, v in mapping.value if k.value == key), None)


def _node_at(node: yaml.Node, loc: Iterable[Any], *, want_key: bool = False) -> yaml.Node:
    """Follow a pydantic error location through the YAML node tree as far as it goes.

    With ``want_key`` the last step returns the key node (``id:``) instead of its value.
    """
    loc = list(loc)
    for i, key in enumerate(loc):
        if isinstance(node, yaml.MappingNode):
            pair = _key_node(node, key)
            if pair is None:
                break
            node = pair[0] if want_key and i == len(loc) - 1 else pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            break
    return node


def _allowed_keys(loc: tuple, models: dict[tuple[str, ...], type[BaseModel]] = _MODEL_AT) -> list[str]:
    model = models.get(tuple(p for p in loc if not isinstance(p, int)))
    return list(model.model_fields) if model else []


def _problem(path: Path, root: yaml.Node | None, loc: tuple, message: str, *, want_key: bool = False) -> Problem:
    node = _node_at(root, loc, want_key=want_key) if root is not None else None
    mark = node.start_mark if node is not None else None
    field = ".".join(str(p) for p in loc)
    return Problem(str(path), mark.line + 1 if mark else 0, mark.column + 1 if mark else 0, field, message)


def _error_problem(path: Path, root: yaml.Node, err: dict,
                   models: dict[tuple[str, ...], type[BaseModel]] = _MODEL_AT) -> Problem:
    """Turn one pydantic error into a Problem that says what was expected (``models``: which model a
    location prefix points into, for the list of allowed keys)."""
    loc = tuple(err["loc"])
    kind = err["type"]
    msg = err["msg"].removeprefix("Value error, ")
    if kind == "extra_forbidden":
        allowed = ", ".join(_allowed_keys(loc[:-1], models))
        return _problem(path, root, loc, f"unknown key {loc[-1]!r} (allowed keys here: {allowed})", want_key=True)
    if kind == "missing":
        # The key is absent: point at the mapping that should hold it.
        return _problem(path, root, loc, f"missing required key {loc[-1]!r}")
    if kind == "enum":
        return _problem(path, root, loc, f"{msg} (got {err.get('input')!r})")
    if kind.startswith("string_pattern"):
        return _problem(path, root, loc, f"{msg} (got {err.get('input')!r})")
    return _problem(path, root, loc, msg)


def _duplicate_keys(path: Path, node: yaml.Node, loc: tuple = ()) -> list[Problem]:
    """Keys written twice in one mapping (PyYAML would silently keep the last one)."""
    found: list[Problem] = []
    if isinstance(node, yaml.MappingNode):
        seen: set = set()
        for key, value in node.value:
            if key.value in seen:
                found.append(Problem(str(path), key.start_mark.line + 1, key.start_mark.column + 1, ".".join(map(str, (*loc, key.value))),
                                     f"key {key.value!r} is written twice in this mapping (each key once)"))
            seen.add(key.value)
            found.extend(_duplicate_keys(path, value, (*loc, key.value)))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            found.extend(_duplicate_keys(path, item, (*loc, i)))
    return found


def read_located_yaml(path: Path, what: str) -> tuple[yaml.Node | None, Any, list[Problem]]:
    """Read one YAML mapping with its node tree (for line numbers), dates and times as plain strings.

    Returns ``(root node, data, problems)``; ``problems`` (unreadable file, bad YAML, not a mapping,
    duplicate keys) is empty when ``data`` can be validated.  ``what`` completes the "not a mapping"
    message "expected ...", e.g. ``"one event as a mapping of keys (id, title, ...)"``.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, None, [Problem(str(path), 0, 0, "", f"cannot read the file as UTF-8 text: {exc}")]
    try:
        root = yaml.compose(text, Loader=_CatalogLoader)
        data = yaml.load(text, Loader=_CatalogLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        reason = getattr(exc, "problem", None) or str(exc)
        return None, None, [Problem(str(path), mark.line + 1 if mark else 0, mark.column + 1 if mark else 0, "", f"bad YAML: {reason} (expected one YAML mapping per file)")]
    if root is None or not isinstance(data, dict):
        line = root.start_mark.line + 1 if root is not None else 1
        return root, data, [Problem(str(path), line, 1, "", f"expected {what}")]
    return root, data, _duplicate_keys(path, root)


def validation_problems(path: Path, root: yaml.Node, exc: ValidationError,
                        models: dict[tuple[str, ...], type[BaseModel]]) -> list[Problem]:
    """Every error of a pydantic validation as located :class:`Problem` objects."""
    return [_error_problem(path, root, e, models) for e in exc.errors()]


def _parse_file(path: Path) -> tuple[list[CatalogEntry], list[Problem]]:
    root, data, problems = read_located_yaml(path, "one event as a mapping of keys (id, title, date, timing, ...)")
    if root is None or not isinstance(data, dict):
        return [], problems
    try:
        event = Event.model_validate(data)
    except ValidationError as exc:
        return [], problems + [_error_problem(path, root, e) for e in exc.errors()]
    problems += [
        _problem(path, root, ("claims", i, "ticker"),
                 f"claim on {c.ticker} but {c.ticker} is not a party of this event (expected one of: {', '.join(event.tickers) or 'no listed party'})")
        for i, c in enumerate(event.claims)
        if c.ticker not in event.tickers
    ]
    problems += [
        _problem(path, root, ("confounders", i, "tickers", j),
                 f"confounder names {t} but {t} is not a party of this event (expected one of: {', '.join(event.tickers) or 'no listed party'})")
        for i, c in enumerate(event.confounders)
        for j, t in enumerate(c.tickers)
        if t not in event.tickers
    ]
    if problems:
        return [], problems
    digest = hashlib.sha256(json.dumps(event.model_dump(mode="json"), sort_keys=True).encode()).hexdigest()
    id_key = _node_at(root, ("id",), want_key=True)
    return [CatalogEntry(event, str(path), id_key.start_mark.line + 1, digest)], []


def load_catalog(directory: str | Path) -> list[CatalogEntry]:
    """Validate every ``*.yaml``/``*.yml`` file in ``directory`` and return the events sorted by date, id.

    Raises
    ------
    CatalogError
        With every problem found (bad YAML, schema violations, duplicate keys or
        ids, claims on non-parties) when there is at least one.  Nothing is
        returned in that case, so callers cannot half-load a broken catalog.
    """
    folder = Path(directory)
    if not folder.is_dir():
        raise CatalogError([Problem(str(folder), 0, 0, "", "catalog folder does not exist")])
    files = sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])
    if not files:
        raise CatalogError([Problem(str(folder), 0, 0, "", "no *.yaml event files in the catalog folder")])
    entries: list[CatalogEntry] = []
    problems: list[Problem] = []
    for path in files:
        found, bad = _parse_file(path)
        entries.extend(found)
        problems.extend(bad)
    first_seen: dict[str, CatalogEntry] = {}
    for entry in entries:
        other = first_seen.setdefault(entry.event.id, entry)
        if other is not entry:
            problems.append(Problem(entry.file, entry.line, 1, "id",
                                    f"duplicate id {entry.event.id!r} (already used in {other.file}:{other.line}; expected a unique id per event)"))
    if problems:
        raise CatalogError(problems)
    return sorted(entries, key=lambda e: (e.event.date, e.event.id))
