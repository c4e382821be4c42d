"""AR / CAR paths over event time, written as PNG and SVG.

Figures are built on :class:`matplotlib.figure.Figure` directly (Agg canvas, no pyplot
state), so plotting works headless and from threads.

Units: abnormal returns are simple decimal returns; the plots show percent.  The
confidence band of the CAAR uses the cross-sectional standard error of the event-firms'
cumulative abnormal returns at each offset, ``sd(CAR_i(t)) / sqrt(N_t)`` (ddof = 1),
with Student-t critical values on ``N_t - 1`` degrees of freedom.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Iterable

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from ..results import EventStudyResults
from matplotlib.figure import Figure

from ..results import caar_band  # noqa: F401 (re-exported: the one CAAR band convention)

FORMATS = ("png", "svg")


def event_range(windows: Iterable[tuple[int, int]]) -> tuple[int, int]:
    """The smallest offset range ``[min a, max b]`` covering every event window."""
    windows = list(windows)
    return min(a for a, _ in windows), max(b for _, b in windows)


def _save(fig: Figure, stem: Path, formats: Iterable[str]) -> list[Path]:
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in formats:
        path = stem.with_suffix(f".{fmt}")
        fig.savefig(path, format=fmt, dpi=150, bbox_inches="tight")
        paths.append(path)
    return paths


def plot_caar(
    ar: pd.DataFrame,
    stem: Path | str,
    *,
    start: int,
    end: int,
    level: float = 0.95,
    title: str = "Average abnormal returns",
    formats: Iterable[str] = FORMATS,
) -> list[Path]:
    """Two panels: AAR bars and the CAAR path with its ``level`` band; returns the files written.

    ``stem`` is the path without suffix (``out/caar`` -> ``out/caar.png``, ``out/caar.svg``).
    """
    band = caar_band(ar, start, end, level=level)
    pct = ["aar", "aar_se", "caar", "caar_se", "lower", "upper"]
    band[pct] = band[pct] * 100.0
    fig = Figure(figsize=(8, 6))
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=(1, 2))
    x = band.index.to_numpy()
    top.bar(x, band["aar"], color=np.where(band["aar"] >= 0, "tab:green", "tab:red"), width=0.8)
    top.axhline(0, color="black", lw=0.6)
    top.set_ylabel("AAR (%)")
    top.set_title(title)
    bottom.fill_between(x, band["lower"], band["upper"], color="tab:blue", alpha=0.2, label=f"{level:.0%} CI (cross-sectional)")
    bottom.plot(x, band["caar"], color="tab:blue", marker="o", ms=3, label="CAAR")
    bottom.axhline(0, color="black", lw=0.6)
    bottom.axvline(0, color="grey", lw=0.6, ls="--")
    bottom.set_xlabel("event day (trading sessions from day 0)")
    bottom.set_ylabel("CAAR (%)")
    n_max = int(band["n"].max()) if len(band) else 0
    bottom.legend(loc="best", title=f"N = {n_max}")
    return _save(fig, Path(stem), formats)


def plot_event_cars(
    ar: pd.DataFrame,
    stem: Path | str,
    *,
    start: int,
    end: int,
    max_events: int = 8,
    title: str = "CAR by event",
    formats: Iterable[str] = FORMATS,
) -> list[Path]:
    """Per event-firm CAR paths (percent) from ``start``; the ``max_events`` largest final |CAR| are drawn."""
    window = ar.loc[start:end].dropna(axis=1, how="all")
    car = window.cumsum(skipna=True) * 100.0
    final = car.ffill().iloc[-1].abs().sort_values(ascending=False) if len(car) else pd.Series(dtype=float)
    chosen = list(final.index[:max_events])
    fig = Figure(figsize=(8, 5))
    ax = fig.subplots()
    for col in chosen:
        label = " ".join(str(c) for c in col) if isinstance(col, tuple) else str(col)
        ax.plot(car.index, car[col], marker="o", ms=2.5, lw=1.2, label=label)
    ax.axhline(0, color="black", lw=0.6)
    ax.axvline(0, color="grey", lw=0.6, ls="--")
    ax.xaxis.get_major_locator().set_params(integer=True)  # event days are whole sessions
    ax.set_xlabel("event day (trading sessions from day 0)")
    ax.set_ylabel("CAR (%)")
    shown = f" ({len(chosen)} of {car.shape[1]} largest)" if car.shape[1] > len(chosen) else ""
    ax.set_title(title + shown)
    if chosen:
        ax.legend(loc="best", fontsize="small")
    return _save(fig, Path(stem), formats)


def plot_results(results: "EventStudyResults", out_dir: Path | str, *, level: float = 0.95, formats: Iterable[str] = FORMATS,
                 max_events: int = 8) -> list[Path]:
    """Write ``caar.{png,svg}`` and ``car_events.{png,svg}`` for an ``EventStudyResults`` into ``out_dir``."""
    out_dir = Path(out_dir)
    start, end = event_range(results.windows)
    params = results.params
    model = params.get("model", "")
    paths = plot_caar(results.ar, out_dir / "caar", start=start, end=end, level=level, formats=formats,
                      title=f"AAR and CAAR ({model} model)" if model else "AAR and CAAR")
    paths += plot_event_cars(results.ar, out_dir / "car_events", start=start, end=end, max_events=max_events,
                             formats=formats)
    return paths
