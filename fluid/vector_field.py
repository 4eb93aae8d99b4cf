"""The fluid vector field F of (6.40) on Omega = (-inf, 0] x [0, inf).

    F(x) = (0, -beta/sqrt(n))                                    on Omega-bar,
    F(x) = (-beta/sqrt(n) - mu_M x_1 + mu_1 x_2, -mu_1 x_2)      on Omega minus Omega-bar,

with the sliding set Omega-bar = {x_1 = 0, x_2 > beta/(mu_1 sqrt(n))} (6.39).  Off Omega-bar this is the
drift of the 2-D limit (3.9)-(3.10) with beta replaced by beta/sqrt(n): it is computed by
``reflected_ou.drift.limit_drift`` (single source of truth).

Scales: x is the fluid scale q/n; y = sqrt(n) x is the diffusion scale, in which n drops out,
F_n(x) = n^{-1/2} F_1(sqrt(n) x) (F is affine with constant term proportional to beta/sqrt(n)).
"""
from __future__ import annotations

import math

import numpy as np

from fluid.validation import FluidCoefficients, check_coefficients, check_points
from rou_common.checks import check_positive_int
from reflected_ou.drift import limit_drift


def to_diffusion_scale(x, n):
    """y = sqrt(n) x (fluid scale -> diffusion scale); points of Omega, n an integer >= 1."""
    return math.sqrt(check_positive_int("n", n)) * check_points(x)


def to_fluid_scale(y, n):
    """x = y / sqrt(n) (diffusion scale -> fluid scale); points of Omega, n an integer >= 1 (n = 0 gave inf)."""
    return check_points(y, "y") / math.sqrt(check_positive_int("n", n))


def in_sliding_set_core(x1, x2, c: FluidCoefficients):
    """Indicator of Omega-bar = {x_1 = 0, x_2 > beta/(mu_1 sqrt(n))} (6.39)."""
    return (x1 == 0.0) & (x2 > c.sliding_floor)


def vector_field_core(x1, x2, c: FluidCoefficients):
    """(F_1, F_2) of (6.40) for validated coefficients (no input checks)."""
    b1, b2 = limit_drift(x1, x2, c.drift, c.mu_1, c.mu_M)
    sliding = in_sliding_set_core(x1, x2, c)
    return np.where(sliding, 0.0, b1), np.where(sliding, -c.drift, b2)


def in_sliding_set(x, *, beta, mu_1, mu_M, n=1):
    """Boolean array (...): whether each point of ``x`` (..., 2) lies in Omega-bar (6.39)."""
    c = check_coefficients(beta, mu_1, mu_M, n)
    x = check_points(x)
    return in_sliding_set_core(x[..., 0], x[..., 1], c)


def vector_field(x, *, beta, mu_1, mu_M, n=1):
    """F(x) of (6.40) in fluid scale (diffusion scale when n = 1), shape (..., 2)."""
    c = check_coefficients(beta, mu_1, mu_M, n)
    x = check_points(x)
    f1, f2 = vector_field_core(x[..., 0], x[..., 1], c)
    return np.stack([f1, f2], axis=-1)
