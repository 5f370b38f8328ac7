"""Tests of tsclassic.arima: SARIMAX, AutoSARIMAX, exponential smoothing and Theta."""

from __future__ import annotations

import pickle
import subprocess
import sys
import time
import warnings

import numpy as np
import pandas as pd
import pytest

from tsclassic.arima import (
    AutoSARIMAX,
    ExponentialSmoothingForecaster,
    SARIMAXForecaster,
    ThetaForecaster,
)
from tsclassic.datasets import load_airline, load_m4


@pytest.fixture(scope="module")
def log_air() -> pd.Series:
    return np.log(load_airline())


@pytest.fixture(scope="module")
def airline_fit(log_air) -> SARIMAXForecaster:
    return SARIMAXForecaster(order=(0, 1, 1), seasonal_order=(0, 1, 1, 12)).fit(log_air)


# The conformance suite (tsclassic.testing.check_estimator) runs over these classes in
# tests/test_common.py; the tests below check what it cannot: the numbers.


# -- SARIMAX ----------------------------------------------------------------------------
def test_airline_model_matches_box_jenkins_reference(airline_fit):
    # R's stats::arima and statsmodels agree on these (Box & Jenkins' series G).
    assert airline_fit.params_["ma.L1"] == pytest.approx(-0.4018, abs=1e-3)
    assert airline_fit.params_["ma.S.L12"] == pytest.approx(-0.5569, abs=1e-3)
    assert airline_fit.llf_ == pytest.approx(244.70, abs=0.01)
    assert airline_fit.aic_ == pytest.approx(-483.39, abs=0.01)
    assert airline_fit.aicc_ > airline_fit.aic_  # the small-sample penalty is positive
    assert list(airline_fit.params_.index) == ["ma.L1", "ma.S.L12", "sigma2"]


def test_airline_forecast_index_interval_and_summary(airline_fit, log_air):
    mean = airline_fit.predict(24)
    assert mean.index.equals(pd.period_range("1961-01", periods=24, freq="M"))
    assert mean.name == "passengers"
    bounds = airline_fit.predict_interval(24, coverage=0.9)
    narrow = airline_fit.predict_interval(24, coverage=0.5)
    assert ((bounds["lo"] < mean) & (mean < bounds["hi"])).all()
    assert ((bounds["hi"] - bounds["lo"]) > (narrow["hi"] - narrow["lo"])).all()
    assert np.all(np.diff((bounds["hi"] - bounds["lo"]).to_numpy()) > 0)  # widens with h
    assert "ma.S.L12" in str(airline_fit.summary())


def test_airline_holdout_accuracy(log_air):
    model = SARIMAXForecaster(order=(0, 1, 1), seasonal_order=(0, 1, 1, 12)).fit(log_air[:-12])
    error = np.exp(model.predict(12)) / np.exp(log_air[-12:]) - 1
    assert np.mean(np.abs(error)) < 0.05  # the model's well-known ~3% MAPE on 1960


def test_pickle_is_small_and_predicts_the_same(airline_fit):
    blob = pickle.dumps(airline_fit)
    # The statsmodels results object alone pickles to megabytes.
    assert len(blob) < 50_000
    restored = pickle.loads(blob)
    pd.testing.assert_series_equal(restored.predict(12), airline_fit.predict(12))
    pd.testing.assert_frame_equal(restored.predict_interval(12), airline_fit.predict_interval(12))


def _exog_data(n=120, seed=0):
    rng = np.random.default_rng(seed)
    index = pd.date_range("2024-01-01", periods=n + 10, freq="D")
    X = pd.DataFrame({"price": rng.normal(0, 1, n + 10), "promo": rng.integers(0, 2, n + 10)},
                     index=index).astype(float)
    noise = np.zeros(n + 10)
    for t in range(1, n + 10):
        noise[t] = 0.5 * noise[t - 1] + rng.normal(0, 0.3)
    y = pd.Series(10 + 2.0 * X["price"] - 1.5 * X["promo"] + noise, index=index, name="sales")
    return y[:n], X[:n], X[n:]


def test_exogenous_regression_recovers_coefficients_and_names():
    y, X, X_future = _exog_data()
    model = SARIMAXForecaster(order=(1, 0, 0), deterministic_trend="c").fit(y, X)
    assert model.params_["price"] == pytest.approx(2.0, abs=0.15)
    assert model.params_["promo"] == pytest.approx(-1.5, abs=0.2)
    assert model.params_["ar.L1"] == pytest.approx(0.5, abs=0.2)
    out = model.predict(10, X_future)
    assert out.index.equals(X_future.index)


