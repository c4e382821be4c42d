"""Strategy specifications: a pydantic model loaded from YAML or built in Python.

Units and conventions
---------------------
* ``entry.k`` is a trading-session offset from event day 0 (``k >= 0``); ``entry.at`` is
  ``open`` or ``close`` of that session.  Day 0 follows :func:`eventstudy.core.windows.day0_positions`
  (after-close news -> the next session).  The earliest fill allowed by the news timing overrides a
  too-early request (see :mod:`eventstudy.backtest.signals`).
* ``exit.hold`` is N: every trade exits at the close of session ``entry_session + N`` (``N >= 1``)
  unless a stop fires first.
* ``stop_loss``, ``take_profit``, ``min_day0_move``, ``fees``, ``slippage`` and ``target_vol`` are
  decimal fractions (0.05 = 5 %); ``target_vol`` is annualised (252 sessions a year).
* ``capital`` and ``sizing.cash`` are in currency units; sizing never compounds (a trade's notional is
  fixed from data known at entry), so total return = P&L / capital.
* ``oos.split`` is an announcement date; ``oos.walk_forward.train`` / ``test`` are calendar periods
  ``<n>Y``, ``<n>M``, ``<n>W`` or ``<n>D`` and folds are cut by announcement date (see :class:`WalkForward`).

Example
-------
>>> spec = StrategySpec(name="demo", direction="long", entry={"k": 0, "at": "open"}, exit={"hold": 2})
>>> spec.exit.hold
2
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

from ..catalog.schema import DealType, Role
from ..exceptions import ConfigError

ALL_ROLES = "all"
#: Parameters a sweep may vary, with the spec field each one overrides.
SWEEP_PARAMS = ("k", "hold", "stop_loss", "take_profit", "trailing", "role", "benchmark", "hedge")
#: Result columns usable for ranking (all "higher is better"; drawdowns are negative).
RANK_METRICS = ("total_return", "cagr", "sharpe", "sortino", "max_drawdown", "win_rate", "avg_trade")


class Direction(StrEnum):
    LONG = "long"
    SHORT = "short"
    FADE = "fade"  # against the day-0 close-to-close move
    FOLLOW = "follow"  # with the day-0 move


class EntryAt(StrEnum):
    OPEN = "open"
    CLOSE = "close"


class SizingMethod(StrEnum):
    FIXED_CASH = "fixed-cash"
    EQUAL_WEIGHT = "equal-weight"
    VOL_SCALED = "vol-scaled"


class _Strict(BaseModel):
    # Non-finite numbers (.inf, .nan) are errors: no amount, fraction or threshold is infinite.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Universe(_Strict):
    """Which (event, listed party) pairs are traded."""

    roles: list[Role] | Literal["all"] = "all"
    deal_types: list[DealType] | None = None
    min_amount: float | None = Field(default=None, ge=0, description="whole currency units (USD 1e9 = $1B)")
    tickers: list[str] | None = None


class Entry(_Strict):
    k: int = Field(default=0, ge=0, description="session offset from day 0")
    at: EntryAt = EntryAt.CLOSE


class Exit(_Strict):
    hold: int = Field(default=5, ge=1, description="sessions from the entry session to the exit close")
    stop_loss: float | None = Field(default=None, gt=0, lt=1)
    take_profit: float | None = Field(default=None, gt=0)
    trailing: bool = Field(default=False, description="stop_loss trails the best price since entry")

    @model_validator(mode="after")
    def _trailing_needs_stop(self) -> "Exit":
        if self.trailing and self.stop_loss is None:
            raise ValueError("trailing: true needs a stop_loss (the trailing distance)")
        return self


class Sizing(_Strict):
    """Notional per trade.

    ``fixed-cash``: ``cash`` per trade.  ``equal-weight``: ``capital / max concurrent trades`` of the
    variant.  ``vol-scaled``: ``cash * target_vol / sigma`` with sigma the annualised volatility of the
    ``vol_lookback`` daily close-to-close returns ending the session before entry, capped at
    ``max_leverage * cash``.

    A notional ``V`` buys ``V / quoted price`` shares; slippage makes each fill dearer (the fill costs
    ``V * (1 + slippage)``) and fees are charged on the fill's value, so costs come on top of ``V``.
    ``equal-weight`` leaves room for them so that every entry fills in full.
    """

    method: SizingMethod = SizingMethod.FIXED_CASH
    cash: float = Field(default=10_000.0, gt=0)
    target_vol: float = Field(default=0.20, gt=0)
    vol_lookback: int = Field(default=20, ge=5)
    max_leverage: float = Field(default=3.0, gt=0)


class Costs(_Strict):
    fees: float = Field(default=0.0, ge=0, lt=0.1, description="proportional fee per fill (0.001 = 10 bp)")
    slippage: float = Field(default=0.0, ge=0, lt=0.1, description="adverse price move per fill (decimal)")


class Hedge(_Strict):
    """Short ``beta x notional`` of ``benchmark`` for the life of each trade (long for short trades)."""

    enabled: bool = False
    benchmark: str = "SPY"
    estimation: tuple[int, int] = (-250, -11)
    min_obs: int = Field(default=100, ge=10)

    @field_validator("estimation")
    @classmethod
    def _before_day0(cls, v: tuple[int, int]) -> tuple[int, int]:
        if v[0] >= v[1] or v[1] >= 0:
            raise ValueError("estimation window must be [a, b] with a < b < 0 (sessions before day 0)")
        return v


class Sweep(_Strict):
    """Grids of values; every combination is one variant.  ``role`` values are a role or ``all``."""

    k: list[int] | None = None
    hold: list[int] | None = None
    stop_loss: list[float | None] | None = None
    take_profit: list[float | None] | None = None
    trailing: list[bool] | None = None
    role: list[str] | None = None
    benchmark: list[str] | None = None
    hedge: list[bool] | None = None

    @field_validator("role")
    @classmethod
    def _roles(cls, v: list[str] | None) -> list[str] | None:
        allowed = {r.value for r in Role} | {ALL_ROLES}
        for r in v or []:
            if r not in allowed:
                raise ValueError(f"unknown role {r!r} (allowed: {', '.join(sorted(allowed))})")
        return v

    @field_validator("k", "hold")
    @classmethod
    def _nonneg(cls, v: list[int] | None, info) -> list[int] | None:
        lowest = 0 if info.field_name == "k" else 1
        if v is not None and any(x < lowest for x in v):
            raise ValueError(f"{info.field_name} values must be >= {lowest}")
        return v


#: A walk-forward period: a positive whole number of calendar years, months, weeks or days.
_PERIOD = re.compile(r"^([0-9]+)([YMWD])$")
_PERIOD_UNITS = {"Y": "years", "M": "months", "W": "weeks", "D": "days"}


@dataclass(frozen=True)
class Fold:
    """One walk-forward fold: the variant is chosen on events announced from ``train_start`` to
    ``train_end`` and traded on those announced from ``test_start`` to ``test_end`` (dates, both
    ends included)."""

    fold: int
    train_start: dt.date
    train_end: dt.date
    test_start: dt.date
    test_end: dt.date


class WalkForward(_Strict):
    """Walk-forward folds by announcement date.

    ``train`` and ``test`` are calendar periods written ``<n><unit>`` with unit ``Y`` (years), ``M``
    (months), ``W`` (weeks) or ``D`` (days): ``2Y``, ``18M``, ``26W``, ``90D``.  Folds start at
    ``start`` (default: the spec's ``start``, else the first event's announcement date): fold 1
    trains on ``[start, start + train)`` and tests on the next ``test``; each later fold moves the
    test period on by ``test``.  ``rolling`` trains on the ``train`` just before each test period,
    ``expanding`` on everything from ``start``.  The last test period ends at the spec's ``end``
    (else the last event's date).
    """

    mode: Literal["rolling", "expanding"] = "rolling"
    train: str = Field(description="calendar period: 2Y, 18M, 26W, 90D")
    test: str = Field(description="calendar period: 2Y, 18M, 26W, 90D")
    start: dt.date | None = None

    @field_validator("train", "test", mode="before")
    @classmethod
    def _period(cls, v: Any) -> str:
        text = str(v).strip().upper() if isinstance(v, str) else None
        match = _PERIOD.match(text) if text else None
        if match is None:
            raise ValueError(f"expected a positive calendar period such as 2Y, 18M, 26W or 90D (years, months, weeks, days), got {v!r}")
        if int(match.group(1)) <= 0:
            raise ValueError(f"must be a positive period, got {v!r}")
        return text

    @staticmethod
    def _shift(day: dt.date, period: str, times: int = 1) -> dt.date:
        """``day`` moved on by ``times`` x ``period`` (calendar arithmetic; month ends clip: Jan 31 + 1M = Feb 28)."""
        import pandas as pd

        n, unit = int(period[:-1]), _PERIOD_UNITS[period[-1]]
        return (pd.Timestamp(day) + pd.DateOffset(**{unit: n * times})).date()

    def folds(self, first: dt.date, last: dt.date) -> list[Fold]:
        """The folds between ``first`` (used when ``start`` is not set) and ``last`` (dates)."""
        anchor = self.start or first
        train_end0 = self._shift(anchor, self.train)
        out = []
        i = 0
        while True:
            test_start = self._shift(train_end0, self.test, i)
            if test_start > last:
                return out
            test_end = min(self._shift(train_end0, self.test, i + 1) - dt.timedelta(days=1), last)
            train_start = anchor if self.mode == "expanding" else max(anchor, self._shift(test_start, self.train, -1))
            out.append(Fold(i + 1, train_start, test_start - dt.timedelta(days=1), test_start, test_end))
            i += 1


class OutOfSample(_Strict):
    """Out-of-sample mode: either one ``split`` (choose the best variant on events announced before it,
    report it on events from it on) or ``walk_forward`` folds (choose on each train period, trade the
    choice on the following test period, stitch the test periods into one track record)."""

    split: dt.date | None = None
    walk_forward: WalkForward | None = None
    select_by: str = "sharpe"

    @model_validator(mode="after")
    def _one_mode(self) -> "OutOfSample":
        if self.split is not None and self.walk_forward is not None:
            raise ValueError("split and walk_forward exclude each other: give one of them")
        if self.split is None and self.walk_forward is None:
            raise ValueError("needs split: DATE or walk_forward: {mode, train, test}")
        return self


class StrategySpec(_Strict):
    """One strategy (and optionally a grid of variants of it)."""

    name: str = Field(min_length=1)
    description: str | None = None
    universe: Universe = Universe()
    direction: Direction = Direction.LONG
    min_day0_move: float | None = Field(default=None, ge=0, description="fade/follow: |day-0 move| threshold (decimal)")
    entry: Entry = Entry()
    exit: Exit = Exit()
    sizing: Sizing = Sizing()
    costs: Costs = Costs()
    capital: float = Field(default=100_000.0, gt=0)
    hedge: Hedge = Hedge()
    benchmark: str = Field(default="SPY", description="buy-and-hold comparison")
    start: dt.date | None = None
    end: dt.date | None = None
    sweep: Sweep | None = None
    rank_by: str = "sharpe"
    oos: OutOfSample | None = None
    engine: Literal["trades", "portfolio"] = Field(
        default="trades",
        description="trades: every entry fills at its planned notional, value = capital + sum of trade P&L "
                    "(fast, for large grids); portfolio: vectorbt cash sharing per variant, entries are cut "
                    "when cash runs short (exact cash accounting)")

    _source: Path | None = PrivateAttr(default=None)  # the YAML file it was read from (for located errors)

    def __eq__(self, other: object) -> bool:  # the same strategy whether read from a file or built in Python
        return isinstance(other, StrategySpec) and self.model_dump() == other.model_dump()

    def __hash__(self) -> int:
        return hash(self.to_json())

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, v: dt.date | None, info) -> dt.date | None:
        start = info.data.get("start")
        if v is not None and start is not None and v < start:
            raise ValueError(f"end {v} is before start {start} (no event could be traded)")
        return v

    @model_validator(mode="after")
    def _checks(self) -> "StrategySpec":
        if self.min_day0_move is not None and self.direction not in (Direction.FADE, Direction.FOLLOW):
            raise ValueError("min_day0_move applies to direction fade or follow only")
        for key in [self.rank_by] + ([self.oos.select_by] if self.oos else []):
            if key not in RANK_METRICS:
                raise ValueError(f"cannot rank by {key!r} (choose one of: {', '.join(RANK_METRICS)})")
        return self

    # ------------------------------------------------------------------ variants
    def base_params(self) -> dict[str, Any]:
        """The spec's own values of the sweepable parameters."""
        roles = self.universe.roles
        return {
            "k": self.entry.k,
            "hold": self.exit.hold,
            "stop_loss": self.exit.stop_loss,
            "take_profit": self.exit.take_profit,
            "trailing": self.exit.trailing,
            "role": ALL_ROLES if roles == ALL_ROLES else ",".join(r.value for r in roles),
            "benchmark": self.hedge.benchmark,
            "hedge": self.hedge.enabled,
        }

    def variants(self) -> list[dict[str, Any]]:
        """Every parameter combination of the sweep (the base values where a dimension is not swept)."""
        base = self.base_params()
        grids = {name: [base[name]] for name in SWEEP_PARAMS}
        if self.sweep is not None:
            for name in SWEEP_PARAMS:
                values = getattr(self.sweep, name)
                if values:
                    grids[name] = list(dict.fromkeys(values))
        out = []
        for combo in itertools.product(*grids.values()):
            params = dict(zip(grids, combo))
            if params["trailing"] and params["stop_loss"] is None:
                continue  # a trailing flag without a stop distance is the same variant as no stop
            out.append(params)
        return out

    def swept(self) -> list[str]:
        """Names of the parameters with more than one value."""
        if self.sweep is None:
            return []
        return [n for n in SWEEP_PARAMS if getattr(self.sweep, n) and len(set(map(str, getattr(self.sweep, n)))) > 1]

    def with_params(self, params: dict[str, Any]) -> "StrategySpec":
        """A single-variant spec with ``params`` applied (no sweep)."""
        roles: Any = params["role"]
        roles = ALL_ROLES if roles == ALL_ROLES else roles.split(",")
        data = self.model_dump(mode="json")
        data["entry"]["k"] = params["k"]
        data["exit"].update(hold=params["hold"], stop_loss=params["stop_loss"], take_profit=params["take_profit"],
                            trailing=params["trailing"])
        data["universe"]["roles"] = roles
        data["hedge"].update(benchmark=params["benchmark"], enabled=params["hedge"])
        data["sweep"] = None
        return StrategySpec.model_validate(data)

    # ------------------------------------------------------------------ I/O
    @classmethod
    def from_yaml(cls, path: str | Path) -> "StrategySpec":
        """Load and validate a YAML spec through the catalog's located loader.

        Raises
        ------
        ConfigError
            Every problem as ``file:line:column: field: message`` (unknown keys with the allowed
            ones, bad dates such as 2025-02-30, start after end, non-finite or non-positive amounts).
        """
        from ..catalog.loader import read_located_yaml, validation_problems

        path = Path(path)
        root, data, problems = read_located_yaml(path, "a strategy spec as a mapping (name:, direction:, entry:, ...)")
        if not problems:
            try:
                spec = cls.model_validate(data)
            except ValidationError as exc:
                problems = validation_problems(path, root, exc, _MODELS_AT)
            else:
                spec._source = path
                if spec.oos is not None and spec.oos.walk_forward is not None and spec.end is not None:
                    start = spec.oos.walk_forward.start or spec.start
                    if start is not None:
                        check_walk_forward(spec, start, spec.end)
                return spec
        raise ConfigError("invalid strategy spec:\n" + "\n".join(map(str, problems)))

    def located(self, loc: tuple, message: str) -> str:
        """``file:line:column: field: message`` for a field of the spec file (just ``field: message``
        for a spec built in Python)."""
        from ..catalog.loader import _problem, read_located_yaml

        if self._source is None:
            return f"{'.'.join(map(str, loc))}: {message}"
        root, _, _ = read_located_yaml(self._source, "a strategy spec")
        return str(_problem(self._source, root, loc, message))

    def to_json(self) -> str:
        return self.model_dump_json(exclude_none=False)


#: Which model a location prefix of a spec points into (for "allowed keys here").
_MODELS_AT: dict[tuple[str, ...], type[BaseModel]] = {
    (): StrategySpec, ("universe",): Universe, ("entry",): Entry, ("exit",): Exit, ("sizing",): Sizing,
    ("costs",): Costs, ("hedge",): Hedge, ("sweep",): Sweep, ("oos",): OutOfSample,
    ("oos", "walk_forward"): WalkForward,
}


def check_against_sessions(spec: StrategySpec, n_sessions: int) -> None:
    """Refuse ``k`` or ``hold`` values that no trade could satisfy with ``n_sessions`` stored sessions.

    Raises
    ------
    ConfigError
        Naming each offending value at its line in the spec file.
    """
    problems = []
    for name, section in (("k", "entry"), ("hold", "exit")):
        swept = getattr(spec.sweep, name) if spec.sweep is not None else None
        located = [(("sweep", name, i), v) for i, v in enumerate(swept)] if swept else [((section, name), spec.base_params()[name])]
        for loc, value in located:
            if value >= n_sessions:
                problems.append(spec.located(loc, f"{name} = {value} sessions reaches beyond the {n_sessions} "
                                                  "stored sessions (no trade could be placed)"))
    if problems:
        raise ConfigError("invalid strategy spec:\n" + "\n".join(problems))


def check_walk_forward(spec: StrategySpec, first: dt.date, last: dt.date) -> list[Fold]:
    """The walk-forward folds of ``spec`` between ``first`` and ``last`` (dates of the first and last
    events, or the spec's ``start``/``end``).

    Raises
    ------
    ConfigError
        Not one fold fits (the train period alone reaches past ``last``), named at ``oos.walk_forward.train``.
    """
    wf = spec.oos.walk_forward if spec.oos is not None else None
    if wf is None:
        raise ValueError("spec has no walk_forward section")
    folds = wf.folds(first, last)
    if not folds:
        anchor = wf.start or first
        raise ConfigError("invalid strategy spec:\n" + spec.located(
            ("oos", "walk_forward", "train"),
            f"train {wf.train} from {anchor} reaches past {last}: no test period is left (fewer than 1 fold)"))
    return folds
