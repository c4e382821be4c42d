"""Writing a view (a DataFrame read by :func:`eventstudy.db.views.read_view`) to CSV, Parquet or Excel.

Values are written as stored in the view: ``*_pct`` columns in percent, full precision.
Parquet goes through pyarrow, xlsx through openpyxl; timestamps with a time zone are
written in UTC without the zone (Excel cannot hold one).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

#: Formats ``eventstudy export`` writes.
EXPORT_FORMATS = ("csv", "parquet", "xlsx")


def write_frame(frame: pd.DataFrame, path: Path, fmt: str, *, sheet: str = "data") -> Path:
    """Write ``frame`` to ``path`` as ``fmt`` (one of :data:`EXPORT_FORMATS`); the file is replaced whole or not at all."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; one of {', '.join(EXPORT_FORMATS)}")
    out = frame.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.DatetimeTZDtype):
            out[col] = out[col].dt.tz_convert("UTC").dt.tz_localize(None)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    if fmt == "csv":
        out.to_csv(tmp, index=False)
    elif fmt == "parquet":
        out.to_parquet(tmp, index=False, engine="pyarrow")
    else:
        out.to_excel(tmp, index=False, sheet_name=sheet[:31], engine="openpyxl")
    tmp.replace(path)  # a half-written file never takes the target's name
    return path
