"""Plain JSON values from what results hold: the one cleaner for storage, CLI output and reports."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np


def to_jsonable(value: Any) -> Any:
    """Plain JSON values: tuples/sets -> lists, numpy scalars -> Python, dates -> ISO strings, NaN/inf/NaT -> None.

    Anything else becomes its ``str``.
    """
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [to_jsonable(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        value = value.item()
    if value is None:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, dt.datetime):  # also pandas Timestamp; NaT is a datetime subclass whose isoformat is "NaT"
        return None if str(value) == "NaT" else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if str(value) in ("NaT", "nan", "<NA>"):
        return None
    return str(value)


def scalar_or_none(value: Any) -> Any:
    """A Python scalar for a database cell: numpy scalars unwrapped, NaN/NaT/NA -> None."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or (isinstance(value, float) and math.isnan(value)) or str(value) in ("NaT", "<NA>"):
        return None
    return value
