"""Exponential smoothing (SES, Holt, damped, Holt-Winters) on statsmodels' ETS models.

References
----------
Hyndman, Koehler, Ord & Snyder (2008), *Forecasting with Exponential Smoothing: the
State Space Approach*, Springer; Hyndman & Athanasopoulos, *Forecasting: Principles and
Practice* (3rd ed.), chapter 8. The M4 benchmarks SES, Holt and Damped are these models
on the seasonally adjusted series (see :class:`tsclassic.decomposition.DecompositionForecaster`
with ``seasonal_test=True``).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from tsclassic._params import Integral, Interval, StrOptions, renamed_params
from tsclassic.arima._common import ResultsCache, quiet_statsmodels
from tsclassic.base import BaseForecaster, Tags

__all__ = ["ExponentialSmoothingForecaster"]

# Below this many values a trend model's intervals under-cover: they leave out the
# uncertainty of the fitted parameters, and a slope estimated from few values is the
# largest part of it. On series simulated from ETS(A,A,N), (A,Ad,N) and (A,A,A) (200 each,
# tests/test_silent_answers.py's generator), 90% intervals covered 76-78% on 30 values,
# 81% on 50, 87-88% on 60 and 90% on 120.
SHORT_TREND = 100
SHORT_TREND_WARNING = "intervals of a trend fitted to"


@contextmanager
def short_trend_calibrated() -> Iterator[None]:
    """Silence the warning that a short trend's own intervals under-cover, for a caller
    that calibrates those intervals itself (a backtest scale, conformal scores)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=f".*{SHORT_TREND_WARNING}", category=UserWarning)
        yield


