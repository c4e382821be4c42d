"""Prices from a folder of CSV files, the layout of ``shared/data/prices/raw/SungKyu-Kim39__BackTester39``.

Per ticker ``T``: ``T.csv`` or ``T.csv.gz`` with header ``Date,Open,High,Low,Close,Volume``
(ISO dates, one row per session, ascending) or a close-only ``Date,Close`` (as in
``shared/data/estudy2-covid``; open, high, low and volume are then empty), optionally ``T_dividends.csv[.gz]`` with
``Date,Dividend`` (ex-date, cash per share).  Closes are split-adjusted and not
dividend-adjusted, as yfinance gives them with ``auto_adjust=False``.

Every malformed file raises :class:`~eventstudy.exceptions.DataError` naming the file
and the line (line 1 is the header), before anything is written anywhere.

Speed: a file is first read by a strict fast path (one read of the bytes, pyarrow's CSV
reader, numpy checks) that accepts only a clean file: the exact header, ``YYYY-MM-DD``
dates strictly ascending, numbers or pandas' missing-value markers, a close on every row.
Anything else (and every file with a problem) is read again by the pandas path, which
decides and names the problem; both paths give the same frame for a clean file.
"""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from ..exceptions import DataError
from ..tickers import ticker_problem
from .base import PRICE_COLUMNS, FetchOutcome, Origin, since

PRICE_HEADER = ("Date", "Open", "High", "Low", "Close", "Volume")
#: A close-only price file (the other price columns are left empty).
CLOSE_HEADER = ("Date", "Close")
DIVIDEND_HEADER = ("Date", "Dividend")
_SUFFIXES = (".csv", ".csv.gz")
_DIVIDEND_TAG = "_dividends"


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _problem(path: Path, line: int, what: str) -> DataError:
    return DataError(f"{path}:{line}: {what}")


def _read_table(path: Path, header: tuple[str, ...]) -> pd.DataFrame:
    """Read ``path`` checking header, dates, numbers and row order; index = parsed dates.

    Line numbers count the header as line 1, so data row ``i`` (0-based) is line ``i + 2``.
    """
    numeric = list(header[1:])
    try:
        # Fast path: the C parser straight to float64.  Blank lines are kept (as
        # all-NaN rows) so that row positions still map to file lines.
        # No usecols: with it the parser silently drops a row's extra field ("12,5" -> 12 and 5 shifted).
        table = pd.read_csv(path, dtype={"Date": str, **{c: "float64" for c in numeric}}, skip_blank_lines=False)
        if list(table.columns) != list(header):  # extra columns (Adj Close ...): keep ours; a missing one -> KeyError
            table = table[list(header)]
    except UnicodeDecodeError as exc:
        raise _problem(path, _line_of_byte(path, exc.start), f"not UTF-8 text ({exc.reason}); "
                       "save the file as UTF-8 CSV") from None
    except (OSError, EOFError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        # The C tokenizer names the line itself ("Expected 6 fields in line 5, saw 7").
        found = re.search(r"line (\d+)", str(exc))
        raise _problem(path, int(found.group(1)) if found else 1, f"cannot read the file: {exc}") from None
    except (ValueError, KeyError):  # a missing column or text in a number: find which, and where
        table = _diagnose(path, header)
    text = table["Date"].to_numpy(dtype=object)
    try:
        if not (table["Date"].str.len() == 10).all():  # numpy would take "2025-01" as a month
            raise ValueError
        days = text.astype("datetime64[D]")
    except (ValueError, TypeError):
        parsed = pd.to_datetime(table["Date"], format="%Y-%m-%d", errors="coerce")
        bad = (parsed.isna() | (table["Date"].str.len() != 10)).to_numpy()
        row = int(np.argmax(bad))
        raise _problem(path, row + 2, f"bad date {text[row]!r} (expected YYYY-MM-DD)") from None
    steps = np.diff(days.astype(np.int64))
    if (steps <= 0).any():
        row = int(np.argmax(steps <= 0)) + 1
        kind = "duplicate date" if steps[row - 1] == 0 else "rows not in ascending date order at"
        raise _problem(path, row + 2, f"{kind} {days[row]}")
    table.index = pd.DatetimeIndex(days.astype("datetime64[ns]"), name="date")
    return table.drop(columns="Date")


def _line_of_byte(path: Path, offset: int) -> int:
    """The line (1-based) holding byte ``offset`` of ``path`` (1 when unknown, e.g. a compressed file)."""
    if path.name.endswith(".gz"):
        return 1
    try:
        with open(path, "rb") as handle:
            return handle.read(max(offset, 0)).count(b"\n") + 1
    except OSError:
        return 1


def _diagnose(path: Path, header: tuple[str, ...]) -> pd.DataFrame:
    """Slow path after the fast parse failed: name the missing column or the first cell that is not a number."""
    present = pd.read_csv(path, nrows=0).columns
    missing = [c for c in header if c not in present]
    if missing:
        raise _problem(path, 1, f"missing column(s) {', '.join(missing)} (header must hold {','.join(header)})")
    raw = pd.read_csv(path, usecols=list(header), dtype=str, keep_default_na=False, skip_blank_lines=False)
    for col in header[1:]:
        text = raw[col].str.strip()
        values = pd.to_numeric(text.where(text != ""), errors="coerce")
        bad = (values.isna() & (text != "")).to_numpy()
        if bad.any():
            row = int(np.argmax(bad))
            raise _problem(path, row + 2, f"column {col}: {raw[col].iloc[row]!r} is not a number")
    raise _problem(path, 1, "cannot parse the file as CSV")  # unreachable unless the parser failed otherwise


def _first_missing(path: Path, table: pd.DataFrame, column: str, what: str) -> None:
    bad = table[column].isna().to_numpy()
    if bad.any():
        raise _problem(path, int(np.argmax(bad)) + 2, f"{what}: {column} is empty")


def find_file(folder: Path, stem: str) -> Path | None:
    """``folder/stem.csv`` or ``folder/stem.csv.gz``, whichever exists (None if neither)."""
    for suffix in _SUFFIXES:
        candidate = folder / f"{stem}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def list_tickers(folder: Path) -> list[str]:
    """Every ticker with a price file in ``folder``, sorted."""
    found = set()
    for path in folder.iterdir():
        for suffix in _SUFFIXES:
            if path.name.endswith(suffix) and not path.name[: -len(suffix)].endswith(_DIVIDEND_TAG):
                found.add(path.name[: -len(suffix)])
    return sorted(found)

_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9]  # positions of the digits in YYYY-MM-DD


