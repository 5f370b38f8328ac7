"""tsclassic.neighbors: DTW against tslearn, lower-bound properties, exact search against
brute force, the estimators' contract and their errors."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from tsclassic.neighbors import (
    AnalogueForecaster,
    KNeighborsDTWClassifier,
    KNeighborsDTWRegressor,
    _search,
    cdist_dtw,
    dtw,
    dtw_path,
    envelope,
    lb_keogh,
    lb_kim,
)
from tsclassic.neighbors._checks import pack, pack_channels
from tsclassic.neighbors._kernels import (
    band_radius,
    dtw_sq_bounded,
    dtw_sq_plain,
    envelope_kernel,
    keogh_sq,
    keogh_tail_sq,
    paa_keogh_sq,
)
from tsclassic.neighbors._search import build_index, euclidean_norms, knn_search, nearest_labels


def _knn(queries, train, window, k, n_jobs, brute=False, split=1, seg=None):
    """``knn_search`` over ``train`` (packed) at ``window``, building its index."""
    return knn_search(queries, build_index(train, window, split, seg), k, n_jobs, brute)


def _labels(queries, train, labels, window, n_jobs, split=1, seg=None):
    return nearest_labels(queries, build_index(train, window, split, seg), labels, n_jobs)

# -- DTW against tslearn --------------------------------------------------------------


def _tslearn_dtw(x, y, window):
    """tslearn's DTW with our band: tslearn wants (length, channels) and a radius."""
    from tslearn.metrics import dtw as ts_dtw

    xt = np.asarray(x).T if np.ndim(x) == 2 else x
    yt = np.asarray(y).T if np.ndim(y) == 2 else y
    if window is None:
        return ts_dtw(xt, yt)
    r = band_radius(np.shape(x)[-1], np.shape(y)[-1], window)
    return ts_dtw(xt, yt, global_constraint="sakoe_chiba", sakoe_chiba_radius=r)


def _reference_dtw(x, y, window):
    """Textbook full-matrix DTW in plain Python, with the band written out cell by cell."""
    x, y = np.atleast_2d(x), np.atleast_2d(y)
    n, m = x.shape[1], y.shape[1]
    r = band_radius(n, m, 1.0 if window is None else window)
    acc = np.full((n + 1, m + 1), np.inf)
    acc[0, 0] = 0.0
    for i in range(n):
        for j in range(m):
            if i - r - max(0, n - m) <= j <= i + r + max(0, m - n):
                cost = float(np.sum((x[:, i] - y[:, j]) ** 2))
                acc[i + 1, j + 1] = cost + min(acc[i, j], acc[i, j + 1], acc[i + 1, j])
    return float(np.sqrt(acc[n, m]))


@pytest.mark.parametrize("window", [None, 0.0, 0.1, 0.3])
def test_dtw_matches_textbook_recursion(window):
    rng = np.random.default_rng(11)
    for trial in range(15):
        n, m = int(rng.integers(1, 20)), int(rng.integers(1, 20))
        shape = (2,) if trial % 2 else ()
        x, y = rng.normal(size=(*shape, n)), rng.normal(size=(*shape, m))
        assert abs(dtw(x, y, window=window) - _reference_dtw(x, y, window)) <= 1e-9


@pytest.mark.slow  # most of its time is tslearn compiling its own kernels
@pytest.mark.parametrize("window", [None, 0.0, 0.05, 0.1, 0.3, 1.0])
def test_dtw_matches_tslearn_on_random_pairs(window):
    rng = np.random.default_rng(42)
    for trial in range(40):
        n = int(rng.integers(1, 60))
        m = n if trial % 2 else int(rng.integers(1, 60))
        channels = 1 if trial % 3 else 3
        shape_x = (n,) if channels == 1 else (channels, n)
        shape_y = (m,) if channels == 1 else (channels, m)
        x, y = rng.normal(size=shape_x), rng.normal(size=shape_y)
        expected = _tslearn_dtw(x, y, window)
        assert abs(dtw(x, y, window=window) - expected) <= 1e-9
        assert abs(dtw_path(x, y, window=window)[1] - expected) <= 1e-9


def test_dtw_known_values():
    # Zero band on equal lengths is the Euclidean distance.
    x, y = np.array([0.0, 1.0, 2.0]), np.array([1.0, 2.0, 3.0])
    assert dtw(x, y, window=0.0) == pytest.approx(np.sqrt(3.0))
    assert dtw(x, y) == pytest.approx(np.sqrt(2.0))  # (0-1)^2 + (2-3)^2, middle matched
    assert dtw([0.0, 1.0, 2.0], [0.0, 0.0, 1.0, 2.0]) == 0.0


