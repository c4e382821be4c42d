"""Pydantic models of one catalog event (one YAML file in ``events/``).

Units and conventions
---------------------
* ``date`` is the announcement date (exchange-local calendar date, America/New_York for US listings).
* ``timing`` says when the news reached the market; the engine places event day 0 from it:
  ``pre-open`` / ``intraday`` -> that session, ``after-close`` -> the next session.
* ``amount.value`` is in ``amount.scale`` units of ``amount.currency`` (``value: 100, scale: billion``);
  ``amount.kind`` says what the number is (``up-to``, ``commitment``, ``purchase-price``, ``proceeds``, ...).
* ``confidence`` (high / medium / low) says how well the date and timing are supported;
  ``confidence_note`` says what was checked (e.g. "INTC +5.5% on 2025-08-22 vs SPY +1.5%").
* Claims: ``window: [a, b]`` are trading-day offsets from day 0, both included; the move is
  measured from the close of day ``a - 1`` to the close of day ``b`` (``measure: intraday-high``
  uses the highest high of day ``b`` instead).  ``move_pct`` is in percent (43 means +43 %).

Limits
------
* ``date`` lies from :data:`EARLIEST_DATE` (1900-01-01) to one year after today
  (:func:`latest_date`); pandas and the price calendars cannot represent much beyond.
* Numbers are finite (``.inf`` and ``.nan`` are refused); window offsets lie within
  ``±MAX_WINDOW_OFFSET`` trading days.
* ``id`` is at most 120 characters and ``exchange`` at most 20 (the database columns).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..tickers import MAX_TICKER_LENGTH, TICKER_PATTERN
from .vocab import SCALE_FACTOR, AmountKind, FlowKind, ClaimMeasure, ClaimQualifier, Confidence, DealType, Role, Scale, Timing  # noqa: F401


#: Earliest announcement date accepted.
EARLIEST_DATE = dt.date(1900, 1, 1)
#: Largest claim-window offset, in trading days from day 0 (about four years).
MAX_WINDOW_OFFSET = 1000


def latest_date(today: dt.date | None = None) -> dt.date:
    """The latest announcement date accepted: one year after ``today`` (Feb 29 -> Feb 28)."""
    today = today or dt.date.today()
    try:
        return today.replace(year=today.year + 1)
    except ValueError:
        return today.replace(year=today.year + 1, day=28)


_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

Text = Annotated[str, Field(min_length=1)]
WindowOffset = Annotated[int, Field(ge=-MAX_WINDOW_OFFSET, le=MAX_WINDOW_OFFSET)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, use_enum_values=False, allow_inf_nan=False)


class Party(_Strict):
    """A company in the deal.  Private firms (OpenAI) have ``listed: false`` and no ticker."""

    name: Text
    ticker: str | None = None
    exchange: str | None = Field(default=None, max_length=20)
    listed: bool = True
    role: Role

    @field_validator("ticker")
    @classmethod
    def _ticker_format(cls, v: str | None) -> str | None:
        if v is not None and not TICKER_PATTERN.fullmatch(v):
            raise ValueError(f"ticker {v!r} is not an upper-case symbol such as AMD or 9984.T "
                             f"(letters, digits, '.', '-', '^', '=', at most {MAX_TICKER_LENGTH} characters)")
        return v

    @model_validator(mode="after")
    def _listed_needs_ticker(self) -> "Party":
        if self.listed and self.ticker is None:
            raise ValueError(f"party {self.name!r} is listed but has no ticker (set 'ticker', or 'listed: false')")
        if not self.listed and self.ticker is not None:
            raise ValueError(f"party {self.name!r} has a ticker but 'listed: false'")
        return self


class Amount(_Strict):
    value: float = Field(gt=0)
    scale: Scale = Scale.BILLION
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    kind: AmountKind
    text: str | None = None

    @property
    def absolute(self) -> float:
        """The amount in whole currency units."""
        return self.value * SCALE_FACTOR[self.scale]


class Source(_Strict):
    source: Text = Field(description="seed file name (e.g. 000_008fe688c4d1b36f.txt) or publication")
    url: str | None = None
    quote: str | None = None


class Claim(_Strict):
    """A reaction the press reported.  ``move_pct`` in percent; ``window`` in trading days from day 0."""

    ticker: str
    window: tuple[WindowOffset, WindowOffset]
    move_pct: float
    qualifier: ClaimQualifier = ClaimQualifier.ABOUT
    measure: ClaimMeasure = ClaimMeasure.CLOSE_TO_CLOSE
    source: Text
    quote: str | None = None

    @field_validator("window")
    @classmethod
    def _ordered(cls, v: tuple[int, int]) -> tuple[int, int]:
        if v[0] > v[1]:
            raise ValueError(f"window start {v[0]} is after its end {v[1]}")
        return v


class Flow(_Strict):
    """Value passing between two parties that their roles cannot say.

    Roles already give the main flow of a deal (investor -> investee, customer ->
    supplier, acquirer -> target); a flow states another one, e.g. AMD granting OpenAI
    warrants in a supply deal, or OpenAI buying the NVIDIA systems NVIDIA's investment
    pays for.  ``from`` / ``to`` are party names of the same event; ``label`` is a short
    edge label ("warrants for up to 160M shares").
    """

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, populate_by_name=True)

    source: Text = Field(alias="from")
    target: Text = Field(alias="to")
    kind: FlowKind
    label: str | None = None


class Confounder(_Strict):
    """Other news that moved the price inside the event's windows (earnings, a market-wide rally, ...).

    ``tickers`` names the parties it affects; empty means every listed party of the event.
    The engine flags the affected event-firms as confounded.
    """

    description: Text
    tickers: list[str] = Field(default_factory=list)


class Event(_Strict):
    """One deal announcement."""

    id: str = Field(max_length=120)
    title: Text
    date: dt.date
    timing: Timing
    time: str | None = Field(default=None, pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="HH:MM local time")
    timezone: str = "America/New_York"
    deal_type: DealType
    parties: list[Party] = Field(min_length=1)
    amount: Amount | None = None
    terms: str | None = None
    sources: list[Source] = Field(min_length=1)
    claims: list[Claim] = Field(default_factory=list)
    confounders: list[Confounder] = Field(default_factory=list)
    flows: list[Flow] = Field(default_factory=list)
    confidence: Confidence
    confidence_note: str | None = None
    notes: str | None = None

    @field_validator("id")
    @classmethod
    def _slug(cls, v: str) -> str:
        if not _SLUG.match(v):
            raise ValueError(f"id {v!r} must be a lower-case slug such as 2025-10-06-openai-amd")
        return v

    @field_validator("date", mode="before")
    @classmethod
    def _iso_date(cls, v: object) -> object:
        # The loader keeps dates as text; accept only YYYY-MM-DD (pydantic alone would read 20251006 as a Unix time).
        if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
            return cls._in_range(v)
        if isinstance(v, str) and len(v) == 10:
            try:
                v = dt.date.fromisoformat(v)
            except ValueError:
                pass
            else:
                return cls._in_range(v)
        raise ValueError(f"{v!r} is not a valid date in YYYY-MM-DD form (e.g. 2025-10-06)")

    @staticmethod
    def _in_range(v: dt.date) -> dt.date:
        last = latest_date()
        if not EARLIEST_DATE <= v <= last:
            raise ValueError(f"date {v} is outside the supported range {EARLIEST_DATE} to {last} (one year from today)")
        return v

    @field_validator("time", mode="before")
    @classmethod
    def _quoted_time(cls, v: object) -> object:
        if v is not None and not isinstance(v, str):
            raise ValueError(f"{v!r} is not a time: write it as text in HH:MM form, e.g. time: \"07:00\"")
        return v

    @model_validator(mode="after")
    def _one_party_per_ticker(self) -> "Event":
        tickers = self.tickers
        twice = sorted({t for t in tickers if tickers.count(t) > 1})
        if twice:
            raise ValueError(f"ticker(s) {', '.join(twice)} listed as more than one party (expected one party per ticker; mention a second role in notes)")
        return self

    @model_validator(mode="after")
    def _flows_between_parties(self) -> "Event":
        names = {p.name for p in self.parties}
        for flow in self.flows:
            for end in (flow.source, flow.target):
                if end not in names:
                    raise ValueError(f"flow end {end!r} is not a party of this event (parties: {', '.join(sorted(names))})")
        return self

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, v: str) -> str:
        from zoneinfo import available_timezones

        if v not in available_timezones():
            raise ValueError(f"unknown time zone {v!r} (use an IANA name such as America/New_York)")
        return v

    @property
    def tickers(self) -> list[str]:
        return [p.ticker for p in self.parties if p.ticker]
