"""The parameter hook: rules declared once per class, checked first in fit."""

import numpy as np
import pytest

from tsclassic import SeasonalNaive
from tsclassic._params import InvalidParameterError


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
