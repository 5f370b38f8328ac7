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
    """Random walks with a point-only forecaster (Naive2): the per-step intervals hold
    the next h values about as often as promised (K=19 windows: rank ceil(20 c))."""
    h, hits = 4, []
    for y in _random_walks(200, 64, seed=2):
        model = ConformalIntervals(Naive2(), n_windows=19, method="split").fit(y[:-h])
        bounds = model.predict_interval(h, coverage=coverage)
        hits.append((y[-h:] >= bounds[:, 0]) & (y[-h:] <= bounds[:, 1]))
    assert abs(np.mean(hits) - np.ceil(20 * coverage) / 20) < 0.04


def test_conformal_widths_grow_with_the_step_and_calibration_is_kept():
    y = _random_walks(1, 120, seed=3)[0]
    for method in ("split", "scaled"):
        model = ConformalIntervals(Naive(), n_windows=19, method=method).fit(y)
        width = np.diff(model.predict_interval(8, coverage=0.9), axis=1).ravel()
        assert width[-1] > width[0]
        assert model._windows[8]["error"].shape == (19, 8)
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
        scores = model._windows[h]["error"] / np.abs(model._windows[h]["forecast"])
        relative = np.sort(scores, axis=0)[17]  # rank ceil(20 * 0.9) = 18
        assert (hi - lo) / 2 == pytest.approx(relative * model.predict(h))
        hits.append((y[-h:] >= lo) & (y[-h:] <= hi))
    assert abs(np.mean(hits) - 0.9) < 0.05
    with pytest.raises(ValueError, match="method"):
        ConformalIntervals(Naive(), method="cqr").fit(Y)


def test_too_few_calibration_windows_for_the_coverage_warn_naming_n_windows():
    y = np.cumsum(np.random.default_rng(0).normal(size=80)) + 50
    model = ConformalIntervals(Drift(), n_windows=5, method="split").fit(y)
    with pytest.warns(UserWarning, match=r"cover at most 83%.*n_windows >= 19"):
        model.predict_interval(4, coverage=0.95)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ConformalIntervals(Drift(), n_windows=19, method="split").fit(y).predict_interval(4, coverage=0.95)
        # The scaled pool of 16 windows x 4 steps has errors on 16 + 3 = 19 distinct held
        # values, and counts as 19 scores: rank ceil(20 * 0.95) = 19 of 19.
        ConformalIntervals(Drift(), n_windows=16).fit(y).predict_interval(4, coverage=0.95)
    with pytest.warns(UserWarning, match=r"18 calibration scores.*n_windows >= 16"):
        ConformalIntervals(Drift(), n_windows=15).fit(y).predict_interval(4, coverage=0.95)


def test_normalized_conformal_pools_steps_and_covers_with_few_windows():
    """Random walks with drift, only 5 windows fitting: one step's 5 scores reach at most
    83% of 90% (per step they held 79%), while the 5 x 6 pooled scale-free scores reach
    rank ceil(31 * 0.9) = 28 and hold the held values within 5 points of 28/31 = 90.3%
    (86%: the steps of one window are correlated, so the pool is not fully exchangeable)."""
    h, hits, split_hits = 6, [], []
    for y in _random_walks(300, 18 + h, seed=5):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            bounds = ConformalIntervals(Drift(), n_windows=5, method="split").fit(y[:-h]).predict_interval(
                h, coverage=0.9)
        split_hits.append((y[-h:] >= bounds[:, 0]) & (y[-h:] <= bounds[:, 1]))
        model = ConformalIntervals(Drift(), n_windows=5, method="normalized").fit(y[:-h])
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # 30 pooled scores suffice: no shortfall warning
            lo, hi = model.predict_interval(h, coverage=0.9).T
        own = np.diff(model.forecaster_.predict_interval(h, coverage=0.9), axis=1).ravel() / 2
        q = np.sort((model._windows[h]["error"] / model._windows[h]["half"]).ravel())[27]
        assert (hi - lo) / 2 == pytest.approx(q * own)
        hits.append((y[-h:] >= lo) & (y[-h:] <= hi))
    assert abs(np.mean(hits) - 28 / 31) < 0.05
    assert np.mean(hits) > np.mean(split_hits) + 0.04
    with pytest.raises(ValueError, match="has none; use method='scaled'"):
        ConformalIntervals(Naive2(), method="normalized").fit(Y)


