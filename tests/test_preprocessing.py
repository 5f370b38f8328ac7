"""ZNormalizer, Resampler and trim_trailing_nan: per series, per channel, any lengths."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import make_pipeline

from tsclassic.preprocessing import Resampler, ZNormalizer, trim_trailing_nan


def test_znormalizer_per_series_and_per_channel():
    rng = np.random.default_rng(0)
    X = rng.normal(3.0, 2.0, (5, 2, 30)) * np.array([1.0, 100.0])[None, :, None]
    out = ZNormalizer().fit_transform(X)
    assert out.shape == X.shape
    np.testing.assert_allclose(out.mean(axis=2), 0.0, atol=1e-12)
    np.testing.assert_allclose(out.std(axis=2), 1.0)
    # Each channel of each series on its own: the same as normalising one at a time.
    one = (X[2, 1] - X[2, 1].mean()) / X[2, 1].std()
    np.testing.assert_allclose(out[2, 1], one)
    two_d = ZNormalizer().fit_transform(X[:, 0, :])
    assert two_d.shape == (5, 30)
    np.testing.assert_allclose(two_d, out[:, 0, :])


def test_znormalizer_unequal_lengths_and_constant_series():
    X = [np.arange(5.0), np.full(8, 2.5), np.array([1.0, 3.0])]
    out = ZNormalizer().fit_transform(X)
    assert [len(s) for s in out] == [5, 8, 2]
    np.testing.assert_allclose(out[0], (X[0] - 2.0) / np.std(X[0]))
    assert np.all(out[1] == 0.0)  # the documented choice for a constant series
    np.testing.assert_allclose(out[2], [-1.0, 1.0])
    with pytest.raises(ValueError, match=r"constant channel \(series 1, channel 0\).*constant='zero'"):
        ZNormalizer(constant="raise").fit_transform(X)
    with pytest.raises(ValueError, match="constant"):
        ZNormalizer(constant="nope").fit(np.ones((2, 3)))


def test_znormalizer_does_not_modify_its_input_and_keeps_a_dataframe_panel():
    X = np.random.default_rng(1).normal(size=(4, 10))
    before = X.copy()
    ZNormalizer().fit_transform(X)
    np.testing.assert_array_equal(X, before)
    out = ZNormalizer().fit_transform(pd.DataFrame(X))
    assert out.shape == (4, 10)


def test_resampler_linear_interpolation_to_one_length():
    X = [np.array([0.0, 10.0]), np.arange(5.0), np.array([7.0])]
    out = Resampler(length=3).fit_transform(X)
    np.testing.assert_allclose(out, [[0.0, 5.0, 10.0], [0.0, 2.0, 4.0], [7.0, 7.0, 7.0]])
    # Equal to numpy's interpolation at evenly spaced fractions of each series' span.
    y = np.random.default_rng(0).normal(size=17)
    got = Resampler(length=40).fit_transform([y])[0]
    np.testing.assert_allclose(got, np.interp(np.linspace(0, 16, 40), np.arange(17), y))
    # length=None: the longest series at fit, also for later series of other lengths.
    res = Resampler().fit(X)
    assert res.length_ == 5 and res.transform([np.arange(9.0)]).shape == (1, 5)


def test_resampler_multichannel_and_bad_length():
    X = np.stack([np.arange(6.0), 10 * np.arange(6.0)])[None].repeat(3, axis=0)
    out = Resampler(length=11).fit_transform(X)
    assert out.shape == (3, 2, 11)
    np.testing.assert_allclose(out[0, 1], 10 * np.linspace(0, 5, 11))
    with pytest.raises(ValueError, match="length"):
        Resampler(length=0).fit(X)
    with pytest.raises(ValueError, match="X has 1 channels but Resampler was fitted on 2"):
        Resampler(length=4).fit(X).transform(np.ones((2, 6)))


def test_pipeline_resample_normalise_classify_unequal_lengths():
    from tsclassic.language import NGramClassifier

    rng = np.random.default_rng(0)
    lengths = rng.integers(30, 70, 24)
    y = np.arange(24) % 2
    X = [(np.sin(np.linspace(0, 4 * np.pi, n)) if c else np.linspace(-1, 1, n)) * 5 + 3
         + rng.normal(0, 0.1, n) for n, c in zip(lengths, y)]
    pipe = make_pipeline(Resampler(length=50), ZNormalizer(), NGramClassifier(8, order=2))
    assert (pipe.fit(X[:12], y[:12]).predict(X[12:]) == y[12:]).all()


def test_trim_trailing_nan_reads_padding_as_unequal_lengths():
    X = np.array([[1.0, 2.0, 3.0], [4.0, np.nan, np.nan]])
    out = trim_trailing_nan(X)
    assert [s.tolist() for s in out] == [[1.0, 2.0, 3.0], [4.0]]
    X3 = np.ones((2, 2, 4))
    X3[1, :, 2:] = np.nan
    assert [s.shape for s in trim_trailing_nan(X3)] == [(2, 4), (2, 2)]
    with pytest.raises(ValueError, match="X must be a 2-D"):
        trim_trailing_nan(np.ones(3))
