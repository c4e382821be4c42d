"""Hostile catalog files: each gives one located ``file:line`` error and exit 2, quickly; the database is byte-identical.

Every case runs the real ``eventstudy events load`` on a copy of the repository's
catalog in which one event was edited and one removed, plus the hostile file:
had anything been written, the edit or the removal would change the SQLite file.
Expected line numbers are found in the written text, not taken from the loader.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from pathlib import Path

import pytest

from eventstudy.catalog import load_catalog
from eventstudy.exceptions import CatalogError
from hostile_support import CATALOG, assert_clean_error, cli, sqlite_db, sqlite_fingerprint, sqlite_template  # noqa: F401

AMD = (CATALOG / "2025-10-06-openai-amd.yaml").read_text(encoding="utf-8")
HOSTILE_ID = "2025-12-01-hostile"
#: A valid event of its own (id = file name), for the cases to spoil one line of.
BASE = AMD.replace("id: 2025-10-06-openai-amd", f"id: {HOSTILE_ID}")


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def spoiled(old: str, new: str, needle: str | None = None):
    """A case: BASE with ``old`` replaced by ``new``; the error is expected on the line holding ``needle`` (default ``new``)."""
    def build(folder: Path) -> tuple[Path, int]:
        assert old in BASE
        text = BASE.replace(old, new, 1)
        path = folder / f"{HOSTILE_ID}.yaml"
        path.write_text(text, encoding="utf-8")
        return path, line_of(text, needle or new.splitlines()[0])
    return build


def raw(name: str, content: bytes | str, line: int = 1):
    def build(folder: Path) -> tuple[Path, int]:
        path = folder / name
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return path, line
    return build


def fifo(folder: Path) -> tuple[Path, int]:
    path = folder / f"{HOSTILE_ID}.yaml"
    os.mkfifo(path)
    return path, 1


def dev_zero(folder: Path) -> tuple[Path, int]:
    path = folder / f"{HOSTILE_ID}.yaml"
    path.symlink_to("/dev/zero")
    return path, 1


def directory(folder: Path) -> tuple[Path, int]:
    path = folder / f"{HOSTILE_ID}.yaml"
    path.mkdir()
    return path, 1


def dangling(folder: Path) -> tuple[Path, int]:
    path = folder / f"{HOSTILE_ID}.yaml"
    path.symlink_to(folder / "nowhere.txt")
    return path, 1


def symlink_loop(folder: Path) -> tuple[Path, int]:
    path = folder / f"{HOSTILE_ID}.yaml"
    path.symlink_to(folder / "loop.txt")
    (folder / "loop.txt").symlink_to(path)
    return path, 1


def sparse_50mb(folder: Path) -> tuple[Path, int]:
    path = folder / f"{HOSTILE_ID}.yaml"
    with path.open("wb") as f:
        f.truncate(50 * 1024 * 1024)
    return path, 1


ALIAS_BOMB = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]\n" for i in range(1, 10))
TWO_YEARS_ON = (dt.date.today() + dt.timedelta(days=731)).isoformat()

CASES = {
    # what the file is
    "fifo": (fifo, "is a FIFO (named pipe), not a regular file"),
    "symlink-to-dev-zero": (dev_zero, "is a character device, not a regular file"),
    "folder-named-yaml": (directory, "is a folder, not a regular file"),
    "dangling-symlink": (dangling, "cannot open the file: No such file or directory"),
    "symlink-loop": (symlink_loop, "cannot open the file: Too many levels of symbolic links"),
    "50-mb-file": (sparse_50mb, "larger than the 256 KiB limit"),
    "binary": (raw(f"{HOSTILE_ID}.yaml", b"\x89PNG\r\n\x1a\n\xff\xfe\x00\x01"), "not UTF-8 text (byte 0x89)"),
    "utf-16": (raw(f"{HOSTILE_ID}.yaml", BASE.encode("utf-16")), "not UTF-8 text (byte 0xff)"),
    # YAML structure
    # a_i repeats a_(i-1) nine times: a0..a3 expand to about 8,300 values, a4 alone to 66,430, so a4 crosses 10,000.
    "alias-bomb": (raw(f"{HOSTILE_ID}.yaml", ALIAS_BOMB, line=line_of(ALIAS_BOMB, "a4:")), "more than 10,000 YAML values once aliases are expanded"),
    "self-referencing-alias": (spoiled("notes: ", "notes: &n [1, *n]\nxnotes: "), "alias *n refers to the value that contains it"),
    "deep-flow-nesting": (spoiled("notes: ", "notes: " + "[" * 400 + "]" * 400 + "\nxnotes: "), "nested deeper than 16 levels"),
    "deep-block-nesting": (lambda folder: _deep_block(folder), "nested deeper than 16 levels"),
    "python-tag": (spoiled("title: ", "title: !!python/object/apply:os.system ['touch pwned']\nxtitle: "), "could not determine a constructor"),
    "bad-explicit-int": (spoiled("move_pct: 43", "move_pct: !!int abc"), "cannot read !!int value 'abc'"),
    "bad-explicit-timestamp": (spoiled("date: 2025-10-06", "date: !!timestamp 2025-13-45"), "date: '2025-13-45' is not a valid date"),
    "nul-character": (spoiled("title: ", 'title: "OpenAI\\0AMD"\nxtitle: '), "NUL character"),
    # values
    "date-9999-12-31": (spoiled("date: 2025-10-06", "date: 9999-12-31"), "date 9999-12-31 is outside the supported range 1900-01-01 to"),
    "date-0001-01-01": (spoiled("date: 2025-10-06", "date: 0001-01-01"), "date 0001-01-01 is outside the supported range"),
    "date-1899-12-31": (spoiled("date: 2025-10-06", "date: 1899-12-31"), "date 1899-12-31 is outside the supported range"),
    "date-two-years-on": (spoiled("date: 2025-10-06", f"date: {TWO_YEARS_ON}"), "(one year from today)"),
    "move-pct-inf": (spoiled("move_pct: 43", "move_pct: .inf"), "claims.0.move_pct: expected a finite number (got inf"),
    "move-pct-minus-inf": (spoiled("move_pct: 43", "move_pct: -.inf"), "claims.0.move_pct: expected a finite number (got -inf"),
    "move-pct-nan": (spoiled("move_pct: 43", "move_pct: .nan"), "claims.0.move_pct: expected a finite number (got nan"),
    "move-pct-overflow": (spoiled("move_pct: 43", "move_pct: 1e400"), "claims.0.move_pct: expected a finite number"),
    "amount-inf": (spoiled("  value: 160", "  value: .inf"), "amount.value: expected a finite number"),
    "window-offset-huge": (spoiled("window: [0, 2]", "window: [0, 100000000000000000000000]"), "claims.0.window.1: Input should be less than or equal to 1000"),
    "exchange-too-long": (spoiled("exchange: NASDAQ", "exchange: " + "N" * 21), "parties.1.exchange: String should have at most 20 characters"),
    # names
    "id-differs-from-file-name": (spoiled(f"id: {HOSTILE_ID}", "id: 2025-12-01-something-else"), f"differs from the file name '{HOSTILE_ID}.yaml'"),
    "upper-case-suffix-is-read": (lambda folder: _upper(folder), "timing: Input should be 'pre-open'"),
    "id-too-long": (lambda folder: _long_id(folder), "id: String should have at most 120 characters"),
}


def _deep_block(folder: Path) -> tuple[Path, int]:
    """One list per line under ``notes:``; the event mapping is level 1, so the 16th list (17th level) crosses the limit."""
    path, notes_line = spoiled("notes: ", "notes:\n" + "".join("  " * i + "- \n" for i in range(1, 40)) + "xnotes: ", "notes:")(folder)
    return path, notes_line + 16


def _upper(folder: Path) -> tuple[Path, int]:
    text = BASE.replace("timing: pre-open", "timing: soon")
    path = folder / f"{HOSTILE_ID}.YAML"
    path.write_text(text, encoding="utf-8")
    return path, line_of(text, "timing: soon")


def _long_id(folder: Path) -> tuple[Path, int]:
    long_id = "2025-12-01-" + "x" * 110
    path = folder / f"{long_id}.yml"
    path.write_text(BASE.replace(f"id: {HOSTILE_ID}", f"id: {long_id}"), encoding="utf-8")
    return path, 1


@pytest.fixture
def catalog_copy(tmp_path) -> Path:
    """The repository's catalog with one event edited and one removed: a load that writes anything changes the file."""
    folder = tmp_path / "events"
    shutil.copytree(CATALOG, folder)
    amd = folder / "2025-10-06-openai-amd.yaml"
    amd.write_text(AMD.replace("title: ", "title: Edited - ", 1), encoding="utf-8")
    (folder / "2025-10-13-openai-broadcom.yaml").unlink()
    return folder


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_catalog_file(case, catalog_copy, sqlite_db, tmp_path):
    build, message = CASES[case]
    path, line = build(catalog_copy)
    before = sqlite_fingerprint(sqlite_db)
    started = time.monotonic()
    result = cli("--db", f"sqlite:///{sqlite_db}", "events", "load", "--catalog", str(catalog_copy), timeout=30)
    elapsed = time.monotonic() - started
    located = assert_clean_error(result, 2, f"{path}:", message)
    assert located.startswith(f"{path}:{line}:"), located
    assert sqlite_fingerprint(sqlite_db) == before
    assert not (tmp_path / "pwned").exists() and not Path("pwned").exists()
    assert elapsed < 10, f"{elapsed:.1f} s (the CLI itself starts in about 1 s)"


@pytest.mark.parametrize("case", ["alias-bomb", "50-mb-file", "deep-flow-nesting", "symlink-to-dev-zero", "fifo"])
def test_limits_are_reached_within_a_second(case, tmp_path):
    build, message = CASES[case]
    build(tmp_path)
    started = time.monotonic()
    with pytest.raises(CatalogError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_catalog(tmp_path)
    assert time.monotonic() - started < 1.0


def test_suffix_in_any_case_and_the_date_range_ends_load(tmp_path):
    (tmp_path / f"{HOSTILE_ID}.YML").write_text(BASE, encoding="utf-8")
    first = BASE.replace(f"id: {HOSTILE_ID}", "id: 1900-01-01-first").replace("date: 2025-10-06", "date: 1900-01-01")
    (tmp_path / "1900-01-01-first.Yaml").write_text(first, encoding="utf-8")
    [a, b] = load_catalog(tmp_path)
    assert (a.event.id, str(a.event.date), b.event.id) == ("1900-01-01-first", "1900-01-01", HOSTILE_ID)
