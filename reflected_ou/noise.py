"""Counter-based noise: the variates of replica r in sub-block s of block b come from the key
fold_in(fold_in(fold_in(key, r), b), s).

Every (replica, block, sub-block) triple has its own stream, so a run gives the same numbers
whatever the number of devices the replicas are sharded over, the number of blocks per device call,
or where a run was checkpointed and resumed.  Drawing the variates sub-block by sub-block inside the
time loop keeps them in cache: the simulator then runs at the speed of the PRNG itself
(benchmarks/ou_throughput.py).
"""
from __future__ import annotations

import jax
import jax.numpy as jnp

#: Preferred number of steps per sub-block (the largest divisor of the block length up to this).
SUB_BLOCK_STEPS = 64


def as_key(key_or_seed):
    """A JAX PRNG key from a key (typed or raw uint32[2]) or an integer seed."""
    if isinstance(key_or_seed, int) and not isinstance(key_or_seed, bool):
        if key_or_seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {key_or_seed}")
        return jax.random.key(key_or_seed)
    return key_or_seed


def sub_block_length(steps: int, preferred: int = SUB_BLOCK_STEPS) -> int:
    """Largest divisor of ``steps`` not above ``preferred``."""
    return max(d for d in range(1, min(steps, preferred) + 1) if steps % d == 0)


def sub_block_noise(key, replica_ids, block, sub_block, steps: int, dtype, needs_exponential: bool):
    """Standard normals and Exp(1) variates of shape (steps, replicas) for one sub-block.

    ``needs_exponential=False`` returns ``None`` for the exponentials (the projected scheme).
    """

    def one_replica(replica):
        stream = jax.random.fold_in(jax.random.fold_in(jax.random.fold_in(key, replica), block), sub_block)
        normal_key, exponential_key = jax.random.split(stream)
        normal = jax.random.normal(normal_key, (steps,), dtype)
        exponential = jax.random.exponential(exponential_key, (steps,), dtype) if needs_exponential else normal
        return normal, exponential

    normal, exponential = jax.vmap(one_replica, out_axes=1)(replica_ids)
    return normal, (exponential if needs_exponential else None)


def scan_block(step, carry, key, replica_ids, block, steps: int, dtype, needs_exponential: bool):
    """Run ``steps`` steps of ``step(carry, normal, exponential) -> (carry, output)`` for block ``block``.

    The per-step outputs are stacked along a leading axis of length ``steps``.  The projected scheme
    ignores its Exp(1) argument, which then receives the normals as a placeholder.
    """
    length = sub_block_length(steps)

    def sub_block(carry, index):
        normal, exponential = sub_block_noise(key, replica_ids, block, index, length, dtype, needs_exponential)
        xs = (normal, normal if exponential is None else exponential)
        return jax.lax.scan(lambda c, noise: step(c, *noise), carry, xs)

    carry, outputs = jax.lax.scan(sub_block, carry, jnp.arange(steps // length))
    return carry, jax.tree_util.tree_map(lambda y: y.reshape((steps,) + y.shape[2:]), outputs)
