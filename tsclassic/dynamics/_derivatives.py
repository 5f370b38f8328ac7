"""Time derivatives of sampled trajectories: Savitzky-Golay smoothing, then second-order
finite differences.

This is the "smoothed finite difference" of the SINDy literature (and of pysindy's
``SmoothedFiniteDifference``): a cubic Savitzky-Golay filter over 11 points removes
measurement noise, and centred differences (one-sided second-order ones at the two ends)
differentiate the smoothed signal.

References
----------
Savitzky & Golay (1964), "Smoothing and differentiation of data by simplified least squares
procedures", Analytical Chemistry 36(8). Brunton, Proctor & Kutz (2016), "Discovering
governing equations from data by sparse identification of nonlinear dynamical systems",
PNAS 113(15).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.signal import savgol_filter

from tsclassic._params import renamed_params

__all__ = ["smoothed_derivative"]


def _check_window(window_length: Any, polyorder: Any, n: int) -> tuple[int, int] | None:
    if window_length is None or window_length == 0:
        return None
    if isinstance(window_length, bool) or not isinstance(window_length, (int, np.integer)):
        raise TypeError(f"window_length must be an odd integer or None; got {window_length!r}.")
    if isinstance(polyorder, bool) or not isinstance(polyorder, (int, np.integer)):
        raise TypeError(f"polyorder must be a non-negative integer; got {polyorder!r}.")
    if window_length < 3 or window_length % 2 == 0:
        raise ValueError(f"window_length must be an odd integer >= 3; got {window_length}.")
    if not 0 <= polyorder < window_length:
        raise ValueError(
            f"polyorder must be in [0, window_length); got polyorder={polyorder} for "
            f"window_length={window_length}."
        )
    if n < window_length:
        raise ValueError(
            f"the trajectory has {n} time points but window_length={window_length}; pass at "
            f"least {window_length} points or a shorter window_length (or None: no smoothing)."
        )
    return int(window_length), int(polyorder)


@renamed_params(positional=("t", "window_length", "polyorder"))
def smoothed_derivative(
    x: Any, *, t: Any = 1.0, window_length: int | None = 11, polyorder: int = 3
) -> tuple[np.ndarray, np.ndarray]:
    """Smooth a trajectory and differentiate it in time.

    Parameters
    ----------
    x : array-like of shape (n_obs,) or (n_obs, n_states)
    t : float or array-like of shape (n_obs,), default 1.0
        The time step, or the (increasing) observation times.
    window_length : int or None, default 11
        Odd length of the Savitzky-Golay window; ``None`` differentiates the raw data.
    polyorder : int, default 3
        Degree of the local polynomial.

    Returns
    -------
    x_smooth : ndarray, same shape as ``x``
    x_dot : ndarray, same shape as ``x``

    Examples
    --------
    >>> import numpy as np
    >>> from tsclassic.dynamics import smoothed_derivative
    >>> t = np.linspace(0, 1, 50)
    >>> _, dx = smoothed_derivative(t**2, t=t)
    >>> bool(np.allclose(dx, 2 * t))
    True
    """
    values = np.array(x, dtype=np.float64)
    if values.ndim not in (1, 2):
        raise ValueError(f"x must be 1-D or 2-D (time points, states); got shape {values.shape}.")
    n = values.shape[0]
    if n < 3:
        raise ValueError(f"x has {n} time points; differentiation needs at least 3.")
    if not np.all(np.isfinite(values)):
        raise ValueError("x contains NaN or infinite values; fill or drop them first.")
    window = _check_window(window_length, polyorder, n)
    smooth = values if window is None else savgol_filter(values, window[0], window[1], axis=0)
    if np.ndim(t) == 0:
        spacing: Any = float(t)
        if not np.isfinite(spacing) or spacing <= 0:
            raise ValueError(f"t, the time step, must be a positive number; got {t!r}.")
    else:
        spacing = np.asarray(t, dtype=np.float64)
        if spacing.shape != (n,) or np.any(np.diff(spacing) <= 0):
            raise ValueError(f"t must be {n} strictly increasing times, one per row of x.")
    return smooth, np.gradient(smooth, spacing, axis=0, edge_order=2)
