"""The fast CSV path of the file source must read exactly what the pandas path reads, or step aside.

Reference: the pandas path (pandas' C parser) of :mod:`eventstudy.sources.files`, forced
by switching the fast path off.  For every file below, clean or hostile, both paths must
give the same frame (bit for bit, same index, same row origins) or the same error.
"""

from __future__ import annotations

import gzip

import numpy as np
import pytest

import eventstudy.sources.files as files
from eventstudy.exceptions import DataError

HEADER = "Date,Open,High,Low,Close,Volume\n"
ROWS = ["2025-01-02,10.0,11.0,9.5,10.5,1000", "2025-01-03,10.5,11.5,10.0,11.0,1100",
        "2025-01-06,11.0,12.0,10.5,11.5,1200", "2025-01-07,11.5,12.5,11.0,12.0,1300"]
GOOD = HEADER + "\n".join(ROWS) + "\n"


def _cell(value: str) -> str:
    """GOOD with the Open of its third row replaced by ``value``."""
    return GOOD.replace("2025-01-06,11.0,", f"2025-01-06,{value},")


CASES = {
    "good": GOOD,
    "crlf": GOOD.replace("\n", "\r\n"),
    "no final newline": GOOD.rstrip("\n"),
    "blank line inside": GOOD.replace(ROWS[1] + "\n", ROWS[1] + "\n\n"),
    "blank line at the end": GOOD + "\n",
    "extra field": GOOD.replace(ROWS[2], ROWS[2] + ",7"),
    "missing field": GOOD.replace(ROWS[2], ROWS[2].rsplit(",", 1)[0]),
    "empty volume": GOOD.replace(",1200", ","),
    "empty close": GOOD.replace(",11.5,1200", ",,1200"),
    "empty date": GOOD.replace("2025-01-06", ""),
    "date with a space": GOOD.replace("2025-01-06", " 2025-01-06"),
    "short date": GOOD.replace("2025-01-06", "2025-1-06"),
    "impossible date": GOOD.replace("2025-01-06", "2025-02-30"),
    "month 13": GOOD.replace("2025-01-06", "2025-13-06"),
    "duplicate date": GOOD.replace("2025-01-07", "2025-01-06"),
    "rows out of order": GOOD.replace("2025-01-03", "2025-01-08"),
    "quoted number": _cell('"11.0"'),
    "quoted date": GOOD.replace("2025-01-06", '"2025-01-06"'),
    "quoted comma": _cell('"11,0"'),
    **{f"cell {token!r}": _cell(token) for token in (
        "NA", "nan", "NaN", "NAN", "+nan", "-nan", "null", "None", "#N/A", "inf", "-inf", "Infinity", "1e3", "1E+3",
        " 11.0", "11.0 ", "1.", ".5", "+11", "-0", "0x10", "1_0", "true", "abc", "1e400", "4.9e-324",
        "0.1000000000000000055511151231257827", "99999999999999999999999", "1d5", "１１")},
    "header only": HEADER,
    "empty file": "",
    "header with a space": HEADER.replace("Date,Open", "Date, Open") + "\n".join(ROWS) + "\n",
    "lower-case header": HEADER.lower() + "\n".join(ROWS) + "\n",
    "extra column": GOOD.replace("Volume\n", "Volume,Adj Close\n").replace("00\n", "00,1.0\n"),
    "bom": "\ufeff" + GOOD,
    "semicolons": GOOD.replace(",", ";"),
    "close only": "Date,Close\n" + "\n".join(r.split(",")[0] + "," + r.split(",")[4] for r in ROWS) + "\n",
    "close only, one empty": "Date,Close\n2025-01-02,10.5\n2025-01-03,\n",
}
BYTES = {
    "utf-16": GOOD.encode("utf-16"),
    "latin-1 byte in a number": GOOD.replace("11.0,12.0", "11.0,12\xe90").encode("latin-1"),
    "latin-1 byte in a date": GOOD.replace("2025-01-06", "2025-01-0\xe9").encode("latin-1"),
    "nul byte": GOOD.replace("11.0,12.0", "11.0,1\x002.0").encode(),
}
DIVIDENDS = {
    "none": None,
    "header only": "Date,Dividend\n",
    "good": "Date,Dividend\n2025-01-03,0.1\n2025-01-07,0.2\n",
    "ex-date on no row": "Date,Dividend\n2025-01-04,0.1\n",
    "after the last row": "Date,Dividend\n2025-01-03,0.1\n2025-02-03,0.3\n",
    "two onto one row": "Date,Dividend\n2025-01-04,0.1\n2025-01-05,0.2\n",
    "empty amount": "Date,Dividend\n2025-01-03,\n",
    "NA amount": "Date,Dividend\n2025-01-03,NA\n",
    "text amount": "Date,Dividend\n2025-01-03,x\n",
    "bad date": "Date,Dividend\n2025-01-3,0.1\n",
    "wrong header": "Date,Amount\n2025-01-03,0.1\n",
    "blank line": "Date,Dividend\n2025-01-03,0.1\n\n",
}


