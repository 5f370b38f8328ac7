"""SpectralFeatures and WaveletFeatures: the frequency content of each series, named."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from tsclassic._params import POSITIVE_INT, Interval, Real
from tsclassic._validation import check_positive_int
from tsclassic.timedomain._base import SeriesFeatureTransformer

__all__ = ["SpectralFeatures", "WaveletFeatures"]


class SpectralFeatures(SeriesFeatureTransformer):
    """Named features of the periodogram of each series.

    Parameters
    ----------
    n_bands : int, default 4
        The frequency axis (0 to the Nyquist frequency) is cut into this many equal bands;
        ``band_power_<i>`` is the share of the power in band ``i``.
    rolloff : float, default 0.85
        ``spectral_rolloff`` is the frequency below which this share of the power lies.

    Attributes
    ----------
    feature_names_out_ : ndarray of str

    Notes
    -----
    Frequencies are in cycles per sample (0 to 0.5). The series' mean is removed first;
    a constant series (no power at all) gets 0 for every share and frequency, entropy 0,
    flatness 0 and a dominant period equal to its length.

    Examples
    --------
    >>> import numpy as np
    >>> from tsclassic.spectral import SpectralFeatures
    >>> X = np.sin(2 * np.pi * np.arange(96) / 12)[None, :]
    >>> float(SpectralFeatures().fit_transform(X).loc[0, "dominant_period"])
    12.0
    """

    # Parameter rules checked first in fit (tsclassic._params).
    _parameter_constraints: ClassVar[dict] = {
        "n_bands": [POSITIVE_INT],
        "rolloff": [Interval(Real, 0, 1, closed="neither")],
    }

    def __init__(self, n_bands: int = 4, rolloff: float = 0.85):
        self.n_bands = n_bands
        self.rolloff = rolloff

    def _check_params(self) -> None:
        check_positive_int(self.n_bands, "n_bands")
        if isinstance(self.rolloff, bool) or not isinstance(self.rolloff, (int, float)) or not 0 < self.rolloff < 1:
            raise ValueError(f"rolloff must be a number strictly between 0 and 1; got {self.rolloff!r}.")

    def _feature_names(self) -> list[str]:
        return ["dominant_frequency", "dominant_period", "dominant_power_share",
                "spectral_centroid", "spectral_spread", "spectral_entropy",
                "spectral_flatness", "spectral_rolloff",
                *[f"band_power_{i}" for i in range(self.n_bands)]]

    def _series_features(self, y: np.ndarray) -> np.ndarray:
        n = y.size
        power = np.abs(np.fft.rfft(y - y.mean())) ** 2
        freq = np.fft.rfftfreq(n)
        power, freq = power[1:], freq[1:]  # drop the (removed) mean
        total = power.sum()
        if power.size == 0 or total <= 1e-20 * max(1.0, float(np.sum(y**2))):
            return np.r_[0.0, float(n), 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, np.zeros(self.n_bands)]
        p = power / total
        i = int(np.argmax(p))
        centroid = float(p @ freq)
        spread = float(np.sqrt(p @ (freq - centroid) ** 2))
        nz = p[p > 0]
        entropy = float(-(nz * np.log(nz)).sum() / np.log(p.size)) if p.size > 1 else 0.0
        flatness = float(np.exp(np.mean(np.log(power + 1e-300))) / power.mean())
        rolloff = float(freq[min(np.searchsorted(np.cumsum(p), self.rolloff), p.size - 1)])
        edges = np.linspace(0, 0.5, self.n_bands + 1)
        band = np.clip(np.searchsorted(edges, freq, side="right") - 1, 0, self.n_bands - 1)
        bands = np.bincount(band, weights=p, minlength=self.n_bands)
        return np.r_[freq[i], 1.0 / freq[i], p[i], centroid, spread, entropy, flatness,
                     rolloff, bands]

    @classmethod
    def _test_params(cls) -> list[dict[str, Any]]:
        return [{}, {"n_bands": 2, "rolloff": 0.5}]


class WaveletFeatures(SeriesFeatureTransformer):
    """Energy of each series across the levels of its discrete wavelet transform.

    Parameters
    ----------
    wavelet : str, default "db4"
        A discrete wavelet known to PyWavelets.
    level : int, default 4
        Decomposition depth: features ``energy_d1`` (finest) .. ``energy_d<level>`` and
        ``energy_a<level>`` (the approximation), each a share of the total energy, plus
        ``wavelet_entropy`` (Shannon entropy of those shares, divided by its maximum) and
        ``log_energy`` (log of 1 + the total energy of the centred series).

    Attributes
    ----------
    feature_names_out_ : ndarray of str

    Notes
    -----
    A series too short for ``level`` levels is decomposed as deep as it allows; the shares
    of the levels it lacks are NaN (the approximation then holds the coarser energy). A
    constant series has all its (zero) energy in the approximation: share 1, entropy 0.

    Examples
    --------
    >>> import numpy as np
    >>> from tsclassic.spectral import WaveletFeatures
    >>> X = np.random.default_rng(0).normal(size=(3, 128))
    >>> WaveletFeatures(level=3).fit_transform(X).shape
    (3, 6)
    """

    # Parameter rules checked first in fit (tsclassic._params).
    _parameter_constraints: ClassVar[dict] = {
        "wavelet": [str],
        "level": [POSITIVE_INT],
    }

    def __init__(self, wavelet: str = "db4", level: int = 4):
        self.wavelet = wavelet
        self.level = level

    def _check_params(self) -> None:
        import pywt

        check_positive_int(self.level, "level")
        if self.wavelet not in pywt.wavelist(kind="discrete"):
            raise ValueError(f"wavelet {self.wavelet!r} is not a discrete wavelet PyWavelets "
                             f"knows; see pywt.wavelist(kind='discrete').")

    def _feature_names(self) -> list[str]:
        return [*[f"energy_d{j}" for j in range(1, self.level + 1)], f"energy_a{self.level}",
                "wavelet_entropy", "log_energy"]

    def _series_features(self, y: np.ndarray) -> np.ndarray:
        import pywt

        x = y - y.mean()
        w = pywt.Wavelet(self.wavelet)
        depth = min(self.level, pywt.dwt_max_level(x.size, w.dec_len))
        coeffs = pywt.wavedec(x, w, level=depth) if depth > 0 else [x]
        energy = np.array([float(c @ c) for c in coeffs])  # [a_depth, d_depth, ..., d1]
        total = energy.sum()
        out = np.full(self.level + 3, np.nan)
        if total <= 1e-20 * max(1.0, float(y @ y)):
            out[:depth] = 0.0
            out[self.level] = 1.0
            out[self.level + 1] = 0.0
            out[self.level + 2] = 0.0
            return out
        share = energy / total
        out[:depth] = share[1:][::-1]
        out[self.level] = share[0]
        nz = share[share > 0]
        out[self.level + 1] = float(-(nz * np.log(nz)).sum() / np.log(self.level + 1))
        out[self.level + 2] = float(np.log1p(total))
        return out

    @classmethod
    def _test_params(cls) -> list[dict[str, Any]]:
        return [{"level": 2}, {"wavelet": "haar", "level": 3}]
