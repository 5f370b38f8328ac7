"""Exact k-nearest-neighbour search under DTW, and the learned Sakoe-Chiba window.

For each query the search (1) bounds every training series from below in O(length /
segment) by LB_PAA, LB_Keogh on segment means, both ways and with LB_Kim under a band
(LB_Kim alone where the lengths differ); (2) measures first one series likely to be near:
the one with the smallest bound or, under a wide band where envelopes are loose, the
nearest in Euclidean distance (the DTW with a zero band, never below the DTW with a wider
one); (3) visits the others whose bound does not exceed the k-th best distance so far, in
order of bound, each through LB_Keogh both ways with early abandoning; and (4) runs the
DTW recursion pruned against the k-th best with the cumulated LB_Keogh of the rows still
to come (PrunedDTW with the UCR suite's bound). With a zero band on series of one length
the DTW is the Euclidean distance: the distances of a block of queries to every training
series are screened at once from one matrix product (|q|^2 + |t|^2 - 2 q.t, at BLAS speed)
and only those that rounding leaves near the k-th best are measured in full; one query at
a time (the learned window), LB_PAA on long then short segments, then the distance, each
abandoned early. Every step discards only series whose distance is provably larger, so
the result is that of brute force, ties to the first training series included.

1-NN classification needs the nearest one's class, not the series: ``nearest_labels``
skips the series of the class of the nearest so far (they could change which series is
nearest, not its class) and goes over them again only when that class changes. On the UCR
sets the series of another class than the nearest are the ones most bounds discard, so
this roughly halves the DTW computed where the bounds are loose (``benchmarks/dtw_knn.py``).

The learned window follows the UCR archive: leave-one-out 1-NN error on the training set
for bands of 0..100% of the length, the smallest band with the least error wins. Going from
the widest band down, a series keeps its nearest neighbour as long as the optimal path
to it fits in the narrower band (its distance is then unchanged while every other can
only grow), so the search runs again only for the few series whose path leaves the band
(Tan, Petitjean & Webb 2018, "Efficient search of the best warping window for dynamic
time warping", SDM).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from tsclassic.neighbors._checks import Packed

# LB_PAA segments: more make the bound tighter and dearer. Measured best over the UCR
# sets in data/ (benchmarks/dtw_knn.py): about 16 of at least 4 points each under a band;
# at a zero band, where a distance costs little (one query at a time, as in learning the
# window), about 24 of at least 1 point (and the first pass on segments four times longer).
N_SEGMENTS, MIN_SEGMENT = 16, 4
N_SEGMENTS_ZERO_BAND, MIN_SEGMENT_ZERO_BAND = 24, 1

# Screened distances computed at once (a block of queries times the training set): 8 MB.
SCREEN_ENTRIES = 2**20

# The kernels' "no labels": find the neighbours themselves, not only the nearest one's class.
_NO_LABELS = np.empty(0, dtype=np.int64)


def knn_search(
    queries: Packed | None, train: Packed, window: float, k: int, n_jobs: int | None,
    brute: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Squared DTW distances and indices (n_queries, k) of the k nearest training series,
    nearest first, ties to the first; ``queries=None`` is the training set leaving each
    series out. ``brute`` computes every distance instead (the reference for tests)."""
    return _run_search(queries, train, window, k, n_jobs, brute, _NO_LABELS)


def nearest_labels(
    queries: Packed, train: Packed, labels: np.ndarray, window: float, n_jobs: int | None,
) -> np.ndarray:
    """The label (of ``labels``, int64, one per training series) of each query's nearest
    training series under DTW: 1-NN classification, exactly as brute force, ties to the
    first series. Knowing the class only, the search skips series of the class of the
    nearest so far; they could change which series is nearest, not its class (except
    where ``euclidean_norms`` applies: the screened search finds the nearest itself)."""
    labels = np.ascontiguousarray(labels, dtype=np.int64)
    _, idx = _run_search(queries, train, window, 1, n_jobs, False, labels)
    return labels[idx[:, 0]]


