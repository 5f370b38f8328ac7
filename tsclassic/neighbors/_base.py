"""What the DTW k-NN classifier and regressor share: parameters, fit, the learned window
and ``kneighbors``."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator

from tsclassic._params import Integral, Interval, Real, StrOptions
from tsclassic._validation import check_positive_int
from tsclassic.base import PanelMixin, Tags
from tsclassic.neighbors._checks import Packed, check_window, pack, pack_channels

# The UCR archive's grid for the learned window: 0, 1, ..., 100 % of the length.
_WINDOW_GRID = np.arange(100, -1, -1) / 100.0


def _samples(n: int) -> str:
    return f"{n} sample" if n == 1 else f"{n} samples"


class DTWNeighborsBase(PanelMixin, BaseEstimator):
    """Shared machinery of :class:`KNeighborsDTWClassifier` and
    :class:`KNeighborsDTWRegressor`; subclasses define ``_loo_error``."""

    _tags: ClassVar[Tags] = Tags(multivariate=True, unequal_length=True)
    _parameter_constraints: ClassVar[dict[str, list]] = {
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
        "window": [Interval(Real, 0, 1, closed="both"), StrOptions({"learn"}), None],
        "weights": [StrOptions({"uniform", "distance"})],
        "multivariate": [StrOptions({"dependent", "independent"})],
        # joblib's convention: -1 every core, -2 all but one, ...; 0 is no thread at all.
        "n_jobs": [Interval(Integral, 1, None, closed="left"),
                   Interval(Integral, None, -1, closed="right"), None],
    }

    def __init__(
        self,
        n_neighbors: int = 1,
        *,
        window: float | str | None = None,
        weights: str = "uniform",
        multivariate: str = "dependent",
        n_jobs: int | None = None,
    ):
        self.n_neighbors = n_neighbors
        self.window = window
        self.weights = weights
        self.multivariate = multivariate
        self.n_jobs = n_jobs

    @classmethod
    def _test_params(cls) -> list[dict]:
        return [{}, {"n_neighbors": 3, "window": 0.1, "weights": "distance"}, {"window": "learn"},
                {"multivariate": "independent", "window": 0.2}]

    @classmethod
    def _xfail_checks(cls) -> dict[str, str]:
        return {
            "check_n_features_in_after_fitting": (
                "DTW compares series of any length (unequal_length=True), so a test series "
                "of another length than the training ones is valid input, not an error."
            ),
            "check_classifiers_train": (
                "one of its steps predicts on series of another length than at fit and expects "
                "an error; DTW compares series of any length (unequal_length=True)."
            ),
        }

    # check_panel_target's kind: "classification" or "regression".
    _target_kind: ClassVar[str]

    def _check_target(self, y: np.ndarray) -> np.ndarray:
        """What ``y_`` stores of the validated ``y``."""
        return y

    def _loo_error(self, neighbours: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Leave-one-out 1-NN error of each row of ``neighbours`` (windows x series)."""
        raise NotImplementedError

    def _check_params(self) -> tuple[int, float]:
        """What ``_parameter_constraints`` cannot say: no booleans for numbers."""
        k = check_positive_int(self.n_neighbors, "n_neighbors")
        window = check_window(self.window, "window", allow_learn=True)
        if isinstance(self.n_jobs, bool):
            raise ValueError(f"n_jobs must be None, -1 or a positive integer; got {self.n_jobs!r}.")
        return k, window

    def _split(self) -> int:
        """Packed series per item: one per channel for independent DTW (with more than
        one channel; with one, both are the same distance, through the same code)."""
        return self.n_channels_ if self.multivariate == "independent" else 1

    def _pack(self, panel: np.ndarray | list[np.ndarray]) -> Packed:
        return pack_channels(panel) if self._split() > 1 else pack(panel)

    def fit(self, X: Any, y: Any) -> DTWNeighborsBase:
        """Store the training panel and targets (and learn the window if asked).

        Parameters
        ----------
        X : array-like of shape (n_series, length) or (n_series, n_channels, length), or
            a list of series of any lengths
        y : array-like of shape (n_series,)
            Class labels (classifier) or values (regressor), one per series.

        Returns
        -------
        self
        """
        from tsclassic._validation import check_panel_target

        panel = self._validate_panel(X, reset=True)  # checks _parameter_constraints first
        k, window = self._check_params()
        n_train = len(panel)
        y = self._check_target(check_panel_target(
            y, n_train, owner=type(self).__name__, kind=self._target_kind))
        if k > n_train:
            raise ValueError(
                f"n_neighbors={k} is larger than the training set (got {_samples(n_train)}); "
                f"pass n_neighbors <= {n_train} or more training series."
            )
        from tsclassic.neighbors._search import build_index

        train = self._pack(panel)
        self.n_train_ = n_train
        if window < 0:
            if n_train < 2:
                raise ValueError(
                    'window="learn" needs at least 2 training series for leave-one-out (got '
                    f"{_samples(n_train)}); pass a fixed window."
                )
            window = self._learn_window(train, y)
        self.window_ = window
        self.index_ = build_index(train, window, self._split())
        self.y_ = y
        return self

    def _learn_window(self, train: Packed, y: np.ndarray) -> float:
        from tsclassic.neighbors._search import learn_window_neighbours

        neighbours = learn_window_neighbours(train, _WINDOW_GRID, self._split())
        errors = self._loo_error(neighbours, y)
        self.window_errors_ = errors[::-1].copy()  # by window 0 %, 1 %, ..., 100 %
        return float(_WINDOW_GRID[::-1][int(np.argmin(self.window_errors_))])

    def _search(self, X: Any, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Squared distances and indices of the k nearest training series; ``X=None`` is
        the training set itself, each series leaving itself out."""
        from tsclassic.neighbors._search import knn_search

        return knn_search(self._queries(X), self.index_, k, self.n_jobs)

    def _queries(self, X: Any) -> Packed | None:
        """``X`` validated against the training panel and packed for the kernels; ``None``
        stays ``None`` (the training set itself)."""
        return None if X is None else self._pack(self._validate_panel(X, reset=False))

    def _neighbours(self, X: Any) -> tuple[np.ndarray, np.ndarray]:
        self._check_fitted()
        return self._search(X, self.n_neighbors)

    def _weights(self, sq_dist: np.ndarray) -> np.ndarray:
        if self.weights == "uniform":
            return np.ones_like(sq_dist)
        with np.errstate(divide="ignore"):
            w = 1.0 / np.sqrt(sq_dist)
        # An exact match outweighs everything else, as in scikit-learn.
        exact = np.isinf(w)
        rows = exact.any(axis=1)
        w[rows] = exact[rows]
        return w

    def kneighbors(
        self, X: Any = None, n_neighbors: int | None = None, return_distance: bool = True
    ) -> tuple[np.ndarray, np.ndarray] | np.ndarray:
        """The nearest training series of each series of ``X`` under DTW.

        Parameters
        ----------
        X : panel, optional
            Query series; ``None`` queries the training set, each series leaving itself out.
        n_neighbors : int, optional
            Defaults to the constructor's ``n_neighbors``.
        return_distance : bool, default True

        Returns
        -------
        distances : ndarray of shape (n_queries, n_neighbors)
            DTW distances, nearest first (only with ``return_distance``).
        indices : ndarray of shape (n_queries, n_neighbors)
            Positions in the training set; ties go to the first training series.
        """
        self._check_fitted()
        k = self.n_neighbors if n_neighbors is None else n_neighbors
        k = check_positive_int(k, "n_neighbors")
        available = self.n_train_ - (1 if X is None else 0)
        if k > available:
            raise ValueError(
                f"n_neighbors={k} is larger than the {available} training series available"
                f"{' (each leaves itself out)' if X is None else ''}; pass a smaller n_neighbors."
            )
        sq, idx = self._search(X, k)
        return (np.sqrt(sq), idx) if return_distance else idx
