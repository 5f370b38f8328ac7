"""The compiled kernels of AutoETS: the ETS recursion, its likelihood and its optimiser.

Three kernels with explicit signatures (compiled once, then loaded from numba's on-disk
cache): :func:`ets_filter` runs the state recursion and returns the likelihood criterion,
:func:`ets_nelder_mead` minimises it over the smoothing parameters and initial states,
:func:`ets_simulate` draws future paths (with zero errors, the point forecast).
They live in one file because numba's cache is keyed on the file of each function.

Codes: ``error`` 1 additive, 2 multiplicative; ``trend`` and ``season`` 0 none,
1 additive, 2 multiplicative. The state vector is ``(l, b, s_0, s_-1, ..., s_-(m-1))``
(``b`` only with a trend, the seasons only with a season), most recent season first, as in
Hyndman, Koehler, Ord & Snyder (2008), ch. 2. The recursion is written in the error
correction form in which both error types update the states alike; only the likelihood
differs (eq. 5.3 there): ``n log(sum e_t^2)`` plus, for multiplicative errors,
``2 sum log|mu_t|``. This is -2 log-likelihood up to ``n (log(2 pi / n) + 1)``, a constant
for a given series, as R's ``forecast::ets`` computes it.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_TOL = 1e-10  # |phi - 1| below this counts as no damping; a divisor below it is "zero"
_HUGE = 1e10  # what a ratio with a zero divisor becomes, so that the fit moves away
_BIG = 1e35  # the objective of a rejected point, for the simplex (finite, comparable)
_RELTOL = 1.4901161193847656e-08  # sqrt(machine epsilon): the simplex's stopping rule
_ROOT_SLACK = 1.0 + 1e-10  # characteristic roots may reach this modulus


@njit(cache=True, nogil=True, inline="always")
def _schur_stable(coef, work, degree):
    """Whether every root of ``sum coef[k] z^k`` (``coef[degree] > 0``) lies strictly
    inside the unit circle: the Schur-Cohn step-down recursion, no roots computed.

    Each step replaces p by ``(p(z) - k p*(z)) / z`` with ``k = p(0) / lead`` and
    ``p*`` the reversed polynomial; by Rouche's theorem the root count inside the circle
    drops by exactly one while ``|k| < 1``. ``coef`` and ``work`` are overwritten.
    """
    d = degree
    while d > 0:
        k = coef[0] / coef[d]
        if not abs(k) < 1.0:
            return False
        for j in range(d):
            work[j] = coef[j + 1] - k * coef[d - 1 - j]
        for j in range(d):
            coef[j] = work[j]
        d -= 1
    return True


@njit(cache=True, nogil=True, inline="always")
def _admissible(alpha, beta, gamma, phi, m, trend, season, coef):
    """Hyndman, Akram & Archibald (2008)'s forecastability region (R's ``admissible``)."""
    if phi < 0.0 or phi > 1.0 + 1e-8:
        return False
    if season == 0:
        if alpha < 1.0 - 1.0 / phi or alpha > 1.0 + 1.0 / phi:
            return False
        if trend > 0 and (beta < alpha * (phi - 1.0) or beta > (1.0 + phi) * (2.0 - alpha)):
            return False
        return True
    if m <= 1:
        return True
    floor = 1.0 - 1.0 / phi - alpha
    if gamma < max(floor, 0.0) or gamma > 1.0 + 1.0 / phi - alpha:
        return False
    if alpha < 1.0 - 1.0 / phi - gamma * (1.0 - m + phi + phi * m) / (2.0 * phi * m):
        return False
    if beta < -(1.0 - phi) * (gamma / m + alpha):
        return False
    # The characteristic polynomial of the discount matrix, lowest power first; its roots
    # may reach modulus 1 + 1e-10: test p(r z), r = 1 + 1e-10, strictly inside.
    degree = m + 1
    coef[0] = phi * (1.0 - alpha - gamma)
    coef[1] = alpha + beta - alpha * phi + gamma - 1.0
    for k in range(2, m):
        coef[k] = alpha + beta - alpha * phi
    coef[m] = alpha + beta - phi
    coef[m + 1] = 1.0
    if trend == 0:
        # Without a trend (beta = 0, phi = 1) z = 1 is always a root (the seasonal states
        # are not normalised): divide it out, or the test would sit on the circle.
        carry = 0.0
        for k in range(degree - 1, -1, -1):
            carry += coef[k + 1]  # quotient coefficient k, kept one place up meanwhile
            coef[k + 1] = carry
        for k in range(degree):
            coef[k] = coef[k + 1]
        degree -= 1
    r = 1.0
    for k in range(degree + 1):
        coef[k] *= r
        r *= _ROOT_SLACK
    return _schur_stable(coef, coef[m + 2:], degree)


@njit(
    "float64(float64[::1], float64[::1], int64, int64, int64, int64, float64, float64,"
    " float64, float64, float64[::1], float64[::1], boolean)",
    cache=True, nogil=True,
)
def ets_filter(y, x0, m, error, trend, season, alpha, beta, gamma, phi, e, last, generate):
    """Run the recursion from the initial state ``x0``.

    Reading (``generate=False``): the errors of ``y`` go into ``e`` (``y - mu`` or
    ``(y - mu) / mu``); the return value is ``n log(SSE) [+ 2 sum log|mu|]``.
    Generating (``generate=True``): ``y`` is written from the errors ``e``, one path of
    the model (zero errors give the point forecast); the return value is 0. Either way the
    state after the last step goes into ``last`` (which may be ``x0`` itself), and NaN is
    returned where a multiplicative trend turns negative (no forecast exists).
    """
    n = y.shape[0]
    off = 2 if trend > 0 else 1
    level = x0[0]
    slope = x0[1] if trend > 0 else 0.0
    ring = np.empty(max(m, 1))
    if season > 0:
        # ring[t % m] holds the season of time t - m when y[t] arrives
        for k in range(m):
            ring[k] = x0[off + m - 1 - k]
    sse = 0.0
    logs = 0.0
    for t in range(n):
        if trend == 0:
            phib = 0.0
            q = level
        elif trend == 1:
            phib = phi * slope
            q = level + phib
        else:
            if slope < 0.0:
                if generate:
                    y[t:] = np.nan
                return np.nan
            phib = slope if abs(phi - 1.0) < _TOL else slope**phi
            q = level * phib
        s_old = ring[t % m] if season > 0 else 0.0
        if season == 1:
            mu = q + s_old
        elif season == 2:
            mu = q * s_old
        else:
            mu = q
        if generate:
            y[t] = mu + e[t] if error == 1 else mu * (1.0 + e[t])
        else:
            err = y[t] - mu if error == 1 else (y[t] - mu) / mu
            e[t] = err
            sse += err * err
            logs += np.log(abs(mu))
        if season == 1:
            p = y[t] - s_old
        elif season == 2:
            p = _HUGE if abs(s_old) < _TOL else y[t] / s_old
        else:
            p = y[t]
        new_level = q + alpha * (p - q)
        if trend == 1:
            slope = phib + (beta / alpha) * (new_level - level - phib)
        elif trend == 2:
            ratio = _HUGE if abs(level) < _TOL else new_level / level
            slope = phib + (beta / alpha) * (ratio - phib)
        if season == 1:
            ring[t % m] = s_old + gamma * (y[t] - q - s_old)
        elif season == 2:
            ratio = _HUGE if abs(q) < _TOL else y[t] / q
            ring[t % m] = s_old + gamma * (ratio - s_old)
        level = new_level
    last[0] = level
    if trend > 0:
        last[1] = slope
    if season > 0:
        for j in range(m):
            last[off + j] = ring[(n - 1 - j) % m]
    if generate:
        return 0.0
    lik = n * np.log(sse)
    if error == 2:
        lik += 2.0 * logs
    return lik


@njit(cache=True, nogil=True, inline="always")
def _objective(par, y, m, error, trend, season, damped, lower, upper, x0, coef, e, last):
    """The likelihood criterion at ``par``; infinite outside R's "both" bounds."""
    alpha = par[0]
    beta, gamma, phi = 0.0, 0.0, 1.0
    j = 1
    if trend > 0:
        beta = par[j]
        j += 1
    if season > 0:
        gamma = par[j]
        j += 1
    if damped:
        phi = par[j]
        j += 1
    # The usual region: 0 < beta < alpha, 0 < gamma < 1 - alpha, phi in its interval.
    if alpha < lower[0] or alpha > upper[0]:
        return np.inf
    if trend > 0 and (beta < lower[1] or beta > alpha or beta > upper[1]):
        return np.inf
    if damped and (phi < lower[3] or phi > upper[3]):
        return np.inf
    if season > 0 and (gamma < lower[2] or gamma > 1.0 - alpha or gamma > upper[2]):
        return np.inf
    if not _admissible(alpha, beta, gamma, phi, m, trend, season, coef):
        return np.inf
    n_free = par.shape[0] - j
    for k in range(n_free):
        x0[k] = par[j + k]
    if season > 0:
        # The last season is implied: the seasons sum to 0 (additive) or m (multiplicative).
        off = 2 if trend > 0 else 1
        total = 0.0
        for k in range(off, n_free):
            total += x0[k]
        x0[n_free] = (m if season == 2 else 0.0) - total
        if season == 2:
            for k in range(off, n_free + 1):
                if x0[k] < 0.0:
                    return np.inf
    lik = ets_filter(y, x0, m, error, trend, season, alpha, beta, gamma, phi, e, last, False)
    if np.isnan(lik):
        return np.inf
    return max(lik, -1e10)  # a perfect fit must not run away to -inf


