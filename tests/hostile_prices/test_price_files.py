"""Hostile price files: each is refused with its file and line, the other ticker goes on, nothing stored changes.

The good neighbour (NVDA) is ingested in the same call from an unchanged file, so
"the others go on" shows as its ``ok`` status while the database stays
row-identical.  Expected lines are counted from the file layout (header = line 1,
first session = line 2), not taken from the code.
"""

from __future__ import annotations

import numpy as np
import pytest
import sqlalchemy as sa

from hostile_lib import bars, private_yf_cache, session, stored, write  # noqa: F401 (fixtures)

# (what to do to AMD's bars, expected line of the refusal, words of the message).  The bad rows lie in the
# re-checked window (the last 5 of the 19 stored sessions: rows 14-18, lines 16-20), which an incremental
# ingest reads again; older rows are not read again at all.
ROW_CASES = {
    "negative close": (lambda b: _cell(b, 15, 4, "-516"), 17, "close is missing, not positive"),
    "zero close": (lambda b: _cell(b, 15, 4, "0"), 17, "close is missing, not positive"),
    "infinite close": (lambda b: _cell(b, 15, 4, "inf"), 17, "not finite"),
    "close 1e12": (lambda b: _all_prices(b, 16, "1e12"), 18, "above 1e9"),
    "high below low": (lambda b: _cell(_cell(b, 14, 2, "90"), 14, 3, "120"), 16, "low is above high"),
    "close far above high": (lambda b: _cell(b, 17, 4, "150"), 19, "close is above high"),
    "negative volume": (lambda b: _cell(b, 18, 5, "-10"), 20, "volume is negative"),
    "volume 1e30": (lambda b: _cell(b, 16, 5, "1e30"), 18, "volume is negative, fractional or out of range"),
    "fractional volume": (lambda b: _cell(b, 14, 5, "10.5"), 16, "volume"),
    "future date": (lambda b: b + ["2030-01-02,1,2,0.5,1.5,100"], 21, "date after today"),
    "weekend date": (lambda b: b + ["2024-06-29,1,2,0.5,1.5,100"], 21, "a weekend"),
    "duplicate date": (lambda b: _insert(b, 17, b[16]), 19, "duplicate date"),
    "text in a number": (lambda b: _cell(b, 2, 4, "12,5"), None, "cannot read"),
}


def _cell(lines: list[str], row: int, col: int, value: str) -> list[str]:
    out = list(lines)
    fields = out[row].split(",")
    fields[col] = value
    out[row] = ",".join(fields)
    return out


def _all_prices(lines: list[str], row: int, value: str) -> list[str]:
    out = lines
    for col in (1, 2, 3, 4):
        out = _cell(out, row, col, value)
    return out


def _insert(lines: list[str], at: int, line: str) -> list[str]:
    return [*lines[:at], line, *lines[at:]]


@pytest.mark.parametrize("case", sorted(ROW_CASES))
def test_impossible_row_rejects_the_ticker_with_file_and_line(stored, case):
    change, line, words = ROW_CASES[case]
    path = write(stored.folder, "AMD", change(bars(100.0)))
    report = stored.ingest()
    assert report.status == "partial" and list(report.failed) == ["AMD"]
    message = report.failed["AMD"]
    assert words in message and str(path) in message and "Traceback" not in message
    if line is not None:
        assert f"{path}:{line}:" in message
    stored.assert_unchanged()


@pytest.mark.parametrize("dividend, words", [("-0.5", "dividend is missing, negative"), ("1e9", "not below the close"),
                                             ("nan", "Dividend is empty")])
def test_impossible_dividend_is_named_by_its_own_file_line(stored, dividend, words):
    write(stored.folder, "AMD", bars(100.0), dividends=[f"{session(1)},0.2", f"{session(16)},{dividend}"])
    report = stored.ingest()
    message = report.failed["AMD"]
    assert words in message and f"AMD_dividends.csv:3:" in message
    stored.assert_unchanged()


def test_dividend_dated_on_a_weekend_is_refused(stored):
    write(stored.folder, "AMD", bars(100.0), dividends=["2024-06-22,0.2"])  # a Saturday, moved to Monday the 24th
    message = stored.ingest().failed["AMD"]
    assert "AMD_dividends.csv:2:" in message and "2024-06-22 is a weekend" in message
    stored.assert_unchanged()


@pytest.mark.parametrize("content, words", [
    ("\ufeffDate,Open,High,Low,Close,Volume\n2024-06-03,1,2,0.5,1.5,10\n".encode("utf-16"), "not UTF-8"),
    (bytes(range(256)) * 8, "AMD.csv"),
    (b"Date,Open,High,Low,Close,Volume\n", "no price rows (only a header)"),
    (b"", "cannot read the file"),
])
def test_undecodable_binary_header_only_or_empty_file_fails_alone(stored, content, words):
    (stored.folder / "AMD.csv").write_bytes(content)
    report = stored.ingest()
    assert report.status == "partial" and list(report.failed) == ["AMD"]
    assert words in report.failed["AMD"] and "AMD.csv" in report.failed["AMD"]
    assert [r.status for r in report.results] == ["failed", "ok"]
    stored.assert_unchanged()


