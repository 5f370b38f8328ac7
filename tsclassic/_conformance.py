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

    family = estimator_family(type(est))
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
    if family in ("trajectory", "global"):
        from tsclassic.base import get_tags

        data, h = type(est)._conformance_data(), 3

        def run(e):
            if family == "trajectory" and get_tags(e).intervals:
                return e.predict(h), e.predict_interval(h, coverage=0.8)
            return e.predict(h)

        return dict(family=family, fit=lambda e: e.fit(data), run=run, inputs=(data,),
                    data=data, h=h)
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


# -- one set of names ------------------------------------------------------------------
def check_keyword_only(est: Any) -> None:
    """Every ``__init__`` parameter after the first is keyword-only (scikit-learn's rule),
    so that adding or reordering parameters never changes what a positional call means."""
    import inspect

    params = [p for name, p in inspect.signature(type(est).__init__).parameters.items()
              if name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    loose = [p.name for p in params[1:] if p.kind is not p.KEYWORD_ONLY]
    if loose:
        raise fail("keyword_only", est, f"parameters after the first must be keyword-only "
                                        f"(put * after {params[0].name}): {loose}")


# A parameter called ``trend`` is the form of the trend component, as in exponential
# smoothing and the decompositions' "trend" column; deterministic terms have their name.
_TREND_FORMS = {"add", "mul"}


def check_vocabulary(est: Any) -> None:
    """No parameter or fitted attribute uses a retired word (``periods``, ``maxiter``, ...;
    :data:`tsclassic._params.RETIRED_NAMES`), ``trend`` keeps its one meaning, and
    ``normalize`` is a scope (``"window"``, ``"series"``) or None, never a boolean."""
    from sklearn.utils._param_validation import StrOptions

    from tsclassic._params import RETIRED_NAMES

    params = est.get_params(deep=False)
    for name in params:
        if name in RETIRED_NAMES:
            raise fail("vocabulary", est, f"parameter {name!r} is a retired name: tsclassic "
                                          f"calls it {RETIRED_NAMES[name]!r}")
    if "normalize" in params:
        rules = getattr(type(est), "_parameter_constraints", {}).get("normalize", [])
        if "boolean" in rules or bool in rules:
            raise fail("vocabulary", est, "'normalize' names what each value is normalised "
                                          "over ('window', 'series') or is None; not a flag "
                                          f"(rules: {rules})")
    if "trend" in params:
        rules = getattr(type(est), "_parameter_constraints", {}).get("trend", [])
        forms = set().union(*(r.options for r in rules if isinstance(r, StrOptions)))
        if not forms or not forms <= _TREND_FORMS or "boolean" in rules or bool in rules:
            raise fail("vocabulary", est, f"'trend' is the trend component's form (None, 'add', "
                                          f"'mul'); call deterministic terms "
                                          f"'deterministic_trend' (rules: {rules})")
    learned = [k for k in vars(fitted(est).estimator) if k.endswith("_") and not k.startswith("_")]
    for name in learned:
        if name[:-1] in RETIRED_NAMES:
            raise fail("vocabulary", est, f"fitted attribute {name!r} uses a retired name: "
                                          f"call it {RETIRED_NAMES[name[:-1]] + '_'!r}")


def _old_value(value: Any, values: dict | None) -> Any:
    """An old-form value that stands for ``value`` (the inverse of a rename's value map)."""
    if values is None:
        return value
    return next((old for old, new in values.items() if new == value), value)


def _future_warnings(est: Any, call: Callable[[], Any]) -> tuple[Any, list[str]]:
    """``call()``'s result and the FutureWarnings it gave; an error is the check's failure."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out = call()
        except Exception as err:  # noqa: BLE001 - an old spelling must not fail
            raise fail("renamed_params", est, f"an old spelling failed: {type(err).__name__}: "
                                              f"{err}") from None
    return out, [str(w.message) for w in caught if issubclass(w.category, FutureWarning)]


def check_renamed_params(est: Any) -> None:
    """Old parameter names and positional calls still work for one release: each warns
    with a FutureWarning naming the new name and builds the same estimator, whose fit
    gives the identical output; set_params, attribute reads and old pickles accept them."""
    table = getattr(type(est).__init__, "_renamed_params", {})
    positional = getattr(type(est).__init__, "_positional_params", ())
    params = est.get_params(deep=False)
    # A retired value (same name) is tried where the estimator's value has an old form.
    table = {old: rule for old, rule in table.items() if rule[0] in params
             and (old != rule[0] or _old_value(params[old], rule[1]) is not params[old])}
    if not table and not positional:
        return
    if params.get("random_state", 0) is None:  # "identical" needs a seed
        est = clone(est).set_params(random_state=0)
        params = est.get_params(deep=False)
    name = type(est).__name__

    def same_params(built: Any, how: str) -> None:
        if repr(sorted(built.get_params(deep=False).items())) != repr(sorted(params.items())):
            raise fail("renamed_params", est, f"{how} built {built!r}, not {est!r}")

    def expect(built: Any, messages: list[str], words: list[str], how: str) -> None:
        if not any(all(w in m for w in words) for m in messages):
            raise fail("renamed_params", est, f"{how} gave no FutureWarning naming {words}: "
                                              f"{messages}")
        same_params(built, how)

    if table:
        old_params = {k: v for k, v in params.items() if k not in {r[0] for r in table.values()}}
        old_params.update({old: _old_value(params[new], values) for old, (new, values) in table.items()})
        built, messages = _future_warnings(est, lambda: type(est)(**old_params))
        for old, (new, _) in table.items():
            expect(built, messages, [repr(old), new], f"{name}({old}=...)")
            moved, messages_set = _future_warnings(
                est, lambda o=old, n=new, v=table[old][1]: clone(est).set_params(**{o: _old_value(params[n], v)}))
            expect(moved, messages_set, [repr(old), new], f"set_params({old}=...)")
            state = {(old if k == new else k): (_old_value(v, table[old][1]) if k == new else v)
                     for k, v in est.__getstate__().items()}
            restored = type(est).__new__(type(est))
            _future_warnings(est, lambda s=state, r=restored: r.__setstate__(s))
            same_params(restored, f"unpickling a state with {old!r}")
            if table[old][1] is None:
                value, messages_get = _future_warnings(est, lambda o=old: getattr(est, o))
                if value is not params[new] or not any(old in m for m in messages_get):
                    raise fail("renamed_params", est, f"reading .{old} did not warn and give "
                                                      f".{new}")
        data = family_data(est)
        _future_warnings(est, lambda: data["fit"](built))
        if not same(fitted(est).output, data["run"](built)):
            raise fail("renamed_params", est, "the estimator built with the old names gave "
                                              "another output")
    if positional:
        import inspect

        first = next(iter(p for p in inspect.signature(type(est).__init__).parameters if p != "self"))
        new_names = [table.get(p, (p,))[0] for p in positional]
        args = [params[first]] + [_old_value(params[n], table.get(p, (p, None))[1])
                                  for p, n in zip(positional, new_names)]
        rest = {k: v for k, v in params.items() if k != first and k not in new_names}
        built, messages = _future_warnings(est, lambda: type(est)(*args, **rest))
        expect(built, messages, ["keyword", new_names[0]], f"{name}(positional arguments)")


def check_training_params(est: Any) -> None:
    """A deep estimator (one with ``max_epochs``) takes the nine shared training
    parameters keyword-only, under their shared rules and, where shared, defaults."""
    import inspect

    if "max_epochs" not in est.get_params(deep=False):
        return
    from tsclassic.deep._training import SHARED_DEFAULTS, TRAINING_CONSTRAINTS, TRAINING_PARAMETERS

    signature = inspect.signature(type(est).__init__).parameters
    rules = type(est)._parameter_constraints
    for name in TRAINING_PARAMETERS:
        if name not in signature or signature[name].kind is not inspect.Parameter.KEYWORD_ONLY:
            raise fail("training_params", est, f"{name} is not a keyword-only parameter")
        if repr(rules.get(name)) != repr(TRAINING_CONSTRAINTS[name]):
            raise fail("training_params", est, f"{name} has rules {rules.get(name)!r}, not the "
                       f"shared {TRAINING_CONSTRAINTS[name]!r} of tsclassic.deep._training")
        if name in SHARED_DEFAULTS and signature[name].default != SHARED_DEFAULTS[name]:
            raise fail("training_params", est, f"{name} defaults to {signature[name].default!r}, "
                       f"not the shared {SHARED_DEFAULTS[name]!r}")
        if f"{name} : " not in (type(est).__doc__ or ""):
            raise fail("training_params", est, f"{name} is not documented (use "
                       f"tsclassic.deep._training.training_parameters)")


COMMON_CHECKS = [
    check_init_params, check_params_declared, check_params_bad_value, check_not_fitted,
    check_is_fitted, check_fit_returns_self, check_input_unchanged, check_pickle,
    check_save_load, check_random_state, check_keyword_only, check_vocabulary,
    check_renamed_params, check_training_params,
]
