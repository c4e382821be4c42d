"""Shaped array aliases used in signatures across the package.

Shapes are given in the names' docstrings: ``(L, E)`` means rows = event-time
offsets (trading sessions relative to day 0), columns = event-firm pairs.
"""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
import numpy.typing as npt

#: 1-D float64 array, e.g. one value per event-firm ``(E,)``.
Float64Array1D: TypeAlias = npt.NDArray[np.float64]
#: 2-D float64 array, e.g. abnormal returns ``(L, E)`` (rows = event time).
Float64Array2D: TypeAlias = npt.NDArray[np.float64]
#: 3-D float64 array, e.g. regressors ``(L, E, P)`` or per-event ``(E, K, K)`` matrices.
Float64Array3D: TypeAlias = npt.NDArray[np.float64]
#: Integer index array (row or column positions).
IntArray: TypeAlias = npt.NDArray[np.intp]
#: Boolean mask array.
BoolArray: TypeAlias = npt.NDArray[np.bool_]
#: An int seed or a numpy Generator, accepted wherever randomness is used.
SeedLike: TypeAlias = "int | np.random.Generator | None"

__all__ = ["Float64Array1D", "Float64Array2D", "Float64Array3D", "IntArray", "BoolArray", "SeedLike"]