@pytest.mark.parametrize("ticker", ["../EVIL/AMD", "A/B", "X" * 21, ".HIDDEN", "AMD;DROP", "ÄMD"])
def test_ticker_outside_the_pattern_is_refused_before_any_path_or_write(stored, ticker, tmp_path):
    evil = tmp_path / "EVIL"
    evil.mkdir(exist_ok=True)
    write(evil, "AMD", ["2024-07-01,1,2,0.5,1.5,10"])  # the bait a path traversal would read
    report = stored.ingest(tickers=[ticker, "NVDA"])
    assert report.results[0].status == "failed" and "ticker" in report.results[0].message
    assert report.results[1].status == "ok"
    stored.assert_unchanged()


def test_empty_or_null_values_never_erase_stored_ones(stored):
    lines = _cell(_cell(bars(100.0), 16, 1, ""), 17, 5, "null")  # re-checked rows: no open, then a "null" volume
    write(stored.folder, "AMD", lines)
    report = stored.ingest()
    assert report.ok and report.rows_updated == 0 and report.values_revised == 0
    stored.assert_unchanged()


def test_a_hundredfold_jump_is_kept_flagged_and_named(stored):
    lines = bars(100.0)
    lines = _all_prices(lines, len(lines) - 1, "12000")  # last session: a plausible typo of a split-adjusted series
    write(stored.folder, "AMD", lines)
    report = stored.ingest()
    assert report.ok and report.rows_updated == 1 and report.values_revised == 4
    assert "AMD" in report.flagged and session(len(lines) - 1) in report.summary()
    from eventstudy.prices.quality import quality_report

    row = quality_report(stored.engine, ["AMD"]).iloc[0]
    assert not row["ok"] and row["suspect_splits"] + row["suspect_jumps"] == 1


def test_a_stored_future_row_does_not_wedge_later_ingests(stored):
    with stored.engine.begin() as conn:  # left by an older version that did not refuse it
        conn.execute(sa.text("INSERT INTO prices (ticker, date, close, dividend, split_factor, source, ingested_at) "
                             "VALUES ('AMD', '2030-01-02', 1.0, 0.0, 1.0, 'old', '2024-01-01 00:00:00')"))
    lines = bars(100.0) + ["2024-07-01,130,131,129,130.5,100"]
    write(stored.folder, "AMD", lines)
    report = stored.ingest(tickers=["AMD"])
    assert report.ok and report.rows_inserted == 1
    with stored.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT close FROM prices WHERE ticker='AMD' AND date='2024-07-01'")).scalar() == 130.5


def test_a_source_that_breaks_midway_leaves_a_final_run_state(stored):
    class Broken:
        name = "broken"

        def fetch(self, wanted):
            yield "NVDA", RuntimeError("not a DataError")  # a per-ticker outcome that is an odd exception
            raise OSError("socket closed")

    with pytest.raises(OSError):
        stored.ingest(source=Broken())
    with stored.engine.connect() as conn:
        status, errors = conn.execute(sa.text("SELECT status, errors FROM ingest_runs ORDER BY id DESC")).first()
    assert status == "interrupted" and "socket closed" in errors
    stored.assert_unchanged()


def test_a_new_ticker_is_validated_over_its_whole_history(stored):
    path = write(stored.folder, "NEW", _cell(bars(20.0), 2, 4, "-1"))
    report = stored.ingest(tickers=["NEW", "NVDA"])
    assert list(report.failed) == ["NEW"] and f"{path}:4:" in report.failed["NEW"]
    stored.assert_unchanged()


def test_volume_near_int64_limit_is_stored_exactly_and_1e30_never_wraps(stored):
    lines = _cell(bars(100.0), 18, 5, str(2**62))
    write(stored.folder, "AMD", lines)
    assert stored.ingest(tickers=["AMD"]).ok
    with stored.engine.connect() as conn:
        volumes = conn.execute(sa.text("SELECT volume FROM prices WHERE ticker='AMD'")).scalars().all()
    assert max(volumes) == 2**62 and min(volumes) > 0
    assert np.iinfo(np.int64).min not in volumes


def test_quality_report_flags_rows_stored_before_validation_existed(stored):
    with stored.engine.begin() as conn:  # as an older version let them in
        conn.execute(sa.text("UPDATE prices SET low = 500 WHERE ticker = 'AMD' AND date = :d"), {"d": session(3)})
        conn.execute(sa.text("INSERT INTO prices (ticker, date, close, dividend, split_factor, source, ingested_at) "
                             "VALUES ('AMD', '2030-01-02', 118.0, 0.0, 1.0, 'old', '2024-01-01 00:00:00')"))
    from eventstudy.prices.quality import quality_report

    report = quality_report(stored.engine).set_index("ticker")
    amd, nvda = report.loc["AMD"], report.loc["NVDA"]
    assert (amd["impossible_rows"], amd["future_dates"], bool(amd["ok"])) == (1, 1, False)
    assert session(3) in amd["details"] and "2030-01-02" in amd["details"]
    assert bool(nvda["ok"]) and nvda["impossible_rows"] == 0
