"""Input validation shared by every estimator: a series, exogenous data, a panel, tokens.

Each helper returns NumPy data that the private ``_fit``/``_predict`` methods can use
directly, never a view the caller could see modified, and raises ``ValueError`` or
``TypeError`` with a message that names the argument and the fix.
"""

from __future__ import annotations

import sys
from collections.abc import Hashable, Iterable
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd

from tsclassic._index import IndexInfo, index_info

__all__ = [
    "check_series",
    "check_exog",
    "align_exog",
    "check_future_exog",
    "check_h",
    "check_coverage",
    "check_panel",
    "check_panel_target",
    "check_panel_lengths",
    "panel_by_length",
    "panel_channel_names",
    "check_sequence",
    "check_sequences",
    "check_positive_int",
    "check_fraction",
]


def _where(y: Any, mask: np.ndarray) -> str:
    """Human label of the first True position of ``mask`` in ``y``."""
    pos = int(np.flatnonzero(mask.reshape(len(mask), -1).any(axis=1))[0])
    if isinstance(y, (pd.Series, pd.DataFrame)):
        return f"first at {y.index[pos]}"
    return f"first at position {pos}"


def _check_finite(values: np.ndarray, original: Any, name: str, allow_nan: bool, owner: str) -> None:
    nan = np.isnan(values)
    if nan.any() and not allow_nan:
        raise ValueError(
            f"{name} contains {int(nan.sum())} NaN values ({_where(original, nan)}); "
            f"{owner} does not accept NaN: fill or drop them first."
        )
    inf = np.isinf(values)
    if inf.any():
        raise ValueError(
            f"{name} contains {int(inf.sum())} infinite values ({_where(original, inf)}); "
            f"replace them with finite numbers (or NaN where the model allows it)."
        )


def _as_float(values: Any, name: str) -> np.ndarray:
    if np.iscomplexobj(values):
        # numpy would drop the imaginary part with only a ComplexWarning.
        raise ValueError(
            f"{name} holds complex numbers; Complex data not supported: pass the real part "
            f"({name}.real), the magnitude (abs({name})) or the two as separate series."
        )
    try:
        return np.array(values, dtype=np.float64, copy=True)
    except (TypeError, ValueError) as err:
        raise TypeError(
            f"{name} must be numeric; convert it first (e.g. pd.to_numeric). Got: {err}"
        ) from None


def check_series(
    y: Any,
    name: str = "y",
    *,
    allow_nan: bool = False,
    min_length: int = 1,
    owner: str = "this estimator",
    reason: str = "",
) -> tuple[np.ndarray, IndexInfo]:
    """Validate one univariate series; return a float64 copy and its index description.

    Parameters
    ----------
    y : pd.Series, 1-D array-like or one-column DataFrame
    name : str
        The argument's name, used in error messages.
    allow_nan : bool
        Whether NaN values are accepted.
    min_length : int
        The fewest observations the estimator can work with.
    owner : str
        The estimator's name, used in error messages.
    reason : str
        Why ``min_length`` observations are needed (e.g. "two full seasons of 12").
    """
    if isinstance(y, pd.DataFrame):
        if y.shape[1] != 1:
            raise ValueError(
                f"{name} must be a single series; got a DataFrame with {y.shape[1]} columns. "
                f"Pick one column, e.g. {name}['col'], and pass the others as X."
            )
        y = y.iloc[:, 0]
    if isinstance(y, pd.Series):
        if not (pd.api.types.is_numeric_dtype(y.dtype) or y.dtype == object):
            raise TypeError(
                f"{name} has dtype {y.dtype}; it must be numeric: convert it with pd.to_numeric."
            )
        values = _as_float(y.to_numpy(), name)
    elif isinstance(y, (str, bytes)) or np.isscalar(y) or y is None:
        raise TypeError(f"{name} must be a 1-D array or a pd.Series; got {type(y).__name__}.")
    else:
        values = _as_float(y, name)
    if values.ndim != 1:
        raise ValueError(
            f"{name} must be 1-D (one series); got an array of shape {values.shape}. "
            f"Use forecast_many for several series, or pass extra columns as X."
        )
    if values.size == 0:
        raise ValueError(f"{name} is empty; pass at least {min_length} observations.")
    if values.size < min_length:
        why = f" ({reason})" if reason else ""
        raise ValueError(
            f"{name} has {values.size} observations but {owner} needs at least "
            f"{min_length}{why}; pass a longer series or change the parameters."
        )
    _check_finite(values, y, name, allow_nan, owner)
    info = index_info(y, name)
    return values, info


