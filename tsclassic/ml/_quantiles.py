"""Quantiles over dyadic intervals of a series and of its transforms (QUANT-style).

The representation of Dempster, Schmidt & Webb (2024): the series, its (smoothed) first and its second
differences and the magnitude of its discrete Fourier transform are each cut into dyadic
intervals (the whole, halves, quarters, ... and the same grid shifted by half an
interval), and every interval is summarised by evenly spaced quantiles of its values,
every other quantile taken relative to the interval mean. Fed to extremely randomised
trees this rivals deep networks on the UCR archive at a small fraction of the cost.

References
----------
Dempster, A., Schmidt, D. F. & Webb, G. I. (2024). "QUANT: a minimalist interval method
for time series classification". Data Mining and Knowledge Discovery 38, 2377-2402.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from tsclassic._params import POSITIVE_INT
from tsclassic._validation import check_positive_int
from tsclassic.base import PanelMixin, Tags

__all__ = ["QuantileFeatures"]

_REPRESENTATIONS = ("raw", "diff", "diff2", "fft")


def _represent(panel: np.ndarray, kind: str) -> np.ndarray:
    """One representation of a ``(n_series, length)`` panel."""
    if kind == "raw":
        return panel
    if kind == "diff":
        # QUANT smooths the first difference with a centred 5-point moving average
        # (edges padded by repetition), which damps point noise in the slopes.
        if panel.shape[1] < 2:
            return np.zeros_like(panel)
        d = np.diff(panel, n=1, axis=1)
        padded = np.concatenate([np.repeat(d[:, :1], 2, 1), d, np.repeat(d[:, -1:], 2, 1)], 1)
        c = np.cumsum(np.pad(padded, ((0, 0), (1, 0))), axis=1)
        return (c[:, 5:] - c[:, :-5]) / 5.0
    if kind == "diff2":
        return np.diff(panel, n=2, axis=1) if panel.shape[1] > 2 else np.zeros_like(panel)
    return np.abs(np.fft.rfft(panel, axis=1))


def dyadic_intervals(length: int, depth: int) -> list[tuple[int, int]]:
    """Start and end of the dyadic intervals of a series of ``length`` points.

    Depth ``d`` cuts the series into ``2**d`` equal parts (``d = 0 .. depth-1``, never
    into parts shorter than one point); for ``d >= 1`` the same grid shifted by half an
    interval is added, as in QUANT.
    """
    depth = min(depth, int(np.log2(length)) + 1)
    out: list[tuple[int, int]] = []
    for d in range(depth):
        n_parts = 2**d
        edges = np.linspace(0, length, n_parts + 1).astype(int)
        out.extend(zip(edges[:-1].tolist(), edges[1:].tolist()))
        if d > 0 and np.median(np.diff(edges)) > 1:
            shift = int(np.ceil(length / n_parts / 2))
            out.extend(zip((edges[:-2] + shift).tolist(), (edges[1:-1] + shift).tolist()))
    return [(a, b) for a, b in out if b > a]


def _interval_quantiles(values: np.ndarray, divisor: int) -> np.ndarray:
    """Quantiles of the rows of ``values`` (n_series, width): ``1 + (width-1)//divisor`` of
    them, every other one minus the row mean (QUANT's "relative" quantiles)."""
    width = values.shape[1]
    k = 1 + (width - 1) // divisor
    ordered = np.sort(values, axis=1)
    if k == 1:
        return np.median(ordered, axis=1, keepdims=True)
    # Linear interpolation between order statistics, as np.quantile(method="linear").
    pos = np.linspace(0.0, 1.0, k) * (width - 1)
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, width - 1)
    frac = pos - lo
    q = ordered[:, lo] * (1 - frac) + ordered[:, hi] * frac
    q[:, 1::2] -= values.mean(axis=1, keepdims=True)
    return q


class QuantileFeatures(PanelMixin, TransformerMixin, BaseEstimator):
    """Quantiles over dyadic intervals of the series and its transforms (QUANT).

    Parameters
    ----------
    depth : int, default 6
        Dyadic depth: intervals of length ``n``, ``n/2``, ... ``n/2**(depth-1)``.
    divisor : int, default 4
        An interval of ``w`` points gives ``1 + (w - 1) // divisor`` quantiles.
    representations : tuple of str, default ("raw", "diff", "diff2", "fft")
        Which views of the series to summarise: the values, the first and second
        differences and the magnitude of the discrete Fourier transform.

    Attributes
    ----------
    intervals_ : dict of str to list of (int, int)
        The intervals used for each representation.
    n_features_out_ : int
        Number of output features.

    References
    ----------
    Dempster, Schmidt & Webb (2024), "QUANT: a minimalist interval method for time series
    classification", Data Mining and Knowledge Discovery 38.

    Examples
    --------
    >>> import numpy as np
    >>> from tsclassic.ml import QuantileFeatures
    >>> X = np.random.default_rng(0).normal(size=(5, 32))
    >>> QuantileFeatures(depth=3).fit_transform(X).shape
    (5, 122)
    """

    _tags: ClassVar[Tags] = Tags()

    # Parameter rules checked first in fit (tsclassic._params).
    _parameter_constraints: ClassVar[dict] = {
        "depth": [POSITIVE_INT],
        "divisor": [POSITIVE_INT],
        "representations": [tuple, list],
    }

    def __init__(self, depth: int = 6, divisor: int = 4,
                 representations: tuple[str, ...] = _REPRESENTATIONS):
        self.depth = depth
        self.divisor = divisor
        self.representations = representations

    def _check_params(self) -> None:
        check_positive_int(self.depth, "depth")
        check_positive_int(self.divisor, "divisor")
        reps = self.representations
        if isinstance(reps, str) or not reps or any(r not in _REPRESENTATIONS for r in reps):
            raise ValueError(
                f"representations must be a non-empty tuple drawn from {_REPRESENTATIONS}; "
                f"got {reps!r}."
            )

    def fit(self, X: Any, y: Any = None) -> QuantileFeatures:
        """Fix the intervals for the series length seen in ``X``."""
        panel = self._validate_panel(X, reset=True)[:, 0, :]  # the declared rules first
        self._check_params()
        self.intervals_ = {
            r: dyadic_intervals(_represent(panel[:1], r).shape[1], self.depth)
            for r in self.representations
        }
        self.n_features_out_ = self._transform(panel[:1]).shape[1]
        return self

    def _transform(self, panel: np.ndarray) -> np.ndarray:
        blocks = []
        for r in self.representations:
            view = _represent(panel, r)
            for a, b in self.intervals_[r]:
                blocks.append(_interval_quantiles(view[:, a:b], self.divisor))
        return np.hstack(blocks)

    def transform(self, X: Any) -> np.ndarray:
        """The interval quantiles, an array of shape (n_series, n_features_out_)."""
        check_is_fitted(self, "intervals_")
        panel = self._validate_panel(X, reset=False)[:, 0, :]
        return self._transform(panel)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names ``<representation>_<start>_<end>_q<i>``."""
        check_is_fitted(self, "intervals_")
        names = []
        for r in self.representations:
            for a, b in self.intervals_[r]:
                k = 1 + (b - a - 1) // self.divisor
                names.extend(f"{r}_{a}_{b}_q{i}" for i in range(k))
        return np.asarray(names, dtype=object)
