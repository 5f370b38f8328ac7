"""Tests of the wrappers: EnsembleForecaster and ConformalIntervals."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from tsclassic import (
    ConformalIntervals,
    Drift,
    EnsembleForecaster,
    Mean,
    Naive,
    Naive2,
    SeasonalNaive,
)
from tsclassic.arima import AutoTheta, ThetaForecaster
from tsclassic.base import BaseForecaster, get_tags

Y = np.array([1.0, 2.0, 4.0, 3.0, 5.0, 6.0])


class _Broken(BaseForecaster):
    def _fit(self, y, X):
        raise RuntimeError("no luck")


def test_median_and_mean_of_the_members_by_hand():
    members = [Naive(), Drift(), Mean()]  # 6; 6 + 1 * step; 3.5
    med = EnsembleForecaster(members).fit(Y).predict(2)
    assert med == pytest.approx([6.0, 6.0])
    mean = EnsembleForecaster(members, aggregate="mean").fit(Y).predict(2)
    assert mean == pytest.approx([(6 + 7 + 3.5) / 3, (6 + 8 + 3.5) / 3])
    lo_hi = EnsembleForecaster(members).fit(Y).predict_interval(2, coverage=0.8)
    each = np.stack([m.fit(Y).predict_interval(2, coverage=0.8) for m in members])
    assert lo_hi == pytest.approx(np.median(each, axis=0))


def test_names_params_and_clone_follow_scikit_learn():
    ens = EnsembleForecaster([AutoTheta(), ("snaive", Naive2(4)), AutoTheta(12)])
    params = ens.get_params(deep=True)
    assert params["autotheta__season_length"] == 1 and params["autotheta_2__season_length"] == 12
    assert params["snaive__season_length"] == 4 and "aggregate" in params
    ens.set_params(snaive__season_length=12, autotheta__model="DOTM", aggregate="mean")
    assert ens.forecasters[1][1].season_length == 12 and ens.forecasters[0].model == "DOTM"
    copy = clone(ens)
    assert copy.forecasters[0] is not ens.forecasters[0]
    assert copy.get_params(deep=True)["autotheta__model"] == "DOTM"
    with pytest.raises(ValueError, match="members are"):
        ens.set_params(nobody__x=1)


def test_a_failing_member_is_dropped_with_a_warning_naming_it():
    ens = EnsembleForecaster([("bad", _Broken()), ("naive", Naive())])
    with pytest.warns(UserWarning, match="member 'bad' failed to fit"):
        ens.fit(Y)
    assert list(ens.failed_) == ["bad"] and ens.predict(1) == pytest.approx([6.0])
    with pytest.raises(ValueError, match="every member of forecasters failed.*no luck"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            EnsembleForecaster([_Broken(), _Broken()]).fit(Y)


def test_tags_come_from_the_members_and_mixed_intervals_are_a_clear_error():
    assert get_tags(EnsembleForecaster([Naive(), Drift()])).intervals
    mixed = EnsembleForecaster([Naive(), ("naive2", Naive2())]).fit(Y)
    assert not get_tags(mixed).intervals
    assert get_tags(EnsembleForecaster).intervals is False  # the class reads the default
    with pytest.raises(ValueError, match=r"forecasters \['naive2'\].*ConformalIntervals"):
        mixed.predict_interval(2)
    wrapped = EnsembleForecaster([Naive(), ConformalIntervals(Naive2(), n_windows=2)]).fit(Y)
    assert wrapped.predict_interval(1).shape == (1, 2)
    with pytest.warns(UserWarning, match="only 1 of n_windows=2"):  # 6 values: one 5-step window
        wrapped.predict_interval(5)


def test_bad_members_name_the_argument_and_the_fix():
    with pytest.raises(ValueError, match=r"forecasters must be a non-empty list.*AutoTheta"):
        EnsembleForecaster([]).fit(Y)
    with pytest.raises(TypeError, match="forecasters"):
        EnsembleForecaster([Naive(), "naive"]).fit(Y)
    with pytest.raises(ValueError, match="repeated names"):
        EnsembleForecaster([("a", Naive()), ("a", Drift())]).fit(Y)
    with pytest.raises(ValueError, match="aggregate"):
        EnsembleForecaster([Naive()], aggregate="max").fit(Y)


def test_quarterly_index_on_the_intervals():
    y = pd.Series(np.arange(1.0, 40.0), index=pd.period_range("2000Q1", periods=39, freq="Q"))
    ens = EnsembleForecaster([ThetaForecaster(4), AutoTheta(4)]).fit(y)
    out = ens.predict_interval(3, coverage=0.9)
    assert str(out.index[0]) == "2009Q4" and list(out.columns) == ["lo", "hi"]


def _random_walks(n_series, n, seed):
    return np.cumsum(np.random.default_rng(seed).normal(0, 1, (n_series, n)), axis=1) + 50


@pytest.mark.parametrize("coverage", [0.8, 0.9])
def test_conformal_coverage_on_held_data_is_near_nominal(coverage):
    """Random walks with a point-only forecaster (Naive2): the calibrated intervals hold
    the next h values about as often as promised (K=19 windows: rank ceil(20 c))."""
    h, hits = 4, []
    for y in _random_walks(200, 64, seed=2):
        model = ConformalIntervals(Naive2(), n_windows=19).fit(y[:-h])
        bounds = model.predict_interval(h, coverage=coverage)
        hits.append((y[-h:] >= bounds[:, 0]) & (y[-h:] <= bounds[:, 1]))
    assert abs(np.mean(hits) - np.ceil(20 * coverage) / 20) < 0.04


def test_conformal_widths_grow_with_the_step_and_calibration_is_kept():
    y = _random_walks(1, 120, seed=3)[0]
    model = ConformalIntervals(Naive(), n_windows=19).fit(y)
    width = np.diff(model.predict_interval(8, coverage=0.9), axis=1).ravel()
    assert width[-1] > width[0]
    assert model._scores[8].shape == (19, 8)
    assert model.predict(8) == pytest.approx(np.full(8, y[-1]))


def test_conformal_too_short_names_the_fix():
    with pytest.raises(ValueError, match="too few to calibrate.*shorter h"):
        ConformalIntervals(Drift()).fit(Y).predict_interval(6)
    with pytest.raises(ValueError, match="n_windows"):
        ConformalIntervals(Drift(), n_windows=0).fit(Y)
    with pytest.raises(ValueError, match="forecaster"):
        ConformalIntervals("naive").fit(Y)


def test_relative_conformal_scales_with_the_forecast_and_covers_growing_series():
    """Geometric random walks with drift: the errors grow with the level, and the relative
    scores keep the calibration exchangeable."""
    rng = np.random.default_rng(4)
    h, hits = 3, []
    for _ in range(150):
        y = 100 * np.exp(np.cumsum(rng.normal(0.03, 0.05, 63)))
        model = ConformalIntervals(Naive(), n_windows=19, method="relative").fit(y[:-h])
        lo, hi = model.predict_interval(h, coverage=0.9).T
        relative = np.sort(model._scores[h], axis=0)[17]  # rank ceil(20 * 0.9) = 18
        assert (hi - lo) / 2 == pytest.approx(relative * model.predict(h))
        hits.append((y[-h:] >= lo) & (y[-h:] <= hi))
    assert abs(np.mean(hits) - 0.9) < 0.05
    with pytest.raises(ValueError, match="method"):
        ConformalIntervals(Naive(), method="cqr").fit(Y)


def test_too_few_calibration_windows_for_the_coverage_warn_naming_n_windows():
    y = np.cumsum(np.random.default_rng(0).normal(size=80)) + 50
    model = ConformalIntervals(Drift(), n_windows=5).fit(y)
    with pytest.warns(UserWarning, match=r"cover at most 83%.*n_windows >= 19"):
        model.predict_interval(4, coverage=0.95)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ConformalIntervals(Drift(), n_windows=19).fit(y).predict_interval(4, coverage=0.95)


def test_normalized_conformal_pools_steps_and_covers_with_few_windows():
    """Random walks with drift, only 5 windows fitting: one step's 5 scores reach at most
    83% of 90% (per step they held 79%), while the 5 x 6 pooled scale-free scores reach
    rank ceil(31 * 0.9) = 28 and hold the held values within 5 points of 28/31 = 90.3%
    (86%: the steps of one window are correlated, so the pool is not fully exchangeable)."""
    h, hits, split_hits = 6, [], []
    for y in _random_walks(300, 18 + h, seed=5):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            bounds = ConformalIntervals(Drift(), n_windows=5).fit(y[:-h]).predict_interval(h, coverage=0.9)
        split_hits.append((y[-h:] >= bounds[:, 0]) & (y[-h:] <= bounds[:, 1]))
        model = ConformalIntervals(Drift(), n_windows=5, method="normalized").fit(y[:-h])
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # 30 pooled scores suffice: no shortfall warning
            lo, hi = model.predict_interval(h, coverage=0.9).T
        own = np.diff(model.forecaster_.predict_interval(h, coverage=0.9), axis=1).ravel() / 2
        q = np.sort(model._scores[h].ravel())[27]
        assert (hi - lo) / 2 == pytest.approx(q * own)
        hits.append((y[-h:] >= lo) & (y[-h:] <= hi))
    assert abs(np.mean(hits) - 28 / 31) < 0.05
    assert np.mean(hits) > np.mean(split_hits) + 0.04
    with pytest.raises(ValueError, match="method='split'"):
        ConformalIntervals(Naive2(), method="normalized").fit(Y)


def test_a_member_with_an_invalid_parameter_is_dropped_not_fatal():
    y = np.sin(np.arange(48.0) * 2 * np.pi / 12) + 5.0
    with pytest.warns(UserWarning, match="seasonalnaive"):
        ensemble = EnsembleForecaster([SeasonalNaive(season_length=-1), Naive()]).fit(y)
    assert list(ensemble.failed_) == ["seasonalnaive"]
    np.testing.assert_allclose(ensemble.predict(3), Naive().fit(y).predict(3))
