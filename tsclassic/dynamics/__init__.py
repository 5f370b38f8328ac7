"""Nonlinear dynamics: mechanistic ODE models fitted to data, and sparse identification
of the equations (SINDy).

- :class:`ODEModel` fits the parameters and initial state of ``dy/dt = rhs(t, y, *params)``
  to a multivariate series by least squares on the ``solve_ivp`` solution.
- Presets: :class:`LotkaVolterra`, :class:`Logistic`, :class:`SIR`, :class:`SEIR`,
  :class:`DampedOscillator`, :class:`Lorenz`.
- :class:`SINDy` discovers sparse polynomial equations from data.
"""

from tsclassic.dynamics._derivatives import smoothed_derivative
from tsclassic.dynamics._integrate import ODEIntegrationError
from tsclassic.dynamics._ode import ODEModel
from tsclassic.dynamics._presets import (
    SEIR,
    SIR,
    DampedOscillator,
    Logistic,
    Lorenz,
    LotkaVolterra,
)
from tsclassic.dynamics._sindy import SINDy

__all__ = [
    "ODEModel",
    "LotkaVolterra",
    "Logistic",
    "SIR",
    "SEIR",
    "DampedOscillator",
    "Lorenz",
    "SINDy",
    "smoothed_derivative",
    "ODEIntegrationError",
]
