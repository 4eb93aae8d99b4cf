"""Input checks of :mod:`periodic_routing` (ValueError naming the rule): the shared ones of
:mod:`rou_common.checks` under short names, and the two that only routing needs."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from rou_common.checks import check_finite_positive as positive_real  # one copy of each check
from rou_common.checks import check_positive_int as positive_int
from rou_common.checks import positive_vector, weights

__all__ = ["positive_real", "positive_int", "positive_vector", "integer_vector", "weights", "checked_sampler"]


def integer_vector(name: str, values: Sequence, minimum: int = 1) -> tuple[int, ...]:
    """Non-empty tuple of integers >= minimum (p in Z_+^R: every type receives jobs)."""
    arr = np.atleast_1d(np.asarray(values, dtype=object))
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D sequence (at least one queue type), got {values!r}")
    out = []
    for i, v in enumerate(arr):
        try:
            out.append(positive_int(f"{name}[{i}]", v, minimum))
        except ValueError as exc:
            rule = "positive integers (p in Z_+^R; an empty type with p_r = 0 is not allowed)" if minimum >= 1 \
                else f"integers >= {minimum}"
            raise ValueError(f"{name} must have {rule}, got {name}[{i}] = {v!r}") from exc
    return tuple(out)


def checked_sampler(sampler, name: str):
    """``sampler(rng, size)`` wrapped so that every draw is checked: finite times >= 0
    (a user sampler returning negative times was used silently, shifting the mean wait)."""
    if not callable(sampler):
        raise ValueError(f"{name} must be callable as {name}(rng, size)")

    def draw(rng, size):
        values = np.asarray(sampler(rng, size), dtype=float)  # its shape is checked by the caller
        if not np.all(np.isfinite(values)) or (values.size and values.min() < 0):
            raise ValueError(f"{name}(rng, size) must return finite times >= 0")
        return values

    return draw
