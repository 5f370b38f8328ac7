"""AutoETS: exponential smoothing in state-space form, the model chosen by AICc.

The candidate set, the starting values, the bounds and the optimiser follow R's
``forecast::ets`` (version 8), so that the same model is chosen on the same series; the
recursion, the likelihood and the simplex are compiled (``_autoets_kernels``).

References
----------
Hyndman, Koehler, Snyder & Grose (2002), "A state space framework for automatic
forecasting using exponential smoothing methods", IJF 18(3):439-454. Hyndman, Koehler,
Ord & Snyder (2008), *Forecasting with Exponential Smoothing: the State Space Approach*,
Springer (the model classes, ch. 2; the likelihood, ch. 5; the forecast variances, ch. 6).
Hyndman & Khandakar (2008), "Automatic time series forecasting: the forecast package for
R", JSS 27(3).
"""

from __future__ import annotations

import warnings
from typing import Any, ClassVar, NamedTuple

import numpy as np
import pandas as pd

from tsclassic._params import Integral, Interval, StrOptions, renamed_params
from tsclassic._seasonality import seasonal_indices
from tsclassic.base import BaseForecaster, Tags

__all__ = ["AutoETS"]

_CODE = {"N": 0, "A": 1, "M": 2}
# R's default bounds: alpha, beta, gamma, phi (beta < alpha and gamma < 1 - alpha on top).
_LOWER = np.array([1e-4, 1e-4, 1e-4, 0.8])
_UPPER = np.array([0.9999, 0.9999, 0.9999, 0.98])
_MAX_SEASON = 24  # as R's ets: longer seasons are left to STL-based models


class ETSFit(NamedTuple):
    """One fitted ETS model: its name, parameters, criteria and last state."""

    name: str
    error: str
    trend: str
    season: str
    damped: bool
    m: int
    par: np.ndarray  # smoothing parameters, then the initial states (the last season implied)
    state0: np.ndarray  # the full initial state (l, b, s_0..s_-(m-1))
    last: np.ndarray  # the state after the last observation
    resid: np.ndarray
    lik: float  # n log(SSE) [+ 2 sum log|mu|], R's scale
    aic: float
    aicc: float
    bic: float


def parse_model(model: Any, damped: Any) -> tuple[list[str], list[str], list[str], list[bool]]:
    """The letters allowed for error, trend and season, and the damping options.

    ``model`` is three letters (error ``A/M/Z``, trend ``N/A/M/Z``, season ``N/A/M/Z``;
    ``Z`` = choose), or four with a damped trend written ``Ad``/``Md``/``Zd``, as in the
    names AutoETS gives its models (``"MAdN"``).
    """
    text = model if isinstance(model, str) else ""
    if len(text) == 4 and text[2] == "d":
        if damped is False:
            raise ValueError(
                f"model={model!r} asks for a damped trend but damped_trend=False; drop the "
                f"'d' or set damped_trend=None."
            )
        text, damped = text[:2] + text[3], True
    if len(text) != 3 or text[0] not in "AMZ" or text[1] not in "NAMZ" or text[2] not in "NAMZ":
        raise ValueError(
            f"model must be three letters: error A/M/Z, trend N/A/M/Z, season N/A/M/Z "
            f"(e.g. 'ZZZ', 'MAM', or 'MAdN' for a damped trend); got {model!r}."
        )
    if damped is True and text[1] == "N":
        raise ValueError(
            f"damped_trend=True needs a trend, but model={model!r} has none; set its trend "
            f"letter to A, M or Z."
        )
    dampeds = [True, False] if damped is None else [bool(damped)]
    return list(text[0]), list(text[1]), list(text[2]), dampeds


def _forbidden(error: str, trend: str, season: str) -> bool:
    """R's ``restrict=TRUE``: combinations whose forecast variance can be infinite."""
    return (error == "A" and "M" in (trend, season)) or (error, trend, season) == ("M", "M", "A")


