"""Index and frequency arithmetic: the one place in tsclassic that touches ``freq``.

Every estimator remembers the index of the series it was fitted on through
:class:`IndexInfo` and asks it for the index of a forecast; nothing else in the
package inspects pandas frequencies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["IndexInfo", "index_info", "continue_index", "check_regular_index", "as_time_index"]


def _infer_freq(index: pd.DatetimeIndex) -> Any:
    """``pd.infer_freq`` as an offset (or None), on pandas 2 and 3 alike."""
    if len(index) < 3:
        return None
    try:
        with pd.option_context("future.infer_freq_returns_offset", True):
            inferred = pd.infer_freq(index)
    except (KeyError, pd.errors.OptionError):  # pandas without the option returns a string
        inferred = pd.infer_freq(index)
    return pd.tseries.frequencies.to_offset(inferred) if inferred is not None else None


def as_time_index(values: Any) -> pd.Index:
    """An index from time values (timestamps or integer steps), with the frequency of
    timestamps inferred when it is regular."""
    index = pd.Index(values)
    if isinstance(index, pd.DatetimeIndex):
        freq = _infer_freq(index)
        if freq is not None:
            index = pd.DatetimeIndex(index, freq=freq)
    return index


@dataclass(frozen=True)
class IndexInfo:
    """What a forecaster must remember of its training index to continue it.

    Attributes
    ----------
    kind : {"numpy", "pandas"}
        ``"numpy"`` when the caller passed an array (NumPy out), ``"pandas"`` otherwise.
    last : object
        The last index label (a Timestamp, Period or integer); ``None`` for NumPy input.
    freq : object
        The step: a pandas offset for a DatetimeIndex or PeriodIndex, an integer step for an
        integer index, ``None`` for NumPy input.
    index_kind : {"datetime", "period", "integer", None}
    name : hashable
        The series' name, kept on the forecast.
    index_name : hashable
        The index's name, kept on the forecast's index.
    length : int
        Number of observations.
    """

    kind: str
    last: Any = None
    freq: Any = None
    index_kind: str | None = None
    name: Any = None
    index_name: Any = None
    length: int = 0


def check_regular_index(index: pd.Index, name: str = "y") -> tuple[str, Any]:
    """Check that ``index`` is sorted, unique and regular; return ``(index_kind, step)``.

    Raises
    ------
    ValueError
        If the index is unsorted, has duplicates, gaps or an irregular spacing.
    TypeError
        If the index is of a kind that has no notion of a next step (strings, floats).
    """
    if index.has_duplicates:
        dup = index[index.duplicated()][0]
        raise ValueError(
            f"{name} has a duplicated index label ({dup}); each time point must appear once: "
            f"aggregate or drop the duplicates first."
        )
    if len(index) > 1 and not index.is_monotonic_increasing:
        raise ValueError(
            f"{name} has an unsorted index; sort it first, e.g. {name}.sort_index()."
        )
    if isinstance(index, pd.PeriodIndex):
        expected = pd.period_range(index[0], periods=len(index), freq=index.freq) if len(index) else index
        if len(index) and not index.equals(expected):
            missing = expected.difference(index)
            first = missing[0] if len(missing) else index[-1]
            raise ValueError(
                f"{name} has a PeriodIndex with gaps (first missing period: {first}); "
                f"reindex to a complete range and fill the missing values first."
            )
        return "period", index.freq
    if isinstance(index, pd.DatetimeIndex):
        freq = index.freq
        if freq is None:
            freq = _infer_freq(index)
        if freq is None:
            raise ValueError(
                f"{name} has an irregular DatetimeIndex (no frequency can be inferred); "
                f"resample it to a regular frequency, e.g. {name}.asfreq('D'), and fill gaps."
            )
        expected = pd.date_range(index[0], periods=len(index), freq=freq)
        if not index.equals(expected):
            raise ValueError(
                f"{name} has a DatetimeIndex with gaps at frequency {freq.freqstr}; "
                f"reindex with {name}.asfreq('{freq.freqstr}') and fill the missing values."
            )
        return "datetime", freq
    if pd.api.types.is_integer_dtype(index.dtype):
        values = np.asarray(index, dtype=np.int64)
        if len(values) < 2:
            return "integer", 1
        steps = np.diff(values)
        if not np.all(steps == steps[0]):
            raise ValueError(
                f"{name} has an integer index with uneven steps; use a regularly spaced index "
                f"(e.g. reset_index(drop=True)) or a DatetimeIndex with a frequency."
            )
        return "integer", int(steps[0])
    raise TypeError(
        f"{name} has an index of dtype {index.dtype}; tsclassic needs a DatetimeIndex, a "
        f"PeriodIndex or an integer (Range) index to know what comes next."
    )


def index_info(y: Any, name: str = "y") -> IndexInfo:
    """Describe the index of ``y`` (a pandas object or an array) for later continuation."""
    if not isinstance(y, (pd.Series, pd.DataFrame)):
        return IndexInfo(kind="numpy", length=len(y))
    index_kind, freq = check_regular_index(y.index, name)
    last = y.index[-1] if len(y.index) else None
    series_name = y.name if isinstance(y, pd.Series) else None
    return IndexInfo(
        kind="pandas",
        last=last,
        freq=freq,
        index_kind=index_kind,
        name=series_name,
        index_name=y.index.name,
        length=len(y),
    )


def continue_index(info: IndexInfo, h: int, start: int = 1) -> pd.Index:
    """The ``h`` index labels that follow the training index.

    ``start`` counts steps after the last training label (1 = the first future step).
    """
    if info.kind != "pandas":
        raise ValueError("continue_index needs the index of a pandas input")
    if info.index_kind == "period":
        idx = pd.period_range(info.last + start, periods=h, freq=info.freq)
    elif info.index_kind == "datetime":
        idx = pd.date_range(info.last + start * info.freq, periods=h, freq=info.freq)
    else:
        step = info.freq
        first = int(info.last) + start * step
        idx = pd.RangeIndex(first, first + h * step, step)
    idx.name = info.index_name
    return idx

