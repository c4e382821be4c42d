"""Publication tables: event windows as columns, CAAR with its test statistics below, then N.

Layout (one table per measure, and per group when a grouping column is given); the
numbers are the 2025 seed catalog, market model on SPY::

                         [0,0]      [0,2]     [-1,1]
    CAAR (%)             3.38*       1.39       1.74
    Cross-sectional t    (1.81)*    (0.65)     (0.92)
    Patell Z             (7.44)***  (2.69)***  (3.21)***
    ...
    N                    26         26         26

Units: CAAR / mean BHAR are shown in percent (decimal fraction x 100) with ``decimals``
places; statistics in parentheses (or p-values in brackets with ``show="pvalue"``);
stars mark two-sided significance at 10 % (*), 5 % (**) and 1 % (***).  The stars on
the CAAR row come from the ``primary`` test.  ``N`` counts event-firms with a value for
that window.  Renderers: :meth:`PublicationTable.to_markdown`, ``to_latex``, ``to_html``
and ``to_csv``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from ..results import EventStudyResults

from ..core.statistics import TEST_TITLES, significance_stars
from ..defaults import window_label

#: What the mean row of each measure is called.
MEAN_NAMES = {"CAR": "CAAR", "BHAR": "Mean BHAR"}


def measure_frame(results: "EventStudyResults", measure: str = "CAR") -> pd.DataFrame:
    """Per event-firm values of ``measure`` with ``event_id``, ``ticker`` and the firms' group columns.

    Parameters
    ----------
    results : EventStudyResults
        Uses ``.car`` or ``.bhar`` (one row per ok event-firm, one column per window
        label, decimal fractions) and ``.firms``.
    measure : {"CAR", "BHAR"}

    Returns
    -------
    DataFrame
        Columns ``event_id, ticker``, the window labels, then the remaining ``.firms`` columns.
    """
    values = results.car if measure.upper() == "CAR" else results.bhar
    frame = values.copy()
    if not {"event_id", "ticker"} <= set(frame.columns):
        if {"event_id", "ticker"} <= set(frame.index.names):
            frame = frame.reset_index()
        else:
            ok = results.firms[results.firms["status"] == "ok"]
            if len(ok) != len(frame):
                raise ValueError(f"{measure} frame has {len(frame)} rows but {len(ok)} firms are ok: cannot label them")
            frame.insert(0, "event_id", ok["event_id"].to_numpy())
            frame.insert(1, "ticker", ok["ticker"].to_numpy())
    firms = results.firms
    extra = [c for c in firms.columns if c not in frame.columns]
    return frame.merge(firms[["event_id", "ticker", *extra]], on=["event_id", "ticker"], how="left")


@dataclass
class PublicationTable:
    """One published table.

    Attributes
    ----------
    cells : DataFrame
        Display strings; index = row labels (tests by their :data:`TEST_TITLES`), columns = window labels.
    values : DataFrame
        The numbers behind the cells: row ``"mean"`` (decimal), one row per test
        statistic, ``"p:<test>"`` per p-value and ``"N"``; same columns.
    """

    measure: str
    title: str
    cells: pd.DataFrame
    values: pd.DataFrame
    group_col: str | None = None
    group: str | None = None
    notes: list[str] = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        """The cells with the row labels as a first column (for ``emit``)."""
        return self.cells.rename_axis("").reset_index()

    def to_markdown(self) -> str:
        body = self.cells.rename_axis("").to_markdown(colalign=("left",) + ("right",) * self.cells.shape[1])
        return f"**{self.title}**\n\n{body}\n\n" + "".join(f"_{n}_\n" for n in self.notes)

    def to_latex(self) -> str:
        styler = self.cells.rename_axis(None).style
        tex = styler.format(escape="latex").format_index(escape="latex", axis=0).format_index(escape="latex", axis=1)
        body = tex.to_latex(hrules=True, column_format="l" + "r" * self.cells.shape[1])
        caption = _latex_escape(self.title)
        notes = "".join(f"\\par\\footnotesize {_latex_escape(n)}\n" for n in self.notes)
        return f"\\begin{{table}}[htbp]\n\\centering\n\\caption{{{caption}}}\n{body}{notes}\\end{{table}}\n"

    def to_html(self) -> str:
        table = self.cells.rename_axis(None).style.set_caption(html.escape(self.title)).to_html()
        return table + "".join(f"<p><small>{html.escape(n)}</small></p>\n" for n in self.notes)

    def to_csv(self) -> str:
        return self.to_frame().to_csv(index=False)


def _latex_escape(text: str) -> str:
    for char, repl in (("\\", r"\textbackslash{}"), ("%", r"\%"), ("&", r"\&"), ("_", r"\_"), ("#", r"\#"), ("$", r"\$")):
        text = text.replace(char, repl)
    return text


def _group_tests(results: "EventStudyResults", measure: str, group_col: str | None, group: Any) -> pd.DataFrame:
    tests = results.tests
    if group_col is not None and not (tests["group_col"] == group_col).any():
        tests = results.by(group_col)
    tests = tests[tests["measure"].str.upper() == measure.upper()]
    if group_col is None:
        return tests[tests["group_col"].isna()]
    return tests[(tests["group_col"] == group_col) & (tests["group"].astype(str) == str(group))]


def _title(results: "EventStudyResults", measure: str, group_col: str | None, group: Any) -> str:
    params = results.params
    parts = [f"{MEAN_NAMES.get(measure.upper(), measure)} by event window"]
    model = params.get("model")
    if model:
        parts.append(f"model: {model}")
    # factor models ignore the benchmark: do not name it
    if params.get("benchmark") and results.model.uses_benchmark:
        parts.append(f"benchmark: {params['benchmark']}")
    if params.get("estimation"):
        parts.append(f"estimation {window_label(params['estimation'])}")
    if group_col is not None:
        parts.append(f"{group_col} = {group}")
    return ", ".join(parts)


def publication_table(
    results: "EventStudyResults",
    measure: str = "CAR",
    *,
    group_col: str | None = None,
    group: Any = None,
    tests: Iterable[str] | None = None,
    primary: str | None = None,
    show: str = "statistic",
    decimals: int = 2,
) -> PublicationTable:
    """Build the published layout for one measure (and one group).

    Parameters
    ----------
    results : EventStudyResults
    measure : {"CAR", "BHAR"}
    group_col, group : str, optional
        Restrict to event-firms whose ``group_col`` equals ``group`` (tests from
        ``results.tests`` rows for that group, or ``results.by(group_col)``).
    tests : iterable of str, optional
        Test names to show, in order; default every test stored for the measure.
    primary : str, optional
        Test whose p-value puts the stars on the mean row; default the first shown.
    show : {"statistic", "pvalue"}
        Statistics in parentheses, or p-values in brackets.
    decimals : int
        Decimal places of the percent mean (2 or 3 is usual).
    """
    frame = measure_frame(results, measure)
    if group_col is not None:
        frame = frame[frame[group_col].astype(str) == str(group)]
    labels = [window_label(w) for w in results.windows]
    tidy = _group_tests(results, measure, group_col, group)
    names = list(dict.fromkeys(tidy["test"])) if tests is None else list(tests)
    # The stars on the mean follow the design's headline rule (eventstudy.design) unless a test is named.
    headline = dict(results.design.headline) if primary is None and group_col is None and measure.upper() == "CAR" else {}
    primary = primary or (names[0] if names else None)
    primary_of = {w: headline.get(w, primary) for w in labels}

    mean = frame[labels].mean(axis=0)
    n = frame[labels].notna().sum(axis=0)
    stat = tidy.pivot_table(index="test", columns="window", values="statistic", aggfunc="first", dropna=False)
    pval = tidy.pivot_table(index="test", columns="window", values="pvalue", aggfunc="first", dropna=False)
    stat = stat.reindex(index=names, columns=labels)
    pval = pval.reindex(index=names, columns=labels)

    mean_name = MEAN_NAMES.get(measure.upper(), f"Mean {measure}")
    mean_label = f"{mean_name} (%)"
    cells = pd.DataFrame(index=[mean_label, *names, "N"], columns=labels, dtype=object)
    for w in labels:
        p_primary = pval.at[primary_of[w], w] if primary_of[w] in pval.index else np.nan
        cells.at[mean_label, w] = "" if np.isnan(mean[w]) else f"{mean[w] * 100:.{decimals}f}{significance_stars(p_primary)}"
        for t in names:
            s, p = stat.at[t, w], pval.at[t, w]
            if show == "pvalue":
                cells.at[t, w] = "" if not np.isfinite(p) else f"[{p:.3f}]{significance_stars(p)}"
            else:
                cells.at[t, w] = "" if not np.isfinite(s) else f"({s:.2f}){significance_stars(p)}"
        cells.at["N", w] = str(int(n[w]))
    values = pd.concat(
        [mean.to_frame("mean").T, stat, pval.rename(index=lambda t: f"p:{t}"), n.to_frame("N").T.astype(float)]
    )
    cells = cells.rename(index=lambda t: TEST_TITLES.get(t, t))
    what = "p-values in brackets" if show == "pvalue" else "test statistics in parentheses"
    notes = [
        f"{mean_name} in percent; {what}; *, **, *** = significant at 10%, 5%, 1% (two-sided)"
        + (f"; stars on the mean from the headline test of each window (below)" if headline
           else f"; stars on the mean from the {TEST_TITLES.get(primary, primary)}" if primary else "") + ".",
        "Windows are trading-day offsets from event day 0, both ends included.",
    ]
    design = getattr(results, "design", None)  # design diagnostics and headline rule (eventstudy.design)
    if design is not None and group_col is None:
        notes += design.notes(measure)
    return PublicationTable(measure.upper(), _title(results, measure, group_col, group), cells, values, group_col,
                            None if group is None else str(group), notes)


def publication_tables(
    results: "EventStudyResults",
    measures: Iterable[str] = ("CAR", "BHAR"),
    *,
    group_col: str | None = None,
    **kwargs: Any,
) -> list[PublicationTable]:
    """One table per measure, and per value of ``group_col`` when given (groups sorted)."""
    out = []
    for measure in measures:
        if group_col is None:
            out.append(publication_table(results, measure, **kwargs))
            continue
        groups = sorted(measure_frame(results, measure)[group_col].dropna().astype(str).unique())
        out.extend(publication_table(results, measure, group_col=group_col, group=g, **kwargs) for g in groups)
    return out
