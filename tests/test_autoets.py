"""AutoETS: agreement with R's forecast::ets and statsmodels, model strings, bad input,
interval coverage."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from tsclassic.arima import AutoETS
from tsclassic.arima._autoets import parse_model
from tsclassic.arima._autoets_kernels import ets_filter

# Four M1 training series (Mcomp's M1, see data/README.md) and what R 4 / forecast 8.20
# gives for them, computed once with
#   Rscript -e 'library(forecast); f <- ets(ts(y, frequency = m)); f$method; f$par;
#               f$aicc; forecast(f, h = h)$mean'
# (default arguments: model "ZZZ", AICc).
R_REFERENCE = {
    "YAI9": dict(
        m=1, model="MAN",
        y=[68, 81, 105, 126, 145, 170, 170, 194, 224, 245, 270],
        par=dict(alpha=0.00010006183, beta=0.00010000426, l=46.920041, b=19.398323),
        aicc=85.19583135,
        forecast=[279.6960207, 299.0945046, 318.4929885, 337.8914724, 357.2899563, 376.6884402],
    ),
    "QNM1": dict(
        m=4, model="MNM",
        y=[13.3, 33.9, 19.6, 14.2, 18.4, 46.2, 35.1, 14.1, 18.0, 39.3, 31.6, 18.2, 23.3],
        par=dict(alpha=0.85879598, gamma=0.00010634658, l=19.85157, s0=0.60383,
                 s1=1.0843731, s2=1.6110704),
        aicc=100.5260472,
        forecast=[52.80975114, 35.54510738, 19.79290334, 22.96955276, 52.80994847,
                  35.5452402, 19.7929773, 22.96963859],
    ),
    "MNI3": dict(
        m=12, model="MAM",
        y=[109, 110, 112, 113, 120, 115, 99, 61, 111, 115, 119, 122, 128, 123, 124, 125, 131,
           125, 115, 66, 125, 129, 135, 132, 133, 134, 134, 135, 139, 135],
        par=dict(alpha=0.045692819, beta=0.04569048, gamma=0.61989023, l=101.29471,
                 b=1.0650447, s0=1.0518459, s1=1.0540948, s2=1.0226007, s3=0.99646842,
                 s4=0.5486782, s5=0.91861345, s6=1.0544467, s7=1.1094953, s8=1.0638021,
                 s9=1.0592636, s10=1.0563987),
        aicc=235.98328,
        forecast=[121.6072077, 71.06228997, 132.2291293, 135.9731565, 141.0530726, 139.1895064],
    ),
    "MNI2": dict(
        m=12, model="ANA",
        y=[84, 87, 88, 98, 104, 103, 86, 55, 103, 106, 112, 112, 105, 106, 103, 108, 110, 111,
           103, 44, 106, 105, 114, 110, 101, 110, 111, 112, 109, 109],
        par=dict(alpha=0.66767515, gamma=0.002239544, l=98.231269, s0=10.140256,
                 s1=14.037654, s2=5.7787124, s3=3.5316995, s4=-48.772934, s5=-3.2865743,
                 s6=9.046058, s7=8.1234531, s8=3.7792951, s9=0.34403825, s10=1.0479458),
        aicc=265.6559928,
        forecast=[97.82855415, 52.34539998, 104.6611464, 106.8941257, 115.1506072, 111.2642498],
    ),
}


@pytest.mark.parametrize("name", list(R_REFERENCE))
def test_same_model_parameters_and_forecasts_as_r(name):
    ref = R_REFERENCE[name]
    y = np.asarray(ref["y"], dtype=float)
    est = AutoETS(season_length=ref["m"]).fit(y)
    assert est.model_ == ref["model"]
    for key, value in ref["par"].items():
        assert est.params_[key] == pytest.approx(value, rel=1e-3, abs=2e-5), key
    h = len(ref["forecast"])
    np.testing.assert_allclose(est.predict(h), ref["forecast"], rtol=1e-5)
    # R's criteria leave out n (log(2 pi) + 1 - log n); ours are the Gaussian ones.
    n = len(y)
    assert est.aicc_ == pytest.approx(ref["aicc"] + n * (np.log(2 * np.pi) + 1 - np.log(n)),
                                      abs=1e-3)


def _statsmodels_loglike(y, error, trend, damped, seasonal, m, params):
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    model = ETSModel(pd.Series(y), error=error, trend=trend, damped_trend=damped,
                     seasonal=seasonal, seasonal_periods=m if seasonal else None)
    return float(model.loglike(np.asarray(params, dtype=float)))


@pytest.mark.parametrize(
    ("error", "trend", "damped", "season", "smoothing", "state"),
    [
        ("A", "N", False, "N", [0.3], [100.0]),
        ("A", "A", True, "N", [0.4, 0.1, 0.9], [100.0, 1.0]),
        ("M", "A", False, "A", [0.3, 0.05, 0.1], [100.0, 0.5, 5.0, -2.0, 1.0, -4.0]),
        ("M", "A", True, "N", [0.3, 0.05, 0.95], [100.0, 0.5]),
        ("A", "A", True, "A", [0.3, 0.05, 0.1, 0.95], [100.0, 0.5, 5.0, -2.0, 1.0, -4.0]),
    ],
)
def test_log_likelihood_agrees_with_statsmodels(error, trend, damped, season, smoothing, state):
    t = np.arange(40)
    y = 100 + 0.5 * t + 4 * np.sin(2 * np.pi * t / 4) + np.random.default_rng(1).normal(0, 2, 40)
    m = 4 if season != "N" else 1
    code = {"N": 0, "A": 1, "M": 2}
    smooth = dict(zip(["alpha"] + ["beta"] * (trend != "N") + ["gamma"] * (season != "N")
                      + ["phi"] * damped, smoothing))
    e, last = np.empty(len(y)), np.empty(len(state))
    lik = ets_filter(y, np.array(state), m, code[error], code[trend], code[season],
                     smooth["alpha"], smooth.get("beta", 0.0), smooth.get("gamma", 0.0),
                     smooth.get("phi", 1.0), e, last, False)
    n = len(y)
    ours = -0.5 * (lik + n * (np.log(2 * np.pi) + 1 - np.log(n)))
    names = {"N": None, "A": "add", "M": "mul"}
    theirs = _statsmodels_loglike(y, names[error], names[trend], damped, names[season], m,
                                  smoothing + state)
    assert ours == pytest.approx(theirs, rel=1e-9)


def test_multiplicative_season_follows_hyndman_et_al_table_2_3():
    # statsmodels writes the multiplicative seasonal update another way, so MNM is checked
    # against the book's equations, written out here: mu = l s, l <- l (1 + alpha e),
    # s <- s (1 + gamma e), e = (y - mu) / mu.
    y = np.array(R_REFERENCE["QNM1"]["y"])
    alpha, gamma, level, seasons = 0.3, 0.1, 20.0, [0.6, 1.1, 1.6, 0.7]
    e_hand, state = [], (level, list(seasons))
    for value in y:
        level, s = state
        mu = level * s[-1]
        err = (value - mu) / mu
        e_hand.append(err)
        state = (level * (1 + alpha * err), [s[-1] * (1 + gamma * err)] + s[:-1])
    e, last = np.empty(len(y)), np.empty(5)
    ets_filter(y, np.array([20.0, *seasons]), 4, 2, 0, 2, alpha, 0.0, gamma, 1.0, e, last, False)
    np.testing.assert_allclose(e, e_hand, rtol=1e-12)
    np.testing.assert_allclose(last, [state[0], *state[1]], rtol=1e-12)


def test_analytic_intervals_agree_with_r():
    # Rscript -e 'library(forecast); f <- ets(ts(y[1:20]), model = "AAN", damped = TRUE);
    #             forecast(f, h = 4, level = 80)' on the MNI2 series above.
    y = np.array(R_REFERENCE["MNI2"]["y"][:20], dtype=float)
    est = AutoETS(model="AAdN").fit(y)
    np.testing.assert_allclose(est.predict(4), [99.12982, 99.14864, 99.16375, 99.17588],
                               rtol=1e-6)
    np.testing.assert_allclose(est.predict_interval(4, coverage=0.8),
                               [[73.25396, 125.0057], [73.27278, 125.0245],
                                [73.28789, 125.0396], [73.30002, 125.0517]], rtol=1e-6)
    # With a season: R's class1 puts gamma one state too far along when there is no
    # trend, so its ANA variance takes the seasonal term from h = m, not from h = m + 1
    # as the c_j of Hyndman et al. (2008, ch. 6) do; the other steps agree (R's 95%
    # bounds below, from the same call on the whole series with frequency 12, h = 14).
    est = AutoETS(season_length=12).fit(np.asarray(R_REFERENCE["MNI2"]["y"], dtype=float))
    bounds = est.predict_interval(14, coverage=0.95)
    np.testing.assert_allclose(bounds[[0, 1, 12, 13]],
                               [[83.77602, 111.88109], [35.44849, 69.24231],
                                [62.41037, 133.24674], [15.70553, 88.98527]], rtol=1e-6)


def test_model_strings():
    assert parse_model("ZZZ", None) == (["Z"], ["Z"], ["Z"], [True, False])
    assert parse_model("MAdN", None) == (["M"], ["A"], ["N"], [True])
    assert parse_model("ANA", False) == (["A"], ["N"], ["A"], [False])
    y = np.array([68, 81, 105, 126, 145, 170, 170, 194, 224, 245, 270], dtype=float)
    est = AutoETS(model="MAdN").fit(y)
    assert est.model_ == "MAdN" and set(est.candidates_) == {"MAdN"}
    assert 0.8 <= est.params_["phi"] <= 0.98
    assert AutoETS(model="AZN", damped_trend=False).fit(y).model_ in {"ANN", "AAN"}


@pytest.mark.parametrize(
    ("params", "argument"),
    [
        ({"model": "XYZ"}, "model"),
        ({"model": "ZZ"}, "model"),
        ({"model": "ANN", "damped_trend": True}, "damped_trend"),
        ({"model": "MAdN", "damped_trend": False}, "damped_trend"),
        ({"model": "AAM", "season_length": 4}, "restrict"),
        ({"model": "ANA"}, "season_length"),
        ({"ic": "hqic"}, "ic"),
        ({"season_length": 0}, "season_length"),
    ],
)
def test_bad_parameters_name_the_argument(params, argument):
    y = 100 + np.arange(30.0)
    with pytest.raises(ValueError, match=argument):
        AutoETS(**params).fit(y)


def test_season_longer_than_the_series_allows():
    y = 100 + np.sin(np.arange(20.0))
    with pytest.raises(ValueError, match=r"season_length=12.*two full seasons"):
        AutoETS(season_length=12, model="AAA").fit(y)
    # Left to choose, AutoETS drops the season silently and says so in model_.
    est = AutoETS(season_length=12).fit(y)
    assert est.model_.endswith("N") and not any(name[-1] in "AM" for name in est.candidates_)


def test_non_positive_data_with_a_multiplicative_model():
    y = np.r_[np.arange(1.0, 13), 0.0, np.arange(1.0, 12)]
    with pytest.raises(ValueError, match=r"model='MNM'.*strictly positive"):
        AutoETS(season_length=4, model="MNM").fit(y)
    est = AutoETS(season_length=4).fit(y)  # Z: the multiplicative candidates are left out
    assert "M" not in est.model_ and all("M" not in name for name in est.candidates_)


def test_too_short_names_y():
    with pytest.raises(ValueError, match="y"):
        AutoETS().fit(np.array([1.0, 2, 3, 4, 5, 6]))
    # A fixed model without the least-squares fallback is refused below R's count.
    with pytest.raises(ValueError, match="y"):
        AutoETS(model="MAdN").fit(np.arange(1.0, 10))


# M1 yearly YAD4 (9 values), too short for ETS(A,Ad,N) by R's count (2 + 2 + 1 parameters:
# more than 9 values). R 4 / forecast 8.20,
#   Rscript -e 'library(forecast); f <- holt(ts(y), h = 6, damped = TRUE); f$model$par;
#               f$model$components; f$mean'
# warns "Not enough data to use damping" and fits Holt's linear trend undamped by least
# squares from l = y[1], b = y[2] - y[1] (components "A" "A" "N" "FALSE"); its par below
# gives Holt-Winters' beta (ETS beta = alpha * beta). ets(ts(y), "AAN", damped = TRUE)
# gives the same forecast.
YAD4 = [2067.0, 2261.0, 2102.0, 1590.0, 1768.0, 2246.0, 1602.0, 2074.0, 1546.0]
YAD4_R = dict(alpha=0.410818866059, beta_hw=0.532293449691,
              forecast=[1640.18346557, 1565.28676500, 1490.39006443, 1415.49336386,
                        1340.59666328, 1265.69996271])


def test_short_series_damped_falls_back_to_undamped_holt_as_r():
    y = np.array(YAD4)
    with pytest.warns(UserWarning, match=r"9 values, too few for model='AAdN'.*Holt's linear"):
        est = AutoETS(model="AAdN").fit(y)
    assert est.model_ == "AAN" and "phi" not in est.params_
    np.testing.assert_allclose(est.params_[["l", "b"]], [2067.0, 194.0])
    np.testing.assert_allclose(est.params_["alpha"], YAD4_R["alpha"], rtol=1e-4)
    np.testing.assert_allclose(est.params_["beta"] / est.params_["alpha"], YAD4_R["beta_hw"],
                               rtol=1e-4)
    np.testing.assert_allclose(est.predict(6), YAD4_R["forecast"], rtol=1e-6)
    np.testing.assert_array_equal(y, YAD4)  # the caller's data untouched
    # One more value and the damped model itself is fitted by maximum likelihood, silently.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert AutoETS(model="AAdN").fit(np.r_[y, 1500.0]).model_ == "AAdN"
    # SES on 6 values (R's count 2) likewise; a lone value is refused.
    with pytest.warns(UserWarning, match="simple exponential smoothing"):
        assert AutoETS(model="ANN").fit(y[:6]).model_ == "ANN"
    with pytest.raises(ValueError, match="y"):
        AutoETS(model="ANN").fit(y[:1])


def test_an_exact_fit_wins_as_in_r():
    # Rscript -e 'library(forecast); ets(ts(as.numeric(1:7)))$method' gives "ETS(A,A,N)":
    # an exact fit (AICc -inf) is kept, the first such candidate in R's order.
    est = AutoETS().fit(np.arange(1.0, 8))
    assert est.model_ == "AAN" and est.aicc_ == -np.inf
    np.testing.assert_allclose(est.predict(2), [8.0, 9.0])


def test_constant_series_gives_a_flat_forecast():
    est = AutoETS().fit(np.full(20, 7.0))
    assert est.model_ == "ANN"
    np.testing.assert_array_equal(est.predict(3), [7.0, 7.0, 7.0])


def _simulate(rng, n, error, alpha, level=100.0, sigma=0.05):
    y = np.empty(n)
    for t in range(n):
        e = rng.normal(0, sigma * (1 if error == "M" else level))
        y[t] = level + e if error == "A" else level * (1 + e)
        level = level + alpha * e if error == "A" else level * (1 + alpha * e)
    return y


@pytest.mark.parametrize(("model", "n_paths"), [("ANN", 5000), ("MNN", 500)])
def test_interval_coverage_on_simulated_series(model, n_paths):
    # ANN has analytic intervals (class 1), MNN simulated ones.
    rng = np.random.default_rng(3)
    n, h, reps, hits = 60, 6, 300, 0
    for _ in range(reps):
        y = _simulate(rng, n + h, model[0], alpha=0.4)
        est = AutoETS(model=model, n_paths=n_paths, random_state=0).fit(y[:n])
        bounds = est.predict_interval(h, coverage=0.9)
        hits += np.sum((bounds[:, 0] <= y[n:]) & (y[n:] <= bounds[:, 1]))
    assert abs(hits / (reps * h) - 0.9) < 0.04


def test_intervals_reproducible_and_pandas_index():
    y = pd.Series(R_REFERENCE["MNI3"]["y"], dtype=float,
                  index=pd.period_range("2000-01", periods=30, freq="M"))
    first = AutoETS(season_length=12, random_state=5).fit(y).predict_interval(4, coverage=0.8)
    again = AutoETS(season_length=12, random_state=5).fit(y).predict_interval(4, coverage=0.8)
    pd.testing.assert_frame_equal(first, again)
    assert first.index.equals(pd.period_range("2002-07", periods=4, freq="M"))
    point = AutoETS(season_length=12).fit(y).predict(4)
    assert ((first["lo"] <= point) & (point <= first["hi"])).all()
