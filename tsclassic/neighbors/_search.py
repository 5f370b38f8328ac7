"""Exact k-nearest-neighbour search under DTW, and the learned Sakoe-Chiba window.

For each query the search (1) bounds every training series from above by its Euclidean
distance (the DTW with a zero band, never below the DTW with a wider band) and from below
by LB_Kim then LB_Keogh against the training envelope, (2) visits the candidates in order
of their lower bound and stops when the bound passes the k-th best distance so far, (3)
tries the reversed LB_Keogh (the query's envelope), and (4) runs the DTW recursion with
early abandoning against the k-th best. Every step discards only series whose distance
is provably larger, so the result is that of brute force, ties to the first training
series included.

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
from numba import njit

from tsclassic.neighbors._kernels import (
    backtrack,
    band_radius,
    dtw_matrix,
    dtw_sq,
    path_radius,
)
from tsclassic.neighbors._lower_bounds import envelope_kernel, keogh_sq, kim_sq, series_stats

_INF = np.inf
# A bound prunes a candidate only when it exceeds the threshold by more than rounding
# (the bound and the DTW add the same squares in different orders).
_SLACK = 1.0 + 1e-12


@njit(cache=True, nogil=True)
def train_envelopes(flat, offsets, window):
    """Keogh envelopes of every packed series at ``window`` (each with its own radius)."""
    lower = np.empty_like(flat)
    upper = np.empty_like(flat)
    for s in range(offsets.shape[0] - 1):
        a, b = offsets[s], offsets[s + 1]
        r = band_radius(b - a, b - a, window)
        envelope_kernel(flat[a:b], r, lower[a:b], upper[a:b])
    return lower, upper


@njit(cache=True, nogil=True)
def train_stats(flat, offsets):
    n = offsets.shape[0] - 1
    out = np.empty((n, 4, flat.shape[1]))
    for s in range(n):
        out[s] = series_stats(flat[offsets[s] : offsets[s + 1]])
    return out


@njit(cache=True, nogil=True)
def _insert(best_d, best_i, d, j):
    """Insert candidate ``j`` at distance ``d`` into the sorted k-best lists, if it fits."""
    k = best_d.shape[0]
    if d > best_d[k - 1] or (d == best_d[k - 1] and j > best_i[k - 1] >= 0):
        return
    pos = k - 1
    while pos > 0 and (best_d[pos - 1] > d or (best_d[pos - 1] == d and best_i[pos - 1] > j)):
        best_d[pos] = best_d[pos - 1]
        best_i[pos] = best_i[pos - 1]
        pos -= 1
    best_d[pos] = d
    best_i[pos] = j


@njit(cache=True, nogil=True)
def query(q, t_flat, t_off, t_lower, t_upper, t_stats, window, k, exclude, best_d, best_i):
    """The ``k`` nearest training series of ``q`` (squared distances into ``best_*``)."""
    n_train = t_off.shape[0] - 1
    n = q.shape[0]
    full = band_radius(n, n, window) >= n - 1  # envelopes are then the global min/max
    q_stats = series_stats(q)
    q_lower = np.empty_like(q)
    q_upper = np.empty_like(q)
    envelope_kernel(q, band_radius(n, n, window), q_lower, q_upper)
    best_d[:] = _INF
    best_i[:] = -1
    # Upper bounds: the Euclidean distance is the DTW along the diagonal.
    ub = np.full(n_train, _INF)
    for j in range(n_train):
        if j != exclude and t_off[j + 1] - t_off[j] == n:
            t = t_flat[t_off[j] : t_off[j + 1]]
            total = 0.0
            for i in range(n):
                d = 0.0
                for c in range(q.shape[1]):
                    e = q[i, c] - t[i, c]
                    d += e * e
                total = d + total
            ub[j] = total
    threshold = np.sort(ub)[k - 1] if n_train >= k else _INF
    lb = np.full(n_train, _INF)
    for j in range(n_train):
        if j == exclude:
            continue
        m = t_off[j + 1] - t_off[j]
        bound = kim_sq(q_stats, t_stats[j], n == 1 and m == 1)
        if bound <= threshold * _SLACK and m == n and not full:
            a, b = t_off[j], t_off[j + 1]
            bound = max(bound, keogh_sq(q, t_lower[a:b], t_upper[a:b], threshold * _SLACK))
        lb[j] = bound
    order = np.argsort(lb, kind="mergesort")
    for j in order:
        if j == exclude:
            continue
        if lb[j] > threshold * _SLACK:
            break
        a, b = t_off[j], t_off[j + 1]
        t = t_flat[a:b]
        if b - a == n and not full:
            if keogh_sq(t, q_lower, q_upper, threshold * _SLACK) > threshold * _SLACK:
                continue
        d = dtw_sq(q, t, window, threshold)
        if d <= threshold:
            _insert(best_d, best_i, d, j)
            if best_i[k - 1] >= 0 and best_d[k - 1] < threshold:
                threshold = best_d[k - 1]


@njit(cache=True, nogil=True)
def knn_block(q_flat, q_off, rows, t_flat, t_off, window, k, loo):
    """k nearest neighbours of the query series ``rows``; ``loo`` skips the query itself
    (the queries are then the training series)."""
    t_lower, t_upper = train_envelopes(t_flat, t_off, window)
    t_stats = train_stats(t_flat, t_off)
    dist = np.empty((rows.shape[0], k))
    idx = np.empty((rows.shape[0], k), dtype=np.int64)
    for a in range(rows.shape[0]):
        i = rows[a]
        q = q_flat[q_off[i] : q_off[i + 1]]
        exclude = i if loo else -1
        query(q, t_flat, t_off, t_lower, t_upper, t_stats, window, k, exclude, dist[a], idx[a])
    return dist, idx


@njit(cache=True, nogil=True)
def brute_block(q_flat, q_off, rows, t_flat, t_off, window, k, loo):
    """The same answer as ``knn_block`` by computing every distance (for tests/benchmarks)."""
    n_train = t_off.shape[0] - 1
    dist = np.empty((rows.shape[0], k))
    idx = np.empty((rows.shape[0], k), dtype=np.int64)
    for a in range(rows.shape[0]):
        i = rows[a]
        q = q_flat[q_off[i] : q_off[i + 1]]
        all_d = np.full(n_train, _INF)
        for j in range(n_train):
            if not (loo and j == i):
                all_d[j] = dtw_sq(q, t_flat[t_off[j] : t_off[j + 1]], window, _INF)
        order = np.argsort(all_d, kind="mergesort")[:k]
        dist[a] = all_d[order]
        idx[a] = order
    return dist, idx


@njit(cache=True, nogil=True)
def _path_need(q, t, window):
    acc = dtw_matrix(q, t, window)
    return path_radius(backtrack(acc), q.shape[0], t.shape[0])


@njit(cache=True, nogil=True)
def loo_neighbours(flat, offsets, windows):
    """Leave-one-out nearest neighbour of every series at each of ``windows`` (widest
    first): an array (n_windows, n_series) of training indices."""
    n = offsets.shape[0] - 1
    out = np.empty((windows.shape[0], n), dtype=np.int64)
    nn = np.full(n, -1, dtype=np.int64)
    need = np.zeros(n, dtype=np.int64)
    one_d = np.empty(1)
    one_i = np.empty(1, dtype=np.int64)
    stats = train_stats(flat, offsets)
    for w in range(windows.shape[0]):
        window = windows[w]
        envelopes_ready = False
        lower = np.empty((0, 0))
        upper = np.empty((0, 0))
        for i in range(n):
            q = flat[offsets[i] : offsets[i + 1]]
            j = nn[i]
            if j >= 0:
                m = offsets[j + 1] - offsets[j]
                if need[i] <= band_radius(q.shape[0], m, window):
                    continue  # the optimal path fits: same neighbour, same distance
            if not envelopes_ready:
                lower, upper = train_envelopes(flat, offsets, window)
                envelopes_ready = True
            query(q, flat, offsets, lower, upper, stats, window, 1, i, one_d, one_i)
            j = one_i[0]
            nn[i] = j
            need[i] = _path_need(q, flat[offsets[j] : offsets[j + 1]], window)
        out[w] = nn
    return out


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
