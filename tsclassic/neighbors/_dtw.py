"""Dynamic time warping: the distance, the alignment path and the distance matrix.

Squared point cost, square root taken at the end (the tslearn / UCR archive convention);
several channels are warped together (dependent DTW). ``window`` is the Sakoe-Chiba band
as a fraction of the length, ``None`` for the full window.

References
----------
Sakoe & Chiba (1978), "Dynamic programming algorithm optimization for spoken word
recognition", IEEE TASSP 26(1). Dau et al. (2019), "The UCR Time Series Archive".
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tsclassic._params import renamed_params
from tsclassic.neighbors._checks import (
    check_dtw_panel,
    check_one_series,
    check_window,
    same_channels,
)
from tsclassic.neighbors._kernels import backtrack, cdist_block, dtw_matrix, dtw_sq

__all__ = ["dtw", "dtw_path", "cdist_dtw"]


def _pair(x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    a = check_one_series(x, "x")
    b = check_one_series(y, "y")
    same_channels(a.shape[1], b.shape[1], "x", "y")
    return a, b


@renamed_params(positional=("window",))
def dtw(x: Any, y: Any, *, window: float | None = None) -> float:
    """DTW distance between two series, in O(length) memory.

    Parameters
    ----------
    x : array-like of shape (length_x,) or (n_channels, length_x)
    y : array-like of shape (length_y,) or (n_channels, length_y)
        Lengths may differ; the number of channels may not.
    window : float in [0, 1] or None, default None
        Sakoe-Chiba band radius as a fraction of the longer length; ``None`` (or 1) is the
        full window, 0 the Euclidean distance for equal lengths.

    Returns
    -------
    float
        ``sqrt`` of the smallest sum of squared differences along a warping path.

    See Also
    --------
    dtw_path : the distance and the path that achieves it.
    cdist_dtw : all pairwise distances between two panels.

    Examples
    --------
    >>> from tsclassic.neighbors import dtw
    >>> dtw([0.0, 1.0, 2.0], [0.0, 0.0, 1.0, 2.0])
    0.0
    >>> dtw([0.0, 1.0, 2.0], [1.0, 2.0, 3.0], window=0.0)
    1.7320508075688772
    """
    w = check_window(window)
    a, b = _pair(x, y)
    return float(np.sqrt(dtw_sq(a, b, w)))


@renamed_params(positional=("window",))
def dtw_path(
    x: Any, y: Any, *, window: float | None = None
) -> tuple[list[tuple[int, int]], float]:
    """DTW distance and the optimal alignment path (this one builds the cost matrix).

    Parameters
    ----------
    x, y, window
        As for :func:`dtw`.

    Returns
    -------
    path : list of (int, int)
        Index pairs ``(i, j)`` aligning ``x[i]`` with ``y[j]``, from ``(0, 0)`` to the last
        points, each step moving by at most one in each series.
    distance : float
        Equal to ``dtw(x, y, window)``.

    Examples
    --------
    >>> from tsclassic.neighbors import dtw_path
    >>> path, distance = dtw_path([0.0, 1.0, 2.0], [0.0, 0.0, 1.0, 2.0])
    >>> path, distance
    ([(0, 0), (0, 1), (1, 2), (2, 3)], 0.0)
    """
    w = check_window(window)
    a, b = _pair(x, y)
    acc = dtw_matrix(a, b, w)
    path = backtrack(acc)
    return [(int(i), int(j)) for i, j in path], float(np.sqrt(acc[-1, -1]))


@renamed_params(positional=("Y", "window", "n_jobs"))
def cdist_dtw(
    X: Any, *, Y: Any = None, window: float | None = None, n_jobs: int | None = None
) -> np.ndarray:
    """DTW distance between every series of ``X`` and every series of ``Y``.

    Parameters
    ----------
    X : array-like of shape (n_x, length) or (n_x, n_channels, length), or list of series
        A panel; a list may hold series of different lengths.
    Y : panel, optional
        Defaults to ``X`` (then only one triangle is computed).
    window : float in [0, 1] or None
        As for :func:`dtw`.
    n_jobs : int or None
        Threads over the rows of ``X`` (the kernels release the GIL); ``None`` is one,
        ``-1`` all cores.

    Returns
    -------
    ndarray of shape (n_x, n_y)

    Examples
    --------
    >>> import numpy as np
    >>> from tsclassic.neighbors import cdist_dtw
    >>> cdist_dtw(np.array([[0.0, 1.0, 2.0], [0.0, 0.0, 2.0]])).round(3)
    array([[0., 1.],
           [1., 0.]])
    """
    w = check_window(window)
    xs = check_dtw_panel(X, "X")
    symmetric = Y is None
    ys = xs if symmetric else check_dtw_panel(Y, "Y")
    same_channels(xs.n_channels, ys.n_channels, "X", "Y")
    from tsclassic.neighbors._search import run_blocks

    def block(rows: np.ndarray) -> np.ndarray:
        return cdist_block(xs.flat, xs.offsets, ys.flat, ys.offsets, w, rows, symmetric)

    out = run_blocks(block, xs.n, n_jobs)
    if symmetric:
        out = out + out.T
    return np.sqrt(out)