def test_a_member_with_an_invalid_parameter_is_dropped_not_fatal():
    y = np.sin(np.arange(48.0) * 2 * np.pi / 12) + 5.0
    with pytest.warns(UserWarning, match="seasonalnaive"):
        ensemble = EnsembleForecaster([SeasonalNaive(season_length=-1), Naive()]).fit(y)
    assert list(ensemble.failed_) == ["seasonalnaive"]
    np.testing.assert_allclose(ensemble.predict(3), Naive().fit(y).predict(3))


def test_scaled_conformal_is_the_default_and_covers_near_nominal():
    """Noise about a constant, forecast by the mean, 19 windows x 6 steps: the errors fall
    on 24 distinct held values, so the pool counts as 24 exchangeable scores (rank
    ceil(25 * 0.9) = 23, promising 23/25 = 92%); it holds 90-95% (94.4% measured: the
    growth, clipped at no decrease, is a little above the true 1 on average). Random
    walks (Naive) 91.8%."""
    assert ConformalIntervals(Naive()).method == "scaled"
    rng = np.random.default_rng(11)
    h = 6
    for forecaster, make in [(Mean(), lambda: 10 + rng.normal(0, 1, 70)),
                             (Naive(), lambda: 50 + np.cumsum(rng.normal(0, 1, 70)))]:
        hits = []
        for _ in range(200):
            y = make()
            lo, hi = ConformalIntervals(forecaster, n_windows=19).fit(y[:-h]).predict_interval(h, coverage=0.9).T
            hits.append((y[-h:] >= lo) & (y[-h:] <= hi))
        assert 0.895 < np.mean(hits) < 0.955


def test_default_conformal_covers_a_random_walk_near_nominal():
    """The default (scaled, 30 windows) around Naive on Gaussian random walks of 120
    values, 10 steps ahead, 1,500 paths: 94.1% of the held values at 95% and 89.0% at 90%
    (3,000 paths; Naive's own 94.5 / 89.4%). The growth fitted on the window's own errors
    and the rank for windows x h exchangeable scores held 88.7 / 84.0% (200 paths) and
    90.6 / 85.8% (3,000): the windows overlap, so the 300 scores are worth far fewer. The
    standard error of the mean coverage over 1,500 paths is about 0.45 points."""
    rng = np.random.default_rng(0)
    h, hits = 10, {0.95: [], 0.9: []}
    for _ in range(1500):
        y = np.cumsum(rng.normal(size=120 + h))
        model = ConformalIntervals(Naive()).fit(y[:-h])
        for coverage, held in hits.items():
            lo, hi = model.predict_interval(h, coverage=coverage).T
            held.append((y[-h:] >= lo) & (y[-h:] <= hi))
    for coverage, held in hits.items():
        assert abs(np.mean(held) - coverage) < 0.025, (coverage, np.mean(held))


def test_scaled_conformal_by_hand():
    """q is the pooled quantile of |e| / (s_o g_j), with window o's growth fitted on the
    other windows and the rank for windows + h - 1 scores; the interval is
    f_j +/- q s g_j with g fitted on every window."""
    y = 50 + np.cumsum(np.random.default_rng(3).normal(0, 1, 50))
    model = ConformalIntervals(Drift(), n_windows=8, season_length=1).fit(y)
    lo, hi = model.predict_interval(3, coverage=0.8).T
    windows = model._windows[3]
    origins = range(47, 39, -1)
    scale = [np.mean(np.abs(np.diff(y[:o]))) for o in origins]
    assert windows["scale"] == pytest.approx(scale)
    scaled = windows["error"] / windows["scale"][:, None]
    steps = np.arange(1.0, 4.0)

    def growth(rows):  # j ** b, b the slope of log(m_j / m_1) on log j through step 1
        mean = rows.mean(axis=0)
        x, z = np.log(steps[1:]), np.log(mean[1:] / mean[0])
        return steps ** max(x @ z / (x @ x), 0.0)

    scores = np.array([scaled[i] / growth(np.delete(scaled, i, axis=0)) for i in range(8)])
    # 8 windows x 3 steps on 10 distinct held values: level ceil(11 * 0.8) / 10 = 0.9 of 24.
    q = np.sort(scores.ravel())[int(np.ceil(0.9 * 24)) - 1]
    half = q * np.mean(np.abs(np.diff(y))) * growth(scaled)
    assert (hi - lo) / 2 == pytest.approx(half)
    assert (hi + lo) / 2 == pytest.approx(Drift().fit(y).predict(3))


