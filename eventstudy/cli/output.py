"""One way to print rows for every command: ``--format table|csv|json|markdown`` (plus latex/html for result tables).

Commands build a DataFrame (or list of dicts / one nested dict) and call :func:`emit`.
``table`` is for people (rich), ``csv`` and ``json`` for pipes; floats are shown
rounded to 4 decimals in tables only, never in csv/json.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

from .options import Format, FormatOption, TableFormat  # noqa: F401 (re-exported)

if TYPE_CHECKING:
    import pandas as pd


def _plain(value: Any) -> Any:
    from ..jsonable import to_jsonable

    return to_jsonable(value)


def _dumps(value: Any) -> str:
    # Raw UTF-8 (the catalog quotes Chinese sources), ISO dates, NaN as null.
    return json.dumps(_plain(value), indent=2, ensure_ascii=False)


def _as_frame(data: "pd.DataFrame | list[dict]") -> "pd.DataFrame":
    import pandas as pd

    return data if isinstance(data, pd.DataFrame) else pd.DataFrame(list(data))


def _cell(value: Any) -> str:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def emit(data: "pd.DataFrame | list[dict] | dict", fmt: str = "table", *, title: str | None = None, file=None) -> None:
    """Print ``data`` in ``fmt``.  A dict is one record (nested values allowed in json)."""
    import pandas as pd

    out = file or sys.stdout
    fmt = str(fmt)
    if isinstance(data, dict):
        if fmt == "json":
            out.write(_dumps(data) + "\n")
            return
        flat = {k: v for k, v in data.items() if not isinstance(v, list)}
        emit(pd.DataFrame({"field": list(flat), "value": [_cell(v) for v in flat.values()]}), fmt, title=title, file=out)
        for key, value in data.items():
            if isinstance(value, list):
                emit(value, fmt, title=key, file=out)
        return
    frame = _as_frame(data)
    if fmt == "json":
        out.write(_dumps(frame.to_dict(orient="records")) + "\n")
    elif fmt == "csv":
        frame.to_csv(out, index=False)
    elif fmt == "markdown":
        out.write(frame.to_markdown(index=False) + "\n")
    elif fmt == "latex":
        out.write(frame.to_latex(index=False) + "\n")
    elif fmt == "html":
        out.write(frame.to_html(index=False) + "\n")
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=title, show_lines=False)
        for col in frame.columns:
            table.add_column(str(col), overflow="fold")
        for row in frame.itertuples(index=False):
            table.add_row(*[_cell(v) for v in row])
        Console(file=out, width=max(160, Console().width)).print(table)