def initial_states(y: np.ndarray, m: int, trend: str, season: str) -> np.ndarray:
    """R's heuristic starting states ``(l, b, s_0, ..., s_-(m-2))``.

    The seasons come from a classical decomposition when there are three full seasons,
    from a regression on a line and one Fourier pair otherwise; the level and slope from
    a line through the first ``max(10, 2m)`` seasonally adjusted values.
    """
    n = len(y)
    seasons = np.empty(0)
    adjusted = y
    if season != "N":
        if n < 3 * m:
            t = np.arange(1.0, n + 1)
            columns = [np.ones(n), t, np.cos(2 * np.pi * t / m)]
            if m > 2:  # with m = 2 the sine is identically zero
                columns.append(np.sin(2 * np.pi * t / m))
            coef = np.linalg.lstsq(np.column_stack(columns), y, rcond=None)[0]
            line = coef[0] + coef[1] * t
            seasonal = y - line if season == "A" else y / line
        else:
            figure = seasonal_indices(y, m, multiplicative=season == "M")
            seasonal = figure[np.arange(n) % m]
        seasons = seasonal[1:m][::-1].copy()
        if season == "A":
            adjusted = y - seasonal
        else:
            seasons = np.maximum(seasons, 1e-2)  # no negative seasonal indices
            if seasons.sum() > m:
                seasons = seasons / np.sum(seasons + 1e-2)
            adjusted = y / np.maximum(seasonal, 1e-2)
    first = adjusted[: min(max(10, 2 * (m if season != "N" else 1)), n)]
    if trend == "N":
        return np.r_[first.mean(), seasons]
    slope, intercept = np.polyfit(np.arange(1.0, len(first) + 1), first, 1)
    if trend == "A":
        level = intercept
        if abs(level + slope) < 1e-8:  # a zero first fit would break multiplicative errors
            level, slope = level * 1.001, slope * 0.999
        return np.r_[level, slope, seasons]
    level = intercept + slope  # the first fitted value
    if abs(level) < 1e-8:
        level = 1e-7
    growth = (intercept + 2 * slope) / level  # the ratio of the first two fitted values
    level = level / growth
    growth = float(np.clip(growth, -1e10, 1e10))
    if level < 1e-8 or growth < 1e-8:  # the line was no good start for a growth model
        level, growth = max(first[0], 1e-3), max(first[1] / first[0], 1e-3)
    return np.r_[level, growth, seasons]


def initial_params(trend: str, season: str, damped: bool, m: int) -> np.ndarray:
    """R's starting smoothing parameters, just inside the bounds."""
    alpha = _LOWER[0] + 0.2 * (_UPPER[0] - _LOWER[0]) / m
    par = [alpha]
    if trend != "N":
        par.append(_LOWER[1] + 0.1 * (min(_UPPER[1], alpha) - _LOWER[1]))
    if season != "N":
        par.append(_LOWER[2] + 0.05 * (min(_UPPER[2], 1 - alpha) - _LOWER[2]))
    if damped:
        par.append(_LOWER[3] + 0.99 * (_UPPER[3] - _LOWER[3]))
    return np.array(par)


def n_smoothing(trend: str, season: str, damped: bool) -> int:
    return 1 + (trend != "N") + (season != "N") + int(damped)


def smoothing_values(fit: ETSFit) -> tuple[float, float, float, float]:
    """``(alpha, beta, gamma, phi)`` of a fit, 0 for the absent ones and phi 1 undamped."""
    values = iter(fit.par)
    alpha = next(values)
    beta = next(values) if fit.trend != "N" else 0.0
    gamma = next(values) if fit.season != "N" else 0.0
    phi = next(values) if fit.damped else 1.0
    return float(alpha), float(beta), float(gamma), float(phi)


