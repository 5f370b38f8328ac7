"""Baseline forecasters: the M4 benchmarks Naive, SeasonalNaive and Naive2, plus Drift
and Mean. They exercise the contract and set the bar every other model must clear.

References
----------
Hyndman & Athanasopoulos, *Forecasting: Principles and Practice* (3rd ed.), section 5.2
(the simple methods) and 5.5 (their prediction intervals). Makridakis et al. (2020),
"The M4 Competition", IJF 36(1) (Naive2 and the seasonality test).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from tsclassic._params import Integral, Interval
from tsclassic._seasonality import m4_seasonal_figure, seasonal_component
from tsclassic.base import BaseForecaster, Tags

__all__ = ["Naive", "SeasonalNaive", "Naive2", "Drift", "Mean"]


def normal_quantile(coverage: float) -> float:
    """The two-sided standard normal quantile for a central ``coverage`` interval."""
    from scipy.stats import norm

    return float(norm.ppf(0.5 + coverage / 2))


class _NormalIntervals(BaseForecaster):
    """Intervals ``mean +/- z * sigma_ * scale(h)`` from one-step residuals."""

    _tags: ClassVar[Tags] = Tags(intervals=True)

    def _scale(self, h: int) -> np.ndarray:
        raise NotImplementedError

    def _predict_interval(self, h, X, coverage):
        mean = self._predict(h, X)
        half = normal_quantile(coverage) * self.sigma_ * self._scale(h)
        return mean - half, mean + half


def _rms(residuals: np.ndarray) -> float:
    return float(np.sqrt(np.mean(residuals**2))) if residuals.size else 0.0


class Naive(_NormalIntervals):
    """Random walk: every forecast equals the last observation.

    Examples
    --------
    >>> import pandas as pd
    >>> from tsclassic import Naive
    >>> y = pd.Series([1.0, 2.0, 3.0], index=pd.period_range("2024-01", periods=3, freq="M"))
    >>> Naive().fit(y).predict(2)
    2024-04    3.0
    2024-05    3.0
    Freq: M, dtype: float64
    """

    def _fit(self, y, X):
        self.last_ = y[-1]
        self.sigma_ = _rms(np.diff(y))

    def _predict(self, h, X):
        return np.full(h, self.last_)

    def _scale(self, h):
        return np.sqrt(np.arange(1, h + 1))


class SeasonalNaive(_NormalIntervals):
    """Each forecast equals the observation one season earlier.

    Parameters
    ----------
    season_length : int, default 1
        The seasonal period m (12 for monthly data with a yearly cycle, 24 for hourly).

    Examples
    --------
    >>> import numpy as np
    >>> from tsclassic import SeasonalNaive
    >>> SeasonalNaive(season_length=3).fit(np.array([1.0, 2, 3, 4, 5, 6])).predict(4)
    array([4., 5., 6., 4.])
    """

    _parameter_constraints: ClassVar[dict] = {
        "season_length": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, season_length: int = 1):
        self.season_length = season_length

    @classmethod
    def _test_params(cls) -> list[dict]:
        return [{"season_length": 12}, {"season_length": 1}]

    def _min_length(self):
        m = int(self.season_length)
        return m, f"one full season of {m}"

    def _fit(self, y, X):
        m = self.season_length
        self.last_season_ = y[-m:].copy()
        self.sigma_ = _rms(y[m:] - y[:-m])

    def _predict(self, h, X):
        return np.resize(self.last_season_, h)

    def _scale(self, h):
        return np.sqrt(np.arange(h) // self.season_length + 1)


class Naive2(BaseForecaster):
    """Naive on the seasonally adjusted series, the M4 benchmark that OWA is relative to.

    The series is seasonally adjusted only when the M4 90% autocorrelation test at lag
    ``season_length`` finds it seasonal; the adjustment is a classical multiplicative
    decomposition, and the last seasonal cycle is laid over the forecast.

    Parameters
    ----------
    season_length : int, default 1

    Attributes
    ----------
    seasonal_ : bool
        Whether the seasonality test found the series seasonal.
    seasonal_indices_ : ndarray of shape (season_length,)
        The multiplicative seasonal figure (all ones when not seasonal).

    Examples
    --------
    >>> import numpy as np
    >>> from tsclassic import Naive2
    >>> y = 10 + np.tile([1.0, 3.0, 2.0, 5.0], 6)
    >>> Naive2(season_length=4).fit(y).predict(4).round(2)
    array([11., 13., 12., 15.])
    """

    _parameter_constraints: ClassVar[dict] = {
        "season_length": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, season_length: int = 1):
        self.season_length = season_length

    @classmethod
    def _test_params(cls) -> list[dict]:
        return [{"season_length": 12}, {"season_length": 1}]

    def _fit(self, y, X):
        m = self.season_length
        self.seasonal_, self.seasonal_indices_ = m4_seasonal_figure(
            y, m, "Naive2", "shift the series or use SeasonalNaive"
        )
        in_sample = seasonal_component(self.seasonal_indices_, 0, len(y))
        self.last_adjusted_ = y[-1] / in_sample[-1]

    def _predict(self, h, X):
        return self.last_adjusted_ * seasonal_component(self.seasonal_indices_, self.n_obs_, h)


class Drift(_NormalIntervals):
    """The line through the first and last observations, extended.

    Examples
    --------
    >>> import numpy as np
    >>> from tsclassic import Drift
    >>> Drift().fit(np.array([1.0, 2.0, 4.0])).predict(2)
    array([5.5, 7. ])
    """

    def _min_length(self):
        return 2, "two points to draw a line"

    def _fit(self, y, X):
        self.last_ = y[-1]
        self.slope_ = (y[-1] - y[0]) / (len(y) - 1)
        self.sigma_ = _rms(np.diff(y) - self.slope_)

    def _predict(self, h, X):
        return self.last_ + self.slope_ * np.arange(1, h + 1)

    def _scale(self, h):
        steps = np.arange(1, h + 1)
        return np.sqrt(steps * (1 + steps / self.n_obs_))


class Mean(_NormalIntervals):
    """Every forecast equals the mean of the training data.

    Examples
    --------
    >>> import numpy as np
    >>> from tsclassic import Mean
    >>> Mean().fit(np.array([1.0, 2.0, 6.0])).predict(2)
    array([3., 3.])
    """

    @classmethod
    def _coverage_process(cls):
        def white_noise(rng, n):
            return 10.0 + rng.normal(0.0, 1.0, n)

        return white_noise

    def _fit(self, y, X):
        self.mean_ = float(y.mean())
        self.sigma_ = float(y.std(ddof=1)) if len(y) > 1 else 0.0

    def _predict(self, h, X):
        return np.full(h, self.mean_)

    def _scale(self, h):
        return np.full(h, np.sqrt(1 + 1 / self.n_obs_))
