"""Fixtures of the hostile-input suite (helpers in hostile_lib.py)."""

from __future__ import annotations

import pytest
import yfinance as yf

from hostile_lib import Stored


@pytest.fixture
def stored(db_url, tmp_path) -> Stored:
    """AMD and NVDA for June 2024 stored from files, on SQLite and on PostgreSQL."""
    return Stored(db_url, tmp_path / "prices")


@pytest.fixture
def sqlite_stored(tmp_path) -> Stored:
    return Stored(f"sqlite:///{tmp_path / 'hostile.db'}", tmp_path / "prices")


@pytest.fixture(autouse=True)
def _private_yf_cache(tmp_path):
    yf.set_tz_cache_location(str(tmp_path / "yf-cache"))
