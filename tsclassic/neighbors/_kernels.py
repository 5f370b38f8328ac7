"""Every compiled kernel of tsclassic.neighbors: DTW, lower bounds, the k-NN search.

They live in one file on purpose: numba's on-disk cache (``cache=True``, so a new process
does not compile again) is keyed on the file of each function, and a kernel that calls
one from another file would keep a stale copy of it after that file changes.

Every kernel works on squared point costs and returns squared distances; the public
wrappers take the square root at the end (the tslearn / UCR convention). Series are
``(length, n_channels)`` C-contiguous float64 arrays inside; the cost of one cell is the
sum over channels of squared differences (dependent DTW).

The Sakoe-Chiba band follows tslearn's mask: for lengths ``n <= m`` the cell ``(i, j)``
is inside when ``i - r <= j <= i + (m - n) + r`` (and symmetrically), so that the band
always reaches the last cell whatever the lengths. The radius of a band given as a
fraction ``w`` of the length is ``ceil(w * max(n, m))``: with this rounding the learned
windows of the UCR archive's table come out (e.g. 3 % for Trace, 7 % for BeetleFly).
"""

from __future__ import annotations

import numpy as np
from numba import njit

_INF = np.inf


@njit(cache=True, nogil=True)
def band_radius(n: int, m: int, window: float) -> int:
    """The Sakoe-Chiba radius (in points) of a band that is ``window`` of the length."""
    # The tiny offset keeps e.g. 0.1 * 150 = 15.000000000000002 at 15, as a person means.
    return int(np.ceil(window * max(n, m) - 1e-9))


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

    Returns ``inf`` as soon as the distance is sure to exceed ``threshold`` (early
    abandoning and pruning); pass ``inf`` for the exact value.
    """
    return dtw_sq_tail(x, y, window, threshold, np.empty(0))


@njit(cache=True, nogil=True)
def dtw_sq_tail(x, y, window, threshold, tail):
    """``dtw_sq`` with pruning against ``threshold``; ``inf`` when the DTW exceeds it.

    ``tail[i]`` (length n + 1, or empty for none) must bound from below the cost of rows
    i..n-1 of any path, as the cumulated LB_Keogh terms of ``x`` do (every row holds one
    cell of the path, inside the band). A cell whose value plus the tail of the rows after
    it exceeds the threshold cannot lead to a final value below it, so each row is
    computed only from the first cell that can until the last one that can (PrunedDTW,
    Silva & Batista 2016, with the UCR suite's cumulated bound). Cells that can still lead
    below the threshold are computed exactly as without pruning, bit for bit.
    """
    n = x.shape[0]
    m = y.shape[0]
    r = band_radius(n, m, window)
    below = r + max(0, n - m)
    above = r + max(0, m - n)
    use_tail = tail.shape[0] > 0
    # The tail adds the same squares in another order: allow for rounding.
    loose = threshold * (1.0 + 1e-12)
    prev = np.full(m + 1, _INF)  # prev[j + 1] holds row i-1, column j; prev[0] is the border
    curr = np.full(m + 1, _INF)
    prev[0] = 0.0
    univariate = x.shape[1] == 1
    start = 0  # no cell left of it can lead below the threshold
    prev_hi = -1  # last column computed in the previous row
    prev_ok = -1  # last column of the previous row that can lead below the threshold
    for i in range(n):
        lo = max(i - below, start)
        band_hi = min(m - 1, i + above)
        if lo > band_hi:
            return _INF
        limit = loose - tail[i + 1] if use_tail else threshold
        curr[lo] = _INF  # the cell left of the computed range
        left = _INF
        first_ok = -1
        last_ok = -1
        j = lo
        # Cells with the previous row above them (prev[prev_hi + 2] holds inf).
        stop = min(band_hi, prev_hi + 1)
        while j <= stop:
            best = prev[j]
            if prev[j + 1] < best:
                best = prev[j + 1]
            if left < best:
                best = left
            if univariate:
                d = x[i, 0] - y[j, 0]
                left = d * d + best
            else:
                left = _cost(x, i, y, j) + best
            curr[j + 1] = left
            if left <= limit:
                if first_ok < 0:
                    first_ok = j
                last_ok = j
            elif j > prev_ok:
                break  # every cell to the right comes from cells that cannot lead below
            j += 1
        if j > stop:
            # Past the previous row's range: only the left neighbour feeds a cell.
            while j <= band_hi:
                if univariate:
                    d = x[i, 0] - y[j, 0]
                    left = d * d + left
                else:
                    left = _cost(x, i, y, j) + left
                curr[j + 1] = left
                if left > limit:
                    break
                if first_ok < 0:
                    first_ok = j
                last_ok = j
                j += 1
        last = min(j, band_hi)
        if first_ok < 0:
            return _INF
        if last + 2 <= m:
            curr[last + 2] = _INF  # the cell right of the computed range
        start, prev_hi, prev_ok = first_ok, last, last_ok
        prev, curr = curr, prev
    if prev_hi == m - 1 and prev[m] <= threshold:
        return prev[m]
    return _INF


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


# -- lower bounds ----------------------------------------------------------------

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


@njit(cache=True, nogil=True, inline="always")
def keogh_point(x, lower, upper, i):
    """The LB_Keogh term of point ``i``: its squared distance outside the envelope."""
    total = 0.0
    for c in range(x.shape[1]):
        v = x[i, c]
        if v > upper[i, c]:
            d = v - upper[i, c]
            total += d * d
        elif v < lower[i, c]:
            d = lower[i, c] - v
            total += d * d
    return total


@njit(cache=True, nogil=True)
def keogh_sq(x, lower, upper, threshold):
    """Squared LB_Keogh of ``x`` against an envelope; stops once above ``threshold``."""
    total = 0.0
    for i in range(x.shape[0]):
        total += keogh_point(x, lower, upper, i)
        if total > threshold:
            return total
    return total


@njit(cache=True, nogil=True)
def keogh_tail(x, lower, upper, tail):
    """``tail[i]``: the LB_Keogh terms of ``x`` from position i to the end (tail[n] = 0)."""
    n = x.shape[0]
    tail[n] = 0.0
    for i in range(n - 1, -1, -1):
        tail[i] = tail[i + 1] + keogh_point(x, lower, upper, i)


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


# -- exact k-NN search and the learned window --------------------------------------

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
    # Upper bound of the k-th distance: the k-th smallest Euclidean distance (the DTW
    # along the diagonal), each abandoned once above the k-th smallest so far.
    ub = np.full(k, _INF)
    ub_i = np.full(k, -1, dtype=np.int64)
    n_equal = 0
    for j in range(n_train):
        if j != exclude and t_off[j + 1] - t_off[j] == n:
            n_equal += 1
            t = t_flat[t_off[j] : t_off[j + 1]]
            total = 0.0
            for i in range(n):
                d = 0.0
                for c in range(q.shape[1]):
                    e = q[i, c] - t[i, c]
                    d += e * e
                total = d + total  # the same sum, in the same order, as dtw_sq's diagonal
                if total > ub[k - 1]:
                    break
            if total < ub[k - 1]:  # an equal one comes later: the first series keeps it
                pos = k - 1
                while pos > 0 and ub[pos - 1] > total:
                    ub[pos] = ub[pos - 1]
                    ub_i[pos] = ub_i[pos - 1]
                    pos -= 1
                ub[pos] = total
                ub_i[pos] = j
    if band_radius(n, n, window) == 0 and n_equal == n_train - (exclude >= 0):
        # A zero band on equal lengths: the DTW is this Euclidean distance, bit for bit.
        best_d[:] = ub
        best_i[:] = ub_i
        return
    threshold = ub[k - 1]
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
    tail = np.empty(n + 1 if not full else 0)
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
            keogh_tail(q, t_lower[a:b], t_upper[a:b], tail)
            d = dtw_sq_tail(q, t, window, threshold, tail)
        else:
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
