"""The deal-announcement catalog: YAML files -> validated events.

The vocabularies (:mod:`eventstudy.catalog.vocab`) load at once; the loader and the
pydantic schema load on first use, so that the command line starts fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from .vocab import DealType, Role, Timing

_LAZY = {"CatalogEntry": "loader", "Problem": "loader", "load_catalog": "loader",
         "Claim": "schema", "Event": "schema", "Party": "schema"}

__all__ = ["CatalogEntry", "Claim", "DealType", "Event", "Party", "Problem", "Role", "Timing", "load_catalog"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'eventstudy.catalog' has no attribute {name!r}")
