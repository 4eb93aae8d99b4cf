"""One step of the uniformised occupancy chain, shared by the simulators (and rates by the exact solver).

Uniformisation: with Lambda = L + sum_j mu_j N_j >= total event rate of every state, the CTMC is the
chain that at the epochs of a Poisson(Lambda) clock picks event e with probability rate_e / Lambda and
stays put with the remaining probability.  One uniform u selects the event: e is the first index with
cumsum(rates)_e > u Lambda (index = #rates means "no event"; blocked arrivals are such self-loops).
Its stationary law is the CTMC's, and averaging over steps (time = steps / Lambda) estimates the
stationary time averages.
"""
from __future__ import annotations

from typing import NamedTuple

import jax.numpy as jnp

from .policies import EventRates, SystemArrays


class StepOutcome(NamedTuple):
    occupancy: jnp.ndarray  # (M, K) after the step (unchanged on overflow)
    event: jnp.ndarray  # bool: a real arrival or departure happened
    overflow: jnp.ndarray  # bool: an arrival would have joined a server with K jobs


def uniformised_step(rates: EventRates, total_rate, q, u) -> StepOutcome:
    """Advance occupancy ``q`` (with event ``rates``) one step of the uniformised chain, u ~ U[0, 1)."""
    size = q.size
    stacked = jnp.concatenate(
        [rates.increments.reshape(-1), rates.decrements.reshape(-1), rates.overflow[None]]
    )
    index = jnp.sum(jnp.cumsum(stacked) <= u * total_rate)
    is_increment = index < size
    is_decrement = (index >= size) & (index < 2 * size)
    position = jnp.where(is_increment, index, index - size)
    delta = is_increment.astype(q.dtype) - is_decrement.astype(q.dtype)
    change = jnp.where(jnp.arange(size) == position, delta, jnp.zeros((), q.dtype)).reshape(q.shape)
    return StepOutcome(q + change, is_increment | is_decrement, index == 2 * size)


#: Levels recorded in the reduced observation of a state (Q_{j,1}, Q_{j,2}, Q_{j,3}) and jobs per pool.
REPORTED_LEVELS = 3


def reduced_observation(q):
    """(M, 4) ints: Q_{j,1}, Q_{j,2}, Q_{j,3} (0 if K < i) and sum_i Q_{j,i} (jobs at pool j)."""
    levels = q.shape[-1]
    first = q[..., : min(levels, REPORTED_LEVELS)]
    if levels < REPORTED_LEVELS:
        first = jnp.concatenate(
            [first, jnp.zeros(q.shape[:-1] + (REPORTED_LEVELS - levels,), q.dtype)], axis=-1
        )
    return jnp.concatenate([first, jnp.sum(q, axis=-1, keepdims=True)], axis=-1)


def observable_names(pools: int) -> tuple[str, ...]:
    """Names of the per-step observables of :func:`step_observables`, in order."""
    names = [f"Q_{j}_{i}" for j in range(1, pools + 1) for i in range(1, REPORTED_LEVELS + 1)]
    names += [f"jobs_{j}" for j in range(1, pools + 1)]
    names += ["all_busy", "Y_M1_sq", "Y_12_sq", "Y_M1_Y_12", "Y_+1_sq", "Y_+2_sq", "blocked_rate",
              "overflow_rate"]
    return tuple(names)


def step_observables(arrays: SystemArrays, q, rates: EventRates):
    """Per-state observables (float vector, order of :func:`observable_names`).

    Linear ones (levels, jobs per pool) give every E[Y_{j,i}], E[Y_+1], E[Y_+2] by linearity; the
    non-linear ones are P(all busy), second moments of (Y_M1, Y_12) and (Y_+1, Y_+2) (3.15), and the
    rates of blocked and overflowing arrivals (their time averages over L are the loss fractions).
    """
    dtype = arrays.speeds.dtype
    reduced = reduced_observation(q).astype(dtype)
    servers = arrays.servers.astype(dtype)
    n = jnp.sum(servers)
    root_n = jnp.sqrt(n)
    busy = jnp.sum(reduced[:, 0])
    jobs = jnp.sum(reduced[:, 3])
    y_m1 = (reduced[-1, 0] - servers[-1]) / root_n
    y_12 = reduced[0, 1] / root_n
    y_plus1 = (jobs - n) / root_n
    y_plus2 = (jobs - busy) / root_n
    nonlinear = jnp.stack([
        (busy == n).astype(dtype), y_m1 * y_m1, y_12 * y_12, y_m1 * y_12, y_plus1 * y_plus1,
        y_plus2 * y_plus2, rates.blocked, rates.overflow,
    ])
    return jnp.concatenate([reduced[:, :REPORTED_LEVELS].reshape(-1), reduced[:, 3], nonlinear])
