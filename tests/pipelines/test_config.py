"""The pipeline's TOML config: defaults, precedence (flag > environment > file > default), clear errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from eventstudy.exceptions import ConfigError
from eventstudy.pipelines.config import load_config

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _no_env(monkeypatch):
    monkeypatch.delenv("EVENTSTUDY_DB", raising=False)
    monkeypatch.delenv("EVENTSTUDY_PRICE_SOURCE", raising=False)


def test_defaults_are_weekdays_1830_new_york():
    cfg = load_config(None)
    assert (cfg.cron, cfg.timezone) == ("30 18 * * mon-fri", "America/New_York")
    assert cfg.misfire_grace_seconds == 6 * 3600
    assert cfg.price_source == "yfinance"
    # 2026-07-01 23:00 UTC is 19:00 in New York (EDT): still July 1st there.
    assert cfg.run_date(dt.datetime(2026, 7, 2, 1, 0, tzinfo=dt.timezone.utc)) == dt.date(2026, 7, 1)


def test_example_file_loads_and_resolves_paths_relative_to_it():
    cfg = load_config(REPO / "examples" / "pipeline.toml")
    assert cfg.catalog_dir == REPO / "events"
    assert cfg.output_dir == REPO / "out"
    assert cfg.db_url == f"sqlite:///{REPO / 'eventstudy.db'}"
    assert cfg.windows[1] == (0, 2)


def test_environment_beats_file_and_flag_beats_environment(tmp_path, monkeypatch):
    prices = tmp_path / "csv"
    prices.mkdir()
    path = tmp_path / "p.toml"
    path.write_text('db = "file.db"\nprice_source = "yfinance"\n[schedule]\ncron = "0 7 * * *"\ntimezone = "Europe/Paris"\nmisfire_grace_hours = 1.5\n')
    cfg = load_config(path)
    assert cfg.db_url == f"sqlite:///{tmp_path / 'file.db'}"
    assert (cfg.cron, cfg.timezone, cfg.misfire_grace_seconds) == ("0 7 * * *", "Europe/Paris", 5400)
    monkeypatch.setenv("EVENTSTUDY_PRICE_SOURCE", f"files:{prices}")
    monkeypatch.setenv("EVENTSTUDY_DB", "sqlite:///env.db")
    cfg = load_config(path)
    assert (cfg.price_source, cfg.db_url) == (f"files:{prices}", "sqlite:///env.db")
    assert cfg.price_spec.path == prices
    cfg = load_config(path, db_url="sqlite:///flag.db", price_source="yfinance")
    assert (cfg.price_source, cfg.db_url) == ("yfinance", "sqlite:///flag.db")


@pytest.mark.parametrize(
    "text, fragment",
    [
        ('[schedule]\ncron = "61 18 * * *"\n', "[schedule] cron"),
        ('[schedule]\ntimezone = "Mars/Olympus"\n', "unknown timezone"),
        ('colour = "blue"\n', "unknown key(s) colour"),
        ('[study]\nwindows = [[2, 0]]\n', "start <= end"),
        ('[backtests]\nstrategies = ["nope/*.yaml"]\n', "matches no file"),
        ('db = \n', "invalid TOML"),
    ],
)
def test_bad_config_names_file_and_key(tmp_path, text, fragment):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert fragment in str(err.value)
    assert str(path) in str(err.value)


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "absent.toml")
