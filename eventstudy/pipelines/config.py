"""The nightly pipeline's settings, read from one TOML file.

Every key is optional; a missing file section falls back to the defaults below.
Resolution order, as everywhere in the project: command-line flag > environment
variable (``EVENTSTUDY_DB``, ``EVENTSTUDY_PRICE_SOURCE``) > config file > default.
Relative paths in the file are relative to the file's folder.

Example (``examples/pipeline.toml``)::

    db = "sqlite:///eventstudy.db"
    price_source = "yfinance"            # or "files:/path/to/csv/folder"
    catalog = "events"
    output = "out"                       # reports go to out/YYYY-MM-DD/

    [schedule]
    cron = "30 18 * * mon-fri"           # crontab fields: minute hour day month day-of-week
    timezone = "America/New_York"
    misfire_grace_hours = 6.0            # a run missed by less than this runs on restart, flagged late

    [study]
    benchmark = "SPY"
    model = "market"
    returns = "simple"                   # simple | log | total (dividends reinvested)

    [backtests]
    strategies = ["examples/strategies/*.yaml"]
    executor = "local"                   # or "dask" (a local Dask cluster) or "dask://HOST:PORT"

    [discover]                           # optional: 8-Ks from SEC EDGAR (needs EVENTSTUDY_SEC_USER_AGENT)
    enabled = true
    tickers = ["NVDA", "AMD"]            # default: the catalog's listed tickers
    items = ["1.01", "2.01", "7.01", "8.01"]
    auto_accept = false                  # true: candidates become catalog YAML the same night
    lookback_days = 7                    # filings of the last N days
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from eventstudy.config import (
    DB_ENV,
    DEFAULT_CATALOG_DIR,
    DEFAULT_DB_URL,
    PRICE_SOURCE_ENV,
    PriceSourceSpec,
    resolve_price_source,
)
from eventstudy.exceptions import ConfigError

from ..clock import utcnow
from ..defaults import DEFAULT_BENCHMARK, DEFAULT_ESTIMATION, DEFAULT_MODEL, DEFAULT_RETURNS, DEFAULT_WINDOWS, RETURN_KINDS

if TYPE_CHECKING:
    from ..jobs.study import StudySettings

DEFAULT_CRON = "30 18 * * mon-fri"
DEFAULT_TIMEZONE = "America/New_York"
DEFAULT_GRACE_HOURS = 6.0

_TOP_KEYS = {"db", "price_source", "catalog", "output", "tickers", "schedule", "study", "backtests", "lock", "discover"}
_SECTION_KEYS = {
    "schedule": {"cron", "timezone", "misfire_grace_hours", "late_after_seconds"},
    "study": {"benchmark", "model", "estimation", "windows", "returns"},
    "backtests": {"strategies", "executor"},
    "lock": {"ttl_seconds"},
    "discover": {"enabled", "tickers", "items", "auto_accept", "lookback_days"},
}


class _Section(BaseModel):
    # strict: "5" is not an integer and 5 is not a string; unknown keys are caught before (with the list of known ones).
    model_config = ConfigDict(strict=True, extra="ignore")


class _Schedule(_Section):
    cron: Optional[str] = None
    timezone: Optional[str] = None
    misfire_grace_hours: Optional[float] = Field(None, gt=0)
    late_after_seconds: Optional[int] = Field(None, ge=0)


class _Study(_Section):
    benchmark: Optional[str] = Field(None, min_length=1)
    model: Optional[str] = Field(None, min_length=1)
    estimation: Optional[list[int]] = None
    windows: Optional[list[list[int]]] = None


class _Backtests(_Section):
    strategies: Optional[list[str]] = None
    executor: Optional[str] = Field(None, min_length=1)


class _Lock(_Section):
    ttl_seconds: Optional[int] = Field(None, gt=0, le=7 * 24 * 3600)


class _File(_Section):
    """The TOML file's shape and types; what the values mean is checked after (paths, cron, windows)."""

    db: Optional[str] = None
    price_source: Optional[str] = Field(None, min_length=1)
    catalog: Optional[str] = None
    output: Optional[str] = None
    tickers: Optional[list[str]] = None
    schedule: _Schedule = _Schedule()
    study: _Study = _Study()
    backtests: _Backtests = _Backtests()
    lock: _Lock = _Lock()


