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

__all__ = [
    "IndexInfo",
    "index_info",
    "continue_index",
    "check_regular_index",
    "as_time_index",
    "continue_many",
    "season_length_of",
    "seasonal_period",
]


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



def season_length_of(freq: Any) -> int:
    """The usual seasonal period of a frequency: 12 for monthly, 4 quarterly, 24 hourly,
    7 daily, 5 business-daily, 52 weekly; 1 for yearly, integer steps (``None``) and any
    other frequency (multiples such as ``2h`` included), which has no period we could
    assume."""
    offsets = pd.offsets
    if freq is None or getattr(freq, "n", None) != 1:
        return 1
    periods = (
        ((offsets.MonthEnd, offsets.MonthBegin, offsets.BusinessMonthEnd,
          offsets.BusinessMonthBegin), 12),
        ((offsets.QuarterEnd, offsets.QuarterBegin, offsets.BQuarterEnd,
          offsets.BQuarterBegin), 4),
        ((offsets.Hour,), 24),
        ((offsets.Day,), 7),
        ((offsets.BusinessDay,), 5),
        ((offsets.Week,), 52),
    )
    for kinds, period in periods:
        if isinstance(freq, kinds):
            return period
    return 1


def seasonal_period(times: Any) -> tuple[int, str]:
    """The usual seasonal period of a series' time labels (see :func:`season_length_of`),
    and what it was read from, for a message: the frequency, or why there is none."""
    index = as_time_index(times)
    if isinstance(index, (pd.DatetimeIndex, pd.PeriodIndex)):
        freq = index.freq
        if freq is None:
            return 1, "no regular frequency"
        return season_length_of(freq), f"frequency {freq.freqstr}"
    return 1, "integer steps"


_NAT = np.iinfo(np.int64).min


def _continue_one(times: pd.Index, h: int, name: str) -> tuple[pd.Index | None, str | None]:
    """The ``h`` labels after one series' sorted times, or the error that stops it."""
    try:
        index = as_time_index(times)
        index_kind, step = check_regular_index(index, name)
    except (ValueError, TypeError) as err:
        return None, f"{type(err).__name__}: {err}"
    info = IndexInfo(kind="pandas", last=index[-1], freq=step, index_kind=index_kind,
                     length=len(index))
    return continue_index(info, h), None


def _time_keys(times: pd.Index) -> np.ndarray | None:
    """Integer steps, or tz-naive timestamps as int64 in their own unit; ``None`` for the
    other kinds (tz-aware, periods, strings), which are continued one series at a time."""
    if times.dtype.kind in "iu":
        return times.to_numpy().astype(np.int64, copy=False)
    if isinstance(times, pd.DatetimeIndex) and times.tz is None:
        return times.asi8
    return None


def continue_many(
    times: pd.Index, lengths: np.ndarray, h: int, name: str = "y"
) -> tuple[Any, list[str | None]]:
    """The ``h`` labels after each of many series, laid end to end.

    Parameters
    ----------
    times : pd.Index
        The time labels of every series, series after series, each sorted.
    lengths : ndarray of int
        The number of labels of each series (each at least 1).
    h : int
        Labels to add after each series.
    name : str
        The argument's name, used in error messages.

    Returns
    -------
    future : array-like of length ``len(lengths) * h``
        In the dtype of ``times`` (integer steps give int64, or pandas' nullable Int64
        when a series cannot be continued); missing (NaT, NA) for such series.
    errors : list
        ``None`` for a series continued, else the error that :func:`check_regular_index`
        gives for its index.

    Notes
    -----
    A series of timestamps (at least 3, tz-naive) or integer steps spaced by one constant
    step is continued by that step, all at once: for such a series ``pd.infer_freq``
    finds a fixed step whose continuation is the same. Every other series (calendar
    frequencies such as months, tz-aware timestamps, periods, bad indexes) goes through
    :func:`check_regular_index` and :func:`continue_index` alone, once per distinct
    vector of times.
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    n_series = len(lengths)
    ends = np.cumsum(lengths)
    starts = ends - lengths
    errors: list[str | None] = [None] * n_series
    keys = _time_keys(times)
    if keys is None:
        return _continue_each(times, starts, ends, h, name, errors), errors

    steps = np.ones(n_series, dtype=np.int64)
    has_two = lengths >= 2
    steps[has_two] = keys[starts[has_two] + 1] - keys[starts[has_two]]
    within = np.ones(max(len(keys) - 1, 0), dtype=bool)
    within[ends[:-1] - 1] = False  # the step from one series' last label to the next's first
    owner = np.repeat(np.arange(n_series), lengths - 1)
    regular = steps > 0
    regular[owner[np.diff(keys)[within] != steps[owner]]] = False
    if times.dtype.kind == "M":
        regular &= lengths >= 3  # pd.infer_freq needs three
    future = keys[ends - 1, None] + steps[:, None] * np.arange(1, h + 1)
    cache: dict[bytes, tuple[np.ndarray | None, str | None]] = {}
    for i in np.flatnonzero(~regular):
        segment = keys[starts[i]:ends[i]]
        cached = cache.get(segment.tobytes())
        if cached is None:
            index, error = _continue_one(times[starts[i]:ends[i]], h, name)
            if index is not None and times.dtype.kind == "M":
                index = index.as_unit(times.unit)
            cached = (None if index is None else _time_keys(index), error)
            cache[segment.tobytes()] = cached
        future[i] = _NAT if cached[0] is None else cached[0]
        errors[i] = cached[1]
    future = future.ravel()
    if times.dtype.kind == "M":
        return future.view(times.dtype), errors
    failed = np.repeat([e is not None for e in errors], h)
    if failed.any():
        return pd.arrays.IntegerArray(np.where(failed, 0, future), failed), errors
    return future, errors


def _continue_each(
    times: pd.Index, starts: np.ndarray, ends: np.ndarray, h: int, name: str,
    errors: list[str | None],
) -> Any:
    blocks: list[pd.Index | None] = []
    cache: dict[Any, tuple[pd.Index | None, str | None]] = {}
    for i, (start, end) in enumerate(zip(starts, ends)):
        segment = times[start:end]
        try:
            key: Any = tuple(segment)
            cached = cache.get(key)
        except TypeError:  # unhashable labels: no cache
            key, cached = None, None
        if cached is None:
            cached = _continue_one(segment, h, name)
            if key is not None:
                cache[key] = cached
        blocks.append(cached[0])
        errors[i] = cached[1]
    template = next((b for b in blocks if b is not None), times)
    missing = pd.Series(template[:0]).reindex(range(h))
    parts = [missing if b is None else pd.Series(b) for b in blocks]
    return pd.concat(parts, ignore_index=True).array
