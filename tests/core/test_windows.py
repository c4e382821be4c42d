"""Event-time indexing: day 0, window gathering and overlap detection against brute-force loops."""

from __future__ import annotations

import numpy as np
import pytest

from eventstudy.core.windows import day0_positions, gather, gather_rows, offsets_range, overlapping_pairs


def test_day0_rules():
    sessions = np.array(["2025-10-02", "2025-10-03", "2025-10-06", "2025-10-07"], dtype="datetime64[D]")
    dates = np.array(["2025-10-03", "2025-10-03", "2025-10-04", "2025-10-04", "2025-10-07"], dtype="datetime64[D]")
    after = np.array([False, True, False, True, True])
    # same session / next session after the close / Saturday -> Monday either way / past the end
    np.testing.assert_array_equal(day0_positions(sessions, dates, after), [1, 2, 2, 2, -1])


def test_gather_matches_loop():
    rng = np.random.default_rng(0)
    values = rng.normal(size=(30, 4))
    day0 = np.array([0, 5, 29, 12])
    cols = np.array([1, 3, 0, 1])
    offsets = offsets_range(-3, 2)
    got = gather(values, day0, cols, offsets)
    for e in range(4):
        for i, o in enumerate(offsets):
            r = day0[e] + o
            expected = values[r, cols[e]] if 0 <= r < 30 else np.nan
            np.testing.assert_equal(got[i, e], expected)
    rows = gather_rows(values, day0, offsets)
    assert rows.shape == (6, 4, 4)
    np.testing.assert_equal(rows[3, 1], values[5])
    assert np.isnan(rows[0, 0]).all()


def test_offsets_range_rejects_reversed():
    with pytest.raises(ValueError):
        offsets_range(3, 1)


@pytest.mark.parametrize("seed", range(4))
def test_overlapping_pairs_match_brute_force(seed):
    rng = np.random.default_rng(seed)
    n = 300
    keys = rng.integers(0, 7, n)
    day0 = rng.integers(-1, 400, n)  # -1 = no day 0: never flagged, never flags
    lo, hi = -5, 10
    i, j = overlapping_pairs(keys, day0, lo, hi)
    got = set(zip(i.tolist(), j.tolist()))
    expected = {
        (a, b)
        for a in range(n)
        for b in range(n)
        if a != b and keys[a] == keys[b] and day0[a] >= 0 and day0[b] >= 0 and day0[a] + lo <= day0[b] <= day0[a] + hi
    }
    assert got == expected


def test_gather_same_in_c_and_fortran_order():
    rng = np.random.default_rng(5)
    values = rng.normal(size=(40, 6))
    day0, cols, offsets = np.array([3, 20, 39]), np.array([5, 0, 2]), offsets_range(-4, 3)
    np.testing.assert_array_equal(gather(np.asfortranarray(values), day0, cols, offsets), gather(values, day0, cols, offsets))


def test_compiled_gather_equals_numpy_gather():
    from eventstudy.core import _kernels

    rng = np.random.default_rng(6)
    values = np.asfortranarray(rng.normal(size=(50, 7)))
    day0, cols = rng.integers(-3, 53, 30), rng.integers(0, 7, 30)
    expected = gather(np.ascontiguousarray(values), day0, cols, offsets_range(-6, 4))  # C order: numpy path
    for fn in (_kernels.gather_loop, _kernels.gather_nb):
        got = fn(values.ravel(order="F"), 50, day0, cols, -6, 11)
        np.testing.assert_array_equal(got, expected)
