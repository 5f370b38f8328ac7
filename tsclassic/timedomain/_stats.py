"""Crossing rates, moments, quantiles, autocorrelation, trend, runs and entropy.

Every function takes a 1-D float array and returns a number that is defined for any
length >= 1 and for a constant series (no division by a zero variance reaches the user):
the documented conventions below say what a degenerate series gives.
"""

from __future__ import annotations

import numpy as np

from tsclassic._params import renamed_params

__all__ = [
    "crossing_rate",
    "autocorrelation",
    "acf_first_zero",
    "trend_slope",
    "longest_run_above_mean",
    "value_entropy",
    "moments",
]


@renamed_params(positional=("level",))
def crossing_rate(y: np.ndarray, *, level: float | None = 0.0) -> float:
    """Fraction of consecutive pairs that cross ``level`` (``None``: the mean).

    Points exactly at the level are skipped, so a series touching it does not count a
    crossing twice. A series of fewer than two points has rate 0.

    Examples
    --------
    >>> import numpy as np
    >>> from tsclassic.timedomain import crossing_rate
    >>> crossing_rate(np.array([1.0, -1, 1, -1, 1]))
    1.0
    """
    y = np.asarray(y, dtype=np.float64)
    if y.size < 2:
        return 0.0
    centred = y - (y.mean() if level is None else level)
    signs = np.sign(centred)
    signs = signs[signs != 0]
    if signs.size < 2:
        return 0.0
    return float(np.count_nonzero(signs[1:] != signs[:-1]) / (y.size - 1))


def autocorrelation(y: np.ndarray, lags: int | list[int] | np.ndarray) -> np.ndarray:
    """Sample autocorrelation at the given lags (the biased, positive-definite estimate).

    Lag ``k >= len(y)`` gives 0: the biased estimate divides a sum over the ``n - k``
    pairs ``k`` apart by ``n`` times the variance, and there are no such pairs. A constant
    series gives 0 at every lag >= 1 (no linear dependence to speak of) and 1 at lag 0.

    Examples
    --------
    >>> import numpy as np
    >>> from tsclassic.timedomain import autocorrelation
    >>> autocorrelation(np.array([1.0, 2, 3, 4]), [0, 1]).round(2)
    array([1.  , 0.25])
    """
    y = np.asarray(y, dtype=np.float64)
    lags = np.atleast_1d(np.asarray(lags, dtype=int))
    n = y.size
    centred = y - y.mean()
    denom = float(centred @ centred)
    out = np.zeros(lags.size)
    for i, k in enumerate(lags):
        if k < 0:
            raise ValueError(f"lags must be >= 0; got {k}.")
        if k < n:
            out[i] = (1.0 if k == 0 else 0.0) if denom == 0 else centred[: n - k] @ centred[k:] / denom
    return out


def _acf_full(y: np.ndarray) -> np.ndarray:
    """Autocorrelation at every lag 0 .. n-1, by FFT."""
    n = y.size
    centred = y - y.mean()
    size = 1 << int(2 * n - 1).bit_length()
    spec = np.fft.rfft(centred, size)
    acov = np.fft.irfft(spec * np.conj(spec), size)[:n]
    if acov[0] <= 1e-300:
        out = np.zeros(n)
        out[0] = 1.0
        return out
    return acov / acov[0]


def acf_first_zero(y: np.ndarray) -> float:
    """The first lag at which the autocorrelation drops to zero or below.

    If it never does (or the series is constant or has one point), the series length is
    returned: the dependence outlasts the data.
    """
    y = np.asarray(y, dtype=np.float64)
    if y.size < 2 or np.ptp(y) == 0:
        return float(y.size)
    r = _acf_full(y)
    below = np.flatnonzero(r[1:] <= 0)
    return float(below[0] + 1) if below.size else float(y.size)


def trend_slope(y: np.ndarray) -> float:
    """Least-squares slope of ``y`` on time 0, 1, ... (0 for a single point)."""
    y = np.asarray(y, dtype=np.float64)
    n = y.size
    if n < 2:
        return 0.0
    t = np.arange(n) - (n - 1) / 2.0
    return float(t @ (y - y.mean()) / (t @ t))


def longest_run_above_mean(y: np.ndarray) -> float:
    """Length of the longest run of consecutive values strictly above the mean
    (0 for a constant series)."""
    y = np.asarray(y, dtype=np.float64)
    above = y > y.mean()
    if not above.any():
        return 0.0
    # Run lengths from the positions where ``above`` switches.
    edges = np.flatnonzero(np.diff(np.r_[0, above.astype(np.int8), 0]))
    return float((edges[1::2] - edges[::2]).max())


@renamed_params(positional=("bins",))
def value_entropy(y: np.ndarray, *, bins: int = 10) -> float:
    """Shannon entropy (nats) of the histogram of the values in ``bins`` equal-width bins,
    divided by ``log(bins)`` so that it lies in [0, 1]; 0 for a constant series."""
    y = np.asarray(y, dtype=np.float64)
    if y.size == 0 or np.ptp(y) == 0:
        return 0.0
    counts, _ = np.histogram(y, bins=bins)
    p = counts[counts > 0] / y.size
    return float(-(p * np.log(p)).sum() / np.log(bins))


def moments(y: np.ndarray) -> dict[str, float]:
    """Mean, standard deviation, skewness and excess kurtosis (the last two 0 for a
    constant series, where they are undefined)."""
    y = np.asarray(y, dtype=np.float64)
    mean = float(y.mean())
    std = float(y.std())
    if std <= 1e-12 * max(1.0, abs(mean)):
        return {"mean": mean, "std": 0.0, "skewness": 0.0, "kurtosis": 0.0}
    z = (y - mean) / std
    return {"mean": mean, "std": std, "skewness": float(np.mean(z**3)),
            "kurtosis": float(np.mean(z**4) - 3.0)}