def test_dtw_path_is_a_valid_alignment_with_the_distance_as_cost():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=30), rng.normal(size=41)
    path, distance = dtw_path(x, y, window=0.2)
    assert path[0] == (0, 0) and path[-1] == (29, 40)
    steps = np.diff(np.array(path), axis=0)
    assert np.all((steps >= 0) & (steps <= 1)) and np.all(steps.sum(axis=1) >= 1)
    cost = sum((x[i] - y[j]) ** 2 for i, j in path)
    assert np.sqrt(cost) == pytest.approx(distance, rel=1e-12)


def test_dtw_distance_uses_linear_memory():
    # A full cost matrix of two 200,000-point series would need 320 GB.
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=200_000), rng.normal(size=200_000)
    assert np.isfinite(dtw(x, y, window=0.0001))


def test_cdist_dtw_matches_pairwise_and_threads():
    rng = np.random.default_rng(3)
    X = [rng.normal(size=(2, int(n))) for n in rng.integers(5, 25, size=7)]
    Y = [rng.normal(size=(2, int(n))) for n in rng.integers(5, 25, size=4)]
    expected = np.array([[dtw(a, b, window=0.3) for b in Y] for a in X])
    np.testing.assert_allclose(cdist_dtw(X, Y=Y, window=0.3), expected, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(cdist_dtw(X, Y=Y, window=0.3, n_jobs=2),
                                  cdist_dtw(X, Y=Y, window=0.3))
    square = cdist_dtw(X)
    np.testing.assert_allclose(square, square.T)
    np.testing.assert_array_equal(np.diag(square), 0.0)
    np.testing.assert_allclose(square[0, 1], dtw(X[0], X[1]))


def test_envelope_and_lb_keogh_by_hand():
    lower, upper = envelope([0.0, 2.0, 1.0, 3.0], window=0.25)
    np.testing.assert_array_equal(lower, [0.0, 0.0, 1.0, 1.0])
    np.testing.assert_array_equal(upper, [2.0, 2.0, 3.0, 3.0])
    # y's envelope at radius 1: lower [1,1,1,3], upper [1,3,5,5]; x leaves it at 0 and 3.
    assert lb_keogh([0.0, 1.0, 2.0, 3.0], [1.0, 1.0, 3.0, 5.0], window=0.25) == 1.0


def test_lb_kim_can_exceed_lb_keogh():
    # The two bounds are not ordered: the first points differ, but x stays inside y's
    # envelope. Both stay below the DTW, which is what the search needs.
    x, y = [0.0, 0.0, 0.0], [1.0, 0.0, 0.0]
    assert lb_kim(x, y) == 1.0 > lb_keogh(x, y) == 0.0
    assert dtw(x, y) == 1.0


# -- properties -------------------------------------------------------------------------

series = arrays(np.float64, st.integers(1, 25), elements=st.floats(-100, 100))
fractions = st.floats(0.0, 1.0)


@settings(max_examples=150, deadline=None)
@given(series, series, fractions)
def test_dtw_is_symmetric_and_zero_on_identical(x, y, w):
    assert dtw(x, y, window=w) == pytest.approx(dtw(y, x, window=w), rel=1e-12, abs=1e-9)
    assert dtw(x, x, window=w) == 0.0


@settings(max_examples=150, deadline=None)
@given(series, series, fractions)
def test_lower_bounds_stay_below_dtw(x, y, w):
    d = dtw(x, y, window=w)
    assert lb_kim(x, y) <= d * (1 + 1e-12) + 1e-9
    if len(x) == len(y):
        assert lb_keogh(x, y, window=w) <= d * (1 + 1e-12) + 1e-9
        assert lb_keogh(y, x, window=w) <= d * (1 + 1e-12) + 1e-9


def _paa_keogh(x, y, window, seg):
    """LB_PAA of ``x`` against the envelope of ``y`` (equal lengths), squared, from the
    segment means of the search's index (``build_index``), and LB_Keogh."""
    x_index, y_index = (build_index(pack(v[None, None, :]), window, seg=seg) for v in (x, y))
    n_seg = -(-len(x) // seg)
    return (paa_keogh_sq(x_index.means, 0, y_index.lower_means, y_index.upper_means, 0, n_seg),
            keogh_sq(x[:, None], y_index.lower, y_index.upper, np.inf))


same_length_pairs = st.integers(1, 25).flatmap(
    lambda n: st.tuples(*[arrays(np.float64, n, elements=st.floats(-100, 100))] * 2)
)


@settings(max_examples=150, deadline=None)
@given(same_length_pairs, fractions, st.integers(1, 30))
def test_segment_bound_stays_below_lb_keogh_and_dtw(pair, w, seg):
    x, y = pair
    d_sq = dtw(x, y, window=w) ** 2
    for a, b in ((x, y), (y, x)):
        paa, keogh = _paa_keogh(a, b, w, seg)
        assert paa <= keogh * (1 + 1e-12) + 1e-9
        assert keogh <= d_sq * (1 + 1e-12) + 1e-9
    if band_radius(len(x), len(x), w) == 0:  # the Euclidean distance on segment means
        means = [build_index(pack(v[None, None, :]), w, seg=seg).means for v in (x, y)]
        assert _paa_keogh(x, y, w, seg)[0] == pytest.approx(np.sum((means[0] - means[1]) ** 2))


@settings(max_examples=150, deadline=None)
@given(same_length_pairs, fractions, st.floats(0.0, 2.0))
def test_pruned_dtw_is_exact_below_its_threshold_and_inf_above(pair, w, scale):
    x, y = pair[0][:, None], pair[1][:, None]
    work = [np.empty(len(y) + 2) for _ in range(2)]
    exact = dtw_sq_plain(x, y, w, *work)
    assert exact == pytest.approx(dtw(x[:, 0], y[:, 0], window=w) ** 2, rel=1e-12, abs=1e-9)
    assert dtw_sq_plain(y, x, w, *work) == exact  # symmetric bit for bit: the search uses it
    threshold = exact * scale
    lower, upper = np.empty_like(y), np.empty_like(y)
    envelope_kernel(y, np.array([0, len(y)]), np.array([band_radius(len(y), len(y), w)]),
                    lower, upper, np.empty((2, len(y)), dtype=np.int64))
    tail = np.empty(len(x) + 1)
    keogh_tail_sq(x, y, lower, upper, tail, np.inf)
    for row_bound in (tail, np.zeros(len(x) + 1)):
        pruned = dtw_sq_bounded(x, y, w, threshold, row_bound, *work)
        if exact <= threshold:
            assert pruned == exact  # bit for bit
        else:
            assert pruned == np.inf


@settings(max_examples=150, deadline=None)
@given(series, series, fractions, fractions)
def test_narrower_window_never_gives_smaller_distance(x, y, w1, w2):
    narrow, wide = min(w1, w2), max(w1, w2)
    assert dtw(x, y, window=narrow) >= dtw(x, y, window=wide) * (1 - 1e-12) - 1e-9


# -- exact search against brute force ------------------------------------------------------


@pytest.mark.parametrize("window", [0.0, 0.1, 0.25, 1.0])
@pytest.mark.parametrize("k", [1, 3])
def test_search_equals_brute_force(window, k):
    rng = np.random.default_rng(7)
    base = np.cumsum(rng.normal(size=(40, 1, 30)), axis=2)
    train = base[:25].copy()
    train[10] = train[3]  # exact ties: the first series must win
    train[20] = train[3]
    queries = np.concatenate([base[25:], train[[3, 5]]])
    for q, t in [(pack(queries), pack(train)), (None, pack(train))]:
        slow = _knn(q, t, window, k, None, brute=True)
        for n_jobs in (None, 2):
            fast = _knn(q, t, window, k, n_jobs)
            np.testing.assert_array_equal(fast[1], slow[1])
            np.testing.assert_array_equal(fast[0], slow[0])


def test_search_equals_brute_force_multivariate_unequal_lengths_and_threads():
    rng = np.random.default_rng(8)
    train = pack([rng.normal(size=(2, int(n))) for n in rng.integers(10, 30, size=30)])
    queries = pack([rng.normal(size=(2, int(n))) for n in rng.integers(10, 30, size=12)])
    for window in (0.1, 1.0):
        fast = _knn(queries, train, window, 2, 2)
        slow = _knn(queries, train, window, 2, None, brute=True)
        np.testing.assert_array_equal(fast[1], slow[1])
        np.testing.assert_array_equal(fast[0], slow[0])


@pytest.mark.parametrize("seg", [1, 3, 7, 50])
def test_search_equals_brute_force_for_any_segment_and_query_length(seg, monkeypatch):
    # No screening: the zero band runs the pruned Euclidean kernel.
    monkeypatch.setattr(_search, "euclidean_norms", lambda queries, index: None)
    rng = np.random.default_rng(10)
    train = pack(np.cumsum(rng.normal(size=(30, 2, 24)), axis=2))
    queries = [pack(np.cumsum(rng.normal(size=(10, 2, 24)), axis=2)),
               pack(np.cumsum(rng.normal(size=(10, 2, 19)), axis=2))]  # shorter than all
    for q in queries:
        for window in (0.0, 0.05, 0.2, 1.0):
            for k in (1, 3):
                fast = _knn(q, train, window, k, None, seg=seg)
                slow = _knn(q, train, window, k, None, brute=True)
                np.testing.assert_array_equal(fast[1], slow[1])
                np.testing.assert_array_equal(fast[0], slow[0])


def test_class_search_kernel_equals_brute_force_at_every_band(monkeypatch):
    # nearest_labels screens a zero band through one matrix product; the pruned kernels'
    # class search still runs there where squares overflow.
    monkeypatch.setattr(_search, "euclidean_norms", lambda queries, index: None)
    rng = np.random.default_rng(14)
    train = pack(rng.integers(0, 3, size=(40, 2, 16)).astype(float))
    queries = pack(rng.integers(0, 3, size=(25, 2, 16)).astype(float))
    labels = rng.integers(0, 3, size=40)
    for window in (0.0, 0.1, 1.0):
        for seg in (1, 4):
            fast = _labels(queries, train, labels, window, None, seg=seg)
            _, slow = _knn(queries, train, window, 1, None, brute=True)
            np.testing.assert_array_equal(fast, labels[slow[:, 0]])


def test_search_on_integer_data_with_many_ties():
    rng = np.random.default_rng(9)
    train = pack(rng.integers(0, 2, size=(60, 1, 8)).astype(float))
    queries = pack(rng.integers(0, 2, size=(30, 1, 8)).astype(float))
    for window in (0.0, 0.25, 1.0):
        for k in (1, 4):
            fast = _knn(queries, train, window, k, None)
            slow = _knn(queries, train, window, k, None, brute=True)
            np.testing.assert_array_equal(fast[1], slow[1])


def _assert_screened_equals_brute_force(queries, train, ks=(1, 3)):
    assert euclidean_norms(queries, build_index(train, 0.0)) is not None  # the screened search runs
    for q in (queries, None):
        for k in ks:
            slow = _knn(q, train, 0.0, k, None, brute=True)
            for n_jobs in (None, 2):
                fast = _knn(q, train, 0.0, k, n_jobs)
                np.testing.assert_array_equal(fast[1], slow[1])
                np.testing.assert_array_equal(fast[0], slow[0])


def test_screened_search_is_exact_where_rounding_swamps_the_distances():
    # A large common level: |q|^2 + |t|^2 - 2 q.t cancels to within a few units of the
    # distances themselves (about 1e-6 here), so the screen settles nothing and near-ties,
    # one point apart by a few ulps, and exact ties must all be measured.
    rng = np.random.default_rng(21)
    train_x = 1e6 + 1e-3 * rng.normal(size=(30, 2, 20))
    train_x[7] = train_x[2]
    train_x[9] = train_x[2]
    train_x[9, 0, 5] = np.nextafter(train_x[9, 0, 5], np.inf)
    train_x[11] = train_x[2]
    train_x[11, 1, 0] = np.nextafter(np.nextafter(train_x[11, 1, 0], 0), 0)
    queries = np.concatenate([1e6 + 1e-3 * rng.normal(size=(10, 2, 20)), train_x[[2, 9]]])
    _assert_screened_equals_brute_force(pack(queries), pack(train_x))


def test_screened_search_in_blocks_smaller_than_the_training_set(monkeypatch):
    monkeypatch.setattr(_search, "SCREEN_ENTRIES", 7)
    rng = np.random.default_rng(22)
    data = rng.normal(size=(45, 1, 12))
    data[30] = data[4]
    _assert_screened_equals_brute_force(pack(data[25:]), pack(data[:25]), ks=(1, 2, 24))


def test_screened_search_gives_way_where_squares_overflow():
    rng = np.random.default_rng(23)
    train, queries = pack(1e160 * rng.normal(size=(12, 1, 9))), pack(rng.normal(size=(5, 1, 9)))
    assert euclidean_norms(queries, build_index(train, 0.0)) is None
    slow = _knn(queries, train, 0.0, 2, None, brute=True)
    fast = _knn(queries, train, 0.0, 2, None)
    np.testing.assert_array_equal(fast[1], slow[1])
    np.testing.assert_array_equal(fast[0], slow[0])


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.floats(-1e8, 1e8), st.floats(1e-6, 1e3),
       st.integers(1, 3), st.integers(1, 40))
def test_screened_search_law_equals_brute_force(seed, level, scale, n_channels, length):
    rng = np.random.default_rng(seed)
    # Rounded values: duplicates and ties are common.
    data = level + scale * np.round(rng.normal(size=(30, n_channels, length)), 1)
    _assert_screened_equals_brute_force(pack(data[:20]), pack(data[20:]), ks=(1, 4))


@pytest.mark.parametrize("window", [0.0, 0.1, 1.0])
@pytest.mark.parametrize("n_classes", [2, 5])
def test_nearest_labels_equal_brute_force(window, n_classes):
    rng = np.random.default_rng(11)
    train_x = np.cumsum(rng.normal(size=(40, 1, 30)), axis=2)
    labels = rng.integers(0, n_classes, size=40)
    train_x[12] = train_x[4]  # exact ties across classes: the first series' class wins
    labels[12] = (labels[4] + 1) % n_classes
    queries = np.concatenate([np.cumsum(rng.normal(size=(30, 1, 30)), axis=2),
                              train_x[[4, 7]]])
    train, q = pack(train_x), pack(queries)
    _, idx = _knn(q, train, window, 1, None, brute=True)
    for n_jobs in (None, 2):
        np.testing.assert_array_equal(_labels(q, train, labels, window, n_jobs),
                                      labels[idx[:, 0]])


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(2, 4), fractions)
def test_nearest_labels_law_the_class_of_brute_forces_nearest(seed, n_classes, window):
    # Few distinct values make ties across classes common: the first series must win.
    rng = np.random.default_rng(seed)
    train = pack(rng.integers(0, 3, size=(15, 1, 6)).astype(float))
    queries = pack(rng.integers(0, 3, size=(10, 1, 6)).astype(float))
    labels = rng.integers(0, n_classes, size=15)
    _, idx = _knn(queries, train, window, 1, None, brute=True)
    np.testing.assert_array_equal(_labels(queries, train, labels, window, None),
                                  labels[idx[:, 0]])


