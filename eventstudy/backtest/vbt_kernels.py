"""vectorbt, with its signal-simulation kernel compiled once and kept in numba's on-disk cache.

vectorbt declares ``simulate_from_signals_nb`` with a plain ``@njit`` (no ``cache=True``), so every
process compiled it again: 20-25 s of each ``portfolio``-engine run and of each test worker (the
default ``trades`` engine does not use vectorbt; tests use it as the reference).  Re-jitting the
same Python function with ``cache=True`` and putting it where vectorbt's dispatcher looks it up
(``vectorbt.portfolio.nb``, read at call time) makes the compiled machine code persist in
``NUMBA_CACHE_DIR`` (:mod:`eventstudy.numba_cache`).  Same function, same results; only the compile
is saved.
"""

from __future__ import annotations

from types import ModuleType

_PATCHED = False
#: vectorbt kernels without ``cache=True`` that a backtest calls.
KERNELS = ("simulate_from_signals_nb",)


def vectorbt() -> ModuleType:
    """``import vectorbt``, with :data:`KERNELS` replaced by disk-cached compilations (once per process)."""
    global _PATCHED
    import vectorbt as vbt

    if not _PATCHED:
        import numba
        import vectorbt.portfolio.nb as nb

        for name in KERNELS:
            kernel = getattr(nb, name)
            if not getattr(kernel, "_cache", None) or type(kernel._cache).__name__ == "NullCache":
                setattr(nb, name, numba.njit(cache=True)(kernel.py_func))
        _PATCHED = True
    return vbt
