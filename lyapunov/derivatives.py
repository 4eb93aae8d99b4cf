"""First and second derivatives of f* in closed form ((F.3)-(F.13), re-derived).

Notation (fluid scale): b = beta/sqrt(n), k = kappa/sqrt(n), tau = tau(x), z = x_2 e^{-mu_1 tau},
A = e^{-mu_M tau}, B = e^{-mu_1 tau}, D = (A - B)/(mu_1 - mu_M) (-> tau e^{-mu tau} when mu_1 = mu_M),
theta = mu_1 D + B (F.9), and on Omega_3 (Lemma 6.5, (6.55)-(6.56))
    tau_1 = -A / (mu_1 z - b),    tau_2 = -mu_1 D / (mu_1 z - b),
    z_1 = -mu_1 z tau_1,          z_2 = B - mu_1 z tau_2,     theta_2 = -mu_1 mu_M D tau_2   (F.11).
First derivatives (F.7)-(F.8):
    Omega_1: 0, 0;   Omega_2: 0, (1 - k/x_2)/mu_1;
    Omega_3: f_1 = A (z - k)/b,   f_2 = (1 - B)/mu_1 + (z - k) theta / b.
Second derivatives:
    Omega_2: f_11 = f_12 = 0, f_22 = k/(mu_1 x_2^2);
    Omega_3: f_11 = -(A tau_1 / b) ((mu_1 + mu_M) z - mu_M k)                         (as in Appendix F)
             f_12 = (A / b) (B - tau_2 ((mu_1 + mu_M) z - mu_M k))                     (Appendix F omits A B / b)
             f_22 = B tau_2 + z_2 theta / b + (z - k) theta_2 / b                     (F.10)
In diffusion scale n = 1; in fluid scale first derivatives are scale-free and second derivatives
carry the factor sqrt(n) (through 1/b).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from fluid._numerics import exp_difference_quotient
from fluid.regions import OMEGA_2, OMEGA_3, classify_core
from fluid.validation import FluidCoefficients
from lyapunov.f_star import region_three_state, setup


class FStarDerivatives(NamedTuple):
    """gradient (..., 2) = (f_1, f_2) and hessian (..., 2, 2) = [[f_11, f_12], [f_12, f_22]]."""

    gradient: np.ndarray
    hessian: np.ndarray


def f_star_derivatives_core(x1, x2, k, c: FluidCoefficients, labels=None, state=None):
    """(f_1, f_2, f_11, f_12, f_22) as flat arrays for validated flat inputs; ``state`` = (tau, z) on
    the Omega_3 points, if already computed."""
    labels = classify_core(x1, x2, k, c) if labels is None else labels
    f1, f2, f11, f12, f22 = (np.zeros(x1.shape) for _ in range(5))
    two = labels == OMEGA_2
    f2[two] = (x2[two] - k) / (c.mu_1 * x2[two])
    f22[two] = k / (c.mu_1 * x2[two] ** 2)
    three = labels == OMEGA_3
    if np.any(three):
        mu_1, mu_M, b = c.mu_1, c.mu_M, c.drift
        a2 = x2[three]
        tau, z = region_three_state(x1[three], a2, k, c) if state is None else state
        A = np.exp(-mu_M * tau)
        B = np.exp(-mu_1 * tau)
        D = exp_difference_quotient(tau, mu_1, mu_M)
        denominator = mu_1 * z - b
        tau_1 = -A / denominator
        tau_2 = -mu_1 * D / denominator
        theta = mu_1 * D + B
        theta_2 = -mu_1 * mu_M * D * tau_2
        z_2 = B - mu_1 * z * tau_2
        excess = z - k
        weight = (mu_1 + mu_M) * z - mu_M * k
        f1[three] = A * excess / b
        f2[three] = -np.expm1(-mu_1 * tau) / mu_1 + excess * theta / b
        f11[three] = -(A * tau_1 / b) * weight
        f12[three] = (A / b) * (B - tau_2 * weight)
        f22[three] = B * tau_2 + z_2 * theta / b + excess * theta_2 / b
    return f1, f2, f11, f12, f22


def assemble(f1, f2, f11, f12, f22, shape) -> FStarDerivatives:
    gradient = np.stack([f1, f2], axis=-1).reshape(shape + (2,))
    hessian = np.stack([np.stack([f11, f12], -1), np.stack([f12, f22], -1)], -2).reshape(shape + (2, 2))
    return FStarDerivatives(gradient, hessian)


def f_star_derivatives(x, *, beta, mu_1, mu_M, kappa, n=1) -> FStarDerivatives:
    """Gradient (..., 2) and Hessian (..., 2, 2) of f* (6.60) at ``x`` (..., 2), fluid scale.

    On the borders (Gamma^kappa, x_2 = kappa/sqrt(n)) the first derivatives are continuous and the
    value returned is the one-sided limit of the region the point is classified in; second derivatives
    jump there.  At x_1 = 0 derivatives in x_1 are left derivatives (Lemma 6.5.3).
    """
    x1, x2, k, c, shape = setup(x, beta, mu_1, mu_M, kappa, n)
    return assemble(*f_star_derivatives_core(x1, x2, k, c), shape)


def f_star_with_derivatives(x, *, beta, mu_1, mu_M, kappa, n=1):
    """(f*, gradient, hessian) sharing one classification and one root solve per point."""
    from lyapunov.f_star import f_star_core

    x1, x2, k, c, shape = setup(x, beta, mu_1, mu_M, kappa, n)
    labels = classify_core(x1, x2, k, c)
    three = labels == OMEGA_3
    state = region_three_state(x1[three], x2[three], k, c)
    value = f_star_core(x1, x2, k, c, labels, state).reshape(shape)
    return (value,) + tuple(assemble(*f_star_derivatives_core(x1, x2, k, c, labels, state), shape))