def test_nearest_labels_with_many_ties_and_unequal_lengths():
    rng = np.random.default_rng(12)
    train = pack(rng.integers(0, 2, size=(60, 1, 8)).astype(float))
    queries = pack(rng.integers(0, 2, size=(40, 1, 8)).astype(float))
    labels = rng.integers(0, 3, size=60)
    for window in (0.0, 0.25, 1.0):
        _, idx = _knn(queries, train, window, 1, None, brute=True)
        np.testing.assert_array_equal(_labels(queries, train, labels, window, None),
                                      labels[idx[:, 0]])
    train = pack([rng.normal(size=(2, int(n))) for n in rng.integers(10, 30, size=30)])
    queries = pack([rng.normal(size=(2, int(n))) for n in rng.integers(10, 30, size=12)])
    labels = rng.integers(0, 3, size=30)
    for window in (0.1, 1.0):
        _, idx = _knn(queries, train, window, 1, None, brute=True)
        np.testing.assert_array_equal(_labels(queries, train, labels, window, None),
                                      labels[idx[:, 0]])


# -- independent DTW -----------------------------------------------------------------------


def _independent_sq(A, B, window):
    """Squared independent DTW between every series of A and of B (lists of (C, L_i)
    arrays), from the public one-channel DTW: the sum over channels of its squares."""
    return sum(cdist_dtw([a[c] for a in A], Y=[b[c] for b in B], window=window) ** 2
               for c in range(A[0].shape[0]))


