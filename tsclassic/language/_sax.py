"""Symbolisation of series: PAA (segment means) and SAX (segment means binned into the
equiprobable intervals of the standard normal), agreeing with tslearn's
``PiecewiseAggregateApproximation`` and ``SymbolicAggregateApproximation``.

References
----------
Keogh, Chakrabarti, Pazzani & Mehrotra (2001), "Dimensionality reduction for fast
similarity search in large time series databases", KAIS 3(3) (PAA).
Lin, Keogh, Wei & Lonardi (2007), "Experiencing SAX: a novel symbolic representation of
time series", DMKD 15(2).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from scipy.stats import norm
from sklearn.base import BaseEstimator, TransformerMixin

from tsclassic._params import Integral, Interval, StrOptions, renamed_params
from tsclassic._validation import check_panel_lengths, panel_by_length
from tsclassic.base import PanelMixin, Tags

__all__ = ["PAA", "SAX", "paa", "sax_breakpoints", "sax_midpoints", "symbolize"]


def sax_breakpoints(alphabet_size: int) -> np.ndarray:
    """The ``alphabet_size - 1`` cut points of the standard normal into equiprobable bins."""
    return norm.ppf(np.arange(1, alphabet_size) / alphabet_size)


def sax_midpoints(alphabet_size: int) -> np.ndarray:
    """The value each symbol maps back to: the probability mid-point (median) of its bin,
    ``Phi^-1((2i + 1) / (2a))``, finite even for the two unbounded outer bins."""
    return norm.ppf(np.arange(1, 2 * alphabet_size, 2) / (2 * alphabet_size))


def paa(values: np.ndarray, n_segments: int) -> np.ndarray:
    """Segment means along the last axis: ``length // n_segments`` points per segment, the
    remainder at the end left out (tslearn's convention)."""
    size = values.shape[-1] // n_segments
    cut = values[..., : size * n_segments]
    return cut.reshape(*values.shape[:-1], n_segments, size).mean(axis=-1)


def symbolize(values: np.ndarray, alphabet_size: int) -> np.ndarray:
    """SAX symbols ``0 .. alphabet_size - 1`` of (already normalised) values: the number of
    breakpoints at or below each value (a value on a breakpoint goes up, as in tslearn).
    The one SAX encoding: :class:`SAX`, the n-gram classifier and forecaster use it."""
    return np.searchsorted(sax_breakpoints(alphabet_size), values, side="right")


def _squeeze(out: np.ndarray) -> np.ndarray:
    # Univariate panels give the usual 2-D (n_series, n_segments) table.
    return out[:, 0, :] if out.shape[1] == 1 else out


def _panel_paa(panel: np.ndarray | list[np.ndarray], n_segments: int) -> np.ndarray:
    """Segment means of every series, each over its own length: (n_series, n_channels,
    n_segments), one vectorised pass per distinct length."""
    out = np.empty((len(panel), panel[0].shape[0], n_segments))
    for rows, block in panel_by_length(panel):
        out[rows] = paa(block, n_segments)
    return out


class PAA(PanelMixin, TransformerMixin, BaseEstimator):
    """Piecewise Aggregate Approximation: each series as the means of ``n_segments``
    equal segments.

    Parameters
    ----------
    n_segments : int, default 8
        Number of segments; each spans ``length // n_segments`` points and the last
        ``length % n_segments`` points are left out, as in tslearn.

    Attributes
    ----------
    n_features_in_ : int
        Series length seen at fit (only when all series had one length).

    Notes
    -----
    Unequal lengths: every series is cut into ``n_segments`` segments of its own length,
    so series of any lengths of at least ``n_segments`` points give rows of the same
    width; ``inverse_transform`` then needs one length to expand to and is available
    only after a fit on series of one length. Several channels: each channel is reduced
    on its own, giving ``(n_series, n_channels, n_segments)``.

    Examples
    --------
    >>> import numpy as np
    >>> from tsclassic.language import PAA
    >>> PAA(n_segments=3).fit_transform(np.array([[-1.0, 2, 0.1, -1, 1, -1]]))
    array([[ 0.5 , -0.45,  0.  ]])
    """

    _tags: ClassVar[Tags] = Tags(multivariate=True, unequal_length=True)
    _parameter_constraints: ClassVar[dict[str, list]] = {
        "n_segments": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, n_segments: int = 8):
        self.n_segments = n_segments

    @classmethod
    def _test_params(cls) -> list[dict]:
        return [{"n_segments": 2}]

    @classmethod
    def _xfail_checks(cls) -> dict[str, str]:
        any_length = ("series of any length (at least n_segments) are accepted at "
                      "transform: every series gives n_segments values")
        return {
            "check_transformer_preserve_dtypes":
                "the shared panel validation works in float64 and returns float64",
            "check_n_features_in_after_fitting": any_length,
            "check_transformer_general": any_length,
        }

    def _check_length(self, panel: np.ndarray | list[np.ndarray]) -> None:
        check_panel_lengths(panel, self.n_segments, f"n_segments={self.n_segments}: one point "
                            f"per segment", owner=type(self).__name__)

    def fit(self, X: Any, y: Any = None) -> PAA:
        """Check the parameters against ``X``; nothing is learned."""
        self._check_length(self._validate_panel(X, reset=True))
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Segment means, an array of shape (n_series, n_segments) (or
        (n_series, n_channels, n_segments) for several channels)."""
        self._check_fitted()
        panel = self._validate_panel(X, reset=False)
        self._check_length(panel)
        return _squeeze(_panel_paa(panel, self.n_segments))

    def _expand(self, values: np.ndarray) -> np.ndarray:
        """Repeat each segment value over its points, back to the fitted length (the
        left-out tail repeats the last segment, where tslearn writes zeros)."""
        if not hasattr(self, "n_features_in_"):
            raise ValueError(
                f"{type(self).__name__} was fitted on series of unequal lengths, so there is "
                f"no one length to expand X back to; fit on series of one length to invert."
            )
        length = self.n_features_in_
        size = length // self.n_segments
        out = np.repeat(values, size, axis=-1)
        tail = length - out.shape[-1]
        if tail:
            out = np.concatenate([out, np.repeat(values[..., -1:], tail, axis=-1)], axis=-1)
        return out

    def inverse_transform(self, X: Any) -> np.ndarray:
        """Piecewise-constant series of the fitted length from segment means."""
        self._check_fitted()
        return self._expand(self._segments(X, "X", float))

    def _segments(self, X: Any, name: str, dtype: type) -> np.ndarray:
        values = np.asarray(X, dtype=dtype)
        if values.ndim not in (2, 3) or values.shape[-1] != self.n_segments:
            raise ValueError(
                f"{name} must have shape (n_series, {self.n_segments}) (n_segments last); "
                f"got {values.shape}."
            )
        return values


@renamed_params({"scale": ("normalize", {True: "panel", False: None})},
                positional=("alphabet_size",))
class SAX(PAA):
    """Symbolic Aggregate approXimation: PAA means binned by the equiprobable intervals of
    the standard normal into symbols ``0`` to ``alphabet_size - 1``.

    Parameters
    ----------
    n_segments : int, default 8
        Number of symbols per series (PAA segments).
    alphabet_size : int, default 4
        Number of distinct symbols (at least 2).
    normalize : {"panel"} or None, default None
        ``"panel"`` standardises the values with the mean and standard deviation of all of
        ``X`` at fit (per channel), as tslearn's ``scale`` (``scale=True`` in tsclassic
        0.1); ``None`` bins the values as they are. SAX assumes z-normalised input; to
        normalise each series on its own, do it before (:class:`ZNormalizer`, as
        :class:`NGramClassifier` does).

    Attributes
    ----------
    breakpoints_ : ndarray of shape (alphabet_size - 1,)
        The bin edges.
    midpoints_ : ndarray of shape (alphabet_size,)
        The value each symbol maps back to (the median of its bin).
    mu_, std_ : ndarray of shape (n_channels,)
        The fitted scaling (zeros and ones when ``normalize=None``).

    Notes
    -----
    Unequal lengths and several channels as for :class:`PAA`: a word of ``n_segments``
    symbols per series (and channel), whatever its length; ``normalize="panel"`` pools every point
    of every series of a channel.

    Examples
    --------
    >>> import numpy as np
    >>> from tsclassic.language import SAX
    >>> sax = SAX(n_segments=3, alphabet_size=3).fit(np.array([[-1.0, 2, 0.1, -1, 1, -1]]))
    >>> sax.transform(np.array([[-1.0, 2, 0.1, -1, 1, -1]]))
    array([[2, 0, 1]])
    >>> sax.inverse_transform([[2, 0, 1]]).round(2)
    array([[ 0.97,  0.97, -0.97, -0.97,  0.  ,  0.  ]])
    """

    _parameter_constraints: ClassVar[dict[str, list]] = {
        "n_segments": [Interval(Integral, 1, None, closed="left")],
        "alphabet_size": [Interval(Integral, 2, None, closed="left")],
        "normalize": [StrOptions({"panel"}), None],
    }

    def __init__(
        self,
        n_segments: int = 8,
        *,
        alphabet_size: int = 4,
        normalize: str | None = None,
    ):
        self.n_segments = n_segments
        self.alphabet_size = alphabet_size
        self.normalize = normalize

    @classmethod
    def _test_params(cls) -> list[dict]:
        return [
            {"n_segments": 2, "alphabet_size": 3},
            {"n_segments": 2, "alphabet_size": 5, "normalize": "panel"},
        ]

    @classmethod
    def _xfail_checks(cls) -> dict[str, str]:
        out = super()._xfail_checks()
        out["check_transformer_preserve_dtypes"] = (
            "SAX outputs integer symbols whatever the input dtype")
        return out

    def fit(self, X: Any, y: Any = None) -> SAX:
        """Fix the breakpoints (and the scaling when ``normalize="panel"``) from ``X``."""
        panel = self._validate_panel(X, reset=True)
        self._check_length(panel)
        self.breakpoints_ = sax_breakpoints(self.alphabet_size)
        self.midpoints_ = sax_midpoints(self.alphabet_size)
        channels = self.n_channels_
        if self.normalize == "panel":
            flat = np.concatenate([s for s in panel], axis=1)  # (n_channels, all points)
            self.mu_ = flat.mean(axis=1)
            std = flat.std(axis=1)
            self.std_ = np.where(std == 0, 1.0, std)  # constant data: centre only
        else:
            self.mu_, self.std_ = np.zeros(channels), np.ones(channels)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """SAX words, an int array of shape (n_series, n_segments) (or (n_series,
        n_channels, n_segments))."""
        self._check_fitted()
        panel = self._validate_panel(X, reset=False)
        self._check_length(panel)
        mu, std = self.mu_[:, None], self.std_[:, None]
        scaled = (panel - mu) / std if isinstance(panel, np.ndarray) else [(s - mu) / std for s in panel]
        # The fitted alphabet (a set_params after fit cannot change the words).
        return _squeeze(symbolize(_panel_paa(scaled, self.n_segments), len(self.midpoints_)))

    def inverse_transform(self, X: Any) -> np.ndarray:
        """Series of the fitted length from SAX words: each symbol becomes the mid-point
        (median) of its bin, repeated over its segment, then unscaled."""
        self._check_fitted()
        symbols = self._segments(X, "X", float)
        if not np.all(np.isin(symbols, np.arange(self.alphabet_size))):
            raise ValueError(
                f"X must hold integer symbols 0..{self.alphabet_size - 1}; got other values."
            )
        values = self._expand(self.midpoints_[symbols.astype(np.int64)])
        if values.ndim == 2:
            return values * self.std_[0] + self.mu_[0]
        return values * self.std_[None, :, None] + self.mu_[None, :, None]