def check_exog(
    X: Any, n_rows: int | None = None, name: str = "X", *, allow_nan: bool = False,
    owner: str = "this estimator",
) -> tuple[np.ndarray, list[str]]:
    """Validate exogenous regressors; return a 2-D float64 copy and the column names.

    ``n_rows`` (when given) is the number of rows ``X`` must have, the length of ``y``.
    """
    if isinstance(X, pd.Series):
        X = X.to_frame()
    if isinstance(X, pd.DataFrame):
        columns = [str(c) for c in X.columns]
        bad = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c].dtype)]
        if bad:
            raise TypeError(
                f"{name} column(s) {bad} are not numeric; encode them as numbers first "
                f"(e.g. pd.get_dummies)."
            )
        values = _as_float(X.to_numpy(), name)
    else:
        values = _as_float(X, name)
        if values.ndim == 1:
            values = values[:, None]
        columns = [f"x{i}" for i in range(values.shape[1] if values.ndim == 2 else 0)]
    if values.ndim != 2:
        raise ValueError(f"{name} must be 2-D (rows = time points); got shape {values.shape}.")
    if n_rows is not None and values.shape[0] != n_rows:
        raise ValueError(
            f"{name} has {values.shape[0]} rows but y has {n_rows}; X must have one row per "
            f"observation of y."
        )
    _check_finite(values, X, name, allow_nan, owner)
    return values, columns


def _carries_no_labels(index: pd.Index, target: pd.Index) -> bool:
    """A default ``RangeIndex`` (0, 1, ...) beside a date-like target holds no time labels."""
    return (
        isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1
        and isinstance(target, (pd.DatetimeIndex, pd.PeriodIndex))
    )


def align_exog(X: Any, index: pd.Index | None, name: str = "X", what: str = "y") -> Any:
    """Take the rows of a pandas ``X`` at the labels of ``index``, by label, not position.

    The rule: when ``X`` is a DataFrame or Series and ``index`` (the labels of ``y`` at fit,
    of the forecast at predict) is known, every label of ``index`` must be in ``X``'s index,
    and those rows are used, in that order (so ``X`` may also hold other rows, e.g. the
    future ones). A default ``RangeIndex`` beside a date-like ``index`` holds no time labels
    and is taken by position. Anything else is refused, naming the first missing label.
    """
    if index is None or not isinstance(X, (pd.DataFrame, pd.Series)):
        return X
    if X.index.equals(index) or _carries_no_labels(X.index, index):
        return X
    if not X.index.is_unique:
        raise ValueError(
            f"{name} has duplicated index labels, so its rows cannot be matched to {what}'s; "
            f"drop the duplicates (e.g. {name}[~{name}.index.duplicated()])."
        )
    try:
        missing = ~index.isin(X.index)
    except (TypeError, ValueError):
        missing = np.ones(len(index), dtype=bool)
    if missing.any():
        first = index[int(np.flatnonzero(missing)[0])]
        span = f"from {X.index[0]!r} to {X.index[-1]!r}" if len(X) else "empty"
        fix = (
            f"give {name} the labels of {what} ({name}.set_axis(y.index))" if what == "y"
            else f"give {name} rows labelled like the forecast (the h steps after y)"
        )
        raise ValueError(
            f"{name}'s index does not match {what}'s: {int(missing.sum())} of the {len(index)} "
            f"labels of {what} are not in {name} (first: {first!r}; {name} has {len(X)} rows, "
            f"{span}). Rows of {name} are matched to {what} by index label: {fix}, or pass a "
            f"NumPy array to match by position."
        )
    return X.loc[index]


