"""Read ``events/*.yaml`` into validated :class:`~eventstudy.catalog.schema.Event` objects.

Every problem in every file is collected (file, line, column, field, message)
before anything is returned, so one run shows all that needs fixing and the
caller can refuse to touch the database when the list is not empty.

Line and column numbers come from the YAML node tree (``yaml.compose``), so a
pydantic error location such as ``("parties", 1, "role")`` is reported at the
line where that value is written.  Dates and times are read as plain strings
(no YAML 1.1 timestamp or sexagesimal magic) and validated by the schema, so a
bad date is a reported problem rather than a crash in the YAML parser.

Limits (each one a located problem, reached in well under a second)
-------------------------------------------------------------------
* only regular files are read (a FIFO, a device or a symlink to one is refused
  before it is opened), at most :data:`MAX_FILE_BYTES` bytes each;
* the YAML is parsed once; at most :data:`MAX_DEPTH` levels of nesting and
  :data:`MAX_VALUES` values after expanding aliases (an alias bomb stops at the
  alias that crosses the limit), and an alias may not refer to the value that
  contains it;
* no NUL characters in text (PostgreSQL cannot store them);
* the ``id`` is the file name without its ``.yaml``/``.yml`` suffix (any case).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import yaml
from pydantic import BaseModel, ValidationError

from ..exceptions import CatalogError
from .schema import Amount, Claim, Event, Flow, Party, Source


@dataclass(frozen=True)
class Problem:
    """One catalog problem.  ``line`` and ``column`` are 1-based (0 when unknown)."""

    file: str
    line: int
    column: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.line and self.column else f"{self.file}:{self.line}" if self.line else self.file
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


#: Largest event file read, in bytes (the repository's files are 1-2 KB).
MAX_FILE_BYTES = 256 * 1024
#: Deepest nesting of mappings and lists, counting the top-level mapping as 1 (events need 4).
MAX_DEPTH = 16
#: Most YAML values (keys, scalars, mappings, lists) in one file, each alias counted as the values it repeats.
MAX_VALUES = 10_000
#: Suffixes of event files, compared case-insensitively.
EVENT_SUFFIXES = (".yaml", ".yml")


class _Located(yaml.YAMLError):
    """A problem at ``mark``: a limit above is crossed, or a value cannot be constructed."""

    def __init__(self, mark: yaml.Mark, message: str):
        super().__init__(message)
        self.mark = mark
        self.message = message


class _CatalogLoader(yaml.SafeLoader):
    """SafeLoader without implicit timestamps and sexagesimal numbers, composing within limits.

    ``2025-13-45`` would otherwise raise a bare ``ValueError`` inside PyYAML and
    ``time: 10:30`` would silently become the integer 630; as strings both reach
    the schema, which reports them with their line.

    The composer counts nesting depth and values as it builds the node tree, an
    alias counting as the values (and depth) of the node it repeats, so neither
    composing nor any later walk of the tree can blow up or recurse too deep.
    """

    def __init__(self, stream: str):
        super().__init__(stream)
        self._depth = 0
        self._deepest = 0
        self._values = 0
        # anchor -> (values, height) of the finished anchored node; absent while it is being composed
        self._anchored: dict[str, tuple[int, int]] = {}

    def _count(self, values: int, height: int, mark: yaml.Mark) -> None:
        self._values += values
        if self._values > MAX_VALUES:
            raise _Located(mark, f"more than {MAX_VALUES:,} YAML values once aliases are expanded (an event needs about 100)")
        reach = self._depth + height
        if reach > MAX_DEPTH:
            raise _Located(mark, f"nested deeper than {MAX_DEPTH} levels of mappings and lists (an event needs 4)")
        self._deepest = max(self._deepest, reach)

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            if event.anchor in self.anchors:
                if event.anchor not in self._anchored:
                    raise _Located(event.start_mark, f"alias *{event.anchor} refers to the value that contains it (a value cannot include itself)")
                values, height = self._anchored[event.anchor]
                self._depth += 1
                try:
                    self._count(values, height, event.start_mark)
                finally:
                    self._depth -= 1
            return super().compose_node(parent, index)
        if isinstance(event, yaml.ScalarEvent) and "\x00" in event.value:
            raise _Located(event.start_mark, "text contains a NUL character (\\0), which the database cannot store")
        self._depth += 1
        outer_deepest, self._deepest = self._deepest, self._depth
        start = self._values
        try:
            self._count(1, 0, event.start_mark)
            node = super().compose_node(parent, index)
            if event.anchor is not None:
                self._anchored[event.anchor] = (self._values - start, self._deepest - self._depth)
        finally:
            self._deepest = max(outer_deepest, self._deepest)
            self._depth -= 1
        return node

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        # An explicit tag on a bad value (``!!int abc``, ``!!bool maybe``) makes PyYAML raise ValueError,
        # KeyError, ...; report it at that value, not as a crash.
        try:
            return super().construct_object(node, deep)
        except yaml.YAMLError:
            raise
        except Exception as exc:
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            value = node.value if isinstance(node, yaml.ScalarNode) else "..."
            raise _Located(node.start_mark, f"cannot read {tag} value {value!r} ({type(exc).__name__}: {exc})") from None


_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_INT_TAG = "tag:yaml.org,2002:int"
_CatalogLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in (_TIMESTAMP_TAG, _INT_TAG)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
# Dates stay text even when tagged !!timestamp: the schema checks them, with their line.
_CatalogLoader.add_constructor(_TIMESTAMP_TAG, yaml.SafeLoader.construct_yaml_str)
# Plain decimal integers only: no octal, hex or sexagesimal ("10:30" stays a string).
_CatalogLoader.add_implicit_resolver(_INT_TAG, re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$"), list("-+0123456789"))

# Which model a (list-index-free) location prefix points into: used to list the allowed keys.
_MODEL_AT: dict[tuple[str, ...], type[BaseModel]] = {
    (): Event,
    ("parties",): Party,
    ("amount",): Amount,
    ("sources",): Source,
    ("claims",): Claim,
    ("flows",): Flow,
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
    if kind == "finite_number":
        return _problem(path, root, loc, f"expected a finite number (got {err.get('input')!r}; .inf and .nan are not allowed)")
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


_NOT_REGULAR = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
                (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def _not_regular(mode: int) -> str | None:
    """Why a file of this ``st_mode`` is refused, or ``None`` for a regular file."""
    if stat.S_ISREG(mode):
        return None
    kind = next((name for test, name in _NOT_REGULAR if test(mode)), "not a regular file")
    return f"is {kind}, not a regular file (event files must be plain files)"


def _read_text(path: Path) -> str | Problem:
    """The file's text, or the Problem that stops it from being read.

    The file is checked with ``stat`` before it is opened (opening a device can
    have effects) and again with ``fstat`` after (it may have been swapped); the
    open is non-blocking so a FIFO cannot hang, and at most MAX_FILE_BYTES + 1
    bytes are read.
    """
    def refused(line: int, message: str) -> Problem:
        return Problem(str(path), line, 0, "", message)

    try:
        reason = _not_regular(os.stat(path).st_mode)
        if reason:
            return refused(1, reason)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        return refused(1, f"cannot open the file: {exc.strerror or exc}")
    try:
        info = os.fstat(fd)
        reason = _not_regular(info.st_mode)
        if reason:
            return refused(1, reason)
        chunks, size = [], 0
        while size <= MAX_FILE_BYTES and (chunk := os.read(fd, MAX_FILE_BYTES + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        return refused(1, f"cannot read the file: {exc.strerror or exc}")
    finally:
        os.close(fd)
    if size > MAX_FILE_BYTES:
        return refused(1, f"file is larger than the {MAX_FILE_BYTES // 1024} KiB limit for one event file ({max(info.st_size, size):,} bytes)")
    data = b"".join(chunks)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return Problem(str(path), line, column, "", f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as UTF-8")


def _compose_and_construct(text: str) -> tuple[yaml.Node | None, Any]:
    """Parse ``text`` once: the node tree (for line numbers) and the Python data built from it."""
    loader = _CatalogLoader(text)
    try:
        root = loader.get_single_node()
        return root, loader.construct_document(root) if root is not None else None
    finally:
        loader.dispose()


def read_located_yaml(path: Path, what: str) -> tuple[yaml.Node | None, Any, list[Problem]]:
    """Read one YAML mapping with its node tree (for line numbers), within the loader's limits.

    The limits of :func:`load_catalog` hold for every located file (catalog events, strategy
    specs): regular files only, at most :data:`MAX_FILE_BYTES`, UTF-8, parsed once with the
    nesting and alias-expansion caps; dates and times stay plain strings.  Returns ``(root node,
    data, problems)``; ``problems`` (unreadable file, a limit, bad YAML, not a mapping, duplicate
    keys) is empty when ``data`` can be validated.  ``what`` completes "expected ...".
    """
    text = _read_text(path)
    if isinstance(text, Problem):
        return None, None, [text]
    try:
        root, data = _compose_and_construct(text)
    except _Located as exc:
        return None, None, [Problem(str(path), exc.mark.line + 1, exc.mark.column + 1, "", exc.message)]
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
    if event.id != path.stem:
        problems.append(_problem(path, root, ("id",), f"id {event.id!r} differs from the file name {path.name!r} (expected id: {path.stem})"))
    if problems:
        return [], problems
    digest = hashlib.sha256(json.dumps(event.model_dump(mode="json"), sort_keys=True).encode()).hexdigest()
    id_key = _node_at(root, ("id",), want_key=True)
    return [CatalogEntry(event, str(path), id_key.start_mark.line + 1, digest)], []


def load_catalog(directory: str | Path) -> list[CatalogEntry]:
    """Validate every ``*.yaml``/``*.yml`` file (suffix in any case) in ``directory``; return the events sorted by date, id.

    Raises
    ------
    CatalogError
        With every problem found (bad YAML, schema violations, duplicate keys or
        ids, claims on non-parties) when there is at least one.  Nothing is
        returned in that case, so callers cannot half-load a broken catalog.
    """
    folder = Path(directory)
    if not folder.is_dir():
        message = "catalog path is not a folder" if folder.exists() else "catalog folder does not exist"
        raise CatalogError([Problem(str(folder), 0, 0, "", message)])
    try:
        with os.scandir(folder) as found:
            files = sorted(folder / e.name for e in found if Path(e.name).suffix.lower() in EVENT_SUFFIXES)
    except OSError as exc:
        raise CatalogError([Problem(str(folder), 0, 0, "", f"cannot list the catalog folder: {exc.strerror or exc}")]) from None
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
