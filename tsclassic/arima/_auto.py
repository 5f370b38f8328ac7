"""Automatic SARIMA order selection in the Hyndman-Khandakar manner, without pmdarima.

References
----------
Hyndman & Khandakar (2008), "Automatic time series forecasting: the forecast package
for R", J. Statistical Software 27(3). Kwiatkowski, Phillips, Schmidt & Shin (1992),
"Testing the null hypothesis of stationarity", J. Econometrics 54 (the KPSS test for d).
Wang, Smith & Hyndman (2006), "Characteristic-based clustering for time series data",
Data Mining and Knowledge Discovery 13 (the seasonal-strength measure for D, as in
R's ``forecast::nsdiffs(test = "seas")``). Hyndman & Athanasopoulos, *Forecasting:
Principles and Practice* (3rd ed.), section 12.1 (Fourier terms for long seasons).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from tsclassic._params import (
    NON_NEGATIVE_INT,
    POSITIVE_INT,
    Integral,
    Interval,
    StrOptions,
    renamed_params,
)
from tsclassic.arima._common import quiet_statsmodels
from tsclassic.arima._sarimax import SARIMAXForecaster
from tsclassic.base import BaseForecaster, Tags

__all__ = ["AutoSARIMAX"]

_METHODS = ("css-ml", "css")


def fourier_terms(t: np.ndarray, period: int, k: int) -> np.ndarray:
    """``k`` sine/cosine pairs of ``period`` at the time steps ``t`` (columns sin1, cos1, ...)."""
    columns = []
    for j in range(1, k + 1):
        angle = 2 * np.pi * j * t / period
        columns.append(np.sin(angle))
        if 2 * j != period:  # cos(pi t) duplicates nothing, but sin(pi t) is identically 0
            columns.append(np.cos(angle))
    return np.column_stack(columns)


def _fourier_names(period: int, k: int) -> list[str]:
    names = []
    for j in range(1, k + 1):
        names.append(f"sin{period}_{j}")
        if 2 * j != period:
            names.append(f"cos{period}_{j}")
    return names


def choose_fourier_k(y: np.ndarray, period: int, max_k: int) -> int:
    """The number of Fourier pairs minimising the AICc of a linear-trend regression."""
    t = np.arange(len(y), dtype=float)
    best_k, best = 1, np.inf
    for k in range(1, max_k + 1):
        design = np.column_stack([np.ones_like(t), t, fourier_terms(t, period, k)])
        resid = y - design @ np.linalg.lstsq(design, y, rcond=None)[0]
        n, p = len(y), design.shape[1] + 1
        if n - p - 1 <= 0:
            break
        aicc = n * np.log(np.dot(resid, resid) / n) + 2 * p + 2 * p * (p + 1) / (n - p - 1)
        if aicc < best:
            best_k, best = k, aicc
    return best_k


def seasonal_strength(y: np.ndarray, m: int) -> float:
    """Strength of seasonality ``max(0, 1 - var(R) / var(S + R))`` from an STL fit."""
    from statsmodels.tsa.seasonal import STL

    fit = STL(y, period=m, robust=False).fit()
    resid = np.asarray(fit.resid)
    total = np.var(resid + np.asarray(fit.seasonal))
    return 0.0 if total == 0 else max(0.0, 1.0 - np.var(resid) / total)


def kpss_says_difference(x: np.ndarray, alpha: float = 0.05) -> bool:
    """KPSS level-stationarity test (short lag window, as R's ``ndiffs``): True to difference.

    The statistic of Kwiatkowski et al. (1992) with a Bartlett long-run variance, as
    statsmodels' ``kpss(regression="c", nlags=...)`` computes it, compared with the
    critical value of their table at ``alpha`` (0.10, 0.05, 0.025 or 0.01): the decision
    statsmodels' interpolated p-value gives, without its warnings machinery, which cost
    more than the test.
    """
    critical = {0.10: 0.347, 0.05: 0.463, 0.025: 0.574, 0.01: 0.739}[alpha]
    if np.ptp(x) == 0:
        return False
    n = len(x)
    lags = min(int(np.trunc(4 * (n / 100) ** 0.25)), n - 1)
    resid = x - x.mean()
    eta = np.sum(np.cumsum(resid) ** 2) / n**2
    s_hat = np.dot(resid, resid)
    for i in range(1, lags + 1):
        s_hat += 2 * (1.0 - i / (lags + 1.0)) * np.dot(resid[i:], resid[:n - i])
    return bool(eta / (s_hat / n) > critical)


@renamed_params({"max_seasonal_period": "max_season_length", "fourier_k": "n_harmonics",
                 "maxiter": "max_iter"})
class AutoSARIMAX(BaseForecaster):
    """Seasonal ARIMA with automatically chosen orders (Hyndman-Khandakar stepwise search).

    1. ``D``: one seasonal difference when the STL seasonal strength exceeds 0.64
       (``forecast::nsdiffs(test="seas")``).
    2. ``d``: KPSS tests at 5% on the (seasonally differenced) series, up to ``max_d``.
    3. ``p, q, P, Q`` and the constant: a stepwise search from four starting models,
       moving one order (or p and q, or P and Q, together) by one and toggling the
       constant, ranked by AICc. Each candidate is fitted by conditional sum of squares
       on the differenced series (milliseconds); models with an AR or MA root within
       1.01 of the unit circle are rejected, as in R's ``auto.arima``.
    4. The chosen model is fitted by exact maximum likelihood (statsmodels SARIMAX)
       starting from its CSS estimates (``method="css-ml"``; resumed once from where it
       stopped when ``max_iter`` iterations did not converge), or kept at the CSS
       estimates (``method="css"``, faster).

    Long seasons (``season_length > max_season_length``, e.g. 168 for hourly data with
    a weekly cycle) would make a seasonal ARIMA's state vector hundreds long; there the
    seasonality is modelled by Fourier terms, chosen by AICc, as exogenous regressors of
    a non-seasonal ARIMA (Hyndman & Athanasopoulos, section 12.1).

    Parameters
    ----------
    season_length : int, default 1
        The seasonal period m; 1 for a non-seasonal model.
    max_p, max_q : int, default 5
    max_P, max_Q : int, default 2
    max_d : int, default 2
    max_D : int, default 1
    max_order : int, default 5
        Bound on ``p + q + P + Q``.
    method : {"css-ml", "css"}, default "css-ml"
    max_season_length : int, default 52
        Longer seasons are modelled by Fourier terms (``max_seasonal_period`` in
        tsclassic 0.1).
    n_harmonics : int, optional
        Number of Fourier pairs (harmonics) for a long season, as in
        :class:`~tsclassic.spectral.HarmonicForecaster`; chosen by AICc (up to 10) if None
        (``fourier_k`` in tsclassic 0.1).
    max_iter : int, default 50
        Iterations of the final maximum-likelihood fit (``maxiter`` in tsclassic 0.1).

    Attributes
    ----------
    order_ : tuple (p, d, q)
    seasonal_order_ : tuple (P, D, Q, m)
        ``m`` is 0 when the season is modelled by Fourier terms, or not at all.
    with_constant_ : bool
    n_harmonics_ : int
        Fourier pairs used (0 when none).
    model_ : SARIMAXForecaster
        The final fitted model (on ``y``, with ``X`` and the Fourier terms as regressors).
    params_ : pd.Series
    aicc_, aic_, bic_, llf_ : float
        Of the final model.
    n_models_ : int
        Candidate models fitted by CSS.

    Examples
    --------
    >>> import numpy as np
    >>> from tsclassic.arima import AutoSARIMAX
    >>> from tsclassic.datasets import load_airline
    >>> model = AutoSARIMAX(season_length=12).fit(np.log(load_airline()))
    >>> model.seasonal_order_[1], model.seasonal_order_[3]
    (1, 12)
    >>> len(model.predict(12))
    12
    """

    _tags: ClassVar[Tags] = Tags(exogenous=True, intervals=True)
    _parameter_constraints: ClassVar[dict] = {
        "season_length": [POSITIVE_INT],
        **{name: [NON_NEGATIVE_INT]
           for name in ("max_p", "max_q", "max_P", "max_Q", "max_d", "max_D", "max_order")},
        "method": [StrOptions(set(_METHODS))],
        "max_season_length": [Interval(Integral, 2, None, closed="left")],
        "n_harmonics": [POSITIVE_INT, None],
        "max_iter": [POSITIVE_INT],
    }

    def __init__(
        self,
        season_length: int = 1,
        *,
        max_p: int = 5,
        max_q: int = 5,
        max_P: int = 2,
        max_Q: int = 2,
        max_d: int = 2,
        max_D: int = 1,
        max_order: int = 5,
        method: str = "css-ml",
        max_season_length: int = 52,
        n_harmonics: int | None = None,
        max_iter: int = 50,
    ):
        self.season_length = season_length
        self.max_p = max_p
        self.max_q = max_q
        self.max_P = max_P
        self.max_Q = max_Q
        self.max_d = max_d
        self.max_D = max_D
        self.max_order = max_order
        self.method = method
        self.max_season_length = max_season_length
        self.n_harmonics = n_harmonics
        self.max_iter = max_iter

    @classmethod
    def _test_params(cls) -> list[dict]:
        return [{"season_length": 12, "method": "css", "max_order": 3},
                {"season_length": 1, "max_order": 2}]

    def _min_length(self) -> tuple[int, str]:
        m = self.season_length
        if m > 1:
            return 2 * m + 1, f"two full seasons of {m} to test for seasonality"
        return 8, "unit-root tests and a few lags"

    # -- fitting ----------------------------------------------------------------
    def _fit(self, y: np.ndarray, X: np.ndarray | None) -> None:
        m = int(self.season_length)
        n = len(y)
        self.n_harmonics_ = 0
        self._fourier_period = 0
        if m > self.max_season_length:
            k_max = max(1, min(10, m // 2))
            if self.n_harmonics is not None and self.n_harmonics > m // 2:
                raise ValueError(
                    f"n_harmonics={self.n_harmonics} exceeds season_length // 2 = {m // 2}; higher "
                    f"harmonics repeat lower ones: pass at most {m // 2}."
                )
            k = self.n_harmonics or choose_fourier_k(y, m, k_max)
            self.n_harmonics_, self._fourier_period = int(k), m
            terms = fourier_terms(np.arange(n, dtype=float), m, k)
            X = terms if X is None else np.hstack([X, terms])
            m = 1
        D = self._choose_D(y, m)
        d = self._choose_d(y, X, m, D)
        best, n_models = self._search(y, X, m, d, D)
        self.n_models_ = n_models
        self.order_ = (best.order[0], d, best.order[1])
        self.seasonal_order_ = (best.order[2], D, best.order[3], m if m > 1 else 0)
        self.with_constant_ = best.constant
        self._final_fit(y, X, best)
        names = list(self.exog_columns_ or [])
        if self.n_harmonics_:
            names += _fourier_names(self._fourier_period, self.n_harmonics_)
        # model_ names its array regressors x0, x1, ...: give them the caller's names.
        self.params_ = self.params_.rename(index=dict(zip(self.model_.exog_columns_ or [], names)))

    def _choose_D(self, y: np.ndarray, m: int) -> int:
        if m <= 1 or self.max_D == 0 or len(y) < 2 * m + 1:
            return 0
        with quiet_statsmodels():
            return int(seasonal_strength(y, m) > 0.64)

    def _choose_d(self, y: np.ndarray, X: np.ndarray | None, m: int, D: int) -> int:
        from tsclassic.arima._css import difference

        x = y
        if X is not None:
            # Test the regression errors, not the regressors' own trends (auto.arima does).
            design = np.column_stack([np.ones(len(y)), X])
            x = y - design @ np.linalg.lstsq(design, y, rcond=None)[0]
        x = difference(x, 0, D, m)
        d = 0
        while d < self.max_d and len(x) > 10 and kpss_says_difference(x):
            x = np.diff(x)
            d += 1
        return d

    def _search(self, y, X, m, d, D):
        """The stepwise search; returns the best CSS fit and the number of models tried."""
        from tsclassic.arima._css import difference, fit_css

        w = difference(y, d, D, m)
        Xw = None if X is None else difference(X, d, D, m)
        seasonal = m > 1
        max_P = self.max_P if seasonal else 0
        max_Q = self.max_Q if seasonal else 0
        # Every candidate conditions on the same first n_cond values, so that their
        # criteria compare; keep that to a third of a short sample by trimming the AR bounds.
        budget = len(w) // 3
        while max_P > 0 and max_P * m > budget:
            max_P -= 1
        max_p = min(self.max_p, max(budget - max_P * m, 0))
        n_cond = max_p + max_P * max(m, 1)
        if len(w) - n_cond < 10:  # too short for any AR term: search MA terms only
            max_p, max_P, n_cond = 0, 0, 0
        if len(w) < 6:
            raise ValueError(
                f"y has {len(y)} observations, too few for the orders searched after "
                f"differencing (d={d}, D={D}); lower max_p/max_P or pass a longer series."
            )
        allow_constant = d + D <= 1
        tried: dict[tuple, Any] = {}

        def visit(p, q, P, Q, c):
            key = (p, q, P, Q, c)
            if (key in tried or min(key[:4]) < 0 or p > max_p or q > self.max_q
                    or P > max_P or Q > max_Q or p + q + P + Q > self.max_order
                    or (c and not allow_constant)):
                return
            with np.errstate(all="ignore"):
                tried[key] = fit_css(w, (p, q, P, Q), m, c, Xw, n_cond)

        c0 = allow_constant
        starts = [(2, 2, 1, 1), (0, 0, 0, 0), (1, 0, 1, 0), (0, 1, 0, 1)]
        for p, q, P, Q in starts:
            visit(min(p, max_p), min(q, self.max_q), min(P, max_P), min(Q, max_Q), c0)

        def best_key():
            scored = [(fit.aicc, key) for key, fit in tried.items() if fit is not None]
            return min(scored)[1] if scored else None

        current = best_key()
        while current is not None and len(tried) < 94:
            p, q, P, Q, c = current
            for step in (-1, 1):
                visit(p + step, q, P, Q, c)
                visit(p, q + step, P, Q, c)
                visit(p + step, q + step, P, Q, c)
                visit(p, q, P + step, Q, c)
                visit(p, q, P, Q + step, c)
                visit(p, q, P + step, Q + step, c)
            visit(p, q, P, Q, not c)
            new = best_key()
            if new == current:
                break
            current = new
        if current is None:
            raise ValueError(
                "no candidate ARIMA model could be fitted to y (every one was non-stationary "
                "or non-invertible); check y for level shifts or pass a longer series."
            )
        return tried[current], len(tried)

    def _final_fit(self, y, X, best) -> None:
        from tsclassic.arima._css import statsmodels_start_params

        def fit(start):
            return SARIMAXForecaster(
                order=self.order_, seasonal_order=self.seasonal_order_,
                deterministic_trend="c" if best.constant else None, max_iter=self.max_iter,
                method="none" if self.method == "css" else "lbfgs", start_params=start,
            ).fit(y, X)

        final = fit(statsmodels_start_params(best))
        if not final.converged_:
            # L-BFGS from CSS estimates can stop at max_iter a few steps short of the optimum
            # (the airline model, from starts that differ in the eighth digit); it resumes
            # once from where it stopped rather than keep an unconverged fit.
            final = fit(final.params_.to_numpy())
        self.model_ = final
        self.params_ = final.params_
        self.aic_, self.aicc_, self.bic_, self.llf_ = final.aic_, final.aicc_, final.bic_, final.llf_

    # -- prediction ---------------------------------------------------------------
    def _future_regressors(self, h: int, X: np.ndarray | None) -> np.ndarray | None:
        if not self.n_harmonics_:
            return X
        t = np.arange(self.n_obs_, self.n_obs_ + h, dtype=float)
        terms = fourier_terms(t, self._fourier_period, self.n_harmonics_)
        return terms if X is None else np.hstack([X, terms])

    def _predict(self, h: int, X: np.ndarray | None) -> np.ndarray:
        return self.model_.predict(h, self._future_regressors(h, X))

    def _predict_interval(self, h, X, coverage):
        bounds = self.model_.predict_interval(h, self._future_regressors(h, X), coverage=coverage)
        return bounds[:, 0], bounds[:, 1]

    def selected_forecaster(self) -> BaseForecaster:
        """An unfitted forecaster with the orders this fit chose, without the search.

        A :class:`SARIMAXForecaster` with ``order_``, ``seasonal_order_`` and the constant,
        fitted by maximum likelihood from statsmodels' starting values (also for
        ``method="css"``: the CSS estimates belong to the search); with Fourier terms
        (a long season), an AutoSARIMAX with ``n_harmonics`` fixed, which still searches
        the orders. :class:`~tsclassic.ConformalIntervals` refits it in its calibration
        windows with ``refit="selected"``.

        Examples
        --------
        >>> import numpy as np
        >>> from tsclassic.arima import AutoSARIMAX
        >>> y = np.cumsum(np.random.default_rng(0).normal(size=60))
        >>> model = AutoSARIMAX(max_order=2).fit(y)
        >>> model.selected_forecaster().order == model.order_
        True
        """
        from sklearn.base import clone

        self._check_fitted()
        if self.n_harmonics_:
            return clone(self).set_params(n_harmonics=self.n_harmonics_)
        return SARIMAXForecaster(order=self.order_, seasonal_order=self.seasonal_order_,
                                 deterministic_trend="c" if self.with_constant_ else None,
                                 max_iter=self.max_iter)

    def summary(self) -> Any:
        """statsmodels' summary table of the final model."""
        self._check_fitted()
        return self.model_.summary()
