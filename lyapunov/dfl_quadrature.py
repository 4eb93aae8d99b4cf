"""The DFL integral (6.43), f*(x) = int_0^inf (v_2^x(s) - kappa/sqrt(n))_+ ds, by quadrature along
numerically integrated trajectories (independent of the closed form (6.60)).

solve_ivp (DOP853) integrates the augmented system (v_1, w, I) with w = v_2 - k, k = kappa/sqrt(n)
(the shift keeps the integrand w free of cancellation near the border x_2 = k) and dI/ds = w (= w_+
until the terminal event w = 0; writing w rather than max(w, 0) keeps the right-hand side smooth inside
the step that contains the event, so the dense output is accurate there):
  * free phase: (dv_1, dw) = limit_drift(v_1, w + k, beta/sqrt(n)) ((6.47)-(6.48)); terminal events
    v_1 = 0 (upwards: entry into Omega-bar) and w = 0 (downwards: the integrand vanishes for good,
    since v_2 is non-increasing); ``fluid.integrate.free_phase`` also catches near-tangential entries
    that cross v_1 = 0 and come back inside one step;
  * sliding phase on Omega-bar: (dv_1, dw) = (0, -beta/sqrt(n)) ((6.57)-(6.58)); terminal event w = 0.
Since kappa > beta/mu_1, w = 0 is reached before the trajectory leaves Omega-bar, so nothing is lost.

A generic version for any running cost h(v) (used for Appendix G) is :func:`dfl_integral`.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np
from scipy.integrate import solve_ivp

from fluid.integrate import free_phase, integrate_point_core
from fluid.validation import FluidCoefficients, check_coefficients, check_kappa, check_points, check_rtol
from rou_common.checks import check_finite_positive
from reflected_ou.drift import limit_drift

RTOL = 1e-12


def _terminal(fun, direction):
    fun.terminal = True
    fun.direction = direction
    return fun


def dfl_point_core(x1: float, x2: float, k: float, c: FluidCoefficients, rtol: float = RTOL) -> float:
    """(6.43) at one point by solve_ivp with events (see module docstring)."""
    w0 = x2 - k
    if w0 <= 0.0:
        return 0.0
    b = c.drift
    horizon = 2.0 * (math.log(x2 / k) / c.mu_1 + x2 / b) + 1.0
    # f* >= w0^2 / (2 mu_1 x_2) (the Omega_2 value bounds it below), a safe absolute scale for I.
    floor_integral = w0 * w0 / (2.0 * c.mu_1 * x2)
    atol = np.array([1e-3 * rtol * max(abs(x1), x2, b / c.mu_M), 1e-3 * rtol * w0, 1e-3 * rtol * floor_integral])
    integral = 0.0
    if x1 < 0.0 or x2 <= c.sliding_floor:

        def free(_t, s):
            d1, d2 = limit_drift(s[0], s[1] + k, b, c.mu_1, c.mu_M)
            return np.array([d1, d2, s[1]])

        level = _terminal(lambda _t, s: s[1], -1.0)
        result = free_phase(free, 0.0, np.array([x1, w0, 0.0]), horizon, rtol=rtol, atol=atol,
                            stop_events=[level], detect_hit=True)
        if result.outcome == "end":
            raise RuntimeError(f"DFL quadrature: no event before the horizon at x = ({x1}, {x2})")
        if result.outcome == "stop":  # v_2 reached k before the axis: done (Omega_2)
            return float(result.state[2])
        state = result.state
        integral, w_hit = float(state[2]), float(state[1])
    else:
        w_hit = w0
    if w_hit <= 0.0:
        return integral

    def sliding(_t, s):
        return np.array([-b, s[0]])

    level = _terminal(lambda _t, s: s[0], -1.0)
    sol = solve_ivp(sliding, (0.0, 2.0 * w_hit / b + 1.0), [w_hit, 0.0], method="DOP853", rtol=rtol,
                    atol=np.array([1e-3 * rtol * w_hit, 1e-3 * rtol * floor_integral]), events=[level])
    if sol.status != 1:
        raise RuntimeError(f"DFL quadrature: sliding phase did not reach kappa at x = ({x1}, {x2})")
    return integral + float(sol.y_events[0][0][1])


def dfl_f_star(x, *, beta, mu_1, mu_M, kappa, n=1, rtol=RTOL):
    """(6.43) by quadrature along solve_ivp trajectories, for ``x`` (..., 2) in fluid scale -> (...)."""
    c = check_coefficients(beta, mu_1, mu_M, n)
    kappa = check_kappa(kappa, c)
    rtol = check_rtol(rtol)
    x = check_points(x)
    k = kappa / c.sqrt_n
    flat = x.reshape(-1, 2)
    out = np.array([dfl_point_core(float(a), float(b_), k, c, rtol) for a, b_ in flat])
    return out.reshape(x.shape[:-1])


def dfl_integral(
    x,
    running_cost: Callable[[float, float], float],
    horizon: float,
    *,
    beta,
    mu_1,
    mu_M,
    n=1,
    rtol: float = RTOL,
):
    """int_0^horizon h(v^x(s)) ds for a running cost h(v_1, v_2) (scalars -> scalar), integrated with
    the trajectory by ``fluid.integrate`` (state augmented by I' = h(v), phase by phase, switches as
    events), for ``x`` (..., 2).  ``horizon`` must cover the support of h(v^x(.)) (used for Appendix G)."""
    c = check_coefficients(beta, mu_1, mu_M, n)
    rtol = check_rtol(rtol)
    if not callable(running_cost):
        raise ValueError(f"running_cost must be a callable h(v_1, v_2), got {running_cost!r}")
    x = check_points(x)
    t = np.array([0.0, check_finite_positive("horizon", horizon)])
    flat = x.reshape(-1, 2)
    out = np.array([integrate_point_core(float(a), float(b_), t, c, rtol, running_cost).integral for a, b_ in flat])
    return out.reshape(x.shape[:-1])
