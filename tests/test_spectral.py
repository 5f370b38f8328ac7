"""Spectral: Fourier spectra, the Morlet CWT against Torrence & Compo, denoising,
spectral and wavelet features, the harmonic forecaster."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from tsclassic.datasets import load_statsmodels
from tsclassic.spectral import (
    HarmonicForecaster,
    SpectralFeatures,
    WaveletFeatures,
    cwt,
    dominant_periods,
    donoho_johnstone,
    dwt_denoise,
    periodogram,
    welch,
)
from tsclassic.spectral._wavelet import _PSI0_MORLET, morlet_fourier_factor


# -- Fourier --------------------------------------------------------------------
def test_sunspot_cycle_is_eleven_years():
    sunspots = load_statsmodels("sunspots")
    top = dominant_periods(sunspots, k=3)
    assert top["period"].iloc[0] == pytest.approx(11.0, abs=0.5)
    assert top["power"].is_monotonic_decreasing
    assert dominant_periods(sunspots, k=1, method="welch")["period"].iloc[0] == pytest.approx(11.0, abs=0.5)


def test_periodogram_and_welch_frames():
    y = np.sin(2 * np.pi * np.arange(256) / 16) + 0.1 * np.random.default_rng(0).normal(size=256)
    spec = periodogram(y, fs=4.0)
    assert list(spec.columns) == ["frequency", "period", "power"]
    assert (spec["frequency"] > 0).all()
    assert spec.loc[spec["power"].idxmax(), "period"] == pytest.approx(4.0)  # 16 samples at fs=4
    w = welch(y, nperseg=64)
    assert w.loc[w["power"].idxmax(), "period"] == pytest.approx(16.0)
    # Parseval: the periodogram integrates to the variance.
    df = spec["frequency"].iloc[1] - spec["frequency"].iloc[0]
    assert spec["power"].sum() * df == pytest.approx(y.var(), rel=0.02)


def test_fourier_bad_input():
    with pytest.raises(ValueError, match="fs"):
        periodogram(np.arange(10.0), fs=0)
    with pytest.raises(ValueError, match="y has 3 observations"):
        periodogram(np.arange(3.0))
    with pytest.raises(ValueError, match="nperseg"):
        welch(np.arange(20.0), nperseg=40)
    with pytest.raises(ValueError, match="k must be"):
        dominant_periods(np.arange(20.0), k=0)
    with pytest.raises(ValueError, match="y contains 1 NaN"):
        periodogram(np.r_[np.arange(10.0), np.nan])


# -- CWT -----------------------------------------------------------------------------
def _direct_morlet(x, scale, dt, w0=6.0):
    """The Morlet transform by direct convolution in time (T&C eq. 2), no FFT."""
    n = x.size
    t = np.arange(-n + 1, n) * dt / scale
    psi = _PSI0_MORLET * np.exp(1j * w0 * t) * np.exp(-0.5 * t**2)
    # W_n(s) = sum_n' x_n' conj(psi((n' - n) dt / s)) sqrt(dt / s)
    full = np.convolve(x, np.conj(psi)[::-1], mode="full")
    return full[n - 1: 2 * n - 1] * np.sqrt(dt / scale)


def test_cwt_agrees_with_direct_morlet_convolution():
    rng = np.random.default_rng(0)
    t = np.arange(512)
    x = np.sin(2 * np.pi * t / 24) + 0.5 * rng.normal(size=512)
    res = cwt(x, dt=1.0, dj=0.5)
    centred = x - x.mean()
    for j in (2, 5, 8):
        direct = _direct_morlet(centred, res.scales[j], 1.0)
        inner = res.inside_coi[j]  # away from the edges, where padding differs
        np.testing.assert_allclose(res.wave[j, inner], direct[inner], rtol=1e-3, atol=1e-3)


def test_morlet_constants_of_torrence_and_compo():
    assert morlet_fourier_factor(6.0) == pytest.approx(1.033, abs=5e-4)
    res = cwt(np.random.default_rng(0).normal(size=64))
    assert np.allclose(res.periods / res.scales, 1.0330, atol=5e-4)
    # C_delta from the transform of a delta function (T&C eq. 13), with scales down to dt/2.
    n = 1024
    delta = np.zeros(n)
    delta[n // 2] = 1.0
    res = cwt(delta, dt=1.0, dj=0.125, s0=0.5, J=int(np.log2(n / 0.5) / 0.125))
    c_delta = res.dj * np.sqrt(res.dt) / _PSI0_MORLET * np.sum(
        res.wave.real[:, n // 2] / np.sqrt(res.scales))
    assert c_delta == pytest.approx(0.776, abs=2e-3)


def test_cwt_reconstructs_the_series():
    # White noise plus a cycle, as in T&C section 3f (the reconstruction misses only what
    # lies beyond the largest scale).
    t = np.arange(1024)
    x = np.random.default_rng(3).normal(size=1024) + np.sin(2 * np.pi * t / 50)
    res = cwt(x, dt=1.0, dj=0.125, s0=0.5, J=int(np.log2(1024 / 0.5) / 0.125))
    rebuilt = res.reconstruct()
    inner = slice(100, -100)
    centred = (x - x.mean())[inner]
    assert np.corrcoef(rebuilt[inner], centred)[0, 1] > 0.99
    assert rebuilt[inner].std() == pytest.approx(centred.std(), rel=0.05)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_white_noise_has_about_five_percent_significant(seed):
    x = np.random.default_rng(seed).normal(size=2048)
    res = cwt(x, dt=1.0, dj=0.125)
    assert abs(res.lag1) < 0.1
    frac = res.significant[res.inside_coi].mean()
    assert 0.035 < frac < 0.065
    # The global spectrum of white noise lies under its 95% level at nearly every scale.
    assert (res.global_power < res.global_signif).mean() > 0.8


def test_cwt_red_noise_background_and_coi():
    sunspots = load_statsmodels("sunspots")
    res = cwt(sunspots, dt=1.0, dj=0.125)
    assert 0.5 < res.lag1 < 0.95
    assert res.power.shape == (len(res.scales), len(sunspots))
    assert res.times.equals(sunspots.index)
    # The 11-year cycle is significant in the global spectrum.
    j = np.argmin(np.abs(res.periods - 11))
    assert res.global_power[j] > res.global_signif[j]
    # The cone of influence is symmetric, smallest at the edges and sqrt(2)-e-folding wide.
    assert res.coi[5] == pytest.approx(res.coi[-6])
    assert res.coi[10] == pytest.approx(morlet_fourier_factor(6.0) / np.sqrt(2) * 10)
    frame = res.to_frame()
    assert list(frame.columns) == ["period", "scale", "global_power", "global_signif"]


def test_cwt_bad_input():
    x = np.random.default_rng(0).normal(size=64)
    with pytest.raises(ValueError, match="wavelet"):
        cwt(x, wavelet="paul")
    with pytest.raises(ValueError, match="dj"):
        cwt(x, dj=0)
    with pytest.raises(ValueError, match="significance_level"):
        cwt(x, significance_level=1.5)
    with pytest.raises(ValueError, match="lag1"):
        cwt(x, lag1=1.0)
    with pytest.raises(ValueError, match="y has 2 observations"):
        cwt(x[:2])


# -- denoising ---------------------------------------------------------------------
def _snr(clean, estimate):
    return 10 * np.log10(np.sum(clean**2) / np.sum((estimate - clean) ** 2))


@pytest.mark.parametrize("name", ["blocks", "bumps", "heavisine", "doppler"])
@pytest.mark.parametrize("threshold", ["universal", "sure", "bayes"])
def test_dwt_denoise_improves_snr_on_donoho_johnstone(name, threshold):
    clean = donoho_johnstone(name, n=1024)
    noisy = clean + np.random.default_rng(0).normal(0, 1.0, 1024)
    denoised = dwt_denoise(noisy, threshold=threshold)
    assert _snr(clean, denoised) > _snr(clean, noisy) + 1.0


def test_dwt_denoise_keeps_type_and_validates():
    y = pd.Series(donoho_johnstone("doppler", n=256), index=pd.RangeIndex(256), name="d")
    out = dwt_denoise(y + 0.0)
    assert isinstance(out, pd.Series) and out.name == "d" and out.index.equals(y.index)
    assert dwt_denoise(np.full(64, 2.0)) == pytest.approx(np.full(64, 2.0))
    with pytest.raises(ValueError, match="threshold"):
        dwt_denoise(y, threshold="magic")
    with pytest.raises(ValueError, match="wavelet"):
        dwt_denoise(y, wavelet="nope")
    with pytest.raises(ValueError, match="level"):
        dwt_denoise(y, level=40)
    with pytest.raises(ValueError, match="name"):
        donoho_johnstone("spikes")


# -- feature transformers ------------------------------------------------------------
def test_spectral_features_find_the_period():
    t = np.arange(96)
    X = np.vstack([np.sin(2 * np.pi * t / p) for p in (12, 24, 8)])
    out = SpectralFeatures().fit_transform(X)
    assert out["dominant_period"].tolist() == pytest.approx([12, 24, 8])
    bands = out[[c for c in out.columns if c.startswith("band_power")]]
    assert bands.sum(axis=1).to_numpy() == pytest.approx(1.0)
    assert (out.dtypes == np.float64).all()


def test_wavelet_features_shares_sum_to_one_and_short_series_get_zero_shares():
    X = np.random.default_rng(0).normal(size=(4, 256))
    tr = WaveletFeatures(level=4)
    out = tr.fit_transform(X)
    shares = out[[c for c in out.columns if c.startswith("energy_")]]
    assert shares.sum(axis=1).to_numpy() == pytest.approx(1.0)
    # White noise: about half the energy in the finest level.
    assert out["energy_d1"].mean() == pytest.approx(0.5, abs=0.1)
    short = tr.transform([X[0], X[1, :20]])
    # 20 points allow one db4 level: the three it lacks get share 0, the rest sums to 1.
    assert np.isfinite(short.to_numpy()).all()
    assert short.loc[1, ["energy_d2", "energy_d3", "energy_d4"]].tolist() == [0.0, 0.0, 0.0]
    assert short.loc[1, ["energy_d1", "energy_a4"]].sum() == pytest.approx(1.0)
    assert short.loc[1, "energy_d1"] > 0


def test_constant_series_give_defined_spectral_features_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        spec = SpectralFeatures().fit_transform(np.full((2, 64), 3.0))
        wav = WaveletFeatures().fit_transform(np.full((2, 128), 3.0))
    assert np.isfinite(spec.to_numpy()).all() and spec.loc[0, "dominant_period"] == 64
    assert np.isfinite(wav.to_numpy()).all() and wav.loc[0, "energy_a4"] == 1.0


@pytest.mark.parametrize(("cls", "params", "match"), [
    (SpectralFeatures, {"n_bands": 0}, "n_bands"),
    (SpectralFeatures, {"rolloff": 1.5}, "rolloff"),
    (WaveletFeatures, {"wavelet": "morl"}, "wavelet"),
    (WaveletFeatures, {"level": 0}, "level"),
])
def test_feature_transformer_bad_params(cls, params, match):
    with pytest.raises(ValueError, match=match):
        cls(**params).fit(np.zeros((2, 16)))


# -- harmonic forecaster -----------------------------------------------------------
def test_harmonic_forecaster_recovers_known_coefficients():
    t = np.arange(120)
    y = 5 + 0.2 * t + 3 * np.sin(2 * np.pi * t / 12) - 2 * np.cos(4 * np.pi * t / 12)
    f = HarmonicForecaster(season_length=12, n_harmonics=2).fit(y)
    assert f.params_["intercept"] == pytest.approx(5)
    assert f.params_["drift"] == pytest.approx(0.2)
    assert f.params_["sin_12_1"] == pytest.approx(3)
    assert f.params_["cos_12_2"] == pytest.approx(-2)
    t_future = np.arange(120, 132)
    expected = 5 + 0.2 * t_future + 3 * np.sin(2 * np.pi * t_future / 12) - 2 * np.cos(4 * np.pi * t_future / 12)
    assert f.predict(12) == pytest.approx(expected)


def test_harmonic_forecaster_intervals_cover():
    rng = np.random.default_rng(0)
    t = np.arange(300)
    y = 10 + np.sin(2 * np.pi * t / 12) + rng.normal(0, 0.5, 300)
    f = HarmonicForecaster(season_length=12, n_harmonics=1).fit(y[:200])
    lo_hi = f.predict_interval(100, coverage=0.9)
    inside = ((y[200:] >= lo_hi[:, 0]) & (y[200:] <= lo_hi[:, 1])).mean()
    assert 0.8 < inside <= 1.0


def test_harmonic_forecaster_on_airline_beats_seasonal_naive():
    from tsclassic.baselines import SeasonalNaive
    from tsclassic.datasets import load_airline

    y = np.log(load_airline())
    train, test = y.iloc[:-24], y.iloc[-24:]
    ours = HarmonicForecaster(season_length=12, n_harmonics=4).fit(train).predict(24)
    naive = SeasonalNaive(season_length=12).fit(train).predict(24)
    assert ours.index.equals(test.index)
    assert np.abs(ours - test).mean() < np.abs(naive - test).mean()


@pytest.mark.parametrize(("params", "match"), [
    ({"season_length": 1}, "season_length"), ({"season_length": 12, "n_harmonics": 7}, "n_harmonics"),
    ({"season_length": (12, 6), "n_harmonics": (1, 2, 3)}, "n_harmonics"),
    ({"deterministic_trend": "yes"}, "deterministic_trend"),
])
def test_harmonic_forecaster_bad_params(params, match):
    with pytest.raises(ValueError, match=match):
        HarmonicForecaster(**params).fit(np.arange(50.0))


def test_harmonic_forecaster_too_short():
    with pytest.raises(ValueError, match="y has 5 observations"):
        HarmonicForecaster(season_length=12, n_harmonics=3).fit(np.arange(5.0))
