"""TimeDomainFeatures: height, width, step and shape of each series as named features."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from tsclassic._params import NON_NEGATIVE_REAL, POSITIVE_INT
from tsclassic._validation import check_positive_int
from tsclassic.timedomain._base import SeriesFeatureTransformer
from tsclassic.timedomain._levelshift import _resolve_penalty, level_shift_features
from tsclassic.timedomain._peaks import peak_features
from tsclassic.timedomain._stats import (
    acf_first_zero,
    autocorrelation,
    crossing_rate,
    longest_run_above_mean,
    moments,
    trend_slope,
    value_entropy,
)

__all__ = ["TimeDomainFeatures"]

_PEAK_NAMES = ["n_peaks", "peak_rate", "peak_height_mean", "peak_height_max",
               "peak_prominence_mean", "peak_prominence_max", "peak_width_mean",
               "peak_interval_mean", "peak_interval_std"]
_SHIFT_NAMES = ["n_level_shifts", "largest_step", "mean_abs_step"]


class TimeDomainFeatures(SeriesFeatureTransformer):
    """Named time-domain features of each series: moments, quantiles, crossings,
    autocorrelation, trend, runs, entropy, peaks (height, width) and level shifts (step).

    Parameters
    ----------
    quantiles : sequence of float, default (0.05, 0.25, 0.5, 0.75, 0.95)
        Quantiles of the values to report (``q05`` ...).
    acf_lags : sequence of int, default (1, 2, 3, 5, 10)
        Lags of the autocorrelation to report (``acf_1`` ...). A lag at or beyond a
        series' length gives NaN for that series.
    peak_prominence : float or None, default None
        Minimum prominence of a peak, in the units of the series; ``None`` uses one
        standard deviation of each series, so that noise ripples do not count.
    level_shift_penalty : {"mbic", "bic", "aic"} or float, default "mbic"
        Penalty per change for :func:`detect_level_shifts`.
    entropy_bins : int, default 10
        Histogram bins of the value entropy.
    diff_orders : sequence of int, default (0,)
        Compute every feature on these differences of the series: 0 is the series itself,
        1 its first difference (columns suffixed ``_diff1``), and so on. The slopes often
        separate classes that the levels do not (``FeatureClassifier``'s default uses
        ``(0, 1)``).

    Attributes
    ----------
    feature_names_out_ : ndarray of str
        The column names of the output.

    Notes
    -----
    Every feature is defined for a constant series (no peaks: count 0, heights 0; zero
    variance: skewness and kurtosis 0; no shift: step 0) and for any length except the
    autocorrelation beyond the series length (NaN), and every feature of a difference of
    order at least the series length (an empty difference: NaN).

    See Also
    --------
    find_peaks, detect_level_shifts, SpectralFeatures

    Examples
    --------
    >>> import numpy as np
    >>> from tsclassic.timedomain import TimeDomainFeatures
    >>> X = np.sin(np.linspace(0, 6 * np.pi, 60))[None, :].repeat(2, axis=0)
    >>> features = TimeDomainFeatures().fit_transform(X)
    >>> int(features.loc[0, "n_peaks"])
    3
    """

    # Parameter rules checked first in fit (tsclassic._params).
    _parameter_constraints: ClassVar[dict] = {
        "quantiles": [list, tuple, np.ndarray],
        "acf_lags": [list, tuple, np.ndarray],
        "peak_prominence": [NON_NEGATIVE_REAL, None],
        "level_shift_penalty": [str, NON_NEGATIVE_REAL],
        "entropy_bins": [POSITIVE_INT],
        "diff_orders": [list, tuple, np.ndarray],
    }

    def __init__(
        self,
        quantiles: Sequence[float] = (0.05, 0.25, 0.5, 0.75, 0.95),
        acf_lags: Sequence[int] = (1, 2, 3, 5, 10),
        peak_prominence: float | None = None,
        level_shift_penalty: str | float = "mbic",
        entropy_bins: int = 10,
        diff_orders: Sequence[int] = (0,),
    ):
        self.quantiles = quantiles
        self.acf_lags = acf_lags
        self.peak_prominence = peak_prominence
        self.level_shift_penalty = level_shift_penalty
        self.entropy_bins = entropy_bins
        self.diff_orders = diff_orders

    def _check_params(self) -> None:
        q = np.asarray(self.quantiles, dtype=float)
        if q.ndim != 1 or np.any((q < 0) | (q > 1)):
            raise ValueError(f"quantiles must be a sequence of numbers in [0, 1]; got {self.quantiles!r}.")
        lags = np.asarray(self.acf_lags)
        if lags.ndim != 1 or (lags.size and (lags.dtype.kind not in "iu" or lags.min() < 1)):
            raise ValueError(f"acf_lags must be a sequence of integers >= 1; got {self.acf_lags!r}.")
        if self.peak_prominence is not None and not self.peak_prominence >= 0:
            raise ValueError(
                f"peak_prominence must be a number >= 0 or None; got {self.peak_prominence!r}."
            )
        _resolve_penalty(self.level_shift_penalty, 10)
        check_positive_int(self.entropy_bins, "entropy_bins")
        orders = np.asarray(self.diff_orders)
        if (orders.ndim != 1 or orders.size == 0 or orders.dtype.kind not in "iu" or orders.min() < 0
                or len(set(orders.tolist())) != orders.size):
            raise ValueError(f"diff_orders must be a non-empty sequence of distinct integers >= 0; "
                             f"got {self.diff_orders!r}.")

    def _feature_names(self) -> list[str]:
        base = self._base_names()
        out: list[str] = []
        for d in self.diff_orders:
            out += base if d == 0 else [f"{name}_diff{d}" for name in base]
        return out

    def _series_features(self, y: np.ndarray) -> np.ndarray:
        blocks = []
        n_base = len(self._base_names())
        for d in self.diff_orders:
            z = np.diff(y, n=d) if d else y
            blocks.append(self._base_features(z) if z.size else np.full(n_base, np.nan))
        return np.concatenate(blocks)

    def _base_names(self) -> list[str]:
        names = ["mean", "std", "skewness", "kurtosis", "min", "max"]
        names += [f"q{round(100 * q):02d}" for q in self.quantiles]
        names += ["zero_crossing_rate", "mean_crossing_rate"]
        names += [f"acf_{k}" for k in self.acf_lags]
        names += ["acf_first_zero", "trend_slope", "longest_run_above_mean", "value_entropy"]
        return names + _PEAK_NAMES + _SHIFT_NAMES

    def _base_features(self, y: np.ndarray) -> np.ndarray:
        m = moments(y)
        out: list[float] = [m["mean"], m["std"], m["skewness"], m["kurtosis"], y.min(), y.max()]
        out += list(np.quantile(y, self.quantiles)) if len(self.quantiles) else []
        out += [crossing_rate(y, 0.0), crossing_rate(y, None)]
        out += list(autocorrelation(y, list(self.acf_lags))) if len(self.acf_lags) else []
        out += [acf_first_zero(y), trend_slope(y), longest_run_above_mean(y),
                value_entropy(y, self.entropy_bins)]
        peaks = peak_features(y, self.peak_prominence)
        out += [peaks[k] for k in _PEAK_NAMES]
        shifts = level_shift_features(y, self.level_shift_penalty)
        out += [shifts[k] for k in _SHIFT_NAMES]
        return np.asarray(out, dtype=np.float64)

    @classmethod
    def _test_params(cls) -> list[dict[str, Any]]:
        return [{}, {"acf_lags": (1,), "quantiles": (0.5,), "peak_prominence": 0.1,
                     "diff_orders": (0, 1)}]
