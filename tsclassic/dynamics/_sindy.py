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
from typing import Any

import numpy as np
import pandas as pd
from scipy.linalg import LinAlgError, solve
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning

from tsclassic._params import (
    NON_NEGATIVE_INT,
    NON_NEGATIVE_REAL,
    POSITIVE_INT,
    check_params,
)
from tsclassic._validation import check_h
from tsclassic.base import _FittedMixin, _VersionedPickleMixin
from tsclassic.dynamics._derivatives import _check_window, smoothed_derivative
from tsclassic.dynamics._frames import check_trajectory, future_times, model_times, wrap
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


class SINDy(_FittedMixin, _VersionedPickleMixin, BaseEstimator):
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

    Attributes
    ----------
    coefficients_ : pd.DataFrame
        One row per state, one column per library term (``"1"``, ``"x"``, ``"x y"``, ...).
    state_names_ : list of str
        The column names of ``y`` (``x0``, ``x1``, ... for arrays).
    feature_names_ : list of str
        The library terms.

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
    _fitted_attribute = "n_obs_"  # the last thing fit sets
    _fit_call = "fit(y)"
    _parameter_constraints: dict[str, list] = {
        "degree": [POSITIVE_INT],
        "threshold": [NON_NEGATIVE_REAL],
        "alpha": [NON_NEGATIVE_REAL],
        "max_iter": [POSITIVE_INT],
        "window_length": [NON_NEGATIVE_INT, None],  # 0 or None: no smoothing
        "polyorder": [NON_NEGATIVE_INT],
    }

    def __init__(
        self,
        degree: int = 2,
        threshold: float = 0.1,
        alpha: float = 0.05,
        max_iter: int = 20,
        window_length: int | None = 11,
        polyorder: int = 3,
    ):
        self.degree = degree
        self.threshold = threshold
        self.alpha = alpha
        self.max_iter = max_iter
        self.window_length = window_length
        self.polyorder = polyorder

    @classmethod
    def _test_params(cls) -> list[dict]:
        return [{}, {"degree": 1, "window_length": None}]

    @classmethod
    def _conformance_data(cls) -> pd.DataFrame:
        from tsclassic.dynamics._presets import Lorenz

        return Lorenz._simulated([10.0, 28.0, 8.0 / 3.0], [-8.0, 8.0, 27.0],
                                 np.arange(0.0, 2.0, 0.005), wiggle=0.0)

    def fit(self, y: Any, t: Any = None) -> SINDy:
        """Identify the equations from the trajectory ``y``.

        Parameters
        ----------
        y : pd.DataFrame or array-like of shape (n_obs, n_states)
            The index is the time (see :class:`ODEModel`).
        t : float or array-like, optional
            NumPy input only: the time step or the times (default 0, 1, ...).

        Returns
        -------
        self
        """
        check_params(self)
        traj = check_trajectory(y, t, "y", type(self).__name__)
        n, k = traj.values.shape
        # The static rules are checked above; what is left depends on the data.
        _check_window(self.window_length, self.polyorder, n)
        terms = polynomial_terms(k, self.degree)
        if n < max(len(terms), 3):
            raise ValueError(
                f"y has {n} rows but the degree-{self.degree} library has {len(terms)} terms; "
                f"pass more rows than terms or lower degree."
            )
        names = [f"x{i}" if c is None else str(c) for i, c in enumerate(traj.columns)]
        smooth, x_dot = smoothed_derivative(traj.values, traj.times, self.window_length,
                                            self.polyorder)
        coef = stlsq(polynomial_library(smooth, terms), x_dot, float(self.threshold),
                     float(self.alpha), int(self.max_iter))
        features = [" ".join(_power(names, term)) if term else "1" for term in terms]
        self.terms_ = terms
        self.state_names_ = names
        self.feature_names_ = features
        self.coefficients_ = pd.DataFrame(coef, index=names, columns=features)
        self.trajectory_ = traj
        self.first_state_ = smooth[0].copy()
        self.last_state_ = smooth[-1].copy()
        self.n_obs_ = n
        return self

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

    def _integrate(self, start: np.ndarray, t_start: float, times: np.ndarray) -> np.ndarray:
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

    def predict(self, h: int) -> np.ndarray | pd.DataFrame:
        """Integrate the identified equations ``h`` steps past the last observation, from
        the last (smoothed) state. The index continues ``y``'s at its step."""
        self._check_fitted()
        h = check_h(h)
        traj = self.trajectory_
        times, index = future_times(traj, h, type(self).__name__)
        return wrap(self._integrate(self.last_state_, traj.times[-1], times), index,
                    self.state_names_)

    def simulate(self, t: Any, y0: Any = None) -> np.ndarray | pd.DataFrame:
        """Solve the identified equations at the times ``t`` from ``y0`` (default: the
        first smoothed state, at the first observation time)."""
        self._check_fitted()
        traj = self.trajectory_
        times, index = model_times(traj, t)
        if y0 is None:
            if times[0] < traj.times[0]:
                raise ValueError(
                    f"t starts at {times[0]:g}, before the first observation "
                    f"({traj.times[0]:g}); start t there or pass y0."
                )
            start, t_start = self.first_state_, traj.times[0]
        else:
            start = np.array(
                [y0[s] for s in self.state_names_] if isinstance(y0, (dict, pd.Series)) else y0,
                dtype=np.float64,
            ).ravel()
            if start.shape != (len(self.state_names_),) or not np.all(np.isfinite(start)):
                raise ValueError(
                    f"y0 must hold {len(self.state_names_)} finite states "
                    f"{self.state_names_}; got {y0!r}."
                )
            t_start = times[0]
        return wrap(self._integrate(start, t_start, times), index, self.state_names_)


def _power(names: list[str], term: tuple[int, ...]) -> list[str]:
    """``(0, 0, 1)`` -> ``["x^2", "y"]``."""
    out = []
    for i in sorted(set(term)):
        p = term.count(i)
        out.append(names[i] if p == 1 else f"{names[i]}^{p}")
    return out
