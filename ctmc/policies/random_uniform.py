"""Uniform random routing: every server equally likely, whatever its queue."""
from __future__ import annotations

from dataclasses import dataclass

import jax.numpy as jnp

from ..system import System
from .base import Policy


@dataclass(frozen=True)
class UniformRandom(Policy):
    """p_{j,l} = c_{j,l} / n: each server is an M/M/1 queue with arrival rate L / n."""

    name = "random"

    def route(self, counts, speeds):
        return counts / jnp.sum(counts)

    def stability_violation(self, system: System) -> str | None:
        per_server = system.arrival_rate / system.n
        if per_server >= system.speeds[-1]:
            return f"each server receives L/n = {per_server:g} >= mu_M = {system.speeds[-1]:g}"
        return None
