"""The finite-n system of Section 2: M pools of exponential servers, Poisson arrivals, one queue each.

Pool j has N_j servers of speed mu_j (mu_1 > ... > mu_M); jobs arrive at total rate L (= n lambda^(n)
in the paper's scaling).  A routing policy is stable only if L < sum_j mu_j N_j (the capacity), which
is checked here; policy-specific stability conditions (e.g. uniform random routing) are checked by the
policy.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from reflected_ou.params import Params


from rou_common.checks import check_decreasing_speeds, check_finite_positive, check_positive_int
@dataclass(frozen=True)
class System:
    """Validated finite-n system: ``servers`` N_j, ``speeds`` mu_j, total ``arrival_rate`` L.

    ``servers`` are positive integers, ``speeds`` strictly decreasing positive reals (pool 1 is the
    fastest; ties to the fastest pool mean ties to the lowest index), 0 < L < sum_j mu_j N_j.
    """

    servers: tuple[int, ...]
    speeds: tuple[float, ...]
    arrival_rate: float

    def __post_init__(self) -> None:
        servers = tuple(_sequence("servers", self.servers))
        speeds = tuple(_sequence("speeds", self.speeds))
        if len(servers) != len(speeds):
            raise ValueError(
                f"servers and speeds must have one entry per pool, got {len(servers)} and {len(speeds)}"
            )
        servers = tuple(check_positive_int(f"servers[{j}]", v) for j, v in enumerate(servers))
        speeds = check_decreasing_speeds("speeds", speeds)
        rate = check_finite_positive("arrival_rate", self.arrival_rate)
        capacity = float(np.dot(servers, speeds))
        if rate >= capacity:
            raise ValueError(
                f"unstable: arrival_rate {rate:g} must be < capacity sum_j mu_j N_j = {capacity:g}"
            )
        object.__setattr__(self, "servers", servers)
        object.__setattr__(self, "speeds", speeds)
        object.__setattr__(self, "arrival_rate", rate)

    @classmethod
    def from_params(cls, params: Params, n: int) -> "System":
        """The n-th system of the paper: N_j^(n) by (A2), total arrival rate n lambda^(n) by (A1)."""
        n = check_positive_int("n", n)
        return cls(params.servers(n), params.mu, n * params.arrival_rate(n))

    @property
    def pools(self) -> int:
        return len(self.servers)

    @property
    def n(self) -> int:
        """Total number of servers n = sum_j N_j."""
        return int(sum(self.servers))

    @property
    def capacity(self) -> float:
        """sum_j mu_j N_j."""
        return float(np.dot(self.servers, self.speeds))

    @property
    def load(self) -> float:
        """L / sum_j mu_j N_j."""
        return self.arrival_rate / self.capacity

    @property
    def uniformisation_rate(self) -> float:
        """Lambda = L + sum_j mu_j N_j, a bound on the total event rate of every state."""
        return self.arrival_rate + self.capacity

    @property
    def sqrt_n(self) -> float:
        return math.sqrt(self.n)

    def as_dict(self) -> dict:
        return {"servers": list(self.servers), "speeds": list(self.speeds), "arrival_rate": self.arrival_rate}


def _sequence(name: str, values: Sequence) -> list:
    if isinstance(values, (str, bytes)):
        raise ValueError(f"{name} must be a sequence with one entry per pool, got {values!r}")
    try:
        values = list(values)
    except TypeError as exc:
        raise ValueError(f"{name} must be a sequence with one entry per pool, got {values!r}") from exc
    if not values:
        raise ValueError(f"{name} must have at least one pool")
    return values
