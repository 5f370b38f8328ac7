"""SINDy: sparse identification of nonlinear dynamics from a sampled trajectory.

Derivatives come from smoothed finite differences; each state's derivative is regressed
on a polynomial library of the (smoothed) states by sequentially thresholded ridge least
squares (STLSQ), and the surviving terms are refitted without the ridge penalty. The
algorithm follows Brunton et al. (2016) and reproduces pysindy's ``STLSQ`` with a
``PolynomialLibrary`` and ``SmoothedFiniteDifference``; the regressions run on the Gram
matrix of the column-scaled library, computed once, so that each thresholding step costs
a small solve instead of a pass over the data.

References
----------
Brunton, Proctor & Kutz (2016), "Discovering governing equations from data by sparse
identification of nonlinear dynamical systems", PNAS 113(15):3932-3937.
de Silva et al. (2020), "PySINDy: a Python package for the sparse identification of
nonlinear dynamical systems from data", JOSS 5(49):2104.
"""

from __future__ import annotations

import warnings
from itertools import combinations_with_replacement

import numpy as np
import pandas as pd
from scipy.linalg import LinAlgError, solve
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from tsclassic._params import (
    NON_NEGATIVE_INT,
    NON_NEGATIVE_REAL,
    POSITIVE_INT,
    renamed_params,
)
from tsclassic.base import BaseTrajectoryModel, Tags
from tsclassic.dynamics._derivatives import _check_window, smoothed_derivative
from tsclassic.dynamics._integrate import ODEIntegrationError, integrate

__all__ = ["SINDy", "polynomial_terms", "polynomial_library", "stlsq"]


def polynomial_terms(n_states: int, degree: int) -> list[tuple[int, ...]]:
    """Monomials up to ``degree`` as tuples of state indices, in scikit-learn's
    ``PolynomialFeatures`` order (``()`` is the constant)."""
    return [c for d in range(degree + 1) for c in combinations_with_replacement(range(n_states), d)]


def polynomial_library(x: np.ndarray, terms: list[tuple[int, ...]]) -> np.ndarray:
    """The library matrix: one column per monomial of ``terms`` evaluated on ``x``."""
    out = np.empty((x.shape[0], len(terms)))
    for j, term in enumerate(terms):
        if not term:
            out[:, j] = 1.0
        else:
            col = x[:, term[0]].copy()
            for i in term[1:]:
                col *= x[:, i]
            out[:, j] = col
    return out


