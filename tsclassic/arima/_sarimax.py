"""SARIMAX forecaster: seasonal ARIMA with exogenous regressors, on statsmodels.

References
----------
Box, Jenkins, Reinsel & Ljung (2015), *Time Series Analysis: Forecasting and Control*
(5th ed.), chapters 4-9 (ARIMA, seasonal models, the airline model). Durbin & Koopman
(2012), *Time Series Analysis by State Space Methods* (the exact likelihood statsmodels
evaluates).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pandas as pd

from tsclassic._params import POSITIVE_INT, StrOptions, renamed_params
from tsclassic.arima._common import ResultsCache, check_order, quiet_statsmodels
from tsclassic.base import BaseForecaster, Tags

__all__ = ["SARIMAXForecaster"]

# statsmodels' optimisers (MLEModel.fit), and "none": keep start_params as they are.
OPTIMISERS = ("newton", "nm", "bfgs", "lbfgs", "powell", "cg", "ncg", "basinhopping", "minimize")


def rename_exog(params: pd.Series, columns: list[str] | None) -> pd.Series:
    """statsmodels calls array regressors x1, x2, ...; give them the caller's names."""
    if not columns:
        return params
    mapping = {f"x{i + 1}": name for i, name in enumerate(columns)}
    return params.rename(index=lambda n: mapping.get(n, n))


def fit_filtered(model: Any, max_iter: int, **kwargs: Any) -> Any:
    """Maximum likelihood without the parameter covariance matrix.

    statsmodels' default outer-product-of-gradients covariance costs about half of a
    seasonal fit (1.4 s of 3 s with a season of 24) and prediction does not need it;
    ``summary()`` recomputes it on demand.
    """
    return model.fit(maxiter=max_iter, disp=False, cov_type="none", **kwargs)


def sarimax_min_length(order: tuple[int, ...], seasonal_order: tuple[int, ...]) -> tuple[int, str]:
    """Fewest observations an ARIMA(order)(seasonal_order) model can be fitted on."""
    p, d, q = order
    P, D, Q, m = seasonal_order
    span = d + D * m + max(p + P * m, q + Q * m) + 1
    if m > 1 and (P or D or Q):
        # Seasonal differencing or seasonal lags need two full seasons to say anything.
        return max(span, 2 * m), f"two full seasons of {m} for the seasonal part"
    return max(span, 2), f"the differencing d={d} and the lags of order {order}"


@renamed_params({"trend": "deterministic_trend", "maxiter": "max_iter"},
                positional=("seasonal_order", "trend"))
