"""Nearest neighbours under dynamic time warping: distances, lower bounds, exact k-NN
classification and regression, and the analogue forecaster.

Names are imported on first use, so ``import tsclassic.neighbors`` does not load numba.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "dtw": "_dtw",
    "dtw_path": "_dtw",
    "cdist_dtw": "_dtw",
    "lb_kim": "_lower_bounds",
    "lb_keogh": "_lower_bounds",
    "envelope": "_lower_bounds",
    "KNeighborsDTWClassifier": "_classification",
    "KNeighborsDTWRegressor": "_regression",
    "AnalogueForecaster": "_analogue",
}

__all__ = list(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'tsclassic.neighbors' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"tsclassic.neighbors.{_WHERE[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
