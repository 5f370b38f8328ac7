"""HarmonicForecaster: least-squares regression on Fourier terms and a linear trend."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from tsclassic._params import POSITIVE_INT, Interval, Real, StrOptions, renamed_params
from tsclassic.base import BaseForecaster, Tags

__all__ = ["HarmonicForecaster"]


@renamed_params(
    {"periods": "season_length", "trend": ("deterministic_trend", {True: "ct", False: "c"})},
    positional=("n_harmonics", "trend"),
)
class HarmonicForecaster(BaseForecaster):
    """Forecast with a sum of sines and cosines at given periods, plus a linear trend.

    The model is ``y_t = a + b t + sum_p sum_{k=1..K_p} (c_pk sin(2 pi k t / p) + d_pk
    cos(2 pi k t / p)) + e_t``, fitted by ordinary least squares; intervals are the OLS
    prediction intervals (Student t, parameter uncertainty included).

    Parameters
    ----------
    season_length : float or sequence of float, default 12
        The seasonal periods, in observations (12 for monthly data with a yearly cycle;
        several for multiple seasonalities, e.g. (24, 168) for hourly data; 365.25 for
        a yearly cycle in daily data). Called ``periods`` in tsclassic 0.1.
    n_harmonics : int or sequence of int, default 3
        Number of harmonics per season (one value for all, or one per season); at most
        ``season_length / 2``.
    deterministic_trend : {"ct", "c"}, default "ct"
        The deterministic terms: an intercept and the linear trend ``b t`` (``"ct"``), or
        the intercept alone (``"c"``), in :class:`~tsclassic.arima.SARIMAXForecaster`'s
        codes. In tsclassic 0.1 this was ``trend=True`` / ``trend=False``.

    Attributes
    ----------
    params_ : pd.Series
        The coefficients: ``intercept``, ``drift`` (the slope ``b``), ``sin_<p>_<k>``,
        ``cos_<p>_<k>``.
    sigma_ : float
        Residual standard deviation (degrees of freedom corrected).

    See Also
    --------
    dominant_periods : to find the periods.

    Examples
    --------
    >>> import numpy as np
    >>> from tsclassic.spectral import HarmonicForecaster
    >>> t = np.arange(48)
    >>> y = 10 + 0.1 * t + np.sin(2 * np.pi * t / 12)
    >>> HarmonicForecaster(season_length=12, n_harmonics=1).fit(y).predict(3).round(3)
    array([14.8  , 15.4  , 15.866])
    """

    _tags: ClassVar[Tags] = Tags(intervals=True)

    _parameter_constraints: ClassVar[dict] = {
        # Entries of a list are checked by _terms (numbers >= 2, harmonics per season).
        "season_length": [Interval(Real, 2, None, closed="left"), list, tuple, np.ndarray],
        "n_harmonics": [POSITIVE_INT, list, tuple, np.ndarray],
        "deterministic_trend": [StrOptions({"c", "ct"})],
    }

    def __init__(self, season_length: float | Sequence[float] = 12, *,
                 n_harmonics: int | Sequence[int] = 3, deterministic_trend: str = "ct"):
        self.season_length = season_length
        self.n_harmonics = n_harmonics
        self.deterministic_trend = deterministic_trend

    def _terms(self) -> list[tuple[float, int]]:
        periods = np.atleast_1d(np.asarray(self.season_length, dtype=float))
        if periods.ndim != 1 or periods.size == 0 or np.any(~np.isfinite(periods)) or np.any(periods < 2):
            raise ValueError(f"season_length must be one or more numbers >= 2 (observations "
                             f"per cycle); got {self.season_length!r}.")
        harmonics = np.atleast_1d(np.asarray(self.n_harmonics))
        if harmonics.size == 1:
            harmonics = np.repeat(harmonics, periods.size)
        if harmonics.size != periods.size or harmonics.dtype.kind not in "iu" or np.any(harmonics < 1):
            raise ValueError(f"n_harmonics must be an integer >= 1, or one per season; got "
                             f"{self.n_harmonics!r}.")
        terms = []
        for p, k in zip(periods, harmonics):
            if k > p / 2:
                raise ValueError(f"n_harmonics={int(k)} is too many for period {p:g}: at most "
                                 f"{int(p // 2)} harmonics are identifiable (higher ones alias).")
            # The cosine of harmonic p/2 is the only term at the Nyquist frequency; its sine
            # is identically zero, so it is dropped below.
            terms.extend((float(p), j) for j in range(1, int(k) + 1))
        return terms

    def _design(self, t: np.ndarray) -> tuple[np.ndarray, list[str]]:
        cols, names = [np.ones_like(t)], ["intercept"]
        if self.deterministic_trend == "ct":
            cols.append(t)
            names.append("drift")
        for p, k in self._terms():
            angle = 2 * np.pi * k * t / p
            if not np.isclose(2 * k, p):
                cols.append(np.sin(angle))
                names.append(f"sin_{p:g}_{k}")
            cols.append(np.cos(angle))
            names.append(f"cos_{p:g}_{k}")
        return np.column_stack(cols), names

    def _min_length(self) -> tuple[int, str]:
        n_coef = len(self._design(np.zeros(1))[1])
        return n_coef + 1, f"{n_coef} coefficients and one degree of freedom for the noise"

    def _fit(self, y: np.ndarray, X: np.ndarray | None) -> None:
        t = np.arange(y.size, dtype=float)
        design, names = self._design(t)
        coef, _, rank, _ = np.linalg.lstsq(design, y, rcond=None)
        resid = y - design @ coef
        dof = max(y.size - rank, 1)
        self.params_ = pd.Series(coef, index=names, name="coefficient")
        self.sigma_ = float(np.sqrt(resid @ resid / dof))
        self._dof = dof
        self._xtx_inv = np.linalg.pinv(design.T @ design)

    def _future_design(self, h: int) -> np.ndarray:
        return self._design(np.arange(self.n_obs_, self.n_obs_ + h, dtype=float))[0]

    def _predict(self, h: int, X: np.ndarray | None) -> np.ndarray:
        return self._future_design(h) @ self.params_.to_numpy()

    def _predict_interval(self, h: int, X: np.ndarray | None, coverage: float):
        from scipy.stats import t as student

        design = self._future_design(h)
        mean = design @ self.params_.to_numpy()
        leverage = np.einsum("ij,jk,ik->i", design, self._xtx_inv, design)
        half = student.ppf(0.5 + coverage / 2, self._dof) * self.sigma_ * np.sqrt(1 + leverage)
        return mean - half, mean + half

    @classmethod
    def _coverage_process(cls):
        def harmonic_and_noise(rng, n):  # within every test parameter set's model
            return 10.0 + 3 * np.sin(2 * np.pi * np.arange(n) / 12) + rng.normal(0.0, 1.0, n)

        return harmonic_and_noise

    @classmethod
    def _test_params(cls) -> list[dict[str, Any]]:
        return [{"season_length": 12, "n_harmonics": 2},
                {"season_length": (12, 4), "n_harmonics": (3, 1), "deterministic_trend": "c"}]