def test_scaled_conformal_reads_the_season_of_the_forecaster():
    y = 10 + np.tile([0.0, 5.0, 1.0, 7.0], 12) + np.random.default_rng(0).normal(0, 0.3, 48)
    assert ConformalIntervals(SeasonalNaive(4))._season() == 4
    assert ConformalIntervals(SeasonalNaive(4), season_length=1)._season() == 1
    assert ConformalIntervals(EnsembleForecaster([Naive(), Drift()]))._season() == 1
    model = ConformalIntervals(SeasonalNaive(4), n_windows=5).fit(y)
    model.predict_interval(2, coverage=0.8)
    assert model._windows[2]["scale"][0] == pytest.approx(np.mean(np.abs(y[4:46] - y[:42])))


def test_scaled_conformal_on_a_constant_series_names_the_fix():
    with pytest.raises(ValueError, match="no variation.*method='split'"):
        ConformalIntervals(Naive(), n_windows=5).fit(np.full(30, 3.0)).predict_interval(2)


def test_refit_and_season_length_are_validated_in_fit():
    model = ConformalIntervals(Naive(), refit="some")
    assert model.refit == "some"  # stored as given, checked in fit
    with pytest.raises(ValueError, match="refit"):
        model.fit(Y)
    with pytest.raises(ValueError, match="season_length"):
        ConformalIntervals(Naive(), season_length=0).fit(Y)


def _quarterly(seed):
    rng = np.random.default_rng(seed)
    t = np.arange(60.0)
    return 100 + 0.8 * t + 8 * np.tile([0.0, 1.0, -1.0, 0.5], 15) + rng.normal(0, 1.5, 60)


def test_refit_selected_refits_the_chosen_structure_only():
    """refit="selected" calibrates exactly as the full refit of the model chosen on the
    whole series would: AutoETS's model_ and AutoTheta's model_ fixed."""
    from tsclassic.arima import AutoETS

    y = _quarterly(1)
    for auto in (AutoETS(4, random_state=0), AutoTheta(4, random_state=0)):
        chosen = clone(auto).fit(y).model_
        fixed = clone(auto).set_params(model=chosen)
        if isinstance(auto, AutoETS):
            fixed.set_params(damped_trend="d" in chosen)
        selected = ConformalIntervals(auto, n_windows=6, refit="selected").fit(y)
        by_hand = ConformalIntervals(fixed, n_windows=6, season_length=4).fit(y)
        np.testing.assert_allclose(selected.predict_interval(4, coverage=0.8)
                                   - selected.predict(4)[:, None],
                                   by_hand.predict_interval(4, coverage=0.8)
                                   - by_hand.predict(4)[:, None])
        assert selected._windows[4]["error"] == pytest.approx(by_hand._windows[4]["error"])
    # A forecaster that chooses nothing refits itself: the same calibration.
    one = ConformalIntervals(Drift(), n_windows=6).fit(y).predict_interval(3)
    two = ConformalIntervals(Drift(), n_windows=6, refit="selected").fit(y).predict_interval(3)
    np.testing.assert_allclose(one, two)


def test_selected_forecaster_of_the_automatic_models_and_ensembles():
    from sklearn.exceptions import NotFittedError

    from tsclassic.arima import AutoETS, AutoSARIMAX, SARIMAXForecaster

    y = _quarterly(2)
    ets = AutoETS(4, random_state=0).fit(y)
    fixed = ets.selected_forecaster()
    assert not hasattr(fixed, "model_") and fixed.model == ets.model_
    assert clone(fixed).fit(y).model_ == ets.model_
    assert clone(fixed).fit(y).predict(4) == pytest.approx(ets.predict(4))
    arima = AutoSARIMAX(4, max_order=2).fit(y)
    chosen = arima.selected_forecaster()
    assert isinstance(chosen, SARIMAXForecaster)
    assert (chosen.order, chosen.seasonal_order) == (arima.order_, arima.seasonal_order_)
    ensemble = EnsembleForecaster([("ets", AutoETS(4)), ("theta", AutoTheta(4)), ("broken", _Broken())])
    with pytest.warns(UserWarning, match="broken"):
        ensemble.fit(y)
    members = dict(ensemble.selected_forecaster().forecasters)
    assert list(members) == ["ets", "theta"]  # the members that fitted
    assert members["theta"].model == ensemble.forecasters_[1][1].model_
    with pytest.raises(NotFittedError):
        AutoTheta().selected_forecaster()


