"""The numba kernel and its numpy/scipy twin must agree."""

from __future__ import annotations

import numpy as np
import pytest

from eventstudy.core import _kernels
from eventstudy.core._numba import HAS_NUMBA


@pytest.mark.parametrize("seed", range(3))
def test_rank_kernel_equals_scipy_twin(seed):
    rng = np.random.default_rng(seed)
    a = np.round(rng.normal(size=(60, 25)), 1)  # rounding creates ties
    a[rng.random(a.shape) < 0.1] = np.nan
    a[:, 3] = np.nan  # an event with no data at all
    expected = _kernels.rank_columns_python(a)
    np.testing.assert_array_equal(_kernels.rank_columns(a), expected)
    # the loop written for numba, run as plain Python, is the same algorithm
    np.testing.assert_array_equal(_kernels.rank_rows_loop(np.ascontiguousarray(a.T)).T, expected)


@pytest.mark.skipif(not HAS_NUMBA, reason="numba not installed")
def test_numba_kernel_is_compiled():
    assert _kernels.rank_rows_nb is not _kernels.rank_rows_loop
