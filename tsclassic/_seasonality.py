"""The M4 seasonality test and classical decomposition, shared by Naive2, Theta and
``decompose(method="classical")``.

References
----------
Makridakis, Spiliotis & Assimakopoulos (2020), "The M4 Competition: 100,000 time series
and 61 forecasting methods", IJF 36(1); the benchmark code in ``Mcompetitions/M4-methods``.
"""

from __future__ import annotations

import numpy as np


def acf(y: np.ndarray, max_lag: int) -> np.ndarray:
    """Sample autocorrelation at lags ``1..max_lag`` (the biased, R ``acf`` estimator)."""
    centred = y - y.mean()
    denom = float(np.dot(centred, centred))
    if denom == 0.0:
        return np.zeros(max_lag)
    return np.array(
        [np.dot(centred[k:], centred[:-k]) / denom for k in range(1, max_lag + 1)]
    )


def is_seasonal(y: np.ndarray, season_length: int, tcrit: float = 1.645) -> bool:
    """The M4 90% autocorrelation test for seasonality at lag ``season_length``.

    A series shorter than three seasons, or with ``season_length <= 1``, is not seasonal.
    """
    m = int(season_length)
    if m <= 1 or len(y) < 3 * m:
        return False
    r = acf(y, m)
    limit = tcrit * np.sqrt((1 + 2 * np.sum(r[: m - 1] ** 2)) / len(y))
    return bool(abs(r[m - 1]) > limit)


def centred_moving_average(y: np.ndarray, period: int) -> np.ndarray:
    """The centred moving average of order ``period`` (2 x m for even m), NaN at the ends."""
    if period % 2 == 0:
        weights = np.r_[0.5, np.ones(period - 1), 0.5] / period
    else:
        weights = np.ones(period) / period
    half = len(weights) // 2
    trend = np.full(len(y), np.nan)
    trend[half : len(y) - half] = np.convolve(y, weights, mode="valid")
    return trend


def seasonal_indices(y: np.ndarray, period: int, multiplicative: bool = True) -> np.ndarray:
    """Classical-decomposition seasonal figure, one value per position ``0..period-1``.

    Position 0 is the season of ``y[0]``. The figure is normalised to mean 1
    (multiplicative) or mean 0 (additive), as R's ``decompose`` and statsmodels'
    ``seasonal_decompose`` do.
    """
    trend = centred_moving_average(y, period)
    detrended = y / trend if multiplicative else y - trend
    n_full = int(np.ceil(len(y) / period)) * period
    padded = np.full(n_full, np.nan)
    padded[: len(y)] = detrended
    figure = np.nanmean(padded.reshape(-1, period), axis=0)
    return figure / figure.mean() if multiplicative else figure - figure.mean()


def seasonal_component(figure: np.ndarray, start: int, length: int) -> np.ndarray:
    """The seasonal figure laid over positions ``start .. start+length-1``."""
    return figure[(start + np.arange(length)) % len(figure)]


def m4_seasonal_figure(y: np.ndarray, season_length: int, owner: str, fix: str) -> tuple[bool, np.ndarray]:
    """The M4 benchmarks' seasonal adjustment: ``(seasonal, figure)``.

    The multiplicative classical figure when the 90% test finds ``y`` seasonal, else all
    ones. ``owner`` and ``fix`` word the error for a non-positive seasonal series.
    """
    m = int(season_length)
    if not is_seasonal(y, m):
        return False, np.ones(m)
    if np.any(y <= 0):
        raise ValueError(
            f"y must be strictly positive for the multiplicative seasonal adjustment of "
            f"{owner}; {fix}."
        )
    return True, seasonal_indices(y, m, multiplicative=True)
