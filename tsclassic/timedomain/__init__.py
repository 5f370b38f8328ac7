"""Time domain: height and width (peaks), step (level shifts), and the shape of a series.

Functions work on one series; :class:`TimeDomainFeatures` turns a panel of series (equal
or unequal lengths) into a DataFrame of named features, one row per series.
"""

from tsclassic.timedomain._features import TimeDomainFeatures
from tsclassic.timedomain._levelshift import detect_level_shifts
from tsclassic.timedomain._peaks import find_peaks
from tsclassic.timedomain._stats import (
    acf_first_zero,
    autocorrelation,
    crossing_rate,
    longest_run_above_mean,
    moments,
    trend_slope,
    value_entropy,
)

__all__ = [
    "TimeDomainFeatures",
    "find_peaks",
    "detect_level_shifts",
    "crossing_rate",
    "autocorrelation",
    "acf_first_zero",
    "trend_slope",
    "longest_run_above_mean",
    "value_entropy",
    "moments",
]
