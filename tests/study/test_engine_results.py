"""The pandas layer and the results object on synthetic data (no shared data needed)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from eventstudy.exceptions import ConfigError, DataError, DataScaleWarning
from eventstudy.results import InvalidTestStatistic, TestStatistic, compare
from eventstudy.study import EventStudy


def _data(n_firms: int = 12, seed: int = 3):
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2023-01-02", periods=420)
    market = rng.normal(0.0004, 0.01, len(dates))
    tickers = [f"F{i:02d}" for i in range(n_firms)]
    rets = {t: 0.0002 + rng.uniform(0.5, 1.5) * market + rng.normal(0, 0.02, len(dates)) for t in tickers}
    returns = pd.DataFrame(rets, index=dates)
    returns["SPY"] = market
    day0 = rng.integers(300, 405, n_firms)
    for t, d in zip(tickers, day0):
        returns.loc[dates[d], t] += 0.05
    events = pd.DataFrame({
        "event_id": [f"e{i}" for i in range(n_firms)],
        "ticker": tickers,
        "announced": dates[day0],
        "timing": "pre-open",
        "role": ["supplier" if i % 2 else "customer" for i in range(n_firms)],
        "deal_type": "compute",
    })
    return returns, events


def test_contract_attributes():
    returns, events = _data()
    res = EventStudy(returns, events).fit()
    labels = ["[0,0]", "[0,2]", "[-1,1]", "[-5,5]", "[0,10]"]
    assert res.windows == [(0, 0), (0, 2), (-1, 1), (-5, 5), (0, 10)]
    for col in ("event_id", "ticker", "day0", "status", "n_est", "sigma", "alpha", "beta", "confounded", "confounded_by", "role", "deal_type"):
        assert col in res.firms.columns
    for frame in (res.car, res.bhar, res.car_se, res.car_t, res.car_p):
        assert list(frame.columns) == labels and frame.index.names == ["event_id", "ticker"]
    assert list(res.ar.index) == list(range(-5, 11))
    assert res.ar.columns.names == ["event_id", "ticker"]
    np.testing.assert_allclose(res.car["[-1,1]"].to_numpy(), res.ar.loc[-1:1].sum().to_numpy())
    np.testing.assert_allclose(res.car_t.to_numpy(), (res.car / res.car_se).to_numpy())
    assert res.aar.index.equals(res.ar.index) and res.aar_se.notna().all()
    np.testing.assert_allclose(res.caar_path.to_numpy(), np.cumsum(res.ar.mean(axis=1).to_numpy()))
    assert {"measure", "window", "test", "statistic", "pvalue", "n", "group_col", "group"} <= set(res.tests.columns)
    assert res.tests["group_col"].isna().all() and set(res.tests["measure"]) == {"CAR", "BHAR"}
    assert res.params["model"] == "market" and res.params["estimation"] == (-250, -11)
    # injected +5% on day 0 for every firm
    day0 = res.tests[(res.tests["window"] == "[0,0]") & (res.tests["measure"] == "CAR")].set_index("test")
    assert (day0["pvalue"] < 0.01).all(), day0["pvalue"]
    assert isinstance(res.test("patell", (0, 0)), TestStatistic)


def test_by_group_equals_separate_study():
    returns, events = _data()
    res = EventStudy(returns, events).fit()
    by = res.by("role")
    assert set(by["group"]) == {"supplier", "customer"} and (by["group_col"] == "role").all()
    alone = EventStudy(returns, events[events["role"] == "supplier"]).fit().tests
    mine = by[by["group"] == "supplier"].reset_index(drop=True)
    np.testing.assert_allclose(mine["statistic"].to_numpy(), alone["statistic"].to_numpy(), rtol=1e-12)
    np.testing.assert_array_equal(mine["n"].to_numpy(), alone["n"].to_numpy())
    caar = res.group_caar("role").set_index(["role", "window"])
    suppliers = res.car.loc[events.loc[events["role"] == "supplier", "event_id"].tolist()]
    assert caar.loc[("supplier", "[0,2]"), "caar"] == pytest.approx(suppliers["[0,2]"].mean(), rel=1e-12)
    assert caar.loc[("supplier", "[0,2]"), "n"] == len(suppliers)


def test_summary_states_assumptions_and_skips():
    returns, events = _data()
    events.loc[0, "announced"] = returns.index[60]  # too little history before it
    res = EventStudy(returns, events).fit()
    text = res.summary().as_text()
    assert "Market model" in text and "CAAR" in text and "Patell" in text
    assert "forecast-error variance" in text and "skipped 1 event-firm" in text
    assert res.firms.loc[0, "status"].startswith("too few estimation observations")
    assert str(res) == text and "<table" in res._repr_html_()
    wide = res.to_frame()
    assert len(wide) == len(events) and np.isnan(wide.loc[0, "car_[0,0]"])
    assert wide.loc[1, "car_[0,2]"] == res.car.loc[("e1", "F01"), "[0,2]"]


def test_one_event_gives_invalid_tests():
    returns, events = _data()
    res = EventStudy(returns, events.iloc[:1]).fit()
    t = res.test("bmp", (0, 0))
    assert isinstance(t, InvalidTestStatistic) and np.isnan(t.pvalue) and t.reason
    row = res.tests[(res.tests["test"] == "t-cs") & (res.tests["window"] == "[0,0]")].iloc[0]
    assert np.isnan(row["pvalue"]) and "at least" in row["reason"]


def test_same_firm_in_two_events_is_never_merged():
    returns, events = _data()
    twin = events.iloc[[3]].assign(event_id="e3-bis", announced=returns.index[200])
    both = pd.concat([events, twin], ignore_index=True)
    res = EventStudy(returns, both).fit()
    assert ("e3", "F03") in res.car.index and ("e3-bis", "F03") in res.car.index
    assert res.car.loc[("e3", "F03"), "[0,0]"] != res.car.loc[("e3-bis", "F03"), "[0,0]"]


def test_compare_models():
    returns, events = _data()
    study = EventStudy(returns, events)
    table = compare({"market": study.fit(), "market-adj": study.fit(model="market-adj"), "mean": study.fit(model="constant")})
    assert list(table.columns.get_level_values(0).unique()) == ["market", "market-adj", "mean"]
    assert table.loc["[0,0]", ("market", "n")] == len(events)


def test_input_errors_are_named():
    returns, events = _data()
    with pytest.raises(DataError, match="timing"):
        EventStudy(returns, events.assign(timing="lunch")).fit()
    with pytest.raises(DataError, match="announced"):
        EventStudy(returns, events.drop(columns="announced"))
    with pytest.raises(ConfigError, match="overlaps"):
        EventStudy(returns, events).fit(estimation=(-100, 0))
    with pytest.raises(ConfigError, match="unknown model"):
        EventStudy(returns, events).fit(model="garch")
    with pytest.warns(DataScaleWarning):
        EventStudy(returns * 100, events)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        EventStudy(returns, events)


def test_unknown_ticker_and_late_event_are_reported_not_dropped():
    returns, events = _data()
    extra = pd.DataFrame({
        "event_id": ["x1", "x2"], "ticker": ["NOPE", "F01"],
        "announced": [returns.index[350], returns.index[-1] + pd.Timedelta(days=30)],
        "timing": ["pre-open", "after-close"], "role": "supplier", "deal_type": "compute",
    })
    res = EventStudy(returns, pd.concat([events, extra], ignore_index=True)).fit()
    firms = res.firms.set_index("event_id")
    assert firms.loc["x1", "status"] == "no returns for this ticker" and firms.loc["x1", "n_est"] == 0
    assert firms.loc["x2", "status"] == "day 0 after the last session" and pd.isna(firms.loc["x2", "day0"])
    assert len(res.car) == len(events) and len(res.firms) == len(events) + 2
