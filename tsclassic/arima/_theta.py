"""The Theta method as benchmarked in the M4 competition.

References
----------
Assimakopoulos & Nikolopoulos (2000), "The theta model: a decomposition approach to
forecasting", IJF 16(4):521-530. Hyndman & Billah (2003), "Unmasking the Theta method",
IJF 19(2):287-290 (Theta = SES with drift). Makridakis, Spiliotis & Assimakopoulos
(2020), "The M4 Competition", IJF 36(1): the benchmark ``Theta.classic`` in
``Mcompetitions/M4-methods``, which this class follows step by step.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from tsclassic._params import POSITIVE_INT
from tsclassic._seasonality import m4_seasonal_figure, seasonal_component
from tsclassic.arima._common import check_season_length, quiet_statsmodels
from tsclassic.base import BaseForecaster, Tags

__all__ = ["ThetaForecaster"]


def fit_ses(y: np.ndarray) -> tuple[float, float]:
    """Simple exponential smoothing by maximum likelihood: ``(alpha, last_level)``.

    The same estimator as R's ``forecast::ses`` (ETS(A,N,N), alpha in [1e-4, 0.9999],
    the initial level estimated), through statsmodels' ETS model.
    """
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    with quiet_statsmodels():
        results = ETSModel(y, error="add").fit(disp=False)
    alpha = float(results.params[0])
    # The level after the last observation is the flat SES forecast.
    return alpha, float(np.asarray(results.forecast(1))[0])


def fit_theta(y: np.ndarray, theta: float = 2.0) -> tuple[float, float, float, float]:
    """Fit the classic Theta method: ``(intercept, slope, alpha, level)``.

    The theta = 0 line is the least-squares trend ``intercept + slope * t`` (t = 1..n);
    SES is fitted to the theta line ``theta * y + (1 - theta) * trend``, with smoothing
    ``alpha`` and final ``level``. The forecast at ``t > n`` is the mean of the two lines:
    ``0.5 * (intercept + slope * t) + 0.5 * level``.
    """
    t = np.arange(1, len(y) + 1, dtype=float)
    slope, intercept = np.polyfit(t, y, 1)
    alpha, level = fit_ses(theta * y + (1 - theta) * (intercept + slope * t))
    return float(intercept), float(slope), alpha, level


class ThetaForecaster(BaseForecaster):
    """The M4 Theta benchmark: the classic Theta method on the seasonally adjusted series.

    When ``season_length > 1`` and the M4 90% autocorrelation test at lag
    ``season_length`` finds the series seasonal, it is adjusted by a classical
    multiplicative decomposition (exactly as for :class:`~tsclassic.Naive2`); the
    forecast of the adjusted series is the mean of the extended linear trend (theta
    line 0) and the SES forecast of the theta line 2, and the last seasonal cycle is
    laid back over it. Negative forecasts of a non-negative series are set to zero, as
    in the M4 code.

    Parameters
    ----------
    season_length : int, default 1
        The seasonal period m (24 for hourly data); 1 means no seasonal adjustment.

    Attributes
    ----------
    seasonal_ : bool
        Whether the seasonality test found the series seasonal.
    seasonal_indices_ : ndarray of shape (season_length,)
        The multiplicative seasonal figure (ones when not seasonal).
    intercept_, slope_ : float
        The least-squares trend line (theta line 0) of the adjusted series, t = 1..n.
    alpha_, level_ : float
        SES's smoothing parameter and final level on the theta line 2.

    Examples
    --------
    >>> import numpy as np
    >>> from tsclassic.arima import ThetaForecaster
    >>> y = np.arange(1.0, 21.0)
    >>> ThetaForecaster().fit(y).predict(3).round(2)
    array([20.5, 21. , 21.5])
    """

    _tags: ClassVar[Tags] = Tags()
    _parameter_constraints: ClassVar[dict] = {"season_length": [POSITIVE_INT]}

    def __init__(self, season_length: int = 1):
        self.season_length = season_length

    @classmethod
    def _test_params(cls) -> list[dict]:
        return [{}, {"season_length": 12}]

    def _min_length(self) -> tuple[int, str]:
        check_season_length(self.season_length)
        return 3, "a trend line and the smoothing parameters"

    def _fit(self, y: np.ndarray, X: np.ndarray | None) -> None:
        m = int(self.season_length)
        self.seasonal_, self.seasonal_indices_ = m4_seasonal_figure(
            y, m, "ThetaForecaster", "shift the series or set season_length=1"
        )
        adjusted = y / seasonal_component(self.seasonal_indices_, 0, len(y))
        self.intercept_, self.slope_, self.alpha_, self.level_ = fit_theta(adjusted)
        self._non_negative = bool(np.all(y >= 0))
        self._n = len(y)

    def _predict(self, h: int, X: Any) -> np.ndarray:
        t = np.arange(self._n + 1, self._n + h + 1)
        forecast = 0.5 * (self.intercept_ + self.slope_ * t) + 0.5 * self.level_
        forecast = forecast * seasonal_component(self.seasonal_indices_, self._n, h)
        return np.maximum(forecast, 0.0) if self._non_negative else forecast
