"""Routing probabilities on the occupancy against brute force over explicit server-level queues."""
import itertools
from math import comb

import jax.numpy as jnp
import numpy as np
import pytest

from ctmc.policies import JIQ, JSQ, SAJSQ, SED, PowerOfD, SpeedRandom, UniformRandom
from ctmc.state import exact_counts

SERVERS = (2, 3, 2)
SPEEDS = (3.0, 1.5, 1.0)
LEVELS = 3


def random_queues(rng):
    """Queue length of each server, as (pool, length) pairs; lengths 0..LEVELS."""
    return [(j, int(rng.integers(0, LEVELS + 1))) for j, size in enumerate(SERVERS) for _ in range(size)]


def occupancy(queues):
    q = np.zeros((len(SERVERS), LEVELS), np.int32)
    for j, length in queues:
        q[j, :length] += 1
    return q


def brute_force(name, queues, d=2):
    """Probability of joining a (pool, length) class, by the policy's server-level definition."""
    p = np.zeros((len(SERVERS), LEVELS + 1))
    n = len(queues)

    def add_uniform(candidates, weight=1.0):
        for j, length in candidates:
            p[j, length] += weight / len(candidates)

    if name == "sa-jsq":
        best = min((length, j) for j, length in queues)
        add_uniform([s for s in queues if (s[1], s[0]) == best])
    elif name == "jsq":
        shortest = min(length for _, length in queues)
        add_uniform([s for s in queues if s[1] == shortest])
    elif name == "sed":
        delay = [(length + 1) / SPEEDS[j] for j, length in queues]
        best = min(delay)
        tied = [s for s, x in zip(queues, delay) if np.isclose(x, best, rtol=1e-12)]
        fastest = min(j for j, _ in tied)
        add_uniform([s for s in tied if s[0] == fastest])
    elif name == "power-of-d":
        subsets = list(itertools.combinations(range(n), d))
        for subset in subsets:
            best = min((queues[i][1], queues[i][0]) for i in subset)
            p[best[1], best[0]] += 1.0 / len(subsets)
    elif name == "jiq":
        idle = [s for s in queues if s[1] == 0]
        if idle:
            fastest = min(j for j, _ in idle)
            add_uniform([s for s in idle if s[0] == fastest])
        else:
            add_uniform(queues)
    elif name == "random":
        add_uniform(queues)
    elif name == "speed-random":
        total = sum(SPEEDS[j] for j, _ in queues)
        for j, length in queues:
            p[j, length] += SPEEDS[j] / total
    return p


POLICIES = {"sa-jsq": SAJSQ(), "jsq": JSQ(), "sed": SED(), "power-of-d": PowerOfD(2), "jiq": JIQ(),
            "random": UniformRandom(), "speed-random": SpeedRandom()}


@pytest.mark.parametrize("name", sorted(POLICIES))
def test_routing_matches_server_level_definition(name):
    rng = np.random.default_rng(7)
    policy = POLICIES[name]
    for _ in range(40):
        queues = random_queues(rng)
        if rng.random() < 0.3:  # states with idle servers in some pools only
            queues = [(j, max(length, 1) if j == 0 else length) for j, length in queues]
        counts = exact_counts(jnp.asarray(occupancy(queues)), SERVERS).astype(float)
        got = np.asarray(policy.route(counts, jnp.asarray(SPEEDS)))
        np.testing.assert_allclose(got, brute_force(name, queues), atol=1e-12)
        assert got.sum() == pytest.approx(1.0, abs=1e-12)


def test_power_of_three_matches_enumeration():
    rng = np.random.default_rng(3)
    policy = PowerOfD(3)
    for _ in range(10):
        queues = random_queues(rng)
        counts = exact_counts(jnp.asarray(occupancy(queues)), SERVERS).astype(float)
        got = np.asarray(policy.route(counts, jnp.asarray(SPEEDS)))
        np.testing.assert_allclose(got, brute_force("power-of-d", queues, d=3), atol=1e-12)
        assert comb(len(queues), 3) > 0
