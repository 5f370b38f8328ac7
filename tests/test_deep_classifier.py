"""tsclassic.deep classifiers: RNNClassifier and FCNClassifier."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from tsclassic.datasets import load_ucr  # noqa: E402
from tsclassic.deep import FCNClassifier, RNNClassifier  # noqa: E402

FAST = dict(max_epochs=40, learning_rate=0.01, random_state=0, verbose=False)


def _panel(n=60, length=30, channels=None, seed=0):
    """Three shapes (sine, step, ramp) with noise; labels as strings."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 1, length)
    shapes = np.stack([np.sin(2 * np.pi * t), np.sign(t - 0.5), 2 * t - 1])
    codes = np.arange(n) % 3
    X = shapes[codes] + rng.normal(0, 0.3, (n, length))
    if channels:
        X = np.stack([X, -X + rng.normal(0, 0.3, X.shape)], axis=1)
    return X, np.array(["sine", "step", "ramp"])[codes]


@pytest.mark.parametrize("make", [
    lambda: RNNClassifier(hidden_size=16, **FAST),
    lambda: RNNClassifier("gru", hidden_size=16, validation_fraction=0.2, patience=10, **FAST),
    lambda: FCNClassifier(filters=(16, 16), kernel_sizes=(5, 3), **FAST),
])
def test_learns_three_shapes_with_string_labels(make):
    X, y = _panel()
    X_test, y_test = _panel(seed=1)
    clf = make().fit(X, y)
    assert sorted(clf.classes_) == ["ramp", "sine", "step"]
    assert np.mean(clf.predict(X_test) == y_test) > 0.9
    proba = clf.predict_proba(X_test)
    assert proba.shape == (len(X_test), 3) and np.allclose(proba.sum(axis=1), 1.0)
    assert clf.n_features_in_ == X.shape[1] and clf.n_channels_ == 1


def test_fcn_beats_chance_on_a_ucr_set():
    X, y = load_ucr("ItalyPowerDemand", split="train")
    X_test, y_test = load_ucr("ItalyPowerDemand", split="test")
    clf = FCNClassifier(filters=(32, 64, 32), **FAST).fit(X, y)
    assert np.mean(clf.predict(X_test) == y_test) > 0.85


@pytest.mark.parametrize("cls", [RNNClassifier, FCNClassifier])
def test_multivariate_panels(cls):
    X, y = _panel(channels=2)
    params = {"hidden_size": 8} if cls is RNNClassifier else {"filters": (8, 8), "kernel_sizes": (3, 3)}
    clf = cls(max_epochs=3, random_state=0, verbose=False, **params).fit(X, y)
    assert clf.n_channels_ == 2 and clf.predict(X[:4]).shape == (4,)
    with pytest.raises(ValueError, match="channels"):
        clf.predict(X[:4, :1])


@pytest.mark.parametrize("cls", [RNNClassifier, FCNClassifier])
def test_another_seed_other_probabilities(cls):
    X, y = _panel(n=30)
    a = cls(max_epochs=2, random_state=3, verbose=False).fit(X, y).predict_proba(X)
    c = cls(max_epochs=2, random_state=4, verbose=False).fit(X, y).predict_proba(X)
    assert not np.allclose(a, c)


def test_one_class_and_bad_parameters_are_clear():
    X, y = _panel(n=12)
    with pytest.raises(ValueError, match="1 class"):
        RNNClassifier(verbose=False).fit(X, np.zeros(12))
    with pytest.raises(ValueError, match="cell"):
        RNNClassifier("cnn", verbose=False).fit(X, y)
    with pytest.raises(ValueError, match="kernel_sizes"):
        FCNClassifier(filters=(8, 8), kernel_sizes=(3,), verbose=False).fit(X, y)
    with pytest.raises(ValueError, match="filters"):
        FCNClassifier(filters=(8, 0), kernel_sizes=(3, 3), verbose=False).fit(X, y)
    with pytest.raises(ValueError, match="y"):
        RNNClassifier(verbose=False).fit(X, y[:-1])
    with pytest.raises(ValueError, match="empty"):
        RNNClassifier(max_epochs=1, verbose=False).fit([X[0], X[1][:0], X[2]], y[:3])


