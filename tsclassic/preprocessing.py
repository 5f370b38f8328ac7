"""Preprocessing of panels of series: z-normalisation, resampling to one length, and
reading NaN-padded arrays as series of unequal lengths.

The transformers take what every panel estimator takes (a 2-D array, a 3-D array of
several channels, a list of series of different lengths, a DataFrame of one row per
series), so that a DTW or feature pipeline reads as a scikit-learn ``Pipeline``::

    Pipeline([("z", ZNormalizer()), ("resample", Resampler(length=128)),
              ("knn", KNeighborsDTWClassifier())])
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from tsclassic._params import Integral, Interval, StrOptions
from tsclassic.base import PanelMixin, Tags

__all__ = ["ZNormalizer", "Resampler", "trim_trailing_nan"]


def trim_trailing_nan(X: Any) -> list[np.ndarray]:
    """Read a NaN-padded panel as a list of series of their own lengths.

    Parameters
    ----------
    X : 2-D array (n_series, length) or 3-D array (n_series, n_channels, length)
        Series of unequal lengths stored in one array, each padded at its end with NaN
        (in every channel at once).

    Returns
    -------
    list of ndarray
        Each series without its NaN tail: 1-D arrays for 2-D input, ``(n_channels,
        length_i)`` arrays for 3-D input. NaN that are not a common tail are kept (the
        estimators then refuse them as missing data).

    Examples
    --------
    >>> import numpy as np
    >>> from tsclassic.preprocessing import trim_trailing_nan
    >>> [s.tolist() for s in trim_trailing_nan([[1.0, 2.0, np.nan], [3.0, 4.0, 5.0]])]
    [[1.0, 2.0], [3.0, 4.0, 5.0]]
    """
    values = np.asarray(X, dtype=np.float64)
    if values.ndim not in (2, 3):
        raise ValueError(
            f"X must be a 2-D (n_series, length) or 3-D (n_series, n_channels, length) array; "
            f"got shape {values.shape}."
        )
    out = []
    for series in values:
        points = np.isnan(series) if series.ndim == 1 else np.isnan(series).all(axis=0)
        observed = np.flatnonzero(~points)
        end = int(observed[-1]) + 1 if observed.size else 0
        out.append(series[..., :end].copy())
    return out


def _like_input(X: Any, panel: np.ndarray | list[np.ndarray]) -> Any:
    """Give the transformed panel the input's layout: 2-D (or a list of 1-D series) for a
    univariate panel passed without a channel axis, 3-D (or ``(n_channels, length)``
    series) otherwise."""
    if isinstance(X, pd.DataFrame):
        univariate = all(pd.api.types.is_numeric_dtype(d) for d in X.dtypes)
    elif isinstance(X, (list, tuple)):
        univariate = np.ndim(X[0]) == 1
    else:
        univariate = np.ndim(np.asarray(X)) == 2
    if isinstance(panel, np.ndarray):
        return panel[:, 0, :] if univariate and panel.shape[1] == 1 else panel
    return [s[0] if univariate else s for s in panel]


class _PanelTransformer(PanelMixin, TransformerMixin, BaseEstimator):
    """A transformer that maps each series to a new series, one at a time."""

    _tags: ClassVar[Tags] = Tags(multivariate=True, unequal_length=True)

    def fit(self, X: Any, y: Any = None) -> _PanelTransformer:
        """Check the parameters and ``X``; record its number of channels.

        Parameters
        ----------
        X : 2-D or 3-D array, list of series, or DataFrame of one row per series
        y : ignored

        Returns
        -------
        self
        """
        panel = self._validate_panel(X, reset=True)
        self._learn(panel)
        return self

    def _learn(self, panel: np.ndarray | list[np.ndarray]) -> None:
        """What the transformer learns from the panel at fit (nothing by default)."""

    def _series(self, series: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _apply(self, panel: np.ndarray | list[np.ndarray]) -> np.ndarray | list[np.ndarray]:
        out = [self._series(s) for s in panel]
        if isinstance(panel, np.ndarray) or len({s.shape[1] for s in out}) == 1:
            return np.stack(out)
        return out

    def transform(self, X: Any) -> np.ndarray | list[np.ndarray]:
        """Transform every series of ``X``, keeping its layout (2-D in, 2-D out; 3-D in,
        3-D out; a list in, a list out unless all series now have one length)."""
        self._check_fitted()
        panel = self._validate_panel(X, reset=False)
        return _like_input(X, self._apply(panel))

    @classmethod
    def _xfail_checks(cls) -> dict[str, str]:
        return {
            "check_transformer_preserve_dtypes":
                "the shared panel validation works in float64 and returns float64",
            "check_n_features_in_after_fitting":
                "series of any length are accepted at transform (unequal-length panels)",
            "check_transformer_general":
                "series of any length are accepted at transform (unequal-length panels), so a "
                "different number of columns than at fit is not an error",
        }


class ZNormalizer(_PanelTransformer):
    """Z-normalise each series, channel by channel: subtract its mean, divide by its
    standard deviation.

    Every series (and every channel of it) is normalised with its own mean and standard
    deviation, so nothing is learned at fit; series of unequal lengths are each
    normalised over their own points.

    Parameters
    ----------
    constant : {"zero", "raise"}, default "zero"
        What a constant channel (standard deviation at most ``1e-12`` times its largest
        absolute value) becomes: all zeros (its mean removed; the convention of SAX and
        of tslearn's scaler), or a ``ValueError`` naming the series.

    Attributes
    ----------
    n_channels_ : int
        Number of channels seen at fit.

    See Also
    --------
    Resampler

    Examples
    --------
    >>> import numpy as np
    >>> from tsclassic.preprocessing import ZNormalizer
    >>> ZNormalizer().fit_transform(np.array([[1.0, 2.0, 3.0], [5.0, 5.0, 5.0]])).round(3)
    array([[-1.225,  0.   ,  1.225],
           [ 0.   ,  0.   ,  0.   ]])
    """

    _parameter_constraints: ClassVar[dict[str, list]] = {
        "constant": [StrOptions({"zero", "raise"})],
    }

    def __init__(self, constant: str = "zero"):
        self.constant = constant

    def _apply(self, panel: np.ndarray | list[np.ndarray]) -> np.ndarray | list[np.ndarray]:
        if isinstance(panel, np.ndarray):  # one vectorised pass for equal lengths
            return self._normalise(panel)
        return [self._normalise(s[None], first=i)[0] for i, s in enumerate(panel)]

    def _normalise(self, values: np.ndarray, first: int = 0) -> np.ndarray:
        """Normalise ``(n_series, n_channels, length)`` values along time; ``first`` is
        the position of the first series in X, for the error message."""
        centred = values - values.mean(axis=2, keepdims=True)
        std = centred.std(axis=2, keepdims=True)
        constant = std <= 1e-12 * np.abs(values).max(axis=2, keepdims=True)
        if constant.any() and self.constant == "raise":
            series, channel = np.argwhere(constant[..., 0])[0]
            raise ValueError(
                f"X holds a constant channel (series {first + series}, channel {channel}), "
                f"which has no scale to divide by; drop it, or pass constant='zero' to map "
                f"constant channels to zeros."
            )
        return np.where(constant, 0.0, centred / np.where(constant, 1.0, std))

    @classmethod
    def _test_params(cls) -> list[dict[str, Any]]:
        # constant="raise" is tested in tests/test_preprocessing.py: scikit-learn's checks
        # feed constant columns on purpose.
        return [{}]


class Resampler(_PanelTransformer):
    """Resample every series to one length by linear interpolation.

    Series of any lengths (a list of arrays, or a panel of another length than at fit)
    come out as one array of ``length`` points each: point ``j`` of the output sits at the
    fraction ``j / (length - 1)`` of the series' span and is interpolated linearly
    between its two neighbouring observations, channel by channel. The first and last
    points are kept exactly; a series of one point becomes constant.

    Parameters
    ----------
    length : int or None, default None
        Points per output series; ``None`` uses the longest series seen at fit.

    Attributes
    ----------
    length_ : int
        The output length.
    n_channels_ : int
        Number of channels seen at fit.

    See Also
    --------
    ZNormalizer

    Examples
    --------
    >>> import numpy as np
    >>> from tsclassic.preprocessing import Resampler
    >>> Resampler(length=5).fit_transform([np.array([0.0, 2.0, 4.0]), np.arange(9.0)])
    array([[0., 1., 2., 3., 4.],
           [0., 2., 4., 6., 8.]])

    In a pipeline with a classifier that needs one length:

    >>> from sklearn.pipeline import make_pipeline
    >>> from tsclassic.language import NGramClassifier
    >>> from tsclassic.preprocessing import ZNormalizer
    >>> rng = np.random.default_rng(0)
    >>> X = [np.sin(np.linspace(0, 4 * np.pi, n)) + rng.normal(0, 0.1, n) for n in (40, 50, 60)]
    >>> X += [np.linspace(-1, 1, n) for n in (45, 55, 65)]
    >>> pipe = make_pipeline(Resampler(length=48), ZNormalizer(), NGramClassifier(8, order=2))
    >>> pipe.fit(X, [0, 0, 0, 1, 1, 1]).predict(X).tolist()
    [0, 0, 0, 1, 1, 1]
    """

    _parameter_constraints: ClassVar[dict[str, list]] = {
        "length": [Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(self, length: int | None = None):
        self.length = length

    def _learn(self, panel: np.ndarray | list[np.ndarray]) -> None:
        longest = max(s.shape[1] for s in panel) if isinstance(panel, list) else panel.shape[2]
        self.length_ = int(self.length) if self.length is not None else longest

    def _series(self, series: np.ndarray) -> np.ndarray:
        n = series.shape[1]
        if n == 1:
            return np.repeat(series, self.length_, axis=1)
        where = np.linspace(0.0, n - 1.0, self.length_)
        points = np.arange(n, dtype=np.float64)
        return np.stack([np.interp(where, points, channel) for channel in series])

    def _apply(self, panel: np.ndarray | list[np.ndarray]) -> np.ndarray:
        return np.stack([self._series(s) for s in panel])

    @classmethod
    def _test_params(cls) -> list[dict[str, Any]]:
        return [{}, {"length": 16}]

