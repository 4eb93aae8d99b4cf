"""Lepingle's half-space step: the exact regulator of a Brownian bridge (Lepingle 1995).

With the drift frozen over a step of length h, the free coordinate moves from a to b like a Brownian
bridge with variance rate sigma^2 = 2 ((3.3): sqrt(2) W).  Its maximum M satisfies
P(M > m) = exp(-2 (m - a)(m - b) / (sigma^2 h)) for m >= max(a, b), so with E ~ Exp(1),

    M = (a + b + sqrt((b - a)^2 + 2 sigma^2 h E)) / 2 = (a + b + sqrt((b - a)^2 + 4 h E)) / 2,

and the one-sided Skorokhod map of the bridge path started at a <= 0 has regulator increment
dU = max(M, 0) (Lepingle, "Euler scheme for reflected stochastic differential equations", Math.
Comput. Simulation 38, 1995; Gobet 2001 for the bridge correction).  The end point b - dU <= 0.
This restores weak order 1, also for ergodic averages (Leimkuhler-Sharma-Tretyakov,
arXiv 2006.15670); see tests/reflected_ou/test_weak_order.py for the measured order.
"""
import jax.numpy as jnp

from reflected_ou.schemes.positive_part import positive_part

#: The step samples the bridge maximum from one Exp(1) variate.
NEEDS_EXPONENTIAL = True

#: sigma^2 of the idle coordinate's Brownian part, sqrt(2) W in (3.3).
VARIANCE_RATE = 2.0


def bridge_maximum(start, end, dt, exponential):
    """Sampled maximum of the Brownian bridge from ``start`` to ``end`` over ``dt`` (see module)."""
    spread = (end - start) ** 2 + 2.0 * VARIANCE_RATE * dt * exponential
    return 0.5 * (start + end + jnp.sqrt(spread))


def regulator_increment(start, end, dt, exponential):
    """dU = max(M, 0) with M the bridge maximum: the exact regulator given (a, b) and frozen drift."""
    return positive_part(bridge_maximum(start, end, dt, exponential))