def check_future_exog(
    X: Any, h: int, columns: list[str] | None, owner: str = "this estimator"
) -> np.ndarray | None:
    """Validate the future regressors given to ``predict``.

    ``columns`` is the list seen at fit (``None`` when fit had no ``X``). Returns the
    first ``h`` rows as a float array, or ``None`` when no ``X`` was used.
    """
    if columns is None:
        if X is not None:
            raise ValueError(
                f"X was passed to predict but {owner} was fitted without X; refit with X or "
                f"drop it from predict."
            )
        return None
    if X is None:
        raise ValueError(
            f"{owner} was fitted with exogenous X ({len(columns)} columns: {columns}); pass "
            f"their future values as predict(h, X=...) with at least h={h} rows."
        )
    values, future_columns = check_exog(X, None, "X", owner=owner)
    if isinstance(X, (pd.DataFrame, pd.Series)) and future_columns != columns:
        raise ValueError(
            f"future X has columns {future_columns} but X at fit had {columns}; pass the same "
            f"columns in the same order."
        )
    if values.shape[1] != len(columns):
        raise ValueError(
            f"future X has {values.shape[1]} columns but X at fit had {len(columns)}."
        )
    if values.shape[0] < h:
        raise ValueError(
            f"future X has {values.shape[0]} rows but h={h}; pass at least h rows of future "
            f"regressors."
        )
    return values[:h]


def check_h(h: Any) -> int:
    """Validate the horizon: a positive integer."""
    if isinstance(h, bool) or not isinstance(h, Integral):
        raise TypeError(f"h must be a positive integer (number of steps ahead); got {h!r}.")
    if h < 1:
        raise ValueError(f"h must be a positive integer (number of steps ahead); got {h}.")
    return int(h)


def check_coverage(coverage: Any) -> float:
    """Validate an interval coverage: a number strictly between 0 and 1."""
    if isinstance(coverage, bool) or not isinstance(coverage, Real) or not 0 < coverage < 1:
        raise ValueError(
            f"coverage must be a number strictly between 0 and 1 (e.g. 0.9); got {coverage!r}."
        )
    return float(coverage)


def check_positive_int(value: Any, name: str, minimum: int = 1) -> int:
    """Validate an integer parameter ``>= minimum``."""
    if isinstance(value, bool) or not isinstance(value, Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value!r}.")
    return int(value)


def check_fraction(value: Any, name: str) -> float:
    """Validate a fraction in [0, 1]."""
    if isinstance(value, bool) or not isinstance(value, Real) or not 0 <= value <= 1:
        raise ValueError(f"{name} must be a number in [0, 1]; got {value!r}.")
    return float(value)


def _panel_from_dataframe(X: pd.DataFrame, name: str) -> Any:
    if X.shape[0] == 0:
        raise ValueError(f"{name} is empty; pass at least one series.")
    if all(pd.api.types.is_numeric_dtype(dt) for dt in X.dtypes):
        return X.to_numpy(dtype=np.float64)
    # Not wide numeric, so nested: every cell must hold a whole series. Text, categories
    # or single numbers would otherwise be read as one-point channels.
    bad = [
        c for c in X.columns
        if isinstance(X[c].dtype, pd.CategoricalDtype)
        or any(isinstance(v, (str, bytes)) or np.ndim(v) == 0 for v in X[c])
    ]
    if bad:
        dtypes = sorted({str(X[c].dtype) for c in bad})
        raise TypeError(
            f"{name} has column(s) {bad[:5]} of dtype {', '.join(dtypes)} holding text, "
            f"categories or single values, which are not series: pass numeric columns (one "
            f"per time point, e.g. {name}.apply(pd.to_numeric)) or one array per cell."
        )
    # Nested: each cell holds a whole series (one column per channel).
    rows = []
    for _, row in X.iterrows():
        channels = [np.asarray(cell, dtype=np.float64).ravel() for cell in row]
        lengths = {len(c) for c in channels}
        if len(lengths) != 1:
            raise ValueError(
                f"{name}: the channels of one series must have equal lengths; got {sorted(lengths)}."
            )
        rows.append(np.vstack(channels))
    return rows


