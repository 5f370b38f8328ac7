"""Many series: fit one clone of a forecaster per series of a long DataFrame, in parallel.

The frame is grouped once (one sort on the series and the time), the future times of
every series are computed at once by the index module, and the series are handed to
joblib in batches of consecutive series, each a few NumPy arrays, so the same call runs on
local processes or, inside ``joblib.parallel_config(backend="dask")``, on a Dask cluster.
The models are fed NumPy (the contract's NumPy in, NumPy out); a series that fails is run
again from pandas so that its message names the time label, and is reported in the
``error`` column, never dropped or silently replaced.
"""

from __future__ import annotations

import json
import math
import os
import pickle
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from joblib import Parallel, delayed, effective_n_jobs
from sklearn.base import clone

from tsclassic._index import as_time_index, continue_many
from tsclassic._params import renamed_params

__all__ = ["forecast_many"]

# How a batch treats each series: fed NumPy; fed pandas (its index could not be continued,
# so that fit gives the message the user would get); not run (its error is known).
_NUMPY, _PANDAS, _SKIP = 0, 1, 2
_MAX_BATCH = 256  # series per task: ~10 ms of baselines, a bounded loss on Ctrl-C
_INTERRUPTED = "KeyboardInterrupt: interrupted"


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


@dataclass
class _Panel:
    """The series of a long frame, grouped once: series ``i`` is rows
    ``ends[i] - lengths[i]`` to ``ends[i]`` of the sorted ``y`` and ``times``."""

    ids: Any  # the distinct ids, in order of first appearance, in the column's dtype
    lengths: np.ndarray
    y: np.ndarray
    times: pd.Index
    errors: list[str | None]

    @property
    def ends(self) -> np.ndarray:
        return np.cumsum(self.lengths)


def _sort_key(times: pd.Index) -> np.ndarray:
    if times.dtype.kind in "iuM":
        return times.asi8 if times.dtype.kind == "M" else times.to_numpy()
    try:
        return pd.factorize(times, sort=True)[0]
    except TypeError:  # labels without an order: kept in file order; the index check says so
        return np.zeros(len(times), dtype=np.int64)


def _group(df: pd.DataFrame, id_col: str, time_col: str, target_col: str) -> _Panel:
    codes, ids = pd.factorize(df[id_col], sort=False)
    if (codes < 0).any():
        raise ValueError(
            f"df has {int((codes < 0).sum())} rows whose {id_col!r} is missing (NaN or None); "
            f"give them an id of their own or drop them, e.g. df.dropna(subset=[{id_col!r}])."
        )
    times = pd.Index(df[time_col])
    order = np.lexsort((_sort_key(times), codes))
    target = df[target_col]
    if pd.api.types.is_numeric_dtype(target.dtype):
        y = target.to_numpy(dtype=np.float64, na_value=np.nan)[order]
    else:  # the model's own check names the dtype
        y = target.to_numpy()[order]
    lengths = np.bincount(codes, minlength=len(ids))
    sorted_times = times[order]
    errors: list[str | None] = [None] * len(ids)
    missing = np.flatnonzero(np.add.reduceat(np.asarray(sorted_times.isna()), np.cumsum(lengths) - lengths))
    for i in missing:
        errors[i] = (f"ValueError: {time_col!r} is missing (NaT/NaN) in this series; fill or drop "
                     f"those rows first.")
    return _Panel(ids, lengths, y, sorted_times, errors)