class SARIMAXForecaster(ResultsCache, BaseForecaster):
    """Seasonal ARIMA with exogenous regressors, fitted by exact maximum likelihood.

    A thin layer over :class:`statsmodels.tsa.statespace.sarimax.SARIMAX` under the
    tsclassic contract: pandas in and out, ``X`` checked at fit and at predict, prediction
    intervals, and pickles that stay small (only the data and the parameters are kept;
    the statsmodels results are rebuilt by one filter pass when needed).

    Parameters
    ----------
    order : tuple of 3 int, default (1, 0, 0)
        The non-seasonal order ``(p, d, q)``.
    seasonal_order : tuple of 4 int, default (0, 0, 0, 0)
        The seasonal order ``(P, D, Q, m)``; ``m`` is the season length.
    deterministic_trend : {None, "n", "c", "t", "ct"}, default None
        The deterministic terms: none, a constant, a linear trend, or both (statsmodels'
        ``trend`` codes; ``trend`` is the trend *component* elsewhere in tsclassic, so
        the parameter was renamed after tsclassic 0.1 and the old name still works, with a
        ``FutureWarning``).
    enforce_stationarity, enforce_invertibility : bool, default True
        Keep the AR (MA) polynomials stationary (invertible) during the optimisation.
    method : str, default "lbfgs"
        The optimiser handed to statsmodels' ``fit``, or ``"none"``: no optimisation, the
        model is filtered at ``start_params`` (estimates found elsewhere, e.g. by
        conditional sum of squares).
    max_iter : int, default 50
        Maximum optimiser iterations (``maxiter`` in tsclassic 0.1).
    start_params : array-like, optional
        Starting values in statsmodels' parameter order (``params_.index``): the
        regression terms, AR, MA, seasonal AR, seasonal MA, ``sigma2``. By default
        statsmodels' own (a CSS-type estimate). Required with ``method="none"``.

    Attributes
    ----------
    params_ : pd.Series
        Fitted parameters indexed by statsmodels' names (``ar.L1``, ``ma.S.L12``,
        ``sigma2``, the column names of ``X``, ...).
    llf_, aic_, aicc_, bic_ : float
        Log-likelihood and information criteria.
    resid_ : ndarray of shape (n_obs,)
        One-step-ahead residuals.
    converged_ : bool
        Whether the optimiser reported convergence.

    See Also
    --------
    AutoSARIMAX : chooses the orders automatically.

    Examples
    --------
    >>> import numpy as np
    >>> from tsclassic.arima import SARIMAXForecaster
    >>> from tsclassic.datasets import load_airline
    >>> y = np.log(load_airline())
    >>> model = SARIMAXForecaster(order=(0, 1, 1), seasonal_order=(0, 1, 1, 12)).fit(y)
    >>> model.params_[["ma.L1", "ma.S.L12"]].round(3).tolist()
    [-0.402, -0.557]
    >>> str(model.predict(3).index[0])
    '1961-01'
    """

    _tags: ClassVar[Tags] = Tags(exogenous=True, intervals=True)
    _parameter_constraints: ClassVar[dict] = {
        "order": [tuple, list],  # the entries are checked by check_order
        "seasonal_order": [tuple, list],
        "deterministic_trend": [StrOptions({"n", "c", "t", "ct"}), None],
        "enforce_stationarity": ["boolean"],
        "enforce_invertibility": ["boolean"],
        "method": [StrOptions({*OPTIMISERS, "none"})],
        "max_iter": [POSITIVE_INT],
        "start_params": ["array-like", None],
    }

    def __init__(
        self,
        order: tuple[int, int, int] = (1, 0, 0),
        *,
        seasonal_order: tuple[int, int, int, int] = (0, 0, 0, 0),
        deterministic_trend: str | None = None,
        enforce_stationarity: bool = True,
        enforce_invertibility: bool = True,
        method: str = "lbfgs",
        max_iter: int = 50,
        start_params: Any = None,
    ):
        self.order = order
        self.seasonal_order = seasonal_order
        self.deterministic_trend = deterministic_trend
        self.enforce_stationarity = enforce_stationarity
        self.enforce_invertibility = enforce_invertibility
        self.method = method
        self.max_iter = max_iter
        self.start_params = start_params

    @classmethod
    def _test_params(cls) -> list[dict]:
        return [{"order": (1, 0, 0)}, {"order": (0, 1, 0), "seasonal_order": (1, 0, 0, 12), "max_iter": 10}]

    def _orders(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        order = check_order(self.order, "order", 3)
        seasonal = check_order(self.seasonal_order, "seasonal_order", 4)
        if seasonal[3] == 1 or (seasonal[3] == 0 and any(seasonal[:3])):
            raise ValueError(
                f"seasonal_order={self.seasonal_order!r} has season length m={seasonal[3]}; "
                f"m must be at least 2 when P, D or Q is non-zero (or use (0, 0, 0, 0))."
            )
        return order, seasonal

    def _min_length(self) -> tuple[int, str]:
        return sarimax_min_length(*self._orders())

    def _model(self, y: np.ndarray, X: np.ndarray | None) -> Any:
        from statsmodels.tsa.statespace.sarimax import SARIMAX

        order, seasonal = self._orders()
        return SARIMAX(
            y, exog=X, order=order, seasonal_order=seasonal, trend=self.deterministic_trend,
            enforce_stationarity=self.enforce_stationarity,
            enforce_invertibility=self.enforce_invertibility,
        )

    def _fit(self, y: np.ndarray, X: np.ndarray | None) -> None:
        with quiet_statsmodels():
            model = self._model(y, X)
            start = self._start_params(model)
            if self.method == "none":
                results = model.filter(start, cov_type="none")
            else:
                results = fit_filtered(model, self.max_iter, method=self.method,
                                       start_params=start)
        self._store(y, X, results)
        self.params_ = rename_exog(self.params_, self.exog_columns_)

    def _start_params(self, model: Any) -> np.ndarray | None:
        if self.start_params is None:
            if self.method == "none":
                raise ValueError(
                    "method='none' keeps start_params without optimising, but start_params "
                    "is None; pass the parameters or choose an optimiser such as 'lbfgs'."
                )
            return None
        start = np.asarray(self.start_params, dtype=float).ravel()
        if len(start) != len(model.param_names):
            raise ValueError(
                f"start_params has {len(start)} values but the model has "
                f"{len(model.param_names)} parameters {list(model.param_names)}; pass them "
                f"in that order."
            )
        return start

    def _store(self, y: np.ndarray, X: np.ndarray | None, results: Any) -> None:
        """Keep what prediction needs, and the summary statistics."""
        names = list(results.model.param_names)
        self.params_ = pd.Series(np.asarray(results.params, dtype=float), index=names)
        self.llf_ = float(results.llf)
        self.aic_ = float(results.aic)
        self.aicc_ = float(results.aicc)
        self.bic_ = float(results.bic)
        self.resid_ = np.asarray(results.resid, dtype=float)
        retvals = getattr(results, "mle_retvals", None) or {}
        self.converged_ = bool(retvals.get("converged", True))
        self._y, self._X = y, X
        self._results = results

    def _rebuild_results(self) -> Any:
        return self._model(self._y, self._X).filter(self.params_.to_numpy(), cov_type="none")

    def _predict(self, h: int, X: np.ndarray | None) -> np.ndarray:
        with quiet_statsmodels():
            return np.asarray(self._get_results().forecast(h, exog=X), dtype=float)

    def _predict_interval(self, h, X, coverage):
        with quiet_statsmodels():
            frame = self._get_results().get_forecast(h, exog=X).conf_int(alpha=1 - coverage)
        bounds = np.asarray(frame, dtype=float)
        return bounds[:, 0], bounds[:, 1]

    def summary(self) -> Any:
        """statsmodels' summary table of the fit (coefficients, standard errors, tests).

        Returns
        -------
        statsmodels.iolib.summary.Summary
        """
        self._check_fitted()
        with quiet_statsmodels():
            # A smoothing pass at the fitted parameters gives the same table as the fit.
            results = self._model(self._y, self._X).smooth(self.params_.to_numpy())
        return results.summary()
