"""System parameters of paper 000, validated once and shared by every package.

The n-th system has N_j^(n) servers of speed mu_j in pool j = 1..M and Poisson arrivals at rate
n lambda^(n).  The limit is taken in the Halfin-Whitt regime (A1) sqrt(n)(1 - lambda^(n)) -> beta with
pool fractions (A2) sqrt(n) |N_j^(n)/n - gamma_j| -> 0, and the paper normalises the capacity,
sum_j mu_j gamma_j = 1, with mu_1 > mu_2 > ... > mu_M (Section 2).

M = 1 (one pool, mu = (1,)) is the homogeneous JSQ system of Eschenfeldt-Gamarnik and Braverman.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple, Sequence

import numpy as np

from rou_common.checks import (check_decreasing_speeds, check_finite_positive, check_positive_int,
                               positive_vector)

#: Tolerance on sum gamma_j = 1 and sum mu_j gamma_j = 1 (relative to 1).
NORMALISATION_TOL = 1e-9


#: Largest n whose quotas n gamma_j keep a fractional part in float64.
MAX_SERVERS = 2**52


def largest_remainder(n: int, fractions: Sequence[float]) -> tuple[int, ...]:
    """Integers N_j >= 0 with sum N_j = n and |N_j - n gamma_j| < 1 (Hamilton's method).

    Floors n gamma_j, then gives the leftover units to the largest fractional parts (ties to the
    lower index).  Since |N_j/n - gamma_j| < 1/n, sqrt(n)|N_j/n - gamma_j| < n^(-1/2) -> 0, which is
    assumption (A2).
    """
    n = check_positive_int("n", n, minimum=0)
    if n > MAX_SERVERS:
        raise ValueError(f"n must be <= 2^52 (the quotas n gamma_j are float64, whose fractional parts "
                         f"decide the rounding), got {n}")
    quotas = n * np.asarray(fractions, dtype=float)
    floors = np.floor(quotas).astype(np.int64)
    leftover = n - int(floors.sum())
    order = np.argsort(-(quotas - floors), kind="stable")
    floors[order[:leftover]] += 1
    return tuple(int(v) for v in floors)


class LimitCoefficients(NamedTuple):
    """Coefficients of the 2-D reflected OU (3.9)-(3.10), as a JAX/numpy pytree.

    beta: spare capacity of (A1); mu_1: fastest speed; mu_M: slowest speed.
    """

    beta: float
    mu_1: float
    mu_M: float


@dataclass(frozen=True)
class Params:
    """Immutable, validated parameters (mu, gamma, beta) of paper 000, Section 2.

    Parameters
    ----------
    mu : speeds mu_1 > ... > mu_M > 0 (strictly decreasing; pools of equal speed are one pool).
    gamma : pool fractions gamma_j > 0 with sum_j gamma_j = 1.
    beta : Halfin-Whitt spare-capacity parameter of (A1), beta > 0.

    The capacity must be normalised, sum_j mu_j gamma_j = 1; use :meth:`normalised` to rescale the
    speeds explicitly (nothing is rescaled silently).
    """

    mu: tuple[float, ...]
    gamma: tuple[float, ...]
    beta: float

    def __post_init__(self) -> None:
        mu = check_decreasing_speeds("mu", self.mu)
        gamma = tuple(float(v) for v in positive_vector("gamma", self.gamma))
        if len(mu) != len(gamma):
            raise ValueError(
                f"mu and gamma must have the same length (one entry per pool), got {len(mu)} and {len(gamma)}"
            )
        if abs(sum(gamma) - 1.0) > NORMALISATION_TOL:
            raise ValueError(f"gamma must sum to 1, got sum {sum(gamma)!r} for {gamma}")
        capacity = float(np.dot(mu, gamma))
        if abs(capacity - 1.0) > NORMALISATION_TOL:
            raise ValueError(
                "capacity must be normalised, sum_j mu_j gamma_j = 1, got "
                f"{capacity!r}; use Params.normalised(mu, gamma, beta) to rescale mu explicitly"
            )
        object.__setattr__(self, "mu", mu)
        object.__setattr__(self, "gamma", gamma)
        object.__setattr__(self, "beta", check_finite_positive("beta", self.beta))

    # -- constructors ---------------------------------------------------------------------------
    @classmethod
    def normalised(cls, mu: Sequence[float], gamma: Sequence[float], beta: float) -> "Params":
        """Rescale mu by 1 / sum_j mu_j gamma_j so that the capacity is 1 (time-unit change)."""
        mu_v = positive_vector("mu", mu)
        gamma_v = positive_vector("gamma", gamma)
        if mu_v.size != gamma_v.size:
            raise ValueError("mu and gamma must have the same length (one entry per pool)")
        return cls(tuple(mu_v / float(mu_v @ gamma_v)), tuple(gamma_v), beta)

    @classmethod
    def paper_example(cls) -> "Params":
        """The example of Figures 3.1-3.2: M = 2, gamma = (1/5, 4/5), mu = (20/8, 5/8), beta = 2."""
        return cls(mu=(20 / 8, 5 / 8), gamma=(1 / 5, 4 / 5), beta=2.0)

    @classmethod
    def homogeneous(cls, beta: float) -> "Params":
        """One pool of unit-speed servers: JSQ in the Halfin-Whitt regime (Eschenfeldt-Gamarnik)."""
        return cls(mu=(1.0,), gamma=(1.0,), beta=beta)

    # -- derived quantities ---------------------------------------------------------------------
    @property
    def pools(self) -> int:
        """Number of speed pools M."""
        return len(self.mu)

    @property
    def mu_1(self) -> float:
        """Fastest speed mu_1."""
        return self.mu[0]

    @property
    def mu_M(self) -> float:
        """Slowest speed mu_M (equal to mu_1 when M = 1)."""
        return self.mu[-1]

    @property
    def is_homogeneous(self) -> bool:
        return self.pools == 1

    def limit_coefficients(self) -> LimitCoefficients:
        """(beta, mu_1, mu_M): all the 2-D limit (3.9)-(3.10) depends on."""
        return LimitCoefficients(self.beta, self.mu_1, self.mu_M)

    def servers(self, n: int) -> tuple[int, ...]:
        """N_j^(n): largest-remainder rounding of n gamma_j, satisfying (A2); each pool non-empty."""
        n = check_positive_int("n", n)
        counts = largest_remainder(n, self.gamma)
        if min(counts) == 0:
            raise ValueError(
                f"n = {n} is too small: pool sizes {counts} leave a pool empty; need n gamma_j >= 1"
            )
        return counts

    def arrival_rate(self, n: int) -> float:
        """lambda^(n) = 1 - beta / sqrt(n), so sqrt(n)(1 - lambda^(n)) = beta exactly (A1)."""
        n = check_positive_int("n", n)
        if n <= self.beta**2:
            raise ValueError(f"n must exceed beta^2 = {self.beta**2:g} so that lambda^(n) > 0, got n = {n}")
        return 1.0 - self.beta / math.sqrt(n)

    def as_dict(self) -> dict:
        return {"mu": list(self.mu), "gamma": list(self.gamma), "beta": self.beta}
