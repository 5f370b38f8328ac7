"""Many series: fit one clone of a forecaster per series of a long DataFrame, in parallel.

The work is handed to joblib, so the same call runs on local processes or, inside
``joblib.parallel_config(backend="dask")``, on a Dask cluster. A series whose model fails
is reported in the ``error`` column, never dropped or silently replaced.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import clone

from tsclassic._index import as_time_index

__all__ = ["forecast_many"]


def _check_long_frame(df: Any, columns: list[str], name: str) -> None:
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{name} must be a long pd.DataFrame with columns {columns}; got {type(df).__name__}.")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(
            f"{name} lacks the column(s) {missing}; it has {list(df.columns)}. Rename them or pass "
            f"id_col=..., time_col=..., target_col=...."
        )
    if len(df) == 0:
        raise ValueError(f"{name} is empty; pass at least one series.")


def _forecast_one(
    forecaster: Any, uid: Any, y: pd.Series, X_past: pd.DataFrame | None,
    X_future: pd.DataFrame | None, h: int, coverage: float | None,
) -> tuple[Any, pd.DataFrame | None, str | None]:
    try:
        model = clone(forecaster)
        model.fit(y, X_past) if X_past is not None else model.fit(y)
        mean = model.predict(h, X_future) if X_future is not None else model.predict(h)
        out = pd.DataFrame({"ds": mean.index, "yhat": mean.to_numpy()})
        if coverage is not None:
            bounds = (model.predict_interval(h, X_future, coverage=coverage)
                      if X_future is not None else model.predict_interval(h, coverage=coverage))
            out["lo"] = bounds["lo"].to_numpy()
            out["hi"] = bounds["hi"].to_numpy()
        return uid, out, None
    except Exception as err:  # noqa: BLE001 - the failure is reported per series, not hidden
        return uid, None, f"{type(err).__name__}: {err}"


def forecast_many(
    forecaster: Any,
    df: pd.DataFrame,
    h: int,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    X: pd.DataFrame | None = None,
    n_jobs: int | None = None,
    coverage: float | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Forecast every series of a long DataFrame with its own clone of ``forecaster``.

    Parameters
    ----------
    forecaster : BaseForecaster
        An unfitted forecaster; it is cloned for each series.
    df : pd.DataFrame
        Long format: one row per (series, time), columns ``id_col``, ``time_col``,
        ``target_col``. The time column holds timestamps (a regular frequency is inferred
        per series) or integer steps.
    h : int
        Steps ahead.
    id_col, time_col, target_col : str
        Column names (the statsforecast convention by default).
    X : pd.DataFrame, optional
        Exogenous regressors in long format (``id_col``, ``time_col`` and one column per
        regressor), covering every training time and the ``h`` future times of each series.
    n_jobs : int, optional
        Parallel jobs (joblib; ``-1`` for all cores). Inside
        ``joblib.parallel_config(backend="dask")`` the series run on the Dask cluster.
    coverage : float, optional
        When given, add the prediction interval columns ``lo`` and ``hi``.
    progress : bool, default True
        Show a tqdm progress bar.

    Returns
    -------
    pd.DataFrame
        Columns ``unique_id, ds, yhat`` (named after ``id_col``, ``time_col``), ``lo``/``hi``
        with ``coverage``, and ``error``: ``None`` for a series that succeeded, else the
        exception's type and message, with ``h`` rows of NaN forecasts.

    Examples
    --------
    >>> import pandas as pd
    >>> from tsclassic import Naive, forecast_many
    >>> df = pd.DataFrame({"unique_id": ["a"] * 3 + ["b"] * 3, "ds": [1, 2, 3] * 2,
    ...                    "y": [1.0, 2, 3, 10, 20, 30]})
    >>> forecast_many(Naive(), df, h=2, progress=False)[["unique_id", "ds", "yhat"]]
      unique_id  ds  yhat
    0         a   4   3.0
    1         a   5   3.0
    2         b   4  30.0
    3         b   5  30.0
    """
    from tqdm.auto import tqdm

    from tsclassic._validation import check_coverage, check_h
    from tsclassic.base import get_tags

    h = check_h(h)
    _check_long_frame(df, [id_col, time_col, target_col], "df")
    if coverage is not None:
        coverage = check_coverage(coverage)
        if not get_tags(forecaster).intervals:
            raise ValueError(
                f"coverage was given but {type(forecaster).__name__} has no prediction "
                f"intervals; drop coverage or use a forecaster with intervals=True."
            )
    exog_cols: list[str] = []
    if X is not None:
        _check_long_frame(X, [id_col, time_col], "X")
        exog_cols = [c for c in X.columns if c not in (id_col, time_col)]
        X_groups = {uid: g.sort_values(time_col) for uid, g in X.groupby(id_col, sort=False)}

    tasks = []
    for uid, group in df.groupby(id_col, sort=False):
        group = group.sort_values(time_col, kind="stable")
        y = pd.Series(group[target_col].to_numpy(), index=as_time_index(group[time_col].to_numpy()),
                      name=target_col)
        X_past = X_future = None
        if X is not None:
            rows = X_groups.get(uid)
            if rows is None:
                X_past = X_future = pd.DataFrame(columns=exog_cols)  # fails in fit, reported
            else:
                past = rows[time_col].isin(group[time_col])
                X_past = rows.loc[past, exog_cols].set_axis(y.index)
                X_future = rows.loc[~past & (rows[time_col] > group[time_col].max()), exog_cols]
                X_future = X_future.reset_index(drop=True)
        tasks.append(delayed(_forecast_one)(forecaster, uid, y, X_past, X_future, h, coverage))

    results = Parallel(n_jobs=n_jobs, return_as="generator")(tasks)
    frames = []
    for uid, out, error in tqdm(results, total=len(tasks), disable=not progress,
                                desc=f"forecast_many {type(forecaster).__name__}"):
        if out is None:
            out = pd.DataFrame({"ds": [np.nan] * h, "yhat": np.full(h, np.nan)})
            if coverage is not None:
                out["lo"] = out["hi"] = np.nan
        out.insert(0, id_col, uid)
        out["error"] = error
        frames.append(out)
    result = pd.concat(frames, ignore_index=True).rename(columns={"ds": time_col})
    return result
