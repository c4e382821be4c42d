"""The engine against stored statsmodels outputs (tests/reference/statsmodels_covid, see its README)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from eventstudy.study import EventStudy

HERE = Path(__file__).resolve().parent / "statsmodels_covid"
# tolerances per quantity: coefficients and ARs are direct sums; SEs go through a matrix inverse
TOL = {"alpha": 1e-12, "beta": 1e-10, "sigma": 1e-12, "car": 1e-11, "bhar": 1e-11, "car_se": 1e-11}


def read_reference(path: Path = HERE / "output.csv") -> pd.DataFrame:
    """Parse the generator's CSV: index (event_id, ticker, window), float columns."""
    frame = pd.read_csv(path, dtype={"event_id": str, "ticker": str, "window": str})
    return frame.set_index(["event_id", "ticker", "window"]).sort_index()


@pytest.fixture(scope="module")
def results(shared_data):
    folder = shared_data / "estudy2-covid"
    tickers = sorted({t for _, t, _ in _events()} | {"GSPC"})
    closes = {t: pd.read_csv(folder / f"{t}.csv", index_col="Date", parse_dates=True)["Close"] for t in tickers}
    returns = pd.DataFrame(closes).pct_change(fill_method=None).iloc[1:]
    events = pd.DataFrame(_events(), columns=["event_id", "ticker", "announced"]).assign(timing="pre-open")
    return EventStudy(returns, events, benchmark="GSPC").fit(
        estimation=(-120, -11), windows=[(0, 0), (-1, 1), (0, 5)], min_estimation_obs=60
    )


def _events():
    who = [("who-pandemic", t, "2020-03-11") for t in ("AMZN", "ZM", "UBER", "NFLX", "SHOP", "FB", "UPWK")]
    return who + [("us-emergency", t, "2020-03-13") for t in ("AMZN", "ZM", "NFLX")]


def test_matches_stored_statsmodels_output(results):
    ref = read_reference()
    assert len(ref) == 30
    firms = results.firms.set_index(["event_id", "ticker"])
    for (event_id, ticker, window), row in ref.iterrows():
        key = (event_id, ticker)
        assert firms.loc[key, "n_est"] == row["n_est"]
        for q in ("alpha", "beta", "sigma"):
            assert firms.loc[key, q] == pytest.approx(row[q], rel=TOL[q], abs=TOL[q]), (key, q)
        for q, frame in (("car", results.car), ("car_se", results.car_se), ("bhar", results.bhar)):
            assert frame.loc[key, window] == pytest.approx(row[q], rel=TOL[q], abs=TOL[q]), (key, window, q)


def test_same_firms_in_two_events_stay_separate(results):
    assert len(results.car) == 10
    amzn = results.car.xs("AMZN", level="ticker")
    assert list(amzn.index) == ["who-pandemic", "us-emergency"]
    assert amzn.loc["who-pandemic", "[0,0]"] != amzn.loc["us-emergency", "[0,0]"]
