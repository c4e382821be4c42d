"""Command groups of the later parts (prices, study, claims, backtest, pipeline, schedule).

Each group lives in its own module and is added to the root app here, so the
modules stay independent of one another.
"""

from __future__ import annotations

from .app import app  # noqa: F401