@renamed_params({"maxiter": "max_iter"}, positional=("damped_trend", "seasonal", "season_length"))
class ExponentialSmoothingForecaster(ResultsCache, BaseForecaster):
    """Exponential smoothing in its state-space (ETS) form, additive errors.

    The defaults give simple exponential smoothing (SES); ``trend="add"`` gives Holt's
    linear method, with ``damped_trend=True`` the damped trend, and ``seasonal`` with
    ``season_length`` Holt-Winters. Smoothing parameters and initial states are
    estimated by maximum likelihood (statsmodels'
    :class:`~statsmodels.tsa.exponential_smoothing.ets.ETSModel`).

    Parameters
    ----------
    trend : {None, "add", "mul"}, default None
        The form of the trend component: none, additive, multiplicative (in tsclassic
        ``trend`` is always the trend component; a regression's deterministic terms are
        ``deterministic_trend``).
    damped_trend : bool, default False
        Damp the trend (needs ``trend``).
    seasonal : {None, "add", "mul"}, default None
        The seasonal component. ``None`` with a ``season_length`` above 1 means the
        additive season (Holt-Winters, ETS(A,*,A)): a season length is only ever given to
        model a season, and callers that pass ``season_length`` to every model (the
        command line, ``forecast_many``) must not get a flat forecast. For no season,
        leave ``season_length`` at None (or 1).
    season_length : int, optional
        The seasonal period; required when ``seasonal`` is set.
    max_iter : int, default 1000
        Maximum optimiser iterations (``maxiter`` in tsclassic 0.1).

    Attributes
    ----------
    seasonal_ : {None, "add", "mul"}
        The seasonal component fitted (``"add"`` when ``seasonal=None`` and a
        ``season_length`` above 1 was given).
    params_ : pd.Series
        Smoothing parameters and initial states (``smoothing_level``, ``initial_level``,
        ...).
    sigma2_ : float
        Error variance, ``sum(resid_**2) / (n_obs_ - len(params_))`` as R's ``ets`` (NaN
        when the parameters and initial states leave no degree of freedom). The prediction
        intervals use it: statsmodels' ``sum(resid_**2) / n_obs_`` forgets the parameters
        fitted to the same data, and its 90% intervals covered 85-88% of simulated
        outcomes (``tests/test_silent_answers.py``).
    llf_, aic_, aicc_, bic_ : float
    resid_ : ndarray of shape (n_obs,)

    Examples
    --------
    >>> import numpy as np
    >>> from tsclassic.arima import ExponentialSmoothingForecaster
    >>> y = np.array([10.0, 12, 11, 13, 12, 14, 13, 15])
    >>> ExponentialSmoothingForecaster().fit(y).predict(2).round(1)
    array([14.2, 14.2])
    """

    _tags: ClassVar[Tags] = Tags(intervals=True)
    _parameter_constraints: ClassVar[dict] = {
        "trend": [StrOptions({"add", "mul"}), None],
        "damped_trend": ["boolean"],
        "seasonal": [StrOptions({"add", "mul"}), None],
        "season_length": [Interval(Integral, 1, None, closed="left"), None],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        trend: str | None = None,
        *,
        damped_trend: bool = False,
        seasonal: str | None = None,
        season_length: int | None = None,
        max_iter: int = 1000,
    ):
        self.trend = trend
        self.damped_trend = damped_trend
        self.seasonal = seasonal
        self.season_length = season_length
        self.max_iter = max_iter

    @classmethod
    def _test_params(cls) -> list[dict]:
        return [
            {},
            {"trend": "add", "damped_trend": True},
            {"trend": "add", "seasonal": "add", "season_length": 12},
        ]

    def _seasonal(self) -> str | None:
        """The seasonal component to fit: ``seasonal``, or additive when only a season
        length above 1 is given."""
        if self.seasonal is None and self.season_length is not None and self.season_length > 1:
            return "add"
        return self.seasonal

    def _min_length(self) -> tuple[int, str]:
        if self.damped_trend and self.trend is None:
            raise ValueError("damped_trend=True needs a trend; set trend='add' as well.")
        if self._seasonal() is None:
            return (4 if self.trend else 3), "the smoothing parameters and initial states"
        if self.season_length is None:
            raise ValueError(
                f"seasonal={self.seasonal!r} needs season_length (e.g. 12 for monthly data)."
            )
        m = self.season_length
        if m < 2:
            raise ValueError(f"season_length must be at least 2 with seasonal set; got {m}.")
        return 2 * m, f"two full seasons of {m} to initialise the seasonal states"

    def _model(self, y: np.ndarray) -> Any:
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel

        # A RangeIndex Series: statsmodels' ETS prediction intervals fail on bare arrays.
        return ETSModel(
            pd.Series(y), error="add", trend=self.trend, damped_trend=self.damped_trend,
            seasonal=self.seasonal_,
            seasonal_periods=self.season_length if self.seasonal_ else None,
        )

    def _fit(self, y: np.ndarray, X: np.ndarray | None) -> None:
        self.seasonal_ = self._seasonal()
        if (self.trend == "mul" or self.seasonal_ == "mul") and np.any(y <= 0):
            raise ValueError(
                "y must be strictly positive for a multiplicative trend or season; use "
                "trend/seasonal='add' or shift the series."
            )
        with quiet_statsmodels():
            results = self._model(y).fit(disp=False, maxiter=self.max_iter)
        self.params_ = pd.Series(
            np.asarray(results.params, dtype=float), index=list(results.model.param_names)
        )
        self.llf_ = float(results.llf)
        self.aic_, self.aicc_, self.bic_ = float(results.aic), float(results.aicc), float(results.bic)
        self.resid_ = np.asarray(results.resid, dtype=float)
        free = len(y) - len(self.params_)
        self.sigma2_ = float(np.sum(self.resid_**2) / free) if free > 0 else float("nan")
        self._y = y
        self._results = results

    def _rebuild_results(self) -> Any:
        return self._model(self._y).smooth(self.params_.to_numpy())

    def _predict(self, h: int, X: np.ndarray | None) -> np.ndarray:
        with quiet_statsmodels():
            return np.asarray(self._get_results().forecast(h), dtype=float)

    def _predict_interval(self, h, X, coverage):
        n, k = self.n_obs_, len(self.params_)
        if not np.isfinite(self.sigma2_):
            raise ValueError(
                f"y has {n} values and {type(self).__name__} fitted {k} parameters and initial "
                f"states to them, which leaves no residual degree of freedom to estimate the "
                f"error variance from; pass a longer series or a simpler model (no trend or "
                f"season) for intervals."
            )
        if self.trend is not None and n < SHORT_TREND:
            warnings.warn(
                f"{type(self).__name__}: the {SHORT_TREND_WARNING} {n} values (under "
                f"{SHORT_TREND}) leave out the uncertainty of the fitted slope and level, and "
                f"cover less than asked (90% intervals covered 76-88% on 30-60 simulated "
                f"values). For calibrated intervals wrap the model in "
                f"tsclassic.compose.ConformalIntervals, or fit a longer series.",
                UserWarning, stacklevel=3,
            )
        results = self._get_results()
        with quiet_statsmodels():
            # Analytic variances exist for these additive-error models (Hyndman et al.
            # 2008, ch. 6); statsmodels simulates only for the multiplicative classes.
            if self.trend != "mul" and self.seasonal_ != "mul":
                pred = results.get_prediction(start=n, end=n + h - 1, method="exact")
                bounds = np.asarray(pred.pred_int(alpha=1 - coverage), dtype=float)
                # statsmodels' variance is sigma2 = SSE / n; the band is mean +- z sd, so
                # R's SSE / (n - k) widens it by the square root of the ratio.
                mean = np.asarray(pred.predicted_mean, dtype=float)[:, None]
                return tuple((mean + (bounds - mean) * np.sqrt(self.sigma2_ / results.mse)).T)
            # Simulated paths, their errors drawn at sigma2_ (the default draws at SSE / n);
            # seeded so that the bounds never change between calls.
            errors = np.random.default_rng(0).normal(0.0, np.sqrt(self.sigma2_), (h, 1000))
            pred = results.get_prediction(start=n, end=n + h - 1, method="simulated",
                                          simulate_repetitions=1000, random_errors=errors)
            bounds = np.asarray(pred.pred_int(alpha=1 - coverage), dtype=float)
        return bounds[:, 0], bounds[:, 1]
