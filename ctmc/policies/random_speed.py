"""Speed-proportional random routing: server of type j chosen with probability mu_j / sum_k mu_k N_k."""
from __future__ import annotations

from dataclasses import dataclass

import jax.numpy as jnp

from .base import Policy


@dataclass(frozen=True)
class SpeedRandom(Policy):
    """p_{j,l} = mu_j c_{j,l} / sum_k mu_k N_k: each server is an M/M/1 queue of load L / sum_k mu_k N_k."""

    name = "speed-random"

    def route(self, counts, speeds):
        weights = speeds[:, None] * counts
        return weights / jnp.sum(weights)
