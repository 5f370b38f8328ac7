"""k-nearest-neighbour regression of series under DTW."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import RegressorMixin

from tsclassic.neighbors._base import DTWNeighborsBase

__all__ = ["KNeighborsDTWRegressor"]


class KNeighborsDTWRegressor(RegressorMixin, DTWNeighborsBase):
    """k-nearest-neighbour regressor under dynamic time warping: the (weighted) mean
    target of the k nearest training series.

    Parameters
    ----------
    n_neighbors : int, default 1
    window : float in [0, 1], "learn" or None, default None
        Sakoe-Chiba band as a fraction of the length; ``None`` is the full window;
        ``"learn"`` picks the band among 0, 1, ..., 100 % by leave-one-out 1-NN squared
        error on the training set.
    weights : {"uniform", "distance"}, default "uniform"
    multivariate : {"dependent", "independent"}, default "dependent"
        One warping path for all channels, or one per channel (the distance is then the
        square root of the sum of the squared per-channel DTW distances); see
        :class:`KNeighborsDTWClassifier`.
    n_jobs : int or None, default None
        Threads over the query series.

    Attributes
    ----------
    window_ : float
    window_errors_ : ndarray of shape (101,)
        With ``window="learn"``: leave-one-out sum of squared errors at 0, 1, ..., 100 %.
    index_ : tsclassic.neighbors._search.Index
        The training series as the search reads them, built once at fit.
    y_ : ndarray of shape (n_train,)
        The training targets.
    n_channels_ : int
    n_train_ : int

    See Also
    --------
    KNeighborsDTWClassifier

    Examples
    --------
    >>> import numpy as np
    >>> from tsclassic.neighbors import KNeighborsDTWRegressor
    >>> t = np.linspace(0, 2 * np.pi, 30)
    >>> X = np.array([np.sin(t + s) for s in np.linspace(0, 1, 10)])
    >>> y = np.linspace(0, 1, 10)
    >>> reg = KNeighborsDTWRegressor(n_neighbors=2, window=0.1).fit(X, y)
    >>> reg.predict(np.sin(t + 0.5)[None, :]).round(3)
    array([0.5])
    """

    _target_kind = "regression"

    def _loo_error(self, neighbours: np.ndarray, y: np.ndarray) -> np.ndarray:
        return ((y[neighbours] - y[None, :]) ** 2).sum(axis=1)

    def predict(self, X: Any) -> np.ndarray:
        """The (weighted) mean target of the nearest training series.

        Returns
        -------
        ndarray of shape (n_series,)
        """
        sq, idx = self._neighbours(X)
        w = self._weights(sq)
        return (w * self.y_[idx]).sum(axis=1) / w.sum(axis=1)