def _split_exog(
    X: pd.DataFrame, panel: _Panel, future: Any, exog_cols: list[str], id_col: str,
    time_col: str, h: int,
) -> tuple[np.ndarray, np.ndarray, list[str | None]]:
    """Each series' regressors at its training times (rows aligned with ``panel.y``) and at
    its ``h`` future times; a series whose ``X`` does not cover them gets an error."""
    values = X[exog_cols]
    numeric = all(pd.api.types.is_numeric_dtype(t) for t in values.dtypes)
    values = values.to_numpy(dtype=np.float64, na_value=np.nan) if numeric else values.to_numpy()
    x_times = pd.Index(X[time_col])
    rows_of = pd.Series(np.arange(len(X))).groupby(
        pd.Index(panel.ids).get_indexer(X[id_col])).indices
    x_past = np.full((len(panel.y), len(exog_cols)), np.nan, dtype=values.dtype)
    x_future = np.full((len(panel.lengths), h, len(exog_cols)), np.nan, dtype=values.dtype)
    errors: list[str | None] = [None] * len(panel.lengths)
    for i, end in enumerate(panel.ends):
        start = end - panel.lengths[i]
        rows = rows_of.get(i)
        if rows is None:
            errors[i] = "ValueError: X has no rows for this series; give its regressors."
            continue
        try:
            pos, later, errors[i] = _match_exog(
                x_times[rows], panel.times[start:end], future[i * h:(i + 1) * h],
                panel.errors[i] is None, h)
        except TypeError:
            errors[i] = (f"TypeError: X's {time_col!r} ({x_times.dtype}) cannot be compared with "
                         f"df's ({panel.times.dtype}); give both the same type.")
        if errors[i] is not None:
            continue
        x_past[start:end] = values[rows[pos]]
        x_future[i] = values[rows[later]]
    return x_past, x_future, errors


def _match_exog(times: pd.Index, train: pd.Index, expected: Any, check_future: bool,
                h: int) -> tuple[np.ndarray, np.ndarray, str | None]:
    """Which of one series' ``X`` rows are its training times, in order, and which its
    ``h`` future times; or why they cannot be."""
    none = np.empty(0, dtype=np.int64)
    if not times.is_unique:
        return none, none, f"ValueError: X has two rows for this series at {times[times.duplicated()][0]}; keep one."
    pos = times.get_indexer(train)
    if (pos < 0).any():
        return none, none, (
            f"ValueError: X lacks {int((pos < 0).sum())} of this series' {len(train)} training "
            f"times (first: {train[pos < 0][0]}); X must have a row for every training time and "
            f"the h={h} future ones.")
    later = np.flatnonzero(times > train[-1])
    later = later[np.argsort(_sort_key(times[later]), kind="stable")][:h]
    if len(later) < h:
        return none, none, (f"ValueError: X has {len(later)} rows after this series' last time "
                            f"{train[-1]}; forecasting h={h} steps needs {h}.")
    if check_future and not pd.isna(expected).any():
        got = times[later]
        if not np.asarray(got == pd.Index(expected)).all():
            return none, none, (
                f"ValueError: X's future times for this series ({got[0]}, ...) are not the "
                f"h={h} times after its training data ({expected[0]}, ...).")
    return pos, later, None


