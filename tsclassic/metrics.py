"""Forecast, classification and language-model metrics, with the M4 definitions.

References
----------
Makridakis, Spiliotis & Assimakopoulos (2020), "The M4 Competition", IJF 36(1):
sMAPE, MASE (scaled by the in-sample seasonal naive error with period m) and OWA.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tsclassic._params import renamed_params

__all__ = [
    "mse", "rmse", "mae", "smape", "mase", "owa", "accuracy", "log_loss", "perplexity", "msis",
    "coverage",
]


def _pair(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(y_true, dtype=np.float64).ravel()
    b = np.asarray(y_pred, dtype=np.float64).ravel()
    if a.shape != b.shape:
        raise ValueError(
            f"y_true and y_pred must have the same length; got {a.size} and {b.size}."
        )
    if a.size == 0:
        raise ValueError("y_true is empty; pass at least one value.")
    if np.isnan(a).any() or np.isnan(b).any():
        raise ValueError("y_true or y_pred contains NaN; metrics need complete values.")
    return a, b


def mse(y_true: Any, y_pred: Any) -> float:
    """Mean squared error.

    Examples
    --------
    >>> mse([1.0, 2.0], [1.0, 4.0])
    2.0
    """
    a, b = _pair(y_true, y_pred)
    return float(np.mean((a - b) ** 2))


def rmse(y_true: Any, y_pred: Any) -> float:
    """Root mean squared error."""
    return float(np.sqrt(mse(y_true, y_pred)))


def mae(y_true: Any, y_pred: Any) -> float:
    """Mean absolute error."""
    a, b = _pair(y_true, y_pred)
    return float(np.mean(np.abs(a - b)))


def smape(y_true: Any, y_pred: Any) -> float:
    """Symmetric MAPE in percent, the M4 definition: ``200/h * sum |y-f| / (|y|+|f|)``.

    Examples
    --------
    >>> round(smape([100.0], [110.0]), 4)
    9.5238
    """
    a, b = _pair(y_true, y_pred)
    denom = np.abs(a) + np.abs(b)
    ratio = np.divide(np.abs(a - b), denom, out=np.zeros_like(a), where=denom > 0)
    return float(200.0 * np.mean(ratio))


@renamed_params(positional=("season_length",))
def mase(y_true: Any, y_pred: Any, y_train: Any, *, season_length: int = 1) -> float:
    """Mean absolute scaled error, the M4 definition.

    The forecast's MAE divided by the in-sample MAE of the seasonal naive forecast with
    period ``season_length`` (m).

    Examples
    --------
    >>> mase([3.0, 4.0], [3.0, 5.0], y_train=[1.0, 2.0, 3.0])
    0.5
    """
    a, b = _pair(y_true, y_pred)
    train = np.asarray(y_train, dtype=np.float64).ravel()
    m = int(season_length)
    if train.size <= m:
        raise ValueError(
            f"y_train has {train.size} values; MASE with season_length={m} needs more than {m}."
        )
    return float(np.mean(np.abs(a - b)) / _naive_scale(train, m, "MASE"))


def _seasonal_naive_mae(y: np.ndarray, lag: int) -> float:
    """The in-sample MAE of the naive forecast ``lag`` steps back (the seasonal naive's
    for ``lag = m``): the M4 scale of MASE and MSIS. ``y`` must be longer than ``lag``."""
    return float(np.mean(np.abs(y[lag:] - y[:-lag])))


def _naive_scale(train: np.ndarray, m: int, metric: str) -> float:
    """The M4 scale of MASE and MSIS, refused where it is zero."""
    scale = _seasonal_naive_mae(train, m)
    if scale == 0:
        raise ValueError(
            f"y_train's seasonal naive error is zero (a constant or perfectly periodic "
            f"series); {metric} is undefined: use an unscaled metric instead."
        )
    return scale


def owa(smape_model: float, mase_model: float, smape_naive2: float, mase_naive2: float) -> float:
    """Overall weighted average of the M4: the mean of sMAPE and MASE relative to Naive2.

    Pass subset-level averages (e.g. the mean sMAPE over all Hourly series).

    Examples
    --------
    >>> owa(13.912, 1.193, 18.383, 2.395)  # seasonal naive on M4 Hourly
    0.627...
    """
    return float(0.5 * (smape_model / smape_naive2 + mase_model / mase_naive2))


def _interval(y_true: Any, lower: Any, upper: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    a, lo = _pair(y_true, lower)
    _, hi = _pair(y_true, upper)
    if np.any(lo > hi):
        raise ValueError("lower is above upper somewhere; pass the bounds as (lower, upper).")
    return a, lo, hi


@renamed_params(positional=("season_length", "alpha"))
def msis(
    y_true: Any, lower: Any, upper: Any, y_train: Any, *, season_length: int = 1,
    alpha: float = 0.05,
) -> float:
    """Mean scaled interval score, the M4 definition for a ``1 - alpha`` interval.

    ``mean(hi - lo + 2/alpha * (lo - y) [y < lo] + 2/alpha * (y - hi) [y > hi])``, divided
    by the in-sample MAE of the seasonal naive forecast with period ``season_length``
    (as for :func:`mase`). Lower is better: a narrow interval that still holds the values.

    References
    ----------
    Gneiting & Raftery (2007), "Strictly proper scoring rules, prediction, and
    estimation", JASA 102(477):359-378 (the interval score); Makridakis, Spiliotis &
    Assimakopoulos (2020), "The M4 Competition", IJF 36(1), section 3.2 (scaled, alpha
    0.05).

    Examples
    --------
    >>> msis([3.0, 6.0], [2.0, 4.0], [4.0, 5.0], y_train=[1.0, 2.0, 3.0])  # 2 + (1 + 40) / 2
    21.5
    """
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1) (0.05 for a 95% interval); got {alpha!r}.")
    a, lo, hi = _interval(y_true, lower, upper)
    train = np.asarray(y_train, dtype=np.float64).ravel()
    m = int(season_length)
    if train.size <= m:
        raise ValueError(
            f"y_train has {train.size} values; MSIS with season_length={m} needs more than {m}."
        )
    penalty = (2.0 / alpha) * (np.maximum(lo - a, 0.0) + np.maximum(a - hi, 0.0))
    return float(np.mean(hi - lo + penalty) / _naive_scale(train, m, "MSIS"))


def coverage(y_true: Any, lower: Any, upper: Any) -> float:
    """Fraction of the values inside their interval ``[lower, upper]`` (bounds included).

    Examples
    --------
    >>> coverage([1.0, 5.0, 3.0, 9.0], [0.0, 0.0, 3.0, 0.0], [2.0, 4.0, 4.0, 8.0])
    0.5
    """
    a, lo, hi = _interval(y_true, lower, upper)
    return float(np.mean((a >= lo) & (a <= hi)))


def accuracy(y_true: Any, y_pred: Any) -> float:
    """Fraction of labels predicted exactly."""
    a = np.asarray(y_true).ravel()
    b = np.asarray(y_pred).ravel()
    if a.shape != b.shape or a.size == 0:
        raise ValueError("y_true and y_pred must be non-empty and of the same length.")
    return float(np.mean(a == b))


@renamed_params(positional=("eps",))
def log_loss(y_true: Any, proba: Any, classes: Any, *, eps: float = 1e-15) -> float:
    """Cross-entropy (natural log) of predicted class probabilities.

    Parameters
    ----------
    y_true : array-like of shape (n,)
    proba : array-like of shape (n, n_classes)
        Rows are clipped to ``[eps, 1]`` and renormalised.
    classes : array-like of shape (n_classes,)
        The label of each column of ``proba`` (``estimator.classes_``).
    """
    labels = np.asarray(y_true).ravel()
    p = np.asarray(proba, dtype=np.float64)
    classes = np.asarray(classes)
    if p.ndim != 2 or p.shape != (labels.size, classes.size):
        raise ValueError(
            f"proba must have shape (n_samples, n_classes) = ({labels.size}, {classes.size}); "
            f"got {p.shape}."
        )
    lookup = {c: i for i, c in enumerate(classes.tolist())}
    unknown = [v for v in labels.tolist() if v not in lookup]
    if unknown:
        raise ValueError(f"y_true has labels not in classes: {sorted(set(unknown))[:5]}.")
    p = np.clip(p, eps, 1.0)
    p = p / p.sum(axis=1, keepdims=True)
    idx = np.array([lookup[v] for v in labels.tolist()])
    return float(-np.mean(np.log(p[np.arange(labels.size), idx])))


def perplexity(total_log_likelihood: float, n_tokens: int) -> float:
    """Perplexity ``exp(-log-likelihood / n_tokens)`` from a natural-log total.

    Examples
    --------
    >>> round(perplexity(-2 * np.log(4.0), 2), 6)
    4.0
    """
    if n_tokens <= 0:
        raise ValueError(f"n_tokens must be positive; got {n_tokens}.")
    return float(np.exp(-total_log_likelihood / n_tokens))
