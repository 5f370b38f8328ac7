"""Wrappers: forecasters that hold forecasters.

:class:`EnsembleForecaster` combines the forecasts of several forecasters (the Comb and
SCUM designs of the M competitions); :class:`ConformalIntervals` gives any forecaster
prediction intervals calibrated on its own rolling-origin errors. Both are forecasters
like any other: cloned, pickled and checked by the conformance suite, their members
reachable through ``get_params(deep=True)``.

They live in the core, not in an approach subpackage, because they wrap forecasters of
every approach (an ensemble of Theta, SARIMAX and a k-NN analogue is as valid as one of
exponential smoothing models).
"""

from __future__ import annotations

import warnings
from typing import Any, ClassVar

import numpy as np
from sklearn.base import clone

from tsclassic._params import HasMethods, Integral, Interval, StrOptions
from tsclassic.base import BaseForecaster, Tags, get_tags

__all__ = ["EnsembleForecaster", "ConformalIntervals"]


class _MemberTags:
    """Tags computed from an instance's members; the class itself reads the defaults."""

    def __init__(self, default: Tags):
        self.default = default

    def __get__(self, obj: Any, owner: type) -> Tags:
        return self.default if obj is None else obj._member_tags()


def _all_tags(members: list, name: str) -> bool:
    return bool(members) and all(getattr(get_tags(m), name) for m in members)


def _check_forecaster(value: Any, argument: str) -> None:
    if not (hasattr(value, "fit") and hasattr(value, "predict") and hasattr(value, "get_params")):
        raise TypeError(
            f"{argument} must hold tsclassic forecasters (objects with fit, predict and "
            f"get_params); got {type(value).__name__}: pass an instance such as AutoTheta()."
        )


