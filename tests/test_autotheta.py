"""Tests of AutoTheta (Fiorucci et al. 2016) and the Theta models' prediction intervals."""

from __future__ import annotations

import numpy as np
import pytest

from tsclassic.arima import AutoTheta, ThetaForecaster
from tsclassic.datasets import load_m1

# statsforecast 2.1.1, computed as
#   fit = statsforecast.theta.auto_theta(y, 1, model=name, nmse=1)  # one-step MSE, as here
#   mse = mean(fit["residuals"][1:] ** 2); forecast_theta(fit, 3)["mean"]
# on M1 yearly series (tsclassic.datasets.load_m1(frequency="yearly")).
STATSFORECAST = {
    ("YAF2", "STM"): (1.1116302e+09, [565073.9039, 577621.466, 590169.0281]),
    ("YAF2", "OTM"): (2.452544e+14, [577748.2063, 602843.328, 627938.4497]),
    ("YAF2", "DSTM"): (1.2158213e+09, [565073.9039, 577995.1072, 591135.0569]),
    ("YAF2", "DOTM"): (1.5600406e+09, [577747.2493, 603727.8173, 630382.1243]),
    ("YAB3", "STM"): (3.4513103e+09, [600259.7532, 616129.6541, 631999.555]),
    ("YAB3", "OTM"): (3.6335317e+09, [571964.8463, 603704.4382, 635444.0301]),
    ("YAB3", "DSTM"): (3.673881e+09, [603607.4187, 619972.6685, 636592.3752]),
    ("YAB3", "DOTM"): (3.3124368e+09, [619637.599, 652599.3909, 686453.7294]),
    ("YAD1", "STM"): (500.32252, [112.0611, 111.5792, 111.0974]),
    ("YAD1", "OTM"): (475.49809, [114.1542, 114.1542, 114.1542]),
    ("YAD1", "DSTM"): (1382.6946, [116.4694, 116.5684, 116.6407]),
    ("YAD1", "DOTM"): (474.90652, [114.1302, 114.1302, 114.1302]),
}


@pytest.fixture(scope="module")
def yearly():
    train, _, _ = load_m1(frequency="yearly")
    return {k: g["y"].to_numpy() for k, g in train.groupby("unique_id")}


@pytest.mark.parametrize("key", sorted(STATSFORECAST))
def test_fit_is_at_least_as_good_as_statsforecast(yearly, key):
    """Given alpha, the level and theta are exact least squares, so the in-sample MSE is
    never above statsforecast's Nelder-Mead optimum of the same objective."""
    uid, name = key
    model = AutoTheta(model=name).fit(yearly[uid])
    assert model.mse_[name] <= STATSFORECAST[key][0] * (1 + 1e-6)


@pytest.mark.parametrize("key", [("YAF2", "STM"), ("YAF2", "DSTM"), ("YAB3", "DSTM")])
def test_forecasts_equal_statsforecast_where_both_find_the_same_alpha(yearly, key):
    # Both optimisers stop at alpha = 0.99 here, so the state equations are compared
    # directly: static and dynamic trend updates, the forecast recursion.
    model = AutoTheta(model=key[1]).fit(yearly[key[0]])
    assert model.alpha_ == pytest.approx(0.99)
    assert model.predict(3) == pytest.approx(STATSFORECAST[key][1], rel=1e-6)


def test_standard_theta_is_the_classic_theta_method(yearly):
    # STM is SES with drift on theta line 2 (Hyndman & Billah 2003): ThetaForecaster's model.
    # (YAD1 is left out: its alpha sits on our lower bound 0.1, below which ETS goes on.)
    for uid in ("YAB3", "YAM1", "YAF2"):
        y = yearly[uid]
        stm = AutoTheta(model="STM").fit(y).predict(6)
        assert stm == pytest.approx(ThetaForecaster().fit(y).predict(6), rel=5e-3)


def test_auto_picks_the_lowest_held_out_mse_and_optimised_never_loses_to_standard(yearly):
    model = AutoTheta().fit(yearly["YAM1"])
    assert set(model.mse_) == set(model.holdout_mse_) == {"STM", "OTM", "DSTM", "DOTM"}
    assert model.holdout_mse_[model.model_] == min(model.holdout_mse_.values())
    assert model.mse_["OTM"] <= model.mse_["STM"] and model.mse_["DOTM"] <= model.mse_["DSTM"]
    assert model.theta_ >= 1