def _multichannel(rng, n, lengths, n_channels=3):
    return [np.cumsum(rng.normal(size=(n_channels, int(m))), axis=1)
            for m in rng.choice(lengths, size=n)]


@pytest.mark.parametrize("lengths", [[20], [12, 17, 25]])
@pytest.mark.parametrize("window", [0.0, 0.1, 0.3, 1.0])
def test_independent_search_equals_brute_force_ties_and_unequal_lengths(lengths, window):
    rng = np.random.default_rng(31)
    train = _multichannel(rng, 30, lengths)
    train[9] = train[2].copy()  # exact ties: the first series must win
    train[21] = train[2].copy()
    queries = _multichannel(rng, 10, lengths) + [train[2], train[5]]
    t, q = pack_channels(train), pack_channels(queries)
    index = build_index(t, window, split=3)
    for packed, loo in [(q, False), (None, True)]:
        for k in (1, 3):
            slow = knn_search(packed, index, k, None, brute=True)
            for n_jobs in (None, 2):
                fast = knn_search(packed, index, k, n_jobs)
                np.testing.assert_array_equal(fast[1], slow[1])
                np.testing.assert_array_equal(fast[0], slow[0])
        # The brute force is the definition: the sum over channels of the squared DTW.
        expected = _independent_sq(train if loo else queries, train, window)
        if loo:
            np.fill_diagonal(expected, np.inf)
        np.testing.assert_allclose(slow[0][:, 0], expected.min(axis=1), rtol=1e-12)
        assert np.all(expected[np.arange(len(expected)), slow[1][:, 0]]
                      <= expected.min(axis=1) * (1 + 1e-12))


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(2, 3), fractions, st.booleans())
def test_independent_nearest_class_law_equals_brute_force(seed, n_classes, window, ragged):
    # Few distinct values make ties across classes common: the first series must win.
    rng = np.random.default_rng(seed)
    lengths = rng.integers(4, 8, size=25) if ragged else np.full(25, 6)
    data = [rng.integers(0, 3, size=(2, int(m))).astype(float) for m in lengths]
    labels = rng.integers(0, n_classes, size=15)
    index = build_index(pack_channels(data[:15]), window, split=2)
    queries = pack_channels(data[15:])
    _, idx = knn_search(queries, index, 1, None, brute=True)
    np.testing.assert_array_equal(nearest_labels(queries, index, labels, None),
                                  labels[idx[:, 0]])


