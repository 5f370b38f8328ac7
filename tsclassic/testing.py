"""The conformance suite: one set of named checks that every tsclassic estimator must pass.

:func:`estimator_checks` yields the ``(name, check)`` pairs of an estimator's family
(forecaster, panel classifier / regressor / transformer, sequence model, and the
global forecasters and trajectory models, which supply their own data through
``_conformance_data``); each check raises
``AssertionError("[name] Class: ...")`` when the property fails. :func:`check_estimator`
runs them all; :func:`parametrize_with_checks` makes one pytest case per (estimator,
check), as scikit-learn's decorator of the same name does, so that a failure names both.

Estimators may define class methods for it:

``_test_params() -> list[dict]``
    small, fast parameter sets (default ``[{}]``);
``_xfail_checks() -> dict[str, str]``
    checks (scikit-learn's, or this suite's by name) that cannot apply, with the reason;
``_coverage_process() -> callable``
    ``simulate(rng, n) -> ndarray``: a process the model's intervals are exact for
    (default: a Gaussian random walk), for the interval coverage check;
``_coverage_data(rng, ahead) -> DataFrame``
    trajectory models with intervals: a trajectory of the model's system with noise of
    known size, ``ahead`` rows longer than the fit sees, for their coverage check;
``_coverage_replicates: int``
    how many of those trajectories the check fits (default 30): fewer for a model whose
    fit is dear, at the price of a wider spread about the true coverage.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from tsclassic._conformance import COMMON_CHECKS, expect_error, fail, family_data, fitted

__all__ = [
    "check_estimator", "estimator_checks", "parametrize_with_checks", "test_params",
    "forecaster_data", "panel_data", "token_corpus",
]


def test_params(cls: type) -> list[dict]:
    """The parameter sets the suite instantiates ``cls`` with."""
    maker = getattr(cls, "_test_params", None)
    return list(maker()) if maker is not None else [{}]


test_params.__test__ = False  # not a pytest test, despite its name


# -- data ----------------------------------------------------------------------
def forecaster_data(n: int = 96, season_length: int = 12, seed: int = 0) -> np.ndarray:
    """A positive trending seasonal series (monthly-like), reproducible."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return 100 + 0.5 * t + 10 * np.sin(2 * np.pi * t / season_length) + rng.normal(0, 1, n)


