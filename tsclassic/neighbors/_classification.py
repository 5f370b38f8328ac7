"""k-nearest-neighbour classification of series under DTW."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import ClassifierMixin

from tsclassic.neighbors._base import DTWNeighborsBase

__all__ = ["KNeighborsDTWClassifier"]


class KNeighborsDTWClassifier(ClassifierMixin, DTWNeighborsBase):
    """k-nearest-neighbour classifier under dynamic time warping, exact and fast.

    The neighbours are exactly those of brute force (ties go to the first training
    series), found with a cascade of lower bounds (LB_PAA, LB_Kim, LB_Keogh both ways), a
    DTW recursion pruned against the best distance so far and compiled kernels. Series may
    have several channels and different lengths.

    Parameters
    ----------
    n_neighbors : int, default 1
    window : float in [0, 1], "learn" or None, default None
        Sakoe-Chiba band as a fraction of the length; ``None`` is the full window.
        ``"learn"`` picks the band among 0, 1, ..., 100 % by leave-one-out 1-NN error on
        the training set (the smallest band among the best), as the UCR archive's "DTW
        (learned window)" does.
    weights : {"uniform", "distance"}, default "uniform"
        Vote weights: equal, or the inverse of the distance (an exact match wins).
    multivariate : {"dependent", "independent"}, default "dependent"
        How several channels are compared. ``"dependent"``: one warping path for all
        channels, each cell costing the sum over channels of the squared differences
        (DTW_D). ``"independent"``: each channel warped on its own (DTW_I); the distance
        is the square root of the sum over channels of the squared one-channel DTW
        distances, so that its square, like the dependent one's, is a sum of squared
        point differences (Shokoohi-Yekta et al. sum the per-channel squared-cost DTW
        without a root: the same neighbours). The search is exact for both (a sum of
        per-channel lower bounds bounds the sum); with one channel they are the same.
    n_jobs : int or None, default None
        Threads over the query series; ``-1`` uses every core.

    Attributes
    ----------
    classes_ : ndarray
        The class labels, sorted.
    window_ : float
        The band used: ``window`` itself, 1.0 for ``None``, or the learned one.
    window_errors_ : ndarray of shape (101,)
        With ``window="learn"``: leave-one-out errors at 0, 1, ..., 100 %.
    index_ : tsclassic.neighbors._search.Index
        The training series as the search reads them (with their envelopes and bounds
        at ``window_``), built once at fit.
    y_ : ndarray of shape (n_train,)
        The training labels, as positions in ``classes_``.
    n_channels_ : int
    n_train_ : int

    See Also
    --------
    KNeighborsDTWRegressor, tsclassic.neighbors.dtw

    References
    ----------
    Dau et al. (2019), "The UCR Time Series Archive", IEEE/CAA J. Autom. Sinica 6(6).
    Rakthanmanon et al. (2012), "Searching and mining trillions of time series subsequences
    under dynamic time warping", KDD.
    Shokoohi-Yekta, Hu, Jin, Wang & Keogh (2017), "Generalizing DTW to the multi-dimensional
    case requires an adaptive approach", Data Min. Knowl. Disc. 31 (dependent and
    independent DTW).

    Examples
    --------
    >>> from tsclassic.datasets import load_ucr
    >>> from tsclassic.neighbors import KNeighborsDTWClassifier
    >>> X, y = load_ucr("GunPoint", split="train")
    >>> X_test, y_test = load_ucr("GunPoint", split="test")
    >>> clf = KNeighborsDTWClassifier().fit(X, y)
    >>> round(clf.score(X_test, y_test), 4)
    0.9067
    """

    def _loo_error(self, neighbours: np.ndarray, y: np.ndarray) -> np.ndarray:
        return (y[neighbours] != y[None, :]).sum(axis=1)

    _target_kind = "classification"

    def _check_target(self, y: np.ndarray) -> np.ndarray:
        self.classes_, encoded = np.unique(y, return_inverse=True)
        return encoded

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities: the (weighted) share of each class among the neighbours.

        With one neighbour this is the nearest one's class, whatever the weights: the
        search then needs only the class, which lets it skip series of the class of the
        nearest so far (the answer is still that of brute force).

        Returns
        -------
        ndarray of shape (n_series, n_classes)
            Columns in the order of ``classes_``.
        """
        if self.n_neighbors == 1:
            nearest = self._nearest_class(X)
            proba = np.zeros((len(nearest), len(self.classes_)))
            proba[np.arange(len(nearest)), nearest] = 1.0
            return proba
        sq, idx = self._neighbours(X)
        w = self._weights(sq)
        proba = np.zeros((len(idx), len(self.classes_)))
        rows = np.repeat(np.arange(len(idx)), idx.shape[1])
        np.add.at(proba, (rows, self.y_[idx].ravel()), w.ravel())
        return proba / proba.sum(axis=1, keepdims=True)

    def _nearest_class(self, X: Any) -> np.ndarray:
        """The encoded class of each series' nearest training series."""
        from tsclassic.neighbors._search import nearest_labels

        self._check_fitted()
        return nearest_labels(self._queries(X), self.index_, self.y_, self.n_jobs)

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each series (ties to the first class in ``classes_``).

        Returns
        -------
        ndarray of shape (n_series,)
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]
