"""ReductionForecaster: forecasting reduced to regression on windows of the past."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from sklearn.base import clone

from tsclassic._params import POSITIVE_INT, HasMethods, StrOptions, renamed_params
from tsclassic.base import BaseForecaster, Tags

__all__ = ["ReductionForecaster"]


def _windows(y: np.ndarray, window_length: int) -> np.ndarray:
    """All windows ``y[t - w : t]`` for ``t = w .. n`` as rows (the last one has no target)."""
    return np.lib.stride_tricks.sliding_window_view(y, window_length)


@renamed_params(
    {"normalize": ("normalize", {True: "window", False: None})},
    positional=("window_length", "features", "strategy", "max_horizon", "normalize", "random_state")
)
class ReductionForecaster(BaseForecaster):
    """Forecast with any scikit-learn regressor on the last ``window_length`` values
    (and, optionally, features of that window).

    Parameters
    ----------
    estimator : regressor, optional
        The tabular model; default ``Ridge(alpha=1.0)``.
    window_length : int, default 12
        How many past values make one input row (the lags).
    features : str, transformer or list of them, optional
        Feature extractors applied to each window and appended to the lags (as in
        :class:`FeatureClassifier`: ``"timedomain"``, ``"spectral"``, ``"wavelet"`` or
        panel transformers). Default: the lags only.
    strategy : {"recursive", "direct"}, default "recursive"
        Recursive: one model of the next value, fed its own forecasts. Direct: one model
        per step ahead (up to ``max_horizon``), no feedback of errors.
    max_horizon : int, default 24
        The longest horizon of the direct strategy (one model per step).
    normalize : {"window"} or None, default "window"
        ``"window"`` models each window minus its last value (and the target likewise), so
        that a model fitted at one level applies at another (trees cannot extrapolate a
        trend otherwise); ``None`` models raw values (``True`` and ``False`` in tsclassic
        0.1).
    random_state : int, RandomState or None, default None
        Passed to the estimator when it has a ``random_state``.

    Attributes
    ----------
    estimators_ : list of regressors
        One (recursive) or ``max_horizon`` (direct) fitted models.
    transformers_ : list
        The fitted feature extractors (empty without ``features``).

    Examples
    --------
    >>> import numpy as np
    >>> from tsclassic.ml import ReductionForecaster
    >>> y = np.tile([1.0, 2.0, 3.0, 4.0], 10)
    >>> ReductionForecaster(window_length=4).fit(y).predict(4).round(1)
    array([1., 2., 3., 4.])
    """

    _tags: ClassVar[Tags] = Tags()

    _parameter_constraints: ClassVar[dict] = {
        "estimator": [HasMethods(["fit", "predict"]), None],
        "window_length": [POSITIVE_INT],
        "features": [str, HasMethods(["fit", "transform"]), list, tuple, None],
        "strategy": [StrOptions({"recursive", "direct"})],
        "max_horizon": [POSITIVE_INT],
        "normalize": [StrOptions({"window"}), None],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        estimator: Any = None,
        *,
        window_length: int = 12,
        features: Any = None,
        strategy: str = "recursive",
        max_horizon: int = 24,
        normalize: str | None = "window",
        random_state: Any = None,
    ):
        self.estimator = estimator
        self.window_length = window_length
        self.features = features
        self.strategy = strategy
        self.max_horizon = max_horizon
        self.normalize = normalize
        self.random_state = random_state

    def _min_length(self) -> tuple[int, str]:
        w = self.window_length
        if self.strategy == "direct":
            H = self.max_horizon
            return w + H + 1, (f"window_length={w} lags and max_horizon={H} steps, and two "
                               f"training rows per step")
        return w + 2, f"window_length={w} lags and at least two training rows"

    def _make_estimator(self) -> Any:
        if self.estimator is None:
            from sklearn.linear_model import Ridge

            est = Ridge(alpha=1.0)
        else:
            est = clone(self.estimator)
        if self.random_state is not None and "random_state" in est.get_params(deep=False):
            est.set_params(random_state=self.random_state)
        return est

    def _rows(self, windows: np.ndarray, fit: bool) -> np.ndarray:
        """Input rows from windows: (normalised) lags, then the window features."""
        lags = windows - windows[:, -1:] if self.normalize else windows
        if not self.transformers_:
            return lags
        from tsclassic.ml._features import _as_matrix

        blocks = [lags]
        for tr in self.transformers_:
            if fit:
                tr.fit(windows)
            blocks.append(_as_matrix(tr.transform(windows)))
        rows = np.hstack(blocks)
        return np.where(np.isfinite(rows), rows, 0.0)

    def _fit(self, y: np.ndarray, X: np.ndarray | None) -> None:
        from tsclassic.ml._features import make_features

        w = self.window_length
        self.transformers_ = [] if self.features is None else make_features(self.features)
        windows = _windows(y, w)[:-1]  # every window that has a next value
        base = windows[:, -1] if self.normalize else np.zeros(len(windows))
        rows = self._rows(windows, fit=True)
        steps = 1 if self.strategy == "recursive" else self.max_horizon
        self.estimators_ = []
        for s in range(1, steps + 1):
            n_rows = len(windows) - (s - 1)
            target = y[w + s - 1: w + s - 1 + n_rows] - base[:n_rows]
            self.estimators_.append(self._make_estimator().fit(rows[:n_rows], target))
        self._last_window = y[-w:].copy()

    def _predict(self, h: int, X: np.ndarray | None) -> np.ndarray:
        if self.strategy == "direct":
            if h > self.max_horizon:
                raise ValueError(f"h={h} exceeds max_horizon={self.max_horizon} of the direct "
                                 f"strategy; refit with a larger max_horizon or use "
                                 f"strategy='recursive'.")
            window = self._last_window[None, :]
            row = self._rows(window, fit=False)
            base = window[0, -1] if self.normalize else 0.0
            return np.array([est.predict(row)[0] + base for est in self.estimators_[:h]])
        window = self._last_window.copy()
        out = np.empty(h)
        for i in range(h):
            row = self._rows(window[None, :], fit=False)
            base = window[-1] if self.normalize else 0.0
            out[i] = self.estimators_[0].predict(row)[0] + base
            window = np.r_[window[1:], out[i]]
        return out

    @classmethod
    def _test_params(cls) -> list[dict[str, Any]]:
        from sklearn.ensemble import RandomForestRegressor

        return [
            {"window_length": 12},
            {"estimator": RandomForestRegressor(n_estimators=10), "window_length": 6,
             "strategy": "direct", "max_horizon": 6, "random_state": 0},
            {"window_length": 12, "features": "spectral", "normalize": None},
        ]
