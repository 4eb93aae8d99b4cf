"""The hitting time tau(x) of the axis {x_1 = 0}: the smallest non-negative root of g_x (E.3).

    g_x(t) = -b/mu_M + (x_1 + b/mu_M) e^{-mu_M t} + mu_1 x_2 (e^{-mu_M t} - e^{-mu_1 t})/(mu_1 - mu_M),

b = beta/sqrt(n); g_x(t) is the free first coordinate v_1(t) of (6.51).  Bracketing (derived here):
G(t) = e^{mu_M t} g_x(t) = x_1 - (b/mu_M)(e^{mu_M t} - 1) + mu_1 x_2 E(t), E(t) = (1 - e^{-(mu_1-mu_M)t})/(mu_1-mu_M),
has G'(t) = e^{mu_M t} (mu_1 x_2 e^{-mu_1 t} - b) (the identity g' = -mu_M g + mu_1 x_2 e^{-mu_1 t} - b used in
Appendix E) and G'' < 0.  So G is concave, increases on [0, t_c] with t_c = log(mu_1 x_2 / b)/mu_1 and
decreases after.  Since G(0) = x_1 <= 0, a root exists iff G(t_c) >= 0, and then the smallest root is the
unique root of G on [0, t_c]; Newton from t = 0 converges monotonically (concavity).  No root: tau = inf.
"""
from __future__ import annotations

import numpy as np

from fluid._numerics import exp_difference_quotient, relaxation_time, solve_increasing
from fluid.validation import FluidCoefficients, check_coefficients, check_points, check_times


def scaled_gap_core(t, x1, x2, c: FluidCoefficients):
    """(G(t), G'(t)) with G(t) = e^{mu_M t} g_x(t) (see module docstring)."""
    mu_M, b = c.mu_M, c.drift
    value = x1 - (b / mu_M) * np.expm1(mu_M * t) + c.mu_1 * x2 * relaxation_time(t, c.rate_gap)
    slope = c.mu_1 * x2 * np.exp(-c.rate_gap * t) - b * np.exp(mu_M * t)
    return value, slope


def gap_function_core(t, x1, x2, c: FluidCoefficients):
    """g_x(t) of (E.3) (equivalently the free v_1 of (6.51)), in a cancellation-free form."""
    mu_M, b = c.mu_M, c.drift
    return (b / mu_M) * np.expm1(-mu_M * t) + x1 * np.exp(-mu_M * t) + c.mu_1 * x2 * exp_difference_quotient(
        t, c.mu_1, mu_M
    )


def hitting_time_core(x1, x2, c: FluidCoefficients, upper=None):
    """tau(x) for validated arrays; ``upper`` (optional) is a known upper bound of the root's bracket.

    Points with x_1 = 0 have tau = 0.  Returns +inf where g_x has no non-negative root.
    """
    x1, x2 = np.broadcast_arrays(np.asarray(x1, dtype=float), np.asarray(x2, dtype=float))
    b = c.drift
    tau = np.full(x1.shape, np.inf)
    tau[x1 == 0.0] = 0.0
    rising = (x1 < 0.0) & (c.mu_1 * x2 > b)
    t_peak = np.zeros(x1.shape)
    t_peak[rising] = np.log(c.mu_1 * x2[rising] / b) / c.mu_1
    if upper is not None:
        t_peak = np.where(rising, np.minimum(t_peak, np.broadcast_to(upper, x1.shape)), t_peak)
    peak_value, _ = scaled_gap_core(t_peak, x1, x2, c)
    has_root = rising & (peak_value >= 0.0)
    if np.any(has_root):
        lo = np.zeros(int(has_root.sum()))
        tau[has_root] = solve_increasing(
            lambda t, a1, a2: scaled_gap_core(t, a1, a2, c),
            lo,
            t_peak[has_root],
            lo,
            args=(x1[has_root], x2[has_root]),
        )
    return tau


def gap_function(t, x, *, beta, mu_1, mu_M, n=1):
    """g_x(t) of (E.3) for points ``x`` (..., 2) and times ``t`` broadcast against x[..., 0]."""
    c = check_coefficients(beta, mu_1, mu_M, n)
    x = check_points(x)
    return gap_function_core(check_times(t), x[..., 0], x[..., 1], c)


def hitting_time(x, *, beta, mu_1, mu_M, n=1):
    """tau(x) = inf{t >= 0 : v_1^x(t) = 0}, the smallest non-negative root of g_x (E.3); inf if none.

    ``x`` has shape (..., 2) in fluid scale (diffusion scale when n = 1); returns shape (...).
    Time is not rescaled: tau_n(x) = tau_1(sqrt(n) x).
    """
    c = check_coefficients(beta, mu_1, mu_M, n)
    x = check_points(x)
    return hitting_time_core(x[..., 0], x[..., 1], c)
