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
from tsclassic.metrics import _seasonal_naive_mae

__all__ = ["EnsembleForecaster", "ConformalIntervals", "selected_structure"]


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

    def selected_forecaster(self) -> EnsembleForecaster:
        """An unfitted ensemble of the members that fitted, each fixed to the structure it
        chose (:func:`selected_structure`), combined the same way."""
        self._check_fitted()
        return EnsembleForecaster([(name, selected_structure(model)) for name, model in self.forecasters_],
                                  aggregate=self.aggregate)

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
                       scores_per_window: int = 1, distinct: int | None = None) -> np.ndarray:
    """The split-conformal quantile of each column of ``scores`` (one row per score).

    The ``ceil((K + 1) * coverage)``-th smallest of the K scores, or the largest with a
    warning when that rank exceeds K (the interval then covers at most ``K / (K + 1)``).
    ``scores_per_window`` is how many of the K scores each calibration window gives (the
    warning's advice counts windows). ``distinct``, when given, is how many exchangeable
    scores the K are worth (pooled scores of overlapping windows: the number of distinct
    held values they are errors on): the rank is then set for ``distinct`` scores, the
    empirical quantile of the K at level ``ceil((distinct + 1) * coverage) / distinct``,
    and the warning counts ``distinct``.
    """
    scores = np.sort(scores, axis=0)
    k = scores.shape[0]
    m = k if distinct is None else int(distinct)
    if np.ceil((m + 1) * coverage) > m:
        # Even the largest of m scores holds a new error with probability m / (m + 1)
        # only: the interval would silently fall short of the coverage asked for.
        fewest = int(np.ceil(coverage / (1 - coverage)))  # the fewest m that can reach it
        if distinct is None:
            needed = int(np.ceil(fewest / scores_per_window))
        else:  # each window beyond the first adds one distinct held value
            needed = max(fewest - (m - k // scores_per_window), 1)
        warnings.warn(
            f"{owner}: {m} calibration scores cover at most {m / (m + 1):.0%}, short of "
            f"coverage={coverage:g}; pass n_windows >= {needed} (and a series long enough "
            f"for them) or a lower coverage.", UserWarning, stacklevel=4,
        )
    rank = min(np.ceil((m + 1) * coverage), m) / m  # the level of the m exchangeable scores
    return scores[min(int(np.ceil(rank * k - 1e-9)), k) - 1]


def naive_scale(y: np.ndarray, season_length: int) -> float:
    """In-sample MAE of the seasonal naive forecast (the MASE scale); lag 1 when the
    series is too short for a season and a lag."""
    lag = season_length if len(y) > season_length + 1 else 1
    return _seasonal_naive_mae(y, lag) if len(y) > lag else np.nan


def selected_structure(forecaster: Any) -> Any:
    """An unfitted forecaster with the structure a fitted ``forecaster`` chose.

    ``forecaster.selected_forecaster()`` where the class offers it (the automatic
    models: AutoETS's ``model_``, AutoTheta's ``model_``, AutoSARIMAX's orders, an
    ensemble's members); otherwise an unfitted clone, which is the same thing for a
    forecaster that chooses nothing.
    """
    if hasattr(forecaster, "selected_forecaster"):
        return forecaster.selected_forecaster()
    return clone(forecaster)


class ConformalIntervals(BaseForecaster):
    """Prediction intervals for any forecaster, calibrated on its rolling-origin errors.

    The point forecast is the wrapped forecaster's, fitted on the whole series. For
    ``predict_interval(h)`` the forecaster is refitted at ``n_windows`` forecast origins
    ``n - h, n - h - 1, ...`` (each forecasting ``h`` steps of data it has not seen), and
    the interval is calibrated on the errors ``e[o, j]`` of those windows by split
    conformal prediction (Vovk et al. 2005): the half-width comes from the
    ``ceil((K + 1) * coverage)``-th smallest of K scores, which holds a new score with
    probability at least ``coverage`` when the K scores and the new one are exchangeable
    (the largest when that rank exceeds K, with a warning: the interval then covers at
    most ``K / (K + 1)``; ``"scaled"`` counts its pooled scores as fewer, below). A
    window whose fit fails, or diverges (an error over 1,000 times the in-sample MAE of
    the naive forecast before its origin, or a non-finite forecast), is skipped with a
    warning naming its origin. The calibration is computed once per ``h`` and kept. The
    methods differ in the score, and so in what they assume exchangeable:

    - ``"scaled"`` (the default): ``|e[o, j]| / (s_o g_j)``, pooled over the windows and
      the steps. ``s_o`` is the in-sample MAE of the seasonal naive forecast on the
      values before origin ``o`` (the MASE scale), so that the scores of a series whose
      level and spread grow stay comparable; ``g_j = j ** b`` is how the errors grow
      with the step: one pooled exponent ``b >= 0``, the least-squares slope of the log
      of the mean scaled error of step j (relative to step 1) on ``log j``, so never
      decreasing and not a step-by-step shape made of the later steps' noise (the
      overlapping windows give each late step only a few independent errors). Each
      window's scores use a ``g`` fitted on the other windows, as the future's error is
      divided by a ``g`` that never saw it. The K = windows x h scores are errors on
      only windows + h - 1 distinct held values, and neighbouring windows share most
      of their data, so the rank is set for that many exchangeable scores: the
      empirical quantile of the K at level ``ceil((m + 1) coverage) / m``,
      ``m = windows + h - 1`` (for 30 windows and h = 10 at 95%: level 38/39, against
      286/300 for K independent scores). The interval is ``f_j +/- q s g_j`` with
      ``s`` the scale of the whole series and ``g`` fitted on every window.
      Assumption: the scaled errors of every step and window, and the future's, are
      exchangeable, with the dependence of the overlapping windows no stronger than
      ``m`` distinct values carry. It needs no intervals of the forecaster's own.
    - ``"split"``: per step, the ``n_windows`` absolute errors ``|e[o, j]|``
      (Stankeviciute et al. 2021; statsforecast's ``ConformalIntervals``). Assumes each
      step's errors exchangeable over the windows, so a series whose spread grows gets
      too narrow intervals.
    - ``"relative"``: per step, ``|e[o, j]| / |f[o, j]|``; the interval is
      ``f_j +/- q |f_j|`` (a locally weighted score, Lei et al. 2018, with the forecast's
      magnitude as the local scale).
    - ``"normalized"`` (forecasters with intervals of their own): ``|e[o, j]| / w[o, j]``
      with ``w`` the forecaster's own 90% half-width for that step at that origin, pooled
      over the steps; the interval is ``f_j +/- q w_j``: the model keeps the shape of its
      intervals, the calibration sets their size.

    Why ``"scaled"`` is the default, measured on M1 at 95% (development sample: every
    17th series, 60; pooled over the test points; with the earlier per-step growth and
    rank for K scores): Theta's 95% intervals held 80.7% of the test points with its
    own variance, 84.1% with ``"split"``, 89.3% with ``"normalized"`` (19 windows) and
    91.4% with ``"scaled"``; AutoTheta 79.5 / 86.1 / 92.1 / 93.6%, AutoETS 86.5 / 90.2
    / 89.4 / 95.4%. The windows further back forecast from shorter histories, and their
    larger scaled errors match M1's test errors, which are larger than its history's
    (yearly most). ``"normalized"`` held about as much but gave unbounded or absurd
    widths where a window's own interval was nearly zero.

    The growth fitted on each window's own errors and the rank for K independent scores
    made the scores look more exchangeable than they are: on Gaussian random walks of
    120 values forecast by ``Naive``, 10 steps ahead, 30 windows (3,000 paths), that
    version's 95% intervals held 90.6% of the held values and its 90% ones 85.8%; the
    pooled growth fitted without the window and the rank for windows + h - 1 scores hold
    94.1% and 89.0% (``Naive``'s own 94.5 / 89.4%); the rank does most of it (93.3 /
    89.7% without the leave-out, 600 paths). Noise about its mean forecast by ``Mean``
    (nearly exchangeable scores) then holds a little more than asked: 96.0 / 91.2%
    (120 values, 30 windows) and 94.4% at 90% (64 values, 19 windows x 6 steps). On
    every 10th M1 series (102, benchmarks/results/conformal_coverage.md, 30 windows,
    ``refit="selected"``) the scaled 95% intervals held 94.3% of the test points for
    ThetaForecaster (MSIS 21.1; before the change 90.1%, 20.4), 94.1% AutoTheta (20.4;
    89.8%, 20.4), 94.9% AutoETS (22.0; 90.9%, 18.2), 92.4% AutoSARIMAX (20.2; 86.3%,
    17.8), 95.7% SCUM (21.1; 92.3%) and 95.5% the median of AutoETS, AutoTheta and
    AutoSARIMAX (20.5; 92.2%), against 77.6-85.3% for their own intervals; yearly
    series (9-52 values, 3-30 windows) 86.8-91.2% (75-80% before), quarterly up to
    98.8% (the ensembles).

    Refitting the forecaster at every origin costs ``n_windows`` fits. ``refit="selected"``
    refits only the structure the forecaster chose on the whole series (AutoETS's
    ``model_``, AutoTheta's ``model_``, AutoSARIMAX's orders, an ensemble's members;
    through their ``selected_forecaster()``; a forecaster without one is refitted whole,
    which is the same for one that chooses nothing), re-estimating its parameters in
    each window; a window too short for that structure is fitted by the whole
    procedure. The choice then saw the windows' held values, so its errors could be
    optimistic; ``refit="full"`` repeats the whole procedure (the selection included) at
    every origin. On the 102 M1 series above (with the earlier growth and rank),
    "selected" held 89.8% against 89.6% ("full") for AutoTheta and 90.9% against 91.9%
    for AutoETS, at 5 times less CPU. On the 60-series development sample with 40
    windows, the scaled 95% intervals held 94.0% (selected) against 93.7% (full) of the
    test points for AutoTheta, at 3.4 times less CPU, and 93.1% against 95.3% for
    AutoETS, at 3 times less (that selected run predates the fallback to the full
    procedure and lost 2 of the 11 yearly series); a fixed-order SARIMAX fit costs a
    third of AutoSARIMAX's on M1 monthly series.

    Parameters
    ----------
    forecaster : forecaster
        Any tsclassic forecaster, with or without intervals of its own; cloned.
    n_windows : int, default 30
        Calibration windows (19 is the fewest for which a per-step 95% interval can reach
        its nominal coverage; ``"normalized"`` needs ``ceil(19 / h)``, ``"scaled"``
        ``20 - h``, so that windows + h - 1 >= 19). A series too short for them uses as
        many as fit, with a warning; when they are too few for the coverage asked, the
        interval is the largest score's (the widest the windows support) and a second
        warning says the most it can cover and the ``n_windows`` it would need.
    method : {"scaled", "split", "relative", "normalized"}, default "scaled"
        The conformity score (see above).
    refit : {"full", "selected"}, default "full"
        Refit the whole forecaster in each window, or only the structure it selected on
        the whole series.
    season_length : int or None, default None
        The seasonal naive lag of the ``"scaled"`` method's scale; None takes the
        forecaster's own ``season_length`` parameter where it has one, else 1.

    Attributes
    ----------
    forecaster_ : forecaster
        The forecaster fitted on the whole series.

    References
    ----------
    Vovk, Gammerman & Shafer (2005), *Algorithmic Learning in a Random World* (split
    conformal). Stankeviciute, Alaa & van der Schaar (2021), "Conformal time-series
    forecasting", NeurIPS 34. Lei, G'Sell, Rinaldo, Tibshirani & Wasserman (2018),
    "Distribution-free predictive inference for regression", JASA 113(523) (locally
    weighted scores). Hyndman & Koehler (2006), "Another look at measures of forecast
    accuracy", IJF 22(4) (the MASE scale).

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
        "method": [StrOptions({"scaled", "split", "relative", "normalized"})],
        "refit": [StrOptions({"full", "selected"})],
        "season_length": [Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(self, forecaster: Any, *, n_windows: int = 30, method: str = "scaled",
                 refit: str = "full", season_length: int | None = None):
        self.forecaster = forecaster
        self.n_windows = n_windows
        self.method = method
        self.refit = refit
        self.season_length = season_length

    @classmethod
    def _test_params(cls) -> list[dict]:
        from tsclassic.arima import AutoTheta, ThetaForecaster
        from tsclassic.baselines import Drift, Naive

        # The first set is the default configuration (scaled scores, 30 windows, full
        # refits), so that the suite's coverage check holds what a user gets.
        return [{"forecaster": Naive()},
                {"forecaster": Drift(), "n_windows": 10},
                {"forecaster": ThetaForecaster(12), "n_windows": 10, "method": "split"},
                {"forecaster": AutoTheta(12, random_state=0), "n_windows": 10,
                 "method": "normalized", "refit": "selected"}]

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
                f"but {type(self.forecaster).__name__} has none; use method='scaled', "
                f"'split' or 'relative'."
            )
        self.forecaster_ = clone(self.forecaster)
        self.forecaster_.fit(y, X) if X is not None else self.forecaster_.fit(y)
        self._y, self._X = y, X
        self._windows: dict[int, dict[str, np.ndarray]] = {}

    def _predict(self, h: int, X: np.ndarray | None) -> np.ndarray:
        return self.forecaster_.predict(h, X) if X is not None else self.forecaster_.predict(h)

    def _season(self) -> int:
        if self.season_length is not None:
            return int(self.season_length)
        own = self.forecaster.get_params(deep=False).get("season_length", 1)
        return own if isinstance(own, (int, np.integer)) and own >= 1 else 1

    def _calibrate(self, h: int) -> dict[str, np.ndarray]:
        """The windows' absolute errors and forecasts, shape (windows, h), their origins'
        in-sample scales (windows,) and, for ``normalized``, the own half-widths."""
        if h in self._windows:
            return self._windows[h]
        y, n = self._y, len(self._y)
        template = selected_structure(self.forecaster_) if self.refit == "selected" else self.forecaster
        # A window too short for the selected structure (a season, a trend's states) is
        # fitted by the whole procedure, which chooses what it can carry, as "full" does;
        # one too short for the procedure (AutoSARIMAX's seasonal test) by the structure.
        templates = [template] if template is self.forecaster else [template, self.forecaster]
        shortest = min(_min_length(t) for t in templates)
        origins = [o for o in range(n - h, n - h - self.n_windows, -1) if o >= shortest]
        rows: dict[str, list] = {"error": [], "forecast": [], "scale": [], "half": []}
        for origin in origins:
            for candidate in templates:
                try:
                    forecast, half = self._window(candidate, origin, h)
                    break
                except Exception as err:  # noqa: BLE001 - a window the model cannot fit is skipped
                    failure = err
            else:
                warnings.warn(f"ConformalIntervals: the fit at origin {origin} failed and that "
                              f"window is skipped ({type(failure).__name__}: {failure}).",
                              UserWarning, stacklevel=3)
                continue
            error, scale = np.abs(y[origin : origin + h] - forecast), naive_scale(y[:origin], self._season())
            if not np.all(np.isfinite(forecast)) or (scale > 0 and np.max(error) > _DIVERGED * scale):
                # A fit that diverged (an explosive ARIMA in one window of 30 on an M1
                # series: errors 1.5e5 times the scale) is not an error the forecast
                # shares, and with one window's h scores above the pooled rank it would
                # set the width alone (an interval 1e5 times too wide).
                warnings.warn(f"ConformalIntervals: the fit at origin {origin} diverged (an error "
                              f"over {_DIVERGED:g} times the in-sample naive MAE) and that window "
                              f"is skipped.", UserWarning, stacklevel=3)
                continue
            rows["error"].append(error)
            rows["forecast"].append(forecast)
            rows["scale"].append(scale)
            rows["half"].append(half)
        if not rows["error"]:
            raise ValueError(
                f"y has {n} observations, too few to calibrate {h}-step intervals of "
                f"{type(self.forecaster).__name__} (a fit needs {shortest} before the first "
                f"of the {h} held values); pass a longer series or a shorter h."
            )
        if len(rows["error"]) < self.n_windows:
            warnings.warn(
                f"ConformalIntervals: only {len(rows['error'])} of n_windows={self.n_windows} "
                f"calibration windows fit in y ({n} observations, h={h}); the intervals' "
                f"coverage can fall short of nominal: pass a longer series or lower h.",
                UserWarning, stacklevel=3,
            )
        self._windows[h] = {k: np.array(v, dtype=float) for k, v in rows.items()
                            if k != "half" or self.method == "normalized"}
        return self._windows[h]

    def _window(self, template: Any, origin: int, h: int) -> tuple[np.ndarray, np.ndarray | None]:
        """Forecast and own half-width of a clone of ``template`` fitted before ``origin``."""
        y, X, model = self._y, self._X, clone(template)
        if X is None:
            forecast = model.fit(y[:origin]).predict(h)
        else:
            forecast = model.fit(y[:origin], X[:origin]).predict(h, X[origin : origin + h])
        half = self._own_half_width(model, h, None if X is None else X[origin : origin + h])
        return np.asarray(forecast, dtype=float), half

    def _own_half_width(self, model: Any, h: int, X: np.ndarray | None) -> np.ndarray | None:
        """The fitted forecaster's own 90% half-width per step (``normalized`` only)."""
        if self.method != "normalized":
            return None
        from tsclassic.arima._ets import short_trend_calibrated

        # These bounds are only the scale of the conformal scores, calibrated here.
        with short_trend_calibrated():
            bounds = model.predict_interval(h, coverage=0.9) if X is None else \
                model.predict_interval(h, X, coverage=0.9)
        bounds = np.asarray(bounds, dtype=float)
        return (bounds[:, 1] - bounds[:, 0]) / 2

    @staticmethod
    def _growth(scaled: np.ndarray) -> np.ndarray:
        """``g_j = j ** b`` of the scaled method, from scaled errors (windows, h).

        ``b >= 0`` is the least-squares slope of ``log(m_j / m_1)`` on ``log j`` (a line
        through step 1), ``m_j`` the mean finite scaled error of step j over the windows:
        one pooled parameter, so that the noise of the overlapping windows' later steps
        (a few effective samples each) does not become a step-by-step shape, and never
        decreasing (a forecast does not get surer further ahead). 1 where the windows
        tell nothing (none, or every scaled error of step 1 zero or unbounded).
        """
        steps = np.arange(1, scaled.shape[1] + 1)
        if scaled.shape[0] == 0 or len(steps) == 1:
            return np.ones(len(steps))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a step with no finite score
            mean = np.nanmean(np.where(np.isfinite(scaled), scaled, np.nan), axis=0)
        ratio = mean[1:] / mean[0] if np.isfinite(mean[0]) and mean[0] > 0 else np.array([])
        usable = np.isfinite(ratio) & (ratio > 0)
        if not usable.any():
            return np.ones(len(steps))
        x, z = np.log(steps[1:][usable]), np.log(ratio[usable])
        return steps ** max(float(x @ z / (x @ x)), 0.0)

    def _scaled_scores(self, windows: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """The scaled method's calibration scores (windows, h) and the growth for the
        interval. Each window's errors are divided by a growth fitted on the OTHER windows:
        the future's error is divided by a growth that never saw it, and a window's own
        errors in its growth would pull its scores to the middle (on random walks
        forecast by Naive, 600 paths of 120 values, h = 10: 95% intervals held 90.7% of
        the points that way, 91.2% leaving the window out; the rank does the rest)."""
        scaled = _divide(windows["error"], windows["scale"][:, None])
        rows = np.arange(len(scaled))
        growth = np.array([self._growth(scaled[rows != i]) for i in rows])
        return _divide(windows["error"], windows["scale"][:, None] * growth), self._growth(scaled)

    def _predict_interval(self, h, X, coverage):
        windows = self._calibrate(h)
        mean = self._predict(h, X)
        errors = windows["error"]
        if self.method == "split":
            return self._around(mean, conformal_quantile(errors, coverage, "ConformalIntervals"))
        if self.method == "relative":
            q = conformal_quantile(_divide(errors, np.abs(windows["forecast"])), coverage,
                                   "ConformalIntervals")
            return self._around(mean, q * np.abs(mean))
        distinct = None
        if self.method == "normalized":
            scores, scale = _divide(errors, windows["half"]), self._own_half_width(self.forecaster_, h, X)
        else:  # scaled
            # The windows overlap: their errors fall on only windows + h - 1 distinct held
            # values, and a score's neighbours share most of its data, so the pool is worth
            # that many exchangeable scores, not windows * h; the rank is set for that many
            # (on those random walks, 95% intervals held 91.2% of the points with the rank
            # for windows * h, 93.7% with it). "normalized" keeps the rank for windows * h.
            distinct = len(errors) + h - 1
            scores, growth = self._scaled_scores(windows)
            scale = naive_scale(self._y, self._season()) * growth
            if not np.all(scale > 0):
                # A constant series: no scale to put the scores on, zero width would be a
                # silent claim of certainty.
                raise ValueError(
                    "y has no variation before its last value (the in-sample MAE of the naive "
                    "forecast is 0), so method='scaled' has no scale; use method='split'."
                )
        # Scale-free scores: one pool of every step's (windows * h).
        q = conformal_quantile(scores.reshape(-1, 1), coverage, "ConformalIntervals",
                               scores_per_window=h, distinct=distinct)
        if not np.all(np.isfinite(q)):
            # Windows whose scale was zero (a stretch of the series with no variation) but
            # whose error was not: their scores are unbounded, and so is the interval.
            warnings.warn(
                f"ConformalIntervals: the {coverage:.0%} interval is unbounded: too many "
                f"calibration windows had a scale of zero (no variation in their history) and "
                f"a nonzero error; use method='split' or a lower coverage.",
                UserWarning, stacklevel=3,
            )
        return self._around(mean, q * scale)

    @staticmethod
    def _around(mean: np.ndarray, half: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # NaN is an unbounded score times a zero scale: nothing bounds it.
        half = np.where(np.isnan(half), np.inf, half)
        return mean - half, mean + half


# A window whose forecast error exceeds this many times the in-sample MAE of the naive
# forecast before its origin is a diverged fit, not a forecast error (Naive's 18-step
# error on a Gaussian random walk is about 21 such MAEs at four standard deviations).
_DIVERGED = 1e3


def _min_length(forecaster: Any) -> int:
    return forecaster.min_length()[0] if hasattr(forecaster, "min_length") else 1


def _divide(errors: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """``errors / scale``; an error on a zero scale is unbounded (0 when the error is 0)."""
    scale = np.broadcast_to(scale, errors.shape)
    out = np.where(errors > 0, np.inf, 0.0)
    return np.divide(errors, scale, out=out, where=scale > 0)
