"""Every compiled kernel of tsclassic.neighbors: DTW, lower bounds, the k-NN search.

Sections: 1. DTW, 2. lower bounds, 3. the exact k-NN search, 4. the learned window. They live in one file on purpose: numba's on-disk cache
(``cache=True``, so a new process does not compile again) is keyed on the file of each
function, and a kernel that calls one from another file would keep a stale copy of it
after that file changes.

Every kernel works on squared point costs and returns squared distances; the public
wrappers take the square root at the end (the tslearn / UCR convention). Series are
``(length, n_channels)`` C-contiguous float64 arrays inside; the cost of one cell is the
sum over channels of squared differences (dependent DTW).

The Sakoe-Chiba band follows tslearn's mask: for lengths ``n <= m`` the cell ``(i, j)``
is inside when ``i - r <= j <= i + (m - n) + r`` (and symmetrically), so that the band
always reaches the last cell whatever the lengths. The radius of a band given as a
fraction ``w`` of the length is ``ceil(w * max(n, m))``: with this rounding the learned
windows of the UCR archive's table come out (e.g. 3 % for Trace, 7 % for BeetleFly).

What the first call costs (``benchmarks/cold_start.py``). Numba compiles a kernel when it
is first called with new argument types, and every kernel it calls with it; then each
compiled kernel is re-optimised inside each kernel that calls it. So:

- Python chooses which search kernel runs (``_search``), rather than a kernel that calls
  one of several: a call compiles only the path it takes.
- No ``inline="always"``: numba then copies the kernel's code into every caller and types
  and lowers it again there, which was most of the first call's time. The small kernels of
  the innermost loops are ``forceinline`` instead (``_inlined``): compiled once, and LLVM
  inlines the compiled code (numba's own calls, which LLVM leaves alone otherwise, made
  the search 1.3 to 10 times slower).
- Kernels called once per candidate take the arrays they read, not the index tuple:
  numba passes a tuple field by field.
- The search kernels compute nothing of the queries but the distances: their envelopes,
  LB_Kim statistics and segment means come from the queries' own index, filled by the
  NumPy code that fills the training index (``_search._fill_index``), so the search does
  not compile that code a second time (a kernel filling the index was a second of the
  first call; only the envelope of a band narrower than the series is one). The
  measuring of a candidate is written once, inside ``dtw_rows``; its work arrays come
  from the caller, cut from one float array (``np.empty`` there is two more kernels to
  compile, and each array a kernel takes from Python adds to its CPython wrapper, which
  is a quarter of ``dtw_rows``' machine code).
- ``dtw_rows`` writes out the small kernels it called once each (the bounds per training
  item, the k-best bookkeeping, the sort of the candidates): every kernel called costs a
  compilation of its own, a tenth of a second or more (see its notes for why the DTW
  recursion and LB_Keogh stay kernels).
- No reference counting (``_nrt=False``, the ``_views`` kernels) where a kernel
  allocates nothing: less code for numba to lower and for LLVM to optimise.
- No C wrapper (``no_cfunc_wrapper``): nothing here takes a kernel as a first-class
  function, and each wrapper is code LLVM would optimise and emit.
- No literal arguments between kernels (``f(x, 0)``, or a variable only ever set to a
  constant before the call): numba compiles the callee once more for each literal, so
  such constants are written ``np.int64(0)``.
- Kernels called only from other kernels (``_internal``) have no CPython wrapper; those
  the search calls and the tests call too are an internal kernel and a one-line
  public one (``dtw_sq_bounded``, ``keogh_tail_sq``), whose wrapper is compiled only
  when Python calls it.
- No ``min``, ``max`` or ``int`` on numbers: each is an overload that numba compiles as a
  kernel of its own for every combination of argument types it meets (ten of them, a
  fifth of a second, on the first call); the comparison written out is the same select.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit
from numba.extending import register_jitable

_INF = np.inf

# A kernel called from Python. Without the C wrapper (numba builds one for each kernel
# otherwise, for first-class function calls, which nothing here makes) it compiles faster.
_OPTIONS = {"cache": True, "nogil": True, "error_model": "numpy", "no_cfunc_wrapper": True}
_kernel = njit(**_OPTIONS)
# A kernel that allocates nothing (it reads and writes the arrays it is given, and views
# of them): without numba's reference counting (``_nrt=False``), whose increments and
# decrements around every array variable are code to lower and for LLVM to optimise and
# prune; a fifth of the search kernel's compilation (``benchmarks/cold_start.py``). The
# arrays are the caller's, alive for the whole call. (An allocation there fails to compile.)
_views = njit(**_OPTIONS, _nrt=False)
# Kernels called from other kernels only: without the wrapper that makes them callable
# from Python (numba builds one per compiled kernel otherwise), they compile faster.
_internal = njit(**_OPTIONS, no_cpython_wrapper=True)
_internal_views = njit(**_OPTIONS, no_cpython_wrapper=True, _nrt=False)
# What runs in the innermost loops (the cost of a cell or a point, a bound per training
# series, the check of a candidate): compiled once, as any kernel, and marked for LLVM to
# inline into its callers (``forceinline``); numba's ``inline="always"`` would type and
# lower it again in every caller instead, which made the first call several times slower.
_inlined = njit(**_OPTIONS, no_cpython_wrapper=True, forceinline=True, _nrt=False)
# The same, for a kernel the tests call from Python too.
_inlined_py = njit(**_OPTIONS, forceinline=True, _nrt=False)


# == 1. DTW ============================================================================


@register_jitable  # plain Python where Python calls it: nothing to compile or load
def band_radius(n: int, m: int, window: float) -> int:
    """The Sakoe-Chiba radius (in points) of a band that is ``window`` of the length."""
    # The tiny offset keeps e.g. 0.1 * 150 = 15.000000000000002 at 15, as a person means.
    return math.ceil(window * (n if n > m else m) - 1e-9)


@_inlined
def _cost(x, i, y, j):
    """The squared distance between point i of ``x`` and point j of ``y``."""
    total = 0.0
    for c in range(x.shape[1]):
        d = x[i, c] - y[j, c]
        total += d * d
    return total


@_inlined
def _cell(x, i, y, j, diagonal, above, left):
    """The accumulated cost of cell (i, j) from those of its three predecessors."""
    best = diagonal
    if above < best:
        best = above
    if left < best:
        best = left
    return _cost(x, i, y, j) + best


@_kernel
def dtw_sq(x, y, window):
    """Squared DTW between ``x`` (n, C) and ``y`` (m, C) in O(m) memory."""
    m = y.shape[0]
    return dtw_sq_plain(x, y, window, np.empty(m + 1), np.empty(m + 1))


@_views
def dtw_sq_plain(x, y, window, prev, curr):
    """Squared DTW with every cell of the band computed (no pruning): the brute force.

    ``prev`` and ``curr`` are work rows of at least m + 1 values.
    """
    n = x.shape[0]
    m = y.shape[0]
    r = band_radius(n, m, window)
    below = r + (n - m if n > m else 0)
    above = r + (m - n if m > n else 0)
    prev[: m + 1] = _INF  # prev[j + 1] holds row i-1, column j; prev[0] is the border
    prev[0] = 0.0
    curr[: m + 1] = _INF
    for i in range(n):
        lo = i - below if i > below else 0
        hi = i + above if i + above < m else m - 1
        curr[lo] = _INF
        left = _INF
        for j in range(lo, hi + 1):
            left = _cell(x, i, y, j, prev[j], prev[j + 1], left)
            curr[j + 1] = left
        prev, curr = curr, prev
    return prev[m]


@_internal_views
def _pruned_dtw_sq(x, y, window, threshold, tail, prev, curr):
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
    below = r + (n - m if n > m else 0)
    above = r + (m - n if m > n else 0)
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
        lo = i - below if i - below > start else start
        band_hi = i + above if i + above < m else m - 1
        limit = loose - tail[i + 1]
        curr[lo] = _INF  # the cell left of the computed range
        left = _INF
        # Cells with the previous row above them (prev[prev_hi + 2] holds inf) ...
        stop = prev_hi + 1 if prev_hi + 1 < band_hi else band_hi
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
        last = j if j < band_hi else band_hi
        curr[last + 2] = _INF  # the cell right of the computed range
        start, prev_hi, prev_ok = first_ok, last, last_ok
        prev, curr = curr, prev
    if prev_hi == m - 1 and prev[m] <= threshold:
        return prev[m]
    return _INF


@_views
def dtw_sq_bounded(x, y, window, threshold, tail, prev, curr):
    """``_pruned_dtw_sq`` callable from Python (the tests, ``dtw_search_ceiling.py``): the
    search calls that kernel itself, without a Python wrapper to compile."""
    return _pruned_dtw_sq(x, y, window, threshold, tail, prev, curr)


@_kernel
def dtw_matrix(x, y, window):
    """The accumulated squared cost matrix ``(n, m)``, ``inf`` outside the band."""
    n = x.shape[0]
    m = y.shape[0]
    r = band_radius(n, m, window)
    below = r + (n - m if n > m else 0)
    above = r + (m - n if m > n else 0)
    acc = np.full((n, m), _INF)
    for i in range(n):
        for j in range(i - below if i > below else 0, (i + above if i + above < m else m - 1) + 1):
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


@_kernel
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


@_internal_views
def path_radius(path, n, m):
    """The smallest Sakoe-Chiba radius whose band holds every cell of ``path``."""
    need = 0
    extra_below = n - m if n > m else 0
    extra_above = m - n if m > n else 0
    for k in range(path.shape[0]):
        d = path[k, 1] - path[k, 0]  # j - i
        gap = d - extra_above if d > 0 else -d - extra_below
        if gap > need:
            need = gap
    return need


@_kernel
def cdist_block(xs_flat, xs_off, ys_flat, ys_off, window, rows, symmetric):
    """Squared DTW between the query series ``rows`` of ``xs`` and every series of ``ys``.

    Series are stored back to back in ``*_flat`` (total_length, C) with start offsets
    ``*_off``. With ``symmetric`` (``xs is ys``) only the upper triangle is computed.
    """
    out = np.zeros((rows.shape[0], ys_off.shape[0] - 1))
    longest = 0
    for j in range(ys_off.shape[0] - 1):
        if ys_off[j + 1] - ys_off[j] > longest:
            longest = ys_off[j + 1] - ys_off[j]
    prev = np.empty(longest + 1)
    curr = np.empty(longest + 1)
    for a in range(rows.shape[0]):
        i = rows[a]
        x = xs_flat[xs_off[i] : xs_off[i + 1]]
        start = i + 1 if symmetric else 0
        for j in range(start, ys_off.shape[0] - 1):
            out[a, j] = dtw_sq_plain(x, ys_flat[ys_off[j] : ys_off[j + 1]], window, prev, curr)
    return out


# == 2. Lower bounds ==================================================================

@_views
def envelope_kernel(flat, offsets, radii, lower, upper, queues):
    """Running min and max of each packed series ``flat[offsets[s]:offsets[s + 1]]``
    (L, C) over ``[i - r, i + r]``, ``r = radii[s]``, in O(L) (Lemire 2006), into the same
    rows of ``lower`` and ``upper``; one call for a panel (a call per series from Python
    costs more than the envelope of a short one).

    ``queues``: int64 work space of shape (2, at least the longest L), from the caller
    (np.empty here would be two more kernels to compile on the first call)."""
    q_max = queues[0]
    q_min = queues[1]
    for s in range(offsets.shape[0] - 1):
        a = offsets[s]
        length = offsets[s + 1] - a
        r = radii[s]
        for c in range(flat.shape[1]):
            h_max = t_max = h_min = t_min = 0
            for t in range(length + r):
                if t < length:
                    v = flat[a + t, c]
                    while t_max > h_max and flat[a + q_max[t_max - 1], c] <= v:
                        t_max -= 1
                    q_max[t_max] = t
                    t_max += 1
                    while t_min > h_min and flat[a + q_min[t_min - 1], c] >= v:
                        t_min -= 1
                    q_min[t_min] = t
                    t_min += 1
                i = t - r
                if i >= 0:
                    while q_max[h_max] < i - r:
                        h_max += 1
                    while q_min[h_min] < i - r:
                        h_min += 1
                    upper[a + i, c] = flat[a + q_max[h_max], c]
                    lower[a + i, c] = flat[a + q_min[h_min], c]


@_views
def segment_means(source, lo, hi, out):
    """``out[g]``: the sum of rows ``lo[g]`` to ``hi[g] - 1`` of ``source``, in order, over
    the square root of their count (the scaled segment means of ``_search._fill_index``)."""
    for g in range(lo.shape[0]):
        for c in range(source.shape[1]):
            total = 0.0
            for i in range(lo[g], hi[g]):
                total += source[i, c]
            out[g, c] = total / np.sqrt(hi[g] - lo[g])


@_inlined
def keogh_point(x, lower, upper, i):
    """The LB_Keogh term of point ``i``: its squared distance outside the envelope."""
    total = 0.0
    for c in range(x.shape[1]):
        v = x[i, c]
        # At most one of the two is positive; selects keep the loop free of branches.
        above, below = v - upper[i, c], lower[i, c] - v
        d = (above if above >= 0.0 else 0.0) + (below if below >= 0.0 else 0.0)
        total += d * d
    return total


@_views
def keogh_sq(x, lower, upper, threshold):
    """Squared LB_Keogh of ``x`` against an envelope; stops once above ``threshold``."""
    total = 0.0
    for i in range(x.shape[0]):
        total += keogh_point(x, lower, upper, i)
        if total > threshold:
            return total
    return total


@_internal_views
def _keogh_tail(x, y, lower, upper, tail, threshold):
    """Squared LB_Keogh of ``x`` against the envelope of ``y`` (as long), summed from the
    end, ``tail[i]`` receiving the terms of positions i..n-1 (tail[n] = 0); stops once
    above ``threshold`` (``tail`` is then only partly filled).

    The first and the last rows count the cost of their corner cell instead, on every
    warping path and never below the envelope term."""
    n = x.shape[0]
    tail[n] = 0.0
    last = n - 1
    total = _cost(x, last, y, last)
    tail[last] = total
    for i in range(n - 2, 0, -1):
        if total > threshold:
            return total
        # keogh_point's term, written out: one kernel less to compile for the search.
        term = 0.0
        for c in range(x.shape[1]):
            v = x[i, c]
            above, below = v - upper[i, c], lower[i, c] - v
            d = (above if above >= 0.0 else 0.0) + (below if below >= 0.0 else 0.0)
            term += d * d
        total += term
        tail[i] = total
    if n > 1:
        origin = np.int64(0)  # not a literal (see the module's notes)
        total += _cost(x, origin, y, origin)
        tail[0] = total
    return total


@_views
def keogh_tail_sq(x, y, lower, upper, tail, threshold):
    """``_keogh_tail`` callable from Python (the tests, ``dtw_search_ceiling.py``)."""
    return _keogh_tail(x, y, lower, upper, tail, threshold)


@_inlined_py
def paa_keogh_sq(x_means, x_start, lower_means, upper_means, env_start, n_seg):
    """A lower bound of the squared LB_Keogh from segment means (LB_PAA, Keogh 2002): the
    ``n_seg`` segment means of a series from row ``x_start`` of ``x_means`` against those
    of an envelope, as long, from row ``env_start`` (offsets rather than slices: this runs
    once per training series and query, where a slice's bookkeeping is most of the cost).

    Over a segment of w points, the sum of (x_i - u_i)^2 over x_i > u_i is at least
    w * (mean(x) - mean(u))^2 when mean(x) > mean(u) (Jensen: max(., 0)^2 is convex),
    and the same below the lower envelope; with a zero band (u = l = y) this is the
    bound w * (mean(x) - mean(y))^2 of the Euclidean distance.
    """
    total = 0.0
    for g in range(n_seg):
        for c in range(x_means.shape[1]):
            v = x_means[x_start + g, c]
            e = env_start + g
            above, below = v - upper_means[e, c], lower_means[e, c] - v
            d = (above if above >= 0.0 else 0.0) + (below if below >= 0.0 else 0.0)
            total += d * d
    return total


@_views
def series_stats(x, out):
    """Per channel first, last, min and max of ``x`` (L, C) into ``out`` (4, C)."""
    for c in range(x.shape[1]):
        out[0, c] = x[0, c]
        out[1, c] = x[x.shape[0] - 1, c]
        lo = x[0, c]
        hi = x[0, c]
        for i in range(1, x.shape[0]):
            v = x[i, c]
            lo = v if v <= lo else lo
            hi = v if v >= hi else hi
        out[2, c] = lo
        out[3, c] = hi


@_inlined_py
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
        best = d * d if d * d >= best else best
        d = sx[3, c] - stats[j, 3, c]
        best = d * d if d * d >= best else best
    return best




# == 3. Exact k-NN search ================================================================
# The entry points called from Python: ``dtw_rows`` (any band and lengths),
# ``euclidean_rows`` (a zero band, one length), ``screened_rows`` (the same from screened
# distances), ``brute_rows`` (the reference) and ``loo_pass`` (the learned window). Python
# chooses among them (``_search``), so that a call compiles only the path it runs.
#
# A training "item" is one series: with ``index.split == 1`` one packed series holding
# every channel (dependent DTW); with ``split == C`` the C packed one-channel series
# ``j * C .. j * C + C - 1`` (independent DTW, the sum of the channels' squared DTW). Queries
# are packed the same way. Every bound and distance of an item is the sum of those of its
# parts, so with ``split == 1`` the code computes exactly what it would without items.

# A bound prunes a candidate only when it exceeds the threshold by more than rounding
# (the bound and the DTW add the same squares in different orders).
_SLACK = 1.0 + 1e-12

# The first, coarse LB_PAA of the Euclidean search uses segments this many times longer.
COARSE = 4

# ``lb`` of a candidate already measured (or discarded) in the current query.
_DONE = -1.0


@_internal_views
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


@_inlined
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


@_inlined
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


@_inlined
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


@_views
def dtw_rows(queries, rows, loo, index, k, labels, dist, idx, work, candidates):
    """The ``k`` nearest training items of each query item ``rows`` (of ``queries``, the
    index of the query series: ``index`` itself for the training set; ``index``'s items,
    under its window), into ``dist`` and ``idx``; ``loo`` leaves the query out (the
    queries are then the training items). ``labels`` (int64, one per training item, or
    empty): for k = 1, find the nearest one's class only (see ``_visit``).

    Every training item gets a lower bound in O(length / seg): LB_PAA for an equal
    length (both ways and with LB_Kim under a band), LB_Kim for another. For k = 1 one
    item is measured first, with its Euclidean distance as the threshold for the pruning:
    the one with the smallest bound or, under a wide band, the nearest in Euclidean
    distance. Then only the items whose bound does not exceed the best distance so far
    are visited, in order of bound, each through LB_Keogh both ways and the pruned DTW.
    An item is discarded only when its bound or its DTW exceeds the k-th best by more
    than rounding, and ties go to the first item (as in ``_insert``), so the answer is
    that of brute force.

    The bounds and the bookkeeping of the k best are those of ``paa_keogh_sq``,
    ``kim_sq``, ``euclidean_sq``, ``_skip``, ``_visit`` and ``_insert`` (and a Shell
    sort), written out here, each once, in steps (a) to (f); the two costliest steps,
    LB_Keogh both ways and the pruned DTW, stay kernels (``_keogh_tail``,
    ``_pruned_dtw_sq``) without a Python wrapper. Each kernel called is compiled on its
    own as well on the first call (numba's typing and lowering, LLVM, machine code): a
    tenth of a second or more even for a small one (``benchmarks/cold_start.py``). But
    numba's passes over the untyped IR (SSA, rewrites, closures, legalisation) grow
    faster than the code: with the two costly steps written out too, this kernel's
    first compilation took longer than with them called. The tests check it against
    brute force and the small kernels, which the other searches still call.
    """
    # One loop over the queries here rather than a call each: passing the index and the
    # work arrays costs more than the search itself on short series.
    flat, offsets, split, window = index.flat, index.offsets, index.split, index.window
    lower, upper, stats, seg_off = index.lower, index.upper, index.stats, index.seg_off
    means, lower_means, upper_means = index.means, index.lower_means, index.upper_means
    q_flat, q_off, q_lower, q_upper = queries.flat, queries.offsets, queries.lower, queries.upper
    q_stats, q_seg_off, q_means = queries.stats, queries.seg_off, queries.means
    q_lower_means, q_upper_means = queries.lower_means, queries.upper_means
    n_train = (offsets.shape[0] - 1) // split
    seg = index.seg
    cols = flat.shape[1]
    # Work arrays, reused from query to query, cut from ``work`` (``_search.dtw_work_size``;
    # allocated by the caller, as ``candidates``: np.empty here is two more kernels to
    # compile on the first call, each array argument more code in the wrapper).
    lb = work[:n_train]  # one lower bound per training item
    tail = work[n_train : n_train + queries.longest + 1]  # LB_Keogh both ways, cumulated
    start = n_train + queries.longest + 1
    tail_reverse = work[start : start + queries.longest + 1]
    start += queries.longest + 1
    longest = queries.longest if queries.longest > index.longest else index.longest
    prev = work[start : start + longest + 2]  # DTW rows
    curr = work[start + longest + 2 : start + 2 * longest + 4]
    for row in range(rows.shape[0]):
        i = rows[row]
        dist[row] = _INF
        idx[row] = -1
        best_d, best_i = dist[row], idx[row]
        exclude = i if loo else -1
        q_first = i * split
        n = q_off[q_first + 1] - q_off[q_first]
        r = band_radius(n, n, index.window)
        n_seg = (n + seg - 1) // seg

        # (a) The bound of each training item, the sum of its parts': LB_PAA
        # (``paa_keogh_sq``) for an equal length, both ways and with LB_Kim (``kim_sq``)
        # under a band, LB_Kim for another.
        for c in range(split):
            qs = q_first + c
            qg = q_seg_off[qs]
            for j in range(n_train):
                s = j * split + c
                m = offsets[s + 1] - offsets[s]
                bound = 0.0
                if m == n:
                    g0 = seg_off[s]
                    for g in range(n_seg):
                        for ch in range(cols):
                            v = q_means[qg + g, ch]
                            above = v - upper_means[g0 + g, ch]
                            below = lower_means[g0 + g, ch] - v
                            e = (above if above >= 0.0 else 0.0) + (below if below >= 0.0 else 0.0)
                            bound += e * e
                if m != n or r > 0:
                    # Under a band LB_Kim adds the corner cells, which count most there.
                    ends = 0.0
                    for ch in range(cols):
                        e = q_stats[qs, 0, ch] - stats[s, 0, ch]
                        ends += e * e
                    if not (n == 1 and m == 1):  # else the first cell is the last
                        for ch in range(cols):
                            e = q_stats[qs, 1, ch] - stats[s, 1, ch]
                            ends += e * e
                    kim = ends
                    for ch in range(cols):
                        e = q_stats[qs, 2, ch] - stats[s, 2, ch]
                        kim = e * e if e * e >= kim else kim
                        e = q_stats[qs, 3, ch] - stats[s, 3, ch]
                        kim = e * e if e * e >= kim else kim
                    bound = kim if kim >= bound else bound
                if m == n and r > 0:
                    g0 = seg_off[s]
                    reverse = 0.0
                    for g in range(n_seg):
                        for ch in range(cols):
                            v = means[g0 + g, ch]
                            above = v - q_upper_means[qg + g, ch]
                            below = q_lower_means[qg + g, ch] - v
                            e = (above if above >= 0.0 else 0.0) + (below if below >= 0.0 else 0.0)
                            reverse += e * e
                    bound = reverse if reverse >= bound else bound
                if c == 0:
                    lb[j] = bound
                else:
                    lb[j] += bound

        # (b) For k = 1, the item measured first: the one of smallest bound or, under a
        # wide band (its envelopes, and so the bounds, loose), the nearest in Euclidean
        # distance, an upper bound of the DTW that prunes the DTW of that item.
        threshold = _INF
        first = np.int64(-1)  # not a literal (see the module's notes)
        upper_bound = _INF
        if k == 1:
            for j in range(n_train):
                if j != exclude and (first < 0 or lb[j] < lb[first]):
                    first = j
            if first < 0:
                continue
            lo, hi = (0, n_train) if 4 * r >= n else (first, first + 1)
            for j in range(lo, hi):
                if j != exclude and offsets[j * split + 1] - offsets[j * split] == n:
                    # The squared DTW at a zero band: the sum over the parts of
                    # ``euclidean_sq``, each against what the bound leaves after the others.
                    d = 0.0
                    for c in range(split):
                        s = j * split + c
                        budget = (upper_bound if c == 0 or upper_bound == _INF
                                  else upper_bound * _SLACK - d)
                        qa, ta = q_off[q_first + c], offsets[s]
                        part = 0.0
                        for p in range(n):  # in the order of the DTW's diagonal
                            e2 = 0.0
                            for ch in range(cols):
                                e = q_flat[qa + p, ch] - flat[ta + p, ch]
                                e2 += e * e
                            part = e2 + part
                            if part > budget:
                                part = _INF
                                break
                        if part == _INF:
                            d = _INF
                            break
                        d += part
                    if d < upper_bound:
                        upper_bound = d
                        first = j

        # The items measured: ``first`` (pos = -1), then the candidates in order of bound,
        # chosen once its distance is known. One loop, so that the measuring below (the
        # costliest code to compile) is written once.
        pos = -1 if first >= 0 else 0
        count = -1
        while True:
            if pos >= 0 and count < 0:
                # (c) The candidates: the items whose bound does not exceed the threshold,
                # sorted by bound (``sort_by_key``).
                count = 0
                for j in range(n_train):
                    if j != exclude and j != first and lb[j] <= threshold * _SLACK:
                        candidates[count] = j
                        count += 1
                for gap in (701, 301, 132, 57, 23, 10, 4, 1):
                    if gap >= count and gap > 1:
                        continue
                    for a in range(gap, count):
                        j = candidates[a]
                        b = a
                        while b >= gap and lb[candidates[b - gap]] > lb[j]:
                            candidates[b] = candidates[b - gap]
                            b -= gap
                        candidates[b] = j
            if pos < 0:
                j, limit = first, upper_bound
            else:
                if pos >= count:
                    break
                j = candidates[pos]
                pos += 1
                if lb[j] > threshold * _SLACK:
                    break  # in order of bound: every later one is larger still
                # (``_skip``) Measured already, or of the nearest one's class so far.
                if lb[j] == _DONE or (labels.shape[0] > 0 and labels[j] == labels[best_i[0]]):
                    continue
                lb[j] = _DONE
                limit = threshold

            # (d) The squared DTW of item j, inf once sure to exceed ``limit``: the sum
            # over the parts, each computed against what the limit leaves after the parts
            # before it.
            d = 0.0
            for c in range(split):
                qa, qb = q_off[q_first + c], q_off[q_first + c + 1]
                s = j * split + c
                ta, tb = offsets[s], offsets[s + 1]
                q, t = q_flat[qa:qb], flat[ta:tb]
                # Independent DTW: the parts so far leave this much to the next one (with
                # room for the rounding of the sum; the sum itself is compared exactly in
                # (f)).
                budget = limit if c == 0 or limit == _INF else limit * _SLACK - d
                x, y, row_bound = q, t, tail
                if tb - ta != n or budget == _INF:
                    # Without a budget the pruned recursion computes every cell, as
                    # dtw_sq_plain would (bit for bit): one DTW recursion in the search.
                    tail[: n + 1] = 0.0
                elif r == 0:
                    part = 0.0  # ``euclidean_sq``
                    for p in range(n):
                        e2 = 0.0
                        for ch in range(cols):
                            e = q[p, ch] - t[p, ch]
                            e2 += e * e
                        part = e2 + part
                        if part > budget:
                            part = _INF
                            break
                    if part == _INF:
                        d = _INF
                        break
                    d += part
                    continue
                else:
                    # LB_Keogh both ways, each summed from the end into ``tail`` and
                    # ``tail_reverse``: the bound of the rows still to come, which prunes
                    # the recursion. The reverse one only if the first passes.
                    slack = budget * _SLACK
                    bound = _keogh_tail(q, t, lower[ta:tb], upper[ta:tb], tail, slack)
                    reverse = _INF
                    if bound <= slack:
                        reverse = _keogh_tail(t, q, q_lower[qa:qb], q_upper[qa:qb],
                                              tail_reverse, slack)
                    if reverse > slack:
                        d = _INF
                        break
                    # The DTW is symmetric, bit for bit: recurse along the series whose
                    # tail is tighter.
                    if reverse > bound:
                        x, y, row_bound = t, q, tail_reverse

                part = _pruned_dtw_sq(x, y, window, budget, row_bound, prev, curr)
                if part == _INF:
                    d = _INF
                    break
                d += part

            # (f) Keep item j if among the k best (``_visit`` and ``_insert``): the
            # threshold is then the k-th best distance; after ``first``, and with labels
            # when the nearest one's class changes (the candidates skipped as of the
            # former class must now be measured), the candidates are gone over again.
            restart = pos < 0
            if d <= threshold:
                before = best_i[0]
                if not (d > best_d[k - 1] or (d == best_d[k - 1] and j > best_i[k - 1] >= 0)):
                    p = k - 1
                    while p > 0 and (best_d[p - 1] > d or best_i[p - 1] < 0
                                     or (best_d[p - 1] == d and best_i[p - 1] > j)):
                        best_d[p] = best_d[p - 1]
                        best_i[p] = best_i[p - 1]
                        p -= 1
                    best_d[p] = d
                    best_i[p] = j
                if best_i[k - 1] >= 0 and best_d[k - 1] < threshold:
                    threshold = best_d[k - 1]
                if labels.shape[0] > 0 and before >= 0 and labels[best_i[0]] != labels[before]:
                    restart = True
            if restart:
                pos = 0


@_kernel
def euclidean_rows(queries, rows, loo, index, k, labels, dist, idx):
    """``dtw_rows`` for a zero band on series of one length (``index.split == 1``), where
    the DTW is the Euclidean distance: LB_PAA on long segments for every training series,
    the one with the smallest measured first, then for each series whose bound does not
    exceed the k-th best so far, LB_PAA on short segments and the distance itself, both
    abandoned once above it. Series are visited in their own order: a distance costs too
    little for sorting to pay."""
    flat, offsets, seg_off, means = index.flat, index.offsets, index.seg_off, index.means
    coarse_off, coarse_means, seg = index.coarse_off, index.coarse_means, index.seg
    q_flat, q_off, q_seg_off, q_means = queries.flat, queries.offsets, queries.seg_off, queries.means
    q_coarse_off, q_coarse_means = queries.coarse_off, queries.coarse_means
    n_train = offsets.shape[0] - 1
    lb = np.empty(n_train)
    for row in range(rows.shape[0]):
        i = rows[row]
        dist[row] = _INF
        idx[row] = -1
        best_d, best_i = dist[row], idx[row]
        exclude = i if loo else -1
        q = q_flat[q_off[i] : q_off[i + 1]]
        n = q.shape[0]
        n_seg = (n + seg - 1) // seg
        n_coarse = (n + COARSE * seg - 1) // (COARSE * seg)
        qg, qh = q_seg_off[i], q_coarse_off[i]
        first = np.int64(-1)  # not a literal (see the module's notes)
        for j in range(n_train):
            lb[j] = paa_keogh_sq(q_coarse_means, qh, coarse_means, coarse_means, coarse_off[j],
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
            # With one point per segment the fine bound is the distance itself.
            if seg > 1 and (paa_keogh_sq(q_means, qg, means, means, seg_off[j], n_seg)
                            > threshold * _SLACK):
                j += 1
                continue
            d = euclidean_sq(q, flat[offsets[j] : offsets[j + 1]], threshold)
            threshold, restart = _visit(best_d, best_i, d, j, threshold, labels)
            j = 0 if restart else j + 1


@_kernel
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
        i = rows[row]
        dist[row] = _INF
        idx[row] = -1
        best_d, best_i = dist[row], idx[row]
        exclude = i if loo else -1
        q = q_flat[q_off[i] : q_off[i + 1]]
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


@_kernel
def brute_rows(q_flat, q_off, rows, t_flat, t_off, window, k, loo, split):
    """The same answer as ``dtw_rows`` by computing every distance in full (the
    reference of the tests and the benchmark): an item's is the sum over its ``split``
    parts of ``dtw_sq_plain``, in order."""
    n_train = (t_off.shape[0] - 1) // split
    longest = 0
    for j in range(t_off.shape[0] - 1):
        if t_off[j + 1] - t_off[j] > longest:
            longest = t_off[j + 1] - t_off[j]
    prev = np.empty(longest + 1)
    curr = np.empty(longest + 1)
    dist = np.empty((rows.shape[0], k))
    idx = np.empty((rows.shape[0], k), dtype=np.int64)
    all_d = np.empty(n_train)
    for a in range(rows.shape[0]):
        i = rows[a]
        for j in range(n_train):
            all_d[j] = 0.0
            if loo and j == i:
                all_d[j] = _INF
                continue
            for c in range(split):
                s, u = i * split + c, j * split + c
                all_d[j] += dtw_sq_plain(q_flat[q_off[s] : q_off[s + 1]],
                                         t_flat[t_off[u] : t_off[u + 1]], window, prev, curr)
        order = np.argsort(all_d, kind="mergesort")[:k]
        dist[a] = all_d[order]
        idx[a] = order
    return dist, idx


# == 4. The learned window ================================================================

@_internal
def _path_need(q, t, window):
    acc = dtw_matrix(q, t, window)
    return path_radius(backtrack(acc), q.shape[0], t.shape[0])


@_kernel
def loo_stale(offsets, split, window, nn, need):
    """Which items must search again at ``window``: those with no nearest neighbour yet,
    or whose optimal path to it (``need``, its radius) leaves the band."""
    n = nn.shape[0]
    out = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        j = nn[i]
        if j < 0:
            out[i] = True
        else:
            length = offsets[i * split + 1] - offsets[i * split]
            m = offsets[j * split + 1] - offsets[j * split]
            out[i] = need[i] > band_radius(length, m, window)
    return out


@_kernel
def path_needs(index, rows, nn, need):
    """The radius of the optimal path (the widest of its parts') from each item ``rows``
    to its nearest neighbour ``nn``, at ``index.window``, into ``need``."""
    flat, offsets, split = index.flat, index.offsets, index.split
    for i in rows:
        j = nn[i]
        need[i] = 0
        for c in range(split):
            s, u = i * split + c, j * split + c
            part = _path_need(flat[offsets[s] : offsets[s + 1]], flat[offsets[u] : offsets[u + 1]],
                              index.window)
            if part > need[i]:
                need[i] = part
