"""SINDy: Lorenz reference recovery, the STLSQ kernel, derivatives, the contract."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

from tsclassic.dynamics import SINDy, smoothed_derivative
from tsclassic.dynamics._integrate import integrate
from tsclassic.dynamics._presets import lorenz
from tsclassic.dynamics._sindy import polynomial_library, polynomial_terms, stlsq

# Lorenz: sigma 10, rho 28, beta 8/3 -> the seven true terms of the degree-2 library.
TRUE = {
    ("x", "x"): -10.0, ("x", "y"): 10.0,
    ("y", "x"): 28.0, ("y", "y"): -1.0, ("y", "x z"): -1.0,
    ("z", "z"): -8.0 / 3.0, ("z", "x y"): 1.0,
}


@pytest.fixture(scope="module")
def lorenz_data():
    t = np.arange(0.0, 10.0, 0.002)  # dt 0.002, 10 time units: 5,000 points
    path, reason = integrate(lorenz, [10.0, 28.0, 8 / 3], np.array([-8.0, 8.0, 27.0]), 0.0, t,
                             "DOP853", 1e-12, 1e-12)
    assert path is not None, reason
    return pd.DataFrame(path, index=pd.Index(t, name="t"), columns=["x", "y", "z"])


def _check_structure(coef: pd.DataFrame, rtol: float) -> None:
    nonzero = {(s, term) for s in coef.index for term in coef.columns if coef.loc[s, term] != 0}
    assert nonzero == set(TRUE), sorted(nonzero ^ set(TRUE))
    for (state, term), value in TRUE.items():
        assert coef.loc[state, term] == pytest.approx(value, rel=rtol), (state, term)


def test_lorenz_clean_exactly_the_seven_terms_within_one_percent(lorenz_data):
    model = SINDy(degree=2, threshold=0.1).fit(lorenz_data)
    assert model.coefficients_.shape == (3, 10)
    assert list(model.coefficients_.columns) == [
        "1", "x", "y", "z", "x^2", "x y", "x z", "y^2", "y z", "z^2"]
    _check_structure(model.coefficients_, rtol=0.01)


def test_lorenz_with_one_percent_noise_keeps_the_structure(lorenz_data):
    rng = np.random.default_rng(0)
    scale = lorenz_data.std().to_numpy()
    noisy = lorenz_data + 0.01 * scale * rng.standard_normal(lorenz_data.shape)
    model = SINDy(degree=2, threshold=0.1).fit(noisy)
    _check_structure(model.coefficients_, rtol=0.05)


def test_equations_are_readable(lorenz_data):
    eqs = SINDy().fit(lorenz_data).equations(precision=1)
    assert eqs == [
        "x' = -10.0 x + 10.0 y",
        "y' = 28.0 x + -1.0 y + -1.0 x z",
        "z' = -2.7 z + 1.0 x y",
    ]


def test_predict_continues_the_float_index_and_tracks_the_truth(lorenz_data):
    train, test = lorenz_data.iloc[:4000], lorenz_data.iloc[4000:4100]
    model = SINDy().fit(train)
    forecast = model.predict(100)
    np.testing.assert_allclose(forecast.index.to_numpy(), test.index.to_numpy(), rtol=1e-9)
    assert list(forecast.columns) == ["x", "y", "z"]
    # 0.2 time units ahead (well inside one Lyapunov time) the forecast stays on the orbit.
    err = np.abs(forecast.to_numpy() - test.to_numpy()).max()
    assert err < 0.05 * np.abs(test.to_numpy()).max()
    sim = model.simulate(train.index[:50].to_numpy())
    np.testing.assert_allclose(sim.to_numpy(), train.iloc[:50].to_numpy(), atol=0.05)


def test_numpy_in_numpy_out(lorenz_data):
    model = SINDy().fit(lorenz_data.to_numpy(), t=0.002)
    assert model.state_names_ == ["x0", "x1", "x2"]
    out = model.predict(3)
    assert isinstance(out, np.ndarray) and out.shape == (3, 3)
    y0 = model.simulate([0.0, 0.1], y0=[-8.0, 8.0, 27.0])
    np.testing.assert_allclose(y0[0], [-8.0, 8.0, 27.0])


def test_stlsq_recovers_a_sparse_linear_model_and_refits_without_ridge():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((500, 6))
    w = np.array([[1.5, 0.0, 0.0, -2.0, 0.0, 0.0], [0.0, 0.0, 0.7, 0.0, 0.0, 0.0]])
    Y = X @ w.T + 0.01 * rng.standard_normal((500, 2))
    coef = stlsq(X, Y, threshold=0.2, alpha=5.0)
    assert np.array_equal(coef != 0, w != 0)
    # The surviving coefficients are the plain least-squares fit on the support.
    ref = np.linalg.lstsq(X[:, [0, 3]], Y[:, 0], rcond=None)[0]
    np.testing.assert_allclose(coef[0, [0, 3]], ref, rtol=1e-10)


def test_polynomial_library_matches_scikit_learn():
    from sklearn.preprocessing import PolynomialFeatures

    x = np.random.default_rng(4).standard_normal((20, 3))
    ours = polynomial_library(x, polynomial_terms(3, 3))
    ref = PolynomialFeatures(degree=3).fit_transform(x)
    np.testing.assert_allclose(ours, ref)


def test_smoothed_derivative():
    t = np.linspace(0, 2, 101)
    smooth, dx = smoothed_derivative(np.column_stack([t**2, np.sin(3 * t)]), t=t)
    np.testing.assert_allclose(dx[:, 0], 2 * t, atol=1e-10)  # exact on a quadratic
    np.testing.assert_allclose(dx[:, 1], 3 * np.cos(3 * t), atol=1e-2)  # O(dt^2)
    _, raw = smoothed_derivative(t**2, t=0.02, window_length=None)
    np.testing.assert_allclose(raw, 2 * t, atol=1e-10)
    with pytest.raises(ValueError, match="window_length must be an odd"):
        smoothed_derivative(t, t=t, window_length=10)
    with pytest.raises(ValueError, match="at least 11 points"):
        smoothed_derivative(t[:5], t=t[:5])


def test_too_large_a_threshold_warns_and_leaves_empty_equations(lorenz_data):
    with pytest.warns(UserWarning, match="removed every term"):
        model = SINDy(threshold=1e6).fit(lorenz_data)
    assert model.equations() == ["x' = 0", "y' = 0", "z' = 0"]


def test_bad_input_and_parameters():
    y = pd.DataFrame(np.random.default_rng(5).standard_normal((30, 2)), columns=["a", "b"])
    with pytest.raises(NotFittedError):
        SINDy().equations()
    bad = y.copy()
    bad.iloc[3, 0] = np.nan
    with pytest.raises(ValueError, match="y contains 1 NaN"):
        SINDy().fit(bad)
    with pytest.raises(ValueError, match="not strictly increasing"):
        SINDy().fit(y.iloc[::-1].set_index(pd.Index(np.r_[np.arange(29.0), 3.0])))
    with pytest.raises(ValueError, match="threshold"):
        SINDy(threshold=-1).fit(y)
    with pytest.raises(ValueError, match="degree"):
        SINDy(degree=0).fit(y)
    with pytest.raises(ValueError, match="window_length=11"):
        SINDy().fit(y.iloc[:8])
    with pytest.raises(ValueError, match="6 terms"):
        SINDy(window_length=None).fit(y.iloc[:5])
    with pytest.raises(ValueError, match="2-D"):
        SINDy().fit(np.zeros((3, 4, 5)))
    with pytest.raises(ValueError, match="y0 must hold the 2 states"):
        SINDy().fit(y).simulate([0.0, 1.0], y0=[1.0])


def test_predict_interval_is_rolling_origin_conformal(lorenz_data):
    train = lorenz_data.iloc[:1500]
    model = SINDy().fit(train)
    band = model.predict_interval(4, coverage=0.9)
    point = model.predict(4)
    assert band.columns.names == ["state", "bound"] and band.index.equals(point.index)
    lo, hi = band.xs("lo", axis=1, level="bound"), band.xs("hi", axis=1, level="bound")
    # Symmetric around the forecast, widening with the horizon on a chaotic system.
    np.testing.assert_allclose((lo + hi) / 2, point, rtol=1e-9, atol=1e-9)
    assert ((hi - lo).diff().iloc[1:] >= 0).all().all()
    # The half-widths are the ceil(20 * 0.9) = 18th smallest error of 19 windows refitted
    # at n-4, n-5, ...: recompute the first step of x by hand.
    errors = []
    for origin in range(1500 - 4, 1500 - 4 - 19, -1):
        refit = SINDy().fit(train.iloc[:origin])
        errors.append(abs(train["x"].iloc[origin] - refit.predict(4)["x"].iloc[0]))
    assert hi["x"].iloc[0] - point["x"].iloc[0] == pytest.approx(sorted(errors)[17], rel=1e-6)
    assert model.predict_interval(4, coverage=0.5).xs("hi", axis=1, level="bound")["x"].iloc[0] \
        < hi["x"].iloc[0]


def test_predict_interval_on_numpy_and_too_few_windows():
    t = 0.05 * np.arange(60)
    y = np.column_stack([np.cos(2 * t), -2 * np.sin(2 * t)])
    model = SINDy(degree=1).fit(y, t=0.05)
    assert model.predict_interval(3).shape == (3, 2, 2)
    with pytest.warns(UserWarning, match="only 9 of n_windows=19"):
        SINDy(degree=1).fit(y[:30], t=0.05).predict_interval(11)
    with pytest.raises(ValueError, match="too few to calibrate 25-step intervals"):
        SINDy(degree=1).fit(y[:30], t=0.05).predict_interval(25)
    with pytest.raises(ValueError, match="coverage"):
        model.predict_interval(3, coverage=1.0)
