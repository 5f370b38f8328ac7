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
    "check_params",
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
