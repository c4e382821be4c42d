"""A small synthetic panel run through the real engine (tests of tables, plots and storage).

``small_study`` builds daily returns for a market and ``n_events`` firms (market model with
beta 1, sigma 2 %), injects ``effect`` on day 0 and fits :class:`EventStudy` on it, so the
reporting code is checked on the results type the engine really produces.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from eventstudy.results import EventStudyResults
from eventstudy.study import EventStudy

WINDOWS = [(0, 0), (0, 2), (-1, 1), (-5, 5), (0, 10)]


def small_study(n_events: int = 12, effect: float = 0.02, seed: int = 1, *, missing_day: bool = True) -> EventStudyResults:
    """Market-model results for ``n_events`` event-firms on tickers AAA/BBB/...; roles alternate investor/supplier.

    With ``missing_day`` the first firm lacks its return on day -5 (a halt inside the window).
    """
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2023-01-02", periods=420)
    market = rng.normal(0.0003, 0.01, len(dates))
    tickers = [f"T{i:02d}" for i in range(n_events)]
    day0 = [300 + 3 * i for i in range(n_events)]
    firm = market[:, None] + rng.normal(0.0, 0.02, (len(dates), n_events))
    for j, d in enumerate(day0):
        firm[d, j] += effect
    if missing_day:
        firm[day0[0] - 5, 0] = np.nan
    returns = pd.DataFrame(firm, index=dates, columns=tickers)
    returns["SPY"] = market
    events = pd.DataFrame({
        "event_id": [f"ev-{i:02d}" for i in range(n_events)], "ticker": tickers,
        "announced": [dates[d] for d in day0], "timing": "pre-open",
        "role": ["supplier" if i % 2 else "investor" for i in range(n_events)],
    })
    return EventStudy(returns, events, benchmark="SPY").fit(model="market", estimation=(-250, -11), windows=WINDOWS)