def fit_ets(y: np.ndarray, error: str, trend: str, season: str, damped: bool, m: int,
            max_nfev: int) -> ETSFit | None:
    """Fit one ETS model by maximum likelihood, as R's ``etsmodel``; ``None`` when the
    series is too short for its parameters or no starting point is feasible."""
    from tsclassic.arima._autoets_kernels import ets_filter, ets_nelder_mead

    m = m if season != "N" else 1
    start = np.r_[initial_params(trend, season, damped, m), initial_states(y, m, trend, season)]
    n = len(y)
    if len(start) >= n - 1:
        return None
    codes = _CODE[error], _CODE[trend], _CODE[season]
    par, _, status = ets_nelder_mead(y, m, *codes, damped, start, _LOWER, _UPPER, max_nfev)
    if status == -1:
        return None
    k = n_smoothing(trend, season, damped)
    state0 = par[k:]
    if season != "N":
        first_season = 2 if trend != "N" else 1
        state0 = np.r_[state0, (m if season == "M" else 0.0) - state0[first_season:].sum()]
    resid, last = np.empty(n), np.empty(len(state0))
    fit = ETSFit(f"{error}{trend}{'d' if damped else ''}{season}", error, trend, season, damped,
                 m, par, state0, last, resid, 0.0, 0.0, 0.0, 0.0)
    lik = ets_filter(y, state0, m, *codes, *smoothing_values(fit), resid, last, False)
    n_par = len(par) + 1  # and the error variance
    aic = lik + 2 * n_par
    aicc = aic + 2 * n_par * (n_par + 1) / (n - n_par - 1) if n - n_par - 1 > 0 else np.inf
    return fit._replace(lik=lik, aic=aic, aicc=aicc, bic=lik + np.log(n) * n_par)


def fit_short_holt(y: np.ndarray, trend: str) -> ETSFit:
    """R's fallback for a series too short for a fixed model (its ``HoltWintersZZ``):
    Holt's linear trend (``trend="A"``) or simple exponential smoothing (``"N"``), never
    damped, by least squares from the fixed initial states ``l = y[0]``, ``b = y[1] - y[0]``
    with ``0 <= alpha, beta <= 1`` (Holt-Winters' ``beta``; the ETS one is ``alpha * beta``),
    L-BFGS-B from R's start (0.2, 0.02). Returned as the ETS(A,A,N) or (A,N,N) it is."""
    from scipy.optimize import minimize

    from tsclassic.arima._autoets_kernels import ets_filter

    n, has_trend = len(y), trend == "A"
    state0 = np.array([y[0], y[1] - y[0]]) if has_trend else np.array([y[0]])
    resid, last = np.empty(n), np.empty(len(state0))

    def sse(p: np.ndarray) -> float:
        beta = p[0] * p[1] if has_trend else 0.0
        ets_filter(y, state0, 1, 1, int(has_trend), 0, p[0], beta, 0.0, 1.0, resid, last, False)
        return float(resid @ resid)

    start = np.array([0.2, 0.02])[: 1 + has_trend]
    p = minimize(sse, start, method="L-BFGS-B", bounds=[(0.0, 1.0)] * len(start)).x
    smoothing = np.r_[p[0], p[0] * p[1]] if has_trend else p[:1]
    fit = ETSFit("AAN" if has_trend else "ANN", "A", trend, "N", False, 1,
                 np.r_[smoothing, state0], state0, last, resid, 0.0, 0.0, 0.0, 0.0)
    lik = ets_filter(y, state0, 1, 1, int(has_trend), 0, *smoothing_values(fit), resid, last,
                     False)
    # The criteria count what was estimated: the smoothing parameters and the variance
    # (the initial states are fixed); at least squares they are the Gaussian likelihood's.
    n_par = len(smoothing) + 1
    aic = lik + 2 * n_par
    aicc = aic + 2 * n_par * (n_par + 1) / (n - n_par - 1) if n - n_par - 1 > 0 else np.inf
    return fit._replace(lik=lik, aic=aic, aicc=aicc, bic=lik + np.log(n) * n_par)


