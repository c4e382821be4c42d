"""Model registry: names, aliases, parameter counts, clear errors."""

from __future__ import annotations

import pytest

from eventstudy.core.models import ALIASES, MODELS, get_model
from eventstudy.exceptions import ConfigError


@pytest.mark.parametrize(("alias", "name", "k"), [
    ("Market Model", "market", 2), ("mm", "market", 2), ("market_adjusted", "market-adj", 0),
    ("mean", "constant", 1), ("FF3", "ff3", 4), ("carhart4", "carhart", 5), ("Fama-French 5", "ff5", 6),
])
def test_aliases(alias, name, k):
    spec = get_model(alias)
    assert spec.name == name and spec.n_params == k


def test_every_alias_resolves():
    for alias, target in ALIASES.items():
        assert get_model(alias) is MODELS[target]


def test_unknown_model_lists_choices():
    with pytest.raises(ConfigError, match="ff5"):
        get_model("capm-plus")
