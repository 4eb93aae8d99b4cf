"""Pure Euler-Maruyama steps of the reflected diffusion, one step of (3.9)-(3.10) or (3.2)-(3.7).

Each step freezes the drift at the start (``reflected_ou.drift``), moves the idle coordinate Y_M1
freely by drift * dt + sqrt(2 dt) Z (the 2-D limit's drift * dt is the drift at the per-step rates,
:func:`per_step_rates`), and lets the reflection scheme (``reflected_ou.schemes``) turn
that free move into the regulator increment dU >= 0: Y_M1 <- free - dU <= 0, Y_12 <- Y_12 + dU.
"""
from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

from reflected_ou.drift import cascade_drift, diffusion_coefficient, idle_drift, limit_drift


class LimitState(NamedTuple):
    """State of the 2-D limit (3.9)-(3.10): Y_M1 <= 0 (idle servers of pool M), Y_12 >= 0."""

    y_M1: jnp.ndarray
    y_12: jnp.ndarray


def reflected_idle_step(y_M1, drift_increment, dt, normal, exponential, scheme):
    """(new Y_M1, dU): free Euler move Y_M1 + b h + sqrt(2 h) Z of Y_M1 (``drift_increment`` = b h)
    then the scheme's Skorokhod correction (3.7)."""
    free_end = y_M1 + drift_increment + diffusion_coefficient() * jnp.sqrt(dt) * normal
    regulator_increment = scheme.regulator_increment(y_M1, free_end, dt, exponential)
    return free_end - regulator_increment, regulator_increment


def per_step_rates(coefficients, dt):
    """(beta h, mu_1 h, mu_M h).  The drift (3.9)-(3.10) is linear in (beta, mu_1, mu_M), so
    b(y; beta, mu) h = b(y; beta h, mu h): one step's drift increment is the same formula
    (``reflected_ou.drift.limit_drift``) at these rates, with no multiplication by h in the step."""
    beta, mu_1, mu_M = coefficients
    return beta * dt, mu_1 * dt, mu_M * dt


def limit_step(state: LimitState, normal, exponential, step_rates, dt, scheme):
    """One step of the 2-D reflected OU (3.9)-(3.10), ``step_rates`` = :func:`per_step_rates`;
    returns (new state, dU)."""
    increment_M1, increment_12 = limit_drift(state.y_M1, state.y_12, *step_rates)  # b(Y) h
    y_M1, regulator_increment = reflected_idle_step(state.y_M1, increment_M1, dt, normal, exponential, scheme)
    return LimitState(y_M1, state.y_12 + increment_12 + regulator_increment), regulator_increment


def packed_limit_step(packed, normal, exponential, step_rates, dt, scheme):
    """:func:`limit_step` on the state packed as the complex number Y_M1 + i Y_12; returns (new packed
    state, dU).  One array for the state makes one elementwise loop per step in XLA:CPU (which fuses a
    producer into each of its consumers, so two state arrays would compute the step twice)."""
    state, regulator_increment = limit_step(LimitState(jnp.real(packed), jnp.imag(packed)), normal, exponential,
                                            step_rates, dt, scheme)
    return jax.lax.complex(state.y_M1, state.y_12), regulator_increment


def full_step(levels, normal, exponential, speeds, beta, dt, scheme):
    """One step of the truncated full system (3.2)-(3.7); returns (new levels, dU).

    ``levels`` has shape (M, I) with levels[j-1, i-1] = Y_ji; column 0 holds Y_j1 = 0 for j < M (3.2)
    and Y_M1 <= 0; levels beyond I are taken as 0 (truncation at level I).  ``speeds`` = (mu_1..mu_M).
    """
    speeds = jnp.asarray(speeds, dtype=levels.dtype)
    inflow = jnp.sum(speeds * levels[:, 1])  # sum_j mu_j Y_j2, (3.3)
    drift_M1 = idle_drift(levels[-1, 0], inflow, beta, speeds[-1])
    y_M1, regulator_increment = reflected_idle_step(levels[-1, 0], drift_M1 * dt, dt, normal, exponential, scheme)
    upper = levels[:, 1:]
    next_upper = jnp.concatenate([levels[:, 2:], jnp.zeros_like(levels[:, :1])], axis=1)
    upper = upper + cascade_drift(upper, next_upper, speeds[:, None]) * dt  # (3.4)-(3.6)
    upper = upper.at[0, 0].add(regulator_increment)  # U_1 feeds Y_12, (3.4)
    idle = jnp.zeros_like(levels[:, 0]).at[-1].set(y_M1)  # (3.2): Y_j1 = 0, j < M
    return jnp.concatenate([idle[:, None], upper], axis=1), regulator_increment