def test_independent_classifier_and_regressor_against_the_definition():
    rng = np.random.default_rng(32)
    X = np.cumsum(rng.normal(size=(40, 2, 30)), axis=2)
    y = rng.integers(0, 3, size=40)
    clf = KNeighborsDTWClassifier(n_neighbors=3, window=0.1, multivariate="independent")
    clf.fit(X[:25], y[:25])
    D = np.sqrt(_independent_sq(list(X[25:]), list(X[:25]), 0.1))
    order = np.argsort(D, axis=1, kind="stable")[:, :3]
    dist, idx = clf.kneighbors(X[25:])
    np.testing.assert_array_equal(idx, order)
    np.testing.assert_allclose(dist, np.take_along_axis(D, order, axis=1), rtol=1e-12)
    one = KNeighborsDTWClassifier(window=0.1, multivariate="independent").fit(X[:25], y[:25])
    np.testing.assert_array_equal(one.predict(X[25:]), y[:25][order[:, 0]])
    reg = KNeighborsDTWRegressor(n_neighbors=2, multivariate="independent").fit(X[:25], y[:25])
    D_full = _independent_sq(list(X[25:]), list(X[:25]), 1.0)
    nearest = np.argsort(D_full, axis=1, kind="stable")[:, :2]
    np.testing.assert_allclose(reg.predict(X[25:]), y[:25][nearest].mean(axis=1))
    # Dependent DTW warps the channels together: another distance on these series.
    dependent = KNeighborsDTWClassifier(n_neighbors=3, window=0.1).fit(X[:25], y[:25])
    assert not np.allclose(dependent.kneighbors(X[25:])[0], dist)
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(again.kneighbors(X[25:])[1], idx)


