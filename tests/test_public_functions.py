"""Every public function takes its data by position and its options by keyword.

The data are the parameters without a default (the series; y_true, y_pred, y_train for a
metric); every parameter with a default is keyword-only. The walk covers every function
in the ``__all__`` of the public modules, so a function is checked the moment it is
exported. Options passed by position keep working for one release, with a FutureWarning
naming the keyword, and give the identical result (``renamed_params(positional=...)``).
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import warnings

import numpy as np
import pandas as pd
import pytest

import tsclassic
from tsclassic._params import renamed_params


def _public_functions() -> list[tuple[str, object]]:
    found: dict[str, object] = {}
    for module_name in tsclassic._public_modules():
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if inspect.isfunction(obj):
                found.setdefault(name, obj)
    return sorted(found.items())


def options_by_position(func) -> list[str]:
    """The parameters with a default that a caller can still pass by position."""
    return [p.name for p in inspect.signature(func).parameters.values()
            if p.default is not p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


FUNCTIONS = _public_functions()


def test_the_walk_reaches_every_module_s_functions():
    names = {name for name, _ in FUNCTIONS}
    assert {"cwt", "periodogram", "mase", "msis", "load_ucr", "decompose", "forecast_many",
            "dtw", "cdist_dtw", "plot_series", "smoothed_derivative", "evaluate",
            "detect_level_shifts", "save"} <= names
    assert len(FUNCTIONS) >= 55


def test_the_rule_catches_an_option_passed_by_position():
    def bad(y, fs=1.0, *, detrend="constant"):
        return y

    def good(y, lower, *, fs=1.0):
        return y

    assert options_by_position(bad) == ["fs"] and options_by_position(good) == []


@pytest.mark.parametrize("func", [f for _, f in FUNCTIONS], ids=[n for n, _ in FUNCTIONS])
def test_options_are_keyword_only(func):
    by_position = options_by_position(func)
    assert not by_position, (
        f"{func.__name__}: the option(s) {by_position} can be passed by position; put them "
        f"after a '*', and keep old callers working for one release with "
        f"@renamed_params(positional={tuple(by_position)!r})")
    # The old positional order names keyword-only options, so the warning names a keyword.
    params = inspect.signature(func).parameters
    for old in getattr(func, "_positional_params", ()):
        new = func._renamed_params.get(old, (old, None))[0]
        assert params[new].kind is inspect.Parameter.KEYWORD_ONLY, (func.__name__, old)


def _same(a, b):
    if dataclasses.is_dataclass(a):
        for field in dataclasses.fields(a):
            np.testing.assert_array_equal(getattr(a, field.name), getattr(b, field.name))
    elif isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b)
    else:
        np.testing.assert_array_equal(a, b)


Y = np.sin(2 * np.pi * np.arange(96) / 12) + 0.1 * np.cos(np.arange(96.0))


@pytest.mark.parametrize(("name", "args", "kwargs", "moved"), [
    ("periodogram", (Y, 4.0, "linear"), {"fs": 4.0, "detrend": "linear"}, "fs, detrend"),
    ("cwt", (Y, 1.0, "morlet", 6.0, 0.5), {"dt": 1.0, "wavelet": "morlet", "w0": 6.0, "dj": 0.5},
     "dt, wavelet, w0, dj"),
    ("mase", (Y[-6:], Y[-6:] + 1, Y[:-6], 12), {"season_length": 12}, "season_length"),
    ("dtw", (Y[:20], Y[5:25], 0.2), {"window": 0.2}, "window"),
    ("decompose", (pd.Series(Y), "classical", 12), {"method": "classical", "season_length": 12},
     "method, season_length"),
])
def test_an_option_by_position_warns_naming_the_keyword_and_gives_the_same_result(
        name, args, kwargs, moved):
    func = getattr(tsclassic, name)
    n_data = len(args) - len(kwargs)
    with pytest.warns(FutureWarning, match=f"{name}: pass {moved} by keyword "
                                           rf"\({moved.split(',')[0]}=\.\.\.\); options"):
        old = func(*args)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the keyword form is the new form: no warning
        new = func(*args[:n_data], **kwargs)
    _same(old, new)


def test_too_many_positionals_or_one_value_twice_are_errors():
    with pytest.raises(TypeError, match="at most 3 positional"):
        tsclassic.periodogram(Y, 1.0, "constant", 7)
    with pytest.raises(TypeError, match=r"multiple values for \['fs'\]"), \
            pytest.warns(FutureWarning):
        tsclassic.periodogram(Y, 2.0, fs=2.0)


def test_a_function_renamed_and_made_keyword_only_translates_both():
    @renamed_params({"periods": "season_length"}, positional=("periods",))
    def f(y, *, season_length=1):
        return season_length

    with pytest.warns(FutureWarning, match="pass season_length by keyword"):
        assert f([1.0], 4) == 4
    with pytest.warns(FutureWarning, match="'periods' was renamed"):
        assert f([1.0], periods=5) == 5
