"""Generate the reference outputs in ``output.csv`` (run by hand; the test only reads the CSV).

Independent of the engine: plain pandas + statsmodels, one OLS per event, the textbook
market model of MacKinlay (1997) with the forecast-error variance of the CAR computed as
``1' sigma^2 (I + X0 (X'X)^{-1} X0') 1``. Data: ../shared/data/estudy2-covid (closes of 7
stocks and the S&P 500, 2019-04 -> 2020-03, from the R package estudy2), simple returns.

    /work/venv/bin/python tests/reference/statsmodels_covid/generate.py > tests/reference/statsmodels_covid/output.csv
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.api as sm

DATA = Path(__file__).resolve().parents[4] / "shared" / "data" / "estudy2-covid"
TICKERS = ["AMZN", "ZM", "UBER", "NFLX", "SHOP", "FB", "UPWK"]
# (event id, ticker, day 0): the WHO pandemic declaration and the US national emergency
EVENTS = [("who-pandemic", t, "2020-03-11") for t in TICKERS] + [("us-emergency", t, "2020-03-13") for t in ("AMZN", "ZM", "NFLX")]
ESTIMATION = (-120, -11)
WINDOWS = [(0, 0), (-1, 1), (0, 5)]


def load() -> pd.DataFrame:
    closes = {t: pd.read_csv(DATA / f"{t}.csv", index_col="Date", parse_dates=True)["Close"] for t in TICKERS + ["GSPC"]}
    return pd.DataFrame(closes).pct_change(fill_method=None).iloc[1:]


def main() -> None:
    ret = load()
    rows = []
    for event_id, ticker, date in EVENTS:
        d0 = ret.index.get_loc(pd.Timestamp(date))
        est = ret.iloc[d0 + ESTIMATION[0]: d0 + ESTIMATION[1] + 1][[ticker, "GSPC"]].dropna()
        fit = sm.OLS(est[ticker], sm.add_constant(est["GSPC"])).fit()
        for a, b in WINDOWS:
            win = ret.iloc[d0 + a: d0 + b + 1]
            x0 = sm.add_constant(win["GSPC"], has_constant="add").to_numpy()
            ar = win[ticker].to_numpy() - x0 @ fit.params.to_numpy()
            cov = fit.scale * (np.eye(len(win)) + x0 @ fit.normalized_cov_params.to_numpy() @ x0.T)
            expected = win[ticker].to_numpy() - ar
            rows.append({
                "event_id": event_id, "ticker": ticker, "window": f"[{a},{b}]", "n_est": len(est),
                "alpha": fit.params["const"], "beta": fit.params["GSPC"], "sigma": np.sqrt(fit.scale),
                "car": ar.sum(), "car_se": np.sqrt(cov.sum()),
                "bhar": np.prod(1 + win[ticker].to_numpy()) - np.prod(1 + expected),
            })
    pd.DataFrame(rows).to_csv(sys.stdout, index=False, float_format="%.12e")


if __name__ == "__main__":
    main()