def test_future_exog_errors():
    y, X, X_future = _exog_data()
    model = SARIMAXForecaster(order=(1, 0, 0)).fit(y, X)
    with pytest.raises(ValueError, match="X"):
        model.predict(5)
    with pytest.raises(ValueError, match="columns"):
        model.predict(5, X_future[["promo", "price"]])
    with pytest.raises(ValueError, match="rows"):
        model.predict(5, X_future.iloc[:3])
    bad = X.copy()
    bad.iloc[4, 0] = np.nan
    with pytest.raises(ValueError, match="X contains 1 NaN"):
        SARIMAXForecaster().fit(y, bad)


def test_bad_input_messages(log_air):
    seasonal = SARIMAXForecaster(order=(0, 1, 1), seasonal_order=(0, 1, 1, 12))
    with pytest.raises(ValueError, match="two full seasons"):
        seasonal.fit(log_air[:20])
    nan = log_air.copy()
    nan.iloc[5] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        seasonal.fit(nan)
    with pytest.raises(TypeError, match="numeric"):
        SARIMAXForecaster().fit(pd.Series(list("abcdefgh")))
    gappy = log_air.drop(log_air.index[[10, 11]])
    with pytest.raises(ValueError, match="gaps"):
        seasonal.fit(gappy)
    with pytest.raises(ValueError, match="order"):
        SARIMAXForecaster(order=(1, 0)).fit(log_air)
    with pytest.raises(ValueError, match="seasonal_order"):
        SARIMAXForecaster(seasonal_order=(1, 0, 0, 1)).fit(log_air)
    with pytest.raises(ValueError, match="deterministic_trend"):
        SARIMAXForecaster(deterministic_trend="quadratic").fit(log_air)


# -- AutoSARIMAX ----------------------------------------------------------------------------
def test_css_recovers_seasonal_arma():
    from tsclassic.arima._css import fit_css

    rng = np.random.default_rng(3)
    n, m = 2000, 12
    e = rng.normal(0, 1, n + 100)
    w = np.zeros(n + 100)
    for t in range(m + 1, n + 100):
        # (1 - 0.6 L) w_t = (1 + 0.4 L)(1 - 0.5 L^12) e_t
        w[t] = 0.6 * w[t - 1] + e[t] + 0.4 * e[t - 1] - 0.5 * e[t - m] - 0.2 * e[t - m - 1]
    fit = fit_css(w[100:], (1, 1, 0, 1), m, False, None, n_cond=13)
    assert fit.ar[0] == pytest.approx(0.6, abs=0.05)
    assert fit.ma[0] == pytest.approx(0.4, abs=0.06)
    assert fit.sma[0] == pytest.approx(-0.5, abs=0.05)
    assert fit.sigma2 == pytest.approx(1.0, abs=0.1)


def test_css_residuals_match_the_rational_filter():
    # The compiled filter is (1 - a L)(1 - A L^m) u_t = (1 + b L)(1 + B L^m) e_t with zero
    # initial values, which scipy's lfilter computes from the multiplied polynomials.
    from scipy.signal import lfilter

    from tsclassic.arima._css import css_residuals

    rng = np.random.default_rng(4)
    w, m = rng.normal(size=120), 12
    design = np.column_stack([np.ones(120), rng.normal(size=120)])
    theta = np.array([0.3, -0.7, 0.5, -0.2, 0.4, 0.3, -0.6])  # mean, beta, ar, ar2, ma, sar, sma
    e, unsure = css_residuals(theta, w, design, 2, 2, 1, 1, 1, m, 13, np.array([1.01]))
    ar = np.convolve([1.0, -0.5, 0.2], np.r_[1.0, np.zeros(m - 1), -0.3])
    ma = np.convolve([1.0, 0.4], np.r_[1.0, np.zeros(m - 1), -0.6])
    expected = lfilter(ar, ma, w - design @ theta[:2])[13:]
    np.testing.assert_allclose(e, expected, rtol=1e-12, atol=1e-12)
    assert not unsure
    _, unsure = css_residuals(np.array([1.2]), w, design[:, :0], 0, 0, 1, 0, 0, 1, 0,
                              np.array([1.01]))
    assert unsure  # an MA coefficient of 1.2: the bound cannot certify invertibility


