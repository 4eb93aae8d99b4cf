"""SED, shortest expected delay: join a server minimising (l + 1) / mu_j; ties to the fastest pool."""
from __future__ import annotations

from dataclasses import dataclass

import jax.numpy as jnp

from .base import Policy, first_one_hot

#: Relative tolerance under which two expected delays (l + 1)/mu_j count as a tie.
TIE_RTOL = 1e-12


@dataclass(frozen=True)
class SED(Policy):
    """Class (j, l) minimising (l + 1)/mu_j among c_{j,l} > 0; ties to the smallest j (fastest)."""

    name = "sed"

    def route(self, counts, speeds):
        levels = jnp.arange(counts.shape[1], dtype=counts.dtype)
        delay = (levels[None, :] + 1.0) / speeds[:, None]
        delay = jnp.where(counts > 0, delay, jnp.inf)
        best = jnp.min(delay)
        chosen = first_one_hot((delay <= best * (1.0 + TIE_RTOL)).reshape(-1))  # pool-major order
        return chosen.reshape(counts.shape).astype(counts.dtype)