def check_panel(
    X: Any,
    name: str = "X",
    *,
    allow_nan: bool = False,
    unequal_length: bool = False,
    min_length: int = 1,
    owner: str = "this estimator",
) -> np.ndarray | list[np.ndarray]:
    """Validate a panel of series.

    Accepts a 2-D array ``(n_series, length)``, a 3-D array ``(n_series, n_channels,
    length)``, a list of 1-D (or ``(n_channels, length)``) arrays, or a DataFrame with
    one row per series (wide numeric columns, or cells that each hold a series).

    Returns
    -------
    panel : ndarray of shape (n_series, n_channels, length), or list of ndarray
        A float64 copy. A list of ``(n_channels, length_i)`` arrays is returned only when
        the lengths differ, which requires ``unequal_length=True``.
    """
    sparse = sys.modules.get("scipy.sparse")  # no sparse matrix exists unless it is loaded
    if sparse is not None and sparse.issparse(X):
        raise TypeError(
            f"{name} is a sparse matrix; {owner} does not accept sparse input: pass a dense "
            f"array ({name}.toarray())."
        )
    if isinstance(X, pd.DataFrame):
        X = _panel_from_dataframe(X, name)
    elif hasattr(X, "__array__") and not isinstance(X, (np.ndarray, list, tuple)):
        X = np.asarray(X)
    if isinstance(X, np.ndarray) and np.iscomplexobj(X):
        raise ValueError(
            f"{name} holds complex numbers; Complex data not supported by {owner}: pass the "
            f"real part or the magnitude."
        )
    if isinstance(X, (str, bytes)) or np.isscalar(X) or X is None:
        raise TypeError(
            f"{name} must be a panel of series (2-D/3-D array, list of arrays or DataFrame); "
            f"got {type(X).__name__}."
        )
    if isinstance(X, np.ndarray) and X.dtype != object:
        arrays = None
        panel = _as_float(X, name)
    else:
        items = list(X)
        if len(items) == 0:
            raise ValueError(f"{name} is empty; pass at least one series.")
        if all(np.isscalar(v) for v in items):
            raise ValueError(
                f"{name} must be 2-D (n_series, length) or a list of series; got a single 1-D "
                f"series. Reshape your data with {name}.reshape(1, -1) for one series."
            )
        arrays = _list_series(items, name)
        lengths = {a.shape[1] for a in arrays}
        panel = np.stack(arrays) if len(lengths) == 1 else None
    if panel is not None:
        if panel.ndim == 1:
            raise ValueError(
                f"{name} must be 2-D (n_series, length) or 3-D (n_series, n_channels, length); "
                f"got a 1-D array. Reshape your data with {name}.reshape(1, -1) for one series."
            )
        if panel.ndim == 2:
            panel = panel[:, None, :]
        if panel.ndim != 3:
            raise ValueError(
                f"{name} must be 2-D (n_series, length) or 3-D (n_series, n_channels, length); "
                f"got a {panel.ndim}-D array of shape {panel.shape}. Merge the extra axes into "
                f"channels ({name}.reshape(n_series, -1, length)) or pass one panel at a time."
            )
        if panel.shape[0] == 0:
            raise ValueError(f"{name} is empty (shape {panel.shape}); pass at least one series.")
        if panel.shape[2] == 0:
            shape = tuple(np.shape(X))
            raise ValueError(
                f"{name} has 0 feature(s) (shape={shape}) while a minimum of 1 is required: "
                f"pass series of at least one time point."
            )
        if not allow_nan:
            _refuse_nan_padding(list(panel), name, owner)
        _check_finite(panel, panel, name, allow_nan, owner)
        if panel.shape[2] < min_length:
            raise ValueError(
                f"{name} has series of length {panel.shape[2]} (n_features = {panel.shape[2]}) "
                f"but {owner} needs at least {min_length}; pass longer series or change the "
                f"parameters."
            )
        return panel
    if not unequal_length:
        raise ValueError(
            f"{name} holds series of unequal lengths; {owner} needs equal lengths: resample or "
            f"pad them to one length first."
        )
    if not allow_nan:
        _refuse_nan_padding(arrays, name, owner)
    for i, a in enumerate(arrays):
        if a.shape[1] < min_length:
            raise ValueError(
                f"{name}[{i}] has length {a.shape[1]} but {owner} needs at least {min_length}; "
                f"pass longer series or change the parameters."
            )
        _check_finite(a.T, a.T, f"{name}[{i}]", allow_nan, owner)
    return arrays


def _list_series(items: list, name: str) -> list[np.ndarray]:
    """The series of a list panel as ``(n_channels, length)`` float arrays, each checked."""
    arrays = []
    for i, v in enumerate(items):
        a = _as_float(v, f"{name}[{i}]")
        if a.ndim > 2:
            raise ValueError(
                f"{name}[{i}] has shape {a.shape}; each series must be 1-D (length,) or 2-D "
                f"(n_channels, length)."
            )
        a = np.atleast_2d(a)
        if a.shape[1] == 0:
            raise ValueError(
                f"{name}[{i}] is an empty series (0 time points); every series needs at least "
                f"one: drop it from {name}."
            )
        if arrays and a.shape[0] != arrays[0].shape[0]:
            raise ValueError(
                f"{name}[{i}] has {a.shape[0]} channel(s) but {name}[0] has "
                f"{arrays[0].shape[0]}; every series of a panel must have the same channels."
            )
        arrays.append(a)
    return arrays


