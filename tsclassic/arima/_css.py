"""Conditional-sum-of-squares (CSS) fitting of seasonal ARMA models, for order screening.

An exact-likelihood SARIMA fit with a season of 24 costs seconds (a state vector of
dimension about 50); the CSS fit of the same model on the differenced series costs
milliseconds: the residuals come from one compiled linear filter and
the sum of squares is minimised by Levenberg-Marquardt. ``AutoSARIMAX`` ranks candidate
orders by the CSS information criterion and fits exact maximum likelihood only for the
chosen one, starting from its CSS estimates.

References
----------
Box, Jenkins, Reinsel & Ljung (2015), section 7.1.2 (conditional least squares);
R's ``stats::arima(method = "CSS")``, whose conditioning this follows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

# R's auto.arima rejects models with an AR or MA root this close to the unit circle.
_ROOT_MARGIN = 1.01


@dataclass(frozen=True)
class CSSFit:
    """One CSS fit: orders, estimates (statsmodels' sign conventions) and criteria."""

    order: tuple[int, int, int, int]  # p, q, P, Q
    constant: bool
    mean: float
    beta: np.ndarray
    ar: np.ndarray
    ma: np.ndarray
    sar: np.ndarray
    sma: np.ndarray
    sigma2: float
    loglik: float
    aicc: float
    n_eff: int


def _roots_ok(coefs: np.ndarray, sign: float) -> bool:
    """Whether ``1 + sign * sum c_i z^i`` has all roots outside the ``_ROOT_MARGIN`` circle."""
    if len(coefs) == 0 or not np.any(coefs):
        return True
    # |sum c_i z^i| <= sum |c_i| R^i < 1 on |z| <= R leaves no root there (the optimiser
    # calls this at every step, and np.roots costs a hundred times more).
    if np.dot(np.abs(coefs), _ROOT_MARGIN ** np.arange(1, len(coefs) + 1)) < 1.0:
        return True
    if len(coefs) == 1:
        return bool(abs(coefs[0]) < 1.0 / _ROOT_MARGIN)
    poly = np.r_[1.0, sign * coefs]
    roots = np.roots(poly[::-1])
    return bool(np.all(np.abs(roots) > _ROOT_MARGIN))


def difference(y: np.ndarray, d: int, D: int, m: int) -> np.ndarray:
    """Apply ``D`` seasonal differences at lag ``m`` then ``d`` ordinary ones (along axis 0)."""
    out = np.asarray(y, dtype=float)
    for _ in range(D):
        out = out[m:] - out[:-m]
    for _ in range(d):
        out = out[1:] - out[:-1]
    return out


def fit_css(
    w: np.ndarray,
    order: tuple[int, int, int, int],
    m: int,
    constant: bool,
    Xw: np.ndarray | None,
    n_cond: int,
) -> CSSFit | None:
    """Fit a seasonal ARMA(p, q)(P, Q)_m with mean and regressors to ``w`` by CSS.

    ``w`` and ``Xw`` are already differenced. Residuals before ``n_cond`` are not
    counted, so fits of different orders with the same ``n_cond`` share their sample and
    their criteria compare. Returns ``None`` when the fit lands on a non-stationary or
    non-invertible model.
    """
    from scipy.optimize import leastsq

    p, q, P, Q = order
    k_x = 0 if Xw is None else Xw.shape[1]
    n_lin = int(constant) + k_x
    design = _design(len(w), constant, Xw)
    lin0 = np.linalg.lstsq(design, w, rcond=None)[0] if n_lin else np.zeros(0)
    powers = _ROOT_MARGIN ** np.arange(1, max(q, Q, 1) + 1)

    def split(theta):
        arma = theta[n_lin:]
        return theta[:n_lin], arma[:p], arma[p:p + q], arma[p + q:p + q + P], arma[p + q + P:]

    def residuals(theta):
        e, unsure = css_residuals(theta, w, design, n_lin, p, q, P, Q, m, n_cond, powers)
        if unsure and not (_roots_ok(theta[n_lin + p:n_lin + p + q], 1.0)
                           and _roots_ok(theta[n_lin + p + q + P:], 1.0)):
            # An explosive inverse filter: steer the optimiser away with a large, finite cost.
            return np.full(len(w) - n_cond, 1e6 * (1.0 + np.sum(np.abs(theta))))
        return e

    n_arma = p + q + P + Q
    theta0 = np.r_[lin0, np.zeros(n_arma)]
    if len(theta0) == 0:
        e = residuals(theta0)
        theta = theta0
    else:
        # MINPACK's lmdif: its forward-difference Jacobian runs in Fortran, where
        # least_squares(method="lm") builds it in Python at several times the cost.
        theta = np.atleast_1d(leastsq(residuals, theta0, maxfev=200 * (len(theta0) + 1))[0])
        e = residuals(theta)
    lin, ar, ma, sar, sma = split(theta)
    if not (_roots_ok(ar, -1.0) and _roots_ok(sar, -1.0) and _roots_ok(ma, 1.0)
            and _roots_ok(sma, 1.0)):
        return None
    n_eff = len(e)
    sigma2 = float(np.dot(e, e) / n_eff)
    if not np.isfinite(sigma2) or sigma2 <= 0:
        return None
    loglik = -0.5 * n_eff * (np.log(2 * np.pi * sigma2) + 1.0)
    k = len(theta) + 1
    aicc = -2 * loglik + 2 * k + (2 * k * (k + 1) / (n_eff - k - 1) if n_eff - k - 1 > 0 else np.inf)
    mean = float(lin[0]) if constant else 0.0
    return CSSFit(order, constant, mean, lin[int(constant):], ar, ma, sar, sma, sigma2,
                  float(loglik), float(aicc), n_eff)


@njit(cache=True, nogil=True)
def css_residuals(theta, w, design, n_lin, p, q, P, Q, m, n_cond, powers):
    """The CSS residuals of a seasonal ARMA with regressors, from ``n_cond`` on.

    ``theta`` is ``[linear coefficients, ar, ma, seasonal ar, seasonal ma]``. The second
    value is True when the cheap bound cannot certify the MA polynomials invertible (the
    caller then checks their roots). Compiled: the optimiser calls this hundreds of times
    per candidate, and scipy's lfilter spent more time in its Python wrapper than filtering.
    """
    unsure = False
    ma_sum, sma_sum = 0.0, 0.0
    for i in range(q):
        ma_sum += abs(theta[n_lin + p + i]) * powers[i]
    for j in range(Q):
        sma_sum += abs(theta[n_lin + p + q + P + j]) * powers[j]
    if ma_sum >= 1.0 or sma_sum >= 1.0:
        unsure = True
    # (1 - sum a_i L^i)(1 - sum A_j L^jm) and (1 + sum b_i L^i)(1 + sum B_j L^jm)
    ar = np.zeros(p + P * m + 1)
    for i in range(p + 1):
        a = 1.0 if i == 0 else -theta[n_lin + i - 1]
        for j in range(P + 1):
            ar[i + j * m] += a * (1.0 if j == 0 else -theta[n_lin + p + q + j - 1])
    ma = np.zeros(q + Q * m + 1)
    for i in range(q + 1):
        b = 1.0 if i == 0 else theta[n_lin + p + i - 1]
        for j in range(Q + 1):
            ma[i + j * m] += b * (1.0 if j == 0 else theta[n_lin + p + q + P + j - 1])
    n = len(w)
    u = np.empty(n)
    for t in range(n):
        acc = w[t]
        for k in range(n_lin):
            acc -= design[t, k] * theta[k]
        u[t] = acc
    e = np.empty(n)
    for t in range(n):
        acc = 0.0
        for k in range(min(len(ar), t + 1)):
            acc += ar[k] * u[t - k]
        for k in range(1, min(len(ma), t + 1)):
            acc -= ma[k] * e[t - k]
        e[t] = acc
    return e[n_cond:], unsure


def _design(n: int, constant: bool, Xw: np.ndarray | None) -> np.ndarray:
    columns = [np.ones((n, 1))] if constant else []
    if Xw is not None:
        columns.append(Xw)
    return np.hstack(columns) if columns else np.zeros((n, 0))


def statsmodels_start_params(fit: CSSFit) -> np.ndarray:
    """The CSS estimates in statsmodels SARIMAX's parameter order.

    ``[intercept, betas, ar, ma, seasonal ar, seasonal ma, sigma2]``; SARIMAX's
    intercept sits inside the ARMA equation, so it is the mean times the AR polynomials
    evaluated at one.
    """
    head = []
    if fit.constant:
        head.append(fit.mean * (1 - fit.ar.sum()) * (1 - fit.sar.sum()))
    return np.r_[head, fit.beta, fit.ar, fit.ma, fit.sar, fit.sma, fit.sigma2]
