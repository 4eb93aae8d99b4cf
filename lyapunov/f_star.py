"""The Lyapunov function f* of Lemma 6.2 in closed form, (6.60) = (F.1).

With b = beta/sqrt(n), k = kappa/sqrt(n), tau = tau(x) (E.3) and z = x_2 e^{-mu_1 tau} (arrival height):
    f*(x) = 0                                                        on Omega_1,
    f*(x) = x_2/mu_1 - k/mu_1 - (k/mu_1) log(x_2/k)                  on Omega_2,
    f*(x) = x_2/mu_1 (1 - e^{-mu_1 tau}) - k tau + (z - k)^2 / (2 b)   on Omega_3.
Evaluated without cancellation:
    Omega_2:  (k/mu_1) (u - log(1 + u)),  u = (x_2 - k)/k;
    Omega_3:  (z - k) tau + z (e^{mu_1 tau} - 1 - mu_1 tau)/mu_1 + (z - k)^2/(2 b)   (all terms >= 0).
The formula is written in fluid scale; n = 1 is the diffusion scale and f*_n(x) = n^{-1/2} f*_1(sqrt(n) x)
(checked in the tests).
"""
from __future__ import annotations

import numpy as np

from fluid._numerics import expm1_minus_identity, identity_minus_log1p
from fluid.hitting_time import hitting_time_core
from fluid.regions import OMEGA_2, OMEGA_3, classify_core, level_time_core
from fluid.validation import FluidCoefficients, check_coefficients, check_kappa, check_points


def region_three_state(x1, x2, k, c: FluidCoefficients):
    """(tau, z) on Omega_3 points (tau bracketed in [0, t_k], where G' >= e^{mu_M t}(mu_1 k - b) > 0)."""
    tau = hitting_time_core(x1, x2, c, upper=level_time_core(x2, k, c))
    return tau, x2 * np.exp(-c.mu_1 * tau)


def f_star_core(x1, x2, k, c: FluidCoefficients, labels=None, state=None):
    """f* of (6.60) for validated flat arrays x1, x2; k = kappa/sqrt(n).  ``state`` = (tau, z) on the
    Omega_3 points, if already computed."""
    labels = classify_core(x1, x2, k, c) if labels is None else labels
    value = np.zeros(x1.shape)
    two = labels == OMEGA_2
    value[two] = (k / c.mu_1) * identity_minus_log1p((x2[two] - k) / k)
    three = labels == OMEGA_3
    if np.any(three):
        tau, z = region_three_state(x1[three], x2[three], k, c) if state is None else state
        excess = z - k
        value[three] = (
            excess * tau + z * expm1_minus_identity(c.mu_1 * tau) / c.mu_1 + excess * excess / (2.0 * c.drift)
        )
    return value


def setup(x, beta, mu_1, mu_M, kappa, n):
    """Validate the public arguments; returns (flat x1, flat x2, k, coefficients, batch shape)."""
    c = check_coefficients(beta, mu_1, mu_M, n)
    kappa = check_kappa(kappa, c)
    x = check_points(x)
    flat = x.reshape(-1, 2)
    return np.ascontiguousarray(flat[:, 0]), np.ascontiguousarray(flat[:, 1]), kappa / c.sqrt_n, c, x.shape[:-1]


def f_star(x, *, beta, mu_1, mu_M, kappa, n=1):
    """f*(x) of (6.60) for ``x`` of shape (..., 2) in fluid scale (diffusion scale when n = 1) -> (...).

    Requires kappa > beta/mu_1, mu_1 >= mu_M > 0, beta > 0 and x in Omega = (-inf, 0] x [0, inf).
    """
    x1, x2, k, c, shape = setup(x, beta, mu_1, mu_M, kappa, n)
    return f_star_core(x1, x2, k, c).reshape(shape)