def test_independent_on_one_channel_is_dependent_and_the_window_is_learned():
    X, y = _panel(n=24, length=20)
    for window in (0.1, "learn"):
        a = KNeighborsDTWClassifier(window=window).fit(X, y)
        b = KNeighborsDTWClassifier(window=window, multivariate="independent").fit(X, y)
        np.testing.assert_array_equal(a.kneighbors(X)[0], b.kneighbors(X)[0])
    rng = np.random.default_rng(33)
    X = np.cumsum(rng.normal(size=(18, 2, 12)), axis=2)
    y = rng.integers(0, 2, size=18)
    clf = KNeighborsDTWClassifier(window="learn", multivariate="independent").fit(X, y)
    errors = []
    for w in np.arange(101) / 100:
        D = _independent_sq(list(X), list(X), w)
        np.fill_diagonal(D, np.inf)
        nearest = np.array([np.flatnonzero(row <= row.min() * (1 + 1e-12))[0] for row in D])
        errors.append(int(np.sum(y[nearest] != y)))
    np.testing.assert_array_equal(clf.window_errors_, errors)
    assert clf.window_ == np.argmin(errors) / 100


# -- the classifier and the regressor ---------------------------------------------------------


def _panel(seed=0, n=30, length=40):
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 2 * np.pi, length)
    y = np.arange(n) % 3
    X = np.sin(t[None, :] * (1 + y[:, None])) + 0.3 * rng.normal(size=(n, length))
    return X, y


