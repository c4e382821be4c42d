"""Claim check: verdict rule, and the seed story's numbers against hand computation from the raw CSVs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eventstudy.catalog import load_catalog
from eventstudy.claims import Tolerance, check_catalog_claims, check_claims, verdict
from eventstudy.db import open_db
from eventstudy.db.catalog_store import load_claims_frame, sync_catalog

CATALOG = __import__("pathlib").Path(__file__).parent / "catalog"


@pytest.mark.parametrize(
    "measured, claimed, qualifier, expected",
    [
        (43.05, 43, "about", "matches"),
        (35.95, 39, "about", "overstated"),      # 3.05 pp short, band 1.95 pp
        (41.2, 39, "about", "understated"),
        (3.93, 4, "nearly", "matches"),
        (4.2, 4, "nearly", "understated"),        # "nearly 4" but it rose more
        (2.9, 4, "nearly", "overstated"),
        (39.5, 40, "over", "matches"),
        (45.0, 40, "over", "matches"),
        (37.0, 40, "over", "overstated"),
        (-29.5, -30, "about", "matches"),         # "down 30%"
        (-20.0, -30, "about", "overstated"),
        (-35.0, -30, "about", "understated"),
        (0.5, 0.0, "exact", "matches"),           # the 1 pp floor
    ],
)
def test_verdict_rule(measured, claimed, qualifier, expected):
    assert verdict(measured, claimed, qualifier, Tolerance().of(claimed)) == expected


def test_tolerance_band():
    assert Tolerance().of(39) == pytest.approx(1.95)
    assert Tolerance().of(4) == 1.0
    assert Tolerance(pp=1, rel=0.10).of(39) == pytest.approx(3.9)


def _raw(prices_dir, ticker):
    return pd.read_csv(prices_dir / f"{ticker}.csv", index_col="Date", parse_dates=True)


def _claims_frame() -> pd.DataFrame:
    rows = [
        ("2025-10-06-openai-amd", "AMD", 0, 2, 43.0, "about", "close-to-close", "2025-10-06", "pre-open"),
        ("2025-09-09-oracle-openai", "ORCL", 0, 0, 39.0, "about", "close-to-close", "2025-09-09", "after-close"),
        ("2025-09-22-nvidia-openai", "NVDA", 0, 0, 4.0, "nearly", "close-to-close", "2025-09-22", "intraday"),
        ("2025-09-09-oracle-openai", "ORCL", 0, 0, 43.0, "about", "intraday-high", "2025-09-09", "after-close"),
    ]
    frame = pd.DataFrame(rows, columns=["event_id", "ticker", "window_start", "window_end", "claimed_move_pct", "qualifier",
                                        "measure", "announced", "timing"])
    frame["announced"] = pd.to_datetime(frame["announced"])
    frame["source"], frame["quote"] = "seed", None
    return frame


def test_seed_claims_from_raw_files(prices_dir):
    raw = {t: _raw(prices_dir, t).loc["2025-06":"2025-12"] for t in ("AMD", "ORCL", "NVDA", "SPY")}
    close = pd.DataFrame({t: f["Close"] for t, f in raw.items()})
    high = pd.DataFrame({t: f["High"] for t, f in raw.items()})
    out = check_claims(_claims_frame(), close, high, benchmark="SPY")

    def move(t, a, b, field="Close"):
        return (raw[t].at[pd.Timestamp(b), field] / raw[t].at[pd.Timestamp(a), "Close"] - 1) * 100

    amd, orcl, nvda, orcl_high = out.to_dict(orient="records")
    # Hand computation: day 0 = the announcement session (pre-open / intraday) or the next one (after-close).
    assert amd["measured_pct"] == pytest.approx(move("AMD", "2025-10-03", "2025-10-08"), abs=1e-9)
    assert round(amd["measured_pct"], 2) == 43.05 and amd["verdict"] == "matches"
    assert amd["benchmark_pct"] == pytest.approx(move("SPY", "2025-10-03", "2025-10-08"), abs=1e-9)
    assert amd["abnormal_pct"] == pytest.approx(amd["measured_pct"] - amd["benchmark_pct"], abs=1e-12)
    assert (amd["from_date"], amd["to_date"]) == (pd.Timestamp("2025-10-03"), pd.Timestamp("2025-10-08"))
    assert round(orcl["measured_pct"], 2) == 35.95 and orcl["verdict"] == "overstated"
    assert orcl["day0"] == pd.Timestamp("2025-09-10")
    assert round(orcl["intraday_high_pct"], 2) == 43.15 and "intraday high +43.15%" in orcl["note"]
    assert round(nvda["measured_pct"], 2) == 3.93 and nvda["verdict"] == "matches"
    assert orcl_high["measured_pct"] == pytest.approx(move("ORCL", "2025-09-09", "2025-09-10", "High"), abs=1e-9)
    assert orcl_high["verdict"] == "matches"
    assert np.isnan(amd["car_pct"])  # no study results given


def test_car_from_abnormal_returns_and_missing_prices():
    claims = _claims_frame().iloc[:1]
    sessions = pd.bdate_range("2025-09-22", "2025-10-20")
    close = pd.DataFrame({"AMD": np.linspace(100, 130, len(sessions)), "SPY": 500.0}, index=sessions)
    ar = pd.DataFrame({("2025-10-06-openai-amd", "AMD"): [0.01, 0.2, 0.05, 0.03, -0.01]}, index=range(-1, 4))
    out = check_claims(claims, close, close, ar=ar).iloc[0]
    assert out["car_pct"] == pytest.approx((0.2 + 0.05 + 0.03) * 100)
    assert out["benchmark_pct"] == 0.0
    gone = check_claims(claims, close.drop(columns="AMD"), close).iloc[0]
    assert gone["verdict"] == "no data" and "no prices for AMD" in gone["note"]
    late = claims.assign(announced=pd.Timestamp("2025-10-17")).iloc[:1]
    assert check_claims(late, close, close).iloc[0]["verdict"] == "no data"


def test_catalog_claims_from_the_database(db_url, prices_dir):
    from eventstudy.prices.ingest import ingest_prices

    engine = open_db(db_url)
    sync_catalog(engine, load_catalog(CATALOG))
    report = ingest_prices(engine, f"files:{prices_dir}", ["AMD", "ORCL", "NVDA", "SPY"], progress=False)
    assert report.ok, report.failed
    out = check_catalog_claims(engine).set_index(["ticker", "window"])
    assert len(out) == len(load_claims_frame(engine)) == 4
    assert out.loc[("AMD", "[0,2]"), "measured_pct"] == pytest.approx((235.56 / 164.67 - 1) * 100, abs=5e-4)
    assert out.loc[("AMD", "[0,1]"), "measured_pct"] == pytest.approx((211.51 / 164.67 - 1) * 100, abs=5e-4)
    assert out.loc[("ORCL", "[0,0]"), "measured_pct"] == pytest.approx((328.33 / 241.51 - 1) * 100, abs=5e-4)
    assert out.loc[("NVDA", "[0,0]"), "measured_pct"] == pytest.approx((183.61 / 176.67 - 1) * 100, abs=5e-4)
    assert out["verdict"].to_dict() == {("AMD", "[0,2]"): "matches", ("AMD", "[0,1]"): "overstated",
                                        ("ORCL", "[0,0]"): "overstated", ("NVDA", "[0,0]"): "matches"}
    # No stored study yet: the market model is fitted for the claims' event-firms (and says so).
    assert out["car_pct"].notna().all() and set(out["car_model"]) == {"market model vs SPY, fitted now"}


def test_claim_without_prices_gets_its_own_verdict(sqlite_url, prices_dir):
    from eventstudy.prices.ingest import ingest_prices

    engine = open_db(sqlite_url)
    sync_catalog(engine, load_catalog(CATALOG))
    assert ingest_prices(engine, f"files:{prices_dir}", ["AMD", "ORCL", "SPY"], progress=False).ok
    out = check_catalog_claims(engine).set_index(["ticker", "window"])
    assert out.at[("NVDA", "[0,0]"), "verdict"] == "no data"
    assert "no prices for NVDA" in out.at[("NVDA", "[0,0]"), "note"]
    assert out.at[("AMD", "[0,2]"), "verdict"] == "matches"
