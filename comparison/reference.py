"""The diffusion's stationary law (3.9)-(3.10) as the reference of the comparisons.

Grid solver of ``reflected_ou.grid`` (Markov-chain approximation, Richardson-extrapolated moments
and tails); E[Y_M1] = -beta/mu_M is exact (NOTES, adjoint relation).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from reflected_ou.grid import GridResult, solve_grid
from reflected_ou.params import Params


@dataclass(frozen=True)
class DiffusionReference:
    params: Params
    grid: GridResult = field(repr=False)

    @classmethod
    def solve(cls, params: Params, delta: float = 0.05) -> "DiffusionReference":
        return cls(params, solve_grid(params, delta))

    @property
    def mean_Y_M1(self) -> float:
        return -self.params.beta / self.params.mu_M

    @property
    def mean_Y_12(self) -> float:
        return self.grid.moments["Y_12"]

    def tail(self, name: str, y) -> np.ndarray:
        """P(Y_12 > y) for "Y_12", P(-Y_M1 > y) for "idle" (y >= 0)."""
        if name == "Y_12":
            return np.clip(self.grid.tail_Y_12(y), 0.0, 1.0)
        if name == "idle":
            return np.clip(self.grid.tail_idle(y), 0.0, 1.0)
        raise ValueError(f"unknown marginal {name!r}; use 'Y_12' or 'idle'")
