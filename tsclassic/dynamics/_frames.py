"""Multivariate trajectories at the edge: a DataFrame (or array) in, times and values out.

The dynamics estimators work on several states at once, which the univariate
``check_series`` does not cover. This module turns the caller's data into a float copy of
the values, the observation times (the model's clock) and what is needed to continue the
time index in ``predict``. Index continuation itself is delegated to ``tsclassic._index``;
only a float time index (e.g. ``t = 0.002 * k``), which ``_index`` does not know, is
continued here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from tsclassic._index import IndexInfo, check_regular_index, continue_index, index_info
from tsclassic._validation import check_exog

# Relative tolerance under which float time steps count as equal (rounding of t = k*dt).
_STEP_RTOL = 1e-6


@dataclass(frozen=True)
class Trajectory:
    """A validated trajectory.

    Attributes
    ----------
    values : ndarray of shape (n_obs, n_columns)
    times : ndarray of shape (n_obs,)
        Strictly increasing model times (index values; days since the first
        observation for a DatetimeIndex; periods for a PeriodIndex).
    columns : list
        Column labels (``None`` entries for NumPy input).
    kind : {"numpy", "pandas"}
    info : IndexInfo or None
        For a regular integer, datetime or period index: how ``_index`` continues it.
    step : float or None
        The regular time step in model units, ``None`` when the times are irregular.
    origin : object
        The first index label (a Timestamp or Period for date-like indexes), the zero of
        the model clock for date-like indexes.
    index : pd.Index or None
        The input's index (pandas input), for in-sample outputs such as residuals.
    """

    values: np.ndarray
    times: np.ndarray
    columns: list
    kind: str
    info: IndexInfo | None
    step: float | None
    origin: Any = None
    index_name: Any = None
    index: pd.Index | None = None


def _times_since(index: pd.Index, origin: Any) -> np.ndarray:
    """Model time of date-like labels: periods (PeriodIndex) or days (DatetimeIndex)."""
    if isinstance(index, pd.PeriodIndex):
        return np.asarray(index.asi8 - origin.ordinal, dtype=np.float64)
    return np.asarray((index - origin) / pd.Timedelta(days=1), dtype=np.float64)


def _regular_step(times: np.ndarray) -> float | None:
    if len(times) < 2:
        return None
    steps = np.diff(times)
    if np.allclose(steps, steps[0], rtol=_STEP_RTOL, atol=0.0):
        return float(steps[0])
    return None


def _check_increasing(times: np.ndarray, labels: Any, name: str) -> None:
    if not np.all(np.isfinite(times)):
        raise ValueError(f"the time of {name} contains NaN or infinite values; pass finite times.")
    bad = np.flatnonzero(np.diff(times) <= 0)
    if bad.size:
        i = int(bad[0]) + 1
        raise ValueError(
            f"the time of {name} is not strictly increasing (at position {i}: "
            f"{labels[i - 1]!r} then {labels[i]!r}); sort it (e.g. {name}.sort_index()) and "
            f"drop duplicated time points."
        )


def check_trajectory(
    y: Any, t: Any = None, name: str = "y", owner: str = "this estimator"
) -> Trajectory:
    """Validate a multivariate trajectory.

    Parameters
    ----------
    y : pd.DataFrame, pd.Series, or array-like of shape (n_obs,) or (n_obs, n_columns)
        One column per observed state. A pandas index is the time: integers or floats as
        they are, a DatetimeIndex in days since the first row, a PeriodIndex in periods.
    t : float or array-like of shape (n_obs,), optional
        NumPy input only: the time step (a number) or the observation times. Default: the
        row number.
    """
    if isinstance(y, pd.Series):
        y = y.to_frame()
    if isinstance(y, (str, bytes)) or y is None or np.isscalar(y):
        raise TypeError(f"{name} must be a DataFrame or a 2-D array; got {type(y).__name__}.")
    if isinstance(y, pd.DataFrame):
        if t is not None:
            raise ValueError(
                f"t was given but {name} is a DataFrame whose index is its time; drop t, or "
                f"set the times as the index (e.g. {name}.set_index(times))."
            )
        values, _ = check_exog(y, None, name, owner=owner)
        if values.shape[0] == 0 or values.shape[1] == 0:
            raise ValueError(f"{name} is empty (shape {values.shape}); pass observations.")
        return _pandas_trajectory(y, values, name)
    arr = np.asarray(y) if not isinstance(y, np.ndarray) else y
    if arr.ndim not in (1, 2):
        raise ValueError(
            f"{name} must be 2-D (time points, states); got an array of shape {arr.shape}."
        )
    values, _ = check_exog(arr, None, name, owner=owner)
    n = values.shape[0]
    if n == 0 or values.shape[1] == 0:
        raise ValueError(f"{name} is empty (shape {values.shape}); pass observations.")
    if t is None:
        times = np.arange(n, dtype=np.float64)
    elif np.ndim(t) == 0:
        dt = float(t)
        if not np.isfinite(dt) or dt <= 0:
            raise ValueError(f"t, the time step, must be a positive number; got {t!r}.")
        times = np.arange(n, dtype=np.float64) * dt
    else:
        times = np.array(t, dtype=np.float64).ravel()
        if times.shape[0] != n:
            raise ValueError(f"t has {times.shape[0]} times but {name} has {n} rows.")
        _check_increasing(times, times, "t")
    return Trajectory(values, times, [None] * values.shape[1], "numpy", None, _regular_step(times))


def _pandas_trajectory(y: pd.DataFrame, values: np.ndarray, name: str) -> Trajectory:
    index = y.index
    columns = list(y.columns)
    if isinstance(index, (pd.DatetimeIndex, pd.PeriodIndex)):
        if len(index) > 1 and (index.has_duplicates or not index.is_monotonic_increasing):
            _check_increasing(np.asarray(index.asi8, dtype=np.float64), index, name)
        origin = index[0]
        times = _times_since(index, origin)
    elif pd.api.types.is_numeric_dtype(index.dtype) and not pd.api.types.is_bool_dtype(index):
        times = np.asarray(index, dtype=np.float64)
        origin = None
    else:
        raise TypeError(
            f"{name} has an index of dtype {index.dtype}; the dynamics models need a numeric "
            f"time index (integers or floats) or a DatetimeIndex/PeriodIndex."
        )
    _check_increasing(times, index, name)
    info = None
    if pd.api.types.is_integer_dtype(index.dtype) or isinstance(
        index, (pd.DatetimeIndex, pd.PeriodIndex)
    ):
        try:
            check_regular_index(index, name)
            info = index_info(y, name)
        except ValueError:
            info = None  # irregular: fit works, predict(h) asks for simulate(t)
    step = _regular_step(times)
    if isinstance(index, pd.DatetimeIndex) and info is None:
        step = None
    return Trajectory(values, times, columns, "pandas", info, step, origin, index.name, index)


def future_times(traj: Trajectory, h: int, owner: str) -> tuple[np.ndarray, pd.Index | None]:
    """Model times of the ``h`` steps after the trajectory, and their index (pandas)."""
    if traj.step is None:
        raise ValueError(
            f"{owner} was fitted on irregularly spaced times, so predict(h) has no step to "
            f"continue; call simulate(t) with the times you want instead."
        )
    if traj.info is not None:
        index = continue_index(traj.info, h)
        if isinstance(index, (pd.DatetimeIndex, pd.PeriodIndex)):
            times = _times_since(index, traj.origin)
        else:
            times = np.asarray(index, dtype=np.float64)
        return times, index
    # A float (or single-row) time axis: continue it at its own step.
    last = traj.times[-1]
    times = last + traj.step * np.arange(1, h + 1)
    if traj.kind == "numpy":
        return times, None
    return times, pd.Index(times, name=traj.index_name)


def model_times(traj: Trajectory, t: Any, name: str = "t") -> tuple[np.ndarray, Any]:
    """Convert times given to ``simulate`` into model times; return them and the index."""
    if isinstance(t, (pd.DatetimeIndex, pd.PeriodIndex)):
        if not isinstance(traj.origin, (pd.Timestamp, pd.Period)):
            raise TypeError(
                f"{name} is a {type(t).__name__} but the model was fitted on numeric times; "
                f"pass numbers on the model's time axis."
            )
        times = _times_since(t, traj.origin)
        index = t
    else:
        times = np.array(t, dtype=np.float64, ndmin=1)
        if times.ndim != 1 or times.size == 0:
            raise ValueError(f"{name} must be a non-empty 1-D array of times.")
        index = pd.Index(times, name=traj.index_name) if traj.kind == "pandas" else None
    _check_increasing(times, np.asarray(times), name)
    return times, index


def wrap(values: np.ndarray, index: pd.Index | None, columns: list) -> np.ndarray | pd.DataFrame:
    """NumPy out for NumPy in; a DataFrame with the given index and columns otherwise."""
    if index is None:
        return values
    return pd.DataFrame(values, index=index, columns=columns)