def test_classifier_predicts_like_brute_force_with_string_labels():
    X, y = _panel()
    labels = np.array(["a", "b", "c"])[y]
    clf = KNeighborsDTWClassifier(n_neighbors=3, window=0.2).fit(X[:20], labels[:20])
    D = cdist_dtw(X[20:], Y=X[:20], window=0.2)
    order = np.argsort(D, axis=1, kind="stable")[:, :3]
    dist, idx = clf.kneighbors(X[20:])
    np.testing.assert_array_equal(idx, order)
    np.testing.assert_allclose(dist, np.take_along_axis(D, order, axis=1), atol=1e-12)
    proba = clf.predict_proba(X[20:])
    assert proba.shape == (10, 3) and np.allclose(proba.sum(axis=1), 1)
    assert list(clf.classes_) == ["a", "b", "c"]
    assert clf.score(X[20:], labels[20:]) == 1.0


@pytest.mark.parametrize("window", [0.0, 0.1, None])
@pytest.mark.parametrize("weights", ["uniform", "distance"])
def test_one_neighbour_predicts_the_class_of_kneighbors_nearest(window, weights):
    rng = np.random.default_rng(13)
    X = np.cumsum(rng.normal(size=(90, 25)), axis=1)  # classes unrelated to shape: hard
    labels = np.array(["x", "y", "z"])[rng.integers(0, 3, size=90)]
    clf = KNeighborsDTWClassifier(window=window, weights=weights).fit(X[:50], labels[:50])
    nearest = clf.kneighbors(X[50:], return_distance=False)[:, 0]
    np.testing.assert_array_equal(clf.predict(X[50:]), labels[:50][nearest])
    np.testing.assert_array_equal(clf.predict_proba(X[50:]),
                                  (clf.classes_ == labels[:50][nearest][:, None]).astype(float))


def test_kneighbors_without_X_leaves_each_series_out():
    X, y = _panel()
    clf = KNeighborsDTWClassifier(n_neighbors=2).fit(X, y)
    _, idx = clf.kneighbors()
    assert not np.any(idx == np.arange(len(X))[:, None])
    D = cdist_dtw(X)
    np.fill_diagonal(D, np.inf)
    np.testing.assert_array_equal(idx, np.argsort(D, axis=1, kind="stable")[:, :2])


def test_distance_weights_let_an_exact_match_win():
    X, y = _panel()
    clf = KNeighborsDTWClassifier(n_neighbors=5, weights="distance").fit(X, y)
    proba = clf.predict_proba(X[:4])
    np.testing.assert_array_equal(proba, np.eye(3)[y[:4]])


def test_multivariate_and_unequal_length_panels():
    rng = np.random.default_rng(5)
    X3 = rng.normal(size=(12, 2, 15))
    y = np.arange(12) % 2
    clf = KNeighborsDTWClassifier().fit(X3, y)
    np.testing.assert_array_equal(clf.predict(X3), y)
    ragged = [rng.normal(size=(2, int(n))) for n in rng.integers(8, 20, size=12)]
    reg = KNeighborsDTWRegressor(n_neighbors=1, window=0.2).fit(ragged, y.astype(float))
    np.testing.assert_array_equal(reg.predict(ragged), y)
    with pytest.raises(ValueError, match="channels"):
        clf.predict(rng.normal(size=(3, 3, 15)))


def test_regressor_mean_of_neighbours():
    X, _ = _panel()
    target = np.linspace(0, 1, len(X))
    reg = KNeighborsDTWRegressor(n_neighbors=3, window=0.1).fit(X, target)
    _, idx = reg.kneighbors(X[:5])
    np.testing.assert_allclose(reg.predict(X[:5]), target[idx].mean(axis=1))


def test_learned_window_and_its_errors():
    X, y = _panel()
    clf = KNeighborsDTWClassifier(window="learn").fit(X, y)
    assert clf.window_errors_.shape == (101,)
    assert clf.window_ in np.arange(101) / 100
    best = int(round(clf.window_ * 100))
    assert clf.window_errors_[best] == clf.window_errors_.min()
    assert np.all(clf.window_errors_[:best] > clf.window_errors_[best])
    # The errors are the leave-one-out 1-NN errors computed from scratch.
    for p in (0, 10, 50, 100):
        D = cdist_dtw(X, window=p / 100)
        np.fill_diagonal(D, np.inf)
        assert clf.window_errors_[p] == np.sum(y[np.argmin(D, axis=1)] != y)


# -- bad input --------------------------------------------------------------------------------


