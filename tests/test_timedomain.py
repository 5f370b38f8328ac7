"""Time domain: peaks, level shifts, the shape statistics and TimeDomainFeatures."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from tsclassic.timedomain import (
    TimeDomainFeatures,
    acf_first_zero,
    autocorrelation,
    crossing_rate,
    detect_level_shifts,
    find_peaks,
    longest_run_above_mean,
    moments,
    trend_slope,
    value_entropy,
)


def _gaussian_bumps(n, centres, heights, width, noise, seed):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    y = sum(h * np.exp(-0.5 * ((t - c) / width) ** 2) for c, h in zip(centres, heights))
    return y + rng.normal(0, noise, n)


# -- peaks ---------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(5))
def test_find_peaks_recovers_planted_peaks(seed):
    centres, heights, width, noise = [40, 110, 180, 260], [5.0, 3.0, 8.0, 4.0], 2.5, 0.2
    y = _gaussian_bumps(300, centres, heights, width, noise, seed)
    peaks = find_peaks(y, prominence=1.5)
    assert peaks["position"].tolist() == pytest.approx(centres, abs=1)
    assert peaks["height"].to_numpy() == pytest.approx(heights, abs=3 * noise)
    # Full width at half maximum of a Gaussian: 2 sqrt(2 ln 2) sigma. The width is taken at
    # half the prominence, which the noisy bases inflate a little: within 1.5 samples.
    fwhm = 2 * np.sqrt(2 * np.log(2)) * width
    assert peaks["width"].to_numpy() == pytest.approx(np.full(4, fwhm), abs=1.5)


def test_find_peaks_keeps_the_series_index():
    y = pd.Series([0.0, 2, 0, 1, 0], index=pd.date_range("2024-01-01", periods=5, freq="D"))
    peaks = find_peaks(y)
    assert peaks["time"].tolist() == [pd.Timestamp("2024-01-02"), pd.Timestamp("2024-01-04")]
    assert peaks["position"].dtype == np.int64


def test_find_peaks_bad_input_names_the_argument():
    with pytest.raises(ValueError, match="y contains 1 NaN"):
        find_peaks(np.array([0.0, np.nan, 1.0]))
    with pytest.raises(ValueError, match="prominence"):
        find_peaks(np.arange(5.0), prominence=-1)
    with pytest.raises(ValueError, match="distance"):
        find_peaks(np.arange(5.0), distance=0)


# -- level shifts ----------------------------------------------------------------
@pytest.mark.parametrize("seed", range(8))
def test_detect_level_shifts_recovers_planted_steps(seed):
    rng = np.random.default_rng(seed)
    levels, bounds, noise = [0.0, 4.0, 1.0, 6.0], [0, 70, 150, 200, 300], 1.0
    y = np.concatenate([np.full(b - a, lv) for lv, a, b in zip(levels, bounds[:-1], bounds[1:])])
    y = y + rng.normal(0, noise, y.size)
    shifts = detect_level_shifts(y)
    assert shifts["position"].tolist() == pytest.approx(bounds[1:-1], abs=1)
    # The step estimate is a difference of two segment means: within a few standard errors.
    assert shifts["step"].to_numpy() == pytest.approx(np.diff(levels), abs=4 * noise / np.sqrt(50))


def test_level_shifts_on_noise_and_constants():
    rng = np.random.default_rng(1)
    false_alarms = sum(len(detect_level_shifts(rng.normal(size=200))) for _ in range(20))
    assert false_alarms <= 3
    assert detect_level_shifts(np.full(50, 3.0)).empty
    clean = np.r_[np.zeros(20), np.ones(20)]
    assert detect_level_shifts(clean)["position"].tolist() == [20]


def test_level_shift_penalty_and_min_size_are_validated():
    y = np.r_[np.zeros(30), np.ones(30)] + np.random.default_rng(0).normal(0, 0.1, 60)
    with pytest.raises(ValueError, match="penalty"):
        detect_level_shifts(y, penalty="huge")
    with pytest.raises(ValueError, match="penalty"):
        detect_level_shifts(y, penalty=-1.0)
    with pytest.raises(ValueError, match="min_size"):
        detect_level_shifts(y, min_size=0)
    # A very large penalty finds nothing; a series index comes back as times.
    assert detect_level_shifts(y, penalty=1e9).empty
    s = pd.Series(y, index=pd.period_range("2000-01", periods=60, freq="M"))
    assert detect_level_shifts(s)["time"].iloc[0] == pd.Period("2002-07", "M")


# -- statistics ----------------------------------------------------------------------
def test_statistics_on_known_series():
    assert crossing_rate(np.array([1.0, -1, 1, -1])) == 1.0
    assert crossing_rate(np.array([1.0, 0.0, -1.0])) == pytest.approx(0.5)  # zero skipped
    assert crossing_rate(np.array([5.0, 6, 5, 6]), level=None) == 1.0
    assert trend_slope(3.0 + 2.0 * np.arange(10)) == pytest.approx(2.0)
    assert longest_run_above_mean(np.array([0, 1, 1, 1, 0, 1, 0.0])) == 3
    assert value_entropy(np.arange(1000.0), bins=10) == pytest.approx(1.0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=5000)
    from scipy import stats

    m = moments(x)
    assert m["skewness"] == pytest.approx(stats.skew(x))
    assert m["kurtosis"] == pytest.approx(stats.kurtosis(x))


def test_autocorrelation_matches_statsmodels():
    from statsmodels.tsa.stattools import acf

    y = np.cumsum(np.random.default_rng(2).normal(size=200))
    assert autocorrelation(y, range(11)) == pytest.approx(acf(y, nlags=10, fft=False))
    # The first zero crossing of a sine of period 40 is at a quarter period.
    s = np.sin(2 * np.pi * np.arange(400) / 40)
    assert acf_first_zero(s) == pytest.approx(10, abs=1)
    assert autocorrelation(np.arange(3.0), [5])[0] == 0.0  # no pairs 5 apart


def test_constant_and_tiny_series_are_defined_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = TimeDomainFeatures().fit_transform(np.full((3, 50), 7.0))
        assert out.loc[0, "n_peaks"] == 0 and out.loc[0, "std"] == 0
        assert out.loc[0, "n_level_shifts"] == 0 and out.loc[0, "skewness"] == 0
        assert np.isfinite(out.to_numpy()).all()
        tiny = TimeDomainFeatures().fit_transform([np.array([1.0]), np.array([1.0, 2.0, 0.5])])
    # Lags beyond a series' length are the documented 0; every feature is finite.
    lag_cols = [c for c in tiny.columns if c.startswith("acf_") and c != "acf_first_zero"]
    assert (tiny.loc[0, lag_cols] == 0).all()
    assert (tiny.loc[1, ["acf_3", "acf_5", "acf_10"]] == 0).all()
    assert tiny.loc[1, "acf_1"] != 0
    assert np.isfinite(tiny.to_numpy()).all()


# -- the transformer ---------------------------------------------------------------
def test_time_domain_features_on_equal_and_unequal_panels():
    rng = np.random.default_rng(0)
    t = np.arange(120)
    X = np.vstack([np.sin(2 * np.pi * t / 30) + rng.normal(0, 0.05, 120) for _ in range(4)])
    tr = TimeDomainFeatures()
    out = tr.fit_transform(X)
    assert out.shape == (4, len(tr.get_feature_names_out()))
    assert list(out.columns) == list(tr.get_feature_names_out())
    assert (out["n_peaks"] == 4).all()
    assert out["peak_interval_mean"].to_numpy() == pytest.approx(30, abs=1)
    assert (out.dtypes == np.float64).all()
    # fit_transform equals fit().transform (our own version of sklearn's general check).
    pd.testing.assert_frame_equal(out, TimeDomainFeatures().fit(X).transform(X))
    ragged = [X[0], X[1, :80], X[2, :50]]
    out2 = tr.transform(ragged)
    assert out2.shape[0] == 3 and out2.loc[0].equals(out.loc[0])
    framed = pd.DataFrame(X, index=["a", "b", "c", "d"])
    assert list(tr.transform(framed).index) == ["a", "b", "c", "d"]


def test_time_domain_features_set_output_and_pipeline():
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X = np.random.default_rng(0).normal(size=(6, 40))
    pipe = make_pipeline(TimeDomainFeatures(), StandardScaler()).set_output(transform="pandas")
    out = pipe.fit_transform(X)
    assert isinstance(out, pd.DataFrame) and "n_peaks" in out.columns


@pytest.mark.parametrize(
    ("params", "match"),
    [({"quantiles": (0.5, 2.0)}, "quantiles"), ({"acf_lags": (0,)}, "acf_lags"),
     ({"peak_prominence": -1.0}, "peak_prominence"), ({"level_shift_penalty": "x"}, "penalty"),
     ({"entropy_bins": 0}, "entropy_bins")],
)
def test_time_domain_features_bad_params(params, match):
    with pytest.raises(ValueError, match=match):
        TimeDomainFeatures(**params).fit(np.zeros((2, 10)))


def test_diff_orders_compute_the_features_of_the_differences():
    X = np.cumsum(np.random.default_rng(0).normal(size=(3, 50)), axis=1)
    both = TimeDomainFeatures(diff_orders=(0, 1)).fit_transform(X)
    plain = TimeDomainFeatures().fit_transform(X)
    slopes = TimeDomainFeatures().fit_transform(np.diff(X, axis=1))
    np.testing.assert_allclose(both[plain.columns].to_numpy(), plain.to_numpy())
    np.testing.assert_allclose(both[[f"{c}_diff1" for c in plain.columns]].to_numpy(),
                               slopes.to_numpy())
    # A single point has no difference: refused, naming the series and the length needed.
    with pytest.raises(ValueError, match=r"X\[0\] has length 1 .* at least 2 \(diff_orders"):
        TimeDomainFeatures(diff_orders=(0, 1)).fit_transform([np.array([1.0]), X[0]])
    tiny = TimeDomainFeatures(diff_orders=(0, 1)).fit_transform([np.array([1.0, 3.0]), X[0]])
    assert tiny.loc[0, "mean_diff1"] == 2.0 and np.isfinite(tiny.to_numpy()).all()
    with pytest.raises(ValueError, match="diff_orders"):
        TimeDomainFeatures(diff_orders=(0, 0)).fit(X)
    with pytest.raises(ValueError, match="diff_orders"):
        TimeDomainFeatures(diff_orders=()).fit(X)
