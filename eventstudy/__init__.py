"""Event-driven market-reaction backtester.

Flow: catalog (``events/*.yaml``) + prices -> database -> engine -> results ->
tables / plots / backtests.  The statistical core (:mod:`eventstudy.core`)
does no I/O; everything that touches the network or a database sits on top.

``EventStudy`` and ``EventStudyResults`` are importable from here; they load on
first use so that the command line starts fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_LAZY = {"EventStudy": "eventstudy.study", "EventStudyResults": "eventstudy.results", "compare": "eventstudy.results"}

__all__ = ["EventStudy", "EventStudyResults", "compare", "__version__"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'eventstudy' has no attribute {name!r}")
