"""Fama-French daily factor files in Ken French's CSV layout.

Layout: free-text header lines, a column line starting with a comma
(``,Mkt-RF,SMB,HML,RF``), then ``YYYYMMDD,v1,v2,...`` rows in PERCENT, then a
blank line and a copyright line (monthly files would add an annual block, which
ends the daily rows too).  Values are returned in DECIMAL (percent / 100).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..exceptions import DataError

#: Ken French column names -> ``factors`` table columns.
FRENCH_NAMES = {"mkt-rf": "mkt_rf", "smb": "smb", "hml": "hml", "rf": "rf", "mom": "mom", "rmw": "rmw", "cma": "cma"}
_ROW = re.compile(r"^\s*(\d{8})\s*,")
# Ken French marks missing values with -99.99 or -999.
_MISSING = (-99.99, -999.0)


def read_french_file(path: str | Path) -> pd.DataFrame:
    """Read a Ken French daily factor file.

    Returns
    -------
    DataFrame
        Index ``date`` (tz-naive, ascending); columns among ``mkt_rf, smb, hml,
        rf, mom, rmw, cma`` in DECIMAL daily returns (0.0039 = +0.39 %).

    Raises
    ------
    DataError
        Naming the file and line: no column line, unknown column, bad date,
        text in a number, wrong number of fields, duplicate or unsorted dates.
    """
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8-sig", errors="replace").splitlines()
    except OSError as exc:
        raise DataError(f"{path}: cannot read the file: {exc}") from None
    header_at = next((i for i, line in enumerate(lines) if line.strip().startswith(",")), None)
    if header_at is None:
        raise DataError(f"{path}: no column line (a line like ',Mkt-RF,SMB,HML,RF'): not a Ken French CSV file")
    names = [c.strip() for c in lines[header_at].strip().split(",")[1:]]
    unknown = [c for c in names if c.lower() not in FRENCH_NAMES]
    if unknown:
        raise DataError(f"{path}:{header_at + 1}: unknown factor column(s) {', '.join(unknown)} "
                        f"(known: Mkt-RF, SMB, HML, RF, Mom, RMW, CMA)")
    columns = [FRENCH_NAMES[c.lower()] for c in names]
    stamps: list[str] = []
    values: list[list[float]] = []
    numbers: list[int] = []
    for number, line in enumerate(lines[header_at + 1:], start=header_at + 2):
        match = _ROW.match(line)
        if match is None:
            if stamps:  # the daily block ends at the first other line (blank, copyright, annual block)
                break
            continue
        fields = line.split(",")
        if len(fields) != len(columns) + 1:
            raise DataError(f"{path}:{number}: expected {len(columns) + 1} fields, found {len(fields)}")
        try:
            values.append([float(v) for v in fields[1:]])
        except ValueError:
            bad = next(v for v in fields[1:] if not _is_number(v))
            raise DataError(f"{path}:{number}: {bad.strip()!r} is not a number") from None
        stamps.append(match.group(1))
        numbers.append(number)
    if not stamps:
        raise DataError(f"{path}: no daily rows (YYYYMMDD,...) after the column line")
    dates = pd.DatetimeIndex(pd.to_datetime(stamps, format="%Y%m%d", errors="coerce"), name="date")
    if dates.isna().any():
        row = int(np.argmax(dates.isna()))
        raise DataError(f"{path}:{numbers[row]}: bad date {stamps[row]!r} (expected YYYYMMDD)")
    steps = np.diff(dates.to_numpy().astype("datetime64[D]").astype(np.int64))
    if (steps <= 0).any():
        row = int(np.argmax(steps <= 0)) + 1
        what = "duplicate date" if steps[row - 1] == 0 else "dates not in ascending order at"
        raise DataError(f"{path}:{numbers[row]}: {what} {dates[row].date()}")
    data = np.asarray(values, dtype="float64")
    data[np.isin(data, _MISSING)] = np.nan
    return pd.DataFrame(data / 100.0, index=dates, columns=columns)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
