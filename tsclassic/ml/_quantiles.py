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

import functools
from typing import Any, ClassVar, NamedTuple

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from tsclassic._params import Integral, Interval, renamed_params
from tsclassic._validation import panel_by_length, panel_channel_names
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
        # The lower median of the widths, as QUANT's reference code (torch's median)
        # takes it: halves of 1.5 points on average get no shifted grid.
        widths = np.sort(np.diff(edges))
        if d > 0 and widths[(len(widths) - 1) // 2] > 1:
            shift = int(np.ceil(length / n_parts / 2))
            out.extend(zip((edges[:-2] + shift).tolist(), (edges[1:-1] + shift).tolist()))
    return [(a, b) for a, b in out if b > a]


def _n_quantiles(width: int, divisor: int) -> int:
    return 1 + (width - 1) // divisor


def _scaled(a: int, b: int, length: int, reference: int) -> tuple[int, int]:
    """The interval ``[a, b)`` of a representation of ``reference`` points, as the same
    fractions of one of ``length`` points (rounded, at least one point)."""
    if length == reference:
        return a, b
    ratio = length / reference
    start = min(int(np.floor(a * ratio + 0.5)), length - 1)
    end = min(max(int(np.floor(b * ratio + 0.5)), start + 1), length)
    return start, end


def _rep_length(length: int, kind: str) -> int:
    return _represent(np.zeros((1, length)), kind).shape[1]


def _quantile_positions(width: int, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The order statistics and weights of ``k`` evenly spaced quantiles of ``width``
    sorted points, linear interpolation as ``np.quantile(method="linear")``; one
    quantile is the median."""
    pos = np.linspace(0.0, 1.0, k) * (width - 1) if k > 1 else np.array([0.5 * (width - 1)])
    lo = np.floor(pos).astype(int)
    return lo, np.minimum(lo + 1, width - 1), pos - lo


# Compare-exchange networks that sort 2, 3 or 4 values. NumPy sorts a short row in
# about 45 ns whatever its length, so the many intervals of two to four points (the
# deepest levels of short series) cost more than all the long ones; on columns of
# ``np.minimum``/``np.maximum`` they take a few ns a row.
_NETWORKS = {2: ((0, 1),), 3: ((0, 1), (1, 2), (0, 1)),
             4: ((0, 1), (2, 3), (0, 2), (1, 3), (1, 2))}


class _Group(NamedTuple):
    """Intervals of one width and one number of quantiles, computed together."""

    index: np.ndarray  # (m, width): positions in the row of every interval's points
    lo: np.ndarray  # (k,): the order statistics below and above each quantile
    hi: np.ndarray
    frac: np.ndarray  # (k,): the weight of ``hi``
    relative: bool  # whether every other quantile is taken minus the interval's mean


@functools.lru_cache(maxsize=32)
def _plan(
    intervals: tuple[tuple[tuple[int, int], ...], ...],
    references: tuple[int, ...],
    lengths: tuple[int, ...],
    divisor: int,
) -> tuple[list[_Group], np.ndarray]:
    """How to compute the features of series whose representations, laid end to end in
    one row, have ``lengths`` points, from ``intervals`` laid out on representations of
    ``references`` points.

    The intervals of every representation that share a width and a number of quantiles
    form one group, gathered from the row and sorted in one call over every series and
    channel at once. The groups' outputs, side by side, are put in the features' order
    by one gather with the returned column order.
    """
    groups: dict[tuple[int, int], tuple[list[int], list[int]]] = {}
    column = offset = 0
    for ivs, reference, length in zip(intervals, references, lengths):
        for a, b in ivs:
            start, end = _scaled(a, b, length, reference)
            k = _n_quantiles(b - a, divisor)
            starts, columns = groups.setdefault((end - start, k), ([], []))
            starts.append(offset + start)
            columns.append(column)
            column += k
        offset += length
    plan, placed = [], []
    for (width, k), (starts, columns) in groups.items():
        index = np.asarray(starts)[:, None] + np.arange(width)[None, :]
        plan.append(_Group(index, *_quantile_positions(width, k), k > 1))
        placed.append((np.asarray(columns)[:, None] + np.arange(k)[None, :]).ravel())
    return plan, np.argsort(np.concatenate(placed))


def _group_quantiles(row: np.ndarray, group: _Group) -> np.ndarray:
    """The quantiles of one group's intervals of every row, ``(n_rows, m * k)``."""
    width = group.index.shape[1]
    if width in _NETWORKS:
        values = [row[:, group.index[:, i]] for i in range(width)]  # each (n_rows, m)
        if group.relative:
            # Summed left to right as NumPy's mean sums so few values: the same numbers.
            mean = values[0] + values[1]
            for v in values[2:]:
                mean = mean + v
            mean = mean / width
        for i, j in _NETWORKS[width]:
            values[i], values[j] = np.minimum(values[i], values[j]), np.maximum(values[i], values[j])
        ordered = np.stack(values, axis=2)
    else:
        ordered = row[:, group.index]  # a copy, (n_rows, m, width), sorted in place
        if group.relative:
            mean = ordered.mean(axis=2)
        ordered.sort(axis=2)
    q = ordered[..., group.lo] * (1 - group.frac) + ordered[..., group.hi] * group.frac
    if group.relative:
        # QUANT's "relative" quantiles: every other one minus the interval's mean.
        q[..., 1::2] -= mean[..., None]
    return q.reshape(len(q), -1)


@renamed_params(positional=("divisor", "representations"))
class QuantileFeatures(PanelMixin, TransformerMixin, BaseEstimator):
    """Quantiles over dyadic intervals of the series and its transforms (QUANT).

    Each representation (the series, its smoothed first difference, its second
    difference, the magnitude of its discrete Fourier transform) is cut into dyadic
    intervals: the whole, halves, quarters, ... down to ``2**(depth-1)`` parts, plus the
    same grids shifted by half an interval. An interval of ``w`` points gives ``1 + (w -
    1) // divisor`` quantiles (evenly spaced from the minimum to the maximum), every
    second one minus the interval's mean.

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
    reference_length_ : int
        The series length the intervals are laid out on: the length of the series at
        fit (the median length when they differ).
    intervals_ : dict of str to list of (int, int)
        The intervals of each representation of a series of ``reference_length_``.
    channel_names_ : list of str
        The channels' names (a nested DataFrame's columns, else their numbers).
    n_features_out_ : int
        Number of output features.

    Notes
    -----
    Unequal lengths: the intervals are fractions of each series' length. The layout
    (intervals and quantiles per interval) is fixed at fit on ``reference_length_``; a
    series of another length (at fit or later) has every interval scaled to its own
    length (rounded to whole points, at least one) and gives the same number of
    quantiles, interpolated over that interval's points, so every series has the same
    features. On series of one length this is exactly QUANT.

    Several channels: every channel gets every feature, channel after channel; names
    ``<channel>__<representation>_<start>_<end>_q<i>``.

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
    >>> QuantileFeatures(depth=3).fit(X).transform([X[0], X[1, :20]]).shape
    (2, 122)
    """

    _tags: ClassVar[Tags] = Tags(multivariate=True, unequal_length=True)
    _parameter_constraints: ClassVar[dict[str, list]] = {
        "depth": [Interval(Integral, 1, None, closed="left")],
        "divisor": [Interval(Integral, 1, None, closed="left")],
        "representations": [tuple, list],
    }

    def __init__(
        self,
        depth: int = 6,
        *,
        divisor: int = 4,
        representations: tuple[str, ...] = _REPRESENTATIONS,
    ):
        self.depth = depth
        self.divisor = divisor
        self.representations = representations

    def _check_params(self) -> None:
        reps = self.representations
        if not reps or any(r not in _REPRESENTATIONS for r in reps):
            raise ValueError(
                f"representations must be a non-empty tuple drawn from {_REPRESENTATIONS}; "
                f"got {reps!r}."
            )

    def fit(self, X: Any, y: Any = None) -> QuantileFeatures:
        """Lay the intervals out on the series length seen in ``X`` (the median length
        when the series differ).

        Parameters
        ----------
        X : 2-D or 3-D array, list of series, or DataFrame of one row per series
        y : ignored

        Returns
        -------
        self
        """
        panel = self._validate_panel(X, reset=True)
        self._check_params()
        lengths = [s.shape[1] for s in panel]
        self.reference_length_ = int(np.floor(np.median(lengths) + 0.5))
        self.intervals_ = {
            r: dyadic_intervals(_rep_length(self.reference_length_, r), self.depth)
            for r in self.representations
        }
        self.channel_names_ = panel_channel_names(X, self.n_channels_)
        per_channel = sum(_n_quantiles(b - a, self.divisor)
                          for iv in self.intervals_.values() for a, b in iv)
        self.n_features_out_ = self.n_channels_ * per_channel
        return self

    def _transform_equal(self, values: np.ndarray) -> np.ndarray:
        """Features of ``(n, length)`` rows of one length (one channel each)."""
        views = [_represent(values, r) for r in self.representations]
        plan, order = _plan(
            tuple(tuple(self.intervals_[r]) for r in self.representations),
            tuple(_rep_length(self.reference_length_, r) for r in self.representations),
            tuple(v.shape[1] for v in views),
            self.divisor,
        )
        row = np.concatenate(views, axis=1) if len(views) > 1 else views[0]
        return np.concatenate([_group_quantiles(row, g) for g in plan], axis=1)[:, order]

    def transform(self, X: Any) -> np.ndarray:
        """The interval quantiles, an array of shape ``(n_series, n_features_out_)``."""
        self._check_fitted()
        panel = self._validate_panel(X, reset=False)
        out = np.empty((len(panel), self.n_features_out_))
        for rows, block in panel_by_length(panel):
            flat = block.reshape(-1, block.shape[2])  # (series x channel, length)
            out[rows] = self._transform_equal(flat).reshape(len(rows), -1)
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names ``<representation>_<start>_<end>_q<i>`` (start and end on the reference
        length), prefixed ``<channel>__`` when there are several channels."""
        self._check_fitted()
        names = []
        for r in self.representations:
            for a, b in self.intervals_[r]:
                k = _n_quantiles(b - a, self.divisor)
                names.extend(f"{r}_{a}_{b}_q{i}" for i in range(k))
        if self.n_channels_ > 1:
            names = [f"{c}__{n}" for c in self.channel_names_ for n in names]
        return np.asarray(names, dtype=object)

    @classmethod
    def _xfail_checks(cls) -> dict[str, str]:
        any_length = (
            "series of any length are accepted at transform (intervals are fractions of "
            "each series' length), so a different number of columns than at fit is not an "
            "error"
        )
        return {
            "check_n_features_in_after_fitting": any_length,
            "check_transformer_general": any_length,
        }
