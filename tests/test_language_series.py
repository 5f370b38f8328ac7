"""PAA, SAX (against tslearn), the n-gram likelihood classifier and the symbol forecaster."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from tsclassic.datasets import load_ucr
from tsclassic.language import PAA, SAX, NGramClassifier, NGramForecaster
from tsclassic.testing import panel_data


def _tslearn():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from tslearn.piecewise import (
            PiecewiseAggregateApproximation,
            SymbolicAggregateApproximation,
        )
    return PiecewiseAggregateApproximation, SymbolicAggregateApproximation


# -- PAA / SAX ---------------------------------------------------------------------------
@pytest.mark.parametrize("length", [24, 37])
@pytest.mark.parametrize("n_segments", [1, 5, 8])
def test_paa_agrees_with_tslearn(length, n_segments):
    TSPAA, _ = _tslearn()
    X = np.random.default_rng(length).normal(size=(6, length))
    ours = PAA(n_segments).fit_transform(X)
    assert ours.shape == (6, n_segments)
    np.testing.assert_allclose(ours, TSPAA(n_segments).fit_transform(X)[:, :, 0])


@pytest.mark.parametrize("scale", [False, True])
@pytest.mark.parametrize(("n_segments", "alphabet_size"), [(4, 2), (6, 5), (10, 9)])
def test_sax_agrees_with_tslearn(scale, n_segments, alphabet_size):
    _, TSSAX = _tslearn()
    rng = np.random.default_rng(alphabet_size)
    X_fit, X_new = rng.normal(1, 2, size=(8, 40)), rng.normal(1, 2, size=(5, 40))
    ours = SAX(n_segments, alphabet_size=alphabet_size,
               normalize="panel" if scale else None).fit(X_fit)
    theirs = TSSAX(n_segments=n_segments, alphabet_size_avg=alphabet_size, scale=scale).fit(X_fit)
    words = ours.transform(X_new)
    np.testing.assert_array_equal(words, theirs.transform(X_new)[:, :, 0])
    assert words.dtype.kind == "i" and words.min() >= 0 and words.max() < alphabet_size
    # The inverse map agrees wherever tslearn fills the series (whole segments).
    covered = (40 // n_segments) * n_segments
    np.testing.assert_allclose(
        ours.inverse_transform(words)[:, :covered],
        theirs.inverse_transform(words[:, :, None])[:, :covered, 0],
    )


def test_sax_symbols_sit_in_their_bins_and_map_back_to_the_bin_median():
    sax = SAX(n_segments=4, alphabet_size=4).fit(np.zeros((1, 8)))
    assert sax.breakpoints_ == pytest.approx([-0.6744898, 0.0, 0.6744898])
    # Each symbol maps back to the median of its equiprobable bin: Phi^-1((2i + 1) / 8).
    assert sax.midpoints_ == pytest.approx([-1.1503494, -0.3186394, 0.3186394, 1.1503494])
    values = np.array([[-2.0, -2.0, -0.1, -0.1, 0.0, 0.0, 3.0, 3.0]])
    assert sax.transform(values).tolist() == [[0, 1, 2, 3]]  # 0.0 on a breakpoint goes up
    assert sax.inverse_transform([[0, 3, 3, 1]])[0, ::2] == pytest.approx(sax.midpoints_[[0, 3, 3, 1]])


def test_symbolisation_errors_name_the_parameter():
    X = np.zeros((2, 5))
    with pytest.raises(ValueError, match="n_segments"):
        PAA(n_segments=6).fit(X)
    with pytest.raises(ValueError, match="alphabet_size"):
        SAX(n_segments=2, alphabet_size=1).fit(X)
    sax = SAX(n_segments=5, alphabet_size=3).fit(X)
    with pytest.raises(ValueError, match="symbols 0..2"):
        sax.inverse_transform([[0, 1, 2, 3, 0]])
    with pytest.raises(ValueError, match=r"shape \(n_series, 5\)"):
        sax.inverse_transform([[0, 1]])
    with pytest.raises(TypeError, match="sparse"):
        from scipy import sparse

        PAA(2).fit(sparse.csr_matrix(X))


def test_multichannel_panels_keep_their_channels():
    X = np.random.default_rng(0).normal(size=(4, 2, 12))
    assert PAA(3).fit_transform(X).shape == (4, 2, 3)
    assert SAX(3, alphabet_size=4).fit(X).inverse_transform(SAX(3, alphabet_size=4).fit(X).transform(X)).shape == (4, 2, 12)


# -- classifier -------------------------------------------------------------------------
def test_classifier_on_a_separable_panel():
    X, y = panel_data(n_series=60, length=40)
    clf = NGramClassifier(n_segments=8, alphabet_size=4, order=3).fit(X[:30], y[:30])
    assert (clf.predict(X[30:]) == y[30:]).mean() >= 0.9
    proba = clf.predict_proba(X[30:])
    assert proba.shape == (30, 3) and np.allclose(proba.sum(axis=1), 1)
    np.testing.assert_array_equal(clf.classes_[proba.argmax(axis=1)], clf.predict(X[30:]))


def test_classifier_likelihoods_are_the_class_models_log_probabilities():
    X, y = panel_data(n_series=12, length=40)
    clf = NGramClassifier(n_segments=8, alphabet_size=4, order=2).fit(X, np.array(list("abc") * 4))
    words = SAX(8, alphabet_size=4).fit(X).transform((X - X.mean(1, keepdims=True)) / X.std(1, keepdims=True))
    scores = clf.decision_function(X[:2])
    assert scores[0, 1] == pytest.approx(clf.models_[1][0].logprob(words[0].tolist()))
    assert list(clf.classes_) == ["a", "b", "c"]


def test_classifier_on_ucr_gunpoint_is_well_above_chance():
    X_train, y_train = load_ucr("GunPoint", split="train")
    X_test, y_test = load_ucr("GunPoint", split="test")
    clf = NGramClassifier(n_segments=16, alphabet_size=4, order=3).fit(X_train, y_train)
    assert (clf.predict(X_test) == y_test).mean() >= 0.78  # measured 0.833; 1-NN DTW 0.907


# -- forecaster -------------------------------------------------------------------------
def test_forecaster_continues_a_symbol_cycle():
    y = np.tile([0.0, 1.0, 2.0, 3.0], 20)
    forecast = NGramForecaster(alphabet_size=4, order=3).fit(y).predict(8)
    # The mean path follows the cycle in phase, each step near the value its symbol maps
    # back to (bin median * std + mean); smoothing keeps a little mass on other symbols,
    # so the mean path flattens slowly with the horizon.
    symbol_values = SAX(1, alphabet_size=4).fit(np.zeros((1, 1))).midpoints_ * y.std() + y.mean()
    np.testing.assert_allclose(forecast[:4], symbol_values, atol=0.2)
    assert np.all(np.diff(forecast[:4]) > 0) and np.all(np.diff(forecast[4:]) > 0)


def test_forecaster_differences_integrate_back_exactly():
    t = np.arange(60.0)
    forecast = NGramForecaster(alphabet_size=4, order=2, differences=2).fit(0.05 * t**2).predict(3)
    np.testing.assert_allclose(forecast, 0.05 * np.arange(60, 63) ** 2)


def test_forecaster_segments_and_pandas_index():
    y = pd.Series(np.tile([1.0, 1.0, 5.0, 5.0], 10),
                  index=pd.period_range("2020-01", periods=40, freq="M"))
    forecast = NGramForecaster(alphabet_size=2, order=3, segment_length=2).fit(y).predict(5)
    assert str(forecast.index[0]) == "2023-05" and forecast.index.freqstr == "M"
    assert forecast.iloc[0] == forecast.iloc[1]  # one symbol covers two steps
    assert forecast.iloc[0] < 3 < forecast.iloc[2]


def test_forecaster_too_short_and_bad_parameters():
    with pytest.raises(ValueError, match="y has 5 observations"):
        NGramForecaster(order=3, segment_length=2).fit(np.arange(5.0))
    with pytest.raises(ValueError, match="alphabet_size"):
        NGramForecaster(alphabet_size=1).fit(np.arange(30.0))
    with pytest.raises(ValueError, match="differences"):
        NGramForecaster(differences=-1).fit(np.arange(30.0))


def test_docstring_examples_run():
    import doctest
    import importlib

    for name in ("_ngram", "_sax", "_classifier", "_forecaster"):
        module = importlib.import_module(f"tsclassic.language.{name}")
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0, name


def test_forecaster_long_orders_stay_fast():
    # alphabet_size ** (order - 1) contexts would explode; the beam keeps it bounded.
    y = np.sin(np.arange(120) / 3.0)
    forecast = NGramForecaster(alphabet_size=6, order=9).fit(y).predict(24)
    assert forecast.shape == (24,) and np.all(np.abs(forecast) < 2)
