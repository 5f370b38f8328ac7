"""(S)AR(I)MA(X) and exponential smoothing: autocorrelation inside the series.

SARIMAX with exogenous regressors, automatic order selection, exponential smoothing
(the M4 benchmarks SES, Holt, damped), automatic ETS model selection (AutoETS), the
M4 Theta method and the optimised and dynamic Theta models (AutoTheta). statsmodels is
imported only when a model is fitted, so ``import tsclassic`` stays light.
"""

from tsclassic.arima._auto import AutoSARIMAX
from tsclassic.arima._autoets import AutoETS
from tsclassic.arima._autotheta import AutoTheta
from tsclassic.arima._ets import ExponentialSmoothingForecaster
from tsclassic.arima._sarimax import SARIMAXForecaster
from tsclassic.arima._theta import ThetaForecaster

__all__ = [
    "SARIMAXForecaster",
    "AutoSARIMAX",
    "ExponentialSmoothingForecaster",
    "AutoETS",
    "ThetaForecaster",
    "AutoTheta",
]