def _typed(raw: dict, src: Path | None) -> None:
    """Check every value's type and range against :class:`_File`; the first problem as one located line."""
    try:
        _File.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = [str(part) for part in error["loc"]]
        key = f"[{loc[0]}] {'.'.join(loc[1:])}" if loc[0] in _SECTION_KEYS and len(loc) > 1 else ".".join(loc)
        got = error.get("input")
        raise ConfigError(f"{src or 'config'}: {key}: {error['msg'].lower()} (got {got!r})") from None


@dataclass(frozen=True)
class PipelineConfig:
    """Resolved pipeline settings.

    Attributes
    ----------
    db_url : str
        SQLAlchemy URL of the project database (also holds the scheduler's job store).
    price_source : str
        ``yfinance`` or ``files:DIR``; parsed lazily by :attr:`price_spec` so that
        ``status``/``history`` work even when the folder is absent.
    catalog_dir, output_dir : Path
        Event YAML folder; root of the dated report folders (``output_dir/YYYY-MM-DD``).
    tickers : tuple of str
        Extra tickers to ingest on top of the catalog's and the benchmarks.
    cron, timezone : str
        When the scheduler fires (5 crontab fields, interpreted in ``timezone``).
    misfire_grace_seconds : int
        How late a scheduled run may still start (e.g. after downtime).
    late_after_seconds : int
        A scheduled run starting more than this after its fire time is recorded as ``late``.
    benchmark, model : str
        Event-study market proxy and model.
    returns : str
        Daily return kind of the study: simple | log | total (see eventstudy.db.prices.load_returns).
    estimation : tuple of int
        Estimation window, trading-day offsets from day 0, both ends included.
    windows : tuple of (int, int)
        Event windows, trading-day offsets, both ends included.
    strategies : tuple of Path
        Backtest strategy spec files (globs in the file are expanded).
    backtest_executor : str
        Where each strategy's variants run: ``local``, ``dask`` (a local Dask cluster) or
        ``dask://HOST:PORT`` (see :mod:`eventstudy.backtest.executors`); results are the same.
    lock_ttl_seconds : int
        SQLite lock: a lock row whose heartbeat is older than this is stale and taken over.
    discover_enabled, discover_tickers, discover_items, discover_auto_accept, discover_lookback_days
        The optional EDGAR discover step: on/off, tickers (empty: the catalog's), 8-K items,
        whether candidates are accepted into the catalog at once, and how many days back to look.
    source_file : Path or None
        The TOML file read, if any.
    """

    db_url: str = DEFAULT_DB_URL
    price_source: str = "yfinance"
    catalog_dir: Path = DEFAULT_CATALOG_DIR
    output_dir: Path = Path("out")
    tickers: tuple[str, ...] = ()
    cron: str = DEFAULT_CRON
    timezone: str = DEFAULT_TIMEZONE
    misfire_grace_seconds: int = int(DEFAULT_GRACE_HOURS * 3600)
    late_after_seconds: int = 120
    benchmark: str = DEFAULT_BENCHMARK
    model: str = DEFAULT_MODEL
    returns: str = DEFAULT_RETURNS
    estimation: tuple[int, int] = DEFAULT_ESTIMATION
    windows: tuple[tuple[int, int], ...] = DEFAULT_WINDOWS
    strategies: tuple[Path, ...] = ()
    backtest_executor: str = "local"
    lock_ttl_seconds: int = 120
    discover_enabled: bool = False
    discover_tickers: tuple[str, ...] = ()
    discover_items: tuple[str, ...] = ("1.01", "2.01", "7.01", "8.01")
    discover_auto_accept: bool = False
    discover_lookback_days: int = 7
    source_file: Path | None = field(default=None, compare=False)

    @property
    def price_spec(self) -> PriceSourceSpec:
        """The parsed price source (raises :class:`ConfigError` for an unknown kind or a missing folder)."""
        return resolve_price_source(self.price_source)

    def study_settings(self, group_cols: tuple[str, ...] = ()) -> "StudySettings":
        """The study these settings describe (see :class:`eventstudy.jobs.study.StudySettings`)."""
        from ..jobs.study import StudySettings

        return StudySettings(model=self.model, benchmark=self.benchmark, estimation=self.estimation,
                             windows=self.windows, group_cols=group_cols, returns=self.returns)

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def run_date(self, now: dt.datetime | None = None) -> dt.date:
        """The date naming today's report folder: the current date in the schedule's timezone."""
        return (now or utcnow()).astimezone(self.tz).date()

    def report_dir(self, now: dt.datetime | None = None) -> Path:
        """``output_dir/YYYY-MM-DD`` for the run date."""
        return self.output_dir / self.run_date(now).isoformat()


