"""Checks of the folders commands write into, made while parsing options (nothing is created).

A command that would fail at its very end with ``FileNotFoundError`` (``--out
/proc/nope``) fails at once instead, with one line naming the option and the
path (a :class:`~eventstudy.exceptions.ConfigError`, exit code 2), before any
work or any write to the database.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Optional

from ..exceptions import ConfigError


def writable_folder(value: Optional[Path]) -> Optional[Path]:
    """Typer callback for ``--out``: prove a file can be written in the folder, leaving no trace.

    Missing folders are created for the test and removed again, so a command that
    fails later leaves no empty output folder behind (the command creates it when
    it writes).
    """
    if value is None:
        return None
    if value.exists() and not value.is_dir():
        raise ConfigError(f"--out {str(value)!r}: is a file, not a folder")
    created: list[Path] = []
    try:
        for folder in reversed([value, *value.parents]):
            if not folder.exists():
                folder.mkdir()
                created.append(folder)
        with tempfile.TemporaryFile(dir=value):
            pass
    except OSError as exc:
        raise ConfigError(f"--out {str(value)!r}: cannot write into this folder ({exc.strerror or exc})") from None
    finally:
        for folder in reversed(created):
            folder.rmdir()
    return value
