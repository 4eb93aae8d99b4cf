"""JSQ, speed-blind: join a shortest queue, ties uniformly over all servers (any pool)."""
from __future__ import annotations

from dataclasses import dataclass

import jax.numpy as jnp

from .base import Policy


@dataclass(frozen=True)
class JSQ(Policy):
    """l* = min{l : sum_j c_{j,l} > 0};  p_{j,l*} = c_{j,l*} / sum_k c_{k,l*}."""

    name = "jsq"

    def route(self, counts, speeds):
        per_level = jnp.sum(counts, axis=0)
        shortest = jnp.argmax(per_level > 0)
        column = jnp.arange(counts.shape[1]) == shortest
        return jnp.where(column[None, :], counts / per_level[shortest], 0.0)