def _where(path: Path | None, key: str) -> str:
    """``file: [section] key`` (``file: key`` for a top-level key)."""
    section, _, name = key.rpartition(".")
    where = f"[{section}] {name}" if section else key
    return f"{path}: {where}" if path else where


def _check_keys(raw: dict, allowed: set[str], path: Path | None, section: str = "") -> None:
    unknown = sorted(set(raw) - allowed)
    if unknown:
        where = f"{path}" + (f" section [{section}]" if section else "")
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}; expected some of {', '.join(sorted(allowed))}")


def _path(value: object, base: Path, key: str, src: Path | None) -> Path:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{_where(src, key)}: expected a path string, got {value!r}")
    p = Path(value).expanduser()
    return p if p.is_absolute() else (base / p).resolve()


def _file_db(value: object, base: Path, src: Path | None) -> str | None:
    """The file's ``db``: a relative SQLite path (bare or in a URL) is taken relative to the file's folder."""
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{_where(src, 'db')}: expected a database URL or SQLite file path, got {value!r}")
    path = value[len("sqlite:///"):] if value.startswith("sqlite:///") else None if "://" in value else value
    if path is None or path in ("", ":memory:") or Path(path).is_absolute():
        return value
    return f"sqlite:///{(base / path).resolve()}"


def _strategies(patterns: object, base: Path, src: Path | None) -> tuple[Path, ...]:
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        raise ConfigError(f"{_where(src, 'backtests.strategies')}: expected a list of file paths or globs")
    found: list[Path] = []
    for pattern in patterns:
        matches = sorted(base.glob(pattern)) if not Path(pattern).is_absolute() else sorted(Path("/").glob(pattern.lstrip("/")))
        if not matches:
            raise ConfigError(f"{_where(src, 'backtests.strategies')}: {pattern!r} matches no file (relative to {base})")
        found.extend(m for m in matches if m not in found)
    return tuple(found)


def _window(value: object, key: str, src: Path | None) -> tuple[int, int]:
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value) and value[0] <= value[1]):
        raise ConfigError(f"{_where(src, key)}: expected [start, end] trading-day offsets with start <= end, got {value!r}")
    return (value[0], value[1])