def _file_bytes(path: Path) -> bytes | None:
    """The file's bytes, gunzipped for ``.gz`` (None when unreadable: the pandas path names the problem)."""
    try:
        data = path.read_bytes()
        return gzip.decompress(data) if path.name.endswith(".gz") else data
    except (OSError, EOFError, zlib.error):
        return None


def _iso_days(dates: pa.ChunkedArray) -> np.ndarray | None:
    """``YYYY-MM-DD`` strings as datetime64[D] days, or None unless every one is exactly such a valid date."""
    column = dates.combine_chunks()
    if column.null_count or not len(column):
        return None
    _, offsets, data = column.buffers()
    ends = np.frombuffer(offsets, dtype=np.int32, count=len(column) + 1, offset=column.offset * 4)
    if ends[-1] - ends[0] != 10 * len(column) or (np.diff(ends) != 10).any():
        return None
    chars = np.frombuffer(data, dtype=np.uint8, count=10 * len(column), offset=int(ends[0])).reshape(-1, 10)
    digits = chars[:, _DIGITS].astype(np.int32) - 48  # b"0" is 48; a non-digit falls outside 0..9
    if ((digits < 0) | (digits > 9)).any() or (chars[:, 4] != 45).any() or (chars[:, 7] != 45).any():  # 45: b"-"
        return None
    year = digits[:, 0] * 1000 + digits[:, 1] * 100 + digits[:, 2] * 10 + digits[:, 3]
    month = digits[:, 4] * 10 + digits[:, 5]
    day = digits[:, 6] * 10 + digits[:, 7]
    if ((month < 1) | (month > 12) | (day < 1)).any():
        return None
    months = ((year - 1970) * 12 + month - 1).astype("datetime64[M]")
    days = months.astype("datetime64[D]") + (day - 1).astype("timedelta64[D]")
    if (days.astype("datetime64[M]") != months).any():  # a day past the month's end (2023-02-29)
        return None
    return days


def _fast_table(data: bytes, header: tuple[str, ...],
                allow_empty: bool = False) -> tuple[np.ndarray, list[np.ndarray]] | None:
    """A clean file's (days, one float64 array per column after Date), or None for the pandas path.

    Clean: at least one row (none is fine with ``allow_empty``), each with exactly the header's
    fields, no quote character, valid ``YYYY-MM-DD`` dates strictly ascending, every other cell
    a number (read as pandas reads it) or empty, and no empty Close (or Dividend).  Row
    ``i`` is then line ``i + 2``, as on the pandas path (no blank line is accepted here).
    """
    try:
        # Strict on purpose: no quoting, and only an empty cell is missing (pandas' other markers, "NA",
        # "null" ..., fail here and are read by pandas).  A blank line is a row with too few fields: an error.
        table = pa_csv.read_csv(
            pa.py_buffer(data), read_options=pa_csv.ReadOptions(use_threads=False),
            parse_options=pa_csv.ParseOptions(ignore_empty_lines=False, quote_char=False),
            convert_options=pa_csv.ConvertOptions(
                column_types={"Date": pa.string(), **{c: pa.float64() for c in header[1:]}},
                null_values=[""], strings_can_be_null=True))
    except (pa.ArrowException, ValueError, OSError):
        return None
    if table.column_names != list(header):
        return None
    if not table.num_rows:
        return (np.array([], dtype="datetime64[D]"), [np.array([]) for _ in header[1:]]) if allow_empty else None
    days = _iso_days(table.column("Date"))
    if days is None or (len(days) > 1 and (np.diff(days.astype(np.int64)) <= 0).any()):
        return None
    columns = []
    for name in header[1:]:
        cells = table.column(name)
        values = cells.to_numpy(zero_copy_only=False).astype("float64", copy=False)
        # A NaN that is not a missing cell came from a token such as "NAN" or "+nan", which pandas refuses.
        if int(np.isnan(values).sum()) != cells.null_count:
            return None
        columns.append(values)
    required = header.index("Close" if "Close" in header else "Dividend") - 1
    if np.isnan(columns[required]).any():  # no close / no dividend amount: the pandas path names the line
        return None
    return days, columns


