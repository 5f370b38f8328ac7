"""Temporal model selection: window splitters, a train/test split that respects time,
and ``evaluate`` to score a forecaster over rolling origins."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from tsclassic._params import renamed_params
from tsclassic._validation import check_positive_int

__all__ = [
    "ExpandingWindowSplitter",
    "SlidingWindowSplitter",
    "temporal_train_test_split",
    "evaluate",
]


class _WindowSplitter:
    """Rolling-origin splits: each fold trains on a window and tests on the next ``h``."""

    expanding: bool = True

    def __init__(self, h: int = 1, window_length: int = 10, step: int = 1):
        self.h = h
        self.window_length = window_length
        self.step = step

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(h={self.h}, window_length={self.window_length}, "
                f"step={self.step})")

    def _origins(self, n: int) -> range:
        h = check_positive_int(self.h, "h")
        window = check_positive_int(self.window_length, "window_length")
        step = check_positive_int(self.step, "step")
        if window + h > n:
            raise ValueError(
                f"y has {n} observations but window_length={window} plus h={h} needs "
                f"{window + h}; shorten the window or the horizon."
            )
        return range(window, n - h + 1, step)

    def split(self, y: Any) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield ``(train_positions, test_positions)`` for each fold, oldest first."""
        n = len(y)
        for origin in self._origins(n):
            start = 0 if self.expanding else origin - self.window_length
            yield np.arange(start, origin), np.arange(origin, origin + self.h)

    def get_n_splits(self, y: Any) -> int:
        """The number of folds on ``y``."""
        return len(self._origins(len(y)))


class ExpandingWindowSplitter(_WindowSplitter):
    """Folds whose training window grows from ``window_length`` observations.

    Parameters
    ----------
    h : int, default 1
        Test horizon of each fold.
    window_length : int, default 10
        Training size of the first fold.
    step : int, default 1
        Observations the origin moves between folds.

    Examples
    --------
    >>> import numpy as np
    >>> cv = ExpandingWindowSplitter(h=2, window_length=3, step=2)
    >>> [(tr.tolist(), te.tolist()) for tr, te in cv.split(np.arange(7))]
    [([0, 1, 2], [3, 4]), ([0, 1, 2, 3, 4], [5, 6])]
    """

    expanding = True


class SlidingWindowSplitter(_WindowSplitter):
    """Folds whose training window has a fixed ``window_length`` and slides forward.

    Examples
    --------
    >>> import numpy as np
    >>> cv = SlidingWindowSplitter(h=1, window_length=3, step=2)
    >>> [(tr.tolist(), te.tolist()) for tr, te in cv.split(np.arange(6))]
    [([0, 1, 2], [3]), ([2, 3, 4], [5])]
    """

    expanding = False


@renamed_params(positional=("test_size", "X"))
def temporal_train_test_split(
    y: Any, *, test_size: int | float = 0.25, X: Any = None
) -> tuple[Any, ...]:
    """Split a series (and its regressors) into a past and a future part, without shuffling.

    Parameters
    ----------
    y : pd.Series or array-like
    test_size : int or float, default 0.25
        Number of test observations, or a fraction of the series.
    X : pd.DataFrame or array-like, optional
        Regressors, split at the same point.

    Returns
    -------
    y_train, y_test (, X_train, X_test)

    Examples
    --------
    >>> from tsclassic.datasets import load_airline
    >>> y_train, y_test = temporal_train_test_split(load_airline(), test_size=12)
    >>> str(y_test.index[0])
    '1960-01'
    """
    n = len(y)
    if isinstance(test_size, float) and not isinstance(test_size, bool):
        if not 0 < test_size < 1:
            raise ValueError(f"test_size as a fraction must be in (0, 1); got {test_size}.")
        n_test = int(np.ceil(test_size * n))
    else:
        n_test = check_positive_int(test_size, "test_size")
    if n_test >= n:
        raise ValueError(f"test_size={test_size} leaves no training data in y of length {n}.")

    def cut(data: Any) -> tuple[Any, Any]:
        if isinstance(data, (pd.Series, pd.DataFrame)):
            return data.iloc[: n - n_test], data.iloc[n - n_test :]
        arr = np.asarray(data)
        return arr[: n - n_test], arr[n - n_test :]

    parts = cut(y)
    if X is not None:
        if len(X) != n:
            raise ValueError(f"X has {len(X)} rows but y has {n}; pass one row per observation.")
        parts = parts + cut(X)
    return parts


