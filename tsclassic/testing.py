"""The conformance suite: one set of checks that every tsclassic estimator must pass.

``check_estimator(est)`` picks the checks of the estimator's family (forecaster, panel
classifier / regressor / transformer, sequence model, or an estimator that supplies its
own data through ``_conformance_data``) and raises ``AssertionError`` naming the first
check that fails. ``tests/test_common.py`` runs it over :func:`tsclassic.all_estimators`.

Estimators may define two class methods for it:

``_test_params() -> list[dict]``
    small, fast parameter sets (default ``[{}]``);
``_xfail_checks() -> dict[str, str]``
    scikit-learn checks that cannot apply to a panel estimator, with the reason.
"""

from __future__ import annotations

import pickle
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

__all__ = ["check_estimator", "test_params", "forecaster_data", "panel_data", "token_corpus"]


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


# -- helpers -------------------------------------------------------------------
def _fail(check: str, est: Any, message: str) -> AssertionError:
    return AssertionError(f"[{check}] {type(est).__name__}: {message}")


def _expect_error(
    check: str, est: Any, call: Callable[[], Any], argument: str, kinds=(ValueError, TypeError),
    remedy: str | None = None,
) -> None:
    try:
        call()
    except kinds as err:
        if not re.search(rf"(?<![A-Za-z_]){re.escape(argument)}(?![A-Za-z_])", str(err)):
            raise _fail(check, est, f"the error does not name the argument {argument!r}: {err}") from None
        if remedy is not None and remedy not in str(err):
            raise _fail(check, est, f"the error does not name the remedy ({remedy!r}): {err}") from None
        return
    except Exception as err:  # noqa: BLE001 - any other exception type is the failure
        raise _fail(
            check, est, f"raised {type(err).__name__} instead of ValueError/TypeError: {err}"
        ) from None
    raise _fail(check, est, "accepted bad input without an error")


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (pd.Series, pd.DataFrame)):
        return a.equals(b)
    if isinstance(a, np.ndarray):
        return np.array_equal(a, b, equal_nan=True)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


def _check_params_and_clone(est: Any) -> None:
    params = est.get_params(deep=False)
    rebuilt = type(est)(**params).get_params(deep=False)
    for name, value in params.items():
        if rebuilt[name] is not value:
            raise _fail("init_params", est, f"__init__ did not store {name} verbatim")
    cloned = clone(est)
    for name, value in cloned.get_params(deep=False).items():
        if repr(value) != repr(params[name]):
            raise _fail("clone", est, f"clone changed parameter {name}: {value!r} != {params[name]!r}")


def _check_not_fitted(est: Any, calls: list[Callable[[Any], Any]]) -> None:
    for call in calls:
        try:
            call(clone(est))
        except NotFittedError:
            continue
        except Exception as err:  # noqa: BLE001
            raise _fail("not_fitted", est, f"raised {type(err).__name__}, not NotFittedError") from None
        raise _fail("not_fitted", est, "using an unfitted estimator raised no NotFittedError")


def _check_random_state(est: Any, run: Callable[[Any], Any]) -> None:
    if "random_state" not in est.get_params(deep=False):
        return
    first = run(clone(est).set_params(random_state=7))
    second = run(clone(est).set_params(random_state=7))
    if not _same(first, second):
        raise _fail("random_state", est, "the same random_state gave different output")


def _check_pickle(est: Any, fitted: Any, run: Callable[[Any], Any]) -> None:
    restored = pickle.loads(pickle.dumps(fitted))
    if not _same(run(fitted), run(restored)):
        raise _fail("pickle", est, "predictions changed after a pickle round trip")


