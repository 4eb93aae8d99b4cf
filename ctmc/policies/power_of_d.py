"""Power-of-d: sample d servers uniformly without replacement, join the shortest, ties to the fastest."""
from __future__ import annotations

from dataclasses import dataclass
from math import comb

import jax.numpy as jnp

from ..system import System
from .base import Policy, from_level_major, level_major


@dataclass(frozen=True)
class PowerOfD(Policy):
    """Classes ordered by (l, j) (shorter, then faster); the sample's best class is k with probability

        P(k) = G(S_k) - G(S_{k+1}),  G(S) = C(S, d) / C(n, d) = prod_{i<d} (S - i) / (n - i),

    where S_k is the number of servers in classes >= k (hypergeometric: all d samples there).
    """

    d: int = 2
    name = "power-of-d"

    def __post_init__(self):
        if isinstance(self.d, bool) or not isinstance(self.d, int) or self.d < 1:
            raise ValueError(f"power-of-d needs an integer d >= 1, got d = {self.d!r}")

    @property
    def label(self) -> str:
        return f"power-of-{self.d}"

    def route(self, counts, speeds):
        flat = level_major(counts)
        at_or_after = jnp.cumsum(flat[::-1])[::-1]  # S_k
        n = at_or_after[0]
        i = jnp.arange(self.d, dtype=counts.dtype)
        all_in = jnp.prod((at_or_after[:, None] - i) / (n - i), axis=1)  # G(S_k)
        after = jnp.concatenate([all_in[1:], jnp.zeros(1, counts.dtype)])
        return from_level_major(all_in - after, counts.shape[0])

    def validate(self, system: System) -> None:
        if self.d > system.n:
            raise ValueError(f"power-of-d needs d <= n (samples without replacement), got d = {self.d} > n = {system.n}")
        super().validate(system)

    def stability_violation(self, system: System) -> str | None:
        """Necessary condition: for the slowest pools J = {m..M}, the arrivals whose d samples all
        fall in J (rate L C(N_J, d)/C(n, d)) must be below their capacity sum_{k in J} mu_k N_k."""
        n = system.n
        for first in range(1, system.pools):
            size = sum(system.servers[first:])
            rate = system.arrival_rate * comb(size, self.d) / comb(n, self.d)
            capacity = sum(m * k for m, k in zip(system.speeds[first:], system.servers[first:]))
            if rate >= capacity:
                pools = list(range(first + 1, system.pools + 1))
                return (
                    f"arrivals whose {self.d} samples all fall in pools {pools} come at rate {rate:g} "
                    f">= their capacity {capacity:g}"
                )
        return None
