"""Closed-form fluid trajectories v^x(t) of (6.41)-(6.42), with the sliding phase.

Free phase, t < tau(x) ((6.47)-(6.51), b = beta/sqrt(n)):
    v_2(t) = x_2 e^{-mu_1 t}                                                            (6.49)
    v_1(t) = -b/mu_M + (x_1 + b/mu_M) e^{-mu_M t} + mu_1 x_2 (e^{-mu_M t} - e^{-mu_1 t})/(mu_1 - mu_M)   (6.51)
Sliding phase on Omega-bar, tau <= t <= t_exit ((6.57)-(6.59)), entered at height z = x_2 e^{-mu_1 tau}:
    v_1(t) = 0,   v_2(t) = z - b (t - tau),   t_exit = tau + (z - b/mu_1)/b,
after which the trajectory is free again from (0, b/mu_1) and never re-enters Omega-bar.
A start on the axis below the sliding set (x_1 = 0, x_2 <= b/mu_1) leaves at once (tau = t_exit = 0).
The homogeneous limit mu_1 = mu_M uses (e^{-mu t} - e^{-mu_1 t})/(mu_1 - mu) -> t e^{-mu t}.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from fluid._numerics import exp_difference_quotient
from fluid.hitting_time import hitting_time_core
from fluid.validation import FluidCoefficients, check_coefficients, check_points, check_times


class TrajectoryPhases(NamedTuple):
    """Switching data of v^x: hitting time tau (inf if never), entry height z = v_2(tau) (nan if never),
    exit time t_exit (inf if never) and exit height min(z, b/mu_1) (nan if never)."""

    hitting_time: np.ndarray
    entry_height: np.ndarray
    exit_time: np.ndarray
    exit_height: np.ndarray


def free_trajectory_core(x1, x2, t, c: FluidCoefficients):
    """(v_1, v_2) of (6.49)-(6.51), broadcasting x1, x2 against t (no reflection)."""
    mu_M, b = c.mu_M, c.drift
    v2 = x2 * np.exp(-c.mu_1 * t)
    v1 = (b / mu_M) * np.expm1(-mu_M * t) + x1 * np.exp(-mu_M * t) + c.mu_1 * x2 * exp_difference_quotient(
        t, c.mu_1, mu_M
    )
    return v1, v2


def phases_core(x1, x2, c: FluidCoefficients) -> TrajectoryPhases:
    tau = hitting_time_core(x1, x2, c)
    hits = np.isfinite(tau)
    safe_tau = np.where(hits, tau, 0.0)
    z = np.where(hits, x2 * np.exp(-c.mu_1 * safe_tau), np.nan)
    floor = c.sliding_floor
    exit_height = np.where(hits, np.minimum(z, floor), np.nan)
    exit_time = np.where(hits, safe_tau + np.maximum(np.where(hits, z, 0.0) - floor, 0.0) / c.drift, np.inf)
    return TrajectoryPhases(tau, z, exit_time, exit_height)


def trajectory_core(x1, x2, t, c: FluidCoefficients):
    """(v_1, v_2) of the full trajectory, x1/x2 of shape S and t of shape T -> arrays S + T."""
    x1 = np.asarray(x1, dtype=float)[..., None]
    x2 = np.asarray(x2, dtype=float)[..., None]
    phases = phases_core(x1[..., 0], x2[..., 0], c)
    tau = phases.hitting_time[..., None]
    t_exit = phases.exit_time[..., None]
    hits = np.isfinite(tau)
    t = np.asarray(t, dtype=float).reshape((1,) * (x1.ndim - 1) + (-1,))
    free_v1, free_v2 = free_trajectory_core(x1, x2, t, c)
    z = np.where(hits, phases.entry_height[..., None], 0.0)
    slide_v2 = z - c.drift * (t - np.where(hits, tau, 0.0))
    after = np.where(hits, np.maximum(t - np.where(hits, t_exit, 0.0), 0.0), 0.0)
    out_v1, out_v2 = free_trajectory_core(0.0, np.where(hits, phases.exit_height[..., None], 0.0), after, c)
    in_free = ~hits | (t < tau)
    in_slide = hits & (t >= tau) & (t < t_exit)
    v1 = np.where(in_free, free_v1, np.where(in_slide, 0.0, out_v1))
    v2 = np.where(in_free, free_v2, np.where(in_slide, slide_v2, out_v2))
    return v1, v2


def trajectory_phases(x, *, beta, mu_1, mu_M, n=1) -> TrajectoryPhases:
    """Hitting time, entry height, exit time and exit height of v^x for points ``x`` (..., 2)."""
    c = check_coefficients(beta, mu_1, mu_M, n)
    x = check_points(x)
    return phases_core(x[..., 0], x[..., 1], c)


def free_trajectory(x, t, *, beta, mu_1, mu_M, n=1):
    """Unreflected solution (6.49)-(6.51) of (6.47)-(6.48): ``x`` (..., 2), ``t`` (T,) -> (..., T, 2)."""
    c = check_coefficients(beta, mu_1, mu_M, n)
    x = check_points(x)
    t = check_times(t).reshape(-1)
    v1, v2 = free_trajectory_core(x[..., 0, None], x[..., 1, None], t, c)
    return np.stack([v1, v2], axis=-1)


def trajectory(x, t, *, beta, mu_1, mu_M, n=1):
    """Fluid trajectory v^x(t) of (6.41)-(6.42) in closed form: ``x`` (..., 2), ``t`` (T,) -> (..., T, 2).

    Fluid scale (diffusion scale when n = 1); v_n^x(t) = n^{-1/2} v_1^{sqrt(n) x}(t).
    """
    c = check_coefficients(beta, mu_1, mu_M, n)
    x = check_points(x)
    t = check_times(t).reshape(-1)
    v1, v2 = trajectory_core(x[..., 0], x[..., 1], t, c)
    return np.stack([v1, v2], axis=-1)