# -- families ------------------------------------------------------------------
def _forecaster_checks(est: Any) -> None:
    from tsclassic.base import get_tags

    tags = get_tags(est)
    h = 5
    values = forecaster_data()
    period = pd.Series(values, index=pd.period_range("2010-01", periods=len(values), freq="M"),
                       name="sales")
    n_exog = len(values) + h
    exog_all = pd.DataFrame({"promo": np.sin(np.arange(n_exog) / 3.0) + 1.0},
                            index=pd.period_range("2010-01", periods=n_exog, freq="M"))
    X_fit, X_future = (exog_all.iloc[: len(values)], exog_all.iloc[len(values):]) if tags.exogenous else (None, None)

    def fit(e, y, X=X_fit):
        return e.fit(y, X) if X is not None else e.fit(y)

    def predict(e, X=X_future):
        return e.predict(h, X) if X is not None else e.predict(h)

    _check_params_and_clone(est)
    _check_not_fitted(est, [lambda e: predict(e)])
    est = clone(est)
    y_before, X_before = period.copy(), None if X_fit is None else X_fit.copy()
    if fit(est, period) is not est:
        raise _fail("fit_returns_self", est, "fit did not return self")
    forecast = predict(est)
    if not period.equals(y_before) or (X_fit is not None and not X_fit.equals(X_before)):
        raise _fail("input_unchanged", est, "fit or predict modified the caller's data")
    expected = pd.period_range("2018-01", periods=h, freq="M")
    if not isinstance(forecast, pd.Series) or not forecast.index.equals(expected):
        raise _fail("index_period", est, f"forecast index is not the next {h} months: {getattr(forecast, 'index', forecast)}")
    if forecast.name != "sales" or not np.isfinite(forecast.to_numpy()).all():
        raise _fail("index_period", est, "forecast lost the series name or is not finite")

    daily = pd.Series(values, index=pd.date_range("2020-01-01", periods=len(values), freq="D"))
    X_daily = None if X_fit is None else X_fit.set_axis(daily.index)
    out = fit(clone(est), daily, X_daily).predict(h, None if X_future is None else X_future.reset_index(drop=True))
    if out.index.freq is None or not out.index.equals(pd.date_range(daily.index[-1] + pd.Timedelta(days=1), periods=h, freq="D")):
        raise _fail("index_datetime", est, "DatetimeIndex not continued at the same frequency")
    ranged = pd.Series(values)
    out = fit(clone(est), ranged, None if X_fit is None else X_fit.reset_index(drop=True)).predict(
        h, None if X_future is None else X_future.reset_index(drop=True))
    if not out.index.equals(pd.RangeIndex(len(values), len(values) + h)):
        raise _fail("index_range", est, "RangeIndex not continued")
    arr_X = None if X_fit is None else X_fit.to_numpy()
    arr_future = None if X_future is None else X_future.to_numpy()
    out = fit(clone(est), values.copy(), arr_X).predict(h, arr_future)
    if not isinstance(out, np.ndarray) or out.shape != (h,):
        raise _fail("numpy_out", est, f"NumPy input must give an array of shape ({h},)")

    _check_pickle(est, est, lambda e: predict(e))
    _check_random_state(est, lambda e: predict(fit(e, period)))
    if tags.intervals:
        bounds = est.predict_interval(h, X_future, coverage=0.8) if X_future is not None else est.predict_interval(h, coverage=0.8)
        if list(bounds.columns) != ["lo", "hi"] or not bounds.index.equals(expected):
            raise _fail("intervals", est, "predict_interval must return lo/hi on the forecast index")
        if not (bounds["lo"] <= bounds["hi"]).all():
            raise _fail("intervals", est, "lower bound above the upper bound")

    # bad input
    bad = values.copy()
    bad[10] = np.nan
    if not tags.allow_nan:
        _expect_error("nan", est, lambda: fit(clone(est), bad, arr_X), "y")
    bad_inf = values.copy()
    bad_inf[10] = np.inf
    _expect_error("inf", est, lambda: fit(clone(est), bad_inf, arr_X), "y")
    _expect_error("empty", est, lambda: fit(clone(est), np.array([]), None if arr_X is None else arr_X[:0]), "y")
    _expect_error("ndim", est, lambda: fit(clone(est), np.column_stack([values, values]), arr_X), "y")
    min_length, _ = clone(est)._min_length()
    if min_length > 1:
        _expect_error("too_short", est, lambda: fit(clone(est), values[: min_length - 1],
                                                     None if arr_X is None else arr_X[: min_length - 1]), "y")
    shuffled = period.iloc[::-1]
    _expect_error("unsorted_index", est, lambda: fit(clone(est), shuffled, None if X_fit is None else X_fit.iloc[::-1]), "y")
    duplicated = pd.Series(values, index=pd.Index([0, *range(len(values) - 1)]))
    _expect_error("duplicated_index", est, lambda: fit(clone(est), duplicated, arr_X), "y")
    _expect_error("bad_h", est, lambda: _predict_h(est, 0, X_future), "h")
    if tags.exogenous:
        _expect_error("missing_future_X", est, lambda: est.predict(h), "X")
        _expect_error("short_future_X", est, lambda: est.predict(h, X_future.iloc[: h - 1]), "X")


