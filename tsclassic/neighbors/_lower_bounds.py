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
from numba import njit

from tsclassic.neighbors._checks import check_one_series, check_window, same_channels
from tsclassic.neighbors._kernels import band_radius

__all__ = ["lb_kim", "lb_keogh", "envelope"]


@njit(cache=True, nogil=True)
def envelope_kernel(x, r, lower, upper):
    """Running min and max of ``x`` (L, C) over ``[i - r, i + r]``, in O(L) (Lemire 2006)."""
    length = x.shape[0]
    q_max = np.empty(length, dtype=np.int64)
    q_min = np.empty(length, dtype=np.int64)
    for c in range(x.shape[1]):
        h_max = t_max = h_min = t_min = 0
        for t in range(length + r):
            if t < length:
                v = x[t, c]
                while t_max > h_max and x[q_max[t_max - 1], c] <= v:
                    t_max -= 1
                q_max[t_max] = t
                t_max += 1
                while t_min > h_min and x[q_min[t_min - 1], c] >= v:
                    t_min -= 1
                q_min[t_min] = t
                t_min += 1
            i = t - r
            if i >= 0:
                while q_max[h_max] < i - r:
                    h_max += 1
                while q_min[h_min] < i - r:
                    h_min += 1
                upper[i, c] = x[q_max[h_max], c]
                lower[i, c] = x[q_min[h_min], c]


@njit(cache=True, nogil=True)
def keogh_sq(x, lower, upper, threshold):
    """Squared LB_Keogh of ``x`` against an envelope; stops once above ``threshold``."""
    total = 0.0
    for i in range(x.shape[0]):
        for c in range(x.shape[1]):
            v = x[i, c]
            if v > upper[i, c]:
                d = v - upper[i, c]
                total += d * d
            elif v < lower[i, c]:
                d = lower[i, c] - v
                total += d * d
        if total > threshold:
            return total
    return total


@njit(cache=True, nogil=True)
def series_stats(x):
    """Per channel first, last, min and max of ``x`` (L, C): an array (4, C)."""
    out = np.empty((4, x.shape[1]))
    for c in range(x.shape[1]):
        out[0, c] = x[0, c]
        out[1, c] = x[x.shape[0] - 1, c]
        lo = x[0, c]
        hi = x[0, c]
        for i in range(1, x.shape[0]):
            lo = min(lo, x[i, c])
            hi = max(hi, x[i, c])
        out[2, c] = lo
        out[3, c] = hi
    return out


@njit(cache=True, nogil=True)
def kim_sq(sx, sy, single_cell):
    """Squared LB_Kim from two ``series_stats``.

    The first and the last cells lie on every warping path (two distinct cells unless
    both series have one point); the cell where either series reaches its minimum
    (maximum) costs at least the gap between the two minima (maxima) in that channel.
    """
    ends = 0.0
    for c in range(sx.shape[1]):
        d = sx[0, c] - sy[0, c]
        ends += d * d
    if not single_cell:
        for c in range(sx.shape[1]):
            d = sx[1, c] - sy[1, c]
            ends += d * d
    best = ends
    for c in range(sx.shape[1]):
        d = sx[2, c] - sy[2, c]
        best = max(best, d * d)
        d = sx[3, c] - sy[3, c]
        best = max(best, d * d)
    return best


def envelope(x: Any, window: float | None = None) -> tuple[np.ndarray, np.ndarray]:
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
    envelope_kernel(values, r, lower, upper)
    if one_d:
        return lower[:, 0], upper[:, 0]
    return lower.T.copy(), upper.T.copy()


def lb_keogh(x: Any, y: Any, window: float | None = None) -> float:
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
    envelope_kernel(b, r, lower, upper)
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
    return float(np.sqrt(kim_sq(series_stats(a), series_stats(b), single)))