def _metric(name_or_fn: str | Callable, season_length: int) -> tuple[str, Callable]:
    from tsclassic import metrics

    if callable(name_or_fn):
        return name_or_fn.__name__, lambda yt, yp, ytr: name_or_fn(yt, yp)
    known = {"mse", "rmse", "mae", "smape", "mase"}
    if name_or_fn not in known:
        raise ValueError(f"unknown metric {name_or_fn!r}; known: {sorted(known)} or a callable.")
    if name_or_fn == "mase":
        return "mase", lambda yt, yp, ytr: metrics.mase(yt, yp, ytr, season_length=season_length)
    fn = getattr(metrics, name_or_fn)
    return name_or_fn, lambda yt, yp, ytr: fn(yt, yp)


@renamed_params(positional=("metrics", "X", "season_length"))
def evaluate(
    forecaster: Any,
    y: Any,
    cv: _WindowSplitter,
    *,
    metrics: Sequence[str | Callable] = ("mae", "smape"),
    X: Any = None,
    season_length: int = 1,
) -> pd.DataFrame:
    """Score a forecaster over the folds of a temporal splitter.

    Parameters
    ----------
    forecaster : BaseForecaster
        Cloned and refitted on each fold.
    y : pd.Series or array-like
    cv : ExpandingWindowSplitter or SlidingWindowSplitter
    metrics : sequence of str or callable, default ("mae", "smape")
        Names from :mod:`tsclassic.metrics` (``mse``, ``rmse``, ``mae``, ``smape``,
        ``mase``) or callables ``f(y_true, y_pred)``.
    X : pd.DataFrame or array-like, optional
        Regressors, one row per observation of ``y``.
    season_length : int, default 1
        The period used by MASE.

    Returns
    -------
    pd.DataFrame
        One row per fold: ``fold``, ``cutoff`` (the last training label), ``n_train``,
        one column per metric, ``fit_time_s`` and ``predict_time_s``.

    Examples
    --------
    >>> from tsclassic import SeasonalNaive
    >>> from tsclassic.datasets import load_airline
    >>> cv = ExpandingWindowSplitter(h=12, window_length=96, step=12)
    >>> scores = evaluate(SeasonalNaive(season_length=12), load_airline(), cv, metrics=["mae"])
    >>> scores.shape
    (4, 6)
    """
    scorers = [_metric(m, season_length) for m in metrics]
    rows = []

    def take(data: Any, positions: np.ndarray) -> Any:
        if data is None:
            return None
        return data.iloc[positions] if isinstance(data, (pd.Series, pd.DataFrame)) else np.asarray(data)[positions]

    y_values = np.asarray(y, dtype=float)
    for fold, (train, test) in enumerate(cv.split(y)):
        model = clone(forecaster)
        y_train, X_train, X_test = take(y, train), take(X, train), take(X, test)
        start = time.perf_counter()
        model.fit(y_train, X_train) if X is not None else model.fit(y_train)
        fitted = time.perf_counter()
        pred = model.predict(len(test), X_test) if X is not None else model.predict(len(test))
        done = time.perf_counter()
        cutoff = y.index[train[-1]] if isinstance(y, pd.Series) else int(train[-1])
        row = {"fold": fold, "cutoff": cutoff, "n_train": len(train)}
        for name, fn in scorers:
            row[name] = fn(y_values[test], np.asarray(pred, dtype=float), y_values[train])
        row["fit_time_s"] = fitted - start
        row["predict_time_s"] = done - fitted
        rows.append(row)
    return pd.DataFrame(rows)