def _refuse_nan_padding(series: list[np.ndarray], name: str, owner: str) -> None:
    """Raise when NaN appear only as a tail of every affected series: the usual way of
    storing series of unequal lengths in one array, which must not be read as data."""
    padded = []
    for i, a in enumerate(series):
        missing = np.isnan(a)
        if not missing.any():
            continue
        per_point = missing.all(axis=0)
        first = int(np.argmax(per_point)) if per_point.any() else a.shape[1]
        if missing.any(axis=0).sum() != per_point.sum() or not per_point[first:].all():
            return  # NaN inside the data: the ordinary NaN error applies
        padded.append((i, first))
    if padded:
        i, first = padded[0]
        raise ValueError(
            f"{name} looks NaN-padded: {len(padded)} series end in NaN ({name}[{i}] from "
            f"position {first}), the usual way to store series of unequal lengths in one "
            f"array. {owner} does not read NaN as data: pass a list of arrays, each of its own "
            f"length (tsclassic.preprocessing.trim_trailing_nan({name}) makes one)."
        )


def check_panel_lengths(
    panel: np.ndarray | list[np.ndarray], min_length: int, reason: str, name: str = "X", *,
    owner: str = "this estimator",
) -> None:
    """Raise when a series of a checked panel is shorter than ``min_length``, saying why
    (``reason`` names the parameter that asks for it)."""
    lengths = [panel.shape[2]] if isinstance(panel, np.ndarray) else [s.shape[1] for s in panel]
    short = [i for i, n in enumerate(lengths) if n < min_length]
    if short:
        n = lengths[short[0]]
        where = (f"{name} has series of length {n}" if isinstance(panel, np.ndarray)
                 else f"{name}[{short[0]}] has length {n}")
        raise ValueError(
            f"{where} (n_features = {n}) but {owner} needs at least {min_length} ({reason}); "
            f"pass longer series or change the parameters."
        )


def panel_by_length(panel: np.ndarray | list[np.ndarray]) -> list[tuple[list[int], np.ndarray]]:
    """The series of a checked panel grouped by length, so that each group is computed in
    one vectorised pass: ``(positions, (n_group, n_channels, length) array)`` pairs."""
    if isinstance(panel, np.ndarray):
        return [(list(range(len(panel))), panel)]
    groups: dict[int, list[int]] = {}
    for i, series in enumerate(panel):
        groups.setdefault(series.shape[1], []).append(i)
    return [(rows, np.stack([panel[i] for i in rows])) for rows in groups.values()]


def panel_channel_names(X: Any, n_channels: int) -> list[str]:
    """The names of a panel's channels: a nested DataFrame's columns, else ``"0"``,
    ``"1"``, ..."""
    if isinstance(X, pd.DataFrame) and not all(
        pd.api.types.is_numeric_dtype(dt) for dt in X.dtypes
    ):
        return [str(c) for c in X.columns]
    return [str(c) for c in range(n_channels)]


def check_panel_target(
    y: Any, n_series: int, name: str = "y", *, owner: str = "this estimator",
    kind: str = "classification",
) -> np.ndarray:
    """Validate the targets of a panel: one per series, none missing.

    ``kind="classification"`` keeps the labels' type (and checks they are class labels);
    ``"regression"`` returns finite float64 targets.
    """
    from sklearn.utils.multiclass import check_classification_targets
    from sklearn.utils.validation import column_or_1d

    if y is None:
        raise ValueError(
            f"{owner} requires {name} to be passed, but the target {name} is None: pass the "
            f"{'class label' if kind == 'classification' else 'target'} of each series."
        )
    values = column_or_1d(y, warn=True)
    if values.shape[0] != n_series:
        raise ValueError(
            f"{name} has {values.shape[0]} labels but X has {n_series} series; pass one label "
            f"per series."
        )
    missing = pd.isna(values)
    if missing.any():
        raise ValueError(
            f"{name} is missing for {int(missing.sum())} series ({_where(y, missing)}); every "
            f"series needs a {'label' if kind == 'classification' else 'target'}: drop the "
            f"unlabelled series from X and {name}."
        )
    if kind == "regression":
        values = _as_float(values, name)
        _check_finite(values, y, name, False, owner)
        return values
    check_classification_targets(values)
    return values