class EnsembleForecaster(BaseForecaster):
    """Combine the forecasts of several forecasters by their median or mean.

    Each member is cloned and fitted on the same series; the point forecasts are
    combined step by step, and so are the members' interval bounds (the median of the
    lower bounds, of the upper bounds). A member that fails to fit or forecast is dropped
    with a warning naming it, and the ensemble fails only when every member does.

    The median of exponential smoothing, CES or ARIMA, and the dynamic optimised Theta
    model is SCUM (Petropoulos & Svetunkov 2020), which beat every M4 benchmark; the mean
    of SES, Holt and damped is the M3 combination Comb (Makridakis & Hibon 2000).

    Parameters
    ----------
    forecasters : list of forecasters or of (name, forecaster) pairs
        The members, scikit-learn style: unnamed members are named after their class
        in lower case (``"autotheta"``, then ``"autotheta_2"``), so that
        ``get_params(deep=True)`` gives ``autotheta__season_length``.
    aggregate : {"median", "mean"}, default "median"
        How forecasts and bounds are combined at each step.

    Attributes
    ----------
    forecasters_ : list of (name, forecaster)
        The members that fitted (and forecast), fitted.
    failed_ : dict
        Name of each dropped member and its error.

    References
    ----------
    Makridakis & Hibon (2000), "The M3-Competition: results, conclusions and
    implications", IJF 16(4):451-476. Petropoulos & Svetunkov (2020), "A simple
    combination of univariate models", IJF 36(1):110-115.

    Examples
    --------
    >>> import numpy as np
    >>> from tsclassic import Drift, EnsembleForecaster, Naive
    >>> y = np.array([1.0, 2.0, 4.0])
    >>> EnsembleForecaster([Naive(), Drift()], aggregate="mean").fit(y).predict(2)
    array([4.75, 5.5 ])
    """

    _tags: ClassVar[Any] = _MemberTags(Tags())
    _parameter_constraints: ClassVar[dict] = {
        "forecasters": [list, tuple],
        "aggregate": [StrOptions({"median", "mean"})],
    }

    def __init__(self, forecasters: list, *, aggregate: str = "median"):
        self.forecasters = forecasters
        self.aggregate = aggregate

    @classmethod
    def _test_params(cls) -> list[dict]:
        from tsclassic.arima import ThetaForecaster
        from tsclassic.baselines import Drift, Naive, SeasonalNaive

        return [{"forecasters": [Naive(), Drift()]},
                {"forecasters": [("theta", ThetaForecaster(12)), ("snaive", SeasonalNaive(12))],
                 "aggregate": "mean"}]

    # -- members -------------------------------------------------------------
    def _named(self) -> list[tuple[str, Any]]:
        """The members as (name, forecaster), validated."""
        if not isinstance(self.forecasters, (list, tuple)) or len(self.forecasters) == 0:
            raise ValueError(
                f"forecasters must be a non-empty list of forecasters or (name, forecaster) "
                f"pairs; got {self.forecasters!r}: pass e.g. [AutoTheta(), AutoSARIMAX()]."
            )
        named, counts = [], {}
        for item in self.forecasters:
            if isinstance(item, tuple):
                if len(item) != 2 or not isinstance(item[0], str):
                    raise TypeError(
                        f"forecasters pairs must be (name, forecaster) with a str name; got {item!r}."
                    )
                name, member = item
            else:
                member = item
                base = type(item).__name__.lower()
                counts[base] = counts.get(base, 0) + 1
                name = base if counts[base] == 1 else f"{base}_{counts[base]}"
            _check_forecaster(member, "forecasters")
            named.append((name, member))
        names = [n for n, _ in named]
        bad = sorted({n for n in names if names.count(n) > 1 or "__" in n or n in self.get_params(deep=False)})
        if bad:
            raise ValueError(
                f"forecasters has invalid or repeated names {bad}; give each member a unique "
                f"name without '__' that is not a parameter name."
            )
        return named

    def get_params(self, deep: bool = True) -> dict:
        params = super().get_params(deep=False)
        if deep and isinstance(self.forecasters, (list, tuple)) and self.forecasters:
            for name, member in self._named():
                params[name] = member
                params.update({f"{name}__{k}": v for k, v in member.get_params(deep=True).items()})
        return params

    def set_params(self, **params: Any) -> EnsembleForecaster:
        own = {k: params.pop(k) for k in list(params) if k in ("forecasters", "aggregate")}
        super().set_params(**own)
        if not params:
            return self
        members = dict(self._named())
        items = list(self.forecasters)
        for key, value in params.items():
            name, _, sub = key.partition("__")
            if name not in members:
                raise ValueError(
                    f"Invalid parameter {key!r} for EnsembleForecaster; members are {list(members)}."
                )
            if sub:
                members[name].set_params(**{sub: value})
            else:  # replace a whole member, keeping its position and name
                position = list(members).index(name)
                old = items[position]
                items[position] = (name, value) if isinstance(old, tuple) else value
                members[name] = value
        self.forecasters = items
        return self

    def _member_tags(self) -> Tags:
        try:
            members = [m for _, m in self._named()]
        except (TypeError, ValueError):
            members = []
        return Tags(exogenous=_all_tags(members, "exogenous"),
                    allow_nan=_all_tags(members, "allow_nan"),
                    intervals=_all_tags(members, "intervals"))

    # -- fitting -------------------------------------------------------------
    def _min_length(self) -> tuple[int, str]:
        lengths = [m.min_length() for _, m in self._named() if hasattr(m, "min_length")]
        shortest = min(lengths, default=(1, ""))
        return shortest[0], f"the least any member needs{': ' + shortest[1] if shortest[1] else ''}"

    def _drop(self, name: str, err: Exception, stage: str) -> None:
        self.failed_[name] = f"{type(err).__name__}: {err}"
        warnings.warn(
            f"EnsembleForecaster: member {name!r} failed to {stage} and is left out of the "
            f"combination ({type(err).__name__}: {err}).", UserWarning, stacklevel=4,
        )

    def _none_left(self) -> ValueError:
        details = "; ".join(f"{n}: {e}" for n, e in self.failed_.items())
        return ValueError(f"every member of forecasters failed ({details}); fix the members or "
                          f"pass ones that suit the series.")

    def _fit(self, y: np.ndarray, X: np.ndarray | None) -> None:
        self.failed_: dict[str, str] = {}
        fitted = []
        for name, member in self._named():
            model = clone(member)
            try:
                model.fit(y, X) if X is not None else model.fit(y)
            except Exception as err:  # noqa: BLE001 - a failing member is dropped, with a warning
                self._drop(name, err, "fit")
                continue
            fitted.append((name, model))
        if not fitted:
            raise self._none_left()
        self.forecasters_ = fitted

    def _combine(self, call: Any) -> np.ndarray:
        outputs = []
        for name, model in self.forecasters_:
            try:
                out = np.asarray(call(model), dtype=float)
            except Exception as err:  # noqa: BLE001 - as at fit
                self._drop(name, err, "forecast")
                continue
            if not np.isfinite(out).all():
                self._drop(name, ValueError("non-finite forecast"), "forecast")
                continue
            outputs.append(out)
        if not outputs:
            raise self._none_left()
        stack = np.stack(outputs)
        return np.median(stack, axis=0) if self.aggregate == "median" else stack.mean(axis=0)

    def _predict(self, h: int, X: np.ndarray | None) -> np.ndarray:
        return self._combine(lambda m: m.predict(h, X) if X is not None else m.predict(h))

    def predict_interval(self, h: int, X: Any = None, coverage: float = 0.9) -> Any:
        without = [name for name, m in self._named() if not get_tags(m).intervals]
        if without:
            raise ValueError(
                f"forecasters {without} have no prediction intervals, so the ensemble cannot "
                f"combine bounds; wrap each in ConformalIntervals(...) (e.g. "
                f"ConformalIntervals({without[0]}_forecaster)) or drop them."
            )
        return super().predict_interval(h, X, coverage)

    def _predict_interval(self, h, X, coverage):
        def bounds(m):
            out = m.predict_interval(h, X, coverage=coverage) if X is not None else \
                m.predict_interval(h, coverage=coverage)
            return np.asarray(out, dtype=float)

        combined = self._combine(bounds)
        return combined[:, 0], combined[:, 1]


