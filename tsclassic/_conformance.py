"""The conformance checks: one function per property, named, shared by every family.

Each check takes an unfitted estimator and raises ``AssertionError("[name] Class: ...")``
when the estimator breaks the property. Checks that need a fitted model share one fit per
estimator (``_fitted``), so a family's two dozen checks cost a handful of fits.
:mod:`tsclassic.testing` lists them per family and runs them.
"""

from __future__ import annotations

import os
import pickle
import re
import tempfile
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

__all__ = ["COMMON_CHECKS", "fail", "expect_error", "same", "fitted", "family_data"]


def fail(check: str, est: Any, message: str) -> AssertionError:
    return AssertionError(f"[{check}] {type(est).__name__}: {message}")


def expect_error(
    check: str, est: Any, call: Callable[[], Any], argument: str, kinds=(ValueError, TypeError),
    remedy: str | None = None,
) -> None:
    """``call()`` must raise ValueError/TypeError whose message names ``argument`` (and
    ``remedy``, a word of the fix, when given)."""
    try:
        call()
    except kinds as err:
        if not re.search(rf"(?<![A-Za-z_]){re.escape(argument)}(?![A-Za-z_])", str(err)):
            raise fail(check, est, f"the error does not name the argument {argument!r}: {err}") from None
        if remedy is not None and remedy not in str(err):
            raise fail(check, est, f"the error does not name the remedy ({remedy!r}): {err}") from None
        return
    except Exception as err:  # noqa: BLE001 - any other exception type is the failure
        raise fail(
            check, est, f"raised {type(err).__name__} instead of ValueError/TypeError: {err}"
        ) from None
    raise fail(check, est, "accepted bad input without an error")


def same(a: Any, b: Any) -> bool:
    if isinstance(a, (pd.Series, pd.DataFrame)):
        return a.equals(b)
    if isinstance(a, np.ndarray):
        return np.array_equal(a, b, equal_nan=True)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b


# -- the data each family is checked on ---------------------------------------------
def family_data(est: Any) -> dict[str, Any]:
    """What the shared checks fit on and run: ``fit(e)``, ``run(e)`` and the inputs."""
    from tsclassic import estimator_family
    from tsclassic.testing import forecaster_data, panel_data, token_corpus

    family = "trajectory" if hasattr(type(est), "_conformance_data") else estimator_family(type(est))
    if family == "forecaster":
        from tsclassic.base import get_tags

        h = 5
        values = forecaster_data()
        y = pd.Series(values, index=pd.period_range("2010-01", periods=len(values), freq="M"),
                      name="sales")
        X = X_future = None
        if get_tags(est).exogenous:
            n = len(values) + h
            exog = pd.DataFrame({"promo": np.sin(np.arange(n) / 3.0) + 1.0},
                                index=pd.period_range("2010-01", periods=n, freq="M"))
            X, X_future = exog.iloc[: len(values)], exog.iloc[len(values):]

        def fit(e, y=y, X=X):
            return e.fit(y, X) if X is not None else e.fit(y)

        def run(e, X=X_future):
            return e.predict(h, X) if X is not None else e.predict(h)

        return dict(family=family, fit=fit, run=run, inputs=(y, X), h=h, values=values,
                    X=X, X_future=X_future)
    if family == "sequence":
        corpus = token_corpus()

        def run(e):
            return e.score(corpus[:5]), e.predict(["a"]).round(12).to_dict()

        return dict(family=family, fit=lambda e: e.fit(corpus), run=run, inputs=(corpus,),
                    corpus=corpus)
    if family == "trajectory":
        data = type(est)._conformance_data()
        return dict(family=family, fit=lambda e: e.fit(data), run=lambda e: e.predict(3),
                    inputs=(data,), data=data)
    X, y = panel_data()
    target = y.astype(float) if family == "regressor" else y
    method = "transform" if family == "transformer" else "predict"
    return dict(family=family, fit=lambda e, Xs=X: e.fit(Xs, target),
                run=lambda e: getattr(e, method)(X[:6]), inputs=(X, target), X=X,
                target=target)


@dataclass
class Fit:
    """One fit of an estimator on its family's data, shared by the checks."""

    estimator: Any
    returned: Any
    unchanged: bool
    output: Any


_CACHE: OrderedDict = OrderedDict()
_CACHE_SIZE = 4  # the checks of one estimator run one after the other


def _copy(inputs: tuple) -> tuple:
    return tuple(
        [list(s) for s in x] if isinstance(x, list) else (None if x is None else x.copy())
        for x in inputs
    )


def fitted(est: Any) -> Fit:
    """The estimator fitted once on its family's data (cached by class and parameters)."""
    key = (type(est), repr(sorted(est.get_params(deep=False).items(), key=lambda kv: kv[0])))
    if key in _CACHE:
        return _CACHE[key]
    data = family_data(est)
    model = clone(est)
    before = _copy(data["inputs"])
    returned = data["fit"](model)
    output = data["run"](model)
    unchanged = all(
        same(a, b) if not isinstance(a, np.ndarray) else np.array_equal(a, b)
        for a, b in zip(data["inputs"], before)
    )
    record = Fit(model, returned, unchanged, output)
    _CACHE[key] = record
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return record


