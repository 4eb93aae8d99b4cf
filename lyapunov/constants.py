"""The constants C_5(kappa), C_6(kappa) of Lemma 6.2 (6.24) and the Omega_3 bound (F.13).

    C_5 = (1/beta) ((mu_1 + mu_M)/mu_1) kappa / (kappa - beta/mu_1)
    C_6 = 1/(mu_1 kappa) + (1/beta) (mu_1/(mu_1 - mu_M))^2 kappa/(kappa - beta/mu_1)
          + (1/beta) mu_1 (1 + s)/(mu_1 - mu_M),
with s = mu_2 as printed in Lemma 6.2, or s = mu_M as in (F.13) (they agree for M = 2).  (F.13) alone
(without 1/(mu_1 kappa)) bounds f_22 on Omega_3.  In the homogeneous limit mu_1 = mu_M the C_6 bounds
degenerate (+inf): they are reported as such, never computed by dividing by zero.
All constants are for the diffusion scale; in fluid scale the bounds read C sqrt(n).
"""
from __future__ import annotations

import math
from typing import NamedTuple

from fluid.validation import FluidCoefficients, check_coefficients, check_kappa
from rou_common.checks import check_finite_positive


class LemmaConstants(NamedTuple):
    """C_5, C_6 with mu_2 (lemma as printed), C_6 with mu_M (Appendix F), and the (F.13) Omega_3 bound.
    Infinite values mean the bound degenerates (mu_1 = mu_M)."""

    c5: float
    c6_lemma_mu2: float
    c6_appendix_muM: float
    f13_omega3: float


def check_lemma_parameters(beta, mu_1, mu_M, kappa, mu_2=None, n=1) -> tuple[FluidCoefficients, float, float]:
    """(coefficients, kappa, mu_2) of Lemma 6.2: beta > 0, mu_1 >= mu_M > 0, kappa > beta/mu_1,
    mu_M <= mu_2 <= mu_1 (default mu_M), or ValueError naming the parameter and the rule."""
    c = check_coefficients(beta, mu_1, mu_M, n)
    kappa = check_kappa(kappa, c)
    mu_2 = check_finite_positive("mu_2", c.mu_M if mu_2 is None else mu_2)
    if not c.mu_M <= mu_2 <= c.mu_1:
        raise ValueError(f"mu_2 must satisfy mu_M <= mu_2 <= mu_1, got mu_2 = {mu_2!r}")
    return c, kappa, mu_2


def lemma_constants(*, beta: float, mu_1: float, mu_M: float, kappa: float, mu_2: float | None = None) -> LemmaConstants:
    """Evaluate the constants (diffusion scale); ``mu_2`` defaults to mu_M.  Parameters are checked
    (:func:`check_lemma_parameters`: kappa = 0.5 <= beta/mu_1 gave c5 = -1.04 before)."""
    c, kappa, mu_2 = check_lemma_parameters(beta, mu_1, mu_M, kappa, mu_2)
    beta, mu_1, mu_M = c.beta, c.mu_1, c.mu_M
    ratio = kappa / (kappa - beta / mu_1)
    c5 = (mu_1 + mu_M) / (mu_1 * beta) * ratio
    gap = mu_1 - mu_M
    if gap == 0.0:
        return LemmaConstants(c5, math.inf, math.inf, math.inf)
    square = (mu_1 / gap) ** 2 * ratio / beta
    f13 = square + mu_1 * (1.0 + mu_M) / (beta * gap)
    c6_mu2 = 1.0 / (mu_1 * kappa) + square + mu_1 * (1.0 + mu_2) / (beta * gap)
    c6_muM = 1.0 / (mu_1 * kappa) + f13
    return LemmaConstants(c5, c6_mu2, c6_muM, f13)
