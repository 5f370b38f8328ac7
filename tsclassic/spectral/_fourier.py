"""Fourier spectra of one series: periodogram, Welch's average, dominant periods."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from tsclassic._params import renamed_params
from tsclassic._validation import check_positive_int, check_series

__all__ = ["periodogram", "welch", "dominant_periods"]


def _check_fs(fs: Any) -> float:
    if isinstance(fs, bool) or not isinstance(fs, (int, float)) or not fs > 0 or not np.isfinite(fs):
        raise ValueError(f"fs must be a positive sampling frequency (samples per unit time); got {fs!r}.")
    return float(fs)


# The columns of every spectrum frame: periodogram, welch and dominant_periods.
SPECTRUM_COLUMNS = ["frequency", "period", "power"]


def _frame(freq: np.ndarray, power: np.ndarray) -> pd.DataFrame:
    keep = freq > 0  # the zero frequency is the (removed) mean and has no period
    freq, power = freq[keep], power[keep]
    return pd.DataFrame(dict(zip(SPECTRUM_COLUMNS, (freq, 1.0 / freq, power))))


@renamed_params(positional=("fs", "detrend"))
def periodogram(y: Any, *, fs: float = 1.0, detrend: str | bool = "constant") -> pd.DataFrame:
    """The periodogram (power spectral density) of a series.

    Parameters
    ----------
    y : pd.Series or 1-D array-like
        The series; no NaN, at least 4 points.
    fs : float, default 1.0
        Sampling frequency: observations per unit of time (1 per year for yearly data,
        so that periods come out in years).
    detrend : {"constant", "linear"} or False, default "constant"
        What to remove before the transform (the mean, a straight line, nothing).

    Returns
    -------
    pd.DataFrame
        Columns ``frequency`` (cycles per unit time, zero excluded), ``period`` (``1 /
        frequency``) and ``power`` (one-sided density, ``scipy.signal.periodogram``).

    Examples
    --------
    >>> import numpy as np
    >>> from tsclassic.spectral import periodogram
    >>> y = np.sin(2 * np.pi * np.arange(120) / 12)
    >>> spec = periodogram(y)
    >>> float(spec.loc[spec["power"].idxmax(), "period"])
    12.0
    """
    from scipy.signal import periodogram as _periodogram

    values, _ = check_series(y, "y", min_length=4, owner="periodogram",
                             reason="a spectrum needs a few points")
    freq, power = _periodogram(values, fs=_check_fs(fs), detrend=detrend, scaling="density")
    return _frame(freq, power)


@renamed_params(positional=("fs", "nperseg"))
def welch(y: Any, *, fs: float = 1.0, nperseg: int | None = None) -> pd.DataFrame:
    """Welch's spectrum: periodograms of overlapping Hann-windowed segments, averaged.

    Smoother than :func:`periodogram` (less variance) at the cost of frequency resolution.

    Parameters
    ----------
    y : pd.Series or 1-D array-like
        The series; no NaN, at least 8 points.
    fs : float, default 1.0
        Sampling frequency (observations per unit time).
    nperseg : int, optional
        Segment length; default ``min(256, len(y) // 4)`` but at least 8 (segments
        overlap by half).

    Returns
    -------
    pd.DataFrame
        Columns ``frequency``, ``period`` and ``power``, as :func:`periodogram`.

    References
    ----------
    Welch, P. D. (1967). "The use of fast Fourier transform for the estimation of power
    spectra". IEEE Trans. Audio Electroacoust. 15(2), 70-73.

    Examples
    --------
    >>> import numpy as np
    >>> from tsclassic.spectral import welch
    >>> y = np.sin(2 * np.pi * np.arange(480) / 8)
    >>> spec = welch(y, nperseg=64)
    >>> float(spec.loc[spec["power"].idxmax(), "period"])
    8.0
    """
    from scipy.signal import welch as _welch

    values, _ = check_series(y, "y", min_length=8, owner="welch",
                             reason="Welch averages several segments")
    if nperseg is None:
        nperseg = max(8, min(256, values.size // 4))
    nperseg = check_positive_int(nperseg, "nperseg", minimum=4)
    if nperseg > values.size:
        raise ValueError(f"nperseg={nperseg} exceeds the length of y ({values.size}); pass a smaller nperseg.")
    freq, power = _welch(values, fs=_check_fs(fs), nperseg=nperseg)
    return _frame(freq, power)


@renamed_params(positional=("k", "fs", "method"))
def dominant_periods(
    y: Any, *, k: int = 3, fs: float = 1.0, method: str = "periodogram"
) -> pd.DataFrame:
    """The ``k`` strongest periods: the highest local maxima of the spectrum.

    Each peak's frequency is refined by a parabola through the log-power of the peak
    bin and its two neighbours, so that a period between two Fourier frequencies is not
    rounded to the nearer one.

    Parameters
    ----------
    y : pd.Series or 1-D array-like
    k : int, default 3
        How many periods to return (fewer if the spectrum has fewer peaks).
    fs : float, default 1.0
        Sampling frequency (observations per unit time).
    method : {"periodogram", "welch"}, default "periodogram"

    Returns
    -------
    pd.DataFrame
        ``k`` rows, strongest first, with :func:`periodogram`'s columns: ``frequency``,
        ``period`` and ``power`` (in tsclassic 0.1 ``period`` came first).

    Examples
    --------
    >>> from tsclassic.datasets import load_statsmodels
    >>> from tsclassic.spectral import dominant_periods
    >>> top = dominant_periods(load_statsmodels("sunspots"), k=1)
    >>> round(float(top["period"].iloc[0]))
    11
    """
    k = check_positive_int(k, "k")
    if method not in ("periodogram", "welch"):
        raise ValueError(f"method must be 'periodogram' or 'welch'; got {method!r}.")
    spec = periodogram(y, fs=fs) if method == "periodogram" else welch(y, fs=fs)
    freq, power = spec["frequency"].to_numpy(), spec["power"].to_numpy()
    inner = np.flatnonzero((power[1:-1] > power[:-2]) & (power[1:-1] >= power[2:])) + 1
    candidates = inner if inner.size else np.array([int(np.argmax(power))])
    order = candidates[np.argsort(power[candidates])[::-1]][:k]
    rows = []
    step = freq[1] - freq[0] if freq.size > 1 else 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        logp = np.log(np.maximum(power, 1e-300))
    for i in order:
        f = freq[i]
        if 0 < i < freq.size - 1:
            a, b, c = logp[i - 1], logp[i], logp[i + 1]
            denom = a - 2 * b + c
            if denom < 0:
                f = f + 0.5 * (a - c) / denom * step
        rows.append({"frequency": f, "period": 1.0 / f, "power": power[i]})
    return pd.DataFrame(rows, columns=SPECTRUM_COLUMNS)
