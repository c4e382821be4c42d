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


@pytest.mark.parametrize("text,where,message", [
    ("name: x\nentry:\n  k: -1\n", "3:6: entry.k", "greater than or equal to 0"),
    ("name: x\nexit:\n  hold: 5\n  trailing: true\n", "3:3: exit", "needs a stop_loss"),
    ("name: x\nsweep:\n  role: [announcer, ceo]\n", "3:9: sweep.role", "unknown role 'ceo'"),
    ("name: x\ndirection: sideways\n", "2:12: direction", "'sideways'"),
    ("name: x\nrank_by: luck\n", "1:1:", "cannot rank by 'luck'"),
    # The bad input of issue 12: unknown keys, impossible dates, start after end, non-finite or
    # non-positive amounts, fees of 100 %.
    ("name: x\nexit: {hold: 5, holdd: 3}\n", "2:17: exit.holdd", "unknown key 'holdd' (allowed keys here: hold,"),
    ("name: x\noos: {split: 2025-02-30}\n", "2:14: oos.split", "day value is outside expected range"),
    ("name: x\nstart: 2025-06-01\nend: 2025-01-01\n", "3:6: end", "before start 2025-06-01"),
    ("name: x\nsizing:\n  cash: .inf\n", "3:9: sizing.cash", "finite number"),
    ("name: x\ncapital: -5\n", "2:10: capital", "greater than 0"),
    ("name: x\ncosts: {fees: 1.0}\n", "2:15: costs.fees", "less than"),
])
def test_bad_spec_names_file_line_column_and_field(tmp_path, text, where, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_spec(path)
    assert f"{path}:{where}" in str(info.value) and message in str(info.value)


def test_hold_or_k_beyond_the_stored_sessions_is_a_located_error(tmp_path):
    from eventstudy.backtest.spec import check_against_sessions

    path = tmp_path / "long.yaml"
    path.write_text("name: x\nexit: {hold: 100000}\nsweep:\n  k: [0, 5000]\n")
    with pytest.raises(ConfigError) as info:
        check_against_sessions(load_spec(path), 1600)
    text = str(info.value)
    assert f"{path}:2:14: exit.hold: hold = 100000" in text and f"{path}:4:10: sweep.k.1: k = 5000" in text
    check_against_sessions(StrategySpec(name="x", exit={"hold": 5}, sweep={"k": [0, 5]}), 1600)  # fits: no error


def test_sweep_grid_is_the_product_of_its_values():
    spec = StrategySpec(name="g", sweep={"k": [0, 1], "hold": [1, 5, 10], "stop_loss": [None, 0.05], "trailing": [False, True]})
    variants = spec.variants()
    # trailing without a stop is dropped: 2 x 3 x (1 + 2) combinations of (stop, trailing)
    assert len(variants) == 2 * 3 * 3
    assert spec.swept() == ["k", "hold", "stop_loss", "trailing"]
    one = spec.with_params(variants[-1])
    assert one.sweep is None and one.variants() == [variants[-1]]
