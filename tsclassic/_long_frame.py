"""The long panel frame (``unique_id``, ``ds``, ``y``) of global forecasters: read it into
one float array per series, and continue each series' times for the forecast."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from tsclassic._index import IndexInfo, as_time_index, continue_index
from tsclassic._validation import check_series

COLUMNS = ("unique_id", "ds", "y")


def split_long_frame(
    df: Any, name: str, *, min_length: int = 1, owner: str = "this estimator", reason: str = ""
) -> tuple[list[Any], list[np.ndarray], list[IndexInfo]]:
    """Validate a long frame and split it into series, in order of first appearance.

    Returns
    -------
    ids : list
        The ``unique_id`` of each series.
    series : list of ndarray
        Each series' ``y`` as float64, sorted by ``ds`` (copies: the caller's frame is
        never modified).
    infos : list of IndexInfo
        Each series' time index, for continuing it.
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(
            f"{name} must be a long pd.DataFrame with columns {list(COLUMNS)}; got "
            f"{type(df).__name__}."
        )
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(
            f"{name} lacks the column(s) {missing}; it has {list(df.columns)}: rename them to "
            f"{list(COLUMNS)}."
        )
    extra = [c for c in df.columns if c not in COLUMNS]
    if extra:
        raise ValueError(
            f"{name} has the extra column(s) {extra}; {owner} uses only {list(COLUMNS)}: drop "
            f"them (exogenous data is never read from extra columns)."
        )
    if len(df) == 0:
        raise ValueError(f"{name} is empty; pass at least one series.")
    missing_ids = int(df["unique_id"].isna().sum())
    if missing_ids:
        raise ValueError(
            f"{name}['unique_id'] is missing on {missing_ids} row(s); give every row its "
            f"series' id, or drop those rows."
        )
    ids, series, infos = [], [], []
    for uid, group in df.groupby("unique_id", sort=False):
        group = group.sort_values("ds", kind="stable")
        y = pd.Series(group["y"].to_numpy(), index=as_time_index(group["ds"].to_numpy()))
        values, info = check_series(
            y, f"{name}['y'] of series {uid!r}", min_length=min_length, owner=owner,
            reason=reason,
        )
        ids.append(uid)
        series.append(values)
        infos.append(info)
    return ids, series, infos


def future_times(infos: list[IndexInfo], h: int) -> np.ndarray | pd.Index:
    """The ``h`` times after each series' last time, concatenated in series order."""
    return pd.Index(np.concatenate([continue_index(info, h).to_numpy() for info in infos]))
