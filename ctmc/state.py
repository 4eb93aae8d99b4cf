"""Occupancy state Q_{j,i} of Section 2 and the scaled processes (2.1), (3.15).

An occupancy array ``q`` has shape (..., M, K): ``q[..., j, i - 1]`` = Q_{j,i}, the number of type-j
servers with at least i jobs, i = 1..K (K levels; Q_{j,i} = 0 for i > K).  It lies in

    S^(n) = { N_j >= Q_{j,1} >= Q_{j,2} >= ... >= 0 }                          (Section 2)

For policies that treat servers of one pool symmetrically the occupancy process is Markov and exact
in law, so an event costs O(M K) whatever n is.
"""
from __future__ import annotations

import jax.numpy as jnp
import numpy as np


def exact_counts(q, servers):
    """c[..., j, l] = number of type-j servers with exactly l jobs, l = 0..K (shape (..., M, K + 1)).

    c_{j,0} = N_j - Q_{j,1},  c_{j,l} = Q_{j,l} - Q_{j,l+1},  c_{j,K} = Q_{j,K}.
    """
    q = jnp.asarray(q)
    n_j = jnp.asarray(servers, dtype=q.dtype)
    full = jnp.concatenate([jnp.broadcast_to(n_j[:, None], q.shape[:-1] + (1,)), q], axis=-1)
    below = jnp.concatenate([q, jnp.zeros(q.shape[:-1] + (1,), q.dtype)], axis=-1)
    return full - below


def empty_occupancy(pools: int, levels: int, dtype=np.int32) -> np.ndarray:
    """All servers idle: Q = 0, shape (M, K)."""
    if levels < 1:
        raise ValueError(f"levels (max queue K) must be >= 1, got {levels}")
    return np.zeros((pools, levels), dtype=dtype)


def check_occupancy(q, servers) -> np.ndarray:
    """Return ``q`` as an int array after checking N_j >= Q_{j,1} >= ... >= Q_{j,K} >= 0."""
    q = np.asarray(q)
    if q.ndim < 2 or q.shape[-2] != len(servers):
        raise ValueError(f"occupancy must have shape (..., M={len(servers)}, K), got {q.shape}")
    if not np.issubdtype(q.dtype, np.integer):
        if not np.all(np.equal(np.mod(q, 1), 0)):
            raise ValueError("occupancy entries must be integers")
        q = q.astype(np.int64)
    c = np.asarray(exact_counts(q, servers))
    if np.any(c < 0):
        raise ValueError("occupancy must satisfy N_j >= Q_{j,1} >= Q_{j,2} >= ... >= 0")
    return q


def check_replica_axis(q: np.ndarray, replicas: int) -> np.ndarray:
    """An initial occupancy shared by all replicas, (M, K), or one per replica, (``replicas``, M, K)."""
    if q.ndim > 3 or (q.ndim == 3 and q.shape[0] != replicas):
        raise ValueError(f"initial occupancy must have shape (M, K) or (replicas={replicas}, M, K), got {q.shape}")
    return q


def pad_levels(q, levels: int):
    """Append zero levels so that K = ``levels`` (exact: Q_{j,i} = 0 above the old K)."""
    q = np.asarray(q)
    extra = levels - q.shape[-1]
    if extra < 0:
        raise ValueError(f"cannot shrink occupancy from {q.shape[-1]} to {levels} levels")
    return np.concatenate([q, np.zeros(q.shape[:-1] + (extra,), q.dtype)], axis=-1)


def scaled(q, servers):
    """Y^(n) of (2.1): Y_{j,1} = (Q_{j,1} - N_j) / sqrt(n), Y_{j,i} = Q_{j,i} / sqrt(n) for i >= 2."""
    q = jnp.asarray(q, dtype=float)
    n_j = jnp.asarray(servers, dtype=q.dtype)
    root_n = jnp.sqrt(jnp.sum(n_j))
    return q.at[..., :, 0].add(-n_j) / root_n


def total_jobs(q):
    """sum_j sum_{i >= 1} Q_{j,i}: the number of jobs in the system."""
    return jnp.sum(q, axis=(-2, -1))


def y_plus(q, servers):
    """(Y_+1, Y_+2) of (3.15): total jobs and waiting jobs, centred and scaled.

    Y_+1 = (sum_j sum_{i>=1} Q_{j,i} - n) / sqrt(n),  Y_+2 = sum_j sum_{i>=2} Q_{j,i} / sqrt(n)
    (the printed Y_+2 sums from i >= 1; waiting jobs start at level 2, NOTES misprint 2).
    """
    q = jnp.asarray(q, dtype=float)
    n = float(sum(servers))
    root_n = np.sqrt(n)
    return (jnp.sum(q, axis=(-2, -1)) - n) / root_n, jnp.sum(q[..., 1:], axis=(-2, -1)) / root_n