@njit(
    "Tuple((float64[::1], float64, int64))(float64[::1], int64, int64, int64, int64,"
    " boolean, float64[::1], float64[::1], float64[::1], int64)",
    cache=True, nogil=True,
)
def ets_nelder_mead(y, m, error, trend, season, damped, start, lower, upper, maxit):
    """Minimise the criterion from ``start`` with Nelder & Mead (1965)'s simplex.

    The variant of R's ``optim`` (Nash 1990, ``nmmin``) that ``forecast::ets`` calls,
    with its settings: reflection 1, contraction 0.5, expansion 2, relative tolerance
    sqrt(eps) of the starting value, the first simplex step 10% of the largest
    coordinate, at most ``maxit`` evaluations. Returns ``(par, value, status)``: status 0
    converged, 1 out of evaluations, 10 the simplex stopped shrinking, -1 infeasible start.
    """
    n = start.shape[0]
    n_state = m + 2
    x0 = np.empty(n_state)
    last = np.empty(n_state)
    coef = np.empty(2 * m + 4)  # the polynomial, then scratch
    e = np.empty(y.shape[0])
    simplex = np.empty((n + 1, n))
    fval = np.empty(n + 1)
    centre = np.empty(n)
    trial = np.empty(n)
    trial2 = np.empty(n)

    f = _objective(start, y, m, error, trend, season, damped, lower, upper, x0, coef, e, last)
    if not np.isfinite(f):
        return start.copy(), np.inf, -1
    count = 1
    tol = _RELTOL * (abs(f) + _RELTOL)
    step = 0.0
    for i in range(n):
        step = max(step, 0.1 * abs(start[i]))
    if step == 0.0:
        step = 0.1
    simplex[0] = start
    fval[0] = f
    size = 0.0
    for j in range(1, n + 1):
        simplex[j] = start
        trystep = step
        while simplex[j, j - 1] == start[j - 1]:
            simplex[j, j - 1] = start[j - 1] + trystep
            trystep *= 10.0
        size += trystep
    old_size = size
    best = 0
    evaluate_all = True
    status = 0
    while True:
        if evaluate_all:
            for j in range(n + 1):
                if j != best:
                    f = _objective(simplex[j], y, m, error, trend, season, damped, lower,
                                   upper, x0, coef, e, last)
                    fval[j] = f if np.isfinite(f) else _BIG
                    count += 1
            evaluate_all = False
        low = fval[best]
        high_val = low
        worst = best
        for j in range(n + 1):
            if j != best:
                if fval[j] < low:
                    best = j
                    low = fval[j]
                if fval[j] > high_val:
                    worst = j
                    high_val = fval[j]
        if high_val <= low + tol:
            break
        for i in range(n):
            total = -simplex[worst, i]
            for j in range(n + 1):
                total += simplex[j, i]
            centre[i] = total / n
        for i in range(n):
            trial[i] = 2.0 * centre[i] - simplex[worst, i]
        f = _objective(trial, y, m, error, trend, season, damped, lower, upper, x0, coef, e, last)
        reflected = f if np.isfinite(f) else _BIG
        count += 1
        if reflected < low:
            for i in range(n):
                trial2[i] = 2.0 * trial[i] - centre[i]
            f = _objective(trial2, y, m, error, trend, season, damped, lower, upper, x0,
                           coef, e, last)
            f = f if np.isfinite(f) else _BIG
            count += 1
            if f < reflected:
                simplex[worst] = trial2
                fval[worst] = f
            else:
                simplex[worst] = trial
                fval[worst] = reflected
        else:
            if reflected < high_val:
                simplex[worst] = trial
                fval[worst] = reflected
            for i in range(n):
                trial[i] = 0.5 * simplex[worst, i] + 0.5 * centre[i]
            f = _objective(trial, y, m, error, trend, season, damped, lower, upper, x0,
                           coef, e, last)
            f = f if np.isfinite(f) else _BIG
            count += 1
            if f < fval[worst]:
                simplex[worst] = trial
                fval[worst] = f
            elif reflected >= high_val:
                # Shrink every vertex halfway towards the best one.
                evaluate_all = True
                size = 0.0
                for j in range(n + 1):
                    if j != best:
                        for i in range(n):
                            simplex[j, i] = 0.5 * (simplex[j, i] - simplex[best, i]) + simplex[best, i]
                            size += abs(simplex[j, i] - simplex[best, i])
                if size < old_size:
                    old_size = size
                else:
                    status = 10
                    break
        if count > maxit:
            status = 1
            break
    return simplex[best].copy(), fval[best], status


@njit(
    "float64[:, ::1](float64[::1], int64, int64, int64, int64, float64, float64, float64,"
    " float64, float64[:, ::1])",
    cache=True, nogil=True,
)
def ets_simulate(x, m, error, trend, season, alpha, beta, gamma, phi, eps):
    """Future paths from the state ``x``, one row of errors ``eps`` per path."""
    n_paths, h = eps.shape
    out = np.empty((n_paths, h))
    state = np.empty(x.shape[0])
    for path in range(n_paths):
        ets_filter(out[path], x, m, error, trend, season, alpha, beta, gamma, phi,
                   eps[path], state, True)
    return out
