"""ODEModel and its presets: reference fit (lynx-hare), parameter recovery, shooting,
index handling, intervals and bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

from tsclassic.datasets import load_lynx_hare
from tsclassic.dynamics import (
    SIR,
    DampedOscillator,
    Logistic,
    Lorenz,
    LotkaVolterra,
    ODEIntegrationError,
    ODEModel,
)
from tsclassic.dynamics._integrate import integrate
from tsclassic.dynamics._presets import damped_oscillator, lorenz, sir


def simulate(rhs, params, y0, t):
    path, reason = integrate(rhs, params, np.asarray(y0, float), t[0], t, "DOP853", 1e-11, 1e-13)
    assert path is not None, reason
    return path


@pytest.fixture(scope="module")
def lynx_fit():
    return LotkaVolterra(log_space=True).fit(load_lynx_hare())


# -- reference: Carpenter's Stan case study, posterior 10%-90% ranges -------------------
STAN_RANGES = {
    "alpha": (0.465, 0.630), "beta": (0.022, 0.033),
    "gamma": (0.692, 0.926), "delta": (0.020, 0.029),
}


def test_lynx_hare_lotka_volterra_matches_stan_posterior_ranges(lynx_fit):
    params = lynx_fit.params_
    assert list(params.index) == ["alpha", "beta", "gamma", "delta"]
    for name, (lo, hi) in STAN_RANGES.items():
        assert lo <= params[name] <= hi, (name, params[name])
    # The Stan medians are 0.545, 0.028, 0.803, 0.024: the MLE lies within 5% of them.
    np.testing.assert_allclose(params.to_numpy(), [0.545, 0.028, 0.803, 0.024], rtol=0.05)
    # Standard errors comparable to the posterior spread ((90% - 10%) / 2.56 for a normal).
    spread = np.array([hi - lo for lo, hi in STAN_RANGES.values()]) / 2.56
    assert np.all(lynx_fit.bse_.to_numpy() > 0.5 * spread)
    assert np.all(lynx_fit.bse_.to_numpy() < 2.0 * spread)


def test_lynx_hare_outputs_follow_the_input(lynx_fit):
    y = load_lynx_hare()
    assert lynx_fit.state_names_ == ["hare", "lynx"]
    assert lynx_fit.observed_ == ["prey", "predator"]
    forecast = lynx_fit.predict(3)
    assert list(forecast.index) == [1921, 1922, 1923]
    assert list(forecast.columns) == ["hare", "lynx"]
    assert lynx_fit.residuals_.index.equals(y.index)
    # Log-scale residuals are log(y) - log(fitted).
    np.testing.assert_allclose(
        lynx_fit.residuals_.to_numpy(), np.log(y.to_numpy()) - np.log(lynx_fit.fitted_.to_numpy())
    )
    # simulate from the fitted initial state reproduces the fitted trajectory.
    path = lynx_fit.simulate(y.index.to_numpy())
    np.testing.assert_allclose(path.to_numpy(), lynx_fit.fitted_.to_numpy(), rtol=1e-5)


def test_lynx_hare_periodindex_gives_the_same_fit_and_continues(lynx_fit):
    y = load_lynx_hare()
    y.index = pd.period_range("1900", periods=len(y), freq="Y")
    model = LotkaVolterra(log_space=True).fit(y)
    np.testing.assert_allclose(model.params_, lynx_fit.params_, rtol=1e-4)
    out = model.predict(2)
    assert out.index.equals(pd.period_range("1921", periods=2, freq="Y"))
    np.testing.assert_allclose(out.to_numpy(), lynx_fit.predict(2).to_numpy(), rtol=1e-3)


def test_predict_interval_brackets_the_forecast_in_one_frame_shape(lynx_fit):
    band = lynx_fit.predict_interval(4, coverage=0.8)
    point = lynx_fit.predict(4)
    assert band.columns.names == ["state", "bound"]
    assert list(band.columns) == [("hare", "lo"), ("hare", "hi"), ("lynx", "lo"), ("lynx", "hi")]
    assert band.index.equals(point.index)
    # band[state] is a forecaster's lo/hi frame; the "lo" level has predict's columns.
    assert list(band["hare"].columns) == ["lo", "hi"]
    lo, hi = band.xs("lo", axis=1, level="bound"), band.xs("hi", axis=1, level="bound")
    assert list(lo.columns) == list(point.columns)
    assert (lo < point).all().all() and (point < hi).all().all()
    # log_space: the bounds are lognormal, so they stay positive and are skewed upwards.
    assert (lo > 0).all().all() and ((hi - point) > (point - lo)).all().all()
    wider = lynx_fit.predict_interval(4, coverage=0.95)
    assert (wider.xs("hi", axis=1, level="bound") > hi).all().all()
    pd.testing.assert_frame_equal(band, lynx_fit.predict_interval(4, coverage=0.8))


def test_predict_interval_of_an_unobserved_state_holds_the_state():
    t = np.arange(0.0, 10.0, 0.5)
    path = simulate(_chain, [0.7, 0.3], [4.0, 0.0], t)
    noisy = path[:, 1] + 0.02 * np.random.default_rng(3).standard_normal(len(t))
    model = ODEModel(_chain, param_names=["k1", "k2"], state_names=["a", "b"], y0={"a": 3.0},
                     p0=[0.9, 0.2]).fit(
        pd.DataFrame({"b": noisy}, index=t))
    band = model.predict_interval(3, coverage=0.9)
    assert list(band.columns.get_level_values("state").unique()) == ["a", "b"]
    width = band.xs("hi", axis=1, level="bound") - band.xs("lo", axis=1, level="bound")
    # b carries the observation noise (about 2 * 1.7 * 0.02 wide); a only its estimation error.
    assert (width["b"] > 0.05).all() and (width["a"] > 0).all()
    array = ODEModel(_decay, param_names=["k"], state_names=["x"]).fit(
        5 * np.exp(-0.3 * t) + 0.01 * np.sin(3 * t), t=0.5)
    assert array.predict_interval(2).shape == (2, 1, 2)


# -- recovery on simulated data -----------------------------------------------------------
def test_sir_recovers_parameters_within_standard_errors():
    t = np.arange(60.0)
    truth = np.array([0.4, 0.1])
    path = simulate(sir, truth, [0.99, 0.01, 0.0], t)
    rng = np.random.default_rng(0)
    y = pd.DataFrame(path[:, 1:] + 0.005 * rng.standard_normal((60, 2)), index=t,
                     columns=["I", "R"])
    model = SIR().fit(y)
    z = (model.params_.to_numpy() - truth) / model.bse_.to_numpy()
    assert np.all(np.abs(z) < 3), z
    assert np.all(model.bse_.to_numpy() < 0.05 * truth)  # the data are informative
    assert model.state_names_ == ["S", "I", "R"]
    assert abs(model.initial_state_["S"] - 0.99) < 0.01  # the unobserved state too


def test_damped_oscillator_recovers_parameters_from_position_only():
    t = np.arange(0, 20, 0.2)
    truth = np.array([1.5, 0.08])
    x = simulate(damped_oscillator, truth, [1.0, 0.0], t)[:, 0]
    noisy = x + 0.05 * np.random.default_rng(1).standard_normal(len(t))
    model = DampedOscillator().fit(pd.DataFrame({"x": noisy}, index=t))
    z = (model.params_.to_numpy() - truth) / model.bse_.to_numpy()
    assert np.all(np.abs(z) < 3), z
    assert np.all(model.bse_.to_numpy() < 0.1 * truth)
    assert model.fitted_.shape == (len(t), 2)


def test_logistic_on_numpy_gives_numpy_and_steps_on():
    t = np.arange(0.0, 30.0, 1.5)
    y = 100 / (1 + 99 * np.exp(-0.4 * t))
    model = Logistic().fit(y, t=1.5)
    np.testing.assert_allclose(model.params_.to_numpy(), [0.4, 100.0], rtol=1e-4)
    forecast = model.predict(2)
    assert isinstance(forecast, np.ndarray) and forecast.shape == (2, 1)
    expected = 100 / (1 + 99 * np.exp(-0.4 * np.array([30.0, 31.5])))
    np.testing.assert_allclose(forecast[:, 0], expected, rtol=1e-4)


def test_datetime_index_counts_days_and_continues_the_index():
    t = np.arange(40.0)
    path = simulate(sir, [0.5, 0.2], [0.98, 0.02, 0.0], t)
    index = pd.date_range("2024-03-01", periods=40, freq="D")
    y = pd.DataFrame(path, index=index, columns=["S", "I", "R"])
    model = SIR().fit(y)
    np.testing.assert_allclose(model.params_.to_numpy(), [0.5, 0.2], rtol=1e-4)
    out = model.predict(3)
    assert out.index.equals(pd.date_range("2024-04-10", periods=3, freq="D"))
    np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-6)  # S + I + R is conserved
    sim = model.simulate(pd.date_range("2024-03-01", periods=5, freq="D"))
    np.testing.assert_allclose(sim.to_numpy(), path[:5], atol=1e-6)


def test_multiple_shooting_fits_a_chaotic_series_from_a_poor_start():
    t = np.arange(0.0, 3.0, 0.02)
    path = simulate(lorenz, [10.0, 28.0, 8 / 3], [-8.0, 8.0, 27.0], t)
    noisy = path + 0.1 * np.random.default_rng(2).standard_normal(path.shape)
    y = pd.DataFrame(noisy, index=t, columns=["x", "y", "z"])
    model = Lorenz(p0={"sigma": 7.0, "rho": 20.0, "beta": 2.0}, shooting=10).fit(y)
    np.testing.assert_allclose(model.params_.to_numpy(), [10.0, 28.0, 8 / 3], rtol=0.01)
    assert np.all(np.abs(model.residuals_.to_numpy()).std(axis=0) < 0.2)


def test_multiple_shooting_agrees_with_single_shooting_on_lynx_hare(lynx_fit):
    model = LotkaVolterra(log_space=True, shooting=3).fit(load_lynx_hare())
    np.testing.assert_allclose(model.params_, lynx_fit.params_, rtol=2e-3)
    np.testing.assert_allclose(model.bse_, lynx_fit.bse_, rtol=0.05)


def test_generic_odemodel_with_unobserved_state():
    def_y = ODEModel._conformance_data()
    model = ODEModel(_decay, param_names=["k"], state_names=["x"]).fit(def_y)
    assert abs(model.params_["k"] - 0.3) < 0.01
    # Two states, only the second observed: y0 of the first must be given.
    t = np.arange(0.0, 10.0, 0.5)
    path = simulate(_chain, [0.7, 0.3], [4.0, 0.0], t)
    y = pd.DataFrame({"b": path[:, 1]}, index=t)
    with pytest.raises(ValueError, match="y0="):
        ODEModel(_chain, param_names=["k1", "k2"], state_names=["a", "b"]).fit(y)
    # (b alone cannot tell k1 from k2: the swapped rates with a larger a(0) fit too, so
    # the start decides the branch.)
    fit = ODEModel(_chain, param_names=["k1", "k2"], state_names=["a", "b"], y0={"a": 3.0}, p0=[0.9, 0.2]).fit(y)
    np.testing.assert_allclose(fit.params_.to_numpy(), [0.7, 0.3], rtol=1e-3)
    assert fit.initial_state_["a"] == pytest.approx(4.0, rel=1e-3)


def test_irregular_times_fit_but_predict_points_to_simulate():
    t = np.array([0.0, 0.5, 1.5, 2.0, 3.5, 4.0, 6.0, 7.5])
    y = pd.DataFrame({"x": 5 * np.exp(-0.3 * t)}, index=t)
    model = ODEModel(_decay, param_names=["k"], state_names=["x"]).fit(y)
    assert model.params_["k"] == pytest.approx(0.3, rel=1e-5)
    with pytest.raises(ValueError, match="simulate"):
        model.predict(2)
    out = model.simulate([8.0, 9.0])
    np.testing.assert_allclose(out["x"], 5 * np.exp(-0.3 * np.array([8.0, 9.0])), rtol=1e-5)


def test_fit_does_not_modify_the_input():
    y = load_lynx_hare()
    before = y.copy()
    ODEModel(_decay, param_names=["k"], state_names=["x"]).fit(ODEModel._conformance_data())
    LotkaVolterra().fit(y)
    pd.testing.assert_frame_equal(y, before)


# -- bad input -----------------------------------------------------------------------------
def _decay(t, y, k):
    return -k * y


def _chain(t, y, k1, k2):
    return np.array([-k1 * y[0], k1 * y[0] - k2 * y[1]])


def _wrong_shape(t, y, k):
    return np.array([-k * y[0], 0.0, 1.0])


def _not_finite(t, y, k):
    return np.array([np.log(-k)])


def _explodes(t, y, k):
    return k * y**2


def test_simulate_before_fit_raises_not_fitted():
    with pytest.raises(NotFittedError):
        LotkaVolterra().simulate([1.0, 2.0])


@pytest.mark.parametrize("how", ["unsorted", "duplicated"])
def test_time_not_increasing_is_rejected(how):
    y = load_lynx_hare()
    y = y.iloc[::-1] if how == "unsorted" else pd.concat([y.iloc[:3], y.iloc[2:]])
    with pytest.raises(ValueError, match="not strictly increasing|unsorted|duplicated"):
        LotkaVolterra().fit(y)
    with pytest.raises(ValueError, match="t .*strictly increasing"):
        LotkaVolterra().fit(load_lynx_hare().to_numpy(), t=np.r_[0.0, np.arange(20.0)][::-1])


def test_fewer_observations_than_unknowns():
    y = load_lynx_hare().iloc[:3]
    with pytest.raises(ValueError, match="y has 3 time points but LotkaVolterra needs at least "
                                         "4: it estimates 4 parameters and 2 initial"):
        LotkaVolterra().fit(y)


def test_nan_and_wrong_columns_are_rejected():
    y = load_lynx_hare()
    y.iloc[4, 1] = np.nan
    with pytest.raises(ValueError, match="y contains 1 NaN"):
        LotkaVolterra().fit(y)
    with pytest.raises(ValueError, match="observed=\\["):
        SIR().fit(pd.DataFrame({"cases": [0.1, 0.2, 0.3, 0.2, 0.1, 0.1, 0.05]}))
    with pytest.raises(ValueError, match="observed names unknown states"):
        SIR(observed=["Q"]).fit(pd.DataFrame({"cases": [0.1, 0.2, 0.3, 0.2, 0.1, 0.1, 0.05]}))
    with pytest.raises(TypeError, match="numeric time index"):
        LotkaVolterra().fit(load_lynx_hare().set_index(pd.Index(list("abcdefghijklmnopqrstu"))))
    with pytest.raises(ValueError, match="t was given"):
        LotkaVolterra().fit(load_lynx_hare(), t=1.0)


def test_bad_options_name_the_parameter():
    y = load_lynx_hare()
    with pytest.raises(ValueError, match="'method' parameter of LotkaVolterra must be a str among"):
        LotkaVolterra(method="Euler").fit(y)
    for tol in (-1, float("nan")):
        with pytest.raises(ValueError, match="'rtol' parameter"):
            LotkaVolterra(rtol=tol).fit(y)
    with pytest.raises(ValueError, match="'atol' parameter"):
        LotkaVolterra(atol=float("nan")).fit(y)
    with pytest.raises(ValueError, match="shooting"):
        LotkaVolterra(shooting=0).fit(y)
    with pytest.raises(ValueError, match="shooting=15 .* at most shooting=10"):
        LotkaVolterra(shooting=15).fit(y)
    with pytest.raises(ValueError, match="p0 has unknown names"):
        LotkaVolterra(p0={"alfa": 1.0}).fit(y)
    with pytest.raises(ValueError, match="log_space=True needs positive"):
        SIR(log_space=True).fit(SIR._conformance_data())
    with pytest.raises(TypeError, match="'rhs' parameter of ODEModel must be a callable"):
        ODEModel("not a function", param_names=["k"], state_names=["x"]).fit(ODEModel._conformance_data())


def test_rhs_with_the_wrong_shape_or_non_finite_values():
    data = ODEModel._conformance_data()
    with pytest.raises(ValueError, match=r"shape \(3,\).*one derivative per state"):
        ODEModel(_wrong_shape, param_names=["k"], state_names=["x"]).fit(data)
    with pytest.raises(ValueError, match="non-finite values"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            ODEModel(_not_finite, param_names=["k"], state_names=["x"]).fit(data)


def test_rhs_with_the_wrong_signature_is_explained():
    with pytest.raises(TypeError, match=r"rhs raised TypeError.*rhs\(t, y, k1, k2\)"):
        ODEModel(_decay, param_names=["k1", "k2"], state_names=["x"]).fit(ODEModel._conformance_data())


def test_diverging_solution_names_the_parameters_and_suggests_a_stiff_method():
    t = np.arange(0.0, 3.0, 0.25)
    y = pd.DataFrame({"x": 1.0 / (1.0 + 0.2 * t)}, index=t)  # solves x' = -0.2 x^2
    with pytest.raises(ODEIntegrationError, match=r"k=1.*stiff method \(method='LSODA'"):
        ODEModel(_explodes, param_names=["k"], state_names=["x"], p0={"k": 1.0}).fit(y)
    fit = ODEModel(_explodes, param_names=["k"], state_names=["x"], p0={"k": -0.1}).fit(y)
    assert fit.params_["k"] == pytest.approx(-0.2, rel=1e-5)


def test_a_preset_solves_its_equations_without_a_fit():
    from tsclassic.dynamics import Logistic

    t = np.array([0.0, 10.0, 40.0])
    path = Logistic.solve([0.5, 100.0], [2.0], t)
    exact = 100.0 / (1.0 + 49.0 * np.exp(-0.5 * t))  # the logistic curve in closed form
    np.testing.assert_allclose(path["N"].to_numpy(), exact, rtol=1e-7)
    assert list(path.index) == list(t)
    with pytest.raises(ValueError, match="params"):
        Logistic.solve([0.5], [2.0], t)
    with pytest.raises(ValueError, match="increasing"):
        Logistic.solve([0.5, 100.0], [2.0], t[::-1])
