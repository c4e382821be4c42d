"""Write validated events as catalog YAML files, in the layout of the hand-written ones.

One file per event, ``{id}.yaml``, keys in schema order, defaults left out
(``timezone: America/New_York``, ``listed: true``, empty lists), dates plain
``YYYY-MM-DD`` and times quoted ``"HH:MM"`` so the catalog loader reads them back
unchanged.  Every text is read back through the loader's YAML dialect and the
schema before anything is written.

Writing is all-or-nothing and idempotent: :func:`write_events` first compares
every new event with the catalog already in the folder; an event whose id is
there with the same content is left alone, one with different content is a
problem, and when there is any problem nothing is written.  Each file is written
to a temporary name and renamed into place, so a crash never leaves half a file.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..exceptions import CatalogError
from .loader import Problem, _CatalogLoader, load_catalog
from .schema import Event


@dataclass(frozen=True)
class PendingEvent:
    """An event to write and where it came from (``origin`` file and 1-based ``line`` for messages)."""

    event: Event
    origin: str
    line: int = 0


@dataclass
class WriteReport:
    """What :func:`write_events` did (or, with ``dry_run``, would do): file paths per action."""

    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    dry_run: bool = False

    def as_rows(self) -> list[dict]:
        verb = "would write" if self.dry_run else "written"
        return ([{"action": verb, "file": str(p)} for p in self.written]
                + [{"action": "unchanged", "file": str(p)} for p in self.unchanged])


def _plain_number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def _prune(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _prune(v) for k, v in value.items() if v is not None and v != []}
    if isinstance(value, list):
        return [_prune(v) for v in value]
    if isinstance(value, float):
        return _plain_number(value)
    return value


def event_document(event: Event) -> dict:
    """The event as the plain mapping written to YAML (schema key order, defaults omitted)."""
    doc = event.model_dump(mode="python", exclude_defaults=False)
    if event.timezone == "America/New_York":
        doc.pop("timezone")
    for party in doc["parties"]:
        if party["listed"]:
            party.pop("listed")
    # Enums to their text; the date stays a date object so PyYAML writes it unquoted.
    return _enums_to_text(_prune(doc))


def _enums_to_text(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _enums_to_text(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_enums_to_text(v) for v in value]
    if hasattr(value, "value") and isinstance(getattr(value, "value"), str):  # StrEnum
        return value.value
    return value


class _Dumper(yaml.SafeDumper):
    """Block style; window pairs and confounder ticker lists stay short flow lists as written by hand."""


def _represent_str(dumper: yaml.SafeDumper, value: str):
    style = ">" if len(value) > 100 and "\n" not in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def event_yaml(event: Event) -> str:
    """YAML text of one event that the catalog loader reads back as an equal :class:`Event`."""
    text = yaml.dump(event_document(event), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    again = Event.model_validate(yaml.load(text, Loader=_CatalogLoader))  # noqa: S506 (SafeLoader subclass)
    if again != event:  # a writer bug, not a user error: never write a file that reads back differently
        raise AssertionError(f"YAML for {event.id} does not read back as the same event")
    return text


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_events(catalog: str | Path, pending: list[PendingEvent], *, dry_run: bool = False) -> WriteReport:
    """Write each pending event to ``catalog/{id}.yaml`` unless the catalog already holds it unchanged.

    Raises
    ------
    CatalogError
        When the folder's existing catalog is invalid, two pending events share an id,
        or an id already in the catalog has different content.  Nothing is written then.
    """
    folder = Path(catalog)
    existing = {}
    if folder.is_dir() and any([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
        existing = {entry.event.id: entry for entry in load_catalog(folder)}
    problems: list[Problem] = []
    seen: dict[str, PendingEvent] = {}
    report = WriteReport(dry_run=dry_run)
    to_write: list[tuple[Path, str]] = []
    for item in pending:
        event = item.event
        first = seen.setdefault(event.id, item)
        if first is not item:
            if first.event != event:
                problems.append(Problem(item.origin, item.line, 0, "id",
                                        f"event id {event.id!r} also comes from {first.origin}:{first.line} with different content"))
            continue
        target = folder / f"{event.id}.yaml"
        old = existing.get(event.id)
        if old is not None:
            if old.event == event:
                report.unchanged.append(Path(old.file))
            else:
                problems.append(Problem(item.origin, item.line, 0, "id",
                                        f"event {event.id!r} is already in the catalog ({old.file}:{old.line}) with different content; "
                                        "edit or remove that file first"))
            continue
        if target.exists():
            problems.append(Problem(item.origin, item.line, 0, "id", f"{target} exists but holds another event"))
            continue
        to_write.append((target, event_yaml(event)))
    if problems:
        raise CatalogError(problems)
    if not dry_run:
        folder.mkdir(parents=True, exist_ok=True)
        for target, text in to_write:
            _atomic_write(target, text)
    report.written.extend(target for target, _ in to_write)
    return report