def _run_search(
    queries: Packed | None, train: Packed, window: float, k: int, n_jobs: int | None,
    brute: bool, labels: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    from tsclassic.neighbors._kernels import brute_block, knn_block

    loo = queries is None
    q = train if loo else queries
    seg = segment_length(train, window)
    norms = None if brute else euclidean_norms(q, train, window)

    def block(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if brute:
            return brute_block(q.flat, q.offsets, rows, train.flat, train.offsets, window, k, loo)
        if norms is not None:
            return screened_block(q, train, rows, k, loo, *norms)
        return knn_block(q.flat, q.offsets, rows, train.flat, train.offsets, window, k, loo, seg,
                         labels)

    return run_blocks(block, q.n, n_jobs)


def euclidean_norms(
    queries: Packed, train: Packed, window: float,
) -> tuple[np.ndarray, np.ndarray] | None:
    """The squared norms of queries and training series where the DTW is the Euclidean
    distance (a zero band, every series of one length) and can be screened from dot
    products (no square overflows); ``None`` elsewhere."""
    from tsclassic.neighbors._kernels import band_radius

    length = int(train.lengths[0])
    if not (queries.equal_length and train.equal_length and queries.lengths[0] == length
            and band_radius(length, length, window) == 0):
        return None
    with np.errstate(over="ignore", invalid="ignore"):
        q_sq, t_sq = (np.einsum("ij,ij->i", m, m) for m in (_rows(queries), _rows(train)))
        if not np.isfinite(q_sq.max() + t_sq.max()):
            return None
    return q_sq, t_sq


def screened_block(
    queries: Packed, train: Packed, rows: np.ndarray, k: int, loo: bool, q_sq: np.ndarray,
    t_sq: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """``knn_block`` where ``euclidean_norms`` applies: the squared distances of a block
    of queries to every training series come from one matrix product, |q|^2 + |t|^2 -
    2 q.t, and only the series that rounding leaves near the k-th are measured in full
    (``screened_rows``). A matrix product runs at the machine's full speed (BLAS), which
    a search that abandons each distance early cannot."""
    from tsclassic.neighbors._kernels import screened_rows

    query_rows, train_rows = _rows(queries), _rows(train)
    # Both the screened distance and euclidean_sq's come from sums of s = length * channels
    # products: each within (2s + 5) u (|q|^2 + |t|^2) of the exact distance, u = eps / 2,
    # in any order of summation, with or without fused multiply-adds (Higham 2002, section
    # 3.1), so within (2s + 5) eps (...) of each other; with room to spare:
    rounding = (8 * train_rows.shape[1] + 32) * np.finfo(np.float64).eps
    dist = np.empty((rows.size, k))
    idx = np.empty((rows.size, k), dtype=np.int64)
    step = max(1, SCREEN_ENTRIES // train.n)
    for start in range(0, rows.size, step):
        part = rows[start : start + step]
        products = query_rows[part] @ train_rows.T
        approx = q_sq[part, None] + t_sq - 2.0 * products
        screened_rows(queries.flat, queries.offsets, part, loo, train.flat, train.offsets, approx,
                      q_sq[part], t_sq, rounding, k, dist[start : start + step],
                      idx[start : start + step])
    return dist, idx


def _rows(packed: Packed) -> np.ndarray:
    """Series of one length as the rows of a matrix (n, length * channels): a view."""
    return packed.flat.reshape(packed.n, -1)


def learn_window_neighbours(train: Packed, windows: np.ndarray) -> np.ndarray:
    """Leave-one-out nearest neighbour of each training series at each window of
    ``windows`` (sorted widest first): an array (n_windows, n_series)."""
    from tsclassic.neighbors._kernels import loo_neighbours

    windows = np.asarray(windows, dtype=np.float64)
    return loo_neighbours(train.flat, train.offsets, windows, segment_length(train, 1.0))


def segment_length(train: Packed, window: float) -> int:
    """Points per segment of the LB_PAA bound for series like those of ``train``."""
    from tsclassic.neighbors._kernels import band_radius

    typical = int(train.lengths[0] if train.equal_length else np.median(train.lengths))
    if band_radius(typical, typical, window) == 0:
        return max(MIN_SEGMENT_ZERO_BAND, typical // N_SEGMENTS_ZERO_BAND)
    return max(MIN_SEGMENT, typical // N_SEGMENTS)


def run_blocks(fn: Callable[[np.ndarray], object], n_rows: int, n_jobs: int | None) -> object:
    """Run ``fn(rows)`` over blocks of row indices in threads; concatenate the results.

    The kernels release the GIL, so threads run in parallel without copying the data.
    """
    from joblib import effective_n_jobs

    n_threads = 1 if n_jobs is None else min(effective_n_jobs(n_jobs), max(n_rows, 1))
    rows = np.arange(n_rows, dtype=np.int64)
    if n_threads <= 1:
        return fn(rows)
    from concurrent.futures import ThreadPoolExecutor

    # A few blocks per thread balance queries that prune well against those that do not.
    blocks = [b for b in np.array_split(rows, 4 * n_threads) if b.size]
    with ThreadPoolExecutor(n_threads) as pool:
        parts = list(pool.map(fn, blocks))
    if isinstance(parts[0], tuple):
        return tuple(np.concatenate(p) for p in zip(*parts))
    return np.concatenate(parts)
