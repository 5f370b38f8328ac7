"""Input checks shared by the DTW functions and estimators, and the packing of a panel
into the flat layout the compiled kernels read (series back to back, with offsets)."""

from __future__ import annotations

from numbers import Real
from typing import Any

import numpy as np

from tsclassic._validation import check_panel


def check_window(window: Any, name: str = "window", allow_learn: bool = False) -> float:
    """A Sakoe-Chiba band as a fraction of the length in [0, 1]; ``None`` means 1 (full)."""
    if window is None:
        return 1.0
    if allow_learn and isinstance(window, str) and window == "learn":
        return -1.0
    if isinstance(window, bool) or not isinstance(window, Real) or not 0 <= window <= 1:
        learn = ', or "learn" to choose it by cross-validation' if allow_learn else ""
        raise ValueError(
            f"{name} must be None (full window) or a fraction of the series length in [0, 1]"
            f"{learn}; got {window!r}."
        )
    return float(window)


def check_one_series(x: Any, name: str) -> np.ndarray:
    """One series, 1-D ``(length,)`` or ``(n_channels, length)``, as a ``(length, C)`` copy."""
    if isinstance(x, (str, bytes)) or x is None or np.isscalar(x):
        raise TypeError(
            f"{name} must be a 1-D array (length,) or a 2-D array (n_channels, length); got "
            f"{type(x).__name__}."
        )
    try:
        values = np.array(x, dtype=np.float64, copy=True)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be numeric; got: {err}") from None
    if values.ndim == 1:
        values = values[None, :]
    if values.ndim != 2:
        raise ValueError(
            f"{name} must be 1-D (length,) or 2-D (n_channels, length); got shape {values.shape}."
        )
    if values.shape[1] == 0:
        raise ValueError(f"{name} is empty; pass a series with at least one point.")
    if np.isnan(values).any():
        raise ValueError(
            f"{name} contains {int(np.isnan(values).sum())} NaN values; DTW needs complete "
            f"series: fill or interpolate them first."
        )
    if np.isinf(values).any():
        raise ValueError(f"{name} contains infinite values; replace them with finite numbers.")
    return np.ascontiguousarray(values.T)


def same_channels(a: int, b: int, name_a: str, name_b: str) -> None:
    if a != b:
        raise ValueError(
            f"{name_a} has {a} channels but {name_b} has {b}; all series must have the same "
            f"number of channels."
        )


class Packed:
    """A panel in the kernels' layout: ``flat`` (total_length, C), ``offsets`` (n + 1,)."""

    def __init__(self, series: list[np.ndarray]):
        # ``series`` holds (length_i, C) arrays.
        self.n = len(series)
        self.n_channels = series[0].shape[1]
        self.lengths = np.array([s.shape[0] for s in series], dtype=np.int64)
        self.offsets = np.zeros(self.n + 1, dtype=np.int64)
        np.cumsum(self.lengths, out=self.offsets[1:])
        self.flat = np.ascontiguousarray(np.concatenate(series, axis=0))
        self.equal_length = bool(np.all(self.lengths == self.lengths[0]))


def pack(panel: np.ndarray | list[np.ndarray]) -> Packed:
    """Pack a validated panel ((n, C, L) array or list of (C, L_i) arrays)."""
    if isinstance(panel, np.ndarray):
        n, c, length = panel.shape
        packed = Packed.__new__(Packed)
        packed.n, packed.n_channels = n, c
        packed.lengths = np.full(n, length, dtype=np.int64)
        packed.offsets = np.arange(n + 1, dtype=np.int64) * length
        packed.flat = np.ascontiguousarray(panel.transpose(0, 2, 1).reshape(n * length, c))
        packed.equal_length = True
        return packed
    return Packed([np.ascontiguousarray(a.T) for a in panel])


def check_dtw_panel(X: Any, name: str = "X") -> Packed:
    """Validate a panel for the DTW functions (any lengths, no NaN) and pack it."""
    panel = check_panel(X, name, unequal_length=True, owner="DTW")
    return pack(panel)


def pack_channels(panel: np.ndarray | list[np.ndarray]) -> Packed:
    """Pack a validated panel with each channel as a series of its own: series i's
    channel c is packed series ``i * C + c`` (the layout of independent DTW)."""
    if isinstance(panel, np.ndarray):
        n, c, length = panel.shape
        return pack(panel.reshape(n * c, 1, length))
    return Packed([np.ascontiguousarray(a[c][:, None]) for a in panel for c in range(len(a))])
