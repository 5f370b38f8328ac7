"""Trend + seasonal + residual: classical, STL and multi-seasonal STL decompositions.

References
----------
Classical decomposition: Kendall & Stuart (1983), *The Advanced Theory of Statistics*
vol. 3; R's ``stats::decompose``. STL: Cleveland, Cleveland, McRae & Terpenning (1990),
"STL: a seasonal-trend decomposition procedure based on loess", J. Official Statistics
6(1):3-73. MSTL: Bandara, Hyndman & Bergmeir (2021), "MSTL: a seasonal-trend
decomposition algorithm for time series with multiple seasonal patterns", arXiv:2107.13462.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from tsclassic._params import Integral, Interval, StrOptions, renamed_params
from tsclassic._seasonality import centred_moving_average, seasonal_component, seasonal_indices
from tsclassic._validation import check_series

__all__ = ["decompose"]

METHODS = ("classical", "stl", "mstl")
MODELS = ("additive", "multiplicative")

# Parameter rules shared by Decomposer and DecompositionForecaster (the entries of a
# list of season lengths or windows are checked by check_season_length and statsmodels).
DECOMPOSE_CONSTRAINTS = {
    "method": [StrOptions(set(METHODS))],
    "season_length": [Interval(Integral, 2, None, closed="left"), list, tuple],
    "model": [StrOptions(set(MODELS))],
    "seasonal_window": [Interval(Integral, 3, None, closed="left"), list, tuple, None],
    "robust": ["boolean"],
}


def check_season_length(season_length: Any, name: str = "season_length") -> tuple[int, ...]:
    """Validate one season length or several; return them sorted, as a tuple."""
    values = [season_length] if np.isscalar(season_length) else season_length
    try:
        items = list(values)
    except TypeError:
        items = []
    if not items or any(
        isinstance(p, bool) or not isinstance(p, (int, np.integer)) or p < 2 for p in items
    ):
        raise ValueError(
            f"{name} must be an integer >= 2 or a list of them (e.g. 12, or [24, 168]); "
            f"got {season_length!r}."
        )
    if len(set(items)) != len(items):
        raise ValueError(f"{name} has repeated values: {season_length!r}; list each season once.")
    return tuple(sorted(int(p) for p in items))


def check_decompose_params(method: str, season_length: Any, model: str) -> tuple[int, ...]:
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}; got {method!r}.")
    if model not in MODELS:
        raise ValueError(f"model must be one of {MODELS}; got {model!r}.")
    checked = check_season_length(season_length)
    if method == "stl" and len(checked) > 1:
        raise ValueError(
            f"method='stl' takes one season length; got season_length={season_length!r}. Use method='mstl' for "
            f"several seasonalities."
        )
    if model == "multiplicative" and method != "classical":
        raise ValueError(
            f"model='multiplicative' is only available with method='classical'; for "
            f"method={method!r} decompose np.log(y) instead."
        )
    return checked


def decompose_array(
    y: np.ndarray,
    periods: tuple[int, ...],
    method: str = "stl",
    model: str = "additive",
    seasonal_window: int | Sequence[int] | None = None,
    robust: bool = False,
) -> dict[str, np.ndarray]:
    """The components of a validated float array (see :func:`decompose`)."""
    if method == "classical":
        return _classical(y, periods, model == "multiplicative")
    if method == "stl":
        from statsmodels.tsa.seasonal import STL

        window = 7 if seasonal_window is None else int(np.ravel(seasonal_window)[0])
        fit = STL(y, period=periods[0], seasonal=window, robust=robust).fit()
        return {"trend": np.asarray(fit.trend), f"seasonal_{periods[0]}": np.asarray(fit.seasonal),
                "resid": np.asarray(fit.resid)}
    from statsmodels.tsa.seasonal import MSTL

    windows = None if seasonal_window is None else list(np.ravel(seasonal_window).astype(int))
    fit = MSTL(y, periods=list(periods), windows=windows, stl_kwargs={"robust": robust}).fit()
    seasonal = np.asarray(fit.seasonal).reshape(len(y), -1)
    out = {"trend": np.asarray(fit.trend)}
    for i, p in enumerate(periods):
        out[f"seasonal_{p}"] = seasonal[:, i]
    out["resid"] = np.asarray(fit.resid)
    return out


def _classical(y: np.ndarray, periods: tuple[int, ...], multiplicative: bool) -> dict[str, np.ndarray]:
    """Classical decomposition, one period after another (shortest first).

    Each seasonal figure is estimated on the series adjusted for the shorter periods;
    the trend is the centred moving average over the longest period of the series
    adjusted for the shorter ones. With one period this is R's ``decompose``.
    """
    if multiplicative and np.any(y <= 0):
        raise ValueError(
            "y must be strictly positive for model='multiplicative'; use model='additive' "
            "or shift the series."
        )
    adjusted = y.copy()
    out: dict[str, np.ndarray] = {}
    seasonals = {}
    for p in periods:
        # The moving average over the longest period is taken before removing that
        # period's figure, as R's decompose does (it matters for multiplicative models).
        before = adjusted
        component = seasonal_component(seasonal_indices(adjusted, p, multiplicative), 0, len(y))
        seasonals[f"seasonal_{p}"] = component
        adjusted = adjusted / component if multiplicative else adjusted - component
    trend = centred_moving_average(before, periods[-1])
    out["trend"] = trend
    out.update(seasonals)
    out["resid"] = adjusted / trend if multiplicative else adjusted - trend
    return out


@renamed_params({"periods": "season_length"}, positional=("method", "season_length"))
def decompose(
    y: Any,
    *,
    method: str = "stl",
    season_length: int | Sequence[int] = 12,
    model: str = "additive",
    seasonal_window: int | Sequence[int] | None = None,
    robust: bool = False,
) -> pd.DataFrame:
    """Split a series into trend, one seasonal component per period, and residuals.

    Parameters
    ----------
    y : pd.Series or 1-D array-like
        The series, without NaN, at least two full seasons of the longest period long.
    method : {"classical", "stl", "mstl"}, default "stl"
        ``"classical"``: centred moving average and mean seasonal figure (R's
        ``decompose``); ``"stl"``: statsmodels' STL (one period); ``"mstl"``:
        statsmodels' MSTL (several periods).
    season_length : int or sequence of int, default 12
        The seasonal period(s), e.g. ``[24, 168]`` for hourly data (called ``periods``
        in tsclassic 0.1; the old name still works, with a ``FutureWarning``).
    model : {"additive", "multiplicative"}, default "additive"
        ``y = trend + seasonal + resid`` or, with ``"classical"`` only,
        ``y = trend * seasonal * resid``.
    seasonal_window : int or sequence of int, optional
        STL's seasonal smoother length (odd, >= 7; statsmodels' ``seasonal``); for MSTL,
        one per period (statsmodels' ``windows``). Defaults as in statsmodels.
    robust : bool, default False
        STL/MSTL: down-weight outliers (robust loess).

    Returns
    -------
    pd.DataFrame
        Columns ``trend``, ``seasonal_<p>`` for each period (shortest first) and
        ``resid``, on the index of ``y`` (a RangeIndex for arrays). The classical
        trend and residuals are NaN over half a period at each end.

    Examples
    --------
    >>> import numpy as np
    >>> from tsclassic.decomposition import decompose
    >>> y = np.arange(48.0) + np.tile([3.0, -1.0, -2.0, 0.0], 12)
    >>> parts = decompose(y, method="classical", season_length=4)
    >>> list(parts.columns)
    ['trend', 'seasonal_4', 'resid']
    >>> parts["seasonal_4"].iloc[:4].round(2).tolist()
    [3.0, -1.0, -2.0, 0.0]
    """
    checked = check_decompose_params(method, season_length, model)
    longest = checked[-1]
    values, _ = check_series(
        y, "y", min_length=2 * longest, owner="decompose",
        reason=f"two full seasons of the longest period {longest}",
    )
    parts = decompose_array(values, checked, method, model, seasonal_window, robust)
    index = y.index if isinstance(y, pd.Series) else pd.RangeIndex(len(values))
    return pd.DataFrame(parts, index=index)
