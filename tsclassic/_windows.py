"""Training windows drawn across the series of a panel, each normalised on its own scale:
what every global forecaster, classical or deep, learns from."""

from __future__ import annotations

import numpy as np

# A window's scale is at least this fraction of its series' standard deviation: dividing a
# nearly flat window by its own tiny spread would blow rounding noise up to unit size.
SCALE_FLOOR = 0.1


def spread_floor(y: np.ndarray) -> float:
    """The least scale of the windows of series ``y``: a tenth of its standard deviation,
    or its level for a constant series, or 1 at zero."""
    spread = float(np.std(y))
    if spread > 0:
        return SCALE_FLOOR * spread
    return float(abs(y[0])) if y[0] != 0 else 1.0


def normalise_windows(
    windows: np.ndarray, floor: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(windows - level) / scale`` with each row's mean as level and its standard
    deviation, no less than ``floor``, as scale; returns the three."""
    level = windows.mean(axis=1)
    scale = np.maximum(windows.std(axis=1), floor)
    return (windows - level[:, None]) / scale[:, None], level, scale


def sample_windows(
    series: list[np.ndarray], length: int, steps: int, max_windows: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[np.ndarray]]:
    """Windows of ``length`` inputs and ``steps`` targets from every series.

    At most ``max_windows`` per series, drawn without replacement by ``rng``, the latest
    window always among them.

    Returns
    -------
    inputs : ndarray of shape (n_rows, length)
    targets : ndarray of shape (n_rows, steps)
    floors : ndarray of shape (n_rows,)
        Each row's least scale (:func:`spread_floor` of its series).
    positions : list of ndarray
        Per series, the position of each row's last input value.
    """
    inputs, targets, floors, positions = [], [], [], []
    for y in series:
        windows = np.lib.stride_tricks.sliding_window_view(y, length + steps)
        chosen = np.arange(len(windows))
        if len(chosen) > max_windows:
            older = rng.choice(len(windows) - 1, max_windows - 1, replace=False)
            chosen = np.r_[np.sort(older), len(windows) - 1]
        inputs.append(windows[chosen, :length])
        targets.append(windows[chosen, length:])
        floors.append(np.full(len(chosen), spread_floor(y)))
        positions.append(chosen + length - 1)
    return np.vstack(inputs), np.vstack(targets), np.concatenate(floors), positions


def default_window_length(
    infos: list, max_horizon: int, season_length: int = 1, owner: str = "the forecaster"
) -> tuple[int, str]:
    """The window of a global forecaster given ``window_length=None``, and why.

    The longest season of the data, as a window that misses a season cannot learn it:
    the usual period of the time stamps' frequency (:func:`tsclassic._index.season_length_of`:
    7 daily, 12 monthly, ...) or the ``season_length`` given, and a week (7 x 24 = 168)
    where that period is 24 (hourly data); or two horizons (``2 * max_horizon``) where
    longer. On M4 Hourly a window of two horizons (96 hours) gives the gradient-boosting
    model OWA 0.532, a week 0.462 (benchmarks/results/global_forecasting.md). Integer steps
    with no ``season_length`` say no season: two horizons, with a warning.
    """
    import warnings

    from tsclassic._index import season_length_of

    periods = [season_length_of(info.freq) for info in infos
               if info.index_kind in ("datetime", "period")]
    period, source = max(periods, default=1), "the frequency of ds"
    if season_length > period:
        period, source = season_length, f"season_length={season_length}"
    if period == 1:
        window = 2 * max_horizon
        warnings.warn(
            f"{owner}: window_length=None found no season (ds holds integer steps or has no "
            f"regular frequency, and season_length is 1); using two horizons, {window} lags, "
            f"which miss any longer season. Pass window_length (168 for hourly data: a week), "
            f"or timestamps in ds.", UserWarning, stacklevel=4)
        return window, f"two horizons (2 x max_horizon={max_horizon})"
    # Why a week for hourly data: the daily season repeats with a weekly one (weekdays
    # against weekends) in load, traffic and most other hourly series.
    longest = 7 * period if period == 24 else period
    why = (f"a week, the weekly season of hourly data ({source})" if period == 24
           else f"the season of the data ({source})")
    if 2 * max_horizon > longest:
        return 2 * max_horizon, f"two horizons (2 x max_horizon={max_horizon})"
    return longest, why


def fit_window(wanted: int, why: str, series: list[np.ndarray], extra: int, owner: str) -> int:
    """``wanted`` lags, or fewer where the shortest series leaves fewer beside the ``extra``
    values a window needs after it (targets, held-out values), with a warning: a window
    shorter than the season it was chosen for misses that season."""
    import warnings

    shortest = min(len(y) for y in series)
    if shortest - extra >= wanted:
        return wanted
    window = max(1, shortest - extra)
    warnings.warn(
        f"{owner}: window_length=None wants {wanted} lags ({why}), but the shortest series "
        f"has {shortest} values, {extra} of which the targets need; using {window} lags, "
        f"which may miss that season. Pass window_length, or drop the shortest series.",
        UserWarning, stacklevel=4,
    )
    return window
