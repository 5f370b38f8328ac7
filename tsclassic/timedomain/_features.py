"""TimeDomainFeatures: height, width, step and shape of each series as named features."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from tsclassic._params import Integral, Interval, Real, StrOptions, renamed_params
from tsclassic.timedomain._base import SeriesFeatureTransformer
from tsclassic.timedomain._levelshift import level_shift_features
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


@renamed_params(
    positional=("acf_lags", "peak_prominence", "level_shift_penalty", "entropy_bins", "diff_orders")
)
class TimeDomainFeatures(SeriesFeatureTransformer):
    """Named time-domain features of each series: moments, quantiles, crossings,
    autocorrelation, trend, runs, entropy, peaks (height, width) and level shifts (step).

    Parameters
    ----------
    quantiles : sequence of float, default (0.05, 0.25, 0.5, 0.75, 0.95)
        Quantiles of the values to report (``q05`` ...).
    acf_lags : sequence of int, default (1, 2, 3, 5, 10)
        Lags of the autocorrelation to report (``acf_1`` ...). A lag at or beyond a
        series' length gives 0 for that series (no pairs of points that far apart; see
        :func:`autocorrelation`).
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
    Every feature is finite for a constant series (no peaks: count 0, heights 0; zero
    variance: skewness and kurtosis 0; no shift: step 0) and for any series of at least
    ``max(diff_orders) + 1`` points (shorter ones are refused: their difference would be
    empty).

    Several channels: every channel gets every feature, in columns named
    ``<channel>__<feature>`` (the channel's name for a DataFrame of nested series, else
    its number). Unequal lengths: each series (and each channel) is summarised over its
    own points; peak and crossing rates are per point, so they compare across lengths.

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

    def __init__(
        self,
        quantiles: Sequence[float] = (0.05, 0.25, 0.5, 0.75, 0.95),
        *,
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

    _parameter_constraints: ClassVar[dict[str, list]] = {
        "quantiles": ["array-like"],
        "acf_lags": ["array-like"],
        "peak_prominence": [Interval(Real, 0, None, closed="left"), None],
        "level_shift_penalty": [StrOptions({"mbic", "bic", "aic"}),
                                Interval(Real, 0, None, closed="neither")],
        "entropy_bins": [Interval(Integral, 1, None, closed="left")],
        "diff_orders": ["array-like"],
    }

    def _min_length(self) -> tuple[int, str]:
        # The difference of order d of n points has n - d of them.
        order = int(np.max(self.diff_orders))
        return order + 1, f"diff_orders up to {order}: the difference needs one point"

    def _check_params(self) -> None:
        q = np.asarray(self.quantiles, dtype=float)
        if q.ndim != 1 or np.any((q < 0) | (q > 1)):
            raise ValueError(f"quantiles must be a sequence of numbers in [0, 1]; got {self.quantiles!r}.")
        lags = np.asarray(self.acf_lags)
        if lags.ndim != 1 or (lags.size and (lags.dtype.kind not in "iu" or lags.min() < 1)):
            raise ValueError(f"acf_lags must be a sequence of integers >= 1; got {self.acf_lags!r}.")
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
        for d in self.diff_orders:
            blocks.append(self._base_features(np.diff(y, n=d) if d else y))
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
        out += [crossing_rate(y, level=0.0), crossing_rate(y, level=None)]
        out += list(autocorrelation(y, list(self.acf_lags))) if len(self.acf_lags) else []
        out += [acf_first_zero(y), trend_slope(y), longest_run_above_mean(y),
                value_entropy(y, bins=self.entropy_bins)]
        peaks = peak_features(y, self.peak_prominence)
        out += [peaks[k] for k in _PEAK_NAMES]
        shifts = level_shift_features(y, self.level_shift_penalty)
        out += [shifts[k] for k in _SHIFT_NAMES]
        return np.asarray(out, dtype=np.float64)

    @classmethod
    def _test_params(cls) -> list[dict[str, Any]]:
        return [{}, {"acf_lags": (1,), "quantiles": (0.5,), "peak_prominence": 0.1,
                     "diff_orders": (0, 1)}]