@renamed_params({"damped": "damped_trend", "maxiter": "max_nfev"})
class AutoETS(BaseForecaster):
    """Automatic exponential smoothing: the ETS model with the lowest AICc.

    Every admissible combination of additive or multiplicative error, no / additive /
    additive damped trend and no / additive / multiplicative season is fitted by maximum
    likelihood, and the one with the lowest information criterion is kept, as R's
    ``forecast::ets`` does: the same candidates (``restrict=True`` leaves out the
    combinations with infinite forecast variance, e.g. additive errors with a
    multiplicative season), the same starting values, bounds (``0 < beta < alpha``,
    ``0 < gamma < 1 - alpha``, ``0.8 < phi < 0.98`` and the forecastability region) and
    the same Nelder-Mead simplex.

    Multiplicative parts are tried only on strictly positive data, seasonal ones only
    with ``season_length`` between 2 and 24 and two full seasons of data; otherwise they
    are left out silently when ``model`` lets AutoETS choose, and ``model_`` says what was
    fitted (a part fixed in ``model`` that the data cannot carry is an error).

    Parameters
    ----------
    season_length : int, default 1
        The seasonal period (4 quarterly, 12 monthly); 1 for no season.
    model : str, default "ZZZ"
        Error (``A``, ``M``), trend (``N``, ``A``, ``M``) and season (``N``, ``A``, ``M``)
        letters; ``Z`` lets AutoETS choose that part. ``"MAdN"`` fixes a damped trend.
    damped_trend : bool or None, default None
        Damp the trend (True), never (False), or choose (None); ``damped`` in
        tsclassic 0.1, as :class:`ExponentialSmoothingForecaster` names it.
    restrict : bool, default True
        Leave out the combinations with infinite forecast variance (R's ``restrict``).
    allow_multiplicative_trend : bool, default False
        Also try multiplicative trends when the trend is ``Z`` (R's default leaves them out).
    ic : {"aicc", "aic", "bic"}, default "aicc"
        The criterion that picks the model.
    max_nfev : int, default 2000
        Likelihood evaluations allowed to the simplex of each candidate (``maxiter``
        in tsclassic 0.1; evaluations, not iterations, as the ODE models'
        ``max_nfev``).
    n_paths : int, default 5000
        Simulated paths for the intervals of the classes without analytic variances.
    random_state : int, RandomState instance or None, default None
        Seeds the simulated intervals (drawn once at fit).

    Attributes
    ----------
    model_ : str
        The chosen model, e.g. ``"MAdN"`` (ETS(M,Ad,N)).
    params_ : pd.Series
        ``alpha``, ``beta``, ``gamma``, ``phi`` (those in the model), then the initial
        states ``l``, ``b``, ``s0 .. s{m-1}`` (``s0`` the most recent season).
    llf_ : float
        Gaussian log-likelihood at the estimates (errors' variance concentrated out).
    aic_, aicc_, bic_ : float
        Information criteria from ``llf_``. R prints them without the constant
        ``n (log(2 pi) + 1 - log n)``; the choice of model is the same.
    sigma2_ : float
        Error variance, ``sum(resid**2) / (n - n_params)`` as R's ``ets`` (in the
        short-series fallback of the Notes, ``n_params`` counts the smoothing parameters
        only, its initial states being fixed; R divides by ``n`` there).
    resid_ : ndarray of shape (n_obs,)
        One-step errors (relative errors for multiplicative error models).
    candidates_ : dict
        Criterion of every candidate fitted, by model name.

    Notes
    -----
    A series of at most ``n_params + 4`` values (R's count: 2, plus 2 for a trend, plus
    1 for a fixed damping, plus ``season_length`` for a season; so 9 for ``"AAdN"``, 8 for
    ``"AAN"``) is too short for the model, as in R. With the model fixed to additive
    errors, no season and trend ``A`` or ``N`` (``"AAdN"``, ``"AAN"``, ``"ANN"``), AutoETS
    then does what R's ``ets`` (and so ``holt(damped=TRUE)``, ``ses``) does: it warns and
    fits Holt's linear trend, or simple exponential smoothing, **without damping**, by least
    squares from the initial states ``l = y[0]``, ``b = y[1] - y[0]`` (R's
    ``HoltWintersZZ``); ``model_`` says what was fitted (``"AAN"`` for ``"AAdN"``). It
    needs one value more than its smoothing parameters (3 with a trend, 2 without; R takes
    2 and 1). Its intervals are the ETS(A,A,N) ones with ``beta = alpha * beta_HW``; R's
    read Holt-Winters' ``beta`` as the ETS one, wider (same points). Any other model on
    so short a series is refused, where R falls back likewise.

    Where this departs from R's ``ets`` otherwise: with ``Z`` letters, a series of at most
    6 values is refused, where R compares Holt-Winters fits by least squares; a seasonal
    candidate needs two full seasons, where R tries it from
    ``season_length + 1`` values. A candidate with as many parameters as values less one
    is skipped, as in R. Intervals are analytic for the linear models (additive error, no
    or additive trend and season: ``v_h = sigma2 (1 + sum_{j<h} c_j^2)``, Hyndman et al.
    2008, ch. 6); the others are quantiles of ``n_paths`` simulated paths (R uses
    approximate formulas for some of them). The point forecast is the forecast function
    of the model, as in R (not the mean of the paths).

    Examples
    --------
    >>> import numpy as np
    >>> from tsclassic.arima import AutoETS
    >>> t = np.arange(48)
    >>> y = 100 + 2 * t + 10 * np.sin(2 * np.pi * t / 12)
    >>> y = y + np.random.default_rng(0).normal(0, 1, 48)
    >>> est = AutoETS(season_length=12).fit(y)
    >>> est.model_
    'MAA'
    >>> est.predict(3).round(1)
    array([196.4, 203.9, 209.5])

    References
    ----------
    Hyndman, Koehler, Snyder & Grose (2002), IJF 18(3):439-454. Hyndman, Koehler, Ord &
    Snyder (2008), *Forecasting with Exponential Smoothing*, Springer. Hyndman & Khandakar
    (2008), JSS 27(3).
    """

    _tags: ClassVar[Tags] = Tags(intervals=True)
    _parameter_constraints: ClassVar[dict[str, list]] = {
        "season_length": [Interval(Integral, 1, None, closed="left")],
        "model": [str],
        "damped_trend": ["boolean", None],
        "restrict": ["boolean"],
        "allow_multiplicative_trend": ["boolean"],
        "ic": [StrOptions({"aicc", "aic", "bic"})],
        "max_nfev": [Interval(Integral, 1, None, closed="left")],
        "n_paths": [Interval(Integral, 100, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        season_length: int = 1,
        *,
        model: str = "ZZZ",
        damped_trend: bool | None = None,
        restrict: bool = True,
        allow_multiplicative_trend: bool = False,
        ic: str = "aicc",
        max_nfev: int = 2000,
        n_paths: int = 5000,
        random_state: Any = None,
    ):
        self.season_length = season_length
        self.model = model
        self.damped_trend = damped_trend
        self.restrict = restrict
        self.allow_multiplicative_trend = allow_multiplicative_trend
        self.ic = ic
        self.max_nfev = max_nfev
        self.n_paths = n_paths
        self.random_state = random_state

    @classmethod
    def _test_params(cls) -> list[dict]:
        return [{}, {"season_length": 12}, {"season_length": 12, "model": "MAdM"}]

    def _r_count(self) -> int:
        """R's ``ets`` count of what a fixed model needs (without a fixed season, which
        adds ``season_length``: checked in ``_candidates``); at most ``count + 4`` values
        are too few for the model."""
        errors, trends, seasons, dampeds = parse_model(self.model, self.damped_trend)
        return 2 + 2 * (trends[0] in "AM") + int(dampeds == [True])

    def _short_fallback(self) -> str | None:
        """The trend letter (``"A"``, ``"N"``) of the fixed model that R's ets replaces by
        its least-squares Holt-Winters fit on a short series, or None where AutoETS has
        no such fallback (a season, multiplicative parts, letters left to choose)."""
        errors, trends, seasons, dampeds = parse_model(self.model, self.damped_trend)
        season = "N" if seasons == ["Z"] and self.season_length == 1 else seasons[0]
        if errors == ["A"] and trends[0] in "AN" and season == "N":
            return trends[0]
        return None

    def _min_length(self) -> tuple[int, str]:
        trend = self._short_fallback()
        if trend is not None:
            return 2 + (trend == "A"), "the smoothing parameters of the short-series fallback"
        return self._r_count() + 5, "the smoothing parameters and initial states of the model"

    def _candidates(self, y: np.ndarray) -> list[tuple[str, str, str, bool]]:
        errors, trends, seasons, dampeds = parse_model(self.model, self.damped_trend)
        m, n = self.season_length, len(y)
        positive = bool(np.all(y > 0))
        if not positive and "M" in errors + trends + seasons:
            raise ValueError(
                f"y has values <= 0, but model={self.model!r} has a multiplicative part, "
                f"which needs strictly positive data; use A or Z for that letter, or shift y."
            )
        if seasons == ["Z"]:
            seasons = ["N", "A", "M"]
            if m > _MAX_SEASON:
                warnings.warn(
                    f"season_length={m} is above {_MAX_SEASON}; AutoETS ignores the season "
                    f"(as R's ets does). For long seasons use DecompositionForecaster.",
                    UserWarning, stacklevel=3,
                )
            if m == 1 or m > _MAX_SEASON or n < 2 * m:
                seasons = ["N"]
        elif seasons[0] != "N":
            if m == 1 or m > _MAX_SEASON:
                raise ValueError(
                    f"model={self.model!r} fixes a season but season_length={m}; set "
                    f"season_length between 2 and {_MAX_SEASON} or the season letter to N or Z."
                )
            if n < 2 * m:
                raise ValueError(
                    f"model={self.model!r} fixes a season of season_length={m}, which needs "
                    f"two full seasons ({2 * m} values) but y has {n}; use a shorter "
                    f"season_length, a longer y, or the season letter N or Z."
                )
            n_min = self._min_length()[0] + m
            if n < n_min:
                raise ValueError(
                    f"y has {n} values but model={self.model!r} with season_length={m} "
                    f"needs at least {n_min} for its parameters and initial states; use a "
                    f"longer y or the season letter Z."
                )
        if trends == ["Z"]:
            trends = ["N", "A", "M"] if self.allow_multiplicative_trend else ["N", "A"]
        if errors == ["Z"]:
            errors = ["A", "M"]
        out = []
        for error in errors:
            for trend in trends:
                for season in seasons:
                    for damped in dampeds:
                        if (trend == "N" and damped) or (self.restrict and _forbidden(error, trend, season)):
                            continue
                        if not positive and "M" in (error, trend, season):
                            continue
                        out.append((error, trend, season, damped))
        if not out:
            raise ValueError(
                f"model={self.model!r} is a combination that restrict=True leaves out "
                f"(additive errors with a multiplicative part, or M trend with A season); "
                f"choose another model or set restrict=False."
            )
        return out

    def _fit(self, y: np.ndarray, X: np.ndarray | None) -> None:
        from tsclassic._random import seed_from

        self._seed = seed_from(self.random_state)
        n = len(y)
        fallback = None
        # R's criteria leave out this constant of the Gaussian -2 log-likelihood.
        offset = n * (np.log(2 * np.pi) + 1 - np.log(n))
        if self.model == "ZZZ" and self.damped_trend is None and np.ptp(y) == 0:
            # A constant series: R's ets returns SES with alpha 0.99999, a flat forecast.
            state = np.array([y[0]])
            best = ETSFit("ANN", "A", "N", "N", False, 1, np.r_[0.99999, y[0]], state, state,
                          np.zeros(n), -np.inf, -np.inf, -np.inf, -np.inf)
            self.candidates_ = {}
        elif self._short_fallback() is not None and n <= self._r_count() + 4:
            trend = self._short_fallback()
            fallback = ("Holt's linear trend (AAN)" if trend == "A"
                        else "simple exponential smoothing (ANN)")
            states = "l = y[0], b = y[1] - y[0]" if trend == "A" else "l = y[0]"
            warnings.warn(
                f"y has {n} values, too few for model={self.model!r} with "
                f"damped_trend={self.damped_trend} (R's ets needs more than "
                f"{self._r_count() + 4}); fitting {fallback}, undamped, by least squares "
                f"from {states}, as R's ets (and holt(damped=TRUE), ses) do on so short a "
                f"series; model_ says what was fitted. For the model itself use a longer y.",
                UserWarning, stacklevel=3,
            )
            best = fit_short_holt(y, trend)
            self.candidates_ = {best.name: float(getattr(best, self.ic) + offset)}
        else:
            fits = [
                fit_ets(y, *cand, self.season_length, self.max_nfev) for cand in self._candidates(y)
            ]
            scored = {f.name: getattr(f, self.ic) for f in fits if f is not None}
            # -inf (an exact fit) counts, as in R; NaN and +inf (too many parameters) do not.
            usable = [f for f in fits if f is not None and getattr(f, self.ic) < np.inf]
            if not usable:
                raise ValueError(
                    f"no ETS model could be fitted to y ({n} values): every candidate has "
                    f"too many parameters for it; use a longer y or a smaller model."
                )
            best = min(usable, key=lambda f: getattr(f, self.ic))  # first wins ties, as in R
            self.candidates_ = {name: float(v + offset) for name, v in scored.items()}
        self._best = best
        self.model_ = best.name
        self.llf_ = float(-0.5 * (best.lik + offset))
        self.aic_ = float(best.aic + offset)
        self.aicc_ = float(best.aicc + offset)
        self.bic_ = float(best.bic + offset)
        # Over the values less what was estimated: every parameter, or in the short-series
        # fallback (fixed initial states) its smoothing parameters only (R divides by n there).
        n_est = len(best.par) if fallback is None else n_smoothing(best.trend, "N", False)
        self.sigma2_ = float(np.sum(best.resid**2) / (n - n_est))
        self.resid_ = best.resid
        k = n_smoothing(best.trend, best.season, best.damped)
        names = ["alpha", "beta", "gamma", "phi"]
        names = [name for name, on in zip(names, [True, best.trend != "N", best.season != "N",
                                                   best.damped]) if on]
        names += ["l"] + (["b"] if best.trend != "N" else [])
        names += [f"s{j}" for j in range(best.m)] if best.season != "N" else []
        self.params_ = pd.Series(np.r_[best.par[:k], best.state0], index=names)

    def selected_forecaster(self) -> AutoETS:
        """An unfitted AutoETS fixed to the model this fit chose (``model_``).

        Refitting it re-estimates the smoothing parameters and initial states of that one
        model only, about a fifth of a full fit, as
        :class:`~tsclassic.ConformalIntervals` does in its calibration windows with
        ``refit="selected"``.

        Examples
        --------
        >>> import numpy as np
        >>> from tsclassic.arima import AutoETS
        >>> y = 10 + np.cumsum(np.random.default_rng(0).normal(0.5, 1, 40))
        >>> est = AutoETS().fit(y)
        >>> est.selected_forecaster().model == est.model_
        True
        """
        from sklearn.base import clone

        self._check_fitted()
        return clone(self).set_params(model=self.model_, damped_trend="d" in self.model_)

    def _paths(self, h: int, eps: np.ndarray) -> np.ndarray:
        from tsclassic.arima._autoets_kernels import ets_simulate

        best = self._best
        return ets_simulate(best.last, best.m, _CODE[best.error], _CODE[best.trend],
                            _CODE[best.season], *smoothing_values(best), eps)

    def _predict(self, h: int, X: np.ndarray | None) -> np.ndarray:
        return self._paths(h, np.zeros((1, h)))[0]

    def _predict_interval(self, h, X, coverage):
        from scipy.stats import norm

        best = self._best
        mean = self._predict(h, X)
        if best.error == "A" and best.trend != "M" and best.season != "M":
            # Class 1 (Hyndman et al. 2008, ch. 6): v_h = sigma2 (1 + sum_{j<h} c_j^2).
            half = norm.ppf(0.5 + coverage / 2) * np.sqrt(self.sigma2_ * _class1_factor(best, h))
            return mean - half, mean + half
        rng = np.random.default_rng(self._seed)
        eps = rng.normal(0.0, np.sqrt(self.sigma2_), size=(self.n_paths, h))
        paths = self._paths(h, eps)
        lower = np.nanquantile(paths, 0.5 - coverage / 2, axis=0)
        upper = np.nanquantile(paths, 0.5 + coverage / 2, axis=0)
        return lower, upper


def _class1_factor(fit: ETSFit, h: int) -> np.ndarray:
    """``1 + sum_{j=1}^{h-1} c_j^2`` with ``c_j = alpha + beta (phi + .. + phi^j) + gamma
    [j = 0 mod m]``: the h-step variance of a linear ETS model over sigma2."""
    alpha, beta, gamma, phi = smoothing_values(fit)
    j = np.arange(1, h)
    damp = np.cumsum(phi ** j) if h > 1 else np.zeros(0)
    c = alpha + beta * damp + gamma * ((j % fit.m) == 0) * (fit.season != "N")
    return np.r_[1.0, 1.0 + np.cumsum(c**2)]
