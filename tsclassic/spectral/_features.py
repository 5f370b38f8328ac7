"""SpectralFeatures and WaveletFeatures: the frequency content of each series, named."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from tsclassic._params import Integral, Interval, Real, renamed_params
from tsclassic.timedomain._base import SeriesFeatureTransformer

__all__ = ["SpectralFeatures", "WaveletFeatures"]


@renamed_params(positional=("rolloff",))
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
    a constant series (no power at all), or one of a single point, gets 0 for every share
    and frequency, entropy 0, flatness 0 and a dominant period equal to its length.

    Unequal lengths: each series' periodogram is taken over its own length (the Fourier
    frequencies ``k / n`` of its ``n`` points), so frequencies, periods and band shares
    mean the same whatever the length. Several channels: every channel gets every
    feature, in columns named ``<channel>__<feature>``.

    Examples
    --------
    >>> import numpy as np
    >>> from tsclassic.spectral import SpectralFeatures
    >>> X = np.sin(2 * np.pi * np.arange(96) / 12)[None, :]
    >>> float(SpectralFeatures().fit_transform(X).loc[0, "dominant_period"])
    12.0
    """

    def __init__(
        self,
        n_bands: int = 4,
        *,
        rolloff: float = 0.85,
    ):
        self.n_bands = n_bands
        self.rolloff = rolloff

    _parameter_constraints: ClassVar[dict[str, list]] = {
        "n_bands": [Interval(Integral, 1, None, closed="left")],
        "rolloff": [Interval(Real, 0, 1, closed="neither")],
    }

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


@renamed_params(positional=("level",))
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
    A series too short for ``level`` levels (fewer than about ``2**level`` times the
    filter length: 112 points for ``db4`` at level 4) is decomposed as deep as
    PyWavelets allows without boundary effects swamping it; the levels it lacks get share
    0 (their energy is not separated from the approximation, which holds it), so the
    shares still sum to 1 and every feature is finite. A constant series has all its
    (zero) energy in the approximation: share 1, entropy 0.

    Unequal lengths: each series is decomposed over its own points, and the shares are
    fractions of its own energy. Several channels: every channel gets every feature, in
    columns named ``<channel>__<feature>``.

    Examples
    --------
    >>> import numpy as np
    >>> from tsclassic.spectral import WaveletFeatures
    >>> X = np.random.default_rng(0).normal(size=(3, 128))
    >>> WaveletFeatures(level=3).fit_transform(X).shape
    (3, 6)
    """

    def __init__(
        self,
        wavelet: str = "db4",
        *,
        level: int = 4,
    ):
        self.wavelet = wavelet
        self.level = level

    _parameter_constraints: ClassVar[dict[str, list]] = {
        "wavelet": [str],
        "level": [Interval(Integral, 1, None, closed="left")],
    }

    def _check_params(self) -> None:
        import pywt

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
        out = np.zeros(self.level + 3)  # levels beyond `depth` keep share 0
        if total <= 1e-20 * max(1.0, float(y @ y)):
            out[self.level] = 1.0
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
