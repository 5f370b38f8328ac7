"""Plotting helpers (matplotlib, imported only when a plot is drawn)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from tsclassic._params import renamed_params

__all__ = ["plot_series"]


def _x(values: Any) -> Any:
    index = values.index if isinstance(values, (pd.Series, pd.DataFrame)) else np.arange(len(values))
    return index.to_timestamp() if isinstance(index, pd.PeriodIndex) else index


@renamed_params(positional=("forecast", "interval", "ax", "title"))
def plot_series(
    y: Any, *, forecast: Any = None, interval: Any = None, ax: Any = None, title: str | None = None
) -> Any:
    """Plot a series, optionally with a forecast and its prediction interval.

    Parameters
    ----------
    y : pd.Series or array-like
        The observed series.
    forecast : pd.Series or array-like, optional
        A forecast, e.g. ``model.predict(h)``; a NumPy forecast is drawn after ``y``.
    interval : pd.DataFrame or array of shape (h, 2), optional
        ``model.predict_interval(h)``: the ``lo`` and ``hi`` columns are shaded.
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from tsclassic import Naive, plot_series
    >>> from tsclassic.datasets import load_airline
    >>> y = load_airline()
    >>> model = Naive().fit(y)
    >>> ax = plot_series(y, forecast=model.predict(12), interval=model.predict_interval(12))
    """
    try:
        import matplotlib.pyplot as plt
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError(
            "plot_series needs matplotlib: pip install 'tsclassic[plot]'."
        ) from err
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 3.5))
    ax.plot(_x(y), np.asarray(y, dtype=float), label=getattr(y, "name", None) or "y", color="C0")

    def future_x(values: Any) -> Any:
        if isinstance(values, (pd.Series, pd.DataFrame)):
            return _x(values)
        return np.arange(len(y), len(y) + len(values))

    if forecast is not None:
        ax.plot(future_x(forecast), np.asarray(forecast, dtype=float), label="forecast", color="C1")
    if interval is not None:
        bounds = interval.to_numpy() if isinstance(interval, pd.DataFrame) else np.asarray(interval)
        ax.fill_between(future_x(interval), bounds[:, 0], bounds[:, 1], color="C1", alpha=0.25,
                        label="interval")
    if title:
        ax.set_title(title)
    ax.legend(loc="upper left")
    return ax