def conformal_quantile(scores: np.ndarray, coverage: float, owner: str, *,
                       scores_per_window: int = 1) -> np.ndarray:
    """The split-conformal quantile of each column of ``scores`` (one row per score).

    The ``ceil((K + 1) * coverage)``-th smallest of the K scores, or the largest with a
    warning when that rank exceeds K (the interval then covers at most ``K / (K + 1)``).
    ``scores_per_window`` is how many of the K scores each calibration window gives (the
    warning's advice counts windows).
    """
    scores = np.sort(scores, axis=0)
    k = scores.shape[0]
    if np.ceil((k + 1) * coverage) > k:
        # Even the largest of k scores holds a new error with probability k / (k + 1)
        # only: the interval would silently fall short of the coverage asked for.
        needed = int(np.ceil(np.ceil(coverage / (1 - coverage)) / scores_per_window))
        warnings.warn(
            f"{owner}: {k} calibration scores cover at most {k / (k + 1):.0%}, short of "
            f"coverage={coverage:g}; pass n_windows >= {needed} (and a series long enough "
            f"for them) or a lower coverage.", UserWarning, stacklevel=4,
        )
    return scores[min(int(np.ceil((k + 1) * coverage)), k) - 1]


class ConformalIntervals(BaseForecaster):
    """Prediction intervals for any forecaster, calibrated on its rolling-origin errors.

    The point forecast is the wrapped forecaster's, fitted on the whole series. For
    ``predict_interval(h)`` the forecaster is refitted at ``n_windows`` forecast origins
    ``n - h, n - h - 1, ...`` (each forecasting ``h`` steps of data it has not seen),
    and for each step ``j`` the interval's half-width is the split-conformal quantile of
    the ``n_windows`` absolute ``j``-step errors: the ``ceil((K + 1) * coverage)``-th
    smallest of the K scores (the largest when that rank exceeds K, which bounds the
    nominal coverage at ``K / (K + 1)``). The calibration is computed once per ``h`` and
    kept.

    Split conformal assumes the errors of the calibration windows and of the future
    exchangeable. For a series whose spread grows with its level (sales, most business
    data), the future's errors are larger than the past's; ``method="relative"`` then
    calibrates the errors relative to the forecast, ``|y - f| / |f|``, and the interval
    is ``f +/- q |f|`` (a locally weighted score, Lei et al. 2018, with the forecast's
    magnitude as the local scale).

    ``method="normalized"`` (for forecasters with intervals of their own) divides each
    error by the forecaster's own 90% half-width for that step at that origin, a
    scale-free score, and pools the scores of all ``h`` steps: ``K = n_windows * h``
    scores reach the finite-sample rank ``ceil((K + 1) * coverage)`` where the scores
    of one step are too few (the short yearly series that fit 5 windows). The interval
    is the forecast plus or minus ``q`` times the final fit's own half-width: the model
    keeps the shape of its intervals over the steps, the calibration sets their size.
    The steps of one window are correlated, so the pool is not fully exchangeable and
    coverage falls a little short of nominal (random walks, 5 windows, h = 6: 86% of a
    promised 90%, against 79% per step). On 218 M1 series with ThetaForecaster its 95%
    intervals held 87.8% of the test points, against 76.6% per step on absolute errors
    and 69.7% for Theta's own.

    Parameters
    ----------
    forecaster : forecaster
        Any tsclassic forecaster, with or without intervals of its own; cloned.
    n_windows : int, default 19
        Calibration windows. 19 is the fewest for which a 95% interval can reach its
        nominal coverage; a series too short for them uses as many as fit, with a warning.
    method : {"split", "relative", "normalized"}, default "split"
        Split conformal prediction per horizon step on absolute errors (Stankeviciute et
        al. 2021), on errors relative to the forecast, or pooled over the steps on errors
        relative to the forecaster's own interval half-widths.

    Attributes
    ----------
    forecaster_ : forecaster
        The forecaster fitted on the whole series.

    References
    ----------
    Stankeviciute, Alaa & van der Schaar (2021), "Conformal time-series forecasting",
    NeurIPS 34. Lei, G'Sell, Rinaldo, Tibshirani & Wasserman (2018), "Distribution-free
    predictive inference for regression", JASA 113(523) (locally weighted scores). Vovk,
    Gammerman & Shafer (2005), *Algorithmic Learning in a Random World*
    (split conformal). statsforecast's ``ConformalIntervals`` (rolling windows, per step).

    Examples
    --------
    >>> import numpy as np
    >>> from tsclassic import ConformalIntervals, Mean
    >>> y = np.random.default_rng(0).normal(10, 1, 60)
    >>> model = ConformalIntervals(Mean(), n_windows=19).fit(y)
    >>> model.predict_interval(2, coverage=0.9).shape
    (2, 2)
    """

    _tags: ClassVar[Any] = _MemberTags(Tags(intervals=True))
    _parameter_constraints: ClassVar[dict] = {
        "forecaster": [HasMethods(["fit", "predict", "get_params"])],
        "n_windows": [Interval(Integral, 1, None, closed="left")],
        "method": [StrOptions({"split", "relative", "normalized"})],
    }

    def __init__(self, forecaster: Any, *, n_windows: int = 19, method: str = "split"):
        self.forecaster = forecaster
        self.n_windows = n_windows
        self.method = method

    @classmethod
    def _test_params(cls) -> list[dict]:
        from tsclassic.arima import ThetaForecaster
        from tsclassic.baselines import Drift

        return [{"forecaster": Drift(), "n_windows": 10},
                {"forecaster": ThetaForecaster(12), "n_windows": 10}]

    def _member_tags(self) -> Tags:
        exogenous = get_tags(self.forecaster).exogenous if hasattr(self.forecaster, "fit") else False
        return Tags(exogenous=exogenous, intervals=True)

    def _min_length(self) -> tuple[int, str]:
        inner = self.forecaster.min_length() if hasattr(self.forecaster, "min_length") else (1, "")
        return inner[0] + 1, f"{inner[1] or 'the forecaster'}, and one more value to calibrate on"

    def _fit(self, y: np.ndarray, X: np.ndarray | None) -> None:
        if self.method == "normalized" and not get_tags(self.forecaster).intervals:
            raise ValueError(
                f"method='normalized' scales the errors by the forecaster's own intervals, "
                f"but {type(self.forecaster).__name__} has none; use method='split' or "
                f"'relative'."
            )
        self.forecaster_ = clone(self.forecaster)
        self.forecaster_.fit(y, X) if X is not None else self.forecaster_.fit(y)
        self._y, self._X = y, X
        self._scores: dict[int, np.ndarray] = {}

    def _predict(self, h: int, X: np.ndarray | None) -> np.ndarray:
        return self.forecaster_.predict(h, X) if X is not None else self.forecaster_.predict(h)

    def _calibrate(self, h: int) -> np.ndarray:
        """Absolute errors, shape (windows, h), at origins n - h, n - h - 1, ..."""
        if h in self._scores:
            return self._scores[h]
        y, X, n = self._y, self._X, len(self._y)
        shortest = self._min_length()[0] - 1
        origins = [o for o in range(n - h, n - h - self.n_windows, -1) if o >= shortest]
        scores = []
        for origin in origins:
            model = clone(self.forecaster)
            try:
                if X is None:
                    forecast = model.fit(y[:origin]).predict(h)
                else:
                    forecast = model.fit(y[:origin], X[:origin]).predict(h, X[origin : origin + h])
                scale = self._own_half_width(model, h, None if X is None else X[origin : origin + h])
            except Exception as err:  # noqa: BLE001 - a window the model cannot fit is skipped
                warnings.warn(f"ConformalIntervals: the fit at origin {origin} failed and that "
                              f"window is skipped ({type(err).__name__}: {err}).", UserWarning,
                              stacklevel=3)
                continue
            forecast = np.asarray(forecast, dtype=float)
            error = np.abs(y[origin : origin + h] - forecast)
            if self.method != "split":
                # A zero forecast (half-width) has no scale: its error counts as unbounded.
                scale = np.abs(forecast) if scale is None else scale
                error = np.divide(error, scale, out=np.full(h, np.inf), where=scale > 0)
            scores.append(error)
        if not scores:
            raise ValueError(
                f"y has {n} observations, too few to calibrate {h}-step intervals of "
                f"{type(self.forecaster).__name__} (a fit needs {shortest} before the first "
                f"of the {h} held values); pass a longer series or a shorter h."
            )
        if len(scores) < self.n_windows:
            warnings.warn(
                f"ConformalIntervals: only {len(scores)} of n_windows={self.n_windows} "
                f"calibration windows fit in y ({n} observations, h={h}); the intervals' "
                f"coverage can fall short of nominal: pass a longer series or lower h.",
                UserWarning, stacklevel=3,
            )
        self._scores[h] = np.vstack(scores)
        return self._scores[h]

    def _own_half_width(self, model: Any, h: int, X: np.ndarray | None) -> np.ndarray | None:
        """The fitted forecaster's own 90% half-width per step (``normalized`` only)."""
        if self.method != "normalized":
            return None
        bounds = model.predict_interval(h, coverage=0.9) if X is None else \
            model.predict_interval(h, X, coverage=0.9)
        bounds = np.asarray(bounds, dtype=float)
        return (bounds[:, 1] - bounds[:, 0]) / 2

    def _predict_interval(self, h, X, coverage):
        scores = self._calibrate(h)
        pooled = self.method == "normalized"
        if pooled:  # scale-free: one pool of every step's scores
            scores = scores.reshape(-1, 1)
        half = conformal_quantile(scores, coverage, "ConformalIntervals",
                                  scores_per_window=h if pooled else 1)
        mean = self._predict(h, X)
        if self.method == "relative":
            half = half * np.abs(mean)
        elif self.method == "normalized":
            half = half * self._own_half_width(self.forecaster_, h, X)
        return mean - half, mean + half
