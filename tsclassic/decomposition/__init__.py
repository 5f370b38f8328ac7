"""Decomposition: trend + seasonal + residuals, and forecasting through it.

Classical, STL and multi-seasonal STL (MSTL) decompositions as a function and a
transformer, and a forecaster that forecasts the seasonally adjusted series with any
tsclassic forecaster. statsmodels is imported only when STL or MSTL runs.
"""

from tsclassic.decomposition._decompose import decompose
from tsclassic.decomposition._forecaster import DecompositionForecaster
from tsclassic.decomposition._transformer import Decomposer

__all__ = ["decompose", "Decomposer", "DecompositionForecaster"]
