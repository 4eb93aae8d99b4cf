"""Empirical weak order of the two reflection schemes on E[Y_12] (homogeneous JSQ, beta = 1).

Reference: the Richardson-extrapolated grid solution.  Lepingle's step has weak order 1: the error
halves (ratio in [1.6, 2.5]) when h halves; the projected step is order 1/2 (ratio -> sqrt(2); at
these h it is still pre-asymptotic, ~1.2-1.3).  benchmarks/weak_order.py prints the longer table.
"""
import numpy as np
import pytest

from reflected_ou import Params
from reflected_ou.grid import solve_grid
from reflected_ou.stationary import estimate_stationary

JSQ = Params.homogeneous(1.0)


def error_and_stderr(scheme, dt, reference):
    run = estimate_stationary(JSQ, seed=21, dt=dt, burn_in=20, horizon=5000, replicas=1024, scheme=scheme,
                              dtype="float32", block_steps=int(round(10 / dt)), progress=False)
    return run.mean["Y_12"] - reference, run.stderr["Y_12"]


def ratio_and_stderr(coarse, fine):
    (e1, s1), (e2, s2) = coarse, fine
    ratio = e1 / e2
    return ratio, abs(ratio) * np.hypot(s1 / e1, s2 / e2)


@pytest.fixture(scope="module")
def reference():
    return solve_grid(JSQ, 0.05).moments["Y_12"]


def test_lepingle_is_weak_order_one(reference):
    ratio, stderr = ratio_and_stderr(*(error_and_stderr("lepingle", h, reference) for h in (0.2, 0.1)))
    assert 3 * stderr < 0.45  # resolves order 1 (ratio 2) from order 1/2 (ratio 1.41)
    assert 1.6 <= ratio <= 2.5


def test_projected_is_weak_order_one_half(reference):
    errors = [error_and_stderr("projected", h, reference) for h in (0.2, 0.1)]
    ratio, stderr = ratio_and_stderr(*errors)
    assert 3 * stderr < 0.2
    assert 1.0 < ratio < 1.6  # about sqrt(2), far from the order-1 ratio 2
    assert abs(errors[1][0]) > 5 * abs(error_and_stderr("lepingle", 0.1, reference)[0])