def test_lone_last_batch_does_not_break_batch_normalisation():
    X, y = _panel(n=17, length=1)  # 17 = one batch of 16 and a lone series of length 1
    clf = FCNClassifier(filters=(4,), kernel_sizes=(3,), max_epochs=2, random_state=0,
                        verbose=False).fit(X, y)
    assert clf.n_epochs_ == 2


def _ragged_panel(n=90, seed=0):
    """The three shapes of _panel, each drawn over its own length (12 to 60 points), so
    telling them apart needs each series read over its own extent."""
    rng = np.random.default_rng(seed)
    codes = np.arange(n) % 3
    X = []
    for code in codes:
        t = np.linspace(0, 1, rng.integers(12, 61))
        shape = (np.sin(2 * np.pi * t), np.sign(t - 0.5), 2 * t - 1)[code]
        X.append(shape + rng.normal(0, 0.3, len(t)))
    return X, np.array(["sine", "step", "ramp"])[codes]


SMALL = {RNNClassifier: dict(hidden_size=16), FCNClassifier: dict(filters=(16, 16), kernel_sizes=(5, 3))}


@pytest.mark.parametrize("cls", [RNNClassifier, FCNClassifier])
def test_a_list_of_equal_length_series_is_the_3d_array(cls):
    X, y = _panel(n=30)
    from_array = cls(max_epochs=3, **SMALL[cls], random_state=0, verbose=False).fit(X, y)
    from_list = cls(max_epochs=3, **SMALL[cls], random_state=0, verbose=False).fit(list(X), y)
    np.testing.assert_array_equal(from_array.predict_proba(X), from_list.predict_proba(list(X)))
    np.testing.assert_array_equal(from_array.predict(X), from_list.predict(list(X)))


@pytest.mark.parametrize("cls", [RNNClassifier, FCNClassifier])
def test_learns_shapes_of_unequal_lengths(cls):
    X, y = _ragged_panel()
    X_test, y_test = _ragged_panel(seed=1)
    clf = cls(**SMALL[cls], **FAST).fit(X, y)
    assert np.mean(clf.predict(X_test) == y_test) > 0.9
    assert not hasattr(clf, "n_features_in_")


@pytest.mark.parametrize("cls", [RNNClassifier, FCNClassifier])
def test_padding_never_reaches_a_prediction(cls):
    # A short series alone (no padding) and beside a series five times longer (padded
    # with 48 zeros) gets the same probabilities: the mask keeps padding out of the
    # convolutions, the pooling and the recurrent read.
    X, y = _ragged_panel(n=30)
    clf = cls(max_epochs=5, **SMALL[cls], random_state=0, verbose=False).fit(X, y)
    short, long = X[0][:12], np.tile(X[1], 5)[:60]
    alone = clf.predict_proba([short])
    beside = clf.predict_proba([short, long])[:1]
    np.testing.assert_allclose(alone, beside, rtol=1e-5, atol=1e-6)


def test_masked_batch_norm_counts_real_points_only():
    from tsclassic.deep._networks import MaskedBatchNorm1d, Padded

    gen = torch.Generator().manual_seed(0)
    lengths = torch.tensor([5, 9, 3])
    values = torch.randn(3, 4, 9, generator=gen)
    padded = Padded(values, lengths)
    mask = padded.mask()
    values = values * mask + 100.0 * (1 - mask)  # padding that would wreck the statistics
    masked, plain = MaskedBatchNorm1d(4), torch.nn.BatchNorm1d(4)
    out = masked(values, mask)
    # The reference: plain batch norm over the real points laid end to end.
    real = torch.cat([values[i, :, : lengths[i]] for i in range(3)], dim=1)[None]
    expected = plain(real)[0]
    got = torch.cat([out[i, :, : lengths[i]] for i in range(3)], dim=1)
    torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(masked.running_mean, plain.running_mean)
    torch.testing.assert_close(masked.running_var, plain.running_var)
