"""Publication tables: numbers recomputed independently from the abnormal returns, four renderings."""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from _synthetic import small_study
from eventstudy.core.statistics import significance_stars as stars
from eventstudy.reporting.tables import publication_table, publication_tables


def _car(ar: pd.DataFrame, a: int, b: int) -> pd.Series:
    """CAR per event-firm by a plain loop over firms (independent of the results object)."""
    return pd.Series({col: sum(ar[col].loc[d] for d in range(a, b + 1) if not np.isnan(ar[col].loc[d])) for col in ar.columns})


@pytest.mark.parametrize("p, mark", [(0.0099, "***"), (0.01, "**"), (0.049, "**"), (0.05, "*"), (0.0999, "*"), (0.1, ""), (np.nan, "")])
def test_stars_at_10_5_1_percent(p, mark):
    assert stars(p) == mark


def test_car_table_numbers_match_independent_recomputation():
    results = small_study(n_events=15, effect=0.03, seed=7)
    table = publication_table(results, "CAR")
    assert list(table.cells.columns) == ["[0,0]", "[0,2]", "[-1,1]", "[-5,5]", "[0,10]"]
    assert list(table.cells.index)[:2] == ["CAAR (%)", "Cross-sectional t"]
    assert list(table.cells.index)[-1] == "N" and "Patell Z" in table.cells.index
    for a, b in results.windows:
        w = f"[{a},{b}]"
        car = _car(results.ar, a, b)
        t = stats.ttest_1samp(car, 0.0)
        assert table.cells.at["CAAR (%)", w] == f"{car.mean() * 100:.2f}{stars(t.pvalue)}"
        assert table.cells.at["Cross-sectional t", w].startswith(f"({t.statistic:.2f})")
        assert table.cells.at["N", w] == str(len(car))
        assert table.values.at["mean", w] == pytest.approx(car.mean(), abs=1e-14)
    # The injected +3 % day-0 effect is found and starred.
    assert table.cells.at["CAAR (%)", "[0,0]"].endswith("***")


def test_bhar_compounds_and_pvalue_display():
    results = small_study(seed=3)
    table = publication_table(results, "BHAR", show="pvalue", decimals=3)
    bhar = results.bhar["[0,2]"]
    assert table.cells.at["Mean BHAR (%)", "[0,2]"].startswith(f"{bhar.mean() * 100:.3f}")
    p = stats.ttest_1samp(bhar, 0.0).pvalue
    assert table.cells.at["Cross-sectional t", "[0,2]"] == f"[{p:.3f}]{stars(p)}"


def test_one_table_per_measure_and_group():
    results = small_study(n_events=12)
    tables = publication_tables(results, ("CAR", "BHAR"), group_col="role")
    assert [(t.measure, t.group) for t in tables] == [("CAR", "investor"), ("CAR", "supplier"), ("BHAR", "investor"), ("BHAR", "supplier")]
    sup = tables[1]
    rows = results.firms.loc[results.firms.role == "supplier", ["event_id", "ticker"]].apply(tuple, axis=1)
    car = _car(results.ar[list(rows)], 0, 0)
    assert sup.cells.at["N", "[0,0]"] == "6"
    assert sup.cells.at["CAAR (%)", "[0,0]"].startswith(f"{car.mean() * 100:.2f}")
    assert sup.cells.at["Cross-sectional t", "[0,0]"].startswith(f"({stats.ttest_1samp(car, 0.0).statistic:.2f})")
    assert "role = supplier" in sup.title


def test_renderings():
    table = publication_table(small_study(), "CAR")
    md = table.to_markdown()
    assert md.splitlines()[0].startswith("**CAAR by event window") and "| CAAR (%)" in md
    tex = table.to_latex()
    assert "\\toprule" in tex and "CAAR (\\%)" in tex and "Cross-sectional t" in tex and tex.strip().endswith("\\end{table}")
    html = table.to_html()
    assert "<caption>CAAR by event window" in html and "<table" in html
    back = pd.read_csv(io.StringIO(table.to_csv()), dtype=str, keep_default_na=False)
    assert list(back.columns)[1:] == list(table.cells.columns)
    assert back.iloc[-1, 0] == "N" and back.iloc[-1, 1] == "12"
    assert re.fullmatch(r"-?\d+\.\d{2}\**", back.iloc[0, 1])
