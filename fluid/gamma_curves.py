"""The curves Gamma^kappa of Lemma 6.4 / (6.54): starting points whose trajectory reaches the axis
x_1 = 0 exactly at height kappa/sqrt(n).

With k = kappa/sqrt(n), b = beta/sqrt(n) and x_2 = k e^{mu_1 tau} ((6.53)), equation (6.52) (= (D.1)) reads
    x_1 = -P(tau),  P(tau) = -(b/mu_M)(e^{mu_M tau} - 1) + mu_1 k (e^{mu_1 tau} - e^{mu_M tau})/(mu_1 - mu_M),
so Gamma^kappa is the parametric curve tau -> (-P(tau), k e^{mu_1 tau}), tau >= 0.  P(0) = 0,
P'(tau) = e^{mu_M tau}(mu_1 k (1 + mu_1 e^{(mu_1-mu_M) tau} E(tau)) - b) >= 0 for kappa >= beta/mu_1, and P is
convex (Appendix D shows the monotonicity), so:
  * x_1**(x_2, kappa), tau**(x_2, kappa): closed form, tau** = log(x_2/k)/mu_1, x_1** = -P(tau**);
  * x_2*(x_1, kappa), tau*(x_1, kappa): the unique root of P(tau) = -x_1 (Newton from above, bracketed).
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from fluid._numerics import relaxation_time, solve_increasing
from fluid.validation import MAX_COORDINATE, FluidCoefficients, check_coefficients, check_kappa, check_times


class GammaPoint(NamedTuple):
    """A point of Gamma^kappa with its hitting time: (x_1, x_2, tau) with tau = tau(x) (Lemma 6.5.2)."""

    x1: np.ndarray
    x2: np.ndarray
    tau: np.ndarray


def gamma_offset_core(tau, k, c: FluidCoefficients):
    """(P(tau), P'(tau)) for the curve with arrival height k (fluid scale)."""
    mu_1, mu_M, b = c.mu_1, c.mu_M, c.drift
    tau = np.asarray(tau, dtype=float)
    ramp = np.exp(c.rate_gap * tau) * relaxation_time(tau, c.rate_gap)  # (e^{d tau} - 1)/d
    value = -(b / mu_M) * np.expm1(mu_M * tau) + mu_1 * k * np.exp(mu_M * tau) * ramp
    slope = np.exp(mu_M * tau) * (mu_1 * k * (1.0 + mu_1 * ramp) - b)
    return value, slope


def gamma_from_height_core(x2, k, c: FluidCoefficients) -> GammaPoint:
    """x_1**(x_2, kappa) and tau** for x_2 >= k (closed form)."""
    x2 = np.asarray(x2, dtype=float)
    tau = np.log(x2 / k) / c.mu_1
    value, _ = gamma_offset_core(tau, k, c)
    return GammaPoint(-value, x2, tau)


def gamma_from_abscissa_core(x1, k, c: FluidCoefficients) -> GammaPoint:
    """x_2*(x_1, kappa) and tau* for x_1 <= 0 (bracketed Newton on the convex increasing P)."""
    x1 = np.asarray(x1, dtype=float)
    target = -x1.ravel()
    tau = np.zeros(target.shape)
    todo = target > 0.0
    if np.any(todo):
        goal = target[todo]
        upper = np.ones(goal.shape)
        for _ in range(1100):
            value, _ = gamma_offset_core(upper, k, c)
            short = value < goal
            if not np.any(short):
                break
            upper = np.where(short, 2.0 * upper, upper)
        else:  # pragma: no cover - P grows exponentially, this cannot happen for finite x_1
            raise RuntimeError("gamma curve bracket not found")
        def shifted(t, g):
            value, slope = gamma_offset_core(t, k, c)
            return value - g, slope

        tau[todo] = solve_increasing(
            shifted,
            np.zeros(goal.shape),
            upper,
            upper,
            args=(goal,),
        )
    tau = tau.reshape(x1.shape)
    return GammaPoint(x1, k * np.exp(c.mu_1 * tau), tau)


def _setup(kappa, beta, mu_1, mu_M, n):
    c = check_coefficients(beta, mu_1, mu_M, n)
    kappa = check_kappa(kappa, c, strict=False)
    return c, kappa / c.sqrt_n


def gamma_x2(x1, *, kappa, beta, mu_1, mu_M, n=1) -> GammaPoint:
    """x_2*(x_1, kappa) and tau*(x_1, kappa) of Lemma 6.4 for x_1 <= 0 (array), kappa >= beta/mu_1."""
    c, k = _setup(kappa, beta, mu_1, mu_M, n)
    x1 = np.asarray(x1, dtype=float)
    if not np.all(np.isfinite(x1)) or np.any(x1 > 0.0):
        raise ValueError("x1 must be finite and <= 0 (Lemma 6.4)")
    return gamma_from_abscissa_core(x1, k, c)


def gamma_x1(x2, *, kappa, beta, mu_1, mu_M, n=1) -> GammaPoint:
    """x_1**(x_2, kappa) and tau**(x_2, kappa) of Lemma 6.4 for x_2 >= kappa/sqrt(n) (array)."""
    c, k = _setup(kappa, beta, mu_1, mu_M, n)
    x2 = np.asarray(x2, dtype=float)
    if not np.all(np.isfinite(x2)) or np.any(x2 < k):
        raise ValueError(f"x2 must be finite and >= kappa/sqrt(n) = {k!r} (Lemma 6.4)")
    return gamma_from_height_core(x2, k, c)


def gamma_curve(tau, *, kappa, beta, mu_1, mu_M, n=1) -> GammaPoint:
    """Points of Gamma^kappa parametrised by their hitting time tau >= 0 (array)."""
    c, k = _setup(kappa, beta, mu_1, mu_M, n)
    tau = check_times(tau, "tau")
    largest = math.log(MAX_COORDINATE / k) / c.mu_1  # x_2 = kappa e^(mu_1 tau) stays a point of Omega we accept
    if np.any(tau > largest):
        raise ValueError(f"tau must be <= {largest:.6g} (x_2 = kappa e^(mu_1 tau) <= {MAX_COORDINATE:g}; tau = 300 gave "
                         f"the point (-inf, inf))")
    value, _ = gamma_offset_core(tau, k, c)
    return GammaPoint(-value, k * np.exp(c.mu_1 * tau), tau)


__all__ = ["GammaPoint", "gamma_x1", "gamma_x2", "gamma_curve"]