def test_kpss_decision_matches_statsmodels():
    from statsmodels.tsa.stattools import kpss

    from tsclassic.arima._auto import kpss_says_difference

    rng = np.random.default_rng(5)
    decisions = []
    for _ in range(300):
        n = int(rng.integers(11, 200))
        x = np.cumsum(rng.normal(size=n)) * rng.uniform(0, 0.5) + rng.normal(size=n)
        lags = int(np.trunc(4 * (n / 100) ** 0.25))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = kpss(x, regression="c", nlags=lags)[1] < 0.05
        decisions.append(expected)
        assert kpss_says_difference(x) == expected
    assert 0.2 < np.mean(decisions) < 0.8  # both answers were exercised


def test_auto_sarimax_on_airline(log_air):
    model = AutoSARIMAX(season_length=12).fit(log_air[:-12])
    assert model.seasonal_order_[1] == 1 and model.seasonal_order_[3] == 12
    assert model.n_models_ > 4
    error = np.mean(np.abs(np.exp(model.predict(12)) / np.exp(log_air[-12:]) - 1))
    assert error < 0.06
    bounds = model.predict_interval(12)
    assert (bounds["lo"] < bounds["hi"]).all()
    assert np.isfinite(model.aicc_) and model.model_.converged_


def test_auto_sarimax_nonseasonal_picks_differencing():
    rng = np.random.default_rng(1)
    y = np.cumsum(rng.normal(0.2, 1, 300))
    model = AutoSARIMAX(max_order=3).fit(y)
    assert model.order_[1] == 1
    assert model.seasonal_order_ == (0, 0, 0, 0)


def test_auto_sarimax_long_season_uses_fourier_terms_quickly():
    rng = np.random.default_rng(2)
    t = np.arange(24 * 7 * 5)
    weekly = 3 * np.sin(2 * np.pi * t / 168) + np.cos(4 * np.pi * t / 168)
    y = 50 + weekly + rng.normal(0, 0.5, len(t))
    start = time.perf_counter()
    model = AutoSARIMAX(season_length=168, method="css", max_order=3).fit(y)
    assert time.perf_counter() - start < 20
    assert model.n_harmonics_ >= 2 and model.seasonal_order_[3] == 0
    assert "sin168_1" in model.params_.index
    truth = 50 + 3 * np.sin(2 * np.pi * (len(t) + np.arange(48)) / 168) + np.cos(
        4 * np.pi * (len(t) + np.arange(48)) / 168)
    assert np.mean(np.abs(model.predict(48) - truth)) < 0.6


def test_auto_sarimax_exogenous():
    y, X, X_future = _exog_data(n=200)
    model = AutoSARIMAX(max_order=3).fit(y, X)
    assert model.params_["price"] == pytest.approx(2.0, abs=0.15)
    assert len(model.predict(10, X_future)) == 10
    with pytest.raises(ValueError, match="X"):
        model.predict(10)


def test_auto_sarimax_short_seasonal_series(log_air):
    # Two seasons and one observation: too short for AR lags, an MA-only search remains.
    model = AutoSARIMAX(season_length=12).fit(log_air[:25])
    assert model.order_[0] == 0 and model.seasonal_order_[0] == 0
    assert np.isfinite(model.predict(12)).all()


def test_auto_sarimax_bad_params(log_air):
    with pytest.raises(ValueError, match="method"):
        AutoSARIMAX(method="ml").fit(log_air)
    with pytest.raises(ValueError, match="max_p"):
        AutoSARIMAX(max_p=-1).fit(log_air)
    with pytest.raises(ValueError, match="two full seasons"):
        AutoSARIMAX(season_length=24).fit(log_air[:40])
    with pytest.raises(ValueError, match="n_harmonics"):
        AutoSARIMAX(season_length=60, n_harmonics=31).fit(np.arange(200.0))


# -- exponential smoothing and Theta --------------------------------------------------------
def test_ses_matches_statsmodels_and_holt_variants(log_air):
    from statsmodels.tsa.holtwinters import SimpleExpSmoothing

    y = load_airline().to_numpy()[:60]
    ours = ExponentialSmoothingForecaster().fit(y)
    theirs = SimpleExpSmoothing(y, initialization_method="estimated").fit()
    assert ours.predict(3) == pytest.approx(theirs.forecast(3), rel=2e-3)
    damped = ExponentialSmoothingForecaster(trend="add", damped_trend=True).fit(y)
    assert 0 < damped.params_["damping_trend"] < 1
    seasonal = ExponentialSmoothingForecaster(trend="add", seasonal="mul", season_length=12)
    out = seasonal.fit(load_airline()).predict_interval(12, coverage=0.8)
    assert (out["lo"] < out["hi"]).all()


