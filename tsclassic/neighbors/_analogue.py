"""The analogue forecaster: continue the series as its nearest past windows continued."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from tsclassic._params import Integral, Interval, Real, StrOptions, renamed_params
from tsclassic._validation import check_positive_int
from tsclassic.base import BaseForecaster, Tags
from tsclassic.neighbors._checks import check_window

__all__ = ["AnalogueForecaster"]


@renamed_params({"normalize": ("normalize", {True: "window", False: None})},
                positional=("window_length",))
class AnalogueForecaster(BaseForecaster):
    """k-nearest-neighbour (method of analogues) forecaster under DTW.

    The last ``window_length`` observations are compared by DTW with every earlier window
    of that length whose next ``h`` values are known; the forecast at step ``s`` is the
    mean of what followed the ``n_neighbors`` nearest windows, ``s`` steps later. With
    ``normalize="window"`` the windows are compared after removing their own mean, and what
    followed is taken relative to that mean, so that analogues match in shape rather
    than in level (a trending series still finds its past patterns).

    The prediction interval at each step is the neighbours' mean plus or minus a Student-t
    quantile (``k - 1`` degrees of freedom: the spread is estimated from k values) times
    their standard deviation, inflated by ``sqrt(1 + 1/k)`` for the mean being estimated:
    the spread of what happened after similar situations. (A normal quantile covered 78%
    at 90% with k = 3 on a season plus noise.)

    Parameters
    ----------
    n_neighbors : int, default 5
        Number of analogues k (at least 2 for intervals).
    window_length : int, default 12
        Length of the pattern compared; one season is a natural choice.
    window : float in [0, 1] or None, default None
        Sakoe-Chiba band of the DTW, as a fraction of ``window_length``.
    normalize : {"window"} or None, default "window"
        ``"window"`` compares windows without their own mean level; ``None`` compares raw
        values (``True`` and ``False`` in tsclassic 0.1, as in every estimator ``normalize``
        says over what values are normalised).

    Attributes
    ----------
    y_ : ndarray
        The training series.

    References
    ----------
    Lorenz (1969), "Atmospheric predictability as revealed by naturally occurring
    analogues", J. Atmos. Sci. 26. Yakowitz (1987), "Nearest-neighbour methods for time
    series analysis", J. Time Series Anal. 8(2).

    Examples
    --------
    >>> import numpy as np
    >>> from tsclassic.neighbors import AnalogueForecaster
    >>> y = np.tile([1.0, 3.0, 2.0, 5.0], 10)
    >>> AnalogueForecaster(n_neighbors=3, window_length=4).fit(y).predict(4)
    array([1., 3., 2., 5.])
    """

    _tags: ClassVar[Tags] = Tags(intervals=True)
    _parameter_constraints: ClassVar[dict[str, list]] = {
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
        "window_length": [Interval(Integral, 1, None, closed="left")],
        "window": [Interval(Real, 0, 1, closed="both"), None],
        "normalize": [StrOptions({"window"}), None],
    }

    def __init__(
        self,
        n_neighbors: int = 5,
        *,
        window_length: int = 12,
        window: float | None = None,
        normalize: str | None = "window",
    ):
        self.n_neighbors = n_neighbors
        self.window_length = window_length
        self.window = window
        self.normalize = normalize

    @classmethod
    def _coverage_process(cls):
        def season_and_noise(rng, n):  # analogues repeat: a season recurs, a random walk not
            return 10.0 + 3 * np.sin(2 * np.pi * np.arange(n) / 12) + rng.normal(0.0, 1.0, n)

        return season_and_noise

    @classmethod
    def _test_params(cls) -> list[dict]:
        return [{}, {"n_neighbors": 3, "window_length": 6, "window": 0.2, "normalize": None}]

    def _min_length(self) -> tuple[int, str]:
        k = check_positive_int(self.n_neighbors, "n_neighbors")
        length = check_positive_int(self.window_length, "window_length")
        check_window(self.window, "window")
        return length + k, f"{k} past windows of length {length}, each followed by a value"

    def _fit(self, y: np.ndarray, X: np.ndarray | None) -> None:
        self.y_ = y.copy()
        self.window_ = check_window(self.window, "window")

    def analogues(self, h: int = 1) -> np.ndarray:
        """Where the analogue windows used for an ``h``-step forecast end.

        Returns
        -------
        ndarray of shape (n_neighbors,)
            Positions ``t`` (nearest first) such that ``y[t - window_length:t]`` is an
            analogue of the last window and ``y[t:t + h]`` is what followed it.
        """
        from tsclassic._validation import check_h

        self._check_fitted()
        return self._search(check_h(h))[1] + self.window_length

    def _outcomes(self, h: int) -> np.ndarray:
        """What followed each of the k analogues, steps 1..h: an array (k, h)."""
        futures, idx = self._search(h)
        return futures[idx]

    def _search(self, h: int) -> tuple[np.ndarray, np.ndarray]:
        from numpy.lib.stride_tricks import sliding_window_view

        from tsclassic.neighbors._checks import pack
        from tsclassic.neighbors._search import build_index, knn_search

        y, length, k = self.y_, self.window_length, self.n_neighbors
        n_candidates = len(y) - length - h + 1
        if n_candidates < k:
            raise ValueError(
                f"h={h} leaves {max(n_candidates, 0)} past windows of length {length} with h "
                f"known values after them, fewer than n_neighbors={k}; pass a smaller h, a "
                f"shorter window_length, or fewer neighbours."
            )
        windows = sliding_window_view(y, length)[:n_candidates]
        query = y[-length:]
        futures = sliding_window_view(y[length:], h)[:n_candidates]
        if self.normalize:
            levels = windows.mean(axis=1, keepdims=True)
            windows = windows - levels
            futures = futures - levels
            query = query - query.mean()
        # The candidates depend on h: the index is built here, not at fit.
        index = build_index(pack(np.ascontiguousarray(windows[:, None, :])), self.window_)
        _, idx = knn_search(pack(query[None, None, :]), index, k, None)
        return futures, idx[0]

    def _level(self) -> float:
        return float(self.y_[-self.window_length :].mean()) if self.normalize else 0.0

    def _predict(self, h: int, X: np.ndarray | None) -> np.ndarray:
        return self._level() + self._outcomes(h).mean(axis=0)

    def _predict_interval(
        self, h: int, X: np.ndarray | None, coverage: float
    ) -> tuple[np.ndarray, np.ndarray]:
        from scipy.stats import t as student

        if self.n_neighbors < 2:
            raise ValueError(
                "predict_interval needs n_neighbors >= 2 to measure the analogues' spread; "
                "refit with more neighbours."
            )
        outcomes = self._outcomes(h)
        mean = self._level() + outcomes.mean(axis=0)
        k = outcomes.shape[0]
        quantile = student.ppf(0.5 + coverage / 2, k - 1)
        half = quantile * outcomes.std(axis=0, ddof=1) * np.sqrt(1 + 1 / k)
        return mean - half, mean + half
