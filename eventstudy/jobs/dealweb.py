"""Deal-web job (``eventstudy events web``): the catalog's value flows drawn with the stored reactions.

The graph, its cycles and the drawings are :mod:`eventstudy.reporting.dealweb`; this job
reads the catalog and the ``event_reactions`` view (read-only) and measures, without
storing, the day-0 reactions of listed spill-over parties no stored study covers.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from ..catalog.schema import Event
from ..reporting.dealweb import WebReport, spillover_candidates, spillover_table, write_web


def measure_reactions(engine, events: list[Event], candidates: pd.DataFrame, known: pd.DataFrame,
                      *, benchmark: str = "SPY") -> pd.DataFrame:
    """Day-0 and [0,2] abnormal returns (percent) of the spill-over ``candidates`` that ``known`` lacks.

    ``known`` is the ``event_reactions`` view; the missing (event, ticker) pairs are fitted with
    the default market model on stored prices (nothing is stored).  Tickers without prices
    are left out.  Returns ``known``'s reaction columns for the new pairs.
    """
    from ..exceptions import DataError
    from ..jobs.study import StudySettings, run_study

    have = set(zip(known["event_id"], known["ticker"])) if len(known) else set()
    todo = candidates[[(e, t) not in have for e, t in zip(candidates["event_id"], candidates["ticker"])]]
    cols = ["event_id", "ticker", "abnormal_return_day0_pct", "car_0_2_pct", "t_day0", "p_day0"]
    if todo.empty:
        return pd.DataFrame(columns=cols)
    by_id = {e.id: e for e in events}
    frame = pd.DataFrame({
        "event_id": todo["event_id"].to_numpy(), "ticker": todo["ticker"].to_numpy(),
        "announced": pd.to_datetime([by_id[e].date for e in todo["event_id"]]),
        "timing": [by_id[e].timing.value for e in todo["event_id"]], "relation": todo["relation"].to_numpy(),
    })
    try:
        res = run_study(engine, StudySettings(benchmark=benchmark, windows=((0, 0), (0, 2))), events=frame)
    except DataError:
        return pd.DataFrame(columns=cols)  # none of them has prices
    out = pd.DataFrame({
        "abnormal_return_day0_pct": 100.0 * res.car["[0,0]"], "car_0_2_pct": 100.0 * res.car["[0,2]"],
        "t_day0": res.car_t["[0,0]"], "p_day0": res.car_p["[0,0]"],
    }).reset_index()
    return out[cols]


def deal_web_job(db_url: str | None, catalog: Path, out: Path, since: dt.date | None = None) -> tuple[WebReport, str]:
    """``eventstudy events web``: catalog + stored reactions (read-only) -> the web's files; returns ``(report, note)``.

    The note says why the web is uncoloured (no database, an older schema, no study stored).
    """
    from ..catalog import load_catalog
    from ..db import open_existing
    from ..db.views import empty_note, read_view
    from ..exceptions import ConfigError

    events = [entry.event for entry in load_catalog(catalog)]
    candidates = spillover_candidates(events)
    note, engine = "", None
    reactions = pd.DataFrame(columns=["event_id", "ticker", "abnormal_return_day0_pct", "car_0_2_pct", "t_day0", "p_day0"])
    try:
        engine = open_existing(db_url)
        stored = read_view(engine, "event_reactions")
        if stored.empty:
            note = empty_note("event_reactions") + "; the web is drawn without reactions"
        else:
            reactions = stored
    except ConfigError as exc:
        note = f"{exc}; the web is drawn without reactions"
    measured = reactions
    if engine is not None and not reactions.empty:
        extra = measure_reactions(engine, events, candidates, reactions)
        measured = pd.concat([reactions[extra.columns], extra], ignore_index=True) if len(extra) else reactions
    return write_web(events, reactions, spillover_table(candidates, measured), out, since=since), note
