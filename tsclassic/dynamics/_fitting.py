"""Least-squares estimation of ODE parameters: single and multiple shooting.

The unknowns are the parameters and the state at each shooting node (one node, the first
observation, for single shooting). Residuals are the observations minus the solution,
each column divided by its noise scale, followed, for several segments, by the
continuity defects between one segment's end and the next node, weighted heavily so that
the segments join into one trajectory at the solution. Multiple shooting first solves with
a weak continuity weight (each segment follows its own data) and then with the full one;
a heavy penalty from the start behaves like single shooting and finds the same wrong
minima on chaotic data.

The Jacobian is a forward difference computed here rather than by ``least_squares``:
moving a node state only changes its own segment, so only that segment is re-integrated,
and the derivative of a defect with respect to the next node is exact (-1).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.optimize import least_squares

from tsclassic.dynamics._integrate import (
    BudgetExhausted,
    CallBudget,
    ODEIntegrationError,
    failure_message,
    integrate,
)

__all__ = ["fit_least_squares"]

# Weight of a continuity defect relative to one standardised data residual: large enough
# that the joined trajectory is continuous to about 1e-4 of the state's scale.
_CONTINUITY_WEIGHT = 100.0
# Residual returned for a failed solve: a huge but finite cost, so the trust region shrinks
# instead of the optimiser receiving NaN.
_FAILED = 1e8
# Relative finite-difference step: well above the solver's rtol so that the Jacobian is
# not dominated by integration noise.
_DIFF_STEP = 1e-5


def _nodes(n: int, shooting: int) -> np.ndarray:
    nodes = np.round(np.linspace(0, n - 1, shooting + 1)).astype(int)
    if shooting > 1 and np.any(np.diff(nodes) < 2):
        raise ValueError(
            f"shooting={shooting} leaves fewer than 2 time steps per segment for {n} "
            f"observations; use at most shooting={max((n - 1) // 2, 1)}."
        )
    return nodes


class _Problem:
    """The residual function of one fit, with what it needs to report a failure."""

    def __init__(self, rhs, times, data, obs, nodes, n_params, n_states, log_space, solver,
                 scales, cont_scales, limit, budget=None):
        self.rhs, self.times, self.data, self.obs = rhs, times, data, obs
        self.nodes, self.P, self.S, self.log = nodes, n_params, n_states, log_space
        self.solver, self.scales, self.cont_scales, self.limit = solver, scales, cont_scales, limit
        self.K = len(nodes) - 1
        self.failure: tuple | None = None
        self.weight = _CONTINUITY_WEIGHT
        self._cache = None
        self.budget = budget
        self.best: tuple[float, np.ndarray] | None = None  # lowest cost seen, its point

    def unpack(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x = np.exp(z) if self.log else z
        return x[: self.P], x[self.P:].reshape(self.K, self.S)

    def _segment(self, theta: np.ndarray, start: np.ndarray, k: int):
        """Residual block of segment ``k``, its end state (log scale if ``log``), path."""
        a, b = self.nodes[k], self.nodes[k + 1]
        path, reason = integrate(
            self.rhs, theta, start, self.times[a], self.times[a:b + 1], *self.solver,
            limit=self.limit, budget=self.budget,
        )
        if path is not None and self.log and np.any(path[:, self.obs] <= 0):
            path, reason = None, "an observed state reached zero or below on the log scale"
        if path is None:
            self.failure = (reason, theta, start)
            return None
        rows = path if k == self.K - 1 else path[:-1]
        model = rows[:, self.obs]
        model = np.log(model) if self.log else model
        block = ((self.data[a:a + len(rows)] - model) / self.scales).ravel()
        end = np.log(np.abs(path[-1]) + 1e-300) if self.log else path[-1]
        return block, end, path

    def segments(self, z: np.ndarray) -> list | None:
        theta, starts = self.unpack(z)
        out = []
        for k in range(self.K):
            seg = self._segment(theta, starts[k], k)
            if seg is None:
                return None
            out.append(seg)
        return out

    def _assemble(self, z: np.ndarray, segs: list) -> np.ndarray:
        data_res = np.concatenate([seg[0] for seg in segs])
        if self.K == 1:
            return data_res
        # Node states are the unknowns themselves (their logs on the log scale).
        nodes = z[self.P:].reshape(self.K, self.S)
        ends = np.array([seg[1] for seg in segs[:-1]])
        cont = ((ends - nodes[1:]) / self.cont_scales).ravel() * self.weight
        return np.concatenate([data_res, cont])

    def __call__(self, z: np.ndarray) -> np.ndarray:
        segs = self.segments(z)
        if segs is None:
            return np.full(self.data.size + (self.K - 1) * self.S, _FAILED)
        self._cache = (z.copy(), segs)
        out = self._assemble(z, segs)
        cost = float(out @ out)
        if self.best is None or cost < self.best[0]:
            self.best = (cost, z.copy())
        return out

    def jac(self, z: np.ndarray) -> np.ndarray:
        """Forward differences that re-integrate only what an unknown moves: every segment
        for a parameter, one segment for a node state."""
        if getattr(self, "_cache", None) is None or not np.array_equal(self._cache[0], z):
            self(z)
        segs = self._cache[1] if self._cache is not None else None
        f0 = self._assemble(z, segs)
        J = np.zeros((f0.size, z.size))
        steps = _DIFF_STEP * np.maximum(1.0, np.abs(z))
        for j in range(self.P):
            zp = z.copy()
            zp[j] += steps[j]
            segs_p = self.segments(zp)
            if segs_p is not None:
                J[:, j] = (self._assemble(zp, segs_p) - f0) / steps[j]
        theta, starts = self.unpack(z)
        n_data = self.data.size
        offsets = np.cumsum([0] + [len(seg[0]) for seg in segs])
        for k in range(self.K):
            for i in range(self.S):
                col = self.P + k * self.S + i
                zp = z.copy()
                zp[col] += steps[col]
                seg = self._segment(theta, self.unpack(zp)[1][k], k)
                if seg is not None:
                    rows = slice(offsets[k], offsets[k + 1])
                    J[rows, col] = (seg[0] - segs[k][0]) / steps[col]
                    if k < self.K - 1:
                        r = slice(n_data + k * self.S, n_data + (k + 1) * self.S)
                        J[r, col] = (seg[1] - segs[k][1]) / steps[col] / self.cont_scales
                        J[r, col] *= self.weight
                if k > 0:
                    J[n_data + (k - 1) * self.S + i, col] -= self.weight / self.cont_scales[i]
        self._cache = (z.copy(), segs)
        return J


def fit_least_squares(
    rhs: Callable, theta: np.ndarray, start: np.ndarray, lower: np.ndarray, upper: np.ndarray,
    times: np.ndarray, values: np.ndarray, obs: list[int], *, log_space: bool, shooting: int,
    method: str, rtol: float, atol: float, max_nfev: int | None, names: list[str],
    states: list[str], max_calls: int,
) -> dict:
    """Estimate parameters and initial state; return estimates, covariance and residuals.

    At most ``max_calls`` evaluations of ``rhs`` are spent on the search; when they run
    out, the best point seen is returned with ``"converged": False``.
    """
    n, k = values.shape
    P, S = len(theta), len(start)
    nodes = _nodes(n, shooting)
    K = len(nodes) - 1
    solver = (method, rtol, atol)
    limit = 1e6 * max(1.0, float(np.max(np.abs(values))), float(np.max(np.abs(start))))
    # Starting node states: the data for observed states, the guessed solution otherwise.
    guess_path, _ = integrate(rhs, theta, start, times[0], times, *solver, limit=limit)
    node_states = np.tile(start, (K, 1))
    if guess_path is not None:
        node_states = guess_path[nodes[:-1]].copy()
    node_states[:, obs] = values[nodes[:-1]]
    node_states[0] = start
    x0 = np.concatenate([theta, node_states.ravel()])
    lo = np.concatenate([lower[:P], np.tile(lower[P:], K)])
    hi = np.concatenate([upper[:P], np.tile(upper[P:], K)])
    x0 = np.clip(x0, lo, hi)
    if log_space:
        if np.any(x0 <= 0):
            raise ValueError(
                "log_space=True needs positive starting values; p0/y0 (or the first "
                "observations) contain zero or negative values."
            )
        with np.errstate(divide="ignore"):
            z0, lo, hi = np.log(x0), np.log(lo), np.log(hi)
    else:
        z0 = x0
    data = np.log(values) if log_space else values
    scales = np.std(data, axis=0)
    scales[scales <= 0] = 1.0
    cont_scales = np.ones(S)
    if guess_path is not None:
        spread = np.std(np.log(np.abs(guess_path) + 1e-300) if log_space else guess_path, axis=0)
        cont_scales = np.where(spread > 0, spread, 1.0)
    cont_scales[obs] = scales
    problem = _Problem(rhs, times, data, obs, nodes, P, S, log_space, solver, scales,
                       cont_scales, limit, CallBudget(max_calls))
    if problem(z0)[0] == _FAILED:
        reason, th, st = problem.failure
        raise ODEIntegrationError(failure_message(reason, names, th, st, states, method))
    options = dict(
        bounds=(lo, hi), x_scale="jac", jac=problem.jac, tr_solver="exact",
        max_nfev=max_nfev or 100 * len(z0), method="trf",
    )
    try:
        res = _search(problem, z0, options, K, n, k, scales, obs)
        exhausted = False
    except BudgetExhausted:
        # Out of right-hand-side calls: finish from the best point seen, unbudgeted (the
        # summary below needs a few solves and one Jacobian).
        problem.budget = None
        z_best = problem.best[1] if problem.best is not None else z0
        res = _Result(z_best, problem(z_best), problem.jac(z_best))
        exhausted = True
    problem.budget = None
    segs = problem.segments(res.x)
    if segs is None:
        reason, theta_f, start_f = problem.failure
        raise ODEIntegrationError(failure_message(reason, names, theta_f, start_f, states, method))
    summary = _summary(problem, res, segs, n, k, P, S)
    if exhausted:
        summary["converged"] = False
        summary["message"] = (
            f"the fit spent its budget of {max_calls} right-hand-side evaluations; the "
            f"trial parameters made the equations stiff or the start is far from a minimum"
        )
    return summary


class _Result:
    """What :func:`_summary` reads of a ``least_squares`` result."""

    def __init__(self, x, fun, jac):
        self.x, self.fun, self.jac = x, fun, jac
        self.cost = 0.5 * float(fun @ fun)
        self.nfev, self.status, self.message = 0, 0, "stopped early"


def _search(problem: _Problem, z0, options, K, n, k, scales, obs):
    res = None
    # Multiple shooting starts with a weak continuity penalty, so that each segment first
    # follows its own data (the point of shooting), then joins the segments.
    for weight in (_CONTINUITY_WEIGHT / 100, _CONTINUITY_WEIGHT) if K > 1 else (problem.weight,):
        problem.weight = weight
        problem.best = None  # a new weight is a new cost function
        res = least_squares(problem, z0 if res is None else res.x, **options)
    if k > 1:
        # Feasible weighted least squares: reweight each column by its own residual scale.
        rms = np.sqrt(np.mean(res.fun[: n * k].reshape(n, k) ** 2, axis=0))
        problem.scales = scales * np.where(rms > 0, rms, 1.0)
        problem.cont_scales[obs] = problem.scales
        problem.best = None
        res = least_squares(problem, res.x, **options)
    return res


def _summary(problem: _Problem, res, segs, n, k, P, S) -> dict:
    K = problem.K
    fitted = np.vstack([seg[2][:-1] for seg in segs[:-1]] + [segs[-1][2]])
    model = fitted[:, problem.obs]
    residuals = problem.data - (np.log(model) if problem.log else model)
    dof = n * k - P - S
    J = np.asarray(res.jac)
    if dof > 0:
        s2 = float(np.sum(res.fun[: n * k] ** 2)) / dof
        cov_z = s2 * np.linalg.pinv(J.T @ J)
    else:
        cov_z = np.full((len(res.x), len(res.x)), np.nan)
    x = np.exp(res.x) if problem.log else res.x
    jac_x = np.diag(x) if problem.log else np.eye(len(x))
    cov_x = jac_x @ cov_z @ jac_x
    first = list(range(P + S))
    last = list(range(P)) + list(range(P + (K - 1) * S, P + K * S))
    theta, starts = problem.unpack(res.x)
    per_col = max(n - (P + S) / k, 1.0)
    return {
        "theta": theta,
        "start": starts[0],
        "bse": np.sqrt(np.clip(np.diag(cov_x)[: P + S], 0, None)),
        "cov": cov_x[np.ix_(first, first)],
        "node_cov": cov_z[np.ix_(last, last)],
        "node": starts[-1],
        "node_time": problem.times[problem.nodes[-2]],
        "residuals": residuals,
        "fitted": fitted,
        "sigma": np.sqrt(np.sum(residuals**2, axis=0) / per_col),
        "end": segs[-1][2][-1],
        "cost": res.cost,
        "nfev": res.nfev,
        "converged": res.status > 0,
        "message": res.message,
    }
