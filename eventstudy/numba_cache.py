"""One on-disk numba cache for every process of the project (CLI runs, the nightly pipeline, test workers).

The backtest's kernels (:mod:`eventstudy.backtest.trade_kernels`), the core's and vectorbt's are
compiled with ``cache=True``; numba keeps those compiled kernels under
``NUMBA_CACHE_DIR`` (default: beside each source file, which may be read-only or differ between
installs).  Pointing every process at one project folder means a kernel is compiled once and
loaded from disk afterwards, also by parallel test workers.  Must run before numba is imported.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV = "NUMBA_CACHE_DIR"


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/eventstudy/numba`` (default ``~/.cache/eventstudy/numba``): per user, outside
    the install (a shared or read-only venv stays untouched)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "eventstudy" / "numba"


def configure_numba_cache() -> Path | None:
    """Set ``NUMBA_CACHE_DIR`` to the project cache unless the user already set it; returns the folder
    (``None`` when it cannot be created: numba then uses its own default)."""
    if os.environ.get(ENV):
        return Path(os.environ[ENV])
    folder = default_cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    os.environ[ENV] = str(folder)
    return folder
