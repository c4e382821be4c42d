"""Write a study's tables and plots (and a claim check) into a folder.

Files (``<measure>`` is ``car`` or ``bhar``; ``_by_<col>`` when grouped):

* ``<measure>[_by_<col>].md|.tex|.html|.csv``: publication tables (all groups of a
  grouping one after the other; the CSV has a ``group`` column first when grouped);
* ``tests.csv`` (tidy test statistics), ``firms.csv`` (per event-firm status and
  estimates), ``car_by_event.csv`` (per event-firm CAR and BHAR by window, decimal);
* ``per_event.csv|.md`` (each event-firm's CAR per window with SE, t, p, stars), ``exclusions.csv|.md``
  (every event-firm left out, with its reason), ``design.md`` (design diagnostics and the headline rule),
  ``tests_adjusted.csv`` when the run asked for a multiple-testing adjustment (see :mod:`.extras`);
* ``caar.png|.svg`` and ``car_events.png|.svg``;
* ``claims.md|.tex|.html|.csv`` from :func:`write_claims`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence

import pandas as pd

if TYPE_CHECKING:
    from ..results import EventStudyResults

from ..defaults import window_label
from .extras import write_study_extras
from .plots import FORMATS, plot_results
from .tables import PublicationTable, measure_frame, publication_tables

TABLE_FORMATS = ("md", "tex", "html", "csv")


def _render(tables: list[PublicationTable], ext: str) -> str:
    if ext == "csv":
        frames = []
        for t in tables:
            frame = t.to_frame()
            if t.group_col is not None:
                frame.insert(0, t.group_col, t.group)
            frames.append(frame)
        return pd.concat(frames, ignore_index=True).to_csv(index=False)
    render = {"md": PublicationTable.to_markdown, "tex": PublicationTable.to_latex, "html": PublicationTable.to_html}[ext]
    return "\n".join(render(t) for t in tables)


def write_tables(tables: list[PublicationTable], stem: Path, formats: Iterable[str] = TABLE_FORMATS) -> list[Path]:
    """Write ``tables`` as ``stem.md``, ``stem.tex``, ``stem.html``, ``stem.csv``."""
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = []
    for ext in formats:
        path = stem.with_suffix(f".{ext}")
        path.write_text(_render(tables, ext), encoding="utf-8")
        paths.append(path)
    return paths


def write_study(
    results: "EventStudyResults",
    out_dir: Path | str,
    *,
    measures: Sequence[str] = ("CAR", "BHAR"),
    group_cols: Sequence[str] = (),
    table_formats: Iterable[str] = TABLE_FORMATS,
    plot_formats: Iterable[str] = FORMATS,
    **table_options: Any,
) -> list[Path]:
    """Write every table, the tidy CSVs and the plots of ``results`` into ``out_dir``; return the paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for measure in measures:
        for col in (None, *group_cols):
            tables = publication_tables(results, (measure,), group_col=col, **table_options)
            name = measure.lower() + ("" if col is None else f"_by_{col}")
            paths += write_tables(tables, out_dir / name, table_formats)
    results.tests.to_csv(out_dir / "tests.csv", index=False)
    results.firms.to_csv(out_dir / "firms.csv", index=False)
    per_event = [measure_frame(results, m).set_index(["event_id", "ticker"]) for m in measures]
    labels = [window_label(w) for w in results.windows]
    wide = pd.concat([f[labels].add_prefix(f"{m.lower()} ") for m, f in zip(measures, per_event)], axis=1)
    wide.reset_index().to_csv(out_dir / "car_by_event.csv", index=False)
    paths += [out_dir / "tests.csv", out_dir / "firms.csv", out_dir / "car_by_event.csv"]
    paths += write_study_extras(results, out_dir, table_formats)
    paths += plot_results(results, out_dir, formats=plot_formats)
    return paths


def claims_display(checked: pd.DataFrame, decimals: int = 2, *, compact: bool = False) -> pd.DataFrame:
    """The claim check as people read it: moves in percent rounded to ``decimals``, dates as YYYY-MM-DD.

    ``compact`` (for terminals) merges qualifier and measure into the claim, the two
    dates into one column, and leaves the notes out (print them below the table).
    """
    def pct(v: float) -> str:
        return "" if pd.isna(v) else f"{v:+.{decimals}f}"

    bench = checked["benchmark"].iloc[0] if len(checked) else "benchmark"
    models = [m for m in checked.get("car_model", pd.Series(dtype=str)).unique() if m]
    model = models[0] if len(models) == 1 else "model"
    dates = {c: pd.to_datetime(checked[c]).dt.strftime("%Y-%m-%d").fillna("") for c in ("from_date", "to_date")}
    moves = {
        "measured %": checked["measured_pct"].map(pct),
        f"abnormal % (vs {bench})": checked["abnormal_pct"].map(pct),
        f"CAR % ({model})": checked["car_pct"].map(pct),
        "intraday high %": checked["intraday_high_pct"].map(pct),
        "verdict": checked["verdict"],
    }
    if compact:
        claim = checked["qualifier"] + " " + checked["claimed_pct"].map(pct)
        claim = claim.where(checked["measure"] != "intraday-high", claim + " (high)")
        frame = {"event": checked["event_id"], "ticker": checked["ticker"], "window": checked["window"],
                 "closes": dates["from_date"] + " -> " + dates["to_date"], "claimed %": claim, **moves}
    else:
        frame = {"event": checked["event_id"], "ticker": checked["ticker"], "window": checked["window"],
                 "from close": dates["from_date"], "to close": dates["to_date"],
                 "claimed %": checked["claimed_pct"].map(pct), "qualifier": checked["qualifier"],
                 "measure": checked["measure"], **moves, "note": checked["note"]}
    return pd.DataFrame(frame)


def write_claims(checked: pd.DataFrame, out_dir: Path | str, formats: Iterable[str] = TABLE_FORMATS) -> list[Path]:
    """Write the claim check as ``claims.md|.tex|.html`` (display form) and ``claims.csv`` (full precision)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    shown = claims_display(checked)
    paths = []
    for ext in formats:
        path = out_dir / f"claims.{ext}"
        if ext == "csv":
            checked.to_csv(path, index=False)
        elif ext == "md":
            path.write_text("**Claims vs measured moves**\n\n" + shown.to_markdown(index=False) + "\n", encoding="utf-8")
        elif ext == "tex":
            path.write_text(shown.style.hide(axis="index").format(escape="latex").format_index(escape="latex", axis=1)
                            .to_latex(hrules=True, caption="Claims vs measured moves"), encoding="utf-8")
        elif ext == "html":
            path.write_text(shown.style.hide(axis="index").set_caption("Claims vs measured moves").to_html(), encoding="utf-8")
        paths.append(path)
    return paths
