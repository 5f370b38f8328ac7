"""Height and width: peaks of a series, on :func:`scipy.signal.find_peaks`.

A peak is a local maximum; its *prominence* is how far it rises above the higher of the
two lowest points that separate it from a higher peak, and its *width* is measured at
half that prominence (``rel_height=0.5``), the usual "full width at half prominence".
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from tsclassic._validation import check_series

__all__ = ["find_peaks", "peak_features"]

_PEAK_COLUMNS = ["position", "height", "prominence", "width", "left", "right"]


def _peaks_array(y: np.ndarray, prominence: float | None, distance: int | None,
                 rel_height: float) -> dict[str, np.ndarray]:
    from scipy.signal import find_peaks as _scipy_find_peaks
    from scipy.signal import peak_widths

    # prominence=0 still asks scipy to compute prominences for every local maximum.
    idx, props = _scipy_find_peaks(y, prominence=0.0 if prominence is None else prominence,
                                   distance=distance)
    if idx.size == 0:
        empty = np.empty(0)
        return {"position": idx, "height": empty, "prominence": empty, "width": empty,
                "left": empty, "right": empty}
    widths, _, left, right = peak_widths(
        y, idx, rel_height=rel_height,
        prominence_data=(props["prominences"], props["left_bases"], props["right_bases"]),
    )
    return {"position": idx, "height": y[idx], "prominence": props["prominences"],
            "width": widths, "left": left, "right": right}


def find_peaks(
    y: Any,
    *,
    prominence: float | None = None,
    distance: int | None = None,
    rel_height: float = 0.5,
) -> pd.DataFrame:
    """The peaks of a series: position, height, prominence and width.

    Parameters
    ----------
    y : pd.Series or 1-D array-like
        The series; no NaN.
    prominence : float, optional
        Keep only peaks at least this prominent (in the units of ``y``). By default every
        local maximum is returned.
    distance : int, optional
        Minimum number of samples between neighbouring peaks (the smaller ones go).
    rel_height : float, default 0.5
        Where the width is measured, as a fraction of the prominence below the peak
        (0.5: width at half prominence).

    Returns
    -------
    pd.DataFrame
        One row per peak, columns ``position`` (integer position), ``height`` (the
        value), ``prominence``, ``width`` (in samples) and ``left``/``right`` (the
        interpolated positions where the width is measured). When ``y`` is a Series the
        frame also has a ``time`` column with its index labels.

    See Also
    --------
    TimeDomainFeatures : summaries of the peaks (count, mean height, intervals ...) per series.
    scipy.signal.find_peaks, scipy.signal.peak_widths

    Examples
    --------
    >>> import numpy as np
    >>> from tsclassic.timedomain import find_peaks
    >>> y = np.array([0, 1, 0, 0, 3, 0, 0.0])
    >>> find_peaks(y)[["position", "height", "prominence", "width"]]
       position  height  prominence  width
    0         1     1.0         1.0    1.0
    1         4     3.0         3.0    1.0
    """
    values, _ = check_series(y, "y", owner="find_peaks")
    if prominence is not None and not prominence >= 0:
        raise ValueError(f"prominence must be a number >= 0 or None; got {prominence!r}.")
    if distance is not None and (not isinstance(distance, (int, np.integer)) or distance < 1):
        raise ValueError(f"distance must be an integer >= 1 or None; got {distance!r}.")
    if not 0 < rel_height <= 1:
        raise ValueError(f"rel_height must be in (0, 1]; got {rel_height!r}.")
    found = _peaks_array(values, prominence, distance, rel_height)
    frame = pd.DataFrame(found, columns=_PEAK_COLUMNS)
    frame["position"] = frame["position"].astype(np.int64)
    if isinstance(y, pd.Series):
        frame.insert(1, "time", y.index[frame["position"].to_numpy()])
    return frame


def peak_features(y: np.ndarray, prominence: float | None = None) -> dict[str, float]:
    """Summaries of the peaks of a 1-D float array, all defined for any length.

    ``prominence=None`` keeps peaks at least one standard deviation prominent (so that
    noise ripples do not count). Heights are measured from the series mean. With no peak
    the count is 0, heights, prominences and widths are 0, and the mean interval is the
    series length (no repetition); with fewer than two peaks the interval spread is 0.
    """
    y = np.asarray(y, dtype=np.float64)
    n = y.size
    std = y.std() if n else 0.0
    threshold = std if prominence is None else prominence
    if n < 3 or std == 0:
        found = {"position": np.empty(0, int)}
    else:
        found = _peaks_array(y, threshold, None, 0.5)
    pos = found["position"]
    out = {"n_peaks": float(pos.size), "peak_rate": pos.size / n if n else 0.0}
    if pos.size == 0:
        out.update(peak_height_mean=0.0, peak_height_max=0.0, peak_prominence_mean=0.0,
                   peak_prominence_max=0.0, peak_width_mean=0.0, peak_interval_mean=float(n),
                   peak_interval_std=0.0)
        return out
    height = found["height"] - y.mean()
    gaps = np.diff(pos)
    out.update(
        peak_height_mean=float(height.mean()),
        peak_height_max=float(height.max()),
        peak_prominence_mean=float(found["prominence"].mean()),
        peak_prominence_max=float(found["prominence"].max()),
        peak_width_mean=float(found["width"].mean()),
        peak_interval_mean=float(gaps.mean()) if gaps.size else float(n),
        peak_interval_std=float(gaps.std()) if gaps.size else 0.0,
    )
    return out