# -- checks every family shares ------------------------------------------------------
def check_init_params(est: Any) -> None:
    params = est.get_params(deep=False)
    rebuilt = type(est)(**params).get_params(deep=False)
    for name, value in params.items():
        if rebuilt[name] is not value:
            raise fail("init_params", est, f"__init__ did not store {name} verbatim")
    cloned = clone(est)
    for name, value in cloned.get_params(deep=False).items():
        if repr(value) != repr(params[name]):
            raise fail("clone", est, f"clone changed parameter {name}: {value!r} != {params[name]!r}")


def check_params_declared(est: Any) -> None:
    rules = getattr(type(est), "_parameter_constraints", None) or {}
    missing = sorted(set(est.get_params(deep=False)) - set(rules))
    if missing:
        raise fail("params_declared", est,
                   f"no rule in _parameter_constraints for {missing} (see tsclassic._params)")


def _bad_values(rules: list) -> list:
    """Values that break ``rules``: a string, or an object, and NaN for a Real interval."""
    from numbers import Real

    from sklearn.utils._param_validation import Interval, make_constraint

    constraints = [make_constraint(r) for r in rules]

    def allowed(value):
        return any(c.is_satisfied_by(value) for c in constraints)

    candidates = ["bogus", object()]
    if any(isinstance(r, Interval) and r.type is Real for r in rules):
        candidates.append(float("nan"))
    bad = [v for v in candidates if not allowed(v)]
    # one non-number is enough; NaN is checked in addition
    return [v for v in bad if not isinstance(v, float)][:1] + [v for v in bad if isinstance(v, float)]


def check_params_bad_value(est: Any) -> None:
    rules = getattr(type(est), "_parameter_constraints", None) or {}
    data = family_data(est)
    for name in est.get_params(deep=False):
        for value in _bad_values(rules.get(name, [])):
            bad = clone(est).set_params(**{name: value})
            expect_error("params_bad_value", est, lambda b=bad: data["fit"](b), name)


def check_not_fitted(est: Any) -> None:
    data = family_data(est)
    calls = [data["run"]]
    if data["family"] == "sequence":
        calls += [lambda e: e.predict(["a"]), lambda e: e.sample(2, random_state=0)]
    # One message everywhere (tsclassic.base._FittedMixin), naming the class and the call.
    shape = re.compile(rf"This {type(est).__name__} instance is not fitted yet; call fit(\(.*\))? first\.")
    for call in calls:
        try:
            call(clone(est))
        except NotFittedError as err:
            if not shape.fullmatch(str(err)):
                raise fail("not_fitted", est, f"the message is not the shared one ('This "
                           f"{type(est).__name__} instance is not fitted yet; call fit(...) "
                           f"first.'): {err}") from None
            continue
        except Exception as err:  # noqa: BLE001
            raise fail("not_fitted", est, f"raised {type(err).__name__}, not NotFittedError") from None
        raise fail("not_fitted", est, "using an unfitted estimator raised no NotFittedError")


def check_is_fitted(est: Any) -> None:
    """scikit-learn's ``check_is_fitted(est)`` refuses a fresh clone and accepts a fitted
    one, through the ``__sklearn_is_fitted__`` every base class shares."""
    from sklearn.utils.validation import check_is_fitted as sklearn_is_fitted

    if not hasattr(type(est), "__sklearn_is_fitted__"):
        raise fail("is_fitted", est, "no __sklearn_is_fitted__: derive from a tsclassic base "
                                     "class (tsclassic.base._FittedMixin)")
    try:
        sklearn_is_fitted(clone(est))
    except NotFittedError:
        pass
    else:
        raise fail("is_fitted", est, "check_is_fitted accepted an unfitted clone")
    try:
        sklearn_is_fitted(fitted(est).estimator)
    except NotFittedError as err:
        raise fail("is_fitted", est, f"check_is_fitted refused the fitted estimator: {err}") from None


def check_fit_returns_self(est: Any) -> None:
    record = fitted(est)
    if record.returned is not record.estimator:
        raise fail("fit_returns_self", est, "fit did not return self")


def check_input_unchanged(est: Any) -> None:
    if not fitted(est).unchanged:
        raise fail("input_unchanged", est, "fit or predict modified the caller's data")


def check_pickle(est: Any) -> None:
    record = fitted(est)
    restored = pickle.loads(pickle.dumps(record.estimator))
    if not same(record.output, family_data(est)["run"](restored)):
        raise fail("pickle", est, "predictions changed after a pickle round trip")


def check_save_load(est: Any) -> None:
    import tsclassic

    record = fitted(est)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.pkl")
        tsclassic.save(record.estimator, path)
        restored = tsclassic.load(path)
    if type(restored) is not type(est) or not same(record.output, family_data(est)["run"](restored)):
        raise fail("save_load", est, "tsclassic.load(tsclassic.save(...)) changed the predictions")


def check_random_state(est: Any) -> None:
    if "random_state" not in est.get_params(deep=False):
        return
    data = family_data(est)

    def run(e):
        data["fit"](e)
        return data["run"](e)

    if not same(run(clone(est).set_params(random_state=7)), run(clone(est).set_params(random_state=7))):
        raise fail("random_state", est, "the same random_state gave different output")


COMMON_CHECKS = [
    check_init_params, check_params_declared, check_params_bad_value, check_not_fitted,
    check_is_fitted, check_fit_returns_self, check_input_unchanged, check_pickle, check_save_load,
    check_random_state,
]
