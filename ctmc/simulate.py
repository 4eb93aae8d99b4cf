"""Vectorised simulation of the occupancy CTMC: block kernel (stationary runs) and paths on a time grid.

Random numbers: replica r in block b uses the key fold_in(fold_in(key(seed), r), b), so results do not
depend on how many replicas or blocks are computed per call.  A replica whose arrival would join a
server with K jobs flags an overflow; the callers then redo the work with more levels (zero padding of
the occupancy is exact), so the state is never truncated.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from reflected_ou.noise import as_key
from rou_common.checks import check_finite_positive, check_positive_int

from .dynamics import reduced_observation, step_observables, uniformised_step
from .policies import Policy, SystemArrays, make_policy
from .state import check_occupancy, check_replica_axis, empty_occupancy, pad_levels, scaled, y_plus
from .system import System

#: Default number of levels K to start with (doubled on overflow up to ``max_levels``).
DEFAULT_LEVELS = 8
#: Default ceiling on K: beyond it the run raises (the policy is very likely unstable).
DEFAULT_MAX_LEVELS = 4096


def replica_keys(key, replicas, block):
    """Per-(replica, block) keys fold_in(fold_in(key, r), block)."""
    return jax.vmap(lambda r: jax.random.fold_in(jax.random.fold_in(key, r), block))(replicas)


@partial(jax.jit, static_argnames=("policy", "steps", "sample_every"))
def run_block(policy: Policy, steps: int, sample_every: int, arrays: SystemArrays, total_rate, key, block,
              replicas, q0):
    """``steps`` uniformised steps of every replica (``q0``: (R, M, K) int32).

    Returns (q_end, sums (R, n_obs) of :func:`ctmc.dynamics.step_observables` over the steps (state
    before each step), samples (steps // sample_every, R, M, 4) of the reduced observation at steps
    0, m, 2m, ..., events (R,) real events, overflow (R,) bool).
    """
    dtype = arrays.speeds.dtype
    keys = replica_keys(key, replicas, block)
    uniforms = jax.vmap(lambda k: jax.random.uniform(k, (steps,), dtype))(keys)
    groups = steps // sample_every
    uniforms = uniforms.reshape(-1, groups, sample_every).transpose(1, 2, 0)  # (groups, m, R)

    def one(q, u):
        rates = policy.event_rates(q, arrays)
        return uniformised_step(rates, total_rate, q, u), step_observables(arrays, q, rates)

    batched = jax.vmap(one)

    def step(carry, u):
        q, sums, events, overflow = carry
        outcome, observed = batched(q, u)
        carry = (outcome.occupancy, sums + observed, events + outcome.event.astype(jnp.int32),
                 overflow | outcome.overflow)
        return carry, None

    def group(carry, u_group):
        sample = jax.vmap(reduced_observation)(carry[0])
        carry, _ = lax.scan(step, carry, u_group)
        return carry, sample

    n_obs = step_observables(arrays, q0[0], policy.event_rates(q0[0], arrays)).shape[0]
    r = q0.shape[0]
    init = (q0, jnp.zeros((r, n_obs), dtype), jnp.zeros(r, jnp.int32), jnp.zeros(r, bool))
    (q_end, sums, events, overflow), samples = lax.scan(group, init, uniforms)
    return q_end, sums, samples, events, overflow


@partial(jax.jit, static_argnames=("policy", "n_grid"))
def _run_paths(policy: Policy, n_grid: int, arrays: SystemArrays, total_rate, dt, key, q0):
    """States at grid times k dt, k = 0..n_grid: Poisson(Lambda dt) uniformised steps per interval."""
    replicas = jnp.arange(q0.shape[0])

    def interval(carry, g):
        q, overflow = carry
        keys = replica_keys(jax.random.fold_in(key, g), replicas, 0)
        counts = jax.vmap(lambda k: jax.random.poisson(jax.random.fold_in(k, 0), total_rate * dt))(keys)

        def one(q_r, k_r, done_r, count_r):
            u = jax.random.uniform(jax.random.fold_in(jax.random.fold_in(k_r, 1), done_r), (), arrays.speeds.dtype)
            outcome = uniformised_step(policy.event_rates(q_r, arrays), total_rate, q_r, u)
            active = done_r < count_r
            return jnp.where(active, outcome.occupancy, q_r), active & outcome.overflow, done_r + active

        def body(c):
            q_c, over_c, done = c
            q_n, over_n, done_n = jax.vmap(one)(q_c, keys, done, counts)
            return q_n, over_c | over_n, done_n

        q, overflow, _ = lax.while_loop(lambda c: jnp.any(c[2] < counts), body,
                                        (q, overflow, jnp.zeros_like(counts)))
        return (q, overflow), q

    (_, overflow), states = lax.scan(interval, (q0, jnp.zeros(q0.shape[0], bool)), jnp.arange(n_grid))
    return jnp.concatenate([q0[None], states]), overflow


@dataclass(frozen=True)
class PathResult:
    """Paths on the grid ``times``: ``occupancy`` (R, T, M, K) ints Q_{j,i}(t), and the scaled views."""

    system: System
    policy: str
    times: np.ndarray
    occupancy: np.ndarray

    @property
    def scaled(self) -> np.ndarray:
        """Y^(n)_{j,i}(t) of (2.1), shape (R, T, M, K)."""
        return np.asarray(scaled(self.occupancy, self.system.servers))

    @property
    def y_plus(self) -> tuple[np.ndarray, np.ndarray]:
        """(Y_+1(t), Y_+2(t)) of (3.15), each (R, T)."""
        a, b = y_plus(self.occupancy, self.system.servers)
        return np.asarray(a), np.asarray(b)


def resolve_policy(policy) -> Policy:
    """A policy from its name or a :class:`ctmc.policies.Policy` (ValueError otherwise)."""
    if isinstance(policy, str):
        return make_policy(policy)
    if not isinstance(policy, Policy):
        raise ValueError(f"policy must be a policy name or a ctmc Policy, got {policy!r}")
    return policy


def initial_state(system: System, policy: Policy, replicas: int, levels: int, initial=None) -> np.ndarray:
    """(R, M, K) int32 initial occupancy: empty, or ``initial`` ((M, K') or (R, M, K')) padded to K."""
    if initial is None:
        q = empty_occupancy(system.pools, levels)
    else:
        q = check_replica_axis(check_occupancy(initial, system.servers), replicas)
        if q.shape[-1] > levels:
            raise ValueError(f"initial occupancy has {q.shape[-1]} levels > levels = {levels}")
        q = pad_levels(q, levels)
    return np.ascontiguousarray(np.broadcast_to(q, (replicas, system.pools, levels)).astype(np.int32))


def start_levels(policy: Policy, levels: int | None, initial=None) -> int:
    if policy.fixed_levels is not None:
        if levels not in (None, policy.fixed_levels):
            raise ValueError(f"policy {policy.label} has exactly {policy.fixed_levels} levels, got levels = {levels}")
        return policy.fixed_levels
    if levels is None:
        levels = DEFAULT_LEVELS
        if initial is not None:
            levels = max(levels, np.asarray(initial).shape[-1])
    return check_positive_int("levels", levels)  # the max queue K (2.7, True and "3" were accepted)


def simulate_paths(system: System, policy, *, seed: int, horizon: float, dt: float, replicas: int = 1,
                   initial=None, levels: int | None = None, max_levels: int = DEFAULT_MAX_LEVELS,
                   dtype=None) -> PathResult:
    """Exact CTMC paths sampled at t = 0, dt, ..., horizon (Poisson clock of the uniformised chain).

    ``seed`` an integer >= 0 or a JAX key; ``horizon`` a positive multiple of the sampling interval ``dt``;
    ``replicas`` independent paths from ``initial`` (default: the empty system).
    """
    policy = resolve_policy(policy)
    policy.validate(system)
    max_levels = check_positive_int("max_levels", max_levels)
    horizon = check_finite_positive("horizon", horizon)
    dt = check_finite_positive("dt", dt)
    replicas = check_positive_int("replicas", replicas)
    n_grid = int(round(horizon / dt))
    if n_grid < 1 or abs(n_grid * dt - horizon) > 1e-9 * horizon:
        raise ValueError(f"horizon must be a positive multiple of dt, got horizon = {horizon}, dt = {dt}")
    arrays = SystemArrays.of(system, dtype)
    k = start_levels(policy, levels, initial)
    key = as_key(seed)
    while True:
        q0 = initial_state(system, policy, replicas, k, initial)
        states, overflow = _run_paths(policy, n_grid, arrays, jnp.asarray(system.uniformisation_rate, arrays.speeds.dtype),
                                      jnp.asarray(dt, arrays.speeds.dtype), key, jnp.asarray(q0))
        if not bool(jnp.any(overflow)):
            break
        if policy.fixed_levels is not None or 2 * k > max_levels:
            raise ValueError(f"queue length exceeded max_levels = {max_levels} (policy {policy.label} may be unstable)")
        k *= 2
    states = np.asarray(states).transpose(1, 0, 2, 3)
    return PathResult(system, policy.label, dt * np.arange(n_grid + 1), states)
