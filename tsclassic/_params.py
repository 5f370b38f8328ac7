"""Parameter rules, declared once per estimator and checked first in ``fit``.

Every estimator class declares ``_parameter_constraints``: a dict from each ``__init__``
parameter to a list of allowed forms, in scikit-learn's vocabulary (re-exported here so
that the library depends on it in one place only). :func:`check_params` checks the stored
parameters against it; the base classes call it before anything else in ``fit``, so a bad
value fails at once with a message naming the parameter, the value and what is allowed::

    _parameter_constraints = {
        "season_length": [Interval(Integral, 1, None, closed="left")],
        "method": [StrOptions({"css", "mle"})],
        "random_state": ["random_state"],
        "p0": [dict, None],
    }

Forms: a type (``dict``, ``list``), ``None``, ``"boolean"``, ``"random_state"``,
``"array-like"``, ``callable``, ``Interval(Integral | Real, low, high, closed=...)``
(NaN never belongs to a Real interval), ``StrOptions({...})``, ``Options(type, {...})``,
``HasMethods([...])``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn.utils._param_validation import (
    HasMethods,
    Hidden,
    Interval,
    InvalidParameterError,
    Options,
    StrOptions,
    validate_parameter_constraints,
)

__all__ = [
    "NON_NEGATIVE_INT",
    "NON_NEGATIVE_REAL",
    "POSITIVE_INT",
    "POSITIVE_REAL",
    "HasMethods",
    "Hidden",
    "Integral",
    "Interval",
    "InvalidParameterError",
    "Options",
    "Real",
    "StrOptions",
    "RETIRED_NAMES",
    "check_params",
    "renamed_params",
]


# The forms most parameters take (a rule is a list of these).
POSITIVE_INT = Interval(Integral, 1, None, closed="left")
NON_NEGATIVE_INT = Interval(Integral, 0, None, closed="left")
# Real bounds end at inf, excluded, so that neither NaN nor inf passes.
POSITIVE_REAL = Interval(Real, 0, math.inf, closed="neither")
NON_NEGATIVE_REAL = Interval(Real, 0, math.inf, closed="left")


def check_params(estimator: Any) -> None:
    """Check ``estimator``'s parameters against its class's ``_parameter_constraints``.

    Raises
    ------
    InvalidParameterError
        A ``ValueError`` and ``TypeError`` naming the parameter, the value given and the
        allowed forms.
    """
    constraints = getattr(type(estimator), "_parameter_constraints", None)
    if not constraints:
        return
    # The attributes themselves, not get_params(): that parses the constructor's signature
    # on every call, which costs more than a baseline's whole fit (forecast_many fits
    # thousands). Declared names that are not attributes are the conformance suite's to
    # catch.
    params = {name: getattr(estimator, name) for name in constraints if hasattr(estimator, name)}
    for name, value in params.items():
        # scikit-learn counts True as the integer 1; a flag given for a number is a mistake.
        rules = constraints[name]
        if isinstance(value, (bool, np.bool_)) and not any(
            r == "boolean" or r is bool or r is object for r in rules
        ):
            raise InvalidParameterError(
                f"The {name!r} parameter of {type(estimator).__name__} must be a number or "
                f"an option, not a boolean. Got {value!r} instead."
            )
    validate_parameter_constraints(
        {name: constraints[name] for name in params}, params, caller_name=type(estimator).__name__
    )


# -- renamed parameters --------------------------------------------------------------
# The words the library no longer uses for a parameter, with the word that replaced them.
# The conformance suite's "vocabulary" check refuses them in every estimator's __init__
# (and as fitted attributes), so that a new estimator cannot bring one back.
RETIRED_NAMES: dict[str, str] = {
    "periods": "season_length",
    "period": "season_length",
    "seasonal_period": "season_length",
    "seasonal_periods": "season_length",
    "max_seasonal_period": "max_season_length",
    "maxiter": "max_iter",
    "horizon": "max_horizon",
    "scaling": "normalize",
    "damped": "damped_trend",
    "fourier_k": "n_harmonics",
    "num_layers": "n_layers",
}

_RELEASE = "0.2"  # the release in which the old names stop working


def _warn_renamed(owner: str, old: str, new: str, value: Any, stacklevel: int) -> None:
    import warnings

    warnings.warn(
        f"{owner}: the parameter {old!r} was renamed {new!r}; {old!r} still works, with this "
        f"warning, until tsclassic {_RELEASE}. Pass {new}={value!r} instead.",
        FutureWarning, stacklevel=stacklevel,
    )


def _warn_revalued(owner: str, name: str, old: Any, new: Any, stacklevel: int) -> None:
    import warnings

    warnings.warn(
        f"{owner}: the parameter {name!r} takes {new!r} where it took {old!r}; {old!r} still "
        f"works, with this warning, until tsclassic {_RELEASE}. Pass {name}={new!r} instead.",
        FutureWarning, stacklevel=stacklevel,
    )


def _old_form(value: Any, values: dict) -> bool:
    """Whether ``value`` is one of the old forms in ``values`` (``True`` is not ``1`` here)."""
    if isinstance(value, np.bool_):
        value = bool(value)
    return any(type(value) is type(old) and value == old for old in values)


def _convert(value: Any, values: dict | None) -> Any:
    """The new form of an old value (anything unlisted as given, for check_params)."""
    if values is None:
        return value
    try:
        return values.get(value, value)
    except TypeError:  # unhashable: not one of the old values
        return value


def _translate(owner: str, renames: dict, params: dict, stacklevel: int) -> dict:
    """``params`` with every old name replaced by its new one (value converted), warning."""
    out = dict(params)
    for old, (new, values) in renames.items():
        if old not in out:
            continue
        if old == new:  # the name stays, a value changed form (normalize=True -> "window")
            value = out[old]
            if _old_form(value, values):
                out[new] = _convert(value, values)
                _warn_revalued(owner, new, value, out[new], stacklevel + 2)
            continue
        if new in out:
            raise TypeError(f"{owner}: {old!r} is the old name of {new!r}; pass {new!r} only.")
        out[new] = _convert(out.pop(old), values)
        _warn_renamed(owner, old, new, out[new], stacklevel + 2)
    return out


def renamed_params(
    renames: dict[str, str | tuple[str, dict]] | None = None,
    *,
    positional: tuple[str, ...] = (),
) -> Callable:
    """Keep an estimator's (or a function's) old parameter names working for one release.

    The class or function is declared with its new signature only, so ``get_params``,
    ``clone``, ``repr`` and pickling see the new names. The decorator lets old callers
    through, with a ``FutureWarning`` that names the new spelling:

    - ``renames`` maps an old keyword to its new name, or to ``(new name, values)`` when
      the value changes form too (``values`` maps each old value to its new one; with the
      same name, ``{"normalize": ("normalize", {True: "window"})}``, only the value is
      retired, and passing an old value warns). Old names
      are accepted by the constructor (or the function), by ``set_params`` (also nested,
      ``forecaster__maxiter``), by unpickling an estimator saved under the old name, and
      by reading the attribute (``est.periods``, unconverted renames only).
    - ``positional`` lists, in their old order and by their old names, the parameters that
      could be passed by position before they became keyword-only (an estimator's after
      the first; a function's options, every parameter with a default, after its data).
      Passing them by position still works, with a ``FutureWarning`` naming the keyword,
      and gives the same result.

    Examples
    --------
    >>> import warnings
    >>> from tsclassic._params import renamed_params
    >>> @renamed_params({"periods": "season_length"})
    ... def f(y, season_length=12):
    ...     return season_length
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     f([1.0], periods=4), str(caught[0].message).split(";")[0]
    (4, "f: the parameter 'periods' was renamed 'season_length'")
    >>> @renamed_params(positional=("fs",))
    ... def g(y, *, fs=1.0):
    ...     return fs
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     g([1.0], 4.0), str(caught[0].message).split(";")[0]
    (4.0, 'g: pass fs by keyword (fs=...)')
    """
    import inspect

    table = {old: (new, None) if isinstance(new, str) else tuple(new)
             for old, new in (renames or {}).items()}

    def decorate(obj):
        if not inspect.isclass(obj):
            return _renamed_function(obj, table, positional)
        return _renamed_class(obj, table, positional)

    return decorate


def _moved_to_keywords(owner: str, args: tuple, kwargs: dict, n_positional: int, table: dict,
                       positional: tuple[str, ...], rule: str) -> tuple[tuple, dict]:
    """``args`` cut to the ``n_positional`` still allowed, the rest moved into ``kwargs``
    under the names of ``positional`` (warning once, naming the keywords to use)."""
    import warnings

    extra = args[n_positional:]
    if not extra:
        return args, kwargs
    if len(extra) > len(positional):
        raise TypeError(f"{owner}() takes at most {n_positional + len(positional)} positional "
                        f"arguments ({len(args)} given).")
    moved = {}
    for old, value in zip(positional, extra):
        new, values = table.get(old, (old, None))
        moved[new] = _convert(value, values)
    warnings.warn(
        f"{owner}: pass {', '.join(moved)} by keyword ({next(iter(moved))}=...); {rule} "
        f"keyword-only, and passing them by position stops working in tsclassic {_RELEASE}.",
        FutureWarning, stacklevel=3)
    clash = set(moved) & set(kwargs)
    if clash:
        raise TypeError(f"{owner}() got multiple values for {sorted(clash)}.")
    return args[:n_positional], {**kwargs, **moved}


def _renamed_function(func: Callable, table: dict, positional: tuple[str, ...]) -> Callable:
    import functools
    import inspect

    # The parameters that stay positional: the data, declared before the ``*``.
    n_positional = sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                       for p in inspect.signature(func).parameters.values())

    @functools.wraps(func)
    def function(*args, **kwargs):
        args, kwargs = _moved_to_keywords(func.__name__, args, kwargs, n_positional, table,
                                          positional, "options (parameters with a default) are")
        return func(*args, **_translate(func.__name__, table, kwargs, 2))

    function._renamed_params = table
    function._positional_params = positional
    return function


def _renamed_class(cls: type, table: dict, positional: tuple[str, ...]) -> type:
    import functools
    import inspect
    import warnings

    init = cls.__init__
    signature = inspect.signature(init)
    n_positional = sum(p.kind is p.POSITIONAL_OR_KEYWORD for p in signature.parameters.values())

    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        owner = type(self).__name__  # a subclass that inherits this __init__ is named
        # The positional slots (less self) still allowed; the rest move to keywords.
        args, kwargs = _moved_to_keywords(owner, args, kwargs, n_positional - 1, table,
                                          positional, "parameters after the first are")
        init(self, *args, **_translate(owner, table, kwargs, 2))

    def set_params(self, **params):
        return super(cls, self).set_params(**_translate(type(self).__name__, table, params, 2))

    def __setstate__(self, state):
        # An estimator pickled under the old names: move them to the new ones (silently;
        # the version check already warns that the pickle comes from another release).
        state = dict(state)
        for old, (new, values) in table.items():
            if old == new and old in state and _old_form(state[old], values):
                state[new] = _convert(state[old], values)
            elif old != new and old in state and new not in state:
                state[new] = _convert(state.pop(old), values)
        parent = super(cls, self)
        if hasattr(parent, "__setstate__"):
            parent.__setstate__(state)
        else:
            self.__dict__.update(state)

    def alias(old: str, new: str) -> property:
        def get(self):
            warnings.warn(f"{type(self).__name__}: {old!r} was renamed {new!r}; read {new!r} instead.",
                          FutureWarning, stacklevel=2)
            return getattr(self, new)

        def put(self, value):
            _warn_renamed(type(self).__name__, old, new, value, 3)
            setattr(self, new, value)

        return property(get, put)  # no docstring: the API pages leave the old names out

    cls.__init__ = __init__
    cls.set_params = functools.wraps(cls.set_params)(set_params)
    cls.__setstate__ = __setstate__
    for old, (new, values) in table.items():
        if values is None and old != new:
            setattr(cls, old, alias(old, new))
    # Read by the conformance suite from the constructor itself, so that a subclass with
    # an __init__ of its own is not taken to accept its parent's old spellings.
    __init__._renamed_params = table
    __init__._positional_params = positional
    return cls
