"""The partition Omega = Omega_1 u Omega_2 u Omega_3 of Section 6.1 (after (6.59)):

    Omega_1 = {x_2 <= kappa/sqrt(n)},
    Omega_2 = {x_2 > kappa/sqrt(n), x <= Gamma^kappa},
    Omega_3 = {x > Gamma^kappa}.

Criterion used (no root finding): for x_2 > k = kappa/sqrt(n) let t_k = log(x_2/k)/mu_1, the time at
which the free v_2 of (6.49) reaches k.  Since t_k < t_c (the peak of G = e^{mu_M t} g_x, see
``fluid.hitting_time``) and G increases on [0, t_c], the trajectory hits the axis before v_2 falls to k
(x > Gamma^kappa, Lemma 6.5) iff G(t_k) > 0; G(t_k) = 0 is the curve Gamma^kappa itself (in Omega_2).
"""
from __future__ import annotations

import numpy as np

from fluid.hitting_time import scaled_gap_core
from fluid.validation import FluidCoefficients, check_coefficients, check_kappa, check_points

OMEGA_1, OMEGA_2, OMEGA_3 = 1, 2, 3


def level_time_core(x2, k, c: FluidCoefficients):
    """t_k = log(x_2/k)/mu_1 where x_2 > k, else 0 (time for the free v_2 to decay to k)."""
    above = x2 > k
    return np.where(above, np.log(np.where(above, x2, k) / k) / c.mu_1, 0.0)


def classify_core(x1, x2, k, c: FluidCoefficients):
    """Region label 1, 2 or 3 (int8) for validated arrays; k = kappa/sqrt(n)."""
    x1, x2 = np.broadcast_arrays(np.asarray(x1, dtype=float), np.asarray(x2, dtype=float))
    t_k = level_time_core(x2, k, c)
    gap, _ = scaled_gap_core(t_k, x1, x2, c)
    label = np.full(x1.shape, OMEGA_1, dtype=np.int8)
    above = x2 > k
    label[above & (gap <= 0.0)] = OMEGA_2
    label[above & (gap > 0.0)] = OMEGA_3
    return label


def classify(x, *, kappa, beta, mu_1, mu_M, n=1):
    """Region labels (...) in {1, 2, 3} of points ``x`` (..., 2) for kappa > beta/mu_1."""
    c = check_coefficients(beta, mu_1, mu_M, n)
    kappa = check_kappa(kappa, c)
    x = check_points(x)
    return classify_core(x[..., 0], x[..., 1], kappa / c.sqrt_n, c)