def _fresh_models(forecaster: Any):
    """Unfitted copies of ``forecaster``, each as ``clone`` makes it: one clone, then a
    pickle copy of it per series (a tenth of the time of ``clone``'s signature
    inspection); models that cannot be pickled are cloned each time."""
    template = clone(forecaster)
    try:
        frozen = pickle.dumps(template, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - e.g. a lambda among the parameters
        return lambda: clone(template)
    return lambda: pickle.loads(frozen)


def _fit_predict(new_model: Any, y: Any, X_past: Any, X_future: Any, h: int,
                 coverage: float | None) -> tuple[np.ndarray, np.ndarray | None]:
    model = new_model()
    model.fit(y) if X_past is None else model.fit(y, X_past)
    mean = model.predict(h) if X_future is None else model.predict(h, X_future)
    bounds = None
    if coverage is not None:
        bounds = (model.predict_interval(h, coverage=coverage) if X_future is None
                  else model.predict_interval(h, X_future, coverage=coverage))
        bounds = np.asarray(bounds, dtype=np.float64)
    return np.asarray(mean, dtype=np.float64), bounds


def _warning_text(caught: list[warnings.WarningMessage]) -> str | None:
    texts = dict.fromkeys(f"{w.category.__name__}: {w.message}" for w in caught)
    return "; ".join(texts) if texts else None


def _forecast_series(new_model: Any, batch: dict, j: int, h: int,
                     coverage: float | None) -> tuple[np.ndarray, np.ndarray | None]:
    """Series ``j`` of a batch from NumPy; from pandas when that fails (so that the message
    is the one fit gives, naming the time label) or its index could not be continued."""
    rows = slice(batch["offsets"][j], batch["offsets"][j + 1])
    y, x_past, x_future = batch["y"][rows], batch["x_past"], batch["x_future"]
    if batch["modes"][j] == _NUMPY:
        try:
            return _fit_predict(new_model, y, None if x_past is None else x_past[rows],
                                None if x_future is None else x_future[j], h, coverage)
        except Exception:  # noqa: BLE001 - rerun from pandas below, for the user's message
            pass
    index, cols = as_time_index(batch["times"][rows]), batch["exog_cols"]
    return _fit_predict(
        new_model, pd.Series(y, index=index, name=batch["target_col"]),
        None if x_past is None else pd.DataFrame(x_past[rows], index=index, columns=cols),
        None if x_future is None else pd.DataFrame(x_future[j], columns=cols), h, coverage)


def _forecast_batch(forecaster: Any, batch: dict, h: int, coverage: float | None) -> dict:
    """Forecast consecutive series (one task); stop at a KeyboardInterrupt and return what
    finished, saying how many."""
    modes = batch["modes"]
    n = len(modes)
    yhat = np.full((n, h), np.nan)
    bounds = np.full((n, h, 2), np.nan) if coverage is not None else None
    errors: list[str | None] = list(batch["errors"])
    warned: list[str | None] = [None] * n
    done, interrupted = 0, False
    new_model = _fresh_models(forecaster)
    for j in range(n):
        if modes[j] != _SKIP:
            with warnings.catch_warnings(record=True) as caught:
                try:
                    mean, interval = _forecast_series(new_model, batch, j, h, coverage)
                except KeyboardInterrupt:
                    errors[j], interrupted = f"{_INTERRUPTED} while forecasting this series", True
                except Exception as err:  # noqa: BLE001 - the failure is reported per series
                    errors[j] = f"{type(err).__name__}: {err}"
                else:
                    if modes[j] == _NUMPY:  # else the index error stands
                        yhat[j] = mean
                        if bounds is not None:
                            bounds[j] = interval
            warned[j] = _warning_text(caught)
        if interrupted:
            break
        done += 1
    return {"first": batch["first"], "done": done, "interrupted": interrupted, "yhat": yhat,
            "bounds": bounds, "errors": errors, "warnings": warned}


class _Store:
    """Finished series of a call, kept in a folder so that a rerun skips them: a
    ``call.json`` saying which call, and one pickled part per finished batch."""

    def __init__(self, path: str | os.PathLike, call: dict):
        self.path = Path(path)
        if self.path.exists() and not self.path.is_dir():
            raise ValueError(f"out={str(path)!r} is a file; pass a folder (it is created if missing).")
        self.path.mkdir(parents=True, exist_ok=True)
        manifest = self.path / "call.json"
        if manifest.exists():
            saved = json.loads(manifest.read_text())
            if saved != call:
                changed = sorted(k for k in call if saved.get(k) != call[k])
                raise ValueError(
                    f"out={str(path)!r} holds the forecasts of another call (it differs in "
                    f"{changed}); pass a new folder, or delete this one to start again."
                )
        else:
            manifest.write_text(json.dumps(call, indent=1))

    def load(self) -> list[dict]:
        parts = []
        for file in sorted(self.path.glob("part-*.pkl")):
            with open(file, "rb") as stream:
                parts.append(pickle.load(stream))
        return parts

    def save(self, part: dict) -> None:
        file = self.path / f"part-{uuid.uuid4().hex}.pkl"
        tmp = file.with_suffix(".tmp")
        with open(tmp, "wb") as stream:
            pickle.dump(part, stream, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, file)


def _call_signature(forecaster: Any, h: int, coverage: float | None, columns: list[str]) -> dict:
    params = {k: repr(v) for k, v in sorted(forecaster.get_params(deep=False).items())}
    return {"forecaster": f"{type(forecaster).__module__}.{type(forecaster).__qualname__}",
            "params": params, "h": h, "coverage": coverage, "columns": columns}


def _batches(todo: np.ndarray, ends: np.ndarray, lengths: np.ndarray, size: int):
    """Runs of at most ``size`` consecutive series to do: (first, last + 1, first row, end row)."""
    if not len(todo):
        return
    breaks = np.flatnonzero(np.diff(todo) != 1) + 1
    for run in np.split(todo, breaks):
        for k in range(0, len(run), size):
            first, stop = run[k], run[min(k + size, len(run)) - 1] + 1
            yield first, stop, ends[first] - lengths[first], ends[stop - 1]


@renamed_params(positional=("id_col", "time_col", "target_col", "X", "n_jobs", "coverage",
                             "progress", "out"))
def forecast_many(
    forecaster: Any,
    df: pd.DataFrame,
    h: int,
    *,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    X: pd.DataFrame | None = None,
    n_jobs: int | None = None,
    coverage: float | None = None,
    progress: bool = True,
    out: str | os.PathLike | None = None,
) -> pd.DataFrame:
    """Forecast every series of a long DataFrame with its own clone of ``forecaster``.

    Parameters
    ----------
    forecaster : BaseForecaster
        An unfitted forecaster; it is cloned for each series.
    df : pd.DataFrame
        Long format: one row per (series, time), columns ``id_col``, ``time_col``,
        ``target_col``, in any row order. The time column holds timestamps (a regular
        frequency is inferred per series), periods or integer steps. A missing id is
        refused.
    h : int
        Steps ahead.
    id_col, time_col, target_col : str
        Column names (the statsforecast convention by default).
    X : pd.DataFrame, optional
        Exogenous regressors in long format (``id_col``, ``time_col`` and one column per
        regressor), with a row for every training time and the ``h`` future times of each
        series; a series whose rows are missing fails alone, with the reason in ``error``.
    n_jobs : int, optional
        Parallel jobs (joblib; ``-1`` for all cores). Inside
        ``joblib.parallel_config(backend="dask")`` the series run on the Dask cluster.
    coverage : float, optional
        When given, add the prediction interval columns ``lo`` and ``hi``.
    progress : bool, default True
        Show a tqdm progress bar.
    out : str or path, optional
        A folder where each finished batch of series is stored at once; a rerun of the same
        call with the same ``out`` skips the series stored there (by id: use a new folder
        for new data). A folder holding another call (model, parameters, ``h``,
        ``coverage``, columns) is refused. The parts are pickles: resume only from a folder
        you wrote.

    Returns
    -------
    pd.DataFrame
        Columns ``unique_id, ds, yhat`` (named after ``id_col``, ``time_col``; both keep
        the input's dtype), ``lo``/``hi`` with ``coverage``, ``error`` and ``warning``,
        ``h`` rows per series in order of first appearance. ``error`` is ``None`` for a
        series that succeeded, else the exception's type and message, with NaN forecasts;
        ``ds`` is missing (NaT, or NA in a nullable Int64 column) only where the series'
        times cannot be continued. ``warning`` holds the warnings a series' model raised
        (one summary warning says how many series have one).

        On Ctrl-C (a ``KeyboardInterrupt``) the finished series are returned (and are in
        ``out``), the others have an ``error`` starting ``"KeyboardInterrupt"``, and a
        warning says so; series running in other processes at that moment count as not
        finished.

    Notes
    -----
    Warnings are caught with ``warnings.catch_warnings``, which is process-wide: with a
    threading backend (or Dask workers of several threads) a warning may be written against
    another series running at the same moment.

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
    h, coverage, exog_cols = _check_arguments(forecaster, df, h, id_col, time_col, target_col,
                                              X, coverage)
    panel = _group(df, id_col, time_col, target_col)
    future, index_errors = continue_many(panel.times, panel.lengths, h, name="y")
    errors = [e or i for e, i in zip(panel.errors, index_errors)]
    modes = np.where([e is None for e in errors], _NUMPY, _PANDAS).astype(np.int8)
    modes[[e is not None for e in panel.errors]] = _SKIP
    x_past = x_future = None
    if X is not None:
        x_past, x_future, x_errors = _split_exog(X, panel, future, exog_cols, id_col, time_col, h)
        for i, error in enumerate(x_errors):
            if error is not None and modes[i] != _SKIP:
                errors[i], modes[i] = error, _SKIP

    results = _Results.empty(len(panel.lengths), h, coverage, errors)
    store = None
    if out is not None:
        store = _Store(out, _call_signature(forecaster, h, coverage,
                                            [id_col, time_col, target_col, *exog_cols]))
        for part in store.load():
            where = pd.Index(panel.ids).get_indexer(pd.Index(part["ids"]))
            results.put(where[where >= 0], part, np.flatnonzero(where >= 0))

    todo = np.flatnonzero(~results.finished)
    size = max(1, min(_MAX_BATCH, math.ceil(len(todo) / (4 * effective_n_jobs(n_jobs)))))
    ends = panel.ends
    tasks = []
    for first, stop, row0, row1 in _batches(todo, ends, panel.lengths, size):
        batch = {
            "first": first, "offsets": np.concatenate([[0], ends[first:stop] - row0]),
            "modes": modes[first:stop], "errors": errors[first:stop], "y": panel.y[row0:row1],
            "times": panel.times[row0:row1], "target_col": target_col, "exog_cols": exog_cols,
            "x_past": None if x_past is None else x_past[row0:row1],
            "x_future": None if x_future is None else x_future[first:stop],
        }
        tasks.append(delayed(_forecast_batch)(forecaster, batch, h, coverage))
    desc = f"forecast_many {type(forecaster).__name__}"
    if _run(tasks, n_jobs, tqdm_options={"total": len(todo), "disable": not progress, "desc": desc},
            ids=panel.ids, results=results, store=store):
        results.mark_interrupted(out)
    results.say_warnings()
    return _assemble(panel, future, results, id_col, time_col, h)


def _check_arguments(forecaster: Any, df: Any, h: Any, id_col: str, time_col: str,
                     target_col: str, X: Any, coverage: Any) -> tuple[int, float | None, list[str]]:
    """The horizon, the coverage and the regressors' columns, checked."""
    from tsclassic._validation import check_coverage, check_h
    from tsclassic.base import get_tags

    h = check_h(h)
    _check_long_frame(df, [id_col, time_col, target_col], "df")
    name = type(forecaster).__name__
    if coverage is not None:
        coverage = check_coverage(coverage)
        if not get_tags(forecaster).intervals:
            raise ValueError(
                f"coverage was given but {name} has no prediction intervals; drop coverage or "
                f"use a forecaster with intervals=True."
            )
    if X is None:
        return h, coverage, []
    _check_long_frame(X, [id_col, time_col], "X")
    if not get_tags(forecaster).exogenous:
        raise ValueError(
            f"X was given but {name} does not use exogenous regressors; drop X, or use a "
            f"forecaster that accepts it (e.g. SARIMAXForecaster)."
        )
    return h, coverage, [c for c in X.columns if c not in (id_col, time_col)]


@dataclass
class _Results:
    """What each series got: forecasts, interval, error, warnings, and whether it finished."""

    yhat: np.ndarray
    bounds: np.ndarray | None
    errors: list[str | None]
    warned: list[str | None]
    finished: np.ndarray

    @classmethod
    def empty(cls, n_series: int, h: int, coverage: float | None, errors: list) -> _Results:
        bounds = np.full((n_series, h, 2), np.nan) if coverage is not None else None
        return cls(np.full((n_series, h), np.nan), bounds, list(errors), [None] * n_series,
                   np.zeros(n_series, dtype=bool))

    def put(self, at: np.ndarray, part: dict, rows: np.ndarray) -> None:
        """Series ``at``, finished, from rows ``rows`` of a batch's result or a stored part."""
        self.yhat[at] = part["yhat"][rows]
        if self.bounds is not None:
            self.bounds[at] = part["bounds"][rows]
        for i, k in zip(at, rows):
            self.errors[i], self.warned[i] = part["errors"][k], part["warnings"][k]
        self.finished[at] = True

    def mark_interrupted(self, out: Any) -> None:
        unfinished = ~self.finished
        self.yhat[unfinished] = np.nan  # a Ctrl-C may land between writing a batch and marking it
        if self.bounds is not None:
            self.bounds[unfinished] = np.nan
        for i in np.flatnonzero(unfinished):
            if not (self.errors[i] or "").startswith(_INTERRUPTED):
                self.errors[i] = f"{_INTERRUPTED} before this series was forecast"
        warnings.warn(
            f"forecast_many was interrupted: {int(self.finished.sum())} of {len(self.finished)} "
            f"series finished; the others have NaN forecasts and an error starting "
            f"'KeyboardInterrupt'."
            + (f" Rerun with out={str(out)!r} to forecast only them." if out is not None else
               " Pass out=FOLDER to keep finished series across runs."),
            UserWarning, stacklevel=3,
        )

    def say_warnings(self) -> None:
        warned = [w for w in self.warned if w is not None]
        if warned:
            warnings.warn(
                f"the models of {len(warned)} of {len(self.warned)} series raised warnings; they "
                f"are in the 'warning' column (the first: {warned[0]})", UserWarning, stacklevel=3,
            )


def _run(tasks: list, n_jobs: int | None, tqdm_options: dict, ids: Any, results: _Results,
         store: _Store | None) -> bool:
    """Run the batches, keeping each result as it returns; True if interrupted."""
    from tqdm.auto import tqdm

    interrupted = False
    returned = Parallel(n_jobs=n_jobs, return_as="generator_unordered")(tasks)
    bar = tqdm(**tqdm_options)
    try:
        for part in returned:
            first, done = part["first"], part["done"]
            results.put(np.arange(first, first + done), part, np.arange(done))
            if part["interrupted"]:  # the series it stopped in
                results.errors[first + done] = part["errors"][done]
            if store is not None and done:
                store.save({"ids": ids[first:first + done], "yhat": part["yhat"][:done],
                            "bounds": None if part["bounds"] is None else part["bounds"][:done],
                            "errors": part["errors"][:done], "warnings": part["warnings"][:done]})
            bar.update(done)
            if part["interrupted"]:
                interrupted = True
                break
    except KeyboardInterrupt:
        interrupted = True
    finally:
        bar.close()
        with warnings.catch_warnings():  # joblib's note on cancelled tasks: ours says more
            warnings.simplefilter("ignore", UserWarning)
            returned.close()
    return interrupted


def _assemble(panel: _Panel, future: Any, results: _Results, id_col: str, time_col: str,
              h: int) -> pd.DataFrame:
    repeat = np.repeat(np.arange(len(panel.lengths)), h)
    columns = {id_col: panel.ids.take(repeat), time_col: future, "yhat": results.yhat.ravel()}
    if results.bounds is not None:
        columns["lo"], columns["hi"] = results.bounds[..., 0].ravel(), results.bounds[..., 1].ravel()
    # object columns holding None where all is well (pandas 3 would read NaN into strings)
    columns["error"] = pd.Series(np.array(results.errors, dtype=object)[repeat], dtype=object)
    columns["warning"] = pd.Series(np.array(results.warned, dtype=object)[repeat], dtype=object)
    return pd.DataFrame(columns)
