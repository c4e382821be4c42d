"""Study defaults and labels: the one place every face (CLI, pipeline config, jobs, engine) reads them from.

Windows are trading-session offsets from day 0, both ends included; returns are
decimal fractions (0.01 = 1 %).
"""

from __future__ import annotations

#: Event windows studied when none are given.
DEFAULT_WINDOWS: tuple[tuple[int, int], ...] = ((0, 0), (0, 2), (-1, 1), (-5, 5), (0, 10))
#: Estimation window (trading sessions relative to day 0).
DEFAULT_ESTIMATION: tuple[int, int] = (-250, -11)
#: Expected-return model and market proxy.
DEFAULT_MODEL = "market"
DEFAULT_BENCHMARK = "SPY"
#: Fewest estimation-window returns for a firm to be studied.
DEFAULT_MIN_OBS = 100
#: Kind of daily return fed to the engine.
DEFAULT_RETURNS = "simple"
#: Group columns whose tests are reported beside the overall ones.
DEFAULT_GROUPS: tuple[str, ...] = ("role",)


def window_label(window: tuple[int, int]) -> str:
    """Label of a window as every table and file writes it, e.g. ``(0, 2) -> "[0,2]"``."""
    return f"[{int(window[0])},{int(window[1])}]"


def format_window(window: tuple[int, int]) -> str:
    """A window as the CLI option takes it, e.g. ``(-5, 5) -> "-5,5"``."""
    return f"{int(window[0])},{int(window[1])}"

#: Data screens (eventstudy2's diagnostics): event-firms failing one are excluded and listed with the reason.
#: Close on the session before day 0 below this (price units of the file, split-adjusted): penny stock.
DEFAULT_MIN_PRICE = 1.0
#: Estimation-window residual SD below this (decimal daily, 0.002 = 0.2 %/day): a shell or stale quote, whose
#: standardised ARs explode (Patell on thin names).
DEFAULT_MIN_SIGMA = 0.002
#: Share of exactly-zero estimation-window returns above this: thin trading.
DEFAULT_MAX_ZERO_SHARE = 0.2
#: Largest |offset| (trading sessions from day 0) a window or the estimation window may reach: 20 years of
#: sessions, more than any price history the project holds (and within the exchange calendar's dates).
MAX_OFFSET = 5040
#: Return kinds the database can compute (see eventstudy.db.prices.load_returns).
RETURN_KINDS = ("simple", "log", "total")
