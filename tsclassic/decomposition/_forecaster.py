"""Forecast by decomposition: forecast the seasonally adjusted series with any
forecaster, then lay the seasonal components back over the forecast.

References
----------
Hyndman & Athanasopoulos, *Forecasting: Principles and Practice* (3rd ed.), section 3.6
(forecasting with decomposition) and 12.1 (MSTL for several seasonal periods).
Makridakis et al. (2020), "The M4 Competition": the benchmarks SES, Holt, Damped and
Theta are this scheme with the 90% seasonality test and a classical multiplicative
decomposition (``seasonal_test=True, method="classical", model="multiplicative"``).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from sklearn.base import clone

from tsclassic._seasonality import is_seasonal
from tsclassic.base import BaseForecaster, Tags, get_tags
from tsclassic.decomposition._decompose import check_decompose_params, decompose_array

__all__ = ["DecompositionForecaster"]


class DecompositionForecaster(BaseForecaster):
    """Forecast the seasonally adjusted series, then add the seasonal part back.

    The series is decomposed (classical, STL or MSTL), the seasonal components are
    removed, ``trend_forecaster`` forecasts what remains (trend plus residual), and each
    seasonal component is continued by repeating its last cycle. Several seasonalities
    (hourly data: ``periods=[24, 168]``) need ``method="mstl"`` or ``"classical"``.

    Parameters
    ----------
    periods : int or list of int, default 12
        The seasonal period(s).
    trend_forecaster : forecaster, optional
        Any tsclassic forecaster without exogenous regressors, cloned at fit. Default:
        ``ExponentialSmoothingForecaster(trend="add", damped_trend=True)`` (damped Holt).
    method : {"classical", "stl", "mstl"}, default "mstl"
    model : {"additive", "multiplicative"}, default "additive"
        Multiplicative only with ``method="classical"``.
    seasonal_test : bool, default False
        Keep only the periods at which the M4 90% autocorrelation test finds the series
        seasonal (and at least three seasons long); with no period left the series is
        forecast as it is. This is the M4 benchmarks' rule.
    seasonal_window : int or list of int, optional
        STL/MSTL seasonal smoother length(s) (see :func:`decompose`).
    robust : bool, default False
        Robust STL/MSTL fitting.

    Attributes
    ----------
    periods_ : tuple of int
        The periods actually removed (after ``seasonal_test``).
    trend_forecaster_ : forecaster
        The fitted forecaster of the adjusted series.
    seasonal_ : ndarray of shape (n_obs,)
        The combined in-sample seasonal component (sum, or product when multiplicative).

    Examples
    --------
    >>> import numpy as np
    >>> from tsclassic.baselines import Drift
    >>> from tsclassic.decomposition import DecompositionForecaster
    >>> y = np.arange(48.0) + np.tile([3.0, -1.0, -2.0, 0.0], 12)
    >>> model = DecompositionForecaster(4, Drift(), method="classical").fit(y)
    >>> model.predict(4).round(2)
    array([51., 48., 48., 51.])
    """

    _tags: ClassVar[Tags] = Tags(intervals=True)

    def __init__(
        self,
        periods: int | list[int] = 12,
        trend_forecaster: Any = None,
        *,
        method: str = "mstl",
        model: str = "additive",
        seasonal_test: bool = False,
        seasonal_window: int | list[int] | None = None,
        robust: bool = False,
    ):
        self.periods = periods
        self.trend_forecaster = trend_forecaster
        self.method = method
        self.model = model
        self.seasonal_test = seasonal_test
        self.seasonal_window = seasonal_window
        self.robust = robust

    @classmethod
    def _test_params(cls) -> list[dict]:
        from tsclassic.baselines import Drift

        return [
            {"periods": 12, "method": "stl"},
            {"periods": [4, 12], "trend_forecaster": Drift(), "method": "classical",
             "model": "multiplicative", "seasonal_test": True},
        ]

    def _min_length(self) -> tuple[int, str]:
        periods = check_decompose_params(self.method, self.periods, self.model)
        if self.trend_forecaster is not None and not isinstance(self.trend_forecaster, BaseForecaster):
            raise TypeError(
                f"trend_forecaster must be a tsclassic forecaster (e.g. ThetaForecaster()); "
                f"got {type(self.trend_forecaster).__name__}."
            )
        return 2 * periods[-1], f"two full seasons of the longest period {periods[-1]}"

    def _make_trend_forecaster(self) -> BaseForecaster:
        if self.trend_forecaster is None:
            from tsclassic.arima import ExponentialSmoothingForecaster

            return ExponentialSmoothingForecaster(trend="add", damped_trend=True)
        return clone(self.trend_forecaster)

    def _fit(self, y: np.ndarray, X: np.ndarray | None) -> None:
        periods = check_decompose_params(self.method, self.periods, self.model)
        if self.seasonal_test:
            periods = tuple(p for p in periods if is_seasonal(y, p))
        multiplicative = self.model == "multiplicative"
        self.periods_ = periods
        self._cycles = []
        seasonal = np.ones(len(y)) if multiplicative else np.zeros(len(y))
        if periods:
            parts = decompose_array(y, periods, self.method, self.model,
                                    self.seasonal_window, self.robust)
            for p in periods:
                component = parts[f"seasonal_{p}"]
                self._cycles.append(component[-p:].copy())
                seasonal = seasonal * component if multiplicative else seasonal + component
        self.seasonal_ = seasonal
        adjusted = y / seasonal if multiplicative else y - seasonal
        self.trend_forecaster_ = self._make_trend_forecaster().fit(adjusted)

    def _future_seasonal(self, h: int) -> np.ndarray:
        multiplicative = self.model == "multiplicative"
        future = np.ones(h) if multiplicative else np.zeros(h)
        for cycle in self._cycles:
            # Position 0 of the last cycle is the season of observation n - p, so step
            # n + i (i = 0..h-1) falls on position i mod p.
            repeated = np.resize(cycle, h)
            future = future * repeated if multiplicative else future + repeated
        return future

    def _predict(self, h: int, X: Any) -> np.ndarray:
        base = np.asarray(self.trend_forecaster_.predict(h), dtype=float)
        seasonal = self._future_seasonal(h)
        return base * seasonal if self.model == "multiplicative" else base + seasonal

    def _predict_interval(self, h, X, coverage):
        if not get_tags(self.trend_forecaster_).intervals:
            raise NotImplementedError(
                f"the trend_forecaster {type(self.trend_forecaster_).__name__} gives no "
                f"intervals; choose one with intervals (e.g. ExponentialSmoothingForecaster)."
            )
        bounds = np.asarray(self.trend_forecaster_.predict_interval(h, coverage=coverage))
        seasonal = self._future_seasonal(h)
        if self.model == "multiplicative":
            return bounds[:, 0] * seasonal, bounds[:, 1] * seasonal
        return bounds[:, 0] + seasonal, bounds[:, 1] + seasonal
