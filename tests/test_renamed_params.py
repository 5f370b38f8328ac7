"""One set of names: the old spellings keep working for one release, with a FutureWarning
that names the new one, and give the identical result. (The conformance suite's
``renamed_params`` check does the same for every registered estimator.)"""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from tsclassic.arima import AutoETS, ExponentialSmoothingForecaster, SARIMAXForecaster
from tsclassic.baselines import Drift
from tsclassic.decomposition import DecompositionForecaster, decompose
from tsclassic.spectral import HarmonicForecaster, dominant_periods, periodogram, welch
from tsclassic.testing import forecaster_data
from tsclassic.timedomain import detect_level_shifts, find_peaks

Y = forecaster_data()


def test_the_old_name_of_a_function_argument_warns_and_gives_the_same_result():
    with pytest.warns(FutureWarning, match="'periods' was renamed 'season_length'"):
        old = decompose(Y, method="classical", periods=12)
    pd.testing.assert_frame_equal(old, decompose(Y, method="classical", season_length=12))


def test_positional_parameters_after_the_first_warn_and_build_the_same_estimator():
    with pytest.warns(FutureWarning, match="pass trend_forecaster by keyword"):
        old = DecompositionForecaster(12, Drift(), method="classical")
    new = DecompositionForecaster(12, trend_forecaster=Drift(), method="classical")
    assert repr(old) == repr(new)
    np.testing.assert_array_equal(old.fit(Y).predict(6), new.fit(Y).predict(6))


def test_a_renamed_value_form_is_translated_too():
    # HarmonicForecaster(trend=False) is deterministic_trend="c": an intercept, no slope.
    with pytest.warns(FutureWarning, match="Pass deterministic_trend='c'"):
        old = HarmonicForecaster(season_length=12, trend=False)
    assert old.get_params()["deterministic_trend"] == "c"
    new = HarmonicForecaster(season_length=12, deterministic_trend="c")
    np.testing.assert_array_equal(old.fit(Y).predict(6), new.fit(Y).predict(6))
    assert "drift" not in new.params_.index


def test_old_names_reach_nested_estimators_through_set_params():
    model = DecompositionForecaster(12, trend_forecaster=ExponentialSmoothingForecaster())
    with pytest.warns(FutureWarning, match="'maxiter' was renamed 'max_iter'"):
        model.set_params(trend_forecaster__maxiter=7)
    assert model.trend_forecaster.max_iter == 7


def test_the_new_spelling_never_warns():
    model = SARIMAXForecaster((1, 0, 0), deterministic_trend="c", max_iter=20)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        clone(model).get_params()
        pickle.loads(pickle.dumps(model))
        repr(model)


def test_old_and_new_name_together_or_too_many_positionals_are_errors():
    with pytest.raises(TypeError, match="pass 'max_iter' only"):
        SARIMAXForecaster(maxiter=5, max_iter=5)
    with pytest.raises(TypeError, match="at most"):
        ExponentialSmoothingForecaster("add", False, None, None, 10)


def test_an_estimator_pickled_under_the_old_names_loads_under_the_new():
    model = AutoETS(season_length=1, damped_trend=False, max_nfev=300)
    state = model.__getstate__()
    state["damped"], state["maxiter"] = state.pop("damped_trend"), state.pop("max_nfev")
    restored = AutoETS.__new__(AutoETS)
    restored.__setstate__(state)
    assert restored.get_params() == model.get_params()
    with pytest.warns(FutureWarning, match="read 'max_nfev'"):
        assert restored.maxiter == 300


def test_where_an_event_happens_is_position_for_peaks_and_level_shifts():
    y = pd.Series(np.r_[np.zeros(30), np.full(30, 4.0)] + np.sin(np.arange(60.0)))
    assert "position" in find_peaks(y) and "position" in detect_level_shifts(y)
    assert "location" not in detect_level_shifts(y)


def test_every_spectrum_has_the_same_columns():
    y = np.sin(2 * np.pi * np.arange(240) / 12) + np.sin(2 * np.pi * np.arange(240) / 5)
    columns = [list(f(y).columns) for f in (periodogram, welch, dominant_periods)]
    assert columns[0] == columns[1] == columns[2] == ["frequency", "period", "power"]


# -- normalize names what is normalised over, never a flag; n_layers for stacked layers --
@pytest.mark.parametrize(("cls", "old", "new"), [
    ("AnalogueForecaster", True, "window"), ("AnalogueForecaster", False, None),
    ("ReductionForecaster", True, "window"), ("ReductionForecaster", False, None),
    ("NGramClassifier", True, "series"), ("NGramClassifier", False, None),
])
def test_a_boolean_normalize_warns_and_means_its_scope(cls, old, new):
    import tsclassic

    est_cls = getattr(tsclassic, cls)
    with pytest.warns(FutureWarning, match=rf"'normalize' takes {new!r} where it took {old}"):
        est = est_cls(normalize=old)
    assert est.normalize == new and repr(est) == repr(est_cls(normalize=new))
    with pytest.warns(FutureWarning, match="'normalize' takes"):
        assert clone(est).set_params(normalize=old).normalize == new
    state = dict(est.__getstate__(), normalize=old)  # a model pickled in tsclassic 0.1
    restored = est_cls.__new__(est_cls)
    restored.__setstate__(state)
    assert restored.normalize == new


def test_the_same_normalize_scope_gives_the_same_forecast():
    from tsclassic.neighbors import AnalogueForecaster

    y = np.sin(np.arange(80) / 3) + np.arange(80) / 20
    with pytest.warns(FutureWarning):
        old = AnalogueForecaster(n_neighbors=3, window_length=6, normalize=False).fit(y)
    new = AnalogueForecaster(n_neighbors=3, window_length=6, normalize=None).fit(y)
    np.testing.assert_array_equal(old.predict(5), new.predict(5))
    with pytest.raises(ValueError, match="'normalize' parameter of AnalogueForecaster"):
        new.set_params(normalize="bogus").fit(y)


def test_the_recurrent_models_say_n_layers_and_the_series_scope():
    pytest.importorskip("torch")
    from tsclassic.deep import GlobalRNNForecaster, RNNClassifier, RNNForecaster, RNNLanguageModel

    for cls in (RNNForecaster, RNNClassifier, GlobalRNNForecaster, RNNLanguageModel):
        with pytest.warns(FutureWarning, match="'num_layers' was renamed 'n_layers'"):
            assert cls(num_layers=2).get_params()["n_layers"] == 2
    with pytest.warns(FutureWarning, match="'normalize' takes 'series' where it took 'global'"):
        assert RNNForecaster(normalize="global").normalize == "series"
    with pytest.warns(FutureWarning) as caught:
        assert RNNForecaster(scaling="global").normalize == "series"  # two renames at once
    assert {"'scaling' was renamed", "takes 'series'"} <= {
        part for w in caught for part in ("'scaling' was renamed", "takes 'series'")
        if part in str(w.message)}
