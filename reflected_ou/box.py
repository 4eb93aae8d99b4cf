"""Default ranges of the stationary law, shared by the histograms and the grid solver.

Y_M1 is an OU process in its own right only through the sum S = Y_M1 + Y_12, whose drift is
-(beta + mu_M Y_M1) (NOTES, basic adjoint relationship): E[Y_M1] = -beta/mu_M and the spread of
Y_M1 is of order 1/sqrt(mu_M).  Y_12 is pushed up only at Y_M1 = 0, where the drift of Y_M1 is
mu_1 Y_12 - beta; it lives on the scale beta/mu_1 + 1/sqrt(mu_1).  Far up, Y_M1 sticks to 0 and
Y_12 moves like a Brownian motion with variance rate 2 and drift -beta reflected at 0: an
exponential tail P(Y_12 > y) ~ exp(-beta y), so the box reaches y = tail_decay / beta.
"""
from __future__ import annotations

import math
from typing import NamedTuple

from reflected_ou.params import Params


class Box(NamedTuple):
    """[y_M1_low, 0] x [0, y_12_high]: the truncated domain of the stationary law."""

    y_M1_low: float
    y_12_high: float


def default_box(params: Params, width: float = 9.0, tail_decay: float = 25.0) -> Box:
    """A box holding all but a negligible mass (checked by the grid solver's truncation mass)."""
    return Box(
        y_M1_low=-(params.beta / params.mu_M + width / math.sqrt(params.mu_M)),
        y_12_high=max(params.beta / params.mu_1 + width / math.sqrt(params.mu_1), tail_decay / params.beta),
    )
