"""Tests of tsclassic.decomposition: decompose, Decomposer, DecompositionForecaster."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tsclassic.baselines import Drift, Naive
from tsclassic.datasets import load_airline
from tsclassic.decomposition import Decomposer, DecompositionForecaster, decompose

# The conformance suite (tsclassic.testing.check_estimator) runs over these classes in
# tests/test_common.py; the tests below check what it cannot: the numbers.


@pytest.fixture(scope="module")
def air() -> pd.Series:
    return load_airline()


def _hourly(n_weeks=4, seed=0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(168 * n_weeks)
    return (20 + 0.01 * t + 2 * np.sin(2 * np.pi * t / 24) + 3 * np.sin(2 * np.pi * t / 168)
            + rng.normal(0, 0.2, len(t)))


@pytest.mark.parametrize("model", ["additive", "multiplicative"])
def test_classical_matches_statsmodels(air, model):
    from statsmodels.tsa.seasonal import seasonal_decompose

    ours = decompose(air, method="classical", season_length=12, model=model)
    theirs = seasonal_decompose(air.to_numpy(), model=model, period=12)
    np.testing.assert_allclose(ours["seasonal_12"], theirs.seasonal, atol=1e-10)
    np.testing.assert_allclose(ours["trend"], theirs.trend, atol=1e-10)
    np.testing.assert_allclose(ours["resid"], theirs.resid, atol=1e-10)
    assert ours.index.equals(air.index)


def test_classical_additive_seasonal_sums_to_zero(air):
    parts = decompose(air, method="classical", season_length=12)
    sums = parts["seasonal_12"].to_numpy().reshape(-1, 12).sum(axis=1)
    np.testing.assert_allclose(sums, 0, atol=1e-9)
    rebuilt = parts["trend"] + parts["seasonal_12"] + parts["resid"]
    np.testing.assert_allclose(rebuilt.dropna(), air[rebuilt.notna()])


def test_stl_matches_statsmodels(air):
    from statsmodels.tsa.seasonal import STL

    y = np.log(air)
    ours = decompose(y, method="stl", season_length=12, seasonal_window=13, robust=True)
    theirs = STL(y.to_numpy(), period=12, seasonal=13, robust=True).fit()
    np.testing.assert_allclose(ours["trend"], theirs.trend)
    np.testing.assert_allclose(ours["seasonal_12"], theirs.seasonal)
    np.testing.assert_allclose(ours["resid"], theirs.resid)


def test_mstl_matches_statsmodels_and_recovers_both_seasons():
    from statsmodels.tsa.seasonal import MSTL

    y = _hourly()
    ours = decompose(y, method="mstl", season_length=[168, 24])
    theirs = MSTL(y, periods=[24, 168]).fit()
    assert list(ours.columns) == ["trend", "seasonal_24", "seasonal_168", "resid"]
    np.testing.assert_allclose(ours[["seasonal_24", "seasonal_168"]], theirs.seasonal)
    np.testing.assert_allclose(ours["trend"], theirs.trend)
    t = np.arange(len(y))
    assert np.corrcoef(ours["seasonal_24"], np.sin(2 * np.pi * t / 24))[0, 1] > 0.95
    assert np.corrcoef(ours["seasonal_168"], np.sin(2 * np.pi * t / 168))[0, 1] > 0.95


def test_classical_two_periods_recovers_both_seasons():
    y = _hourly()
    parts = decompose(y, method="classical", season_length=[24, 168])
    t = np.arange(len(y))
    assert np.corrcoef(parts["seasonal_24"], np.sin(2 * np.pi * t / 24))[0, 1] > 0.95
    assert np.corrcoef(parts["seasonal_168"], np.sin(2 * np.pi * t / 168))[0, 1] > 0.95


def test_decompose_errors(air):
    with pytest.raises(ValueError, match="two full seasons"):
        decompose(air[:20], method="stl", season_length=12)
    nan = air.copy()
    nan.iloc[3] = np.nan
    with pytest.raises(ValueError, match="y contains 1 NaN"):
        decompose(nan, method="classical", season_length=12)
    with pytest.raises(ValueError, match="season_length"):
        decompose(air, season_length=1)
    with pytest.raises(ValueError, match="method"):
        decompose(air, method="x11")
    with pytest.raises(ValueError, match="mstl"):
        decompose(air, method="stl", season_length=[3, 12])
    with pytest.raises(ValueError, match="multiplicative"):
        decompose(air, method="stl", model="multiplicative")
    with pytest.raises(ValueError, match="gaps"):
        decompose(air.drop(air.index[5]), method="stl")
    with pytest.raises(TypeError, match="numeric"):
        decompose(pd.Series(["a"] * 30), season_length=4)


def test_decomposer_equals_decompose_per_series(air):
    X = np.vstack([air.to_numpy(), np.log(air.to_numpy())])
    adjusted = Decomposer(method="stl", season_length=12).fit_transform(X)
    for row, series in zip(adjusted, X):
        parts = decompose(series, method="stl", season_length=12)
        np.testing.assert_allclose(row, series - parts["seasonal_12"])
    trend = Decomposer(method="classical", season_length=12, component="trend").fit(X).transform(X)
    assert np.isnan(trend[:, :6]).all() and np.isfinite(trend[:, 6:-6]).all()
    with pytest.raises(ValueError, match="component"):
        Decomposer(component="season").fit(X).transform(X)


def test_forecaster_exact_on_trend_plus_season():
    y = np.arange(48.0) + np.tile([3.0, -1.0, -2.0, 0.0], 12)
    model = DecompositionForecaster(4, trend_forecaster=Drift(), method="classical").fit(y)
    expected = np.arange(48.0, 56.0) + np.tile([3.0, -1.0, -2.0, 0.0], 2)
    np.testing.assert_allclose(model.predict(8), expected, atol=1e-9)


def test_forecaster_two_seasons_beats_one_on_hourly_data():
    y = _hourly(n_weeks=6)
    train, test = y[:-48], y[-48:]
    both = DecompositionForecaster([24, 168], trend_forecaster=Naive()).fit(train).predict(48)
    daily = DecompositionForecaster(24, trend_forecaster=Naive(), method="stl").fit(train).predict(48)
    assert np.mean(np.abs(both - test)) < 0.5 * np.mean(np.abs(daily - test))
    bounds = DecompositionForecaster([24, 168]).fit(train).predict_interval(48, coverage=0.9)
    inside = (bounds[:, 0] <= test) & (test <= bounds[:, 1])
    assert inside.mean() > 0.7


def test_forecaster_seasonal_test_and_index(air):
    flat = pd.Series(np.random.default_rng(0).normal(100, 1, 60),
                     index=pd.period_range("2020-01", periods=60, freq="M"))
    model = DecompositionForecaster(12, trend_forecaster=Naive(), method="classical", model="multiplicative",
                                    seasonal_test=True).fit(flat)
    assert model.season_length_ == ()
    assert model.predict(3).iloc[0] == flat.iloc[-1]
    seasonal = DecompositionForecaster(12, trend_forecaster=Naive(), method="classical", model="multiplicative",
                                       seasonal_test=True).fit(air)
    assert seasonal.season_length_ == (12,)
    assert seasonal.predict(3).index[0] == pd.Period("1961-01", "M")
    with pytest.raises(TypeError, match="trend_forecaster"):
        DecompositionForecaster(12, trend_forecaster="ses").fit(air)
    with pytest.raises(NotImplementedError, match="intervals"):
        DecompositionForecaster(12, trend_forecaster=Naive2Like(), method="stl").fit(air).predict_interval(3)


def Naive2Like():
    from tsclassic.baselines import Naive2

    return Naive2()


def test_multiplicative_interval_keeps_its_order_when_the_trend_forecast_turns_negative():
    t = np.arange(48.0)
    y = (200 - 4 * t) * (1 + 0.2 * np.sin(2 * np.pi * t / 4)) + np.random.default_rng(1).normal(0, 2, 48)
    model = DecompositionForecaster(4, trend_forecaster=Drift(), method="classical", model="multiplicative").fit(y)
    forecast, bounds = model.predict(30), model.predict_interval(30, coverage=0.9)
    assert forecast[-1] < 0
    assert (bounds[:, 0] <= forecast).all() and (forecast <= bounds[:, 1]).all()
