"""One way to print rows for every command: ``--format table|csv|json`` (plus latex/markdown where offered).

Commands build a DataFrame (or list of dicts / one nested dict) and call :func:`emit`.
``table`` is for people (rich), ``csv`` and ``json`` for pipes; floats are shown
rounded to 4 decimals in tables only, never in csv/json.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import sys
from enum import StrEnum
from typing import Annotated, Any

import numpy as np
import pandas as pd
import typer
from rich.console import Console
from rich.table import Table


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


class TableFormat(StrEnum):
    """Formats for result tables that researchers publish."""

    table = "table"
    csv = "csv"
    json = "json"
    markdown = "markdown"
    latex = "latex"
    html = "html"


FormatOption = Annotated[Format, typer.Option("--format", "-f", help="Output format: table for people, csv/json for pipes.")]


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, (dt.date, dt.datetime, pd.Timestamp)):
        return value.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _as_frame(data: pd.DataFrame | list[dict]) -> pd.DataFrame:
    return data if isinstance(data, pd.DataFrame) else pd.DataFrame(list(data))


def _cell(value: Any) -> str:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def emit(data: pd.DataFrame | list[dict] | dict, fmt: str = "table", *, title: str | None = None, file=None) -> None:
    """Print ``data`` in ``fmt``.  A dict is one record (nested values allowed in json)."""
    out = file or sys.stdout
    fmt = str(fmt)
    if isinstance(data, dict):
        if fmt == "json":
            out.write(json.dumps(_plain(data), indent=2, ensure_ascii=False) + "\n")
            return
        flat = {k: v for k, v in data.items() if not isinstance(v, list)}
        emit(pd.DataFrame({"field": list(flat), "value": [_cell(v) for v in flat.values()]}), fmt, title=title, file=out)
        for key, value in data.items():
            if isinstance(value, list):
                emit(value, fmt, title=key, file=out)
        return
    frame = _as_frame(data)
    if fmt == "json":
        records = [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]
        out.write(json.dumps(records, indent=2, ensure_ascii=False) + "\n")
    elif fmt == "csv":
        frame.to_csv(out, index=False)
    elif fmt == "markdown":
        out.write(frame.to_markdown(index=False) + "\n")
    elif fmt == "latex":
        out.write(frame.to_latex(index=False) + "\n")
    elif fmt == "html":
        out.write(frame.to_html(index=False) + "\n")
    else:
        table = Table(title=title, show_lines=False)
        for col in frame.columns:
            table.add_column(str(col), overflow="fold")
        for row in frame.itertuples(index=False):
            table.add_row(*[_cell(v) for v in row])
        Console(file=out, width=max(160, Console().width)).print(table)
