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
    """The squared distance between point i of ``x`` and point j of ``y``."""
    if x.shape[1] == 1:
        d = x[i, 0] - y[j, 0]
        return d * d
    total = 0.0
    for c in range(x.shape[1]):
        d = x[i, c] - y[j, c]
        total += d * d
    return total


@njit(cache=True, nogil=True, inline="always")
def _cell(x, i, y, j, diagonal, above, left):
    """The accumulated cost of cell (i, j) from those of its three predecessors."""
    best = diagonal
    if above < best:
        best = above
    if left < best:
        best = left
    return _cost(x, i, y, j) + best


@njit(cache=True, nogil=True)
def dtw_sq(x, y, window, threshold):
    """Squared DTW between ``x`` (n, C) and ``y`` (m, C) in O(m) memory.

    Returns ``inf`` as soon as the distance is sure to exceed ``threshold`` (early
    abandoning and pruning); pass ``inf`` for the exact value.
    """
    n = x.shape[0]
    m = y.shape[0]
    prev = np.empty(m + 2)
    curr = np.empty(m + 2)
    if threshold == _INF:
        return dtw_sq_plain(x, y, window, prev, curr)
    return dtw_sq_bounded(x, y, window, threshold, np.zeros(n + 1), prev, curr)


@njit(cache=True, nogil=True)
def dtw_sq_plain(x, y, window, prev, curr):
    """Squared DTW with every cell of the band computed (no pruning): the brute force.

    ``prev`` and ``curr`` are work rows of at least m + 1 values.
    """
    n = x.shape[0]
    m = y.shape[0]
    r = band_radius(n, m, window)
    below = r + max(0, n - m)
    above = r + max(0, m - n)
    prev[: m + 1] = _INF  # prev[j + 1] holds row i-1, column j; prev[0] is the border
    prev[0] = 0.0
    curr[: m + 1] = _INF
    for i in range(n):
        lo = max(0, i - below)
        hi = min(m - 1, i + above)
        curr[lo] = _INF
        left = _INF
        for j in range(lo, hi + 1):
            left = _cell(x, i, y, j, prev[j], prev[j + 1], left)
            curr[j + 1] = left
        prev, curr = curr, prev
    return prev[m]


