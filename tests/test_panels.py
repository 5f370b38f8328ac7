"""Panels on the feature side: several channels, unequal lengths, bad input, and the
conformance checks that hold every panel estimator to its tags."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, TransformerMixin

from tsclassic._validation import check_panel, check_panel_target
from tsclassic.base import PanelMixin, Tags
from tsclassic.language import NGramClassifier
from tsclassic.ml import FeatureClassifier, FeatureRegressor, QuantileFeatures
from tsclassic.spectral import SpectralFeatures, WaveletFeatures
from tsclassic.testing import check_estimator, panel_data
from tsclassic.timedomain import TimeDomainFeatures


def _two_channels(n: int = 12, length: int = 48, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    return np.stack([np.sin(2 * np.pi * t / 12) + rng.normal(0, 0.1, (n, length)),
                     np.cumsum(rng.normal(size=(n, length)), axis=1)], axis=1)


# -- several channels -----------------------------------------------------------------
@pytest.mark.parametrize("tr", [TimeDomainFeatures(acf_lags=(1, 2)), SpectralFeatures(),
                                WaveletFeatures(level=2)])
def test_feature_transformers_compute_every_channel_and_name_it(tr):
    X = _two_channels()
    both = tr.fit_transform(X)
    first = type(tr)(**tr.get_params()).fit_transform(X[:, 0, :])
    second = type(tr)(**tr.get_params()).fit_transform(X[:, 1, :])
    assert list(both.columns) == [f"0__{c}" for c in first.columns] + [f"1__{c}" for c in second.columns]
    np.testing.assert_allclose(both.to_numpy(), np.hstack([first, second]))
    # A DataFrame of nested series names the channels by its columns.
    frame = pd.DataFrame({"ecg": list(X[:, 0, :]), "resp": list(X[:, 1, :])}, index=list("abcdefghijkl"))
    named = type(tr)(**tr.get_params()).fit(frame)
    out = named.transform(frame)
    assert out.columns[0].startswith("ecg__") and out.columns[-1].startswith("resp__")
    assert list(out.index) == list("abcdefghijkl")
    np.testing.assert_allclose(out.to_numpy(), both.to_numpy())
    with pytest.raises(ValueError, match="X has channels"):
        named.transform(frame[["resp", "ecg"]])


def test_quantile_features_several_channels_side_by_side():
    X = _two_channels()
    tr = QuantileFeatures(depth=3).fit(X)
    one = QuantileFeatures(depth=3).fit(X[:, 1, :])
    out = tr.transform(X)
    assert out.shape == (12, 2 * one.n_features_out_) == (12, tr.n_features_out_)
    np.testing.assert_allclose(out[:, one.n_features_out_:], one.transform(X[:, 1, :]))
    names = tr.get_feature_names_out()
    assert names[0].startswith("0__raw_0_48") and names[-1].startswith("1__fft_")


def test_ngram_classifier_sums_the_channels_log_likelihoods():
    X = _two_channels(n=18)
    y = np.repeat([0, 1, 2], 6)
    X[y == 1, 1] *= -1.0
    X[y == 2, 0] = X[y == 2, 0, ::-1]
    clf = NGramClassifier(n_segments=8, order=2).fit(X, y)
    assert len(clf.models_) == 3 and len(clf.models_[0]) == 2
    per_channel = [NGramClassifier(n_segments=8, order=2).fit(X[:, c, :], y).decision_function(X[:, c, :])
                   for c in (0, 1)]
    np.testing.assert_allclose(clf.decision_function(X), per_channel[0] + per_channel[1])
    assert (clf.predict(X) == y).mean() > 0.8


def test_feature_classifier_on_multichannel_input():
    X = _two_channels(n=30)
    y = np.repeat([0, 1], 15)
    X[y == 1, 1] = X[y == 1, 1, ::-1] * 3  # the classes differ in the second channel only
    clf = FeatureClassifier(random_state=0).fit(X[::2], y[::2])
    assert clf.score(X[1::2], y[1::2]) > 0.8
    with pytest.raises(ValueError, match="X has 1 channels but FeatureClassifier was fitted on 2"):
        clf.predict(X[:, 0, :])
    # Named channels name the features, e.g. to read the trees' importances.
    frame = pd.DataFrame({"ecg": list(X[:, 0, :]), "resp": list(X[:, 1, :])})
    named = FeatureClassifier(random_state=0).fit(frame.iloc[::2], y[::2])
    assert len(named.feature_names_) == len(named.estimator_.feature_importances_)
    top = named.feature_names_[np.argsort(named.estimator_.feature_importances_)[-5:]]
    assert all(name.startswith("resp__") for name in top)
    np.testing.assert_array_equal(named.predict(frame.iloc[1::2]), clf.predict(X[1::2]))


# -- unequal lengths ------------------------------------------------------------------
def test_quantile_features_equal_lengths_are_exactly_quant_and_intervals_scale():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(4, 64))
    tr = QuantileFeatures().fit(X)
    assert tr.reference_length_ == 64
    # A series twice as long: each interval covers the same fractions of it, and gives
    # the quantiles laid out at fit, over twice the points.
    raw = QuantileFeatures(depth=2, representations=("raw",)).fit(X)
    assert raw.intervals_["raw"] == [(0, 64), (0, 32), (32, 64), (16, 48)]
    long = rng.normal(size=128)
    got = raw.transform([long])[0]
    expected = []
    for a, b in raw.intervals_["raw"]:
        q = np.quantile(long[2 * a:2 * b], np.linspace(0, 1, 1 + (b - a - 1) // 4))
        q[1::2] -= long[2 * a:2 * b].mean()
        expected.extend(q)
    np.testing.assert_allclose(got, expected)
    # Unequal lengths at fit: the layout is that of the median length.
    lists = [X[0, :40], X[1, :50], X[2]]
    fitted = QuantileFeatures().fit(lists)
    assert fitted.reference_length_ == 50
    out = fitted.transform(lists)
    assert out.shape == (3, fitted.n_features_out_) and np.isfinite(out).all()
    np.testing.assert_allclose(out[1], QuantileFeatures().fit(X[1:2, :50]).transform(X[1:2, :50])[0])


def test_spectral_features_use_each_series_own_length():
    t = np.arange(200)
    X = [np.sin(2 * np.pi * t[:n] / 10) for n in (60, 120, 200)]
    out = SpectralFeatures().fit_transform(X)
    np.testing.assert_allclose(out["dominant_period"], 10.0)


def test_unequal_lengths_in_every_feature_model():
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 10)
    X = [np.sin(np.linspace(0, (2 + 4 * c) * np.pi, n)) + rng.normal(0, 0.1, n)
         for c, n in zip(y, rng.integers(30, 60, 20))]
    for model in (FeatureClassifier(random_state=0), NGramClassifier(n_segments=8, order=2)):
        assert (model.fit(X, y).predict(X) == y).mean() > 0.9
    reg = FeatureRegressor(random_state=0).fit(X, y.astype(float))
    assert reg.predict(X[:3]).shape == (3,)


# -- bad input --------------------------------------------------------------------------
def test_check_panel_names_each_bad_panel():
    with pytest.raises(ValueError, match=r"X\[1\] is an empty series"):
        check_panel([np.ones(5), np.array([]), np.ones(4)], unequal_length=True)
    with pytest.raises(ValueError, match=r"X\[2\] has 2 channel\(s\) but X\[0\] has 1"):
        check_panel([np.ones(5), np.ones(5), np.ones((2, 5))])
    with pytest.raises(ValueError, match="X must be 2-D .* got a 4-D array"):
        check_panel(np.ones((3, 2, 2, 5)))
    with pytest.raises(ValueError, match=r"X\[0\] has shape \(2, 2, 5\)"):
        check_panel([np.ones((2, 2, 5))])
    padded = np.ones((4, 10))
    padded[1, 6:] = np.nan
    padded[3, 8:] = np.nan
    with pytest.raises(ValueError, match=r"X looks NaN-padded: 2 series .*X\[1\] from position 6.*list"):
        check_panel(padded)
    inside = np.ones((4, 10))
    inside[1, 3] = np.nan
    with pytest.raises(ValueError, match="X contains 1 NaN values"):
        check_panel(inside)


def test_channel_counts_labels_and_padding_in_the_estimators():
    X, y = panel_data()
    clf = FeatureClassifier(random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="X has 2 channels but FeatureClassifier was fitted on 1"):
        clf.predict(np.stack([X, X], axis=1))
    labels = y.astype(object)
    labels[[2, 5]] = None
    with pytest.raises(ValueError, match=r"y is missing for 2 series \(first at position 2\)"):
        FeatureClassifier().fit(X, labels)
    with pytest.raises(ValueError, match=r"y is missing for 1 series"):
        NGramClassifier().fit(X, np.where(np.arange(30) == 4, np.nan, y))
    with pytest.raises(ValueError, match="y has 29 labels but X has 30 series"):
        NGramClassifier().fit(X, y[:-1])
    with pytest.raises(ValueError, match="requires y to be passed"):
        check_panel_target(None, 3, owner="FeatureClassifier")
    padded = X.copy()
    padded[0, 30:] = np.nan
    with pytest.raises(ValueError, match="NaN-padded.*trim_trailing_nan"):
        QuantileFeatures().fit(padded)


def test_parameters_are_checked_first():
    X, y = panel_data()
    # (A value of the wrong type for each parameter is the suite's params_bad_value.)
    for bad, name in [(TimeDomainFeatures(entropy_bins=0), "entropy_bins"),
                      (SpectralFeatures(rolloff=1.5), "rolloff"),
                      (WaveletFeatures(level=2.5), "level"),
                      (QuantileFeatures(depth=0), "depth"),
                      (NGramClassifier(alphabet_size=1), "alphabet_size")]:
        with pytest.raises((ValueError, TypeError), match=name):
            bad.fit(X, y)


# -- the conformance suite bites ----------------------------------------------------------
class _NaNFeatures(PanelMixin, TransformerMixin, BaseEstimator):
    _tags = Tags(unequal_length=True)

    def fit(self, X, y=None):
        self._validate_panel(X, reset=True)
        return self

    def transform(self, X):
        self._check_fitted()
        panel = self._validate_panel(X, reset=False)
        # The autocorrelation at lag 35 of each series: NaN when it is shorter.
        return np.array([[np.corrcoef(s[0][:-35], s[0][35:])[0, 1] if s.shape[1] > 37 else np.nan]
                         for s in panel])


class _ClaimsChannels(PanelMixin, TransformerMixin, BaseEstimator):
    _tags = Tags(multivariate=True)

    def fit(self, X, y=None):
        self._validate_panel(X, reset=True)
        return self

    def transform(self, X):
        self._check_fitted()
        return check_panel(X)[:, 0, :1]  # never compares the channels with those at fit


@pytest.mark.parametrize(("broken", "check"), [(_NaNFeatures(), "unequal_length"),
                                               (_ClaimsChannels(), "channels_mismatch")])
def test_conformance_catches_broken_panel_estimators(broken, check):
    with pytest.raises(AssertionError, match=rf"\[{check}\]"):
        check_estimator(broken, sklearn_checks=False)


def test_paa_and_sax_on_unequal_lengths():
    from tsclassic.language import PAA, SAX

    X = [np.arange(8.0), np.arange(12.0), np.arange(8.0)]
    out = PAA(n_segments=4).fit_transform(X)
    np.testing.assert_allclose(out, [[0.5, 2.5, 4.5, 6.5], [1.0, 4.0, 7.0, 10.0], [0.5, 2.5, 4.5, 6.5]])
    words = SAX(n_segments=4, alphabet_size=4, normalize="panel").fit(X).transform(X)
    assert words.shape == (3, 4) and words[0].tolist() == sorted(words[0].tolist())
    with pytest.raises(ValueError, match="unequal lengths, so there is no one length"):
        PAA(n_segments=4).fit(X).inverse_transform(out)
    with pytest.raises(ValueError, match=r"X\[0\] has length 8 .* at least 10 \(n_segments"):
        PAA(n_segments=10).fit(X)
