"""Batched Euler-Maruyama paths of the reflected diffusion: the 2-D limit (3.9)-(3.10) and the
truncated full system (3.2)-(3.7), with the regulator U_1 returned beside the path.

jit at the public boundary, vmap over paths, lax.scan over steps; the variates of path r at step t
of save interval s come from threefry2x32(fold_in(key, s), (r, t)), or (r, t // 2) for the projected
scheme (``reflected_ou.noise``).
"""
from __future__ import annotations

from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp

from reflected_ou.noise import as_key, scan_block
from reflected_ou.schemes import get_scheme
from reflected_ou.step import full_step, packed_limit_step, per_step_rates
from reflected_ou.validation import (check_dt, check_levels, check_params, check_positive_int, check_start,
                                     check_steps, resolve_dtype)
from reflected_ou.xla_options import SIMULATOR_COMPILER_OPTIONS


class LimitPaths(NamedTuple):
    """Paths of the 2-D limit on the grid times = 0, save_every dt, ...; arrays of shape (replicas, saves+1)."""

    times: jnp.ndarray
    y_M1: jnp.ndarray
    y_12: jnp.ndarray
    regulator: jnp.ndarray  # U_1(t), non-decreasing, U_1(0) = 0


class FullPaths(NamedTuple):
    """Paths of the full system: levels[r, s, j-1, i-1] = Y_ji(t_s) on replica r; regulator (replicas, saves+1)."""

    times: jnp.ndarray
    levels: jnp.ndarray
    regulator: jnp.ndarray


def _scan_saves(step, state, key, n_paths, n_saves, save_every, scheme, dtype):
    """Run n_saves intervals (blocks) of save_every steps; return the states and U at the end of each."""
    replica_ids = jnp.arange(n_paths)

    def one_step(carry, normal, exponential):
        state, regulator = carry
        state, increment = step(state, normal, exponential)
        return (state, regulator + increment), None

    def interval(carry, block):
        carry, _ = scan_block(one_step, carry, key, replica_ids, block, save_every, dtype, scheme.NEEDS_EXPONENTIAL)
        return carry, carry

    _, saved = jax.lax.scan(interval, (state, jnp.zeros(n_paths, dtype)), jnp.arange(n_saves))
    return saved


@partial(jax.jit, static_argnames=("n_saves", "save_every", "scheme_name"),
         compiler_options=SIMULATOR_COMPILER_OPTIONS)
def _limit_paths(key, coefficients, y_M1, y_12, dt, n_saves, save_every, scheme_name):
    scheme = get_scheme(scheme_name)
    rates = per_step_rates(coefficients, dt)
    step = jax.vmap(lambda s, z, e: packed_limit_step(s, z, e, rates, dt, scheme))  # s = Y_M1 + i Y_12
    packed, regulator = _scan_saves(step, jax.lax.complex(y_M1, y_12), key, y_M1.shape[0], n_saves, save_every,
                                    scheme, y_M1.dtype)
    return jnp.real(packed), jnp.imag(packed), regulator


@partial(jax.jit, static_argnames=("n_saves", "save_every", "scheme_name"),
         compiler_options=SIMULATOR_COMPILER_OPTIONS)
def _full_paths(key, speeds, beta, levels, dt, n_saves, save_every, scheme_name):
    scheme = get_scheme(scheme_name)
    step = jax.vmap(lambda y, z, e: full_step(y, z, e, speeds, beta, dt, scheme))
    return _scan_saves(step, levels, key, levels.shape[0], n_saves, save_every, scheme, levels.dtype)


