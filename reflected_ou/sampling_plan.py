"""How the stationary estimator cuts its time: blocks of steps, and the sampling interval k of its
statistics (moments and histogram are taken from the state every k steps).

For every k the states sampled follow the scheme's stationary law, so k trades cost against variance:

* cost: a sample (moment sums, histogram cell, scatter-add) costs about c = 1 step in float32
  (``benchmarks/ou_throughput.py``: the estimator runs at 0.79-0.80 of the floor at k = 10, at
  0.82-0.83 at k = 20), so a path-step costs about 1 + c / k steps;
* variance: sampling a time average at spacing s = k h instead of continuously multiplies its
  variance by (lambda s / 2) coth(lambda s / 2) ~= 1 + (lambda s)^2 / 12 for a correlation
  e^(-lambda |t|); the fastest relaxation rate of (3.9)-(3.10) is lambda = mu_1.

The default keeps the spacing within half the fastest relaxation time, and k at most 20:

    k = min(20, floor(1 / (2 mu_1 h))),    so (mu_1 s)^2 / 12 <= 1/48, a variance inflation <= 2%.

Measured (paper's example, h = 0.01, so k = 20; 512 paths x 1000 time units, same seed, same
paths): standard errors against k = 1 are larger by 0.05% (Y_M1), 0.12% (Y_12), 0.9% (cross
moment); at k = 10 by 0.02%, 0.02%, 0.6%.
Blocks last about BLOCK_TIME time units and hold a whole number of sampling intervals.
"""
from __future__ import annotations

import math
from typing import Optional

from reflected_ou.noise import largest_divisor
from reflected_ou.params import Params

#: Most steps between two samples of the statistics by default.
from rou_common.checks import check_positive_int
MAX_SAMPLE_EVERY = 20
#: Default spacing of the samples, in units of the fastest relaxation time 1 / mu_1.
SAMPLE_SPACING = 0.5
#: Default duration of a block, in time units.
BLOCK_TIME = 5.0


def default_sample_every(params: Params, dt: float) -> int:
    """k = min(MAX_SAMPLE_EVERY, floor(SAMPLE_SPACING / (mu_1 h))), at least 1 (module docstring)."""
    steps_in_spacing = SAMPLE_SPACING / (params.mu_1 * dt)
    return max(1, min(MAX_SAMPLE_EVERY, math.floor(steps_in_spacing * (1 + 1e-9))))


def block_plan(params: Params, dt: float, block_steps: Optional[int] = None,
               sample_every: Optional[int] = None) -> tuple[int, int]:
    """(block_steps, sample_every) of a run with step ``dt``.

    Neither given: k = :func:`default_sample_every` and blocks of k * round(BLOCK_TIME / (k h)) steps.
    Only k given: blocks of a whole number of k steps, about BLOCK_TIME long.  Only ``block_steps``
    given: k is its largest divisor up to the default k.  Both given: k must divide ``block_steps``.
    """
    if sample_every is not None:
        sample_every = check_positive_int("sample_every", sample_every)
    if block_steps is None:
        sample_every = sample_every or default_sample_every(params, dt)
        return sample_every * max(1, round(BLOCK_TIME / (sample_every * dt))), sample_every
    block_steps = check_positive_int("block_steps", block_steps)
    if sample_every is None:
        return block_steps, largest_divisor(block_steps, default_sample_every(params, dt))
    if block_steps % sample_every:
        raise ValueError(f"sample_every ({sample_every}) must divide block_steps ({block_steps})")
    return block_steps, sample_every
