"""The pandas edge: index continuation, validation messages, the caller's data untouched."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.exceptions import NotFittedError

import tsclassic
from tsclassic import Drift, Naive, SeasonalNaive
from tsclassic._validation import check_panel, check_sequences


@pytest.mark.parametrize(
    ("index", "expected"),
    [
        (pd.period_range("2020-01", periods=6, freq="M"), pd.period_range("2020-07", periods=3, freq="M")),
        (pd.period_range("2020Q1", periods=6, freq="Q"), pd.period_range("2021Q3", periods=3, freq="Q")),
        (pd.date_range("2020-01-01", periods=6, freq="h"), pd.date_range("2020-01-01 06:00", periods=3, freq="h")),
        (pd.date_range("2020-01-31", periods=6, freq="ME"), pd.date_range("2020-07-31", periods=3, freq="ME")),
        (pd.RangeIndex(10, 16), pd.RangeIndex(16, 19)),
        (pd.Index([0, 5, 10, 15, 20, 25]), pd.RangeIndex(30, 45, 5)),
    ],
)
def test_index_continues_at_the_same_frequency(index, expected):
    y = pd.Series(np.arange(6.0), index=index, name="load")
    y.index.name = "when"
    forecast = Naive().fit(y).predict(3)
    assert forecast.index.equals(expected)
    assert forecast.name == "load" and forecast.index.name == "when"
    if isinstance(index, pd.DatetimeIndex):
        assert forecast.index.freq == index.freq


def test_datetime_index_without_freq_is_inferred():
    index = pd.DatetimeIndex(["2021-01-01", "2021-01-02", "2021-01-03", "2021-01-04"])
    out = Naive().fit(pd.Series([1.0, 2, 3, 4], index=index)).predict(2)
    assert list(out.index.strftime("%Y-%m-%d")) == ["2021-01-05", "2021-01-06"]


def test_numpy_in_numpy_out_and_intervals():
    model = Drift().fit(np.array([1.0, 2.0, 3.5, 4.0]))
    assert isinstance(model.predict(2), np.ndarray)
    bounds = model.predict_interval(2, coverage=0.95)
    assert bounds.shape == (2, 2) and (bounds[:, 0] < bounds[:, 1]).all()


def test_interval_widens_with_the_horizon_and_coverage():
    y = pd.Series(np.cumsum(np.random.default_rng(0).normal(size=50)))
    model = Naive().fit(y)
    narrow, wide = model.predict_interval(4, coverage=0.5), model.predict_interval(4, coverage=0.95)
    assert ((wide["hi"] - wide["lo"]) > (narrow["hi"] - narrow["lo"])).all()
    assert np.all(np.diff(wide["hi"] - wide["lo"]) > 0)


@pytest.mark.parametrize(
    ("y", "pattern"),
    [
        (pd.Series([1.0, np.nan, 3.0]), r"y contains 1 NaN values \(first at 1\).*fill or drop"),
        (pd.Series([1.0, np.inf, 3.0]), r"y contains 1 infinite"),
        (pd.Series([], dtype=float), r"y is empty"),
        (pd.Series(["a", "b"]), r"y .*numeric"),
        (pd.Series([1.0, 2.0], index=[1, 0]), r"unsorted index.*sort_index"),
        (pd.Series([1.0, 2.0, 3.0], index=[0, 0, 1]), r"duplicated index label"),
        (pd.Series([1.0, 2.0, 3.0], index=[0, 1, 3]), r"integer index with uneven steps"),
        (pd.Series([1.0, 2.0, 3.0], index=pd.DatetimeIndex(["2020-01-01", "2020-01-02", "2020-01-09"])),
         r"irregular DatetimeIndex"),
        (pd.Series([1.0, 2.0, 3.0], index=pd.PeriodIndex(["2020-01", "2020-02", "2020-04"], freq="M")),
         r"PeriodIndex with gaps \(first missing period: 2020-03\)"),
        (pd.Series([1.0, 2.0], index=["a", "b"]), r"index of dtype"),
        (np.ones((3, 2)), r"y must be 1-D"),
        (pd.DataFrame({"a": [1.0], "b": [2.0]}), r"single series"),
    ],
)
def test_bad_series_gives_a_clear_error(y, pattern):
    with pytest.raises((ValueError, TypeError), match=pattern):
        Naive().fit(y)


def test_too_short_for_the_season_names_the_season():
    with pytest.raises(ValueError, match=r"needs at least 12 \(one full season of 12\)"):
        SeasonalNaive(season_length=12).fit(np.arange(5.0))


def test_bad_parameters_and_horizon():
    with pytest.raises(ValueError, match="'season_length' parameter of SeasonalNaive must be an int"):
        SeasonalNaive(season_length=0).fit(np.arange(5.0))
    model = Naive().fit(np.arange(5.0))
    for h in (0, -1):
        with pytest.raises(ValueError, match="h must be a positive integer"):
            model.predict(h)
    with pytest.raises(TypeError, match="h must be a positive integer"):
        model.predict(2.5)
    with pytest.raises(ValueError, match="coverage must be a number strictly between 0 and 1"):
        model.predict_interval(2, coverage=95)


def test_exogenous_input_is_refused_by_models_without_it():
    with pytest.raises(ValueError, match="does not use exogenous regressors"):
        Naive().fit(np.arange(5.0), X=np.ones((5, 1)))


def test_point_only_models_refuse_intervals():
    with pytest.raises(NotImplementedError, match="point forecasts only"):
        tsclassic.Naive2(season_length=1).fit(np.arange(1.0, 9.0)).predict_interval(2)


def test_pickle_carries_the_version_and_warns_on_another():
    model = Naive().fit(np.arange(5.0))
    payload = pickle.dumps(model)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pickle.loads(payload)
    state = model.__getstate__()
    assert state["_tsclassic_version"] == tsclassic.__version__
    state["_tsclassic_version"] = "0.0.0"
    other = Naive.__new__(Naive)
    with pytest.warns(UserWarning, match="saved with tsclassic 0.0.0"):
        other.__setstate__(state)


def test_check_panel_shapes():
    assert check_panel(np.ones((4, 10))).shape == (4, 1, 10)
    assert check_panel(np.ones((4, 2, 10))).shape == (4, 2, 10)
    ragged = check_panel([np.ones(5), np.ones(7)], unequal_length=True)
    assert [a.shape for a in ragged] == [(1, 5), (1, 7)]
    nested = pd.DataFrame({"c0": [np.ones(6), np.zeros(6)], "c1": [np.ones(6), np.ones(6)]})
    assert check_panel(nested).shape == (2, 2, 6)
    assert check_panel(pd.DataFrame(np.ones((3, 8)))).shape == (3, 1, 8)
    with pytest.raises(ValueError, match="unequal lengths"):
        check_panel([np.ones(5), np.ones(7)])
    with pytest.raises(ValueError, match="got a single 1-D series"):
        check_panel([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="X is empty"):
        check_panel(np.ones((0, 5)))


def test_check_sequences():
    assert check_sequences([("a", "b"), ["x", "y"]]) == [["a", "b"], ["x", "y"]]
    with pytest.raises(TypeError, match=r"sequences\[0\] is a str"):
        check_sequences(["ab", ["x", "y"]])
    with pytest.raises(TypeError, match="mixes string and integer tokens"):
        check_sequences([["a", 1]])
    with pytest.raises(TypeError, match=r"got a str. For one sentence pass \[sequences.split\(\)\]"):
        check_sequences("abc")
    with pytest.raises(ValueError, match="sequences is empty"):
        check_sequences([[]])


def test_import_is_fast_and_light():
    import subprocess
    import sys

    code = ("import sys, time; t = time.perf_counter(); import tsclassic; "
            "dt = time.perf_counter() - t; "
            "assert 'statsmodels' not in sys.modules and 'torch' not in sys.modules, "
            "sorted(m for m in sys.modules if m.split('.')[0] in ('statsmodels', 'torch')); "
            "print(dt)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert float(out.stdout) < 1.0


@settings(max_examples=40, deadline=None)
@given(
    freq=st.sampled_from(["D", "h", "W-SUN", "MS", "ME", "QS", "YE", "15min"]),
    n=st.integers(3, 40),
    h=st.integers(1, 30),
)
def test_forecast_index_is_the_continuation_of_any_regular_index(freq, n, h):
    full = pd.date_range("2001-03-04", periods=n + h, freq=freq)
    y = pd.Series(np.arange(n, dtype=float), index=full[:n])
    assert Naive().fit(y).predict(h).index.equals(full[n:])
    periods = pd.period_range("2001-03", periods=n + h, freq="M")
    assert Naive().fit(pd.Series(np.ones(n), index=periods[:n])).predict(h).index.equals(periods[n:])


def test_the_base_records_the_input_before_fit_and_forgets_it_when_fit_fails():
    from tsclassic.base import BaseForecaster, Tags

    class _Reads(BaseForecaster):
        _tags = Tags(exogenous=True)

        def _fit(self, y, X):
            if y[0] < 0:
                raise ValueError("y must start non-negative")
            self.seen_ = (self.n_obs_, self.exog_columns_, self.index_info_.index_kind)

        def _predict(self, h, X):
            return np.zeros(h)

    y = pd.Series(np.arange(6.0), index=pd.period_range("2020-01", periods=6, freq="M"))
    X = pd.DataFrame({"promo": np.ones(6)}, index=y.index)
    assert _Reads().fit(y, X).seen_ == (6, ["promo"], "period")
    model = _Reads()
    with pytest.raises(ValueError, match="non-negative"):
        model.fit(y - 1.0)
    with pytest.raises(NotFittedError):
        model.predict(2)


def test_submodules_are_reached_as_attributes_without_importing_them_first():
    import subprocess
    import sys

    code = ("import tsclassic; print(tsclassic.metrics.smape([100.0], [110.0]) > 0, "
            "tsclassic.bench.SUITES[0])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "forecasting"]


def test_a_failed_fit_never_looks_fitted_in_any_family():
    from sklearn.utils.validation import check_is_fitted

    from tsclassic.base import BaseGlobalForecaster

    class _Fails(BaseGlobalForecaster):
        def _fit(self, series):
            raise ValueError("no model for these series")

    X = np.random.default_rng(0).normal(size=(5, 20))
    long = pd.DataFrame({"unique_id": ["a"] * 8, "ds": np.arange(8), "y": np.arange(8.0)})
    cases = [
        # after the panel is validated and n_channels_ recorded
        (tsclassic.KNeighborsDTWClassifier(n_neighbors=9), lambda m: m.fit(X, np.arange(5) % 2)),
        (tsclassic.NGramLM(unk_token="x", bos_token="x"), lambda m: m.fit([["a", "b"]])),
        (_Fails(), lambda m: m.fit(long)),
    ]
    for model, fit in cases:
        with pytest.raises(ValueError):
            fit(model)
        with pytest.raises(NotFittedError, match="is not fitted yet"):
            check_is_fitted(model)