def test_conformal_leaves_the_callers_data_alone():
    y = _quarterly(3)
    series = pd.Series(y.copy(), index=pd.period_range("2000Q1", periods=60, freq="Q"))
    before, series_before = y.copy(), series.copy()
    for method in ("scaled", "split", "normalized"):
        for refit in ("full", "selected"):
            model = ConformalIntervals(AutoTheta(4, random_state=0), n_windows=5, method=method,
                                       refit=refit)
            model.fit(y).predict_interval(4, coverage=0.8)
            out = model.fit(series).predict_interval(4, coverage=0.8)
            assert str(out.index[0]) == "2015Q1"
    np.testing.assert_array_equal(y, before)
    pd.testing.assert_series_equal(series, series_before)


def test_refit_selected_falls_back_to_the_full_procedure_where_the_structure_does_not_fit():
    """A short trending series: AutoETS picks a trend model, whose nine values of states
    and parameters the earliest windows lack; those windows are fitted as refit="full"
    would fit them instead of being dropped."""
    from tsclassic.arima import AutoETS

    y = 10 + 2.0 * np.arange(16) + np.random.default_rng(0).normal(0, 0.5, 16)
    auto = AutoETS(random_state=0)
    assert auto.fit(y).model_[1] == "A" and auto.selected_forecaster().min_length()[0] > 7
    full = ConformalIntervals(auto, n_windows=8, refit="full").fit(y)
    selected = ConformalIntervals(auto, n_windows=8, refit="selected").fit(y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # fewer windows than asked fit in 16 values
        full.predict_interval(4), selected.predict_interval(4)
    errors_full, errors_selected = full._windows[4]["error"], selected._windows[4]["error"]
    assert errors_selected.shape == errors_full.shape == (6, 4)  # origins 12 .. 7
    assert errors_selected[-1] == pytest.approx(errors_full[-1])  # origin 7: the full procedure


def test_refit_selected_calibrates_windows_shorter_than_the_full_procedure_needs():
    """AutoSARIMAX needs 8 values (its unit-root tests) where the orders it chose,
    ARIMA(0, 1, 1), need 3: with refit="selected" a 13-value series gets the windows at
    origins 7 .. 3 that the full procedure cannot fit, and an interval where refit="full"
    has none."""
    from tsclassic.arima import AutoSARIMAX

    y = 10 + np.cumsum(np.random.default_rng(1).normal(0, 1, 13))
    auto = AutoSARIMAX(max_order=1)
    assert auto.fit(y).selected_forecaster().min_length()[0] < auto.min_length()[0] == 8
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # fewer windows than asked
        with pytest.raises(ValueError, match="too few to calibrate"):
            ConformalIntervals(auto, n_windows=6, refit="full").fit(y).predict_interval(6)
        selected = ConformalIntervals(auto, n_windows=6, refit="selected").fit(y)
        lo, hi = selected.predict_interval(6, coverage=0.8).T
    assert auto.order_ == (0, 1, 1) and selected._windows[6]["error"].shape == (5, 6)
    assert np.all(np.isfinite(lo) & (hi > lo))


def test_an_unbounded_scaled_interval_says_so():
    # A flat start leaves the early windows no scale; their nonzero errors are unbounded.
    y = np.r_[np.ones(40), np.arange(20.0)]
    model = ConformalIntervals(Naive(), method="scaled", n_windows=30).fit(y)
    with pytest.warns(UserWarning, match="interval is unbounded.*method='split'"):
        bounds = model.predict_interval(3, coverage=0.95)
    assert np.isinf(bounds).all()
    finite = ConformalIntervals(Naive(), method="split", n_windows=30).fit(y)
    assert np.isfinite(finite.predict_interval(3, coverage=0.95)).all()


class _DivergesOnce(BaseForecaster):
    """Naive, except that the fit on exactly 40 values forecasts 1e9 (a diverged fit)."""

    def _fit(self, y, X):
        self.last_ = 1e9 if len(y) == 40 else y[-1]

    def _predict(self, h, X):
        return np.full(h, self.last_)


def test_a_diverged_window_is_skipped_with_a_warning_not_the_width():
    y = 50 + np.cumsum(np.random.default_rng(4).normal(0, 1, 60))
    model = ConformalIntervals(_DivergesOnce(), n_windows=20).fit(y)  # origins 55..36
    with pytest.warns(UserWarning, match="origin 40 diverged"):
        lo, hi = model.predict_interval(5, coverage=0.9).T
    assert len(model._windows[5]["error"]) == 19
    reference = ConformalIntervals(Naive(), n_windows=20).fit(y).predict_interval(5, coverage=0.9)
    assert np.all(hi - lo < 3 * np.diff(reference, axis=1).ravel())
