"""Lower bounds of DTW: LB_Kim and LB_Keogh, with the Keogh envelope.

Both bounds are in the units of :func:`~tsclassic.neighbors.dtw` (square root of the
summed squared costs), so ``lb_kim(x, y) <= dtw(x, y)`` and, for equal lengths,
``lb_keogh(x, y, window) <= dtw(x, y, window)``.

References
----------
Kim, Park & Chu (2001), "An index-based approach for similarity search supporting time
warping in large sequence databases", ICDE. Keogh & Ratanamahatana (2005), "Exact indexing
of dynamic time warping", KAIS 7(3). Rakthanmanon et al. (2012), "Searching and mining
trillions of time series subsequences under dynamic time warping", KDD (the UCR suite's
cascade of these bounds with early abandoning).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tsclassic._params import renamed_params
from tsclassic.neighbors._checks import check_one_series, check_window, same_channels
from tsclassic.neighbors._kernels import (
    band_radius,
    envelope_kernel,
    keogh_sq,
    kim_sq,
    series_stats,
)

__all__ = ["lb_kim", "lb_keogh", "envelope"]


def _envelope(x: np.ndarray, r: int, lower: np.ndarray, upper: np.ndarray) -> None:
    """The envelope of one (L, C) series at radius ``r``, into ``lower`` and ``upper``."""
    envelope_kernel(x, np.array([0, len(x)]), np.array([r]), lower, upper,
                    np.empty((2, len(x)), dtype=np.int64))


@renamed_params(positional=("window",))
def envelope(x: Any, *, window: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The Keogh envelope of a series: its running minimum and maximum over the band.

    Parameters
    ----------
    x : array-like of shape (length,) or (n_channels, length)
    window : float in [0, 1] or None
        Sakoe-Chiba band as a fraction of the length; ``None`` is the full window.

    Returns
    -------
    lower, upper : ndarray, each of the shape of ``x``

    Examples
    --------
    >>> from tsclassic.neighbors import envelope
    >>> lower, upper = envelope([0.0, 2.0, 1.0, 3.0], window=0.25)
    >>> lower, upper
    (array([0., 0., 1., 1.]), array([2., 2., 3., 3.]))
    """
    w = check_window(window)
    values = check_one_series(x, "x")
    one_d = np.ndim(x) == 1
    r = band_radius(values.shape[0], values.shape[0], w)
    lower = np.empty_like(values)
    upper = np.empty_like(values)
    _envelope(values, r, lower, upper)
    if one_d:
        return lower[:, 0], upper[:, 0]
    return lower.T.copy(), upper.T.copy()


@renamed_params(positional=("window",))
def lb_keogh(x: Any, y: Any, *, window: float | None = None) -> float:
    """LB_Keogh: how far ``x`` leaves the envelope of ``y``; a lower bound of DTW.

    Parameters
    ----------
    x, y : array-like of shape (length,) or (n_channels, length)
        Series of equal length (the bound is defined for equal lengths only).
    window : float in [0, 1] or None
        The Sakoe-Chiba band of the DTW it bounds; ``None`` is the full window.

    Returns
    -------
    float
        At most ``dtw(x, y, window)``.

    Examples
    --------
    >>> from tsclassic.neighbors import dtw, lb_keogh
    >>> x, y = [0.0, 1.0, 2.0, 3.0], [1.0, 1.0, 3.0, 5.0]
    >>> round(lb_keogh(x, y, window=0.25), 4), round(dtw(x, y, window=0.25), 4)
    (1.0, 2.4495)
    """
    w = check_window(window)
    a = check_one_series(x, "x")
    b = check_one_series(y, "y")
    same_channels(a.shape[1], b.shape[1], "x", "y")
    if a.shape[0] != b.shape[0]:
        raise ValueError(
            f"lb_keogh needs series of equal length; got {a.shape[0]} and {b.shape[0]}. Use "
            f"lb_kim, which holds for any lengths."
        )
    r = band_radius(b.shape[0], b.shape[0], w)
    lower = np.empty_like(b)
    upper = np.empty_like(b)
    _envelope(b, r, lower, upper)
    return float(np.sqrt(keogh_sq(a, lower, upper, np.inf)))


def lb_kim(x: Any, y: Any) -> float:
    """LB_Kim: a constant-time lower bound of DTW from the first, last, min and max points.

    Parameters
    ----------
    x, y : array-like of shape (length,) or (n_channels, length)
        Any lengths.

    Returns
    -------
    float
        At most ``dtw(x, y, window)`` for every window.

    Examples
    --------
    >>> from tsclassic.neighbors import lb_kim
    >>> lb_kim([0.0, 1.0, 2.0], [1.0, 1.0, 2.0, 2.0])
    1.0
    """
    a = check_one_series(x, "x")
    b = check_one_series(y, "y")
    same_channels(a.shape[1], b.shape[1], "x", "y")
    single = a.shape[0] == 1 and b.shape[0] == 1
    stats_a, stats_b = np.empty((4, a.shape[1])), np.empty((1, 4, b.shape[1]))
    series_stats(a, stats_a)
    series_stats(b, stats_b[0])
    return float(np.sqrt(kim_sq(stats_a, stats_b, 0, single)))
