"""Projected Euler step: the discrete Skorokhod map (Asmussen, Glynn, Pitman 1995).

With the free step start a <= 0 -> end b, the one-sided Skorokhod map on the grid gives

    dU = max(b, 0),    Y_M1(t + h) = b - dU = min(b, 0).

It only sees the end point, missing excursions above 0 inside the step, so its weak error (and the
bias of stationary averages) is O(sqrt(h)) (Asmussen-Glynn-Pitman 1995).
"""
from reflected_ou.schemes.positive_part import positive_part

#: The step needs no Exp(1) variate.
NEEDS_EXPONENTIAL = False


def regulator_increment(start, end, dt, exponential=None):
    """dU = max(end, 0): the discrete Skorokhod map (``start``, ``dt``, ``exponential`` unused)."""
    del start, dt, exponential
    return positive_part(end)
