"""Report files of the per-event table, the exclusions, the design diagnostics and adjusted p-values.

* ``per_event.csv`` (full precision, decimal; columns of :func:`eventstudy.per_event.per_event_frame`) and
  ``per_event.md`` (percent, as printed by ``study run``);
* ``exclusions.csv`` / ``exclusions.md``: every event-firm left out of the tests with its reason
  (columns :data:`eventstudy.screens.EXCLUSION_COLUMNS`);
* ``design.md``: the design diagnostics and the headline-test rule (:mod:`eventstudy.design`);
* ``tests_adjusted.csv``: ``tests.csv`` plus ``pvalue_adj``/``stars_adj`` when the run parameters
  name an ``adjust`` method (Holm, Benjamini-Hochberg).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..per_event import per_event_display


def _md(frame, title: str) -> str:
    body = frame.to_markdown(index=False, disable_numparse=True) if len(frame) else "(none)"
    return f"**{title}**\n\n{body}\n"


def write_study_extras(results: Any, out_dir: Path, table_formats: Iterable[str] = ("md", "csv")) -> list[Path]:
    """Write the files listed in the module docstring into ``out_dir``; return their paths."""
    paths = []
    per_event = results.per_event
    per_event.to_csv(out_dir / "per_event.csv", index=False)
    exclusions = results.exclusions
    exclusions.to_csv(out_dir / "exclusions.csv", index=False)
    paths += [out_dir / "per_event.csv", out_dir / "exclusions.csv"]
    if "md" in set(table_formats):
        (out_dir / "per_event.md").write_text(_md(per_event_display(per_event), "Per-event CAR (%), SE (%), t and p"),
                                              encoding="utf-8")
        (out_dir / "exclusions.md").write_text(_md(exclusions, "Event-firms excluded from the tests"), encoding="utf-8")
        (out_dir / "design.md").write_text("**Design diagnostics**\n\n" + "".join(f"- {n}\n" for n in results.design.notes()),
                                           encoding="utf-8")
        paths += [out_dir / "per_event.md", out_dir / "exclusions.md", out_dir / "design.md"]
    method = (getattr(results, "params", {}) or {}).get("adjust")
    if method:
        results.adjusted_tests(method).to_csv(out_dir / "tests_adjusted.csv", index=False)
        paths.append(out_dir / "tests_adjusted.csv")
    return paths
