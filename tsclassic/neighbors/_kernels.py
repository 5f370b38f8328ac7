"""Compiled DTW kernels (numba, ``cache=True`` so a new process loads them from disk).

Every kernel works on squared point costs and returns squared distances; the public
wrappers take the square root at the end (the tslearn / UCR convention). Series are
``(length, n_channels)`` C-contiguous float64 arrays inside; the cost of one cell is the
sum over channels of squared differences (dependent DTW).

The Sakoe-Chiba band follows tslearn's mask: for lengths ``n <= m`` the cell ``(i, j)``
is inside when ``i - r <= j <= i + (m - n) + r`` (and symmetrically), so that the band
always reaches the last cell whatever the lengths. The radius of a band given as a
fraction ``w`` of the length is ``floor(w * max(n, m))``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_INF = np.inf


@njit(cache=True, nogil=True)
def band_radius(n: int, m: int, window: float) -> int:
    """The Sakoe-Chiba radius (in points) of a band that is ``window`` of the length."""
    # The tiny offset keeps e.g. 0.29 * 100 = 28.999999999999996 at 29, as a person means.
    return int(np.floor(window * max(n, m) + 1e-9))


@njit(cache=True, nogil=True, inline="always")
def _cost(x, i, y, j):
    total = 0.0
    for c in range(x.shape[1]):
        d = x[i, c] - y[j, c]
        total += d * d
    return total


@njit(cache=True, nogil=True)
def dtw_sq(x, y, window, threshold):
    """Squared DTW between ``x`` (n, C) and ``y`` (m, C) in O(m) memory.

    Returns ``inf`` as soon as every cell of a row exceeds ``threshold`` (early
    abandoning: the final value can only be larger); pass ``inf`` for the exact value.
    """
    n = x.shape[0]
    m = y.shape[0]
    r = band_radius(n, m, window)
    below = r + max(0, n - m)  # how far left of the diagonal the band reaches
    above = r + max(0, m - n)  # how far right
    prev = np.full(m + 1, _INF)  # prev[j + 1] holds row i-1, column j; prev[0] is the border
    curr = np.full(m + 1, _INF)
    prev[0] = 0.0
    univariate = x.shape[1] == 1
    for i in range(n):
        lo = max(0, i - below)
        hi = min(m - 1, i + above)
        curr[lo] = _INF  # the cell left of the band
        left = _INF
        row_min = _INF
        if univariate:
            xi = x[i, 0]
            for j in range(lo, hi + 1):
                d = xi - y[j, 0]
                best = prev[j]
                if prev[j + 1] < best:
                    best = prev[j + 1]
                if left < best:
                    best = left
                left = d * d + best
                curr[j + 1] = left
                if left < row_min:
                    row_min = left
        else:
            for j in range(lo, hi + 1):
                best = prev[j]
                if prev[j + 1] < best:
                    best = prev[j + 1]
                if left < best:
                    best = left
                left = _cost(x, i, y, j) + best
                curr[j + 1] = left
                if left < row_min:
                    row_min = left
        if hi + 2 <= m:
            curr[hi + 2] = _INF  # the cell right of the band, read by the next row
        if row_min > threshold:
            return _INF
        prev, curr = curr, prev
    return prev[m]


@njit(cache=True, nogil=True)
def dtw_matrix(x, y, window):
    """The accumulated squared cost matrix ``(n, m)``, ``inf`` outside the band."""
    n = x.shape[0]
    m = y.shape[0]
    r = band_radius(n, m, window)
    below = r + max(0, n - m)
    above = r + max(0, m - n)
    acc = np.full((n, m), _INF)
    for i in range(n):
        for j in range(max(0, i - below), min(m - 1, i + above) + 1):
            if i == 0 and j == 0:
                best = 0.0
            else:
                best = _INF
                if i > 0 and j > 0:
                    best = acc[i - 1, j - 1]
                if i > 0 and acc[i - 1, j] < best:
                    best = acc[i - 1, j]
                if j > 0 and acc[i, j - 1] < best:
                    best = acc[i, j - 1]
            acc[i, j] = _cost(x, i, y, j) + best
    return acc


@njit(cache=True, nogil=True)
def backtrack(acc):
    """The optimal path through an accumulated cost matrix, from (0, 0) to the end.

    On ties the diagonal step is preferred, then the vertical one.
    """
    n, m = acc.shape
    path = np.empty((n + m, 2), dtype=np.int64)
    i, j = n - 1, m - 1
    k = 0
    path[k, 0] = i
    path[k, 1] = j
    while i > 0 or j > 0:
        if i == 0:
            j -= 1
        elif j == 0:
            i -= 1
        else:
            diag = acc[i - 1, j - 1]
            up = acc[i - 1, j]
            left = acc[i, j - 1]
            if diag <= up and diag <= left:
                i -= 1
                j -= 1
            elif up <= left:
                i -= 1
            else:
                j -= 1
        k += 1
        path[k, 0] = i
        path[k, 1] = j
    return path[: k + 1][::-1].copy()


@njit(cache=True, nogil=True)
def path_radius(path, n, m):
    """The smallest Sakoe-Chiba radius whose band holds every cell of ``path``."""
    need = 0
    extra_below = max(0, n - m)
    extra_above = max(0, m - n)
    for k in range(path.shape[0]):
        d = path[k, 1] - path[k, 0]  # j - i
        if d > 0:
            need = max(need, d - extra_above)
        else:
            need = max(need, -d - extra_below)
    return need


@njit(cache=True, nogil=True)
def cdist_block(xs_flat, xs_off, ys_flat, ys_off, window, rows, symmetric):
    """Squared DTW between the query series ``rows`` of ``xs`` and every series of ``ys``.

    Series are stored back to back in ``*_flat`` (total_length, C) with start offsets
    ``*_off``. With ``symmetric`` (``xs is ys``) only the upper triangle is computed.
    """
    out = np.zeros((rows.shape[0], ys_off.shape[0] - 1))
    for a in range(rows.shape[0]):
        i = rows[a]
        x = xs_flat[xs_off[i] : xs_off[i + 1]]
        start = i + 1 if symmetric else 0
        for j in range(start, ys_off.shape[0] - 1):
            out[a, j] = dtw_sq(x, ys_flat[ys_off[j] : ys_off[j + 1]], window, _INF)
    return out
