"""Optional numba: ``jit`` compiles when numba imports, otherwise returns the function unchanged.

Callers check ``HAS_NUMBA`` and otherwise use their vectorised numpy twin (the loop versions
would be slow in plain Python); a PerformanceWarning says so once per kernel.
"""

from __future__ import annotations

import os
import warnings


class PerformanceWarning(UserWarning):
    """numba is not installed: a slower numpy fallback is used."""


try:  # numba is an optional speed-up (it ships with vectorbt)
    if os.environ.get("EVENTSTUDY_DISABLE_NUMBA"):
        raise ImportError("disabled by EVENTSTUDY_DISABLE_NUMBA")
    from numba import njit as _njit

    HAS_NUMBA = True
except ImportError:  # pragma: no cover - depends on the environment
    HAS_NUMBA = False
    _njit = None


def jit(func, *, reassoc: bool = False):
    """``numba.njit(cache=True)`` when available; the function itself otherwise.

    ``reassoc=True`` lets the compiler reorder floating-point additions (LLVM's ``reassoc`` flag
    alone, not full fastmath: NaN and infinity tests keep their meaning), so sums over events
    run as SIMD lanes instead of one long dependency chain (5x on the GRANK and row-sum
    kernels). The sums then differ from a left-to-right sum in the last bits.
    """
    if HAS_NUMBA:
        flags = {"fastmath": {"reassoc"}} if reassoc else {}
        return _njit(cache=True, nogil=True, **flags)(func)
    warnings.warn(f"numba unavailable: {func.__name__} uses the numpy fallback", PerformanceWarning, stacklevel=2)
    return func
