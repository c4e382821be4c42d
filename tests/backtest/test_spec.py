"""Strategy specs: the shipped examples validate; bad YAML fails naming file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from eventstudy.backtest import load_spec
from eventstudy.backtest.spec import StrategySpec
from eventstudy.exceptions import ConfigError

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples" / "strategies").glob("*.yaml"))


def test_examples_exist_and_validate():
    assert len(EXAMPLES) >= 3
    for path in EXAMPLES:
        spec = load_spec(path)
        assert spec.name and spec.variants()


def test_yaml_and_python_specs_are_the_same_object(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("name: s\ndirection: fade\nmin_day0_move: 0.1\nentry: {k: 1, at: open}\nexit: {hold: 3, stop_loss: 0.05}\n")
    built = StrategySpec(name="s", direction="fade", min_day0_move=0.1, entry={"k": 1, "at": "open"},
                         exit={"hold": 3, "stop_loss": 0.05})
    assert load_spec(path) == built


@pytest.mark.parametrize("text,line,field", [
    ("name: x\nentry:\n  k: -1\n", 3, "entry.k"),
    ("name: x\nexit:\n  hold: 5\n  trailing: true\n", 3, "exit"),
    ("name: x\nsweep:\n  role: [announcer, ceo]\n", 3, "sweep.role"),
    ("name: x\ndirection: sideways\n", 2, "direction"),
    ("name: x\nrank_by: luck\n", 1, "(spec)"),
])
def test_bad_spec_names_file_line_and_field(tmp_path, text, line, field):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_spec(path)
    assert f"{path}:{line}: {field}" in str(info.value)


def test_sweep_grid_is_the_product_of_its_values():
    spec = StrategySpec(name="g", sweep={"k": [0, 1], "hold": [1, 5, 10], "stop_loss": [None, 0.05], "trailing": [False, True]})
    variants = spec.variants()
    # trailing without a stop is dropped: 2 x 3 x (1 + 2) combinations of (stop, trailing)
    assert len(variants) == 2 * 3 * 3
    assert spec.swept() == ["k", "hold", "stop_loss", "trailing"]
    one = spec.with_params(variants[-1])
    assert one.sweep is None and one.variants() == [variants[-1]]