def _predict_h(est: Any, h: int, X: Any) -> Any:
    return est.predict(h, X) if X is not None else est.predict(h)


def _panel_checks(est: Any, family: str, run_sklearn: bool) -> None:
    X, y = panel_data()
    target = y.astype(float) if family == "regressor" else y
    method = "transform" if family == "transformer" else "predict"

    def fit(e, Xs=X):
        return e.fit(Xs, target)

    def run(e):
        return getattr(e, method)(X[:6])

    _check_params_and_clone(est)
    _check_not_fitted(est, [run])
    est = clone(est)
    X_before, y_before = X.copy(), target.copy()
    if fit(est) is not est:
        raise _fail("fit_returns_self", est, "fit did not return self")
    run(est)
    if not (np.array_equal(X, X_before) and np.array_equal(target, y_before)):
        raise _fail("input_unchanged", est, "fit or predict modified the caller's data")
    _check_pickle(est, est, run)
    _check_random_state(est, lambda e: run(fit(e)))
    bad = X.copy()
    bad[2, 5] = np.nan
    from tsclassic.base import get_tags

    if not get_tags(est).allow_nan:
        _expect_error("nan", est, lambda: fit(clone(est), bad), "X")
    bad_inf = X.copy()
    bad_inf[2, 5] = np.inf
    _expect_error("inf", est, lambda: fit(clone(est), bad_inf), "X")
    _expect_error("empty", est, lambda: clone(est).fit(np.empty((0, 40)), target[:0]), "X")
    _expect_error("ndim", est, lambda: fit(clone(est), X[0]), "X")
    _expect_error("ndim_4d", est, lambda: fit(clone(est), X[:, None, None, :]), "X")
    _panel_shape_checks(est, family, fit, run, X, target)
    if run_sklearn:
        from sklearn.utils.estimator_checks import check_estimator as sklearn_check

        xfail = getattr(type(est), "_xfail_checks", None)
        sklearn_check(clone(est), expected_failed_checks=xfail() if xfail else None)


def _check_finite_output(check: str, est: Any, out: Any, family: str) -> None:
    """Transformers never give NaN (or infinite) values on valid input."""
    if family != "transformer":
        return
    values = out if isinstance(out, list) else [out]
    if not all(np.isfinite(np.asarray(v, dtype=float)).all() for v in values):
        raise _fail(check, est, "transform gave NaN or infinite values on valid input")


def _panel_shape_checks(est: Any, family: str, fit: Callable, run: Callable, X: np.ndarray,
                        target: np.ndarray) -> None:
    """What the ``multivariate`` and ``unequal_length`` tags promise, both ways, and
    finite transformer output on every kind of valid input."""
    from tsclassic.base import get_tags

    tags = get_tags(est)
    _check_finite_output("finite_output", est, run(fit(clone(est))), family)
    # A second channel: the series reversed, on another scale.
    X3 = np.stack([X, 0.5 * X[:, ::-1] + 1.0], axis=1)
    if tags.multivariate:
        fitted = fit(clone(est), X3)
        out = getattr(fitted, "transform" if family == "transformer" else "predict")(X3[:6])
        if len(out) != 6:
            raise _fail("multivariate", est, "3-D input did not give one output per series")
        _check_finite_output("multivariate", est, out, family)
        _expect_error("channels_mismatch", est, lambda: run(fitted), "X")
        mixed = [X3[0], X3[1, :1], X3[2]]
        _expect_error("channels_within_panel", est,
                      lambda: clone(est).fit(mixed, target[:3]), "X", remedy="channel")
    else:
        _expect_error("univariate_only", est, lambda: fit(clone(est), X3), "X")
    # Lengths 40, 33 and 27 in turn (a list of arrays, and a DataFrame of nested cells).
    lengths = [X.shape[1], X.shape[1] - 7, X.shape[1] - 13]
    ragged = [X[i, : lengths[i % 3]] for i in range(len(X))]
    if tags.unequal_length:
        method = "transform" if family == "transformer" else "predict"
        fitted = fit(clone(est), ragged)
        out = getattr(fitted, method)(ragged[:6])
        if len(out) != 6:
            raise _fail("unequal_length", est, "a list of series did not give one output each")
        _check_finite_output("unequal_length", est, out, family)
        frame = pd.DataFrame({"x": [pd.Series(s) for s in ragged]})
        if len(getattr(fit(clone(est), frame), method)(frame.iloc[:6])) != 6:
            raise _fail("unequal_length", est, "a DataFrame of nested series did not give one "
                                               "output per row")
        empty = [*ragged[:3], np.array([])]
        _expect_error("empty_series", est, lambda: clone(est).fit(empty, target[:4]), "X",
                      remedy="empty")
    else:
        _expect_error("equal_length_only", est, lambda: fit(clone(est), ragged), "X")
    padded = X.copy()
    padded[3, -5:] = np.nan
    if not tags.allow_nan:
        _expect_error("nan_padding", est, lambda: fit(clone(est), padded), "X", remedy="list")
    if family != "transformer":
        unlabelled = target.astype(object)
        unlabelled[4] = None
        _expect_error("missing_labels", est, lambda: clone(est).fit(X, unlabelled), "y")
        _expect_error("too_few_labels", est, lambda: clone(est).fit(X, target[:-3]), "y")