def load_config(path: Path | str | None = None, *, db_url: str | None = None, price_source: str | None = None) -> PipelineConfig:
    """Read the TOML file at ``path`` (none: defaults) and apply overrides.

    Parameters
    ----------
    path : path, optional
        A TOML file; see the module docstring for its keys.
    db_url, price_source : str, optional
        Command-line values; they beat the environment, which beats the file.

    Raises
    ------
    ConfigError
        The file is missing, is not valid TOML (message names the line), has an
        unknown key, a bad cron expression or an unknown timezone.
    """
    src = Path(path) if path is not None else None
    raw: dict = {}
    base = Path.cwd()
    if src is not None:
        if not src.is_file():
            raise ConfigError(f"pipeline config {src} does not exist")
        try:
            data = src.read_bytes()
            raw = tomllib.loads(data.decode("utf-8"))
        except OSError as exc:
            raise ConfigError(f"{src}: cannot read the file: {exc.strerror or exc}") from None
        except UnicodeDecodeError as exc:
            line = data[:exc.start].count(b"\n") + 1
            raise ConfigError(f"{src}:{line}: not UTF-8 text; save the file as UTF-8") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{src}: invalid TOML: {exc}") from None
        base = src.resolve().parent
    _check_keys(raw, _TOP_KEYS, src)
    sections = {}
    for name, allowed in _SECTION_KEYS.items():
        section = raw.get(name, {})
        if not isinstance(section, dict):
            raise ConfigError(f"{_where(src, name)}: expected a table [{name}]")
        _check_keys(section, allowed, src, name)
        sections[name] = section
    _typed(raw, src)
    sched, study, backtests, lock = sections["schedule"], sections["study"], sections["backtests"], sections["lock"]

    values: dict = {"source_file": src}
    values["db_url"] = db_url or os.environ.get(DB_ENV) or _file_db(raw.get("db"), base, src) or DEFAULT_DB_URL
    if "://" not in values["db_url"]:
        values["db_url"] = f"sqlite:///{values['db_url']}"
    values["price_source"] = price_source or os.environ.get(PRICE_SOURCE_ENV) or raw.get("price_source") or "yfinance"
    if values["price_source"].startswith("files:") and src is not None and raw.get("price_source") == values["price_source"]:
        folder = Path(values["price_source"][len("files:"):]).expanduser()
        values["price_source"] = f"files:{folder if folder.is_absolute() else (base / folder).resolve()}"
    if "catalog" in raw:
        values["catalog_dir"] = _path(raw["catalog"], base, "catalog", src)
    if "output" in raw:
        values["output_dir"] = _path(raw["output"], base, "output", src)
    if "tickers" in raw:
        if not isinstance(raw["tickers"], list) or not all(isinstance(t, str) for t in raw["tickers"]):
            raise ConfigError(f"{_where(src, 'tickers')}: expected a list of ticker strings")
        values["tickers"] = tuple(t.upper() for t in raw["tickers"])
    if "cron" in sched:
        values["cron"] = str(sched["cron"])
    if "timezone" in sched:
        values["timezone"] = str(sched["timezone"])
    if "misfire_grace_hours" in sched:
        values["misfire_grace_seconds"] = round(sched["misfire_grace_hours"] * 3600)
    if "late_after_seconds" in sched:
        values["late_after_seconds"] = sched["late_after_seconds"]
    for key in ("benchmark", "model"):
        if key in study:
            values[key] = str(study[key])
    if "returns" in study:
        if study["returns"] not in RETURN_KINDS:
            raise ConfigError(f"{_where(src, 'study.returns')}: unknown return kind {study['returns']!r}; "
                              f"choose among {', '.join(RETURN_KINDS)}")
        values["returns"] = study["returns"]
    if "estimation" in study:
        values["estimation"] = _window(study["estimation"], "study.estimation", src)
    if "windows" in study:
        if not isinstance(study["windows"], list) or not study["windows"]:
            raise ConfigError(f"{_where(src, 'study.windows')}: expected a list of [start, end] pairs")
        values["windows"] = tuple(_window(w, "study.windows", src) for w in study["windows"])
    if "strategies" in backtests:
        values["strategies"] = _strategies(backtests["strategies"], base, src)
    if "executor" in backtests:
        from ..backtest.executors import check_executor

        values["backtest_executor"] = check_executor(backtests["executor"], _where(src, "backtests.executor"))
    if "ttl_seconds" in lock:
        values["lock_ttl_seconds"] = lock["ttl_seconds"]
    values.update(_discover(sections["discover"], src))

    config = PipelineConfig(**values)
    _validate_schedule(config, src)
    return config


def _discover(section: dict, src: Path | None) -> dict:
    values: dict = {}
    for key in ("enabled", "auto_accept"):
        if key in section:
            if not isinstance(section[key], bool):
                raise ConfigError(f"{_where(src, 'discover.' + key)}: expected true or false, got {section[key]!r}")
            values[f"discover_{key}"] = section[key]
    for key in ("tickers", "items"):
        if key in section:
            if not isinstance(section[key], list) or not all(isinstance(v, str) for v in section[key]):
                raise ConfigError(f"{_where(src, 'discover.' + key)}: expected a list of strings")
            values[f"discover_{key}"] = tuple(v.upper() if key == "tickers" else v for v in section[key])
    if "lookback_days" in section:
        days = section["lookback_days"]
        if not isinstance(days, int) or days < 1:
            raise ConfigError(f"{_where(src, 'discover.lookback_days')}: expected a positive whole number of days, got {days!r}")
        values["discover_lookback_days"] = days
    return values


def _validate_schedule(config: PipelineConfig, src: Path | None) -> None:
    try:
        zoneinfo.ZoneInfo(config.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{_where(src, 'schedule.timezone')}: unknown timezone {config.timezone!r} (expected an IANA name like America/New_York)") from None
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger.from_crontab(config.cron, timezone=config.timezone)
    except ValueError as exc:
        raise ConfigError(f"{_where(src, 'schedule.cron')}: invalid cron expression {config.cron!r}: {exc}") from None