def test_ets_parameter_errors():
    y = np.arange(1.0, 40.0)
    with pytest.raises(ValueError, match="season_length"):
        ExponentialSmoothingForecaster(seasonal="add").fit(y)
    with pytest.raises(ValueError, match="damped_trend"):
        ExponentialSmoothingForecaster(damped_trend=True).fit(y)
    with pytest.raises(ValueError, match="trend"):
        ExponentialSmoothingForecaster(trend="linear").fit(y)
    with pytest.raises(ValueError, match="two full seasons"):
        ExponentialSmoothingForecaster(seasonal="add", season_length=24).fit(y)


def _theta_classic(y: np.ndarray, h: int) -> np.ndarray:
    """M4's Theta.classic, written independently (holt-winters SES, not ETS)."""
    from statsmodels.tsa.holtwinters import SimpleExpSmoothing

    t = np.arange(1, len(y) + 1)
    b, a = np.polyfit(t, y, 1)
    line2 = 2 * y - (a + b * t)
    ses = SimpleExpSmoothing(line2, initialization_method="estimated").fit()
    out = 0.5 * (a + b * np.arange(len(y) + 1, len(y) + h + 1)) + 0.5 * ses.forecast(h)
    return np.maximum(out, 0)


@pytest.fixture(scope="module")
def m4_sample():
    train, test = load_m4(frequency="hourly", split="train"), load_m4(frequency="hourly", split="test")
    ids = train["unique_id"].unique()[::14][:30]
    return [(train.loc[train.unique_id == i, "y"].to_numpy(),
             test.loc[test.unique_id == i, "y"].to_numpy()) for i in ids]


def test_m4_sample_theta_and_ses_match_the_m4_benchmark_code(m4_sample):
    from tsclassic._seasonality import is_seasonal, seasonal_component, seasonal_indices
    from tsclassic.decomposition import DecompositionForecaster
    from tsclassic.metrics import mase, smape

    m4_ses = DecompositionForecaster(24, trend_forecaster=ExponentialSmoothingForecaster(), method="classical",
                                     model="multiplicative", seasonal_test=True)
    scores = []
    for y, actual in m4_sample:
        figure = seasonal_indices(y, 24) if is_seasonal(y, 24) else np.ones(24)
        adjusted = y / seasonal_component(figure, 0, len(y))
        reference = _theta_classic(adjusted, 48) * seasonal_component(figure, len(y), 48)
        ours = ThetaForecaster(24).fit(y).predict(48)
        ses = m4_ses.fit(y).predict(48)
        scores.append([smape(actual, ours), smape(actual, reference), mase(actual, ours, y, season_length=24),
                       mase(actual, reference, y, season_length=24), smape(actual, ses)])
    mean = np.mean(scores, axis=0)
    assert mean[0] == pytest.approx(mean[1], rel=0.01)
    assert mean[2] == pytest.approx(mean[3], rel=0.01)
    # On the full 414 series these give 18.13 (Theta) and 18.09 (SES); the sample is near.
    assert 10 < mean[0] < 30 and 10 < mean[4] < 30


def test_theta_nonseasonal_and_errors():
    y = np.arange(1.0, 21.0)
    model = ThetaForecaster().fit(y)
    assert not model.seasonal_
    assert model.predict(2) == pytest.approx([20.5, 21.0], abs=1e-3)
    with pytest.raises(ValueError, match="season_length"):
        ThetaForecaster(season_length=0).fit(y)


def test_import_does_not_load_statsmodels():
    code = ("import sys; import tsclassic, tsclassic.arima, tsclassic.decomposition; "
            "tsclassic.SARIMAXForecaster; tsclassic.decompose; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'statsmodels'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_sarimax_start_params_and_method_none_keep_the_given_parameters(log_air):
    fitted = SARIMAXForecaster(order=(0, 1, 1), seasonal_order=(0, 1, 1, 12)).fit(log_air)
    start = fitted.params_.to_numpy()
    kept = SARIMAXForecaster(order=(0, 1, 1), seasonal_order=(0, 1, 1, 12), method="none",
                             start_params=start).fit(log_air)
    np.testing.assert_allclose(kept.params_.to_numpy(), start)
    assert kept.llf_ == pytest.approx(fitted.llf_)
    with pytest.raises(ValueError, match="start_params is None"):
        SARIMAXForecaster(method="none").fit(log_air)
    with pytest.raises(ValueError, match="start_params has 1 values"):
        SARIMAXForecaster(start_params=[0.5]).fit(log_air)
