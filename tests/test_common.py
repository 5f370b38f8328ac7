"""The conformance suite over every registered estimator, one case per (estimator, check),
and proof that it bites."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

import tsclassic
from tsclassic.base import BaseForecaster
from tsclassic.testing import check_estimator, parametrize_with_checks, test_params

ESTIMATORS = [
    (f"{name}-{i}", cls(**params))
    for name, cls in tsclassic.all_estimators()
    for i, params in enumerate(test_params(cls))
]


@parametrize_with_checks([e for _, e in ESTIMATORS], ids=[label for label, _ in ESTIMATORS])
def test_conformance(estimator, check):
    check(estimator)


def test_all_estimators_finds_the_baselines_and_filters_by_family():
    forecasters = dict(tsclassic.all_estimators("forecaster"))
    assert {"Naive", "SeasonalNaive", "Naive2", "Drift", "Mean"} <= set(forecasters)
    assert all(issubclass(cls, BaseForecaster) for cls in forecasters.values())
    assert not any(name.startswith("Base") for name, _ in tsclassic.all_estimators())


def test_top_level_names_are_lazy_and_unknown_names_fail():
    assert tsclassic.Naive is tsclassic.baselines.Naive
    with pytest.raises(AttributeError, match="no attribute 'NoSuchModel'"):
        tsclassic.NoSuchModel  # noqa: B018


def test_dir_lists_every_estimator_and_function_without_heavy_imports():
    import subprocess
    import sys

    code = ("import sys, tsclassic; names = dir(tsclassic); "
            "heavy = [m for m in sys.modules if m.split('.')[0] in ('statsmodels', 'torch')]; "
            "print(heavy); print(' '.join(names))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    heavy, names = out.stdout.splitlines()
    assert heavy == "[]"
    names = set(names.split())
    assert {name for name, _ in tsclassic.all_estimators()} <= names
    assert {"save", "load", "decompose", "forecast_many", "all_estimators", "mase"} <= names
    assert {"metrics", "arima", "testing", "__version__"} <= names  # modules, by attribute
    assert not {"ast", "inspect", "importlib", "pkgutil", "Any", "lru_cache", "annotations"} & names


def test_every_estimator_declares_a_rule_for_every_parameter():
    for name, cls in tsclassic.all_estimators():
        est = cls(**test_params(cls)[0])
        missing = set(est.get_params(deep=False)) - set(cls._parameter_constraints)
        assert not missing, f"{name}: {sorted(missing)}"


# -- deliberately broken estimators: the suite must catch each ------------------
class _Last(BaseForecaster):
    """A correct forecaster (the last value); each broken one below breaks one thing."""

    def _fit(self, y, X):
        self.last_ = y[-1]

    def _predict(self, h, X):
        return np.full(h, self.last_)


class _MutatesInput(_Last):
    def fit(self, y, X=None):
        super().fit(y, X)
        if hasattr(y, "iloc"):
            y.iloc[0] = -1.0  # writes into the caller's series
        return self


class _AcceptsNaN(_Last):
    def fit(self, y, X=None):
        self.index_info_ = tsclassic._index.index_info(y)  # skips the shared validation
        self.exog_columns_ = None
        self.n_obs_ = len(y)
        self.last_ = float(np.asarray(y, dtype=float)[-1])
        return self


class _IgnoresSeed(BaseForecaster):
    _parameter_constraints = {"random_state": ["random_state"]}

    def __init__(self, random_state=None):
        self.random_state = random_state

    def _fit(self, y, X):
        self.level_ = y[-1] + np.random.default_rng().normal()  # ignores random_state

    def _predict(self, h, X):
        return np.full(h, self.level_)


class _LogicInInit(_Last):
    _parameter_constraints = {"season_length": [list]}

    def __init__(self, season_length=12):
        self.season_length = [season_length]  # not stored verbatim


class _IgnoresExogIndex(_Last):
    _tags = tsclassic.base.Tags(exogenous=True)

    def fit(self, y, X=None):
        values = X.to_numpy() if hasattr(X, "to_numpy") else X  # position, not label
        return super().fit(y, values)

    def _future_X(self, h, X):
        return super()._future_X(h, X.to_numpy() if hasattr(X, "to_numpy") else X)


class _SkipsTheParameterHook(_AcceptsNaN):  # its fit skips the base fit and the hook
    _parameter_constraints = {"width": [tsclassic._params.POSITIVE_REAL]}

    def __init__(self, width=1.0):
        self.width = width


class _UndeclaredParameter(_SkipsTheParameterHook):
    _parameter_constraints = {}


class _NarrowIntervals(BaseForecaster):
    _tags = tsclassic.base.Tags(intervals=True)

    def _fit(self, y, X):
        self.last_, self.sigma_ = y[-1], np.std(np.diff(y))

    def _predict(self, h, X):
        return np.full(h, self.last_)

    def _predict_interval(self, h, X, coverage):
        half = 0.5 * self.sigma_ * np.sqrt(np.arange(1, h + 1))  # far too narrow
        return self.last_ - half, self.last_ + half


class _SilentlyUnbounded(_NarrowIntervals):
    """Its band is infinite, in silence, when the first 20 values are flat."""

    def _fit(self, y, X):
        super()._fit(y, X)
        self.first_spread_ = np.std(np.diff(y[:20]))

    def _predict_interval(self, h, X, coverage):
        from scipy.stats import norm

        # A random walk's band, right wherever the first values vary.
        half = norm.ppf(0.5 + coverage / 2) * self.sigma_ * np.sqrt(np.arange(1, h + 1))
        if self.first_spread_ == 0:
            half = np.full(h, np.inf)
        return self.last_ - half, self.last_ + half


class _LosesIndex(_Last):
    def _wrap(self, values):
        return values  # always NumPy out, even for pandas in


class _PositionalParameters(BaseForecaster):
    _parameter_constraints = {"alpha": [tsclassic._params.POSITIVE_REAL],
                              "beta": [tsclassic._params.POSITIVE_REAL]}

    def __init__(self, alpha=1.0, beta=1.0):  # beta may be passed by position
        self.alpha = alpha
        self.beta = beta

    def _fit(self, y, X):
        self.last_ = y[-1]

    def _predict(self, h, X):
        return np.full(h, self.last_)


class _RetiredName(_PositionalParameters):
    _parameter_constraints = {"maxiter": [tsclassic._params.POSITIVE_INT]}

    def __init__(self, maxiter=10):
        self.maxiter = maxiter


class _FlagCalledTrend(_PositionalParameters):
    _parameter_constraints = {"trend": ["boolean"]}

    def __init__(self, trend=True):  # a deterministic term, not the trend component
        self.trend = trend


@tsclassic._params.renamed_params({"window": "window_length"})
class _Renamed(_PositionalParameters):
    _parameter_constraints = {"window_length": [tsclassic._params.POSITIVE_INT]}

    def __init__(self, window_length=3):
        self.window_length = window_length


class _LosesOldNameInSetParams(_Renamed):
    def set_params(self, **params):  # bypasses the translation of the old names
        return BaseForecaster.set_params(self, **params)


class _NarrowTrajectoryIntervals(tsclassic.dynamics.ODEModel):
    def _predict_interval(self, times, coverage):
        lower, upper = super()._predict_interval(times, coverage)
        middle, half = (upper + lower) / 2, (upper - lower) / 2
        return middle - 0.3 * half, middle + 0.3 * half  # far too narrow


class _LosesTrajectoryIndex(tsclassic.dynamics.SINDy):
    def predict(self, h):
        return np.asarray(super().predict(h))  # always NumPy out, even for a DataFrame in


class _OwnNotFittedMessage(_Last):
    def _check_fitted(self):
        if not hasattr(self, "last_"):
            raise NotFittedError("call fit first")  # not the shared message


class _OwnFittedAttribute(_OwnNotFittedMessage):
    def _check_fitted(self):
        if not hasattr(self, "last_"):
            raise NotFittedError(
                "This _OwnFittedAttribute instance is not fitted yet; call fit(y) first.")

    def __sklearn_is_fitted__(self):
        return hasattr(self, "coef_")  # what fit never sets: check_is_fitted always refuses


@pytest.mark.parametrize(
    ("broken", "check"),
    [
        (_PositionalParameters(), "keyword_only"),
        (_RetiredName(), "vocabulary"),
        (_FlagCalledTrend(), "vocabulary"),
        (_LosesOldNameInSetParams(), "renamed_params"),
        (_NarrowTrajectoryIntervals(**tsclassic.dynamics.ODEModel._test_params()[0]),
         "interval_coverage"),
        (_LosesTrajectoryIndex(), "index_float"),
        (_MutatesInput(), "input_unchanged"),
        (_AcceptsNaN(), "nan"),
        (_IgnoresSeed(), "random_state"),
        (_LogicInInit(), "init_params"),
        (_LosesIndex(), "index_period"),
        (_IgnoresExogIndex(), "exog_misaligned"),
        (_NarrowIntervals(), "interval_coverage"),
        (_SilentlyUnbounded(), "unbounded_interval_warns"),
        (_SkipsTheParameterHook(), "params_bad_value"),
        (_UndeclaredParameter(), "params_declared"),
        (_OwnNotFittedMessage(), "not_fitted"),
        (_OwnFittedAttribute(), "is_fitted"),
    ],
)
def test_conformance_catches_broken_estimators(broken, check):
    with pytest.raises(AssertionError, match=rf"\[{check}\]"):
        check_estimator(broken)


def test_the_suite_yields_one_named_check_per_property():
    from tsclassic.testing import estimator_checks

    names = [name for name, _ in estimator_checks(tsclassic.SARIMAXForecaster())]
    assert len(names) == len(set(names))
    assert {"params_declared", "params_bad_value", "complex", "exog_misaligned",
            "interval_coverage", "finite_output", "save_load", "keyword_only", "vocabulary",
            "renamed_params", "is_fitted"} <= set(names)


def test_a_correct_rename_passes_the_suite():
    check_estimator(_Renamed())


def test_trajectory_models_are_their_own_family():
    from tsclassic.base import BaseTrajectoryModel, get_tags
    from tsclassic.testing import estimator_checks

    trajectory = dict(tsclassic.all_estimators("trajectory"))
    assert set(trajectory) == {"ODEModel", "LotkaVolterra", "Logistic", "SIR", "SEIR",
                               "DampedOscillator", "Lorenz", "SINDy"}
    assert not set(trajectory) & set(dict(tsclassic.all_estimators("transformer")))
    for cls in trajectory.values():
        assert issubclass(cls, BaseTrajectoryModel)
        assert get_tags(cls).intervals and get_tags(cls).multivariate
    names = {name for name, _ in estimator_checks(tsclassic.dynamics.SINDy())}
    assert {"nan", "inf", "empty", "too_short", "ndim", "complex", "text_frame",
            "categorical_frame", "unsorted_index", "duplicated_index", "extra_column",
            "index_float", "index_range", "index_datetime", "index_period", "numpy_out",
            "bad_h", "bad_coverage", "intervals", "interval_coverage", "not_fitted",
            "not_fitted_methods", "params_bad_value", "input_unchanged", "pickle"} <= names
