"""Reflection schemes for the Skorokhod regulator U_1 of (3.7), one per module.

A scheme maps one Euler step of the *free* idle coordinate, from ``start`` (<= 0) to ``end``, to the
increment dU >= 0 of the regulator over the step; the reflected value is ``end - dU`` <= 0 and dU
is added to Y_12 (reflection direction (-1, +1)).  ``exponential`` is an Exp(1) variate (-log V,
V uniform), used by schemes that sample the maximum of the step's Brownian bridge.
"""
from reflected_ou.schemes import lepingle, projected

SCHEMES = {"projected": projected, "lepingle": lepingle}


def get_scheme(name: str):
    """The scheme module called ``name`` ("projected" or "lepingle")."""
    try:
        return SCHEMES[name]
    except KeyError:
        raise ValueError(f"scheme must be one of {sorted(SCHEMES)}, got {name!r}") from None
