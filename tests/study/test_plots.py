"""Path plots: the band's numbers against a plain loop; PNG and SVG files that are what they claim."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest
from scipy import stats

from _synthetic import small_study
from eventstudy.reporting.plots import caar_band, plot_results


def test_caar_band_matches_loop():
    ar = small_study(n_events=10, seed=5).ar
    band = caar_band(ar, -5, 10, level=0.95)
    for t in (-5, 0, 4, 10):
        cars = []
        for col in ar.columns:
            days = [ar[col].loc[d] for d in range(-5, t + 1) if not np.isnan(ar[col].loc[d])]
            if days:
                cars.append(sum(days))
        cars = np.array(cars)
        se = cars.std(ddof=1) / np.sqrt(len(cars))
        assert band.at[t, "caar"] == pytest.approx(cars.mean(), abs=1e-14)
        assert band.at[t, "caar_se"] == pytest.approx(se, rel=1e-12)
        crit = stats.t.ppf(0.975, len(cars) - 1)
        assert band.at[t, "upper"] == pytest.approx(cars.mean() + crit * se, rel=1e-12)
        assert band.at[t, "n"] == len(cars)
    # The first day has a missing AR for one firm: it is left out, not counted as zero.
    assert band.at[-5, "n"] == 9
    assert band.at[0, "aar"] == pytest.approx(np.nanmean(ar.loc[0].to_numpy()), abs=1e-15)


def test_plot_files(tmp_path):
    paths = plot_results(small_study(), tmp_path)
    names = sorted(p.name for p in paths)
    assert names == ["caar.png", "caar.svg", "car_events.png", "car_events.svg"]
    for p in paths:
        if p.suffix == ".png":
            assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and p.stat().st_size > 10_000
        else:
            root = ET.parse(p).getroot()
            assert root.tag.endswith("svg")
