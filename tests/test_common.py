"""The conformance suite over every registered estimator, and proof that it bites."""

from __future__ import annotations

import numpy as np
import pytest

import tsclassic
from tsclassic.base import BaseForecaster
from tsclassic.testing import check_estimator, test_params

CASES = [
    pytest.param(cls, params, id=f"{name}-{i}")
    for name, cls in tsclassic.all_estimators()
    for i, params in enumerate(test_params(cls))
]


@pytest.mark.parametrize(("cls", "params"), CASES)
def test_conformance(cls, params):
    check_estimator(cls(**params))


def test_all_estimators_finds_the_baselines_and_filters_by_family():
    forecasters = dict(tsclassic.all_estimators("forecaster"))
    assert {"Naive", "SeasonalNaive", "Naive2", "Drift", "Mean"} <= set(forecasters)
    assert all(issubclass(cls, BaseForecaster) for cls in forecasters.values())
    assert not any(name.startswith("Base") for name, _ in tsclassic.all_estimators())


def test_top_level_names_are_lazy_and_unknown_names_fail():
    assert tsclassic.Naive is tsclassic.baselines.Naive
    with pytest.raises(AttributeError, match="no attribute 'NoSuchModel'"):
        tsclassic.NoSuchModel  # noqa: B018


# -- deliberately broken estimators: the suite must catch each ------------------
class _MutatesInput(BaseForecaster):
    def fit(self, y, X=None):
        super().fit(y, X)
        if hasattr(y, "iloc"):
            y.iloc[0] = -1.0  # writes into the caller's series
        return self

    def _fit(self, y, X):
        self.last_ = y[-1]

    def _predict(self, h, X):
        return np.full(h, self.last_)


class _AcceptsNaN(BaseForecaster):
    def fit(self, y, X=None):
        self.index_info_ = tsclassic._index.index_info(y)  # skips the shared validation
        self.exog_columns_ = None
        self.last_ = float(np.asarray(y, dtype=float)[-1])
        return self

    def _predict(self, h, X):
        return np.full(h, self.last_)


class _IgnoresSeed(BaseForecaster):
    def __init__(self, random_state=None):
        self.random_state = random_state

    def _fit(self, y, X):
        self.level_ = y[-1] + np.random.default_rng().normal()  # ignores random_state

    def _predict(self, h, X):
        return np.full(h, self.level_)


class _LogicInInit(BaseForecaster):
    def __init__(self, season_length=12):
        self.season_length = [season_length]  # not stored verbatim

    def _fit(self, y, X):
        self.last_ = y[-1]

    def _predict(self, h, X):
        return np.full(h, self.last_)


class _LosesIndex(BaseForecaster):
    def _fit(self, y, X):
        self.last_ = y[-1]

    def _predict(self, h, X):
        return np.full(h, self.last_)

    def _wrap(self, values):
        return values  # always NumPy out, even for pandas in


@pytest.mark.parametrize(
    ("broken", "check"),
    [
        (_MutatesInput(), "input_unchanged"),
        (_AcceptsNaN(), "nan"),
        (_IgnoresSeed(), "random_state"),
        (_LogicInInit(), "init_params"),
        (_LosesIndex(), "index_period"),
    ],
)
def test_conformance_catches_broken_estimators(broken, check):
    with pytest.raises(AssertionError, match=rf"\[{check}\]"):
        check_estimator(broken)
