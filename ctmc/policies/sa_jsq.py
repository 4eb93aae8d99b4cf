"""SA-JSQ, Definition 2.1: join a shortest queue; ties to the fastest pool, then uniformly."""
from __future__ import annotations

from dataclasses import dataclass

from .base import Policy, first_one_hot, from_level_major, level_major


@dataclass(frozen=True)
class SAJSQ(Policy):
    """p_{j,l} = 1 for the first class (l, j) in the order (shortest, fastest) with c_{j,l} > 0.

    This is the routing of the generator (6.1): the indicator q_{l,j} = N_l for (l, j) < (k, i).
    """

    name = "sa-jsq"

    def route(self, counts, speeds):
        chosen = first_one_hot(level_major(counts) > 0)
        return from_level_major(chosen.astype(counts.dtype), counts.shape[0])
