"""The ingest's reader thread keeps the plain loop's order and errors; the cached session days equal the calendar's."""

from __future__ import annotations

import threading
import time

import numpy as np
import pandas as pd
import pytest

from eventstudy.prices.calendar import session_days, trading_sessions
from eventstudy.prices.ingest import _read_ahead


def test_read_ahead_keeps_the_order():
    assert list(_read_ahead(iter(range(100)), depth=3)) == list(range(100))
    assert list(_read_ahead(iter([]))) == []


def test_an_error_of_the_producer_is_raised_in_its_place():
    def items():
        yield from ("a", "b")
        raise OSError("socket closed")

    got = []
    with pytest.raises(OSError, match="socket closed"):
        for item in _read_ahead(items(), depth=8):
            got.append(item)
    assert got == ["a", "b"]


def test_the_producer_stops_when_the_consumer_stops():
    made = []

    def endless():
        while True:
            made.append(len(made))
            yield made[-1]

    ahead = _read_ahead(endless(), depth=2)
    assert [next(ahead) for _ in range(5)] == [0, 1, 2, 3, 4]
    ahead.close()  # what a for loop does on break, an exception or Ctrl-C
    time.sleep(0.5)
    count = len(made)
    time.sleep(0.3)
    assert len(made) == count <= 5 + 2 + 2  # what was handed over, the queue, one in the producer's hand
    assert not any(t.name == "ingest-read-ahead" and t.is_alive() for t in threading.enumerate())


@pytest.mark.parametrize("exchange", ["XNYS", "XKRX"])
def test_session_days_equal_the_calendar_sessions(exchange):
    rng = np.random.default_rng(3)
    day = 86_400_000_000_000  # ns
    lo, hi = pd.Timestamp("1990-01-01").value // day, pd.Timestamp("2028-01-01").value // day
    spans = [(int(a), int(b)) for a, b in rng.integers(lo, hi, size=(12, 2))]
    spans += [(hi - 400, hi), (10_000, 9_990)]  # past the calendar's end, empty
    if exchange == "XNYS":  # before 1990: a calendar of its own (XKRX takes seconds to build one)
        spans.append((pd.Timestamp("1988-03-07").value // day, lo + 40))
    for a, b in spans:
        first, last = np.datetime64(a, "D"), np.datetime64(b, "D")
        ours = _outcome(lambda: session_days(first, last, exchange))  # noqa: B023 - called at once
        calendar = _outcome(lambda: trading_sessions(  # noqa: B023 - called at once
            pd.Timestamp(first), pd.Timestamp(last), exchange).to_numpy("datetime64[D]"))
        assert ours == calendar, (first, last)


def _outcome(call) -> tuple:
    """The days as a list, or the error (some dates before 1990 are outside a calendar: the same error then)."""
    try:
        return "days", call().tolist()
    except Exception as exc:  # noqa: BLE001
        return type(exc).__name__, str(exc)