_SEQUENCE_RULE = (
    "a sequence is a list (or tuple or array) of tokens, e.g. ['the', 'cat', 'sat'], and a "
    "corpus is a list of sequences"
)


def _string_fix(text: str, name: str) -> str:
    words = text.split()
    shown = repr(words[:3])[:-1] + (", ...]" if len(words) > 3 else "]")
    return (
        f"{name} is a str, but {_SEQUENCE_RULE}, so a str is never read as one; pass "
        f"{shown} ({name}.split()) for words or list({name}) for characters."
    )


def _tokens(seq: Any, name: str, kinds: set[str]) -> list[Hashable]:
    """The tokens of one sequence, checked; records their kind (str or int) in ``kinds``."""
    if isinstance(seq, str):
        raise TypeError(_string_fix(seq, name))
    if isinstance(seq, bytes) or not isinstance(seq, Iterable):
        raise TypeError(
            f"{name} is a {type(seq).__name__}, not a sequence of tokens; {_SEQUENCE_RULE}."
        )
    tokens = list(seq.tolist() if isinstance(seq, np.ndarray) else seq)
    for tok in tokens:
        if isinstance(tok, str):
            kinds.add("str")
        elif isinstance(tok, (Integral, np.integer)) and not isinstance(tok, bool):
            kinds.add("int")
        else:
            hint = (
                " (one sequence is expected here: score or perplexity take a corpus)"
                if isinstance(tok, (list, tuple, np.ndarray)) else ""
            )
            raise TypeError(
                f"{name} contains the token {tok!r} of type {type(tok).__name__}; tokens "
                f"must be strings or integers{hint}."
            )
    return tokens


def check_sequence(sequence: Any, name: str = "sequence") -> list[Hashable]:
    """Validate one sequence: a list (tuple, array) of string or integer tokens.

    A ``str`` is refused (it is ambiguous: a sentence or its characters); an empty
    sequence is valid. Used by ``logprob`` and ``predict`` (the context).
    """
    kinds: set[str] = set()
    tokens = _tokens(sequence, name, kinds)
    if len(kinds) > 1:
        raise TypeError(f"{name} mixes string and integer tokens; use one kind (e.g. map(str, ...)).")
    return tokens


def check_sequences(sequences: Any, name: str = "sequences") -> list[list[Hashable]]:
    """Validate a corpus: an iterable of sequences of hashable tokens.

    The one rule of every sequence model: a sequence is a list (tuple, array) of tokens
    and a corpus a list of sequences. A ``str`` is never a sequence, so a flat list of
    strings (``"the cat sat".split()``) is refused with the fix instead of being read as
    three character sequences. All tokens must be of one kind (all strings, or all
    integers), so that ``"1"`` and ``1`` are never confused.
    """
    if isinstance(sequences, str):
        raise TypeError(
            f"{name} must be a corpus (a list of sequences); got a str. For one sentence pass "
            f"[{name}.split()], for its characters [list({name})]."
        )
    if isinstance(sequences, bytes) or sequences is None or not isinstance(sequences, Iterable):
        raise TypeError(
            f"{name} must be a corpus, {_SEQUENCE_RULE}; got {type(sequences).__name__}. Wrap "
            f"a single sequence in a list."
        )
    items = list(sequences)
    if items and all(isinstance(seq, str) for seq in items):
        raise TypeError(
            f"{name} is a flat list of strings, but {_SEQUENCE_RULE}. For one sequence of "
            f"words pass [{name}] (e.g. [['the', 'cat', 'sat']]); for sentences pass "
            f"[s.split() for s in {name}]; for characters pass [list(s) for s in {name}]."
        )
    corpus: list[list[Hashable]] = []
    kinds: set[str] = set()
    for i, seq in enumerate(items):
        corpus.append(_tokens(seq, f"{name}[{i}]", kinds))
    if len(kinds) > 1:
        raise TypeError(
            f"{name} mixes string and integer tokens; use one kind (e.g. map(str, ...))."
        )
    if not corpus or all(len(s) == 0 for s in corpus):
        raise ValueError(f"{name} is empty; pass at least one non-empty sequence.")
    return corpus
