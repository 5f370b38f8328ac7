"""Training windows drawn across the series of a panel, each normalised on its own scale:
what every global forecaster, classical or deep, learns from."""

from __future__ import annotations

import numpy as np

# A window's scale is at least this fraction of its series' standard deviation: dividing a
# nearly flat window by its own tiny spread would blow rounding noise up to unit size.
SCALE_FLOOR = 0.1


def spread_floor(y: np.ndarray) -> float:
    """The least scale of the windows of series ``y``: a tenth of its standard deviation,
    or its level for a constant series, or 1 at zero."""
    spread = float(np.std(y))
    if spread > 0:
        return SCALE_FLOOR * spread
    return float(abs(y[0])) if y[0] != 0 else 1.0


def normalise_windows(
    windows: np.ndarray, floor: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(windows - level) / scale`` with each row's mean as level and its standard
    deviation, no less than ``floor``, as scale; returns the three."""
    level = windows.mean(axis=1)
    scale = np.maximum(windows.std(axis=1), floor)
    return (windows - level[:, None]) / scale[:, None], level, scale


def sample_windows(
    series: list[np.ndarray], length: int, steps: int, max_windows: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[np.ndarray]]:
    """Windows of ``length`` inputs and ``steps`` targets from every series.

    At most ``max_windows`` per series, drawn without replacement by ``rng``, the latest
    window always among them.

    Returns
    -------
    inputs : ndarray of shape (n_rows, length)
    targets : ndarray of shape (n_rows, steps)
    floors : ndarray of shape (n_rows,)
        Each row's least scale (:func:`spread_floor` of its series).
    positions : list of ndarray
        Per series, the position of each row's last input value.
    """
    inputs, targets, floors, positions = [], [], [], []
    for y in series:
        windows = np.lib.stride_tricks.sliding_window_view(y, length + steps)
        chosen = np.arange(len(windows))
        if len(chosen) > max_windows:
            older = rng.choice(len(windows) - 1, max_windows - 1, replace=False)
            chosen = np.r_[np.sort(older), len(windows) - 1]
        inputs.append(windows[chosen, :length])
        targets.append(windows[chosen, length:])
        floors.append(np.full(len(chosen), spread_floor(y)))
        positions.append(chosen + length - 1)
    return np.vstack(inputs), np.vstack(targets), np.concatenate(floors), positions