def _outcome(path, fast: bool, monkeypatch) -> tuple:
    """(frame, error text) of read_price_file and of the canonical read, on the fast path or the pandas path only."""
    with monkeypatch.context() as patch:
        if not fast:
            patch.setattr(files, "_read_fast", lambda path: None)
        out = []
        for read in (files.read_price_file, files.read_canonical):
            try:
                out.append((read(path), None))
            except (DataError, ValueError, OSError) as exc:
                out.append((None, f"{type(exc).__name__}: {exc}"))
        return tuple(out)


def _same(a, b) -> None:
    (frame_a, error_a), (frame_b, error_b) = a, b
    assert error_a == error_b
    if frame_a is None:
        return
    assert list(frame_a.columns) == list(frame_b.columns)
    assert frame_a.index.equals(frame_b.index) and frame_a.index.name == frame_b.index.name
    assert frame_a.index.dtype == frame_b.index.dtype and (frame_a.dtypes == frame_b.dtypes).all()
    # Bit for bit (NaN included): the bytes of the float64 values.
    assert np.array_equal(frame_a.to_numpy("float64").view(np.int64), frame_b.to_numpy("float64").view(np.int64))
    origin_a, origin_b = frame_a.attrs["origin"], frame_b.attrs["origin"]
    assert (origin_a.path, origin_a.first_line, origin_a.dividend_path) == \
        (origin_b.path, origin_b.first_line, origin_b.dividend_path)
    for field in ("dividend_lines", "dividend_dates"):
        x, y = getattr(origin_a, field), getattr(origin_b, field)
        assert (x is None) == (y is None)
        if x is not None:
            assert np.array_equal(x, y, equal_nan=True) if x.dtype.kind == "f" else (x.astype(np.int64) == y.astype(np.int64)).all()


def _check(tmp_path, monkeypatch, price: bytes, dividends: str | None, gz: bool = False):
    name = "T.csv.gz" if gz else "T.csv"
    (tmp_path / name).write_bytes(gzip.compress(price) if gz else price)
    if dividends is not None:
        (tmp_path / "T_dividends.csv").write_text(dividends)
    fast, slow = (_outcome(tmp_path / name, flag, monkeypatch) for flag in (True, False))
    for a, b in zip(fast, slow):
        _same(a, b)
    return fast


@pytest.mark.parametrize("case", sorted(CASES))
def test_price_file_reads_the_same_on_both_paths(tmp_path, monkeypatch, case):
    _check(tmp_path, monkeypatch, CASES[case].encode(), None)


@pytest.mark.parametrize("case", sorted(BYTES))
def test_undecodable_price_file_reads_the_same_on_both_paths(tmp_path, monkeypatch, case):
    _check(tmp_path, monkeypatch, BYTES[case], None)


@pytest.mark.parametrize("case", sorted(DIVIDENDS))
def test_dividend_file_reads_the_same_on_both_paths(tmp_path, monkeypatch, case):
    _check(tmp_path, monkeypatch, GOOD.encode(), DIVIDENDS[case])


def test_gzip_file_reads_the_same_and_a_broken_one_fails_the_same(tmp_path, monkeypatch):
    _check(tmp_path, monkeypatch, GOOD.encode(), DIVIDENDS["good"], gz=True)
    (tmp_path / "U.csv.gz").write_bytes(gzip.compress(GOOD.encode())[:-12])  # truncated
    fast, slow = (_outcome(tmp_path / "U.csv.gz", flag, monkeypatch) for flag in (True, False))
    for a, b in zip(fast, slow):
        _same(a, b)


def test_clean_files_take_the_fast_path(tmp_path):
    """Else the comparisons above would only compare the pandas path with itself."""
    (tmp_path / "T.csv").write_text(GOOD)
    (tmp_path / "T_dividends.csv").write_text(DIVIDENDS["two onto one row"])
    (tmp_path / "C.csv.gz").write_bytes(gzip.compress(CASES["close only"].encode()))
    (tmp_path / "E.csv").write_text(CASES["empty volume"])
    for name in ("T.csv", "C.csv.gz", "E.csv"):
        assert files._read_fast(tmp_path / name) is not None, name
    _, values, origin = files._read_fast(tmp_path / "T.csv")
    assert values[2, 5] == pytest.approx(0.3) and origin.dividend_lines.tolist() == [0, 0, 3, 0]
