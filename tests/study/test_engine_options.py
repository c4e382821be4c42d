"""EventStudy.fit options added for issue 10: event period, return kind, conventions, test names."""

from __future__ import annotations

import numpy as np
import pytest

from eventstudy.exceptions import ConfigError
from eventstudy.study import EventStudy

from test_engine_results import _data


def test_rank_tests_for_a_window_do_not_depend_on_other_windows():
    returns, events = _data()
    study = EventStudy(returns, events)
    alone = study.fit(windows=[(0, 2)])
    both = study.fit(windows=[(0, 2), (-5, 5)])
    for name in ("corrado", "grank"):
        assert alone.test(name, (0, 2)).stat == both.test(name, (0, 2)).stat
    assert alone.params["event_period"] == both.params["event_period"] == (-10, 10)


def test_returns_kind_is_recorded_and_bhar_compounds_simple_returns():
    """Market-adjusted BHAR depends on prices only: the same for simple and log inputs of one price path."""
    returns, events = _data()
    simple = EventStudy(returns, events).fit(model="market-adj", windows=[(0, 2)])
    log = EventStudy(np.log1p(returns), events).fit(model="market-adj", windows=[(0, 2)], returns="log")
    assert simple.params["returns"] == "simple, decimal" and log.params["returns"] == "log, decimal"
    np.testing.assert_allclose(log.bhar.to_numpy(), simple.bhar.to_numpy(), rtol=1e-10)
    # CARs sum returns of the kind given: log CAR = log(gross firm) - log(gross market)
    gross = (1 + returns).rolling(3).apply(np.prod, raw=True)
    day0 = simple.firms.set_index("ticker")["day0"]
    for ticker, d in day0.items():
        end = returns.index[returns.index.get_loc(d) + 2]
        expected = np.log(gross.loc[end, ticker]) - np.log(gross.loc[end, "SPY"])
        assert log.car.xs(ticker, level="ticker")["[0,2]"].iloc[0] == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("kwargs, words", [
    ({"returns": "percent"}, "returns kind 'percent'.*simple, log, total"),
    ({"conventions": "stata"}, "conventions 'stata'.*default, estudy2"),
    ({"event_period": (-1, 1), "windows": [(0, 5)]}, "event_period.*cover every window"),
    ({"event_period": (-20, 10), "estimation": (-250, -11)}, "overlaps the estimation window"),
])
def test_bad_options_raise_config_errors(kwargs, words):
    returns, events = _data()
    with pytest.raises(ConfigError, match=words):
        EventStudy(returns, events).fit(**kwargs)


def test_unknown_test_name_raises_instead_of_returning_nothing():
    returns, events = _data()
    res = EventStudy(returns, events).fit(windows=[(0, 0)])
    with pytest.raises(ConfigError, match="unknown test 'patel'"):
        res.test("patel", (0, 0))
    with pytest.raises(ConfigError, match="no BHAR version"):
        res.test("patell", (0, 0), measure="BHAR")
    assert set(res.tests["test"]) >= {"grank", "kp-patell", "skew-t-boot"}
