"""Trading calendar and the data-quality checks (known NYSE closures; injected defects)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from eventstudy.db import open_db
from eventstudy.prices.calendar import trading_sessions
from eventstudy.prices.quality import check_frame, quality_report
from eventstudy.prices.ingest import ingest_prices


def test_nyse_sessions_2025():
    sessions = trading_sessions("2025-01-01", "2025-12-31")
    assert len(sessions) == 250
    assert sessions.tz is None
    for closed in ("2025-01-01", "2025-01-09", "2025-04-18", "2025-06-19", "2025-07-04", "2025-11-27", "2025-12-25"):
        assert pd.Timestamp(closed) not in sessions
    assert trading_sessions("2025-10-06", "2025-10-06").tolist() == [pd.Timestamp("2025-10-06")]  # ends included
    assert pd.Timestamp("2001-09-12") not in trading_sessions("2001-09-01", "2001-09-30")


def _frame(dates, close):
    close = np.asarray(close, dtype=float)
    return pd.DataFrame({"open": close, "high": close, "low": close, "close": close, "split_factor": 1.0},
                        index=pd.DatetimeIndex(dates))


def test_clean_frame_passes():
    dates = trading_sessions("2025-06-02", "2025-06-30")
    report = check_frame("X", _frame(dates, 100 + np.arange(len(dates))))
    assert report["ok"] and report["missing_sessions"] == 0 and report["details"] == ""


def test_injected_defects_are_found():
    dates = list(trading_sessions("2025-06-02", "2025-06-30"))
    close = list(100.0 + np.arange(len(dates)))
    gap = dates.pop(5)  # a missing session
    close.pop(5)
    close[10] = close[9] / 10  # an unadjusted 10-for-1 split
    close[11:] = [c / 10 for c in close[11:]]
    close[3] = 0.0  # a non-positive price
    dates.append(pd.Timestamp("2025-06-21"))  # a Saturday
    close.append(close[-1])
    dates.insert(8, dates[8])  # a duplicate date
    close.insert(8, close[8])
    report = check_frame("X", _frame(dates, close))
    assert report["missing_sessions"] == 1 and str(gap.date()) in report["details"]
    assert report["non_sessions"] == 1 and report["duplicate_dates"] == 1
    assert report["non_positive"] == 1
    # Only the split day is flagged: the jumps into and out of the zero close (ratios 0 and inf) are not split-like.
    assert report["suspect_splits"] == 1 and not report["ok"]


def test_recorded_split_is_not_suspect():
    dates = trading_sessions("2024-06-03", "2024-06-14")
    close = np.r_[np.full(5, 1200.0), np.full(len(dates) - 5, 120.0)]
    frame = _frame(dates, close)
    assert check_frame("X", frame)["suspect_splits"] == 1
    frame.loc[dates[5], "split_factor"] = 10.0
    assert check_frame("X", frame)["suspect_splits"] == 0


def test_report_on_shared_files(db_url, prices_dir):
    engine = open_db(db_url)
    ingest_prices(engine, f"files:{prices_dir}", ["NVDA", "AVGO", "CRWV"], progress=False)
    report = quality_report(engine).set_index("ticker")
    # SOURCES.md: no gaps since 2023 and prices split-adjusted across NVDA 2024-06-10 and AVGO 2024-07-15.
    assert report.loc["CRWV", "missing_sessions"] == 0 and report.loc["CRWV", "first"] == pd.Timestamp("2025-03-28").date()
    assert (report["suspect_splits"] == 0).all() and (report["non_positive"] == 0).all()
    missing = quality_report(engine, ["NOPE"]).iloc[0]
    assert missing["rows"] == 0 and not missing["ok"]