def _solve(gram: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    try:
        return solve(gram, rhs, assume_a="pos", check_finite=False)
    except (LinAlgError, ValueError):
        return np.linalg.lstsq(gram, rhs, rcond=None)[0]


def stlsq(
    library: np.ndarray, x_dot: np.ndarray, threshold: float, alpha: float = 0.05,
    max_iter: int = 20,
) -> np.ndarray:
    """Sequentially thresholded ridge regression, then an unpenalised refit on the support.

    Parameters
    ----------
    library : ndarray of shape (n_obs, n_terms)
    x_dot : ndarray of shape (n_obs, n_states)
    threshold : float
        Coefficients smaller than this in absolute value are set to zero.
    alpha : float, default 0.05
        Ridge penalty ``alpha * ||w||^2`` of the thresholding regressions.
    max_iter : int, default 20

    Returns
    -------
    coefficients : ndarray of shape (n_states, n_terms)
    """
    norms = np.linalg.norm(library, axis=0)
    norms[norms == 0] = 1.0
    scaled = library / norms
    # Column scaling keeps the Gram matrix well conditioned; the ridge term is rescaled so
    # that the penalty is the same as on the original coefficients.
    gram = scaled.T @ scaled
    cross = scaled.T @ x_dot
    penalty = alpha / norms**2
    n_targets, n_terms = x_dot.shape[1], library.shape[1]
    support = np.ones((n_targets, n_terms), dtype=bool)
    coef = np.zeros((n_targets, n_terms))
    previous = None
    for _ in range(max_iter):
        if not support.any():
            warnings.warn(f"threshold={threshold} removed every term; lower it.", UserWarning,
                          stacklevel=3)
            break
        coef = np.zeros((n_targets, n_terms))
        for i in range(n_targets):
            s = np.flatnonzero(support[i])
            if s.size == 0:
                continue
            g = gram[np.ix_(s, s)] + np.diag(penalty[s])
            coef[i, s] = _solve(g, cross[s, i]) / norms[s]
        support = np.abs(coef) >= threshold
        coef[~support] = 0.0
        if support.all() or (previous is not None and np.array_equal(support, previous)):
            break
        previous = support.copy()
    else:
        warnings.warn(f"STLSQ did not converge in max_iter={max_iter} iterations.",
                      ConvergenceWarning, stacklevel=3)
    final = np.zeros_like(coef)
    for i in range(n_targets):
        s = np.flatnonzero(np.abs(coef[i]) > 1e-14)
        if s.size:
            final[i, s] = _solve(gram[np.ix_(s, s)], cross[s, i]) / norms[s]
    return final


class _PolynomialRHS:
    """The identified equations as a picklable right-hand side ``f(t, y)``."""

    def __init__(self, coefficients: np.ndarray, terms: list[tuple[int, ...]]):
        keep = np.flatnonzero(np.any(coefficients != 0, axis=0))
        self.coef = coefficients[:, keep]
        self.terms = [terms[j] for j in keep]

    def __call__(self, t: float, y: np.ndarray) -> np.ndarray:
        row = np.array([np.prod(y[list(term)]) if term else 1.0 for term in self.terms])
        return self.coef @ row


@renamed_params(positional=("threshold", "alpha", "max_iter", "window_length", "polyorder"))
class SINDy(BaseTrajectoryModel):
    """Sparse identification of nonlinear dynamics (SINDy) with a polynomial library.

    Parameters
    ----------
    degree : int, default 2
        Highest total degree of the polynomial library (with the constant term).
    threshold : float, default 0.1
        STLSQ threshold: smaller coefficients are dropped.
    alpha : float, default 0.05
        Ridge penalty of the thresholding regressions (the final refit has none).
    max_iter : int, default 20
        Most thresholding iterations.
    window_length : int or None, default 11
        Savitzky-Golay window of the derivative; ``None`` for plain finite differences.
    polyorder : int, default 3
        Savitzky-Golay polynomial degree.
    n_windows : int, default 19
        Calibration windows of :meth:`predict_interval`. 19 is the fewest for which a 95%
        interval can reach its nominal coverage.

    Attributes
    ----------
    coefficients_ : pd.DataFrame
        One row per state, one column per library term (``"1"``, ``"x"``, ``"x y"``, ...).
    state_names_ : list of str
        The column names of ``y`` (``x0``, ``x1``, ... for arrays).
    feature_names_ : list of str
        The library terms.

    Notes
    -----
    ``predict_interval(h, coverage)`` is split conformal on rolling origins, as
    :class:`~tsclassic.ConformalIntervals`: SINDy is refitted on ``y`` up to each of the
    ``n_windows`` origins ``n - h, n - h - 1, ...``, forecasts the ``h`` observations that
    follow, and for each step and state the interval's half-width is the
    ``ceil((K + 1) * coverage)``-th smallest of the K absolute errors. The errors hold
    everything that makes a forecast miss (noise, the smoothed starting state, wrong
    coefficients, chaos), with no model of the noise; they assume the calibration windows
    and the future exchangeable. Refits are cheap (a few milliseconds), so the intervals
    are honest out-of-sample errors rather than in-sample residuals.

    Examples
    --------
    >>> import numpy as np
    >>> from tsclassic.dynamics import SINDy
    >>> t = np.linspace(0, 10, 1001)
    >>> y = np.column_stack([np.cos(t), np.sin(t)])
    >>> SINDy().fit(y, t=t).equations(precision=2)
    ["x0' = -1.00 x1", "x1' = 1.00 x0"]
    """

    # Every column of y is a state whose equation is identified (no named states to
    # check columns against).
    _all_columns_are_states = True
    _parameter_constraints: dict[str, list] = {
        "degree": [POSITIVE_INT],
        "threshold": [NON_NEGATIVE_REAL],
        "alpha": [NON_NEGATIVE_REAL],
        "max_iter": [POSITIVE_INT],
        "window_length": [NON_NEGATIVE_INT, None],  # 0 or None: no smoothing
        "polyorder": [NON_NEGATIVE_INT],
        "n_windows": [POSITIVE_INT],
    }
    _tags = Tags(multivariate=True, intervals=True)

    def __init__(
        self,
        degree: int = 2,
        *,
        threshold: float = 0.1,
        alpha: float = 0.05,
        max_iter: int = 20,
        window_length: int | None = 11,
        polyorder: int = 3,
        n_windows: int = 19,
    ):
        self.degree = degree
        self.threshold = threshold
        self.alpha = alpha
        self.max_iter = max_iter
        self.window_length = window_length
        self.polyorder = polyorder
        self.n_windows = n_windows

    @classmethod
    def _test_params(cls) -> list[dict]:
        return [{}, {"degree": 1, "window_length": None}]

    @classmethod
    def _conformance_data(cls) -> pd.DataFrame:
        from tsclassic.dynamics._presets import Lorenz

        return Lorenz.solve([10.0, 28.0, 8.0 / 3.0], [-8.0, 8.0, 27.0],
                            np.arange(0.0, 2.0, 0.005))

    @classmethod
    def _coverage_data(cls, rng: np.random.Generator, ahead: int) -> pd.DataFrame:
        """A damped oscillator's position and velocity from a random start, ``ahead`` steps
        past 400 points, with Gaussian noise of 1% of each state's spread: a linear system,
        which every test parameter set's library holds (degree 1 too)."""
        from tsclassic.dynamics._presets import DampedOscillator

        start = rng.normal(0.0, 1.0, 2)
        times = 0.05 * np.arange(400 + ahead)
        clean = DampedOscillator.solve([2.0, 0.1], start, times)
        return clean + 0.01 * clean.std().to_numpy() * rng.standard_normal(clean.shape)

    def _min_length(self, n_columns: int) -> tuple[int, str]:
        # The static rules of the window first (odd, above polyorder).
        window = _check_window(self.window_length, self.polyorder, self.window_length or 0)
        n_terms = len(polynomial_terms(n_columns, self.degree))
        if window is not None and window[0] >= max(n_terms, 3):
            return window[0], (
                f"its Savitzky-Golay derivative smooths over window_length={window[0]} "
                f"points (pass a shorter window_length, or None: no smoothing)"
            )
        return max(n_terms, 3), (
            f"the degree-{self.degree} library of {n_columns} states has {n_terms} terms "
            f"(lower degree)"
        )

    def _fit(self, values: np.ndarray, times: np.ndarray) -> None:
        terms = polynomial_terms(values.shape[1], self.degree)
        names = [f"x{i}" if c is None else str(c) for i, c in enumerate(self.trajectory_.columns)]
        smooth, x_dot = smoothed_derivative(
            values, t=times, window_length=self.window_length, polyorder=self.polyorder)
        coef = stlsq(polynomial_library(smooth, terms), x_dot, float(self.threshold),
                     float(self.alpha), int(self.max_iter))
        features = [" ".join(_power(names, term)) if term else "1" for term in terms]
        self.terms_ = terms
        self.state_names_ = names
        self.feature_names_ = features
        self.coefficients_ = pd.DataFrame(coef, index=names, columns=features)
        self.first_state_ = smooth[0].copy()
        self.last_state_ = smooth[-1].copy()
        self._scores: dict[int, np.ndarray] = {}

    def equations(self, precision: int = 3) -> list[str]:
        """The identified equations, one readable string per state."""
        self._check_fitted()
        out = []
        for name, row in self.coefficients_.iterrows():
            parts = [
                f"{c:.{precision}f}" if term == "1" else f"{c:.{precision}f} {term}"
                for term, c in row.items() if c != 0
            ]
            out.append(f"{name}' = " + (" + ".join(parts) if parts else "0"))
        return out

    def _solve(self, start: np.ndarray, t_start: float, times: np.ndarray) -> np.ndarray:
        rhs = _PolynomialRHS(self.coefficients_.to_numpy(), self.terms_)
        scale = float(np.max(np.abs(self.trajectory_.values)))
        path, reason = integrate(rhs, (), start, t_start, times, "LSODA", 1e-10, 1e-12,
                                 limit=1e6 * max(scale, 1.0))
        if path is None:
            raise ODEIntegrationError(
                f"integrating the identified equations failed: {reason}. The model may be "
                f"unstable; try a larger threshold, more data or less noise."
            )
        return path

    def _initial_state(self) -> np.ndarray:
        return self.first_state_

    def _final_state(self) -> np.ndarray:
        return self.last_state_

    def _calibrate(self, h: int) -> np.ndarray:
        """Absolute errors, shape (windows, h, n_states), at origins n - h, n - h - 1, ..."""
        if h in self._scores:
            return self._scores[h]
        values, times = self.trajectory_.values, self.trajectory_.times
        n, owner = len(times), type(self).__name__
        shortest = self._min_length(values.shape[1])[0]
        origins = [o for o in range(n - h, n - h - self.n_windows, -1) if o >= shortest]
        scores = []
        for origin in origins:
            try:
                with warnings.catch_warnings():
                    # The fit on all of y has said what there is to say about the data.
                    warnings.simplefilter("ignore")
                    model = clone(self).fit(values[:origin], t=times[:origin])
                # The identified equations from the window's last state, through the public
                # simulate (its first row is that state itself).
                path = model.simulate(times[origin - 1:origin + h], y0=model.last_state_)[1:]
            except (ValueError, ODEIntegrationError) as err:
                warnings.warn(f"{owner}: the fit at origin {origin} failed and that window is "
                              f"skipped ({type(err).__name__}: {err}).", UserWarning,
                              stacklevel=4)
                continue
            scores.append(np.abs(values[origin:origin + h] - path))
        if not scores:
            raise ValueError(
                f"y has {n} time points, too few to calibrate {h}-step intervals of {owner} "
                f"(a fit needs {shortest} before the first of the {h} held points); pass a "
                f"longer trajectory or a shorter h."
            )
        if len(scores) < self.n_windows:
            warnings.warn(
                f"{owner}: only {len(scores)} of n_windows={self.n_windows} calibration "
                f"windows fit in y ({n} time points, h={h}); the intervals' coverage can fall "
                f"short of nominal: pass a longer trajectory or lower h.", UserWarning,
                stacklevel=4,
            )
        self._scores[h] = np.stack(scores)
        return self._scores[h]

    def _predict_interval(self, times: np.ndarray, coverage: float) -> tuple[np.ndarray, np.ndarray]:
        from tsclassic.compose import conformal_quantile

        half = conformal_quantile(self._calibrate(len(times)), coverage, type(self).__name__)
        mean = self._solve(self.last_state_, float(self.trajectory_.times[-1]), times)
        return mean - half, mean + half


def _power(names: list[str], term: tuple[int, ...]) -> list[str]:
    """``(0, 0, 1)`` -> ``["x^2", "y"]``."""
    out = []
    for i in sorted(set(term)):
        p = term.count(i)
        out.append(names[i] if p == 1 else f"{names[i]}^{p}")
    return out
