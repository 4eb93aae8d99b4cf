"""Counter-based noise: the variates of replica r in block b come from fold_in(fold_in(key, r), b).

Every (replica, block) pair has its own stream, so a run gives the same numbers whatever the number
of devices the replicas are sharded over, the number of blocks per device call, or where a run was
checkpointed and resumed.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp


def as_key(key_or_seed):
    """A JAX PRNG key from a key (typed or raw uint32[2]) or an integer seed."""
    if isinstance(key_or_seed, (int,)) and not isinstance(key_or_seed, bool):
        if key_or_seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {key_or_seed}")
        return jax.random.key(key_or_seed)
    return key_or_seed


def block_noise(key, replica_ids, block, steps: int, dtype, needs_exponential: bool):
    """Standard normals and Exp(1) variates of shape (steps, replicas) for one block.

    ``needs_exponential=False`` returns ``None`` for the exponentials (the projected scheme).
    """

    def one_replica(replica):
        stream = jax.random.fold_in(jax.random.fold_in(key, replica), block)
        normal_key, exponential_key = jax.random.split(stream)
        normal = jax.random.normal(normal_key, (steps,), dtype)
        if not needs_exponential:
            return normal, jnp.zeros((0,), dtype)
        return normal, jax.random.exponential(exponential_key, (steps,), dtype)

    normal, exponential = jax.vmap(one_replica)(replica_ids)
    return normal.T, (exponential.T if needs_exponential else None)