def _check_run(params, dt, horizon, save_every, replicas, dtype):
    """(dt, steps, save_every, replicas): ``steps`` = ceil(horizon / dt) rounded up to whole save intervals."""
    check_params(params)
    dt = check_dt(dt, params, dtype)
    save_every = check_positive_int("save_every", save_every)
    steps = check_steps("horizon", horizon, dt)
    steps = -(-steps // save_every) * save_every
    replicas = check_positive_int("replicas", replicas)
    return dt, steps, save_every, replicas


def _prepend(initial, saved):
    """Stack the initial value in front of the saved values (time axis 1)."""
    return jnp.concatenate([initial[:, None], jnp.moveaxis(saved, 0, 1)], axis=1)


def simulate_paths(params, *, seed=0, dt: float = 0.01, horizon: float, replicas: int = 1, y0=(0.0, 0.0),
                   save_every: int = 1, scheme: str = "lepingle", dtype=None) -> LimitPaths:
    """Simulate ``replicas`` independent paths of the 2-D reflected OU (3.9)-(3.10) on [0, horizon].

    dY_M1 = sqrt(2) dW - (beta + mu_M Y_M1 - mu_1 Y_12) dt - dU_1,   dY_12 = -mu_1 Y_12 dt + dU_1,
    with U_1 the Skorokhod regulator (3.7) keeping Y_M1 <= 0.

    Parameters
    ----------
    params : Params
    seed : int >= 0, or a JAX PRNG key
    dt : Euler step h, with mu_1 h <= 1
    horizon : time T; the run takes ceil(T / h) steps, rounded up to whole ``save_every`` intervals
    replicas : number of independent paths R
    y0 : start (Y_M1(0) <= 0, Y_12(0) >= 0)
    save_every : the state is saved every this many steps
    scheme : "lepingle" (weak order 1, default) or "projected" (weak order 1/2)

    Returns
    -------
    LimitPaths with ``times`` (S + 1,) and ``y_M1``, ``y_12``, ``regulator`` (U_1) of shape (R, S + 1).

    Example
    -------
    >>> paths = simulate_paths(Params.paper_example(), seed=0, dt=0.01, horizon=10.0, replicas=4, save_every=10)
    >>> paths.y_M1.shape
    (4, 101)
    """
    dtype = resolve_dtype(dtype)
    dt, n_steps, save_every, replicas = _check_run(params, dt, horizon, save_every, replicas, dtype)
    y_M1_0, y_12_0 = check_start(*y0)
    get_scheme(scheme)
    beta, mu_1, mu_M = (jnp.asarray(c, dtype) for c in params.limit_coefficients())
    start_M1 = jnp.full(replicas, y_M1_0, dtype)
    start_12 = jnp.full(replicas, y_12_0, dtype)
    y_M1, y_12, regulator = _limit_paths(as_key(seed), (beta, mu_1, mu_M), start_M1, start_12,
                                         jnp.asarray(dt, dtype), n_steps // save_every, save_every, scheme)
    times = jnp.arange(n_steps // save_every + 1, dtype=dtype) * (save_every * dt)
    return LimitPaths(times, _prepend(start_M1, y_M1), _prepend(start_12, y_12),
                      _prepend(jnp.zeros(replicas, dtype), regulator))


def simulate_full(params, levels0, *, seed=0, dt: float = 0.01, horizon: float, replicas: int = 1,
                  save_every: int = 1, scheme: str = "lepingle", dtype=None) -> FullPaths:
    """Simulate the full diffusion (3.2)-(3.7) truncated at level I from Y(0) = ``levels0`` on [0, horizon].

    ``seed``, ``dt``, ``horizon``, ``replicas``, ``save_every`` and ``scheme`` as in :func:`simulate_paths`.
    ``levels0`` has shape (M, I) (shared by all replicas) or (replicas, M, I) with levels0[j-1, i-1] =
    Y_ji(0), Y_j1(0) = 0 for j < M, Y_M1(0) <= 0, and Y_ji(0) >= 0 non-increasing in i >= 2.
    Levels above I are held at 0.  Returns the levels at every ``save_every``-th step and U_1.
    """
    dtype = resolve_dtype(dtype)
    dt, n_steps, save_every, replicas = _check_run(params, dt, horizon, save_every, replicas, dtype)
    levels0 = check_levels(levels0, params.pools)
    if levels0.ndim == 3 and levels0.shape[0] != replicas:
        raise ValueError(f"levels0 has {levels0.shape[0]} replicas but replicas = {replicas}")
    get_scheme(scheme)
    start = jnp.broadcast_to(jnp.asarray(levels0, dtype), (replicas,) + levels0.shape[-2:])
    levels, regulator = _full_paths(as_key(seed), jnp.asarray(params.mu, dtype), jnp.asarray(params.beta, dtype),
                                    start, jnp.asarray(dt, dtype), n_steps // save_every, save_every, scheme)
    times = jnp.arange(n_steps // save_every + 1, dtype=dtype) * (save_every * dt)
    return FullPaths(times, _prepend(start, levels), _prepend(jnp.zeros(replicas, dtype), regulator))
