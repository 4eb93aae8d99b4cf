"""Common interface of the routing policies and the event rates they induce on the occupancy.

A policy acts on one occupancy array q (M, K) (see :mod:`ctmc.state`) and returns the rates of the
four kinds of transitions of the occupancy CTMC:

* ``increments[j, i - 1]``: rate of Q_{j,i} -> Q_{j,i} + 1 (an arrival joins a type-j server with
  i - 1 jobs);
* ``decrements[j, i - 1]``: rate of Q_{j,i} -> Q_{j,i} - 1 (a type-j server with exactly i jobs
  completes a job), mu_j (Q_{j,i} - Q_{j,i+1}) as in the last line of (6.1);
* ``blocked``: rate of arrivals the *model* rejects (only the modified system of Section 7.1);
* ``overflow``: rate of arrivals that would join a server with K jobs, i.e. leave the truncated state
  space.  Simulators never drop them: they grow K or raise.  The exact solver reports their
  stationary rate as the truncation loss.

A symmetric routing policy is a map from the counts c_{j,l} (servers of type j with exactly l jobs,
l = 0..K) to the probabilities p_{j,l} that an arrival joins a type-j server with l jobs; then
increments[j, l] = L p_{j,l} for l < K and overflow = L sum_j p_{j,K}.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, NamedTuple

import jax.numpy as jnp

from reflected_ou.validation import resolve_dtype

from ..state import exact_counts
from ..system import System


class EventRates(NamedTuple):
    """Transition rates out of one occupancy state (pytree of arrays)."""

    increments: jnp.ndarray  # (M, K)
    decrements: jnp.ndarray  # (M, K)
    blocked: jnp.ndarray  # ()
    overflow: jnp.ndarray  # ()


class SystemArrays(NamedTuple):
    """The numbers of a :class:`ctmc.system.System` as a JAX pytree."""

    servers: jnp.ndarray  # (M,) int
    speeds: jnp.ndarray  # (M,) float
    arrival_rate: jnp.ndarray  # () float

    @classmethod
    def of(cls, system: System, dtype=None) -> "SystemArrays":
        dtype = resolve_dtype(dtype)  # float32 or float64 only, float64 needing x64
        return cls(
            jnp.asarray(system.servers, dtype=jnp.int32),
            jnp.asarray(system.speeds, dtype=dtype),
            jnp.asarray(system.arrival_rate, dtype=dtype),
        )


def level_major(values):
    """(M, K+1) -> ((K+1) M,) in the order (l, j): shortest queue first, then fastest pool."""
    return values.T.reshape(-1)


def from_level_major(flat, pools: int):
    return flat.reshape(-1, pools).T


def first_one_hot(mask_flat):
    """One-hot (float) of the first True entry of a 1-D mask (all zeros if none)."""
    index = jnp.argmax(mask_flat)
    return (jnp.arange(mask_flat.shape[0]) == index) & mask_flat[index]


@dataclass(frozen=True)
class Policy:
    """Base class: a symmetric routing policy (hashable, so it can be a static JIT argument)."""

    name: ClassVar[str] = "policy"
    #: Number of levels the state must have (None: any K, grown on overflow).
    fixed_levels: ClassVar[int | None] = None

    @property
    def label(self) -> str:
        return self.name

    def route(self, counts, speeds):
        """Probabilities p_{j,l} (M, K+1) of joining a type-j server with l jobs."""
        raise NotImplementedError

    def stability_violation(self, system: System) -> str | None:
        """A reason why the policy is unstable for ``system`` (a violated necessary condition)."""
        return None

    def validate(self, system: System) -> None:
        """Raise ValueError if the policy cannot run (or is provably unstable) on ``system``."""
        reason = self.stability_violation(system)
        if reason is not None:
            raise ValueError(f"policy {self.label} is unstable for this system: {reason}")

    def event_rates(self, q, arrays: SystemArrays) -> EventRates:
        counts = exact_counts(q, arrays.servers).astype(arrays.speeds.dtype)
        p = self.route(counts, arrays.speeds)
        arrivals = arrays.arrival_rate * p
        zero = jnp.zeros((), arrays.speeds.dtype)
        return EventRates(
            increments=arrivals[:, :-1],
            decrements=arrays.speeds[:, None] * counts[:, 1:],
            blocked=zero,
            overflow=jnp.sum(arrivals[:, -1]),
        )