def test_bad_input_errors_name_the_argument():
    X, y = _panel()
    with pytest.raises(ValueError, match="x contains 1 NaN"):
        dtw([1.0, np.nan], [1.0, 2.0])
    with pytest.raises(ValueError, match="y is empty"):
        dtw([1.0], [])
    with pytest.raises(ValueError, match="window"):
        dtw([1.0], [2.0], window=1.5)
    with pytest.raises(ValueError, match="window"):
        dtw([1.0], [2.0], window=-0.1)
    with pytest.raises(ValueError, match="channels"):
        dtw(np.zeros((2, 5)), np.zeros((3, 5)))
    with pytest.raises(ValueError, match="equal length"):
        lb_keogh([1.0, 2.0], [1.0, 2.0, 3.0])
    bad = X.copy()
    bad[2, 3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        KNeighborsDTWClassifier().fit(bad, y)
    with pytest.raises(ValueError, match="n_neighbors=31"):
        KNeighborsDTWClassifier(n_neighbors=31).fit(X, y)
    with pytest.raises(ValueError, match="window"):
        KNeighborsDTWClassifier(window=2).fit(X, y)
    with pytest.raises(ValueError, match="window"):
        KNeighborsDTWClassifier(window="best").fit(X, y)
    with pytest.raises(ValueError, match="weights"):
        KNeighborsDTWClassifier(weights="gaussian").fit(X, y)
    with pytest.raises(ValueError, match="multivariate"):
        KNeighborsDTWRegressor(multivariate="joint").fit(X, y)
    with pytest.raises(ValueError, match="n_jobs"):
        KNeighborsDTWClassifier(n_jobs=0).fit(X, y)
    clf = KNeighborsDTWClassifier().fit(X, y)
    with pytest.raises(ValueError, match="channels"):
        clf.predict(np.zeros((2, 2, 40)))
    with pytest.raises(ValueError, match="n_neighbors"):
        clf.kneighbors(n_neighbors=30)
    with pytest.raises(ValueError, match="empty"):
        clf.predict(np.zeros((0, 40)))


# -- the analogue forecaster -----------------------------------------------------------------


def _monthly(n=96):
    t = np.arange(n)
    values = 100 + 0.5 * t + 10 * np.sin(2 * np.pi * t / 12)
    return pd.Series(values, index=pd.period_range("2010-01", periods=n, freq="M"))


def test_analogue_continues_the_index_and_brackets_the_forecast():
    y = _monthly()
    f = AnalogueForecaster(n_neighbors=4, window_length=12).fit(y)
    mean = f.predict(6)
    assert str(mean.index[0]) == "2018-01" and mean.index.freqstr == "M"
    bounds = f.predict_interval(6, coverage=0.9)
    assert np.all(bounds["lo"] <= mean) and np.all(mean <= bounds["hi"])
    # Shape-only analogues of a trend plus a season forecast it closely.
    t = np.arange(96, 102)
    truth = 100 + 0.5 * t + 10 * np.sin(2 * np.pi * t / 12)
    assert np.max(np.abs(mean.to_numpy() - truth)) < 6.5
    assert len(f.analogues(6)) == 4


def test_analogue_forecast_is_the_mean_of_what_followed_the_neighbours():
    rng = np.random.default_rng(4)
    y = rng.normal(size=80)
    f = AnalogueForecaster(n_neighbors=3, window_length=5, window=0.2, normalize=None).fit(y)
    ends = f.analogues(2)
    windows = np.lib.stride_tricks.sliding_window_view(y, 5)[: 80 - 5 - 2 + 1]
    D = np.array([dtw(w, y[-5:], window=0.2) for w in windows])
    np.testing.assert_array_equal(ends - 5, np.argsort(D, kind="stable")[:3])
    expected = np.array([y[ends].mean(), y[ends + 1].mean()])
    np.testing.assert_allclose(f.predict(2), expected)


def test_analogue_errors():
    with pytest.raises(ValueError, match="needs at least 17"):
        AnalogueForecaster(n_neighbors=5, window_length=12).fit(np.arange(16.0))
    with pytest.raises(ValueError, match="window_length"):
        AnalogueForecaster(window_length=0).fit(np.arange(30.0))
    f = AnalogueForecaster(n_neighbors=5, window_length=12).fit(np.arange(30.0))
    with pytest.raises(ValueError, match="h=20"):
        f.predict(20)
    with pytest.raises(ValueError, match="n_neighbors >= 2"):
        AnalogueForecaster(n_neighbors=1, window_length=4).fit(np.arange(30.0)).predict_interval(2)


def test_compiled_kernels_are_loaded_from_the_cache_in_a_new_process():
    import subprocess
    import sys

    code = (
        "from tsclassic.neighbors import dtw\n"
        "from tsclassic.neighbors._kernels import dtw_sq\n"
        "dtw([1.0, 2.0], [1.0, 3.0])\n"
        "print(sum(dtw_sq.stats.cache_hits.values()))\n"
    )
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True) for _ in range(2)]
    assert int(runs[1].stdout.strip()) >= 1