@njit(cache=True, nogil=True)
def dtw_sq_bounded(x, y, window, threshold, tail, prev, curr):
    """Squared DTW pruned against ``threshold``: ``inf`` once it is sure to exceed it.

    ``tail[i]`` must bound from below the cost of rows i..n-1 of any path, as the
    cumulated LB_Keogh terms of ``x`` against the envelope of ``y`` do (every row holds
    one cell of the path, inside the band); zeros bound nothing. A cell whose value plus
    the tail of the rows after it exceeds the threshold cannot lead below it, so each
    row is computed only from the first cell that can until the last one that can
    (PrunedDTW, Silva & Batista 2016, with the UCR suite's cumulated bound). Cells that
    can still lead below the threshold are computed exactly as without pruning, bit for
    bit. ``prev`` and ``curr`` are work rows of at least m + 2 values.
    """
    n = x.shape[0]
    m = y.shape[0]
    r = band_radius(n, m, window)
    below = r + max(0, n - m)
    above = r + max(0, m - n)
    # The tail adds the same squares in another order: allow for rounding.
    loose = threshold * (1.0 + 1e-12)
    prev[: m + 2] = _INF  # prev[j + 1] holds row i-1, column j; prev[0] is the border
    prev[0] = 0.0
    curr[: m + 2] = _INF
    start = 0  # no cell left of it can lead below the threshold
    prev_hi = -1  # last column computed in the previous row
    prev_ok = -1  # last column of the previous row that can lead below the threshold
    for i in range(n):
        # start <= prev_ok <= the previous row's band end: never beyond this row's band.
        lo = max(i - below, start)
        band_hi = min(m - 1, i + above)
        limit = loose - tail[i + 1]
        curr[lo] = _INF  # the cell left of the computed range
        left = _INF
        # Cells with the previous row above them (prev[prev_hi + 2] holds inf) ...
        stop = min(band_hi, prev_hi + 1)
        j = lo
        # ... first those left of the first one that can lead below: the next row starts
        # after them.
        while True:
            if j > stop:
                return _INF  # beyond, only cells that cannot lead below feed a cell
            left = _cell(x, i, y, j, prev[j], prev[j + 1], left)
            curr[j + 1] = left
            if left <= limit:
                break
            if j > prev_ok:
                return _INF
            j += 1
        first_ok = last_ok = j
        j += 1
        while j <= stop:
            left = _cell(x, i, y, j, prev[j], prev[j + 1], left)
            curr[j + 1] = left
            if left <= limit:
                last_ok = j
            elif j > prev_ok:
                break  # every cell to the right comes from cells that cannot lead below
            j += 1
        if j > stop:
            # Past the previous row's range: only the left neighbour feeds a cell.
            while j <= band_hi:
                left = _cost(x, i, y, j) + left
                curr[j + 1] = left
                if left > limit:
                    break
                last_ok = j
                j += 1
        last = min(j, band_hi)
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
        # At most one of the two is positive; max() keeps the loop free of branches.
        d = max(v - upper[i, c], 0.0) + max(lower[i, c] - v, 0.0)
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
def keogh_tail_sq(x, y, lower, upper, tail, threshold):
    """Squared LB_Keogh of ``x`` against the envelope of ``y`` (as long), summed from the
    end, ``tail[i]`` receiving the terms of positions i..n-1 (tail[n] = 0); stops once
    above ``threshold`` (``tail`` is then only partly filled).

    The first and the last rows count the cost of their corner cell instead, on every
    warping path and never below the envelope term."""
    n = x.shape[0]
    tail[n] = 0.0
    total = _cost(x, n - 1, y, n - 1)
    tail[n - 1] = total
    for i in range(n - 2, 0, -1):
        if total > threshold:
            return total
        total += keogh_point(x, lower, upper, i)
        tail[i] = total
    if n > 1:
        total += _cost(x, 0, y, 0)
        tail[0] = total
    return total