def test_auto_on_a_series_too_short_to_hold_values_out_picks_by_in_sample_mse():
    y = np.array([3.0, 4.5, 4.0, 6.0, 5.5])  # season_length + 5 = 6 values are needed
    model = AutoTheta().fit(y)
    assert model.holdout_mse_ == {}
    assert model.mse_[model.model_] == min(model.mse_.values())


def test_held_out_values_are_the_last_season_plus_one():
    from tsclassic.arima._autotheta import fit_model, theta_paths
    from tsclassic.arima._theta import theta_adjust

    y = 50 + np.cumsum(np.random.default_rng(3).normal(0.3, 1, 40))
    model = AutoTheta(4).fit(y)
    adjusted = theta_adjust(y, 4, "AutoTheta", "")[2]  # the models see the adjusted series
    past = adjusted[:-5]
    forecast = theta_paths(fit_model(past, "DOTM"), past, np.zeros((1, 5)))[0]
    assert model.holdout_mse_["DOTM"] == pytest.approx(np.mean((adjusted[-5:] - forecast) ** 2))


def test_seasonal_adjustment_follows_theta_forecaster():
    t = np.arange(96.0)
    y = 100 + t + 15 * np.sin(2 * np.pi * t / 12) + np.random.default_rng(0).normal(0, 1, 96)
    auto, classic = AutoTheta(12).fit(y), ThetaForecaster(12).fit(y)
    assert auto.seasonal_ and classic.seasonal_
    np.testing.assert_allclose(auto.seasonal_indices_, classic.seasonal_indices_)


def _ses_with_drift(rng, n, alpha=0.4, drift=0.5, sigma=1.0):
    eps = rng.normal(0, sigma, n)
    level, out = 10.0, np.empty(n)
    for i in range(n):
        out[i] = level + drift + eps[i]
        level = level + drift + alpha * eps[i]
    return out


@pytest.mark.parametrize("name", ["STM", "DOTM"])
def test_interval_coverage_on_simulated_series(name):
    """Analytic (static) and simulated (dynamic) 90% intervals hold about 90% of the
    held values of series drawn from the model class."""
    rng = np.random.default_rng(1)
    hits = []
    for _ in range(120):
        y = _ses_with_drift(rng, 66)
        model = AutoTheta(model=name, random_state=0).fit(y[:60])
        bounds = model.predict_interval(6, coverage=0.9)
        hits.append((y[60:] >= bounds[:, 0]) & (y[60:] <= bounds[:, 1]))
    assert 0.85 <= np.mean(hits) <= 0.95


def test_intervals_static_are_analytic_dynamic_are_reproducible(yearly):
    y = yearly["YAM1"]
    stm = AutoTheta(model="STM").fit(y)
    half = np.diff(stm.predict_interval(4, coverage=0.95), axis=1).ravel() / 2
    expected = 1.959964 * stm.sigma_ * np.sqrt(1 + np.arange(4) * stm.alpha_**2)
    assert half == pytest.approx(expected, rel=1e-5)
    classic = ThetaForecaster().fit(y).predict_interval(4, coverage=0.95)
    assert classic == pytest.approx(stm.predict_interval(4, coverage=0.95), rel=0.05)  # alpha by ETS likelihood
    dotm = AutoTheta(model="DOTM", random_state=3).fit(y)
    first = dotm.predict_interval(4, coverage=0.95)
    assert np.array_equal(first, dotm.predict_interval(4, coverage=0.95))
    mean = dotm.predict(4)
    assert ((first[:, 0] < mean) & (mean < first[:, 1])).all()


def test_bad_input_names_the_argument_and_the_fix():
    y = np.arange(1.0, 21.0)
    for model in (AutoTheta(season_length=24), ThetaForecaster(season_length=24)):
        with pytest.raises(ValueError, match=r"season_length=24 is longer than y.*set season_length"):
            model.fit(y)
    with pytest.raises(ValueError, match="model"):
        AutoTheta(model="XTM").fit(y)
    with pytest.raises(ValueError, match="season_length"):
        AutoTheta(season_length=0).fit(y)