def _read_fast(path: Path) -> tuple[np.ndarray, np.ndarray, Origin] | None:
    """A clean price file and its dividends as (days, values, origin), or None (then the pandas path decides).

    ``values`` is float64 of shape (rows, 6): Open, High, Low, Close, Volume, Dividend, as
    :func:`read_price_file` returns them.
    """
    data = _file_bytes(path)
    if data is None:
        return None
    first = data[:data.find(b"\n")] if b"\n" in data else data
    first = first[:-1] if first.endswith(b"\r") else first
    header = next((h for h in (PRICE_HEADER, CLOSE_HEADER) if first == ",".join(h).encode()), None)
    if header is None:
        return None
    parsed = _fast_table(data, header)
    if parsed is None:
        return None
    days, columns = parsed
    values = np.full((len(days), 6), np.nan)
    for name, column in zip(header[1:], columns):
        values[:, PRICE_HEADER.index(name) - 1] = column
    values[:, 5] = 0.0
    stem = path.name[: -len(".csv.gz")] if path.name.endswith(".csv.gz") else path.stem
    div_path = find_file(path.parent, f"{stem}{_DIVIDEND_TAG}")
    if div_path is None:
        return days, values, Origin(str(path), 2)
    div_data = _file_bytes(div_path)
    first = b"" if div_data is None else div_data.split(b"\n", 1)[0].removesuffix(b"\r")
    if first != ",".join(DIVIDEND_HEADER).encode():
        return None
    dividends = _fast_table(div_data, DIVIDEND_HEADER, allow_empty=True)  # a header alone: no dividend
    if dividends is None:
        return None
    div_days, (amounts,) = dividends
    # As on the pandas path: an ex-date after the last price row waits for a later ingest; an ex-date
    # that is no row goes to the next row; lines and written dates are kept for the messages.
    kept = div_days <= days[-1]
    div_days, amounts = div_days[kept], amounts[kept]
    lines = np.zeros(len(days), dtype=np.int64)
    dates = np.full(len(days), np.datetime64("NaT"), dtype="datetime64[ns]")
    if len(div_days):
        slot = np.searchsorted(days, div_days, side="left")
        np.add.at(values[:, 5], slot, amounts)
        lines[slot] = np.arange(len(div_days)) + 2
        dates[slot] = div_days.astype("datetime64[ns]")
    return days, values, Origin(str(path), 2, str(div_path), lines, dates)


def _frame(days: np.ndarray, values: np.ndarray, columns: Sequence[str], index_name: str, origin: Origin) -> pd.DataFrame:
    frame = pd.DataFrame(values, index=pd.DatetimeIndex(days.astype("datetime64[ns]"), name=index_name),
                         columns=list(columns))
    frame.attrs["origin"] = origin
    return frame


def read_canonical(path: str | Path) -> pd.DataFrame:
    """:func:`read_price_file` straight in the canonical layout (:func:`to_canonical` of it), raising the same errors."""
    path = Path(path)
    fast = _read_fast(path)
    if fast is None:
        return to_canonical(read_price_file(path))
    days, values, origin = fast
    matrix = np.empty((len(days), len(PRICE_COLUMNS)))
    matrix[:, :6] = values
    matrix[:, 6] = 1.0  # split_factor: the files carry split-adjusted prices and no split events
    return _frame(days, matrix, PRICE_COLUMNS, "date", origin)


