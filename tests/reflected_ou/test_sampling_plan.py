"""The stationary estimator's block length and sampling interval (reflected_ou.sampling_plan)."""
import math

import pytest

from reflected_ou import Params
from reflected_ou.sampling_plan import BLOCK_TIME, MAX_SAMPLE_EVERY, block_plan, default_sample_every

EXAMPLE = Params.paper_example()  # mu_1 = 2.5
JSQ = Params.homogeneous(1.0)  # mu_1 = 1


@pytest.mark.parametrize("params, dt, expected", [
    (EXAMPLE, 0.01, 20),  # 1 / (2 mu_1 dt) = 20
    (EXAMPLE, 0.01 * (1 + 1e-12), 20),  # 20 / (1 + 1e-12): a rounding below 20 still gives 20 (1e-9 guard)
    (EXAMPLE, 0.02, 10),
    (EXAMPLE, 0.005, MAX_SAMPLE_EVERY),  # 40, capped
    (EXAMPLE, 0.03, 6),  # 6.67
    (EXAMPLE, 0.4, 1),  # 0.5: at least one step
    (JSQ, 0.2, 2), (JSQ, 0.1, 5), (JSQ, 0.01, MAX_SAMPLE_EVERY),
])
def test_default_sampling_spacing_is_half_the_fastest_relaxation_time(params, dt, expected):
    k = default_sample_every(params, dt)
    assert k == expected
    assert k == 1 or params.mu_1 * k * dt <= 0.5 * (1 + 1e-9)  # spacing k dt <= 1 / (2 mu_1), to rounding


def test_default_blocks_hold_whole_sampling_intervals_and_last_about_block_time():
    for dt in (0.01, 0.003, 0.0007, 0.02, 0.3):
        steps, k = block_plan(EXAMPLE, dt)
        assert k == default_sample_every(EXAMPLE, dt) and steps % k == 0
        assert abs(steps * dt - BLOCK_TIME) <= k * dt / 2 or steps == k
    assert block_plan(EXAMPLE, 0.01) == (500, 20)
    assert block_plan(EXAMPLE, 0.003) == (1660, 20)  # round(5 / 0.003) = 1667 is prime: a multiple of 20


def test_given_block_or_interval_is_kept():
    assert block_plan(EXAMPLE, 0.01, block_steps=250) == (250, 10)  # largest divisor of 250 up to 20
    assert block_plan(EXAMPLE, 0.01, block_steps=97) == (97, 1)
    assert block_plan(EXAMPLE, 0.01, sample_every=7) == (497, 7)  # whole intervals, about 5 time units
    assert block_plan(EXAMPLE, 0.01, block_steps=100, sample_every=25) == (100, 25)


@pytest.mark.parametrize("kwargs, message", [
    (dict(block_steps=100, sample_every=7), r"sample_every \(7\) must divide block_steps \(100\)"),
    (dict(sample_every=0), "sample_every must be an integer >= 1"),
    (dict(block_steps=0), "block_steps must be an integer >= 1"),
    (dict(sample_every=2.5), "sample_every must be an integer"),
])
def test_bad_plans_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        block_plan(EXAMPLE, 0.01, **kwargs)


def test_spacing_bound_gives_at_most_two_percent_variance_inflation():
    """(x/2) coth(x/2) at x = mu_1 s = 1/2, the variance factor of sampling an exponentially
    correlated process at spacing s, is below 1 + 1/48 (module docstring)."""
    x = 0.5
    assert (x / 2) / math.tanh(x / 2) <= 1 + 1 / 48
