"""JIQ: join an idle server if there is one (fastest pool first), else a server chosen uniformly."""
from __future__ import annotations

from dataclasses import dataclass

import jax.numpy as jnp

from .base import Policy, first_one_hot


@dataclass(frozen=True)
class JIQ(Policy):
    """p_{j,0} = 1 for the fastest pool j with c_{j,0} > 0; if no server is idle p_{j,l} = c_{j,l}/n."""

    name = "jiq"

    def route(self, counts, speeds):
        idle = counts[:, 0] > 0
        to_idle = first_one_hot(idle).astype(counts.dtype)
        idle_choice = jnp.zeros_like(counts).at[:, 0].set(to_idle)
        uniform = counts / jnp.sum(counts)
        return jnp.where(jnp.any(idle), idle_choice, uniform)