def panel_data(n_series: int = 30, length: int = 40, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A small 2-D panel with three well-separated classes (labels 0, 1, 2)."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 1, length)
    y = np.arange(n_series) % 3
    shapes = np.stack([np.sin(2 * np.pi * t), np.sign(t - 0.5), t * 2 - 1])
    X = shapes[y] + rng.normal(0, 0.3, (n_series, length))
    return X, y


def token_corpus(n_sequences: int = 40, seed: int = 0) -> list[list[str]]:
    """A toy corpus from a small Markov chain over five word tokens."""
    rng = np.random.default_rng(seed)
    vocab = ["a", "b", "c", "d", "e"]
    corpus = []
    for _ in range(n_sequences):
        length = int(rng.integers(3, 9))
        start = int(rng.integers(0, 5))
        corpus.append([vocab[(start + 2 * i + int(rng.integers(0, 2))) % 5] for i in range(length)])
    return corpus


def _random_walk(rng: np.random.Generator, n: int) -> np.ndarray:
    return 50.0 + np.cumsum(rng.normal(0.0, 1.0, n))


# -- forecasters -----------------------------------------------------------------
def _fit_X(est, y, X=None):
    return est.fit(y, X) if X is not None else est.fit(y)


def check_index_period(est: Any) -> None:
    record, data = fitted(est), family_data(est)
    forecast, h = record.output, data["h"]
    expected = pd.period_range("2018-01", periods=h, freq="M")
    if not isinstance(forecast, pd.Series) or not forecast.index.equals(expected):
        raise fail("index_period", est,
                   f"forecast index is not the next {h} months: {getattr(forecast, 'index', forecast)}")
    if forecast.name != "sales":
        raise fail("index_period", est, "forecast lost the series name")


def check_finite_output(est: Any) -> None:
    record = fitted(est)
    if not np.isfinite(np.asarray(record.output, dtype=float)).all():
        raise fail("finite_output", est, f"the forecast holds NaN or inf: {record.output}")
    from tsclassic.base import get_tags

    if get_tags(est).intervals:
        data = family_data(est)
        X = data["X_future"]
        bounds = record.estimator.predict_interval(data["h"], X, coverage=0.8)
        if not np.isfinite(bounds.to_numpy()).all():
            raise fail("finite_output", est, f"the interval holds NaN or inf: {bounds}")


def check_index_datetime(est: Any) -> None:
    data = family_data(est)
    h, values, X, X_future = data["h"], data["values"], data["X"], data["X_future"]
    daily = pd.Series(values, index=pd.date_range("2020-01-01", periods=len(values), freq="D"))
    future = pd.date_range(daily.index[-1] + pd.Timedelta(days=1), periods=h, freq="D")
    model = _fit_X(clone(est), daily, None if X is None else X.set_axis(daily.index))
    out = model.predict(h, None if X_future is None else X_future.set_axis(future))
    if out.index.freq is None or not out.index.equals(future):
        raise fail("index_datetime", est, "DatetimeIndex not continued at the same frequency")


def check_index_range(est: Any) -> None:
    data = family_data(est)
    h, values, X, X_future = data["h"], data["values"], data["X"], data["X_future"]
    n = len(values)
    model = _fit_X(clone(est), pd.Series(values), None if X is None else X.reset_index(drop=True))
    out = model.predict(h, None if X_future is None else X_future.set_axis(pd.RangeIndex(n, n + h)))
    if not out.index.equals(pd.RangeIndex(n, n + h)):
        raise fail("index_range", est, "RangeIndex not continued")


def check_numpy_out(est: Any) -> None:
    data = family_data(est)
    h, X, X_future = data["h"], data["X"], data["X_future"]
    model = _fit_X(clone(est), data["values"].copy(), None if X is None else X.to_numpy())
    out = model.predict(h, None if X_future is None else X_future.to_numpy())
    if not isinstance(out, np.ndarray) or out.shape != (h,):
        raise fail("numpy_out", est, f"NumPy input must give an array of shape ({h},)")


def check_intervals(est: Any) -> None:
    record, data = fitted(est), family_data(est)
    h = data["h"]
    bounds = record.estimator.predict_interval(h, data["X_future"], coverage=0.8)
    expected = pd.period_range("2018-01", periods=h, freq="M")
    if list(bounds.columns) != ["lo", "hi"] or not bounds.index.equals(expected):
        raise fail("intervals", est, "predict_interval must return lo/hi on the forecast index")
    if not (bounds["lo"] <= bounds["hi"]).all():
        raise fail("intervals", est, "lower bound above the upper bound")


# Interval coverage: 90% intervals, 30 series of 60 points, 6 steps ahead. A model whose
# intervals are right covers 90% +- 4 (one standard error); the band below passes it and
# fails one that covers 80% or less (the 69% of DecompositionForecaster's old intervals).
_COVERAGE, _REPLICATES, _LENGTH, _AHEAD, _TOLERANCE = 0.9, 30, 60, 6, 0.08


def check_interval_coverage(est: Any) -> None:
    maker = getattr(type(est), "_coverage_process", None)
    simulate = maker() if maker is not None else _random_walk
    rng = np.random.default_rng(12345)
    hits = []
    for _ in range(_REPLICATES):
        path = simulate(rng, _LENGTH + _AHEAD)
        X = X_future = None
        if family_data(est)["X"] is not None:  # an irrelevant regressor
            exog = rng.normal(size=(_LENGTH + _AHEAD, 1))
            X, X_future = exog[:_LENGTH], exog[_LENGTH:]
        model = _fit_X(clone(est), path[:_LENGTH], X)
        bounds = model.predict_interval(_AHEAD, X_future, coverage=_COVERAGE)
        future = path[_LENGTH:]
        hits.append((bounds[:, 0] <= future) & (future <= bounds[:, 1]))
    coverage = float(np.mean(hits))
    if abs(coverage - _COVERAGE) > _TOLERANCE:
        raise fail("interval_coverage", est,
                   f"{_COVERAGE:.0%} intervals covered {coverage:.1%} of {_REPLICATES} simulated "
                   f"series ({simulate.__name__}), outside {_COVERAGE:.0%} +- {_TOLERANCE:.0%}")


def check_unbounded_interval_warns(est: Any) -> None:
    """An interval that comes out infinite or NaN (a model whose calibration or variance
    has nothing to go on, as on a series that starts flat) must say so with a warning:
    an unbounded band returned in silence reads as "anything can happen" only to a
    reader who looks for it."""
    import warnings

    rng = np.random.default_rng(7)
    y = np.r_[np.full(40, 10.0), 10.0 + np.cumsum(rng.normal(size=40))]
    X = X_future = None
    if family_data(est)["X"] is not None:
        exog = rng.normal(size=(len(y) + _AHEAD, 1))
        X, X_future = exog[:len(y)], exog[len(y):]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model = _fit_X(clone(est), y, X)
        except ValueError:
            return  # refused with a message: not silent
        bounds = model.predict_interval(_AHEAD, X_future, coverage=_COVERAGE)
    if not np.isfinite(bounds).all() and not caught:
        raise fail("unbounded_interval_warns", est,
                   f"the interval holds NaN or inf without a warning: {bounds}")


def _bad_target_cases(
    y: Any, fit: Callable[[Any, Any], Any], *, allow_nan: bool, min_length: int, X: Any = None
) -> list[tuple[str, Callable[[], Any]]]:
    """(name, call) pairs of bad targets that must fail naming ``y``, shared by the
    families whose target is one series or trajectory on a time index: ``y`` a pandas
    Series or DataFrame (at least 11 rows), ``X`` pandas rows aligned with it or None,
    ``fit(y, X)`` fits a fresh clone."""
    def rows(stop=None, step=None):
        return None if X is None else X.iloc[:stop:step]

    nan, inf = y.copy(), y.copy()
    nan.iloc[10], inf.iloc[10] = np.nan, np.inf
    text = y.astype(str)
    duplicated = y.set_axis(y.index[[0, *range(len(y) - 1)]])
    cases = [
        ("inf", lambda: fit(inf, X)),
        ("empty", lambda: fit(y.iloc[:0], rows(0))),
        ("complex", lambda: fit(y + 1j, X)),
        ("unsorted_index", lambda: fit(y.iloc[::-1], rows(step=-1))),
        ("duplicated_index", lambda: fit(duplicated, None if X is None else X.to_numpy())),
        ("text_frame", lambda: fit(text, X)),
        ("categorical_frame", lambda: fit(text.astype("category"), X)),
    ]
    if not allow_nan:
        cases.insert(0, ("nan", lambda: fit(nan, X)))
    if min_length > 1:
        cases.append(("too_short", lambda: fit(y.iloc[: min_length - 1], rows(min_length - 1))))
    return cases


def _bad_series_checks(est: Any) -> list[tuple[str, Callable[[], Any]]]:
    """(name, call) pairs of bad targets that must fail naming ``y``."""
    from tsclassic.base import get_tags

    data = family_data(est)
    values, arr_X = data["values"], None if data["X"] is None else data["X"].to_numpy()

    def fit(y, X):
        return _fit_X(clone(est), y, X)

    cases = _bad_target_cases(data["inputs"][0], fit, allow_nan=get_tags(est).allow_nan,
                              min_length=_min_length(est), X=data["X"])
    return [*cases, ("ndim", lambda: fit(np.column_stack([values, values]), arr_X))]


def _min_length(est: Any) -> int:
    try:
        return int(est._min_length()[0])
    except (ValueError, TypeError):  # bad parameters: the parameter checks report them
        return 1


def _forecaster_checks(est: Any) -> list[tuple[str, Callable[[Any], None]]]:
    from tsclassic.base import get_tags

    tags = get_tags(est)
    checks = [(f.__name__[6:], f) for f in COMMON_CHECKS]
    checks += [(f.__name__[6:], f) for f in (check_index_period, check_finite_output,
                                             check_index_datetime, check_index_range,
                                             check_numpy_out)]
    if tags.intervals:
        checks += [("intervals", check_intervals), ("interval_coverage", check_interval_coverage),
                   ("unbounded_interval_warns", check_unbounded_interval_warns)]
    checks += [(name, _series_case(name)) for name, _ in _bad_series_checks(est)]
    checks.append(("bad_h", _check_bad_h))
    if tags.intervals:
        checks.append(("bad_coverage", _check_bad_coverage))
    if tags.exogenous:
        checks += [("missing_future_X", _check_missing_future_X),
                   ("short_future_X", _check_short_future_X),
                   ("exog_misaligned", _check_exog_misaligned)]
    return checks


def _series_case(name: str) -> Callable[[Any], None]:
    def check(est: Any) -> None:
        call = dict(_bad_series_checks(est))[name]
        expect_error(name, est, call, "y")

    check.__name__ = f"check_{name}"
    return check


def _check_bad_h(est: Any) -> None:
    model, X = fitted(est).estimator, family_data(est).get("X_future")
    expect_error("bad_h", est, lambda: model.predict(0, X) if X is not None else model.predict(0), "h")


def _check_bad_coverage(est: Any) -> None:
    model, data = fitted(est).estimator, family_data(est)
    X = data.get("X_future")
    for coverage in (1.5, 0.0, "90%"):
        expect_error("bad_coverage", est, lambda c=coverage: model.predict_interval(
            data["h"], X, coverage=c) if X is not None else model.predict_interval(
            data["h"], coverage=c), "coverage")


def _check_missing_future_X(est: Any) -> None:
    model = fitted(est).estimator
    expect_error("missing_future_X", est, lambda: model.predict(5), "X")


def _check_short_future_X(est: Any) -> None:
    model, X = fitted(est).estimator, family_data(est)["X_future"]
    expect_error("short_future_X", est, lambda: model.predict(5, X.iloc[:4]), "X")


def _check_exog_misaligned(est: Any) -> None:
    data = family_data(est)
    y, X = data["inputs"]
    shifted = X.set_axis(X.index + 100)  # the same values, at other dates
    expect_error("exog_misaligned", est, lambda: clone(est).fit(y, shifted), "X")


# -- panel estimators ------------------------------------------------------------------
def _panel_bad_input(est: Any) -> list[tuple[str, Callable[[], Any]]]:
    from tsclassic.base import get_tags

    data = family_data(est)
    X, target = data["X"], data["target"]
    nan, inf = X.copy(), X.copy()
    nan[2, 5], inf[2, 5] = np.nan, np.inf
    text = pd.DataFrame(X[:, :8]).astype(str)
    cases = [
        ("inf", lambda: clone(est).fit(inf, target)),
        ("empty", lambda: clone(est).fit(np.empty((0, 40)), target[:0])),
        ("ndim", lambda: clone(est).fit(X[0], target)),
        ("ndim_4d", lambda: clone(est).fit(X[:, None, None, :], target)),
        ("complex", lambda: clone(est).fit(X + 1j, target)),
        ("text_frame", lambda: clone(est).fit(text, target)),
        ("categorical_frame", lambda: clone(est).fit(text.astype("category"), target)),
    ]
    if not get_tags(est).allow_nan:
        cases.insert(0, ("nan", lambda: clone(est).fit(nan, target)))
    return cases


def _panel_case(name: str) -> Callable[[Any], None]:
    def check(est: Any) -> None:
        expect_error(name, est, dict(_panel_bad_input(est))[name], "X")

    check.__name__ = f"check_{name}"
    return check


# What the multivariate and unequal_length tags promise, both ways, and finite transformer
# output on every kind of valid input.
def _method(est: Any) -> str:
    return "transform" if family_data(est)["family"] == "transformer" else "predict"


def _finite(check: str, est: Any, out: Any) -> None:
    """Transformers never give NaN (or infinite) values on valid input."""
    if family_data(est)["family"] != "transformer":
        return
    values = out if isinstance(out, list) else [out]
    if not all(np.isfinite(np.asarray(v, dtype=float)).all() for v in values):
        raise fail(check, est, "transform gave NaN or infinite values on valid input")


def _two_channels(X: np.ndarray) -> np.ndarray:
    """A second channel: the series reversed, on another scale."""
    return np.stack([X, 0.5 * X[:, ::-1] + 1.0], axis=1)


def _ragged(X: np.ndarray) -> list[np.ndarray]:
    """Lengths 40, 33 and 27 in turn."""
    lengths = [X.shape[1], X.shape[1] - 7, X.shape[1] - 13]
    return [X[i, : lengths[i % 3]] for i in range(len(X))]


def check_transform_finite(est: Any) -> None:
    _finite("transform_finite", est, fitted(est).output)


def check_multivariate(est: Any) -> None:
    data = family_data(est)
    X3, target = _two_channels(data["X"]), data["target"]
    model = clone(est).fit(X3, target)
    out = getattr(model, _method(est))(X3[:6])
    if len(out) != 6:
        raise fail("multivariate", est, "3-D input did not give one output per series")
    _finite("multivariate", est, out)
    expect_error("channels_mismatch", est, lambda: getattr(model, _method(est))(data["X"][:6]), "X")
    mixed = [X3[0], X3[1, :1], X3[2]]
    expect_error("channels_within_panel", est, lambda: clone(est).fit(mixed, target[:3]), "X",
                 remedy="channel")


def check_univariate_only(est: Any) -> None:
    data = family_data(est)
    expect_error("univariate_only", est,
                 lambda: clone(est).fit(_two_channels(data["X"]), data["target"]), "X")


def check_unequal_length(est: Any) -> None:
    data = family_data(est)
    ragged, target, method = _ragged(data["X"]), data["target"], _method(est)
    out = getattr(clone(est).fit(ragged, target), method)(ragged[:6])
    if len(out) != 6:
        raise fail("unequal_length", est, "a list of series did not give one output each")
    _finite("unequal_length", est, out)
    frame = pd.DataFrame({"x": [pd.Series(s) for s in ragged]})
    if len(getattr(clone(est).fit(frame, target), method)(frame.iloc[:6])) != 6:
        raise fail("unequal_length", est, "a DataFrame of nested series did not give one output "
                                          "per row")
    empty = [*ragged[:3], np.array([])]
    expect_error("empty_series", est, lambda: clone(est).fit(empty, target[:4]), "X",
                 remedy="empty")


def check_equal_length_only(est: Any) -> None:
    data = family_data(est)
    expect_error("equal_length_only", est,
                 lambda: clone(est).fit(_ragged(data["X"]), data["target"]), "X")


def check_nan_padding(est: Any) -> None:
    data = family_data(est)
    padded = data["X"].copy()
    padded[3, -5:] = np.nan
    expect_error("nan_padding", est, lambda: clone(est).fit(padded, data["target"]), "X",
                 remedy="list")


def check_missing_labels(est: Any) -> None:
    data = family_data(est)
    unlabelled = data["target"].astype(object)
    unlabelled[4] = None
    expect_error("missing_labels", est, lambda: clone(est).fit(data["X"], unlabelled), "y")
    expect_error("too_few_labels", est,
                 lambda: clone(est).fit(data["X"], data["target"][:-3]), "y")


def _panel_shape_checks(est: Any) -> list[tuple[str, Callable[[Any], None]]]:
    from tsclassic.base import get_tags

    tags = get_tags(est)
    checks = [("multivariate", check_multivariate) if tags.multivariate
              else ("univariate_only", check_univariate_only),
              ("unequal_length", check_unequal_length) if tags.unequal_length
              else ("equal_length_only", check_equal_length_only)]
    if family_data(est)["family"] == "transformer":
        checks.append(("transform_finite", check_transform_finite))
    else:
        checks.append(("missing_labels", check_missing_labels))
    if not tags.allow_nan:
        checks.append(("nan_padding", check_nan_padding))
    return checks


def check_sklearn(est: Any) -> None:
    from sklearn.utils.estimator_checks import check_estimator as sklearn_check

    xfail = getattr(type(est), "_xfail_checks", None)
    sklearn_check(clone(est), expected_failed_checks=xfail() if xfail else None)


def _panel_checks(est: Any, sklearn_checks: bool) -> list[tuple[str, Callable[[Any], None]]]:
    from tsclassic.base import get_tags

    checks = [(f.__name__[6:], f) for f in COMMON_CHECKS]
    names = ["nan"] if not get_tags(est).allow_nan else []
    names += ["inf", "empty", "ndim", "ndim_4d", "complex", "text_frame", "categorical_frame"]
    checks += [(name, _panel_case(name)) for name in names]
    checks += _panel_shape_checks(est)
    if sklearn_checks:
        checks.append(("sklearn", check_sklearn))
    return checks


# -- sequence models ---------------------------------------------------------------------
def check_next_token_distribution(est: Any) -> None:
    dist = fitted(est).estimator.predict(["a", "b"])
    if not isinstance(dist, pd.Series) or not np.isclose(dist.sum(), 1.0, atol=1e-6):
        raise fail("predict", est, "predict(context) must be a pd.Series of probabilities summing to 1")
    if not np.isfinite(dist.to_numpy()).all() or not (np.diff(dist.to_numpy()) <= 1e-12).all():
        raise fail("predict", est, "predict(context) must be finite, most probable token first")


def check_score(est: Any) -> None:
    model, corpus = fitted(est).estimator, family_data(est)["corpus"]
    score = model.score(corpus[:5])
    if not np.isfinite(score) or score > 0:
        raise fail("score", est, "score must be a finite log-likelihood <= 0")


def check_score_samples(est: Any) -> None:
    """One log-likelihood per sequence, summing to ``score``."""
    model, corpus = fitted(est).estimator, family_data(est)["corpus"][:5]
    each = model.score_samples(corpus)
    if not isinstance(each, np.ndarray) or each.shape != (len(corpus),):
        raise fail("score_samples", est, f"score_samples must give an array of shape ({len(corpus)},)")
    if not np.isclose(each.sum(), model.score(corpus), rtol=1e-9, atol=1e-9):
        raise fail("score_samples", est, f"score_samples sums to {each.sum():.6f} but score is "
                                         f"{model.score(corpus):.6f}")


def check_chain_rule(est: Any) -> None:
    """The chain rule over ``predict`` gives ``score``, the end of sequence included."""
    model, corpus = fitted(est).estimator, family_data(est)["corpus"]
    end = model.end_token_
    for seq in corpus[:3]:
        steps = [model.predict(seq[:i])[tok] for i, tok in enumerate(seq)]
        steps.append(model.predict(seq)[end])
        total = float(np.sum(np.log(steps)))
        if not np.isclose(total, model.score([seq]), rtol=1e-6, atol=1e-9):
            raise fail("chain_rule", est,
                       f"sum of log predict(prefix)[token] is {total:.6f} but score is "
                       f"{model.score([seq]):.6f} for {seq}")


def check_sample_random_state(est: Any) -> None:
    model = fitted(est).estimator
    if model.sample(3, random_state=1) != model.sample(3, random_state=1):
        raise fail("random_state", est, "sample with the same random_state differed")


def _sequence_bad_input(est: Any) -> list[tuple[str, Callable[[], Any]]]:
    return [
        ("empty", lambda: clone(est).fit([])),
        ("mixed_tokens", lambda: clone(est).fit([["a", 1]])),
        ("not_sequences", lambda: clone(est).fit("abc")),
        ("flat_strings", lambda: clone(est).fit(["the", "cat", "sat"])),
    ]


def _sequence_case(name: str) -> Callable[[Any], None]:
    def check(est: Any) -> None:
        expect_error(name, est, dict(_sequence_bad_input(est))[name], "sequences")

    check.__name__ = f"check_{name}"
    return check


def _sequence_checks(est: Any) -> list[tuple[str, Callable[[Any], None]]]:
    checks = [(f.__name__[6:], f) for f in COMMON_CHECKS]
    checks += [("predict", check_next_token_distribution), ("score", check_score),
               ("score_samples", check_score_samples),
               ("chain_rule", check_chain_rule), ("sample_random_state", check_sample_random_state)]
    checks += [(name, _sequence_case(name)) for name, _ in _sequence_bad_input(est)]
    return checks


# -- trajectory models (a DataFrame on a time index from _conformance_data) -------------
def _as_arrays(output: Any) -> list[np.ndarray]:
    parts = output if isinstance(output, tuple) else (output,)
    return [np.asarray(p, dtype=float) for p in parts]


def check_trajectory_finite(est: Any) -> None:
    if not all(np.isfinite(a).all() for a in _as_arrays(fitted(est).output)):
        raise fail("finite_output", est, "predict(h) or predict_interval(h) holds NaN or inf")


def check_extra_column(est: Any) -> None:
    """A column that names no state is refused, never read as a state."""
    if getattr(type(est), "_all_columns_are_states", False):
        return
    data = family_data(est)["data"]
    expect_error("extra_column", est, lambda: clone(est).fit(data.assign(extra=1.0)), "extra")


def _bad_trajectory_checks(est: Any) -> list[tuple[str, Callable[[], Any]]]:
    from tsclassic.base import get_tags

    data = family_data(est)["data"]
    try:
        min_length = int(est._min_length(data.shape[1])[0])
    except (ValueError, TypeError):  # bad parameters: the parameter checks report them
        min_length = 1
    cases = _bad_target_cases(data, lambda y, X: clone(est).fit(y),
                              allow_nan=get_tags(est).allow_nan, min_length=min_length)
    values = data.to_numpy()
    return [*cases, ("ndim", lambda: clone(est).fit(np.stack([values, values], axis=-1)))]


def _trajectory_case(name: str) -> Callable[[Any], None]:
    def check(est: Any) -> None:
        expect_error(name, est, dict(_bad_trajectory_checks(est))[name], "y")

    check.__name__ = f"check_{name}"
    return check


def _step(data: pd.DataFrame) -> float:
    return float(data.index[1] - data.index[0])


def _continues(check: str, est: Any, out: Any, expected: pd.Index) -> None:
    if not isinstance(out, pd.DataFrame) or not out.index.equals(expected):
        raise fail(check, est, f"predict(h) must be a DataFrame on the next {len(expected)} "
                               f"times {list(expected)}; got {getattr(out, 'index', out)!r}")
    if isinstance(expected, (pd.DatetimeIndex, pd.PeriodIndex)) and out.index.freq != expected.freq:
        raise fail(check, est, f"the forecast's index lost the frequency {expected.freq}")


def check_trajectory_index_float(est: Any) -> None:
    data, h = family_data(est)["data"], family_data(est)["h"]
    point = _as_arrays(fitted(est).output)[0]
    out = fitted(est).estimator.predict(h)
    step = _step(data)
    expected = pd.Index(data.index[-1] + step * np.arange(1, h + 1), name=data.index.name)
    if not isinstance(out, pd.DataFrame) or not np.allclose(out.index, expected, rtol=1e-9):
        raise fail("index_float", est, f"the float time index was not continued at its step "
                                       f"{step:g}: {getattr(out, 'index', out)!r}")
    if out.index.name != data.index.name or out.shape != point.shape:
        raise fail("index_float", est, "the forecast lost the index name or its shape")


def check_trajectory_index_datetime(est: Any) -> None:
    """Times counted in days: the same model times as the float index, so the same fit."""
    data, h = family_data(est)["data"], family_data(est)["h"]
    freq = pd.Timedelta(days=_step(data))
    index = pd.date_range("2024-01-01", periods=len(data) + h, freq=freq)
    out = clone(est).fit(data.set_axis(index[: len(data)])).predict(h)
    _continues("index_datetime", est, out, index[len(data):])
    point = _as_arrays(fitted(est).output)[0]
    if not np.allclose(out.to_numpy(), point, rtol=1e-4, atol=1e-8 * np.abs(point).max()):
        raise fail("index_datetime", est, "a DatetimeIndex of the same times (in days) gave "
                                          "another forecast than the float index")


def _fit_unit_steps(est: Any, data: pd.DataFrame, index: pd.Index, h: int) -> Any:
    """Fit on ``index`` (steps of 1 on the model's clock) and forecast; the fit on a clock
    other than the example's may warn that it is not trusted, which is not the point."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return clone(est).fit(data.set_axis(index)).predict(h)


def check_trajectory_index_period(est: Any) -> None:
    data, h = family_data(est)["data"], family_data(est)["h"]
    index = pd.period_range("2000-01", periods=len(data) + h, freq="M")
    out = _fit_unit_steps(est, data, index[: len(data)], h)
    _continues("index_period", est, out, index[len(data):])


def check_trajectory_index_range(est: Any) -> None:
    data, h = family_data(est)["data"], family_data(est)["h"]
    n = len(data)
    out = _fit_unit_steps(est, data, pd.RangeIndex(n), h)
    _continues("index_range", est, out, pd.RangeIndex(n, n + h))


def check_trajectory_numpy_out(est: Any) -> None:
    """NumPy in (with the time step ``t``), NumPy out, and the same numbers."""
    from tsclassic.base import get_tags

    data, h = family_data(est)["data"], family_data(est)["h"]
    model = clone(est)
    if "observed" in model.get_params() and model.observed is None:
        # An array has no column names to say which states it observes.
        model.set_params(observed=[str(c) for c in data.columns])
    model.fit(data.to_numpy(), t=_step(data))
    out = model.predict(h)
    point = _as_arrays(fitted(est).output)[0]
    if not isinstance(out, np.ndarray) or out.shape != point.shape:
        raise fail("numpy_out", est, f"NumPy input must give an array of shape {point.shape}")
    if not np.allclose(out, point, rtol=1e-4, atol=1e-8 * np.abs(point).max()):
        raise fail("numpy_out", est, "NumPy input gave another forecast than the DataFrame")
    if get_tags(est).intervals:
        band = model.predict_interval(h, coverage=0.8)
        if not isinstance(band, np.ndarray) or band.shape != (*point.shape, 2):
            raise fail("numpy_out", est, f"NumPy input must give intervals of shape "
                                         f"{(*point.shape, 2)} (time, state, lo/hi)")


def check_trajectory_intervals(est: Any) -> None:
    """One frame shape: the forecast's index, columns (state, "lo"/"hi"), lo <= point <= hi."""
    record, h = fitted(est), family_data(est)["h"]
    point, band = record.output
    columns = pd.MultiIndex.from_product([list(point.columns), ["lo", "hi"]],
                                         names=["state", "bound"])
    if not isinstance(band, pd.DataFrame) or not band.columns.equals(columns) \
            or not band.index.equals(point.index):
        raise fail("intervals", est, f"predict_interval({h}) must be a DataFrame on the "
                                     f"forecast's index with columns {list(columns)}")
    lo = band.xs("lo", axis=1, level="bound").to_numpy()
    hi = band.xs("hi", axis=1, level="bound").to_numpy()
    if not ((lo <= point.to_numpy() + 1e-9) & (point.to_numpy() <= hi + 1e-9)).all():
        raise fail("intervals", est, "the point forecast lies outside its interval")


def check_trajectory_not_fitted(est: Any) -> None:
    from sklearn.exceptions import NotFittedError

    from tsclassic.base import get_tags

    calls = [lambda e: e.simulate([0.0, 1.0])]
    if get_tags(est).intervals:
        calls.append(lambda e: e.predict_interval(2))
    for call in calls:
        try:
            call(clone(est))
        except NotFittedError:
            continue
        except Exception as err:  # noqa: BLE001
            raise fail("not_fitted", est, f"raised {type(err).__name__}, not NotFittedError") from None
        raise fail("not_fitted", est, "using an unfitted estimator raised no NotFittedError")


# Trajectory interval coverage: 90% intervals, 30 trajectories of the class's system with
# Gaussian noise of known size, 5 steps ahead, every observed state. One trajectory's
# hits are correlated (they share the fitted parameters): over 30 the mean has a standard
# error of about 2.5 points, so the band passes right intervals and fails those that
# cover 80% or less.
_T_REPLICATES, _T_AHEAD = 30, 5


def trajectory_coverage(est: Any, replicates: int | None = None) -> float:
    """The share of future observations that ``est``'s 90% intervals hold, over
    ``replicates`` noisy trajectories of its ``_coverage_data`` (default: the class's
    ``_coverage_replicates``, else 30), 5 steps ahead."""
    return float(np.mean(trajectory_hits(est, replicates)))


def trajectory_hits(est: Any, replicates: int | None = None) -> np.ndarray:
    """What :func:`trajectory_coverage` averages: one row per replicate, whether each
    future value of each observed state fell inside the interval. The draws are seeded,
    so the first ``k`` rows are the hits of ``k`` replicates."""
    import warnings

    if replicates is None:
        replicates = getattr(type(est), "_coverage_replicates", _T_REPLICATES)
    maker = getattr(type(est), "_coverage_data", None)
    if maker is None:
        raise fail("interval_coverage", est, "a trajectory model with intervals must define "
                                             "_coverage_data(rng, ahead): its system with noise")
    rng = np.random.default_rng(12345)
    hits = []
    for _ in range(replicates):
        data = maker(rng, _T_AHEAD)
        train, future = data.iloc[:-_T_AHEAD], data.iloc[-_T_AHEAD:]
        with warnings.catch_warnings():
            # A replicate whose fit is not trusted still counts: the interval is the claim.
            warnings.simplefilter("ignore")
            band = clone(est).fit(train).predict_interval(_T_AHEAD, coverage=_COVERAGE)
        row = []
        for column in future.columns:
            lo, hi = band[(column, "lo")].to_numpy(), band[(column, "hi")].to_numpy()
            row.append((lo <= future[column].to_numpy()) & (future[column].to_numpy() <= hi))
        hits.append(np.concatenate(row))
    return np.array(hits)


def check_trajectory_coverage(est: Any) -> None:
    coverage = trajectory_coverage(est)
    replicates = getattr(type(est), "_coverage_replicates", _T_REPLICATES)
    if abs(coverage - _COVERAGE) > _TOLERANCE:
        raise fail("interval_coverage", est,
                   f"{_COVERAGE:.0%} intervals covered {coverage:.1%} of {replicates} "
                   f"simulated trajectories, outside {_COVERAGE:.0%} +- {_TOLERANCE:.0%}")


def _trajectory_checks(est: Any) -> list[tuple[str, Callable[[Any], None]]]:
    from tsclassic.base import get_tags

    checks = [(f.__name__[6:], f) for f in COMMON_CHECKS]
    checks += [("finite_output", check_trajectory_finite), ("extra_column", check_extra_column),
               ("not_fitted_methods", check_trajectory_not_fitted),
               ("index_float", check_trajectory_index_float),
               ("index_datetime", check_trajectory_index_datetime),
               ("index_period", check_trajectory_index_period),
               ("index_range", check_trajectory_index_range),
               ("numpy_out", check_trajectory_numpy_out)]
    checks += [(name, _trajectory_case(name)) for name, _ in _bad_trajectory_checks(est)]
    checks.append(("bad_h", _check_bad_h))
    if get_tags(est).intervals:
        checks += [("intervals", check_trajectory_intervals), ("bad_coverage", _check_bad_coverage),
                   ("interval_coverage", check_trajectory_coverage)]
    return checks


# -- global forecasters (a long unique_id, ds, y frame from _conformance_data) ----------
def check_global_finite(est: Any) -> None:
    out = fitted(est).output
    if list(out.columns) != ["unique_id", "ds", "yhat"] or not np.isfinite(out["yhat"]).all():
        raise fail("finite_output", est, "predict(h) must be unique_id, ds, yhat with finite yhat")


def check_global_complex(est: Any) -> None:
    data = family_data(est)["data"]
    expect_error("complex", est, lambda: clone(est).fit(data.assign(y=data["y"] + 1j)), "df")


def _global_checks(est: Any) -> list[tuple[str, Callable[[Any], None]]]:
    checks = [(f.__name__[6:], f) for f in COMMON_CHECKS]
    return checks + [("finite_output", check_global_finite),
                     ("extra_column", check_extra_column), ("complex", check_global_complex)]


# -- the suite ---------------------------------------------------------------------------
def estimator_checks(
    estimator: Any, *, sklearn_checks: bool = True
) -> Iterator[tuple[str, Callable[[Any], None]]]:
    """The named checks of the estimator's family, minus those it declares cannot apply.

    Yields
    ------
    (name, check)
        ``check(estimator)`` raises ``AssertionError`` naming the check when it fails.
    """
    from tsclassic import estimator_family

    cls = type(estimator)
    family = estimator_family(cls)
    if family == "global":
        checks = _global_checks(estimator)
    elif family == "trajectory":
        checks = _trajectory_checks(estimator)
    elif family == "forecaster":
        checks = _forecaster_checks(estimator)
    elif family == "sequence":
        checks = _sequence_checks(estimator)
    else:
        checks = _panel_checks(estimator, sklearn_checks)
    xfail = getattr(cls, "_xfail_checks", None)
    skipped = xfail() if xfail is not None else {}
    for name, check in checks:
        if name not in skipped:
            yield name, check


def check_estimator(estimator: Any, *, sklearn_checks: bool = True) -> None:
    """Run every conformance check of the estimator's family.

    Parameters
    ----------
    estimator : estimator instance
    sklearn_checks : bool, default True
        Also run scikit-learn's ``check_estimator`` on panel estimators (2-D input).

    Raises
    ------
    AssertionError
        Naming the first failed check and the estimator.

    Examples
    --------
    >>> from tsclassic import Naive
    >>> from tsclassic.testing import check_estimator
    >>> check_estimator(Naive())
    """
    for _, check in estimator_checks(estimator, sklearn_checks=sklearn_checks):
        check(estimator)


def parametrize_with_checks(estimators: list[Any], *, ids: list[str] | None = None) -> Any:
    """A ``pytest.mark.parametrize`` over every (estimator, check) pair.

    Parameters
    ----------
    estimators : list of estimator instances
    ids : list of str, optional
        A label per estimator (default: the class name and its position).

    Examples
    --------
    >>> from tsclassic import Naive
    >>> from tsclassic.testing import parametrize_with_checks
    >>> @parametrize_with_checks([Naive()])
    ... def test_conformance(estimator, check):
    ...     check(estimator)
    """
    import pytest

    labels = ids or [f"{type(e).__name__}-{i}" for i, e in enumerate(estimators)]
    cases = [
        pytest.param(est, check, id=f"{label}-{name}")
        for est, label in zip(estimators, labels)
        for name, check in estimator_checks(est)
    ]
    return pytest.mark.parametrize(("estimator", "check"), cases)

