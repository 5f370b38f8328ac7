"""The Theta method as benchmarked in the M4 competition.

References
----------
Assimakopoulos & Nikolopoulos (2000), "The theta model: a decomposition approach to
forecasting", IJF 16(4):521-530. Hyndman & Billah (2003), "Unmasking the Theta method",
IJF 19(2):287-290 (Theta = SES with drift, hence its prediction intervals).
Makridakis, Spiliotis & Assimakopoulos
(2020), "The M4 Competition", IJF 36(1): the benchmark ``Theta.classic`` in
``Mcompetitions/M4-methods``, which this class follows step by step.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from tsclassic._params import Integral, Interval
from tsclassic._seasonality import m4_seasonal_figure, seasonal_component
from tsclassic.arima._common import check_season_length, quiet_statsmodels
from tsclassic.base import BaseForecaster, Tags

__all__ = ["ThetaForecaster"]


def fit_ses(y: np.ndarray) -> tuple[float, float, float]:
    """Simple exponential smoothing by maximum likelihood: ``(alpha, last_level, rmse)``.

    The same estimator as R's ``forecast::ses`` (ETS(A,N,N), alpha in [1e-4, 0.9999],
    the initial level estimated), through statsmodels' ETS model.
    """
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    with quiet_statsmodels():
        results = ETSModel(y, error="add").fit(disp=False)
    alpha = float(results.params[0])
    rmse = float(np.sqrt(np.mean(np.asarray(results.resid, dtype=float) ** 2)))
    # The level after the last observation is the flat SES forecast.
    return alpha, float(np.asarray(results.forecast(1))[0]), rmse


def fit_theta(y: np.ndarray, theta: float = 2.0) -> tuple[float, float, float, float, float]:
    """Fit the classic Theta method: ``(intercept, slope, alpha, level, sigma)``.

    The theta = 0 line is the least-squares trend ``intercept + slope * t`` (t = 1..n);
    SES is fitted to the theta line ``theta * y + (1 - theta) * trend``, with smoothing
    ``alpha`` and final ``level``. The forecast at ``t > n`` is the mean of the two lines:
    ``0.5 * (intercept + slope * t) + 0.5 * level``. ``sigma`` is the RMS one-step error
    of that forecast on ``y``: the theta line's SES error divided by ``theta``.
    """
    t = np.arange(1, len(y) + 1, dtype=float)
    slope, intercept = np.polyfit(t, y, 1)
    alpha, level, rmse = fit_ses(theta * y + (1 - theta) * (intercept + slope * t))
    return float(intercept), float(slope), alpha, level, rmse / theta


def ses_drift_scale(alpha: float, h: int) -> np.ndarray:
    """Forecast standard deviation over ``sigma`` at steps ``1..h`` of SES with drift.

    The Theta models with a fixed trend line are SES with drift (Hyndman & Billah 2003;
    Fiorucci et al. 2016, section 3): the drift is deterministic, so the variance is
    SES's, ``sigma**2 * (1 + (j - 1) * alpha**2)`` at step ``j`` (Hyndman et al. 2008,
    table 6.1, ETS(A,N,N)).
    """
    return np.sqrt(1.0 + np.arange(h) * alpha**2)


def theta_adjust(y: np.ndarray, season_length: int, owner: str, fix: str) -> tuple[bool, np.ndarray, np.ndarray]:
    """The Theta models' seasonal adjustment: ``(seasonal, figure, adjusted y)``.

    The M4 scheme (the 90% autocorrelation test, a classical multiplicative figure), for
    :class:`ThetaForecaster` and :class:`~tsclassic.arima.AutoTheta` alike. A season
    longer than the series is an error: the test could never run, so ``season_length``
    is most likely not the data's period.
    """
    m = int(season_length)
    if m > len(y):
        raise ValueError(
            f"season_length={m} is longer than y ({len(y)} observations), so {owner} can "
            f"never test or remove that season; set season_length to the data's period (1 "
            f"for yearly, 4 quarterly, 12 monthly) or pass at least {3 * m} observations."
        )
    seasonal, figure = m4_seasonal_figure(y, m, owner, fix)
    return seasonal, figure, y / seasonal_component(figure, 0, len(y))


def reseason(values: np.ndarray, figure: np.ndarray, n: int, non_negative: bool) -> np.ndarray:
    """Lay the seasonal figure back over forecasts (or bounds) of the adjusted series, and
    clip at zero for a non-negative series, as the M4 code does."""
    out = np.asarray(values) * seasonal_component(figure, n, np.shape(values)[-1])
    return np.maximum(out, 0.0) if non_negative else out


class ThetaForecaster(BaseForecaster):
    """The M4 Theta benchmark: the classic Theta method on the seasonally adjusted series.

    When ``season_length > 1`` and the M4 90% autocorrelation test at lag
    ``season_length`` finds the series seasonal, it is adjusted by a classical
    multiplicative decomposition (exactly as for :class:`~tsclassic.Naive2`); the
    forecast of the adjusted series is the mean of the extended linear trend (theta
    line 0) and the SES forecast of the theta line 2, and the last seasonal cycle is
    laid back over it. Negative forecasts of a non-negative series are set to zero, as
    in the M4 code. Prediction intervals are those of SES with drift, the model Theta is
    (Hyndman & Billah 2003), on the adjusted series, with the seasonal figure laid over
    both bounds.

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
    sigma_ : float
        RMS one-step in-sample error on the adjusted series.

    Examples
    --------
    >>> import numpy as np
    >>> from tsclassic.arima import ThetaForecaster
    >>> y = np.arange(1.0, 21.0)
    >>> ThetaForecaster().fit(y).predict(3).round(2)
    array([20.5, 21. , 21.5])
    """

    _tags: ClassVar[Tags] = Tags(intervals=True)
    _parameter_constraints: ClassVar[dict] = {
        "season_length": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, season_length: int = 1):
        self.season_length = season_length

    @classmethod
    def _test_params(cls) -> list[dict]:
        return [{}, {"season_length": 12}]

    def _min_length(self) -> tuple[int, str]:
        check_season_length(self.season_length)
        return 3, "a trend line and the smoothing parameters"

    def _fit(self, y: np.ndarray, X: np.ndarray | None) -> None:
        self.seasonal_, self.seasonal_indices_, adjusted = theta_adjust(
            y, self.season_length, "ThetaForecaster", "shift the series or set season_length=1"
        )
        fitted = fit_theta(adjusted)
        self.intercept_, self.slope_, self.alpha_, self.level_, self.sigma_ = fitted
        self._non_negative = bool(np.all(y >= 0))

    def _adjusted_forecast(self, h: int) -> np.ndarray:
        t = np.arange(self.n_obs_ + 1, self.n_obs_ + h + 1)
        return 0.5 * (self.intercept_ + self.slope_ * t) + 0.5 * self.level_

    def _predict(self, h: int, X: Any) -> np.ndarray:
        return reseason(self._adjusted_forecast(h), self.seasonal_indices_, self.n_obs_,
                        self._non_negative)

    def _predict_interval(self, h, X, coverage):
        from tsclassic.baselines import normal_quantile

        mean = self._adjusted_forecast(h)
        half = normal_quantile(coverage) * self.sigma_ * ses_drift_scale(self.alpha_, h)
        return tuple(reseason(bound, self.seasonal_indices_, self.n_obs_, self._non_negative)
                     for bound in (mean - half, mean + half))
