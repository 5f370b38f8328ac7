"""Frequency domain: Fourier spectra, the Morlet wavelet transform with significance,
wavelet denoising, spectral and wavelet features, and a harmonic-regression forecaster."""

from tsclassic.spectral._denoise import donoho_johnstone, dwt_denoise
from tsclassic.spectral._features import SpectralFeatures, WaveletFeatures
from tsclassic.spectral._fourier import dominant_periods, periodogram, welch
from tsclassic.spectral._harmonic import HarmonicForecaster
from tsclassic.spectral._wavelet import CWTResult, cwt

__all__ = [
    "periodogram",
    "welch",
    "dominant_periods",
    "cwt",
    "CWTResult",
    "dwt_denoise",
    "donoho_johnstone",
    "SpectralFeatures",
    "WaveletFeatures",
    "HarmonicForecaster",
]
