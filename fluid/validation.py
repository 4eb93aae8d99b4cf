"""Input validation for the fluid model and the Lyapunov function (ValueError naming the rule).

Parameters follow paper 000, Section 2: beta > 0 (A1), speeds mu_1 >= mu_M > 0 (mu_1 = mu_M is the
homogeneous limit, allowed here), n >= 1 the system size of the fluid scale x = q/n (n = 1 is the
diffusion scale).  Points must lie in Omega = (-inf, 0] x [0, inf) (Lemma 6.2).
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from rou_common.checks import check_finite_positive, check_positive_int


class FluidCoefficients(NamedTuple):
    """Validated coefficients of the fluid vector field (6.40) in fluid scale.

    beta, mu_1, mu_M as in (3.9)-(3.10); n the fluid scale; ``drift`` = beta / sqrt(n) is the constant
    of (6.40) (equal to beta in diffusion scale n = 1).
    """

    beta: float
    mu_1: float
    mu_M: float
    n: float

    @property
    def sqrt_n(self) -> float:
        return math.sqrt(self.n)

    @property
    def drift(self) -> float:
        """beta / sqrt(n), the constant drift of (6.40)."""
        return self.beta / math.sqrt(self.n)

    @property
    def rate_gap(self) -> float:
        """mu_1 - mu_M >= 0 (zero in the homogeneous limit)."""
        return self.mu_1 - self.mu_M

    @property
    def sliding_floor(self) -> float:
        """beta / (mu_1 sqrt(n)): the sliding set Omega-bar is {x_1 = 0, x_2 > sliding_floor} (6.39)."""
        return self.drift / self.mu_1


def check_coefficients(beta, mu_1, mu_M, n=1) -> FluidCoefficients:
    """Validate (beta, mu_1, mu_M, n): beta > 0, mu_1 >= mu_M > 0, n an integer >= 1."""
    beta = check_finite_positive("beta", beta)
    mu_1 = check_finite_positive("mu_1", mu_1)
    mu_M = check_finite_positive("mu_M", mu_M)
    if mu_1 < mu_M:
        raise ValueError(
            f"mu_1 must be >= mu_M (mu_1 is the fastest speed, mu_1 > mu_2 > ... > mu_M), got mu_1 = {mu_1!r} < mu_M = {mu_M!r}"
        )
    n = check_positive_int("n", n)
    return FluidCoefficients(beta, mu_1, mu_M, float(n))


def check_kappa(kappa, coefficients: FluidCoefficients, *, strict: bool = True) -> float:
    """kappa > beta / mu_1 (Lemma 6.2); kappa >= beta / mu_1 when ``strict`` is False (Lemma 6.4)."""
    kappa = check_finite_positive("kappa", kappa)
    threshold = coefficients.beta / coefficients.mu_1
    if strict and not kappa > threshold:
        raise ValueError(f"kappa must be > beta/mu_1 = {threshold!r} (Lemma 6.2), got kappa = {kappa!r}")
    if not strict and kappa < threshold:
        raise ValueError(f"kappa must be >= beta/mu_1 = {threshold!r} (Lemma 6.4), got kappa = {kappa!r}")
    return kappa


#: Largest |coordinate| of a point of Omega the fluid functions accept.
MAX_COORDINATE = 1e100


def check_points(x, name: str = "x") -> np.ndarray:
    """Return ``x`` as a float array of shape (..., 2) of points of Omega = (-inf, 0] x [0, inf)."""
    try:
        points = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a real array of shape (..., 2), got {x!r}") from exc
    if points.ndim == 0 or points.shape[-1] != 2:
        raise ValueError(f"{name} must have shape (..., 2) (points (x_1, x_2)), got shape {points.shape}")
    if not np.all(np.abs(points) <= MAX_COORDINATE):
        raise ValueError(f"{name} must be finite with |coordinates| <= {MAX_COORDINATE:g} (the fluid formulas square "
                         f"and exponentiate them; x_2 = 1e308 gave an infinite hitting time)")
    if np.any(points[..., 0] > 0.0) or np.any(points[..., 1] < 0.0):
        bad = np.flatnonzero((points[..., 0] > 0.0).ravel() | (points[..., 1] < 0.0).ravel())[0]
        raise ValueError(
            f"{name} must lie in Omega = (-inf, 0] x [0, inf) (x_1 <= 0, x_2 >= 0), "
            f"got point {points.reshape(-1, 2)[bad].tolist()}"
        )
    return points


def check_times(t, name: str = "t") -> np.ndarray:
    """Return ``t`` as a float array of finite times t >= 0."""
    times = np.asarray(t, dtype=float)
    if not np.all(np.isfinite(times)) or np.any(times < 0.0) or np.any(times > MAX_COORDINATE):
        raise ValueError(f"{name} must be finite, >= 0 and <= {MAX_COORDINATE:g}")
    return times


#: Tolerances the ODE integrators accept: scipy's DOP853 floors rtol at 100 eps; above 1e-3 the
#: trajectories can leave Omega (rtol = 10 gave v_2 = -0.022).
RTOL_RANGE = (100 * np.finfo(float).eps, 1e-3)


def check_rtol(rtol) -> float:
    """The relative tolerance of the ODE solves: a real number in RTOL_RANGE."""
    value = check_finite_positive("rtol", rtol)
    low, high = RTOL_RANGE
    if not (low <= value <= high):
        raise ValueError(f"rtol must lie in [{low:.3g}, {high:g}], got {rtol!r}")
    return value