def _sequence_checks(est: Any) -> None:
    corpus = token_corpus()

    def run(e):
        return e.score(corpus[:5]), e.predict(["a"]).round(12).to_dict()

    _check_params_and_clone(est)
    _check_not_fitted(est, [lambda e: e.score(corpus), lambda e: e.predict(["a"]),
                            lambda e: e.sample(2, random_state=0)])
    est = clone(est)
    before = [list(s) for s in corpus]
    if est.fit(corpus) is not est:
        raise _fail("fit_returns_self", est, "fit did not return self")
    dist = est.predict(["a", "b"])
    if corpus != before:
        raise _fail("input_unchanged", est, "fit modified the caller's corpus")
    if not isinstance(dist, pd.Series) or not np.isclose(dist.sum(), 1.0, atol=1e-6):
        raise _fail("predict", est, "predict(context) must be a pd.Series of probabilities summing to 1")
    if not (np.diff(dist.to_numpy()) <= 1e-12).all():
        raise _fail("predict", est, "predict(context) must list the most probable token first")
    if not np.isfinite(est.score(corpus[:5])) or est.score(corpus[:5]) > 0:
        raise _fail("score", est, "score must be a finite log-likelihood <= 0")
    _check_pickle(est, est, run)
    if est.sample(3, random_state=1) != est.sample(3, random_state=1):
        raise _fail("random_state", est, "sample with the same random_state differed")
    _check_random_state(est, lambda e: run(e.fit(corpus)))
    _expect_error("empty", est, lambda: clone(est).fit([]), "sequences")
    _expect_error("mixed_tokens", est, lambda: clone(est).fit([["a", 1]]), "sequences")
    _expect_error("not_sequences", est, lambda: clone(est).fit("abc"), "sequences")


def _custom_data_checks(est: Any) -> None:
    data = type(est)._conformance_data()

    def run(e):
        return e.predict(3)

    _check_params_and_clone(est)
    _check_not_fitted(est, [run])
    est = clone(est)
    before = data.copy()
    if est.fit(data) is not est:
        raise _fail("fit_returns_self", est, "fit did not return self")
    run(est)
    if not data.equals(before):
        raise _fail("input_unchanged", est, "fit or predict modified the caller's data")
    _check_pickle(est, est, run)
    _check_random_state(est, lambda e: run(e.fit(data)))


def check_estimator(estimator: Any, *, sklearn_checks: bool = True) -> None:
    """Run the conformance checks of the estimator's family.

    Parameters
    ----------
    estimator : estimator instance
    sklearn_checks : bool, default True
        Also run scikit-learn's ``check_estimator`` on panel estimators (2-D input).

    Raises
    ------
    AssertionError
        Naming the failed check and the estimator.

    Examples
    --------
    >>> from tsclassic import Naive
    >>> from tsclassic.testing import check_estimator
    >>> check_estimator(Naive())
    """
    from tsclassic import estimator_family

    if hasattr(type(estimator), "_conformance_data"):
        _custom_data_checks(estimator)
        return
    family = estimator_family(type(estimator))
    if family == "forecaster":
        _forecaster_checks(estimator)
    elif family == "sequence":
        _sequence_checks(estimator)
    else:
        _panel_checks(estimator, family, sklearn_checks)
