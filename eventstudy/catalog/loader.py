"""Read ``events/*.yaml`` into validated :class:`~eventstudy.catalog.schema.Event` objects.

Every problem in every file is collected (file, line, column, field, message)
before anything is returned, so one run shows all that needs fixing and the
caller can refuse to touch the database when the list is not empty.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import yaml
from pydantic import ValidationError

from ..exceptions import CatalogError
from .schema import Event


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
    """A validated event with where it came from and a hash of its content (for change detection)."""

    event: Event
    file: str
    line: int
    content_hash: str


def _node_at(node: yaml.Node, loc: Iterable[Any]) -> yaml.Node:
    """Follow a pydantic error location through the YAML node tree as far as it goes."""
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == key), None)
            if match is None:
                # unknown key: point at the key itself
                match = next((k for k, _ in node.value if k.value == key), None)
            if match is None:
                break
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            break
    return node


def _problem(path: Path, root: yaml.Node | None, loc: tuple, message: str) -> Problem:
    node = _node_at(root, loc) if root is not None else None
    mark = node.start_mark if node is not None else None
    field = ".".join(str(p) for p in loc)
    return Problem(str(path), mark.line + 1 if mark else 0, mark.column + 1 if mark else 0, field, message)


def _pydantic_message(err: dict) -> str:
    msg = err["msg"]
    if err["type"] == "extra_forbidden":
        return "unknown key (not part of the catalog schema)"
    if err["type"] == "enum":
        return f"{msg} (got {err.get('input')!r})"
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    return msg


def _parse_file(path: Path) -> tuple[list[CatalogEntry], list[Problem]]:
    text = path.read_text(encoding="utf-8")
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = getattr(exc, "problem", None) or str(exc)
        return [], [Problem(str(path), mark.line + 1 if mark else 0, mark.column + 1 if mark else 0, "", f"bad YAML: {reason}")]
    if not isinstance(data, dict):
        return [], [_problem(path, root, (), "expected one event as a mapping of keys (id, title, date, ...)")]
    try:
        event = Event.model_validate(data)
    except ValidationError as exc:
        # Errors in model validators carry no field; drop the duplicate "Value error" prefix only.
        return [], [_problem(path, root, tuple(e["loc"]), _pydantic_message(e)) for e in exc.errors()]
    problems = [
        _problem(path, root, ("claims", i, "ticker"), f"claim on {c.ticker} but {c.ticker} is not a party of this event (parties: {', '.join(event.tickers) or 'none listed'})")
        for i, c in enumerate(event.claims)
        if c.ticker not in event.tickers
    ]
    if problems:
        return [], problems
    digest = hashlib.sha256(json.dumps(event.model_dump(mode="json"), sort_keys=True).encode()).hexdigest()
    return [CatalogEntry(event, str(path), root.start_mark.line + 1, digest)], []


def load_catalog(directory: str | Path) -> list[CatalogEntry]:
    """Validate every ``*.yaml``/``*.yml`` file in ``directory`` and return the events sorted by date, id.

    Raises
    ------
    CatalogError
        With every problem found (bad YAML, schema violations, duplicate ids,
        claims on non-parties) when there is at least one.
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
            problems.append(Problem(entry.file, entry.line, 1, "id", f"duplicate id {entry.event.id!r} (also in {other.file}:{other.line})"))
    if problems:
        raise CatalogError(problems)
    return sorted(entries, key=lambda e: (e.event.date, e.event.id))
