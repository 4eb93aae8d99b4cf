"""The modified system of Section 7.1: free servers, buffer 2, blocking; a lower bound for every policy.

Queues are not attached to servers: the servers re-sort so that longer queues are served by faster
servers, each queue holds at most 2 jobs and arrivals finding every queue full are blocked; arrivals
join a shortest queue (JSQ).  With Q~_i the number of queues with at least i jobs (i = 1, 2):

* arrival, rate L: Q~_1 += 1 if Q~_1 < n; else Q~_2 += 1 if Q~_2 < n; else blocked (A~_R);
* departure from a queue with 2 jobs, rate mu~(Q~_2): Q~_2 -= 1                  (7.16), (7.4);
* departure from a queue with 1 job, rate mu~(Q~_1) - mu~(Q~_2): Q~_1 -= 1       (7.17), (7.3);

with mu~(q) = sum_j mu_j [ (q - sum_{k<j} N_k)_+ ^ N_j ]   (7.1), the service rate of the q longest
queues served by the q fastest servers.  The state is stored in the occupancy form of (7.5),
Q~_{j,i} = (Q~_i - sum_{k<j} N_k)_+ ^ N_j (fastest pools filled first), with K = 2 levels, so that
mu~(Q~_i) = sum_j mu_j Q~_{j,i} and every statistic of the original system applies unchanged.
"""
from __future__ import annotations

from dataclasses import dataclass

import jax.numpy as jnp

from .base import EventRates, Policy, SystemArrays, first_one_hot


def fill_fastest_first(total, servers):
    """Q~_{j} = (total - sum_{k<j} N_k)_+ ^ N_j: the occupancy form of (7.5)."""
    before = jnp.cumsum(servers) - servers
    return jnp.clip(total - before, 0, servers)


def served_rate(total, servers, speeds):
    """mu~(q) of (7.1)."""
    return jnp.sum(speeds * fill_fastest_first(total, servers))


def last_one_hot(mask):
    return first_one_hot(mask[::-1])[::-1]


@dataclass(frozen=True)
class ModifiedSystem(Policy):
    """Section 7.1 system in occupancy form (K = 2 levels, filled fastest pool first)."""

    name = "modified"
    fixed_levels = 2

    def route(self, counts, speeds):  # pragma: no cover - the modified system has its own rates
        raise TypeError("the modified system is not a routing policy; use event_rates")

    def event_rates(self, q, arrays: SystemArrays) -> EventRates:
        dtype = arrays.speeds.dtype
        servers = arrays.servers.astype(q.dtype)
        n = jnp.sum(servers)
        level1, level2 = q[:, 0], q[:, 1]
        total1, total2 = jnp.sum(level1), jnp.sum(level2)
        rate1 = jnp.sum(arrays.speeds * level1)  # mu~(Q~_1)
        rate2 = jnp.sum(arrays.speeds * level2)  # mu~(Q~_2)
        to_idle = first_one_hot(level1 < servers) & (total1 < n)
        to_one = first_one_hot(level2 < servers) & (total1 == n) & (total2 < n)
        increments = arrays.arrival_rate * jnp.stack([to_idle, to_one], axis=1).astype(dtype)
        from_one = last_one_hot(level1 > 0).astype(dtype) * (rate1 - rate2)
        from_two = last_one_hot(level2 > 0).astype(dtype) * rate2
        blocked = jnp.where(total2 == n, arrays.arrival_rate, jnp.zeros((), dtype))
        return EventRates(
            increments=increments,
            decrements=jnp.stack([from_one, from_two], axis=1),
            blocked=blocked,
            overflow=jnp.zeros((), dtype),
        )
