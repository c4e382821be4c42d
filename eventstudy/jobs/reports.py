"""The one report writer: what ``eventstudy run --out``, ``study run --out`` and the nightly report folder hold.

For the same results every face writes the same files with the same columns (see
:func:`eventstudy.reporting.export.write_study` for the list): publication tables
(md, tex, html, csv), ``tests.csv``, ``firms.csv``, ``car_by_event.csv`` (decimal CAR and
BHAR per event-firm, columns ``event_id, ticker, car [a,b]…, bhar [a,b]…``), the AAR/CAAR
and per-event CAR plots, and with a claim check ``claims.*``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Sequence

import pandas as pd

from ..reporting.export import TABLE_FORMATS, write_claims, write_study
from ..reporting.plots import FORMATS
from ..results import EventStudyResults


def write_study_report(results: EventStudyResults, out_dir: Path | str, *, claims: pd.DataFrame | None = None,
                       group_cols: Sequence[str] = (), table_formats: Iterable[str] = TABLE_FORMATS,
                       plot_formats: Iterable[str] = FORMATS, calendar_time: pd.DataFrame | None = None) -> list[Path]:
    """Write the study's tables, CSVs and plots (the claim check and the calendar-time table when given,
    ``calendar_time.csv`` with decimal daily alphas) into ``out_dir``; return the paths."""
    files = write_study(results, out_dir, group_cols=group_cols, table_formats=table_formats, plot_formats=plot_formats)
    if calendar_time is not None:
        path = Path(out_dir) / "calendar_time.csv"
        calendar_time.to_csv(path, index=False)
        files.append(path)
    if claims is not None:
        files += write_claims(claims, out_dir, formats=table_formats)
    return files