@njit(cache=True, nogil=True)
def segment_means(x, seg, out):
    """Means of ``x`` (L, C) over consecutive segments of ``seg`` points (the last may be
    shorter), each times the square root of its length, into ``out`` (ceil(L / seg), C):
    the piecewise aggregate approximation, scaled so that ``paa_keogh_sq`` needs no
    weights."""
    length = x.shape[0]
    for g in range((length + seg - 1) // seg):
        a = g * seg
        b = min(length, a + seg)
        for c in range(x.shape[1]):
            total = 0.0
            for i in range(a, b):
                total += x[i, c]
            out[g, c] = total / np.sqrt(b - a)


@njit(cache=True, nogil=True, inline="always")
def paa_keogh_sq(x_means, x_start, lower_means, upper_means, env_start, n_seg):
    """A lower bound of the squared LB_Keogh from segment means (LB_PAA, Keogh 2002):
    series rows ``x_start...`` against envelope rows ``env_start...`` of ``n_seg`` segments.

    Over a segment of w points, the sum of (x_i - u_i)^2 over x_i > u_i is at least
    w * (mean(x) - mean(u))^2 when mean(x) > mean(u) (Jensen: max(., 0)^2 is convex),
    and the same below the lower envelope; with a zero band (u = l = y) this is the
    bound w * (mean(x) - mean(y))^2 of the Euclidean distance.
    """
    total = 0.0
    for g in range(n_seg):
        for c in range(x_means.shape[1]):
            v = x_means[x_start + g, c]
            d = (max(v - upper_means[env_start + g, c], 0.0)
                 + max(lower_means[env_start + g, c] - v, 0.0))
            total += d * d
    return total


@njit(cache=True, nogil=True)
def series_stats(x, out):
    """Per channel first, last, min and max of ``x`` (L, C) into ``out`` (4, C)."""
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


@njit(cache=True, nogil=True, inline="always")
def kim_sq(sx, stats, j, single_cell):
    """Squared LB_Kim from the ``series_stats`` ``sx`` and ``stats[j]``.

    The first and the last cells lie on every warping path (two distinct cells unless
    both series have one point); the cell where either series reaches its minimum
    (maximum) costs at least the gap between the two minima (maxima) in that channel.
    """
    ends = 0.0
    for c in range(sx.shape[1]):
        d = sx[0, c] - stats[j, 0, c]
        ends += d * d
    if not single_cell:
        for c in range(sx.shape[1]):
            d = sx[1, c] - stats[j, 1, c]
            ends += d * d
    best = ends
    for c in range(sx.shape[1]):
        d = sx[2, c] - stats[j, 2, c]
        best = max(best, d * d)
        d = sx[3, c] - stats[j, 3, c]
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
        envelope_kernel(flat[a:b], band_radius(b - a, b - a, window), lower[a:b], upper[a:b])
    return lower, upper


@njit(cache=True, nogil=True)
def train_stats(flat, offsets):
    """``series_stats`` of every packed series: an array (n_series, 4, C)."""
    n = offsets.shape[0] - 1
    out = np.empty((n, 4, flat.shape[1]))
    for s in range(n):
        series_stats(flat[offsets[s] : offsets[s + 1]], out[s])
    return out


@njit(cache=True, nogil=True)
def segment_offsets(offsets, seg):
    """Start rows of each packed series' segment means, for segments of ``seg`` points."""
    n = offsets.shape[0] - 1
    out = np.zeros(n + 1, dtype=np.int64)
    for s in range(n):
        out[s + 1] = out[s] + (offsets[s + 1] - offsets[s] + seg - 1) // seg
    return out


# The first, coarse LB_PAA of the Euclidean search uses segments this many times longer.
COARSE = 4


@njit(cache=True, nogil=True)
def build_index(flat, offsets, window, seg):
    """What the search needs of the training series, computed once: the series, their
    envelopes, LB_Kim statistics, the segment means of series and envelopes (series s has
    rows ``g_off[s]:g_off[s + 1]``), and the means over segments four times longer."""
    longest = _max_length(offsets)
    # A zero band for every series: the envelopes are the series themselves.
    zero_band = band_radius(longest, longest, window) == 0
    if zero_band:
        lower, upper = flat, flat
    else:
        lower, upper = train_envelopes(flat, offsets, window)
    stats = train_stats(flat, offsets)
    g_off = segment_offsets(offsets, seg)
    coarse_off = segment_offsets(offsets, COARSE * seg)
    coarse_means = packed_segment_means(flat, offsets, COARSE * seg, coarse_off)
    means = packed_segment_means(flat, offsets, seg, g_off)
    if zero_band:
        lower_means, upper_means = means, means
    else:
        lower_means = packed_segment_means(lower, offsets, seg, g_off)
        upper_means = packed_segment_means(upper, offsets, seg, g_off)
    return (flat, offsets, lower, upper, stats, g_off, means, lower_means, upper_means,
            coarse_off, coarse_means)


@njit(cache=True, nogil=True)
def packed_segment_means(values, offsets, seg, seg_off):
    """``segment_means`` of every packed series of ``values``: series s has rows
    ``seg_off[s]:seg_off[s + 1]`` of the result (``segment_offsets``)."""
    n = offsets.shape[0] - 1
    out = np.empty((seg_off[n], values.shape[1]))
    for s in range(n):
        segment_means(values[offsets[s] : offsets[s + 1]], seg, out[seg_off[s] : seg_off[s + 1]])
    return out


@njit(cache=True, nogil=True)
def _insert(best_d, best_i, d, j):
    """Insert candidate ``j`` at distance ``d`` into the sorted k-best lists, if it fits.

    Empty places (index -1, distance inf) come last, even after a series at distance inf
    (where squares overflow)."""
    k = best_d.shape[0]
    if d > best_d[k - 1] or (d == best_d[k - 1] and j > best_i[k - 1] >= 0):
        return
    pos = k - 1
    while pos > 0 and (best_d[pos - 1] > d or best_i[pos - 1] < 0
                       or (best_d[pos - 1] == d and best_i[pos - 1] > j)):
        best_d[pos] = best_d[pos - 1]
        best_i[pos] = best_i[pos - 1]
        pos -= 1
    best_d[pos] = d
    best_i[pos] = j


@njit(cache=True, nogil=True)
def euclidean_sq(x, y, threshold):
    """Squared Euclidean distance of equal-length series, ``inf`` once above ``threshold``.

    The squares are added in the order of the DTW's diagonal, so that with a zero band
    the two agree bit for bit."""
    total = 0.0
    for i in range(x.shape[0]):
        d = 0.0
        for c in range(x.shape[1]):
            e = x[i, c] - y[i, c]
            d += e * e
        total = d + total
        if total > threshold:
            return _INF
    return total


@njit(cache=True, nogil=True)
def make_work(max_query, max_train, n_train, n_channels, seg):
    """Work arrays of one search thread, reused from query to query."""
    n_seg = (max_query + seg - 1) // seg
    return (
        np.empty((max_query, n_channels)),  # query envelope
        np.empty((max_query, n_channels)),
        np.empty((n_seg, n_channels)),  # query segment means, and of its envelope
        np.empty((n_seg, n_channels)),
        np.empty((n_seg, n_channels)),
        np.empty(n_train),  # lower bounds
        np.empty(n_train, dtype=np.int64),  # candidates left after the first distance
        np.empty(max_query + 1),  # the cumulated LB_Keogh both ways, from the end
        np.empty(max_query + 1),
        np.empty(max(max_query, max_train) + 2),  # DTW rows
        np.empty(max(max_query, max_train) + 2),
        np.empty((4, n_channels)),  # the query's LB_Kim statistics
        np.empty(((max_query + COARSE * seg - 1) // (COARSE * seg), n_channels)),
    )


# ``lb`` of a candidate already measured (or discarded) in the current query.
_DONE = -1.0


@njit(cache=True, nogil=True, inline="always")
def _skip(lb, labels, best_i, j):
    """Whether candidate ``j`` needs no measuring now: it has been measured already or,
    with ``labels``, it is of the nearest one's class so far (it could change which
    series is nearest, not which class). Marks it measured otherwise."""
    if lb[j] == _DONE:
        return True
    if labels.shape[0] > 0 and labels[j] == labels[best_i[0]]:
        return True
    lb[j] = _DONE
    return False


@njit(cache=True, nogil=True, inline="always")
def _visit(best_d, best_i, d, j, threshold, labels):
    """Keep candidate ``j`` at distance ``d`` if among the k best; return the new
    threshold (the k-th best distance) and whether the search must go over its
    candidates again: with ``labels``, when the nearest one's class has changed, the
    candidates skipped as of the former class must now be measured.

    Only the class of the nearest is then sure, not the series nor its distance: every
    candidate left unmeasured is of the final nearest one's class, and every other one
    has been measured against a threshold no smaller than the final nearest distance, so
    the class is that of brute force's nearest (ties to the first series included)."""
    if d > threshold:
        return threshold, False
    before = best_i[0]
    _insert(best_d, best_i, d, j)
    k = best_d.shape[0]
    if best_i[k - 1] >= 0 and best_d[k - 1] < threshold:
        threshold = best_d[k - 1]
    changed = labels.shape[0] > 0 and labels[best_i[0]] != labels[before]
    return threshold, changed


@njit(cache=True, nogil=True)
def candidate_sq(q, t, window, threshold, t_lower, t_upper, q_lower, q_upper, tail,
                 tail_reverse, prev, curr):
    """Squared DTW of query and candidate, ``inf`` once sure to exceed ``threshold``.

    Equal lengths go through LB_Keogh both ways before the DTW itself, each summed from
    the end into ``tail`` and ``tail_reverse``: the bound of the rows still to come, which
    prunes the recursion. The other arrays are work space."""
    n = q.shape[0]
    m = t.shape[0]
    if n != m:
        if threshold == _INF:
            return dtw_sq_plain(q, t, window, prev, curr)
        tail[: n + 1] = 0.0
        return dtw_sq_bounded(q, t, window, threshold, tail, prev, curr)
    if band_radius(n, n, window) == 0:
        return euclidean_sq(q, t, threshold)
    if threshold == _INF:
        return dtw_sq_plain(q, t, window, prev, curr)
    limit = threshold * _SLACK
    bound = keogh_tail_sq(q, t, t_lower, t_upper, tail, limit)
    if bound > limit:
        return _INF
    reverse = keogh_tail_sq(t, q, q_lower, q_upper, tail_reverse, limit)
    if reverse > limit:
        return _INF
    # The DTW is symmetric, bit for bit: recurse along the series whose tail is tighter.
    if reverse > bound:
        return dtw_sq_bounded(t, q, window, threshold, tail_reverse, prev, curr)
    return dtw_sq_bounded(q, t, window, threshold, tail, prev, curr)


@njit(cache=True, nogil=True, inline="always")
def _query(q_flat, q_off, rows, row, loo, dist, idx):
    """Query ``row`` of a block: the series, the training series to leave out (itself,
    with ``loo``; else -1) and its emptied rows of the results."""
    i = rows[row]
    dist[row] = _INF
    idx[row] = -1
    return q_flat[q_off[i] : q_off[i + 1]], (i if loo else -1), dist[row], idx[row]


@njit(cache=True, nogil=True, inline="always")
def bound_all(q, r, index, seg, work, shortest, longest):
    """Bound the DTW (radius ``r``) between query ``q`` and every training series of
    ``index`` from below, into ``work[5]``: LB_PAA for an equal length (both ways and with
    LB_Kim under a band), LB_Kim for another (``shortest``, ``longest``: the training
    series' lengths). Returns the query's envelope (views into ``work``)."""
    offsets, stats, g_off, means, lower_means, upper_means = (
        index[1], index[4], index[5], index[6], index[7], index[8])
    lb, q_stats = work[5], work[11]
    n = q.shape[0]
    n_seg = (n + seg - 1) // seg
    q_lower, q_upper = work[0][:n], work[1][:n]
    q_means, q_lower_means, q_upper_means = work[2][:n_seg], work[3][:n_seg], work[4][:n_seg]
    segment_means(q, seg, q_means)
    if r > 0:
        envelope_kernel(q, r, q_lower, q_upper)
        segment_means(q_lower, seg, q_lower_means)
        segment_means(q_upper, seg, q_upper_means)
    if r > 0 or n != shortest or n != longest:
        series_stats(q, q_stats)
    for j in range(offsets.shape[0] - 1):
        m = offsets[j + 1] - offsets[j]
        if m != n:
            bound = kim_sq(q_stats, stats, j, n == 1 and m == 1)
        else:
            bound = paa_keogh_sq(q_means, 0, lower_means, upper_means, g_off[j], n_seg)
            if r > 0:
                # LB_Kim adds the corner cells, which count most under a wide band.
                bound = max(bound, kim_sq(q_stats, stats, j, n == 1),
                            paa_keogh_sq(means, g_off[j], q_lower_means, q_upper_means, 0,
                                         n_seg))
        lb[j] = bound
    return q_lower, q_upper


@njit(cache=True, nogil=True)
def search_rows(q_flat, q_off, rows, loo, index, window, seg, k, labels, dist, idx, work):
    """The ``k`` nearest training series of each query series ``rows``, into ``dist`` and
    ``idx``; ``loo`` leaves the query out (the queries are then the training series).
    With ``labels`` (k = 1) only the class of the nearest is sure: see ``_visit``.

    Every training series gets a lower bound in O(length / seg): LB_PAA for an equal
    length (both ways and with LB_Kim under a band), LB_Kim for another. For k = 1 one
    series is measured first, with its Euclidean distance as the threshold for the
    pruning: the one with the smallest bound or, under a wide band, the nearest in
    Euclidean distance. Then only the series whose bound does not exceed the best
    distance so far are visited, in order of bound, each through ``candidate_sq``. A
    series is discarded only when its bound or its DTW exceeds the k-th best by more than
    rounding, and ``_insert`` breaks ties to the first series, so the answer is that of
    brute force.
    """
    # One loop over the queries here rather than a call each: passing the two tuples of
    # arrays costs more than the search itself on short series.
    flat, offsets, t_lower, t_upper = index[:4]
    n_train = offsets.shape[0] - 1
    lb, candidates = work[5], work[6]
    row_tail, tail_reverse, prev, curr = work[7], work[8], work[9], work[10]
    lengths = offsets[1:] - offsets[:-1]
    shortest, longest = lengths.min(), lengths.max()
    for row in range(rows.shape[0]):
        q, exclude, best_d, best_i = _query(q_flat, q_off, rows, row, loo, dist, idx)
        n = q.shape[0]
        r = band_radius(n, n, window)
        q_lower, q_upper = bound_all(q, r, index, seg, work, shortest, longest)
        threshold = _INF
        first = -1
        if k == 1:
            upper_bound = _INF  # the Euclidean distance of ``first``, once measured
            if 4 * r >= n:
                # A wide band leaves the envelopes and their bound loose. The Euclidean
                # distance, an upper bound of the DTW, then finds the series to measure first
                # better; its DTW is pruned against that bound.
                for j in range(n_train):
                    if j != exclude and offsets[j + 1] - offsets[j] == n:
                        d = euclidean_sq(q, flat[offsets[j] : offsets[j + 1]], upper_bound)
                        if d < upper_bound:
                            upper_bound = d
                            first = j
            if first < 0:
                for j in range(n_train):
                    if j != exclude and (first < 0 or lb[j] < lb[first]):
                        first = j
            if first < 0:
                continue
            a, b = offsets[first], offsets[first + 1]
            t = flat[a:b]
            if upper_bound == _INF and b - a == n:
                upper_bound = euclidean_sq(q, t, _INF)
            d = candidate_sq(q, t, window, upper_bound, t_lower[a:b], t_upper[a:b], q_lower,
                             q_upper, row_tail, tail_reverse, prev, curr)
            _insert(best_d, best_i, d, first)
            threshold = d
        count = 0
        for j in range(n_train):
            if j != exclude and j != first and lb[j] <= threshold * _SLACK:
                candidates[count] = j
                count += 1
        sort_by_key(candidates[:count], lb)
        pos = 0
        while pos < count:
            j = candidates[pos]
            pos += 1
            if lb[j] > threshold * _SLACK:
                break  # in order of bound: every later one is larger still
            if _skip(lb, labels, best_i, j):
                continue
            a, b = offsets[j], offsets[j + 1]
            d = candidate_sq(q, flat[a:b], window, threshold, t_lower[a:b], t_upper[a:b],
                             q_lower, q_upper, row_tail, tail_reverse, prev, curr)
            threshold, restart = _visit(best_d, best_i, d, j, threshold, labels)
            if restart:
                pos = 0


@njit(cache=True, nogil=True)
def euclidean_rows(q_flat, q_off, rows, loo, index, seg, k, labels, dist, idx, work):
    """``search_rows`` for a zero band on series of one length, where the DTW is the
    Euclidean distance: LB_PAA on long segments for every training series, the one with
    the smallest measured first, then for each series whose bound does not exceed the
    k-th best so far, LB_PAA on short segments and the distance itself, both abandoned
    once above it. Series are visited in their own order: a distance costs too little
    for sorting to pay."""
    flat, offsets, g_off, means, coarse_off, coarse_means = (
        index[0], index[1], index[5], index[6], index[9], index[10])
    n_train = offsets.shape[0] - 1
    lb, q_means, q_coarse = work[5], work[2], work[12]
    for row in range(rows.shape[0]):
        q, exclude, best_d, best_i = _query(q_flat, q_off, rows, row, loo, dist, idx)
        n = q.shape[0]
        n_seg = (n + seg - 1) // seg
        n_coarse = (n + COARSE * seg - 1) // (COARSE * seg)
        if seg > 1:  # with one point per segment the fine bound is the distance itself
            segment_means(q, seg, q_means[:n_seg])
        segment_means(q, COARSE * seg, q_coarse[:n_coarse])
        first = -1
        for j in range(n_train):
            lb[j] = paa_keogh_sq(q_coarse, 0, coarse_means, coarse_means, coarse_off[j],
                                 n_coarse)
            if j != exclude and (first < 0 or lb[j] < lb[first]):
                first = j
        if first < 0:
            continue
        threshold = _INF
        if k == 1:
            threshold = euclidean_sq(q, flat[offsets[first] : offsets[first + 1]], _INF)
            _insert(best_d, best_i, threshold, first)
            lb[first] = _DONE
        j = 0
        while j < n_train:
            if j == exclude or lb[j] > threshold * _SLACK or _skip(lb, labels, best_i, j):
                j += 1
                continue
            if seg > 1 and (paa_keogh_sq(q_means, 0, means, means, g_off[j], n_seg)
                            > threshold * _SLACK):
                j += 1
                continue
            d = euclidean_sq(q, flat[offsets[j] : offsets[j + 1]], threshold)
            threshold, restart = _visit(best_d, best_i, d, j, threshold, labels)
            j = 0 if restart else j + 1


@njit(cache=True, nogil=True)
def screened_rows(q_flat, q_off, rows, loo, t_flat, t_off, approx, q_sq, t_sq, rounding, k,
                  dist, idx):
    """The ``k`` nearest training series in Euclidean distance (the DTW at a zero band on
    series of one length) of each query series ``rows``, given ``approx``: their squared
    distances as screened from dot products (one matrix product for a block of queries,
    see ``_search.screened_block``), each within ``rounding * (q_sq[row] + t_sq[j])`` of
    the distance that ``euclidean_sq`` computes (``q_sq``, ``t_sq``: squared norms).

    The k series nearest by ``approx`` are measured first; their k-th distance is the
    threshold. A series whose screened distance less its slack exceeds it is farther than
    the k-th for sure; the rest (near-ties, in practice) are measured, so the answer is
    that of brute force, ties to the first series included."""
    n_train = t_off.shape[0] - 1
    picked_d = np.empty(k)
    picked_i = np.empty(k, dtype=np.int64)
    for row in range(rows.shape[0]):
        q, exclude, best_d, best_i = _query(q_flat, q_off, rows, row, loo, dist, idx)
        screened = approx[row]
        picked_d[:] = _INF
        picked_i[:] = -1
        for j in range(n_train):
            if j != exclude:
                _insert(picked_d, picked_i, screened[j], j)
        for s in range(k):
            j = picked_i[s]
            if j >= 0:
                _insert(best_d, best_i, euclidean_sq(q, t_flat[t_off[j] : t_off[j + 1]], _INF),
                        j)
        threshold = best_d[k - 1]
        for j in range(n_train):
            if j == exclude or screened[j] - rounding * (q_sq[row] + t_sq[j]) > threshold:
                continue
            measured = False
            for s in range(k):
                measured = measured or picked_i[s] == j
            if measured:
                continue
            d = euclidean_sq(q, t_flat[t_off[j] : t_off[j + 1]], threshold)
            if d <= threshold:
                _insert(best_d, best_i, d, j)
                threshold = best_d[k - 1]


@njit(cache=True, nogil=True)
def any_other_length(offsets, n):
    """Whether any packed series is not ``n`` long."""
    for j in range(offsets.shape[0] - 1):
        if offsets[j + 1] - offsets[j] != n:
            return True
    return False


@njit(cache=True, nogil=True)
def search(q_flat, q_off, rows, loo, index, window, seg, k, labels, dist, idx, work):
    """``euclidean_rows`` where every series has one length and the band is zero,
    ``search_rows`` otherwise. ``labels`` (int64, one per training series, or empty):
    for k = 1, find the nearest one's class only, which can skip series of its class."""
    if rows.shape[0] == 0:
        return
    length = q_off[1] - q_off[0]
    offsets = index[1]
    if (band_radius(length, length, window) == 0 and not any_other_length(q_off, length)
            and not any_other_length(offsets, length)):
        euclidean_rows(q_flat, q_off, rows, loo, index, seg, k, labels, dist, idx, work)
    else:
        search_rows(q_flat, q_off, rows, loo, index, window, seg, k, labels, dist, idx, work)


@njit(cache=True, nogil=True)
def sort_by_key(ids, key):
    """Sort ``ids`` in place by ``key[ids]``: insertion sort while short (the usual case
    after the first distance has pruned most candidates), else argsort."""
    if ids.shape[0] > 16:
        ids[:] = ids[np.argsort(key[ids])]
        return
    for a in range(1, ids.shape[0]):
        j = ids[a]
        b = a
        while b > 0 and key[ids[b - 1]] > key[j]:
            ids[b] = ids[b - 1]
            b -= 1
        ids[b] = j


@njit(cache=True, nogil=True)
def _max_length(offsets):
    """The length of the longest packed series (0 for none)."""
    if offsets.shape[0] < 2:
        return 0
    return np.max(offsets[1:] - offsets[:-1])


@njit(cache=True, nogil=True)
def knn_block(q_flat, q_off, rows, t_flat, t_off, window, k, loo, seg, labels):
    """k nearest neighbours of the query series ``rows``; ``loo`` skips the query itself
    (the queries are then the training series). ``seg``: the LB_PAA segment length.
    ``labels``: see ``search``."""
    index = build_index(t_flat, t_off, window, seg)
    work = make_work(_max_length(q_off), _max_length(t_off), t_off.shape[0] - 1,
                     t_flat.shape[1], seg)
    dist = np.empty((rows.shape[0], k))
    idx = np.empty((rows.shape[0], k), dtype=np.int64)
    search(q_flat, q_off, rows, loo, index, window, seg, k, labels, dist, idx, work)
    return dist, idx


@njit(cache=True, nogil=True)
def brute_block(q_flat, q_off, rows, t_flat, t_off, window, k, loo):
    """The same answer as ``knn_block`` by computing every distance in full (the
    reference of the tests and the benchmark)."""
    n_train = t_off.shape[0] - 1
    m_max = _max_length(t_off)
    prev = np.empty(m_max + 1)
    curr = np.empty(m_max + 1)
    dist = np.empty((rows.shape[0], k))
    idx = np.empty((rows.shape[0], k), dtype=np.int64)
    all_d = np.empty(n_train)
    for a in range(rows.shape[0]):
        i = rows[a]
        q = q_flat[q_off[i] : q_off[i + 1]]
        for j in range(n_train):
            if loo and j == i:
                all_d[j] = _INF
            else:
                all_d[j] = dtw_sq_plain(q, t_flat[t_off[j] : t_off[j + 1]], window, prev, curr)
        order = np.argsort(all_d, kind="mergesort")[:k]
        dist[a] = all_d[order]
        idx[a] = order
    return dist, idx


@njit(cache=True, nogil=True)
def _path_need(q, t, window):
    acc = dtw_matrix(q, t, window)
    return path_radius(backtrack(acc), q.shape[0], t.shape[0])


@njit(cache=True, nogil=True)
def loo_neighbours(flat, offsets, windows, seg):
    """Leave-one-out nearest neighbour of every series at each of ``windows`` (widest
    first): an array (n_windows, n_series) of training indices."""
    n = offsets.shape[0] - 1
    out = np.empty((windows.shape[0], n), dtype=np.int64)
    nn = np.full(n, -1, dtype=np.int64)
    need = np.zeros(n, dtype=np.int64)
    one_d = np.empty((1, 1))
    one_i = np.empty((1, 1), dtype=np.int64)
    one_row = np.empty(1, dtype=np.int64)
    no_labels = np.empty(0, dtype=np.int64)
    longest = _max_length(offsets)
    work = make_work(longest, longest, n, flat.shape[1], seg)
    for w in range(windows.shape[0]):
        window = windows[w]
        index_ready = False
        index = build_index(flat[:0], offsets[:1], window, seg)
        for i in range(n):
            q = flat[offsets[i] : offsets[i + 1]]
            j = nn[i]
            if j >= 0:
                m = offsets[j + 1] - offsets[j]
                if need[i] <= band_radius(q.shape[0], m, window):
                    continue  # the optimal path fits: same neighbour, same distance
            if not index_ready:
                index = build_index(flat, offsets, window, seg)
                index_ready = True
            one_row[0] = i
            search(flat, offsets, one_row, True, index, window, seg, 1, no_labels, one_d, one_i,
                   work)
            j = one_i[0, 0]
            nn[i] = j
            need[i] = _path_need(q, flat[offsets[j] : offsets[j + 1]], window)
        out[w] = nn
    return out
