"""Baselines against hand-computed values and the official M4 Hourly figures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.tsa.seasonal import seasonal_decompose

from tsclassic import Drift, Mean, Naive, Naive2, SeasonalNaive, metrics
from tsclassic._seasonality import is_seasonal, seasonal_indices
from tsclassic.datasets import load_airline, load_m4


def test_hand_computed_forecasts():
    y = np.array([3.0, 5.0, 4.0, 6.0, 8.0, 7.0])
    assert Naive().fit(y).predict(2).tolist() == [7.0, 7.0]
    assert SeasonalNaive(season_length=3).fit(y).predict(4).tolist() == [6.0, 8.0, 7.0, 6.0]
    assert Drift().fit(y).predict(2).tolist() == pytest.approx([7.8, 8.6])
    assert Mean().fit(y).predict(1).tolist() == pytest.approx([5.5])


def test_seasonal_indices_agree_with_statsmodels():
    y = load_airline().to_numpy()
    ours = seasonal_indices(y, 12, multiplicative=True)
    theirs = seasonal_decompose(y, model="multiplicative", period=12).seasonal[:12]
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    additive = seasonal_indices(y, 12, multiplicative=False)
    np.testing.assert_allclose(additive, seasonal_decompose(y, period=12).seasonal[:12], rtol=1e-12)
    assert abs(additive.sum()) < 1e-9


def test_seasonality_test():
    t = np.arange(120)
    assert is_seasonal(10 + np.sin(2 * np.pi * t / 12), 12)
    assert not is_seasonal(np.random.default_rng(0).normal(size=120), 12)
    assert not is_seasonal(np.arange(20.0), 12)  # shorter than three seasons


def test_naive2_reseasonalises_the_naive_forecast():
    y = load_airline()
    model = Naive2(season_length=12).fit(y)
    assert model.seasonal_
    forecast = model.predict(12)
    # The forecast's shape is the seasonal figure, scaled by the last adjusted level.
    ratio = forecast.to_numpy() / model.seasonal_indices_[np.arange(144, 156) % 12]
    np.testing.assert_allclose(ratio, ratio[0])
    assert str(forecast.index[0]) == "1961-01"


def test_m4_hourly_official_figures():
    """Makridakis et al. (2020), official M4 Hourly: Naive1 43.003 / 11.608,
    sNaive 13.912 / 1.193, Naive2 18.383 / 2.395 (sMAPE / MASE, m = 24, h = 48)."""
    train, test = load_m4(frequency="hourly", split="train"), load_m4(frequency="hourly", split="test")
    scores = {}
    for name, model in [("Naive", Naive()), ("sNaive", SeasonalNaive(24)), ("Naive2", Naive2(24))]:
        s, m = [], []
        for (_, past), (_, future) in zip(train.groupby("unique_id", sort=False),
                                          test.groupby("unique_id", sort=False)):
            y = past["y"].to_numpy()
            forecast = model.fit(y).predict(48)
            s.append(metrics.smape(future["y"], forecast))
            m.append(metrics.mase(future["y"], forecast, y, season_length=24))
        scores[name] = (round(np.mean(s), 3), round(np.mean(m), 3))
    assert len(s) == 414
    assert scores == {"Naive": (43.003, 11.608), "sNaive": (13.912, 1.193), "Naive2": (18.383, 2.395)}
    owa = metrics.owa(*scores["sNaive"], *scores["Naive2"])
    assert round(owa, 3) == 0.627


def test_naive2_refuses_non_positive_seasonal_data():
    y = pd.Series(np.tile([-1.0, 3.0, 2.0, 5.0], 8))
    with pytest.raises(ValueError, match="strictly positive"):
        Naive2(season_length=4).fit(y)
