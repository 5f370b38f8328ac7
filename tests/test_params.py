"""The parameter hook: rules declared once per class, checked first in fit."""

import numpy as np
import pytest

from tsclassic import SARIMAXForecaster, SeasonalNaive, TimeDomainFeatures
from tsclassic._params import InvalidParameterError
from tsclassic.arima import ExponentialSmoothingForecaster
from tsclassic.dynamics import LotkaVolterra, ODEModel
from tsclassic.language import NGramLM
from tsclassic.testing import panel_data


@pytest.mark.parametrize("bad", [0, -3, 2.5, "bogus", None])
def test_a_bad_parameter_fails_at_fit_naming_parameter_and_value(bad):
    model = SeasonalNaive(season_length=bad)  # __init__ stores, fit checks
    with pytest.raises(InvalidParameterError, match=r"'season_length' parameter of SeasonalNaive"):
        model.fit(np.arange(24.0))


def test_the_error_is_both_value_and_type_error():
    with pytest.raises(ValueError):
        SeasonalNaive(season_length=0).fit(np.arange(24.0))
    with pytest.raises(TypeError):
        SeasonalNaive(season_length="12").fit(np.arange(24.0))


_SERIES = np.arange(1.0, 49.0)
_PANEL = panel_data()[0]


@pytest.mark.parametrize(
    ("model", "data", "name"),
    [
        (SARIMAXForecaster(max_iter=-1), _SERIES, "max_iter"),
        (ExponentialSmoothingForecaster(max_iter=2.5), _SERIES, "max_iter"),
        (ExponentialSmoothingForecaster(season_length="bogus"), _SERIES, "season_length"),
        (SeasonalNaive(season_length="bogus"), _SERIES, "season_length"),
        (NGramLM(k=float("nan")), [["a", "b"]], "k"),
        (LotkaVolterra(rtol=float("nan")), LotkaVolterra._conformance_data(), "rtol"),
        (LotkaVolterra(atol=float("nan")), LotkaVolterra._conformance_data(), "atol"),
        (ODEModel(ODEModel._test_params()[0]["rhs"], param_names=["k"], state_names=["x"], rtol=float("nan")),
         ODEModel._conformance_data(), "rtol"),
        (TimeDomainFeatures(peak_prominence="bogus"), _PANEL, "peak_prominence"),
        (SeasonalNaive(season_length=True), _SERIES, "season_length"),
    ],
)
def test_values_that_used_to_get_through_now_fail_at_fit(model, data, name):
    with pytest.raises(InvalidParameterError, match=rf"'{name}' parameter of {type(model).__name__}"):
        model.fit(data)
