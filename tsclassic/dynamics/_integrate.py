"""Integration of a right-hand side with ``solve_ivp``, with failures turned into messages.

The estimators call :func:`integrate` thousands of times inside a least-squares loop, so it
never raises on a failed solve: it returns ``None`` and a reason, and the caller decides
whether the failure is a rejected trial step or an error for the user.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy.integrate import solve_ivp

__all__ = [
    "ODEIntegrationError", "integrate", "check_rhs_output", "SOLVER_METHODS", "CallBudget",
    "BudgetExhausted",
]

SOLVER_METHODS = ("RK45", "RK23", "DOP853", "Radau", "BDF", "LSODA")

# A solve that needs more right-hand-side calls than this is stiff or diverging; stopping it
# keeps one bad trial step of the optimiser from hanging the whole fit.
_MAX_CALLS = 100_000


class CallBudget:
    """Right-hand-side evaluations left to one fit, shared by all its solves.

    A fit whose trial parameters make the equations stiff can otherwise spend minutes
    (126 s for a damped oscillator on flat data); once the budget is spent the solve in
    progress stops and :class:`BudgetExhausted` ends the fit.
    """

    def __init__(self, calls: int):
        self.total = int(calls)
        self.left = int(calls)


class BudgetExhausted(Exception):
    """The fit's budget of right-hand-side evaluations is spent."""


class ODEIntegrationError(RuntimeError):
    """The ODE solver failed or the solution diverged."""


class _TooManyCalls(Exception):
    pass


def check_rhs_output(value: object, n_states: int, where: str) -> np.ndarray:
    """Check one evaluation of the right-hand side: shape ``(n_states,)`` and finite."""
    try:
        out = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(f"rhs must return numbers ({where}); got {value!r}: {err}") from None
    if out.shape not in ((n_states,), (n_states, 1)):
        raise ValueError(
            f"rhs returned an array of shape {out.shape} {where}, but the model has "
            f"{n_states} states: it must return one derivative per state, shape ({n_states},)."
        )
    if not np.all(np.isfinite(out)):
        raise ValueError(
            f"rhs returned non-finite values {out.ravel().tolist()} {where}; check the "
            f"formula, the starting values (p0, y0) and the bounds."
        )
    return out.ravel()


def integrate(
    rhs: Callable,
    params: Sequence[float],
    y0: np.ndarray,
    t_start: float,
    t_eval: np.ndarray,
    method: str = "RK45",
    rtol: float = 1e-8,
    atol: float = 1e-10,
    limit: float = np.inf,
    budget: CallBudget | None = None,
) -> tuple[np.ndarray | None, str]:
    """Solve ``dy/dt = rhs(t, y, *params)`` from ``y(t_start) = y0``.

    With a ``budget``, every call is charged to it and :class:`BudgetExhausted` is raised
    when it is spent.

    Returns
    -------
    states : ndarray of shape (len(t_eval), n_states), or None on failure
    reason : str
        Empty on success, otherwise why the solve failed.
    """
    y0 = np.asarray(y0, dtype=np.float64)
    t_eval = np.asarray(t_eval, dtype=np.float64)
    if t_eval[-1] <= t_start:
        # Only the starting point is asked for.
        return np.tile(y0, (len(t_eval), 1)), ""
    args = tuple(float(p) for p in params)
    calls = [0]

    def fun(t, y):
        calls[0] += 1
        if calls[0] > _MAX_CALLS:
            raise _TooManyCalls
        if budget is not None:
            budget.left -= 1
            if budget.left < 0:
                raise BudgetExhausted
        return np.asarray(rhs(t, y, *args), dtype=np.float64).ravel()

    def blow_up(t, y):
        return limit - np.max(np.abs(y))

    blow_up.terminal = True
    events = blow_up if np.isfinite(limit) else None
    try:
        with np.errstate(all="ignore"):
            sol = solve_ivp(
                fun, (t_start, t_eval[-1]), y0, method=method, t_eval=t_eval, rtol=rtol,
                atol=atol, events=events,
            )
    except _TooManyCalls:
        return None, f"the solver needed more than {_MAX_CALLS} right-hand-side calls"
    except (ValueError, TypeError, ArithmeticError, IndexError) as err:
        return None, f"the right-hand side raised {type(err).__name__}: {err}"
    if sol.status == 1:
        return None, f"the solution diverged (|y| > {limit:.3g}) near t = {sol.t[-1]:.6g}"
    if sol.status != 0 or sol.y.shape[1] != len(t_eval):
        return None, f"the solver stopped: {sol.message}"
    states = sol.y.T
    if not np.all(np.isfinite(states)):
        return None, "the solution became non-finite"
    return states, ""


def failure_message(
    reason: str, names: Sequence[str], params: Sequence[float], y0: Sequence[float],
    state_names: Sequence[str], method: str,
) -> str:
    """A user-facing message: what failed, at which parameters, and what to try."""
    shown = ", ".join(f"{n}={float(v):.6g}" for n, v in zip(names, params))
    start = ", ".join(f"{n}={float(v):.6g}" for n, v in zip(state_names, y0))
    stiff = (
        "a stiff method (method='LSODA', 'Radau' or 'BDF')" if method not in ("Radau", "BDF", "LSODA")
        else "another stiff method or looser rtol/atol"
    )
    return (
        f"ODE integration failed: {reason}, with parameters {shown} and initial state {start}. "
        f"Try {stiff}, better starting values (p0, y0) or tighter bounds."
    )
