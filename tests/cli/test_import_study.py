"""Done-when of issue 11: an EventStudyTools request file of new deals imports into a new catalog
folder, loads, and the event study measures each deal.

The reference is a market-model AR on day 0 recomputed here with numpy from the CSV closes
(OLS of the firm on SPY simple returns over sessions -250..-11), with day 0 on the request
file's date (EventStudyTools' convention).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from conftest import invoke_ok

pytestmark = [pytest.mark.shared_data]

REQUEST = "11;MU;SPY;24.06.2025;supply-deal;-5;5;-11;120\n12;DELL;SPY;29.05.2025;supply-deal;-5;5;-11;120\n13;AVGO;SPY;13.10.2025;supply-deal;-5;5;-11;120\n"


def _reference_ar0(prices_dir, ticker: str, day0: str) -> float:
    closes = pd.concat({t: pd.read_csv(prices_dir / f"{t}.csv", index_col="Date", parse_dates=True)["Close"] for t in (ticker, "SPY")},
                       axis=1, sort=True).dropna()
    r = closes.pct_change()
    i = r.index.get_loc(pd.Timestamp(day0))
    est = r.iloc[i - 250: i - 10]
    beta, alpha = np.polyfit(est["SPY"], est[ticker], 1)
    return float(r[ticker].iloc[i] - alpha - beta * r["SPY"].iloc[i])


def test_request_file_of_new_deals_imports_loads_and_is_measured(prices_dir, tmp_path, monkeypatch):
    monkeypatch.delenv("EVENTSTUDY_PRICE_SOURCE", raising=False)
    db = f"sqlite:///{tmp_path / 'x.db'}"
    request = tmp_path / "01_RequestFile.csv"
    request.write_text(REQUEST, encoding="utf-8")
    catalog = tmp_path / "new-deals"
    invoke_ok(db, "events", "import", str(request), "--catalog", str(catalog))
    assert len(list(catalog.glob("*.yaml"))) == 3 and all(yaml.safe_load(p.read_text())["timing"] == "unknown" for p in catalog.glob("*.yaml"))
    invoke_ok(db, "events", "load", "--catalog", str(catalog))
    invoke_ok(db, "prices", "ingest", "--source", f"files:{prices_dir}", "--tickers", "MU,DELL,AVGO,SPY")
    out = tmp_path / "out"
    invoke_ok(db, "study", "run", "--window", "0,0", "--out", str(out), "--no-store")
    car = pd.read_csv(out / "car_by_event.csv").set_index("ticker")["car [0,0]"]
    for ticker, day0 in (("MU", "2025-06-24"), ("DELL", "2025-05-29"), ("AVGO", "2025-10-13")):
        assert car[ticker] == pytest.approx(_reference_ar0(prices_dir, ticker, day0), abs=1e-9), ticker
