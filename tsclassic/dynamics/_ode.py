"""ODEModel: a mechanistic ODE whose parameters and initial state are fitted to data.

The model ``dy/dt = rhs(t, y, *params)`` is solved with ``scipy.integrate.solve_ivp`` and
its parameters and initial state are estimated by (weighted) least squares with
``scipy.optimize.least_squares``, optionally on the log scale (lognormal errors, positive
quantities) and by multiple shooting (several segments, each started from its own
estimated state, tied together by a continuity penalty) for long or chaotic series.

References
----------
Bard (1974), *Nonlinear Parameter Estimation*, ch. 7 (standard errors from the Jacobian).
Bock (1983), "Recent advances in parameter identification techniques for ODE", in
*Numerical Treatment of Inverse Problems* (multiple shooting).
Carpenter (2018), "Predator-Prey Population Dynamics: the Lotka-Volterra model in Stan".
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning

from tsclassic._params import Integral, Interval, StrOptions, renamed_params
from tsclassic.base import BaseTrajectoryModel, Tags
from tsclassic.dynamics._fitting import fit_least_squares
from tsclassic.dynamics._frames import wrap
from tsclassic.dynamics._integrate import (
    SOLVER_METHODS,
    ODEIntegrationError,
    check_rhs_output,
    failure_message,
    integrate,
)

__all__ = ["ODEModel"]

# Budget of right-hand-side evaluations per fit (a few seconds of Python).
_FIT_CALLS = 400_000
# Below this share of explained variance in any observed column, the fit is not trusted.
_MIN_R2 = 0.5
# Relative step of the central differences of the forecast in the unknowns (intervals):
# far above the solver's tolerances, so the derivative is not integration noise.
_INTERVAL_STEP = 1e-4


def _names(value: Any, name: str) -> list[str]:
    if isinstance(value, str) or value is None:
        raise TypeError(f"{name} must be a list of strings, e.g. ['a', 'b']; got {value!r}.")
    names = [str(v) for v in value]
    if not names or len(set(names)) != len(names):
        raise ValueError(f"{name} must hold at least one name, each once; got {names}.")
    return names


def _mapping(value: Any, known: list[str], name: str) -> dict[str, Any]:
    """A dict keyed by known names, from a dict, a Series or a sequence in ``known`` order."""
    if value is None:
        return {}
    if isinstance(value, (dict, pd.Series)):
        out = dict(value.items())
        unknown = sorted(set(map(str, out)) - set(known))
        if unknown:
            raise ValueError(f"{name} has unknown names {unknown}; known names: {known}.")
        return {str(k): v for k, v in out.items()}
    seq = list(value)
    if len(seq) != len(known):
        raise ValueError(f"{name} has {len(seq)} values but there are {len(known)}: {known}.")
    return dict(zip(known, seq))


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (Real, np.floating, np.integer)):
        raise TypeError(f"{name} must be a number; got {value!r}.")
    return float(value)


@renamed_params(positional=("param_names", "state_names", "observed"))
class ODEModel(BaseTrajectoryModel):
    """A mechanistic ordinary differential equation fitted to a multivariate series.

    Parameters
    ----------
    rhs : callable
        ``rhs(t, y, *params) -> array of shape (n_states,)``, the derivative of the states
        ``y`` at time ``t`` (a module-level function if the model is to be pickled).
    param_names : list of str
        Names of the parameters, in the order ``rhs`` takes them.
    state_names : list of str
        Names of the states, in the order of ``y``.
    observed : list of str, optional
        The states that the columns of ``y`` observe, in column order. Default: the states
        named like ``y``'s columns when any column is named after a state (then every
        column must be: a column that names no state is refused, never read as a state);
        otherwise all states in order, when ``y`` has one column per state.
    p0 : dict or sequence, optional
        Starting values of the parameters (default: the presets' guesses, else 1).
    y0 : dict or sequence, optional
        Starting values of the initial state; needed for unobserved states that have no
        preset guess (observed states start at their first observation).
    bounds : dict, optional
        ``{name: (low, high)}`` for parameters and states (state names for the initial
        state); ``None`` entries mean unbounded.
    log_space : bool, default False
        Fit on the log scale: parameters and states stay positive and the errors are
        lognormal (residuals are ``log(y) - log(model)``). Natural for populations.
    shooting : int, optional
        Number of multiple-shooting segments (1 or None: single shooting). Several segments
        make long or chaotic series tractable; predictions start from the last segment.
    method : str, default "RK45"
        A ``solve_ivp`` method; "LSODA", "Radau" or "BDF" for stiff systems.
    rtol, atol : float, default 1e-8 and 1e-10
        Solver tolerances; tight, because the Jacobian comes from finite differences of
        the solution.
    max_nfev : int, optional
        Most residual evaluations of ``least_squares`` (default: 100 per unknown). The
        whole fit also stops after 400,000 evaluations of ``rhs`` (a few seconds; scaled
        up with a larger ``max_nfev``), with ``converged_`` False, so that trial
        parameters that make the equations stiff cannot take minutes.

    Attributes
    ----------
    params_ : pd.Series
        Estimated parameters, indexed by name.
    bse_ : pd.Series
        Their standard errors (Gauss-Newton covariance ``s^2 (J'J)^-1``; delta method on
        the log scale).
    initial_state_ : pd.Series
        Estimated state at the first observation time (all states).
    cov_ : pd.DataFrame
        Covariance of the parameters and the initial state (``<state>_0``).
    residuals_ : pd.DataFrame or ndarray of shape (n_obs, n_observed)
        Observed minus fitted, on the log scale when ``log_space``.
    fitted_ : pd.DataFrame or ndarray of shape (n_obs, n_states)
        The fitted trajectory of every state at the observation times.
    sigma_ : pd.Series
        Residual standard deviation of each observed column.
    r2_ : pd.Series
        Share of each observed column's variance (on the log scale when ``log_space``)
        that the fitted trajectory explains.
    converged_ : bool
        The fit's verdict: the optimiser converged within its budget, no parameter ended
        on a bound derived from the data, and the trajectory explains at least half the
        variance of every observed column that varies. When False a
        ``ConvergenceWarning`` says why and what to try (``p0`` near the truth,
        ``shooting`` for long or oscillating series).
    state_names_ : list of str
        Output column labels: ``y``'s column names for observed states, ``state_names``
        for the others.

    Notes
    -----
    ``predict_interval(h, coverage)`` is the Gauss-Newton prediction interval of nonlinear
    least squares (Seber & Wild 1989, sec. 5.1): the forecast's sensitivity ``g`` to the
    parameters and the state at the start of the last segment (central differences)
    gives the variance ``g' C g`` of the forecast from ``cov_`` (``C``), the observation
    noise ``sigma_`` is added for the observed states, and the bounds are the forecast
    plus or minus Student's t quantile times its standard deviation, with the degrees of
    freedom of each state's own noise estimate (``n_obs`` minus its share of the
    unknowns, as ``sigma_`` is computed); on the log scale when ``log_space``, so the
    bounds of a population stay positive. For a state that is not observed the interval
    holds the state itself (no observation noise).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from tsclassic.dynamics import ODEModel
    >>> def decay(t, y, k):
    ...     return -k * y
    >>> t = np.arange(10.0)
    >>> y = pd.DataFrame({"x": 5 * np.exp(-0.3 * t)}, index=t)
    >>> model = ODEModel(decay, param_names=["k"], state_names=["x"]).fit(y)
    >>> round(float(model.params_["k"]), 3)
    0.3
    """

    # Presets fill these; ODEModel itself has no defaults.
    _default_p0: dict[str, float] = {}
    _default_bounds: dict[str, tuple[float | None, float | None]] = {}
    _tags = Tags(multivariate=True, intervals=True)
    _parameter_constraints: dict[str, list] = {
        "rhs": [callable],
        "param_names": [list, tuple],
        "state_names": [list, tuple],
        "observed": [list, tuple, None],
        "p0": [dict, pd.Series, list, tuple, np.ndarray, None],
        "y0": [dict, pd.Series, list, tuple, np.ndarray, None],
        "bounds": [dict, None],
        "log_space": ["boolean"],
        "shooting": [Interval(Integral, 1, None, closed="left"), None],
        "method": [StrOptions(set(SOLVER_METHODS))],
        "rtol": [Interval(Real, 0, None, closed="neither")],
        "atol": [Interval(Real, 0, None, closed="neither")],
        "max_nfev": [Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(
        self,
        rhs: Callable,
        *,
        param_names: Sequence[str],
        state_names: Sequence[str],
        observed: Sequence[str] | None = None,
        p0: Any = None,
        y0: Any = None,
        bounds: dict | None = None,
        log_space: bool = False,
        shooting: int | None = None,
        method: str = "RK45",
        rtol: float = 1e-8,
        atol: float = 1e-10,
        max_nfev: int | None = None,
    ):
        self.rhs = rhs
        self.param_names = param_names
        self.state_names = state_names
        self.observed = observed
        self.p0 = p0
        self.y0 = y0
        self.bounds = bounds
        self.log_space = log_space
        self.shooting = shooting
        self.method = method
        self.rtol = rtol
        self.atol = atol
        self.max_nfev = max_nfev

    # -- hooks for presets -----------------------------------------------------------------
    def _spec(self) -> tuple[Callable, list[str], list[str]]:
        if not callable(self.rhs):
            raise TypeError(f"rhs must be a function rhs(t, y, *params); got {self.rhs!r}.")
        return (
            self.rhs, _names(self.param_names, "param_names"), _names(self.state_names, "state_names")
        )

    def _guess(self, times: np.ndarray, values: np.ndarray, observed: list[int]) -> tuple[dict, dict]:
        """Data-driven starting values ``(params, initial states)``; presets override."""
        return {}, {}

    def _data_bounds(self, times: np.ndarray, values: np.ndarray, observed: list[int]) -> dict:
        """Bounds derived from the data (e.g. no frequency above Nyquist); presets override.
        A fit that ends on one of them is not trusted (``converged_`` False)."""
        return {}

    @classmethod
    def _test_params(cls) -> list[dict]:
        return [{"rhs": _decay, "param_names": ["k"], "state_names": ["x"]}]

    @classmethod
    def _conformance_data(cls) -> pd.DataFrame:
        t = np.arange(12.0)
        wiggle = 0.01 * np.sin(3.0 * t)  # deterministic "noise" so the fit has residuals
        return pd.DataFrame({"x": 5.0 * np.exp(-0.3 * t) + wiggle}, index=pd.Index(t, name="t"))

    @classmethod
    def _coverage_data(cls, rng: np.random.Generator, ahead: int) -> pd.DataFrame:
        """The example decay continued ``ahead`` steps, with Gaussian noise of known size."""
        t = np.arange(12.0 + ahead)
        clean = 5.0 * np.exp(-0.3 * t)
        noisy = clean + 0.05 * clean.std() * rng.standard_normal(len(t))
        return pd.DataFrame({"x": noisy}, index=pd.Index(t, name="t"))

    # -- fitting -----------------------------------------------------------------------------
    def _observed_indices(self, states: list[str], columns: list) -> list[int]:
        k = len(columns)
        if self.observed is not None:
            observed = _names(self.observed, "observed")
            unknown = [s for s in observed if s not in states]
            if unknown:
                raise ValueError(f"observed names unknown states {unknown}; states: {states}.")
            if len(observed) != k:
                raise ValueError(
                    f"observed lists {len(observed)} states but y has {k} columns; give one "
                    f"state per column of y."
                )
            return [states.index(s) for s in observed]
        named = [str(c) for c in columns]
        if any(c in states for c in named):
            unknown = [c for c in named if c not in states]
            if unknown:
                kept = [c for c in named if c in states]
                raise ValueError(
                    f"y has columns {unknown} that name no state of {type(self).__name__} "
                    f"(states: {states}); they are not read as states. Drop them "
                    f"(y[{kept}]) or pass observed=[...] with one state per column."
                )
            if len(set(named)) != len(named):
                raise ValueError(f"y names a state twice in its columns {named}; keep one.")
            return [states.index(c) for c in named]
        if k == len(states):
            return list(range(k))
        raise ValueError(
            f"y has {k} columns {named} but the model has {len(states)} states {states}; name "
            f"the columns after the states they observe, or pass observed=[...]."
        )

    def _starting_values(self, names, states, times, values, obs):
        guess_p, guess_y = self._guess(times, values, obs)
        p0 = {**{n: 1.0 for n in names}, **self._default_p0, **guess_p,
              **_mapping(self.p0, names, "p0")}
        first = {states[j]: values[0, c] for c, j in enumerate(obs)}
        y0 = {**guess_y, **first, **_mapping(self.y0, states, "y0")}
        missing = [s for s in states if s not in y0]
        if missing:
            raise ValueError(
                f"the states {missing} are not observed and have no starting value; pass "
                f"y0={{{', '.join(repr(s) + ': ...' for s in missing)}}}."
            )
        theta = np.array([_number(p0[n], f"p0[{n!r}]") for n in names])
        start = np.array([_number(y0[s], f"y0[{s!r}]") for s in states])
        user = _mapping(self.bounds, names + states, "bounds")
        data = self._data_bounds(times, values, obs)
        merged = {**self._default_bounds, **data, **user}
        lower, upper = [], []
        for n in names + states:
            lo, hi = merged.get(n, (None, None))
            lower.append(-np.inf if lo is None else float(lo))
            upper.append(np.inf if hi is None else float(hi))
        return theta, start, np.array(lower), np.array(upper)

    def _min_length(self, n_columns: int) -> tuple[int, str]:
        _, names, states = self._spec()
        n_unknown = len(names) + len(states)
        return n_unknown // n_columns + 1, (
            f"it estimates {len(names)} parameters and {len(states)} initial states, so it "
            f"needs more than {n_unknown} observed values ({n_columns} per time point)"
        )

    def _fit(self, values: np.ndarray, times: np.ndarray) -> None:
        owner = type(self).__name__
        rhs, names, states = self._spec()
        traj = self.trajectory_
        obs = self._observed_indices(states, traj.columns)
        theta, start, lower, upper = self._starting_values(names, states, times, values, obs)
        if self.log_space and (np.any(values <= 0) or np.any(lower < 0)):
            raise ValueError(
                "log_space=True needs positive observations and non-negative lower bounds; "
                "y has non-positive values or a bound is negative: fit with log_space=False."
            )
        where = f"at the starting values (t={times[0]:g}, p0={dict(zip(names, theta))})"
        try:
            first = rhs(times[0], start.copy(), *theta)
        except Exception as err:  # noqa: BLE001 - any error of user code, reported with context
            raise TypeError(
                f"rhs raised {type(err).__name__}: {err} {where}; it is called as "
                f"rhs(t, y, {', '.join(names)}) with y of shape ({len(states)},)."
            ) from err
        check_rhs_output(first, len(states), where)
        default_nfev = 100 * (len(names) + len(states) * (self.shooting or 1))
        result = fit_least_squares(
            rhs, theta, start, lower, upper, times, values, obs,
            log_space=bool(self.log_space), shooting=self.shooting or 1, method=self.method,
            rtol=float(self.rtol), atol=float(self.atol), max_nfev=self.max_nfev,
            names=names, states=states,
            max_calls=int(_FIT_CALLS * max(1.0, (self.max_nfev or 0) / default_nfev)),
        )
        self._store(result, traj, names, states, obs)
        data_bounds = self._data_bounds(times, values, obs)
        problems = self._verdict(result, names, states, lower, upper, data_bounds)
        self.converged_ = not problems
        if problems:
            guess = ", ".join(f"{n!r}: ..." for n in names)
            warnings.warn(
                f"{owner}: the fit is not trusted: {'; '.join(problems)}. Try starting values "
                f"near the truth (p0={{{guess}}}), shooting=4 (multiple shooting, for long or "
                f"oscillating series) or log_space=True for positive populations; check "
                f"converged_ after refitting.", ConvergenceWarning, stacklevel=3,
            )

    def _verdict(self, result, names, states, lower, upper, data_bounds) -> list[str]:
        """Why the fit should not be trusted (empty when it should)."""
        problems = []
        if not result["converged"]:
            problems.append(f"the optimiser stopped before converging ({result['message']})")
        estimates = dict(zip(names, result["theta"]))
        estimates.update(zip(states, result["start"]))
        for name, edges in data_bounds.items():
            value = estimates[name]
            scale = max(abs(value), 1e-12)
            physical = self._default_bounds.get(name, (None, None))
            for edge, fixed in zip(edges, physical):
                # Only an edge set from the data flags the fit (zeta = 0 is no warning).
                if edge is not None and edge != fixed and abs(value - edge) <= 1e-6 * scale:
                    problems.append(
                        f"{name}={value:.6g} ended on its bound {edge:.6g}, set from the data "
                        f"(pass bounds={{{name!r}: (low, high)}} to move it)"
                    )
        poor = self.r2_[self.r2_ < _MIN_R2]
        if len(poor):
            shown = ", ".join(f"{c} {v:.0%}" for c, v in poor.items())
            problems.append(
                f"the fitted trajectory explains little of the data ({shown} of the "
                f"variance): probably a local minimum"
            )
        return problems

    def _store(self, result, traj, names, states, obs) -> None:
        labels = list(states)
        for c, j in enumerate(obs):
            if traj.columns[c] is not None:
                labels[j] = str(traj.columns[c])
        self.state_names_ = labels
        self.observed_ = [states[j] for j in obs]
        self.params_ = pd.Series(result["theta"], index=names, name="estimate")
        self.bse_ = pd.Series(result["bse"][: len(names)], index=names, name="bse")
        self.initial_state_ = pd.Series(result["start"], index=labels, name="initial_state")
        keys = names + [f"{s}_0" for s in labels]
        self.cov_ = pd.DataFrame(result["cov"], index=keys, columns=keys)
        index = traj.index
        obs_labels = [labels[j] for j in obs]
        self.residuals_ = wrap(result["residuals"], index, obs_labels)
        self.fitted_ = wrap(result["fitted"], index, labels)
        self.sigma_ = pd.Series(result["sigma"], index=obs_labels, name="sigma")
        data = np.log(traj.values) if self.log_space else traj.values
        spread = np.sum((data - data.mean(axis=0)) ** 2, axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            r2 = np.where(spread > 0, 1.0 - np.sum(result["residuals"] ** 2, axis=0) / spread,
                          np.nan)
        self.r2_ = pd.Series(r2, index=obs_labels, name="r2")
        self.cost_ = float(result["cost"])
        self.nfev_ = int(result["nfev"])
        self.end_state_ = result["end"]
        # For intervals: covariance of (parameters, state at the start of the last segment).
        self._last_node = (float(result["node_time"]), result["node"], result["node_cov"])

    # -- prediction ---------------------------------------------------------------------------
    def _run(self, theta, start, t_start, times) -> np.ndarray:
        rhs, names, states = self._spec()
        path, reason = integrate(rhs, theta, start, t_start, times, self.method, self.rtol, self.atol)
        if path is None:
            raise ODEIntegrationError(
                failure_message(reason, names, theta, start, states, self.method)
            )
        return path

    def _solve(self, start: np.ndarray, t_start: float, times: np.ndarray) -> np.ndarray:
        return self._run(self.params_.to_numpy(), start, t_start, times)

    def _initial_state(self) -> np.ndarray:
        return self.initial_state_.to_numpy()

    def _final_state(self) -> np.ndarray:
        return self.end_state_

    def _predict_interval(self, times: np.ndarray, coverage: float) -> tuple[np.ndarray, np.ndarray]:
        from scipy.stats import t as student

        node_time, node, cov = self._last_node
        theta = self.params_.to_numpy()
        n_params, log = len(theta), bool(self.log_space)
        # The unknowns on the scale of their covariance (logs when log_space).
        z_hat = np.concatenate([theta, node])
        z_hat = np.log(z_hat) if log else z_hat

        rhs, names, states = self._spec()

        def path(z):
            x = np.exp(z) if log else z
            out, _ = integrate(rhs, x[:n_params], x[n_params:], node_time, times, self.method,
                               self.rtol, self.atol)
            return out

        centre = self._run(theta, node, node_time, times)
        # Log scale for positive states when log_space (lognormal errors, positive bounds).
        on_log = np.all(centre > 0, axis=0) & log

        def scale(p):
            return np.where(on_log, np.log(np.where(on_log, p, 1.0)), p)

        steps = _INTERVAL_STEP * np.maximum(1.0, np.abs(z_hat))
        grad = np.empty(centre.shape + (len(z_hat),))
        for j, step in enumerate(steps):
            up, down = z_hat.copy(), z_hat.copy()
            up[j] += step
            down[j] -= step
            above, below = path(up), path(down)
            # An estimate on a bound (a state at 0) may not be integrable on one side: the
            # one-sided difference then.
            if above is None and below is None:
                raise ODEIntegrationError(
                    f"{type(self).__name__}: the forecast cannot be integrated near the fitted "
                    f"{(names + states)[j]}, so it has no interval; refit with a stiff method "
                    f"(method='LSODA') or better starting values (p0, y0)."
                )
            hi_path, hi_z = (above, step) if above is not None else (centre, 0.0)
            lo_path, lo_z = (below, -step) if below is not None else (centre, 0.0)
            grad[..., j] = (scale(hi_path) - scale(lo_path)) / (hi_z - lo_z)
        variance = np.einsum("tsi,ij,tsj->ts", grad, np.nan_to_num(cov), grad)
        obs = [self.state_names_.index(s) for s in self.sigma_.index]
        sigma = self.sigma_.to_numpy()
        # sigma_ is on the log scale when log_space: a state kept on the linear scale gets
        # the noise's delta-method size there.
        noise = np.where(on_log[obs], sigma, sigma * np.abs(centre[:, obs])) if log else sigma
        variance[:, obs] += noise**2
        # Each state's noise variance is its own estimate (sigma_, from its n residuals less
        # its share of the unknowns): its degrees of freedom set the t quantile, not the
        # pooled count, which made the intervals of a two-state model too narrow.
        dof = max(self.n_obs_ - len(z_hat) / len(obs), 1)
        half = student.ppf(0.5 + coverage / 2, dof) * np.sqrt(variance)
        middle = scale(centre)
        lower, upper = middle - half, middle + half
        return np.where(on_log, np.exp(lower), lower), np.where(on_log, np.exp(upper), upper)


def _decay(t, y, k):
    """Exponential decay, the smallest model for the conformance suite."""
    return -k * y
