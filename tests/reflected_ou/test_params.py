"""Params: validation rules, (A1)/(A2) finite-n quantities, the homogeneous case."""
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from reflected_ou import Params
from reflected_ou.params import largest_remainder


def test_paper_example_is_normalised():
    p = Params.paper_example()
    assert p.pools == 2 and p.mu_1 == 2.5 and p.mu_M == 0.625
    assert math.isclose(sum(m * g for m, g in zip(p.mu, p.gamma)), 1.0)


def test_homogeneous_is_one_pool():
    p = Params.homogeneous(1.0)
    assert p.is_homogeneous and p.mu_1 == p.mu_M == 1.0
    assert p.servers(10) == (10,)


@pytest.mark.parametrize(
    "kwargs, rule",
    [
        (dict(mu=(0.625, 2.5), gamma=(0.8, 0.2), beta=2.0), "strictly decreasing"),
        (dict(mu=(1.0, 1.0), gamma=(0.5, 0.5), beta=2.0), "strictly decreasing"),
        (dict(mu=(2.5, -0.625), gamma=(0.2, 0.8), beta=2.0), "mu must be finite and > 0"),
        (dict(mu=(2.5, float("nan")), gamma=(0.2, 0.8), beta=2.0), "mu must be finite"),
        (dict(mu=(2.5, 0.625), gamma=(0.3, 0.8), beta=2.0), "gamma must sum to 1"),
        (dict(mu=(2.5, 0.625), gamma=(-0.2, 1.2), beta=2.0), "gamma must be finite and > 0"),
        (dict(mu=(3.0, 1.0), gamma=(0.5, 0.5), beta=2.0), "capacity must be normalised"),
        (dict(mu=(2.5, 0.625), gamma=(0.2, 0.8), beta=0.0), "beta must be finite and > 0"),
        (dict(mu=(2.5, 0.625), gamma=(0.2, 0.8), beta=-1.0), "beta must be finite and > 0"),
        (dict(mu=(2.5, 0.625), gamma=(0.2, 0.8), beta=float("nan")), "beta must be finite and > 0"),
        (dict(mu=(2.5, 0.625), gamma=(0.2, 0.3, 0.5), beta=1.0), "same length"),
        (dict(mu=(), gamma=(), beta=1.0), "non-empty"),
    ],
)
def test_bad_parameters_raise_naming_the_rule(kwargs, rule):
    with pytest.raises(ValueError, match=rule):
        Params(**kwargs)


def test_normalised_rescales_explicitly():
    p = Params.normalised((3.0, 1.0), (0.5, 0.5), 1.0)
    assert math.isclose(sum(m * g for m, g in zip(p.mu, p.gamma)), 1.0)
    assert math.isclose(p.mu_1 / p.mu_M, 3.0)


def test_params_are_immutable():
    p = Params.paper_example()
    with pytest.raises(AttributeError):
        p.beta = 3.0


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    n=st.integers(min_value=1, max_value=10**7),
    raw=st.lists(st.floats(min_value=0.01, max_value=1.0), min_size=1, max_size=6),
)
def test_largest_remainder_sums_to_n_and_is_within_one(n, raw):
    gamma = np.array(raw) / sum(raw)
    counts = np.array(largest_remainder(n, gamma))
    assert counts.sum() == n
    assert np.all(np.abs(counts - n * gamma) < 1.0)  # hence sqrt(n)|N_j/n - gamma_j| < n^(-1/2): (A2)


def test_assumption_A2_holds_along_n():
    p = Params.normalised((2.0, 1.0, 0.5), (0.1, 0.3, 0.6), 1.0)
    for n in (10, 10**3, 10**5, 10**7):
        deviation = math.sqrt(n) * np.max(np.abs(np.array(p.servers(n)) / n - np.array(p.gamma)))
        assert deviation < 1 / math.sqrt(n)


def test_arrival_rate_satisfies_A1_exactly():
    p = Params.paper_example()
    for n in (5, 100, 10**6):
        assert math.isclose(math.sqrt(n) * (1 - p.arrival_rate(n)), p.beta)
    with pytest.raises(ValueError, match="n must exceed beta"):
        p.arrival_rate(4)
    with pytest.raises(ValueError, match="n must be an integer"):
        p.servers(0)
    with pytest.raises(ValueError, match="leave a pool empty"):
        p.servers(2)
    with pytest.raises(ValueError, match=r"n must be <= 2\^52"):
        p.servers(10**30)  # gave (-9223372036854775807, -9223372036854775807) after an int64 overflow
    assert sum(p.servers(2**52)) == 2**52


@pytest.mark.parametrize("mu, gamma, beta, rule", [
    (("a",), (1.0,), 1.0, "mu must be a sequence of real numbers"),
    ((2.5, 0.625), (0.2, 0.8), "2", "beta must be a real number"),  # accepted before
    ((2.5, 0.625), (0.2, 0.8), True, "beta must be a real number"),
])
def test_strings_and_booleans_are_not_numbers(mu, gamma, beta, rule):
    with pytest.raises(ValueError, match=rule):
        Params(mu, gamma, beta)