def read_price_file(path: str | Path) -> pd.DataFrame:
    """Read one ticker's price file (and its ``_dividends`` sibling if there is one).

    Returns a frame indexed by ``Date`` (tz-naive) with float columns
    ``Open, High, Low, Close, Volume`` (split-adjusted, not dividend-adjusted) and
    ``Dividend`` (cash per share on its ex-date, 0 when none).  A dividend whose
    ex-date is not a row of the price file (an exchange closure, as on 2001-09-12)
    is put on the next row, the first session that traded ex-dividend; one after the last
    price row is left out (a later ingest picks it up).

    Raises
    ------
    DataError
        Naming the file and line of the first problem: missing column, bad date,
        text in a number, duplicate date, rows out of order, empty Close.
    """
    path = Path(path)
    fast = _read_fast(path)
    if fast is not None:
        return _frame(*fast[:2], (*PRICE_HEADER[1:], "Dividend"), "Date", fast[2])
    table = _read_table(path, _price_header(path))
    if table.empty:
        raise _problem(path, 1, "no price rows (only a header)")
    for col in PRICE_HEADER[1:]:
        if col not in table:
            table[col] = np.nan
    table = table[list(PRICE_HEADER[1:])]
    _first_missing(path, table, "Close", "no close price")
    table["Dividend"] = 0.0
    stem = path.name[: -len(".csv.gz")] if path.name.endswith(".csv.gz") else path.stem
    div_path = find_file(path.parent, f"{stem}{_DIVIDEND_TAG}")
    if div_path is not None:
        divs = _read_table(div_path, DIVIDEND_HEADER)
        _first_missing(div_path, divs, "Dividend", "no amount")
        # An ex-date after the last price row has no session yet: it is picked up by a later ingest.
        divs = divs.loc[divs.index <= table.index[-1]] if len(table) else divs.iloc[:0]
        lines = np.zeros(len(table), dtype=np.int64)
        dates = np.full(len(table), np.datetime64("NaT"), dtype="datetime64[ns]")
        if len(divs):
            slot = table.index.searchsorted(divs.index, side="left")
            amounts = np.zeros(len(table))
            np.add.at(amounts, slot, divs["Dividend"].to_numpy())
            table["Dividend"] = amounts
            # Line of each dividend row (header = line 1); rows were kept in file order.
            lines[slot] = np.arange(len(divs)) + 2
            dates[slot] = divs.index.to_numpy("datetime64[ns]")
        table.attrs["origin"] = Origin(str(path), 2, str(div_path), lines, dates)
    else:
        table.attrs["origin"] = Origin(str(path), 2)
    table.index.name = "Date"
    return table


def _price_header(path: Path) -> tuple[str, ...]:
    """The full OHLCV header, or ``Date,Close`` when the file holds exactly those two columns."""
    try:
        present = [str(c).strip() for c in pd.read_csv(path, nrows=0).columns]
    except (OSError, EOFError, ValueError, pd.errors.ParserError, pd.errors.EmptyDataError):
        return PRICE_HEADER  # let the full read name the problem
    return CLOSE_HEADER if present == list(CLOSE_HEADER) else PRICE_HEADER


def to_canonical(table: pd.DataFrame) -> pd.DataFrame:
    """A :func:`read_price_file` frame in the canonical layout of :mod:`eventstudy.sources.base`."""
    frame = table.rename(columns=str.lower)
    frame.index.name = "date"
    frame["split_factor"] = 1.0  # the files carry split-adjusted prices and no split events
    return frame


class FileSource:
    """Prices read from one or more folders (see the module docstring for the layout).

    A ticker is read from the first folder, in the order given, that has a file for it.
    """

    def __init__(self, folders: str | Path | Sequence[str | Path]):
        self.folders = [Path(folders)] if isinstance(folders, (str, Path)) else [Path(f) for f in folders]
        for folder in self.folders:
            if not folder.is_dir():
                raise DataError(f"price folder {folder} does not exist")
        self.name = "files:" + ",".join(f.name for f in self.folders)

    def tickers(self) -> list[str]:
        """Every ticker with a price file in any of the folders."""
        return sorted({t for folder in self.folders for t in list_tickers(folder)})

    def find(self, ticker: str) -> Path | None:
        """The price file of ``ticker`` in the first folder that has one."""
        return next((p for p in (find_file(f, ticker) for f in self.folders) if p is not None), None)

    def fetch(self, wanted: Mapping[str, pd.Timestamp | None]) -> Iterator[FetchOutcome]:
        for ticker, start in wanted.items():
            problem = ticker_problem(ticker)
            if problem:  # never turn an unchecked name into a path
                yield ticker, DataError(problem)
                continue
            path = self.find(ticker)
            if path is None:
                where = ", ".join(map(str, self.folders))
                yield ticker, DataError(f"no price file for {ticker} in {where} (expected {ticker}.csv or {ticker}.csv.gz)")
                continue
            try:
                yield ticker, since(read_canonical(path), start)
            except DataError as exc:
                yield ticker, exc
            except (OSError, ValueError) as exc:  # unreadable file, or a parse failure not diagnosed above
                yield ticker, DataError(f"{path}: cannot read the file: {_first_line(exc)}")
