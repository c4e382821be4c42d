"""The pipeline config's [study] returns key (issue 10): reaches StudySettings, bad kinds are named."""

from __future__ import annotations

import pytest

from eventstudy.exceptions import ConfigError
from eventstudy.pipelines.config import load_config


@pytest.fixture(autouse=True)
def _no_env(monkeypatch):
    monkeypatch.delenv("EVENTSTUDY_DB", raising=False)
    monkeypatch.delenv("EVENTSTUDY_PRICE_SOURCE", raising=False)


def test_returns_kind_reaches_the_study_settings(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text('[study]\nreturns = "log"\n')
    assert load_config(path).study_settings().returns == "log"
    assert load_config(None).study_settings().returns == "simple"


def test_unknown_returns_kind_is_named_with_the_file(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text('[study]\nreturns = "logs"\n')
    with pytest.raises(ConfigError, match=r"p.toml: \[study\] returns: unknown return kind 'logs'; choose among simple, log, total"):
        load_config(path)
