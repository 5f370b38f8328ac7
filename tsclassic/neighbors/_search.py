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

Independent DTW (each channel warped on its own, the sum of the channels' squared DTW) packs
each channel as a series of its own (``pack_channels``): a training item is then C packed
series, its bound the sum of theirs (each a lower bound of its channel's DTW, so the sum
bounds the sum) and its distance the sum of theirs, each computed against what the
threshold leaves after the channels before it. Every step stays exact; only the
Euclidean shortcuts (which sum over the channels in another order) are left to
dependent DTW.

The search index (``Index``: the packed training series, their envelopes, LB_Kim
statistics and segment means at one window) is built once, at fit.

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
from typing import NamedTuple

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


class Index(NamedTuple):
    """What the search needs of the training series at one window, computed once (at fit).

    Series are packed back to back (``flat`` (total_length, C), ``offsets``); an item (a
    training series as the search sees it) is ``split`` consecutive packed series: 1 for
    dependent DTW (one packed series, every channel), C for independent DTW (one packed
    one-channel series per channel). Segment means of packed series s are rows
    ``seg_off[s]:seg_off[s + 1]`` of ``means`` and of its envelope's, ``coarse_off`` and
    ``coarse_means`` the same over segments ``COARSE`` times longer. A named tuple: numba
    compiles it to a plain tuple and the kernels read its fields by name.
    """

    flat: np.ndarray
    offsets: np.ndarray
    lower: np.ndarray  # Keogh envelope of every packed series (the series at a zero band)
    upper: np.ndarray
    stats: np.ndarray  # (n_packed, 4, C): first, last, min, max (LB_Kim)
    seg_off: np.ndarray
    means: np.ndarray
    lower_means: np.ndarray
    upper_means: np.ndarray
    coarse_off: np.ndarray
    coarse_means: np.ndarray
    window: float  # the Sakoe-Chiba band, a fraction of the length
    seg: int  # points per LB_PAA segment
    split: int  # packed series per item
    shortest: int  # the shortest and longest packed series
    longest: int

    @property
    def n_items(self) -> int:
        return (len(self.offsets) - 1) // self.split


def segment_offsets(lengths: np.ndarray, seg: int) -> np.ndarray:
    """Start rows of each packed series' segment means, for segments of ``seg`` points."""
    out = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum((lengths + seg - 1) // seg, out=out[1:])
    return out


def build_index(train: Packed, window: float, split: int = 1, seg: int | None = None) -> Index:
    """The search index of ``train`` (items of ``split`` packed series) at ``window``;
    ``seg`` defaults to ``segment_length``.

    """
    from tsclassic.neighbors._kernels import COARSE, band_radius

    flat, offsets, lengths = train.flat, train.offsets, train.lengths
    seg = segment_length(train, window) if seg is None else int(seg)
    longest = int(lengths.max())
    # A zero band for every series: the envelopes are the series themselves.
    zero_band = band_radius(longest, longest, window) == 0
    lower, upper = (flat, flat) if zero_band else (np.empty_like(flat), np.empty_like(flat))
    seg_off = segment_offsets(lengths, seg)
    coarse_off = segment_offsets(lengths, COARSE * seg)
    cols = flat.shape[1]
    means, coarse_means = np.empty((seg_off[-1], cols)), np.empty((coarse_off[-1], cols))
    lower_means, upper_means = (means, means) if zero_band else (
        np.empty((seg_off[-1], cols)), np.empty((seg_off[-1], cols)))
    index = Index(
        flat, offsets, lower, upper, np.empty((train.n, 4, cols)), seg_off, means, lower_means,
        upper_means, coarse_off, coarse_means, float(window), seg, int(split),
        int(lengths.min()), longest,
    )
    _fill_index(index, zero_band)
    return index


def _fill_index(index: Index, zero_band: bool) -> None:
    """Fill the arrays of ``index`` from its packed series: each one's LB_Kim statistics
    (first, last, min, max), unless ``zero_band`` its envelope, and the segment means of
    the series (over segments of ``index.seg`` points and ``COARSE`` times longer) and of
    its envelope. The search's queries get theirs from this function too, so that both
    sides agree to the bit (which the bounds of exact ties need).

    NumPy around two small kernels (the envelope of a band narrower than the series, and
    the segment sums): one kernel filling the whole index was a second of compilation on
    a first call (``benchmarks/cold_start.py``), these two a tenth each.

    Segment means: over consecutive segments of w points (the last may be shorter), each
    times the square root of its length: the piecewise aggregate approximation, scaled so
    that ``paa_keogh_sq`` needs no weights.
    """
    from tsclassic.neighbors._kernels import COARSE, band_radius, envelope_kernel, segment_means

    flat, offsets = index.flat[: index.offsets[-1]], index.offsets
    starts, ends = offsets[:-1], offsets[1:]
    stats = index.stats
    stats[:, 0] = flat[starts]
    stats[:, 1] = flat[ends - 1]
    stats[:, 2] = np.minimum.reduceat(flat, starts, axis=0)
    stats[:, 3] = np.maximum.reduceat(flat, starts, axis=0)
    lengths = ends - starts
    if not zero_band:
        unique, which = np.unique(lengths, return_inverse=True)
        radii = np.array([band_radius(n, n, index.window) for n in unique.tolist()])[which]
        if np.all(radii >= lengths - 1):
            # The band holds every point of the series: the envelope is its min and max.
            index.lower[: offsets[-1]] = np.repeat(stats[:, 2], lengths, axis=0)
            index.upper[: offsets[-1]] = np.repeat(stats[:, 3], lengths, axis=0)
        else:
            envelope_kernel(flat, offsets, radii, index.lower, index.upper,
                            np.empty((2, index.longest), dtype=np.int64))
    seg = index.seg
    parts = [(flat, seg, index.means, index.seg_off),
             (flat, COARSE * seg, index.coarse_means, index.coarse_off)]
    if not zero_band:  # (at a zero band the envelope is the series, its means the series')
        parts += [(index.lower, seg, index.lower_means, index.seg_off),
                  (index.upper, seg, index.upper_means, index.seg_off)]
    for source, width, out, seg_off in parts:
        owner = np.repeat(np.arange(len(lengths)), np.diff(seg_off))
        lo = starts[owner] + (np.arange(seg_off[-1]) - seg_off[owner]) * width
        hi = np.minimum(lo + width, ends[owner])
        # A kernel: summed in order, as before (np.add.reduceat sums pairwise), and faster
        # than NumPy point by point.
        segment_means(source, lo, hi, out)


def knn_search(
    queries: Packed | None, index: Index, k: int, n_jobs: int | None, brute: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Squared DTW distances and indices (n_queries, k) of the k nearest training items,
    nearest first, ties to the first; ``queries`` (packed as the index, ``split`` series
    per item), ``None`` for the training set leaving each item out. ``brute`` computes
    every distance instead (the reference for tests)."""
    return _run_search(queries, index, k, n_jobs, brute, _NO_LABELS)


def nearest_labels(
    queries: Packed | None, index: Index, labels: np.ndarray, n_jobs: int | None,
) -> np.ndarray:
    """The label (of ``labels``, int64, one per training item) of each query's nearest
    training item under DTW: 1-NN classification, exactly as brute force, ties to the
    first item. Knowing the class only, the search skips items of the class of the
    nearest so far; they could change which item is nearest, not its class (except
    where ``euclidean_norms`` applies: the screened search finds the nearest itself)."""
    labels = np.ascontiguousarray(labels, dtype=np.int64)
    _, idx = _run_search(queries, index, 1, n_jobs, False, labels)
    return labels[idx[:, 0]]


def _run_search(
    queries: Packed | None, index: Index, k: int, n_jobs: int | None, brute: bool,
    labels: np.ndarray, rows: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The search of ``knn_search`` for the query items ``rows`` (default: all)."""
    from tsclassic.neighbors import _kernels

    loo = queries is None
    q_flat, q_off = (index.flat, index.offsets) if loo else (queries.flat, queries.offsets)
    q_lengths = np.diff(q_off)
    n_queries = len(q_lengths) // index.split
    norms = None if brute else euclidean_norms(queries, index)
    # Python picks the kernel, so that a call compiles only the one it runs.
    if brute:
        def block(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            return _kernels.brute_rows(q_flat, q_off, rows, index.flat, index.offsets,
                                       index.window, k, loo, index.split)
    elif norms is not None:
        def block(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            return screened_block(q_flat, q_off, index, rows, k, loo, *norms)
    else:
        rows_kernel = (_kernels.euclidean_rows if _euclidean(q_lengths, index)
                       else _kernels.dtw_rows)
        # The queries' envelopes, LB_Kim statistics and segment means, by the kernel that
        # filled the index's (both sides agree to the bit, which exact ties need).
        q_index = index if loo else build_index(queries, index.window, index.split, index.seg)

        def block(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            dist = np.empty((rows.size, k))
            idx = np.empty((rows.size, k), dtype=np.int64)
            if rows_kernel is _kernels.dtw_rows:
                rows_kernel(q_index, rows, loo, index, k, labels, dist, idx,
                            np.empty(dtw_work_size(q_index, index)),
                            np.empty(index.n_items, dtype=np.int64))
            else:
                rows_kernel(q_index, rows, loo, index, k, labels, dist, idx)
            return dist, idx

    return run_blocks(block, np.arange(n_queries) if rows is None else rows, n_jobs)


def dtw_work_size(queries: Index, index: Index) -> int:
    """The length of ``dtw_rows``' float work array: a bound per training item, two
    cumulated LB_Keogh tails of a query and two DTW rows."""
    return index.n_items + 2 * queries.longest + 2 * max(queries.longest, index.longest) + 6


def _euclidean(q_lengths: np.ndarray, index: Index) -> bool:
    """Whether the DTW is the Euclidean distance: a zero band, every series (queries and
    training) of one length, dependent DTW (``split == 1``)."""
    from tsclassic.neighbors._kernels import band_radius

    length = index.shortest
    return bool(index.split == 1 and index.longest == length and np.all(q_lengths == length)
                and band_radius(length, length, index.window) == 0)


def euclidean_norms(
    queries: Packed | None, index: Index,
) -> tuple[np.ndarray, np.ndarray] | None:
    """The squared norms of queries (``None``: the training series) and training series
    where the DTW is the Euclidean distance (``_euclidean``) and can be screened from dot
    products (no square overflows); ``None`` elsewhere."""
    q_flat, q_off = (index.flat, index.offsets) if queries is None else (queries.flat,
                                                                          queries.offsets)
    if not _euclidean(np.diff(q_off), index):
        return None
    with np.errstate(over="ignore", invalid="ignore"):
        q_sq, t_sq = (np.einsum("ij,ij->i", m, m) for m in (_rows(q_flat, q_off),
                                                             _rows(index.flat, index.offsets)))
        if not np.isfinite(q_sq.max() + t_sq.max()):
            return None
    return q_sq, t_sq


def screened_block(
    q_flat: np.ndarray, q_off: np.ndarray, index: Index, rows: np.ndarray, k: int, loo: bool,
    q_sq: np.ndarray, t_sq: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The search where ``euclidean_norms`` applies: the squared distances of a block of
    queries to every training series come from one matrix product, |q|^2 + |t|^2 -
    2 q.t, and only the series that rounding leaves near the k-th are measured in full
    (``screened_rows``). A matrix product runs at the machine's full speed (BLAS), which
    a search that abandons each distance early cannot."""
    from tsclassic.neighbors._kernels import screened_rows

    query_rows, train_rows = _rows(q_flat, q_off), _rows(index.flat, index.offsets)
    # Both the screened distance and euclidean_sq's come from sums of s = length * channels
    # products: each within (2s + 5) u (|q|^2 + |t|^2) of the exact distance, u = eps / 2,
    # in any order of summation, with or without fused multiply-adds (Higham 2002, section
    # 3.1), so within (2s + 5) eps (...) of each other; with room to spare:
    rounding = (8 * train_rows.shape[1] + 32) * np.finfo(np.float64).eps
    dist = np.empty((rows.size, k))
    idx = np.empty((rows.size, k), dtype=np.int64)
    step = max(1, SCREEN_ENTRIES // index.n_items)
    for start in range(0, rows.size, step):
        part = rows[start : start + step]
        products = query_rows[part] @ train_rows.T
        approx = q_sq[part, None] + t_sq - 2.0 * products
        screened_rows(q_flat, q_off, part, loo, index.flat, index.offsets, approx, q_sq[part],
                      t_sq, rounding, k, dist[start : start + step], idx[start : start + step])
    return dist, idx


def _rows(flat: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Packed series of one length as the rows of a matrix (n, length * channels): a view."""
    return flat.reshape(len(offsets) - 1, -1)


def learn_window_neighbours(train: Packed, windows: np.ndarray, split: int = 1) -> np.ndarray:
    """Leave-one-out nearest neighbour of each training item (``split`` packed series
    each) at each window of ``windows`` (sorted widest first): an array (n_windows,
    n_items). Going from the widest band down, an item keeps its nearest neighbour as
    long as the optimal path to it (every part's) fits in the narrower band: its distance
    is then unchanged while every other can only grow."""
    from tsclassic.neighbors._kernels import loo_stale, path_needs

    windows = np.asarray(windows, dtype=np.float64)
    n = train.n // split
    out = np.empty((len(windows), n), dtype=np.int64)
    nn = np.full(n, -1, dtype=np.int64)
    need = np.zeros(n, dtype=np.int64)
    seg = segment_length(train, 1.0)
    for w, window in enumerate(windows):
        rows = np.flatnonzero(loo_stale(train.offsets, split, window, nn, need))
        if rows.size:
            index = build_index(train, window, split, seg)
            _, idx = _run_search(None, index, 1, None, False, _NO_LABELS, rows)
            nn[rows] = idx[:, 0]
            path_needs(index, rows, nn, need)
        out[w] = nn
    return out


def segment_length(train: Packed, window: float) -> int:
    """Points per segment of the LB_PAA bound for series like those of ``train``."""
    from tsclassic.neighbors._kernels import band_radius

    typical = int(train.lengths[0] if train.equal_length else np.median(train.lengths))
    if band_radius(typical, typical, window) == 0:
        return max(MIN_SEGMENT_ZERO_BAND, typical // N_SEGMENTS_ZERO_BAND)
    return max(MIN_SEGMENT, typical // N_SEGMENTS)


def run_blocks(fn: Callable[[np.ndarray], object], rows: np.ndarray | int,
               n_jobs: int | None) -> object:
    """Run ``fn(rows)`` over blocks of the row indices ``rows`` (an int: that many) in
    threads; concatenate the results.

    The kernels release the GIL, so threads run in parallel without copying the data.
    """
    from joblib import effective_n_jobs

    rows = np.arange(rows) if np.isscalar(rows) else rows
    rows = np.ascontiguousarray(rows, dtype=np.int64)
    n_threads = 1 if n_jobs is None else min(effective_n_jobs(n_jobs), max(rows.size, 1))
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
