"""The diffusion's stationary law (3.9)-(3.10) as the reference of the comparisons.

Grid solver of ``reflected_ou.grid`` (Markov-chain approximation, Richardson-extrapolated moments
and tails); E[Y_M1] = -beta/mu_M is exact (NOTES, adjoint relation).  Marginal tails are handed to the
Wasserstein distances as :class:`PiecewiseLinearTail` curves: the grid's (its node masses spread evenly
over their cells, so the tail is linear between cell edges) or, for Y_12, a Monte Carlo one
(:mod:`comparison.mc_reference` explains why the grid cannot resolve Y_12 at the lattice scale of large n).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from reflected_ou.grid import GridResult, solve_grid
from reflected_ou.params import Params

MARGINAL_NAMES = ("Y_12", "idle")


@dataclass(frozen=True)
class PiecewiseLinearTail:
    """y -> P(X > y): linear between ``knots`` (strictly increasing), ``values[0]`` below the first
    knot and 0 above the last (mass beyond the last knot is dropped)."""

    knots: np.ndarray
    values: np.ndarray

    def __post_init__(self):
        knots, values = np.asarray(self.knots, np.float64), np.asarray(self.values, np.float64)
        if knots.ndim != 1 or knots.shape != values.shape or knots.size < 2:
            raise ValueError(f"knots and values must be 1-D of the same length >= 2, got {knots.shape} and {values.shape}")
        if not (np.all(np.isfinite(knots)) and np.all(np.diff(knots) > 0)):
            raise ValueError("knots must be finite and strictly increasing")
        if not (np.all(np.isfinite(values)) and values.min() >= 0.0 and values.max() <= 1.0):
            raise ValueError("tail values must lie in [0, 1]")
        object.__setattr__(self, "knots", knots)
        object.__setattr__(self, "values", values)

    def left_limit(self, y) -> np.ndarray:
        """lim_{t -> y-} P(X > t)."""
        y = np.asarray(y, np.float64)
        return np.where(y > self.knots[-1], 0.0, np.interp(y, self.knots, self.values))

    def right_limit(self, y) -> np.ndarray:
        """P(X > y) (right-continuous)."""
        y = np.asarray(y, np.float64)
        return np.where(y >= self.knots[-1], 0.0, np.interp(y, self.knots, self.values))

    __call__ = right_limit

    def integral(self, lower: float = 0.0) -> float:
        """int_lower^inf P(X > y) dy (= E[X] for X >= lower = 0): trapezoids, exact for this curve."""
        knots = np.union1d(self.knots, [lower])
        knots = knots[knots >= lower]
        values = np.interp(knots, self.knots, self.values)
        return float(np.sum((values[1:] + values[:-1]) / 2 * np.diff(knots)))


def _cell_edges(grid: GridResult, nodes: str) -> np.ndarray:
    """Cell edges of both grids' nodes (``nodes``: "y_12" or "y_M1", in absolute value): all are odd
    multiples of delta_fine / 2, so they are built as integer multiples of it (no near-duplicates)."""
    unit = grid.fine.delta / 2
    multiples = [np.rint((np.abs(getattr(law, nodes)) + side * law.delta / 2) / unit)
                 for law in (grid.fine, grid.coarse) for side in (-1, 1)]
    return np.unique(np.concatenate(multiples)) * unit


def grid_tail_curve(grid: GridResult, name: str) -> PiecewiseLinearTail:
    """The grid's Richardson-extrapolated tail of ``name`` ("Y_12" or "idle" = -Y_M1), exactly as a
    curve: both grids' tails are linear between their cell edges, so their combination is linear between
    the union of the edges.  Where the extrapolation leaves [0, 1] (just above y = 0, where it overshoots
    1 by O(delta^2)), the curve interpolates the knot values the grid projects onto [0, 1]
    (``reflected_ou.grid``)."""
    if name == "Y_12":
        knots = _cell_edges(grid, "y_12")
        values = grid.tail_Y_12(knots)
    elif name == "idle":
        knots = _cell_edges(grid, "y_M1")
        values = grid.tail_idle(knots)
    else:
        raise ValueError(f"unknown marginal {name!r}; use one of {MARGINAL_NAMES}")
    return PiecewiseLinearTail(knots, values)


@dataclass(frozen=True)
class DiffusionReference:
    """Grid solution, with optional replacement curves (``curves``: name -> PiecewiseLinearTail)."""

    params: Params
    grid: GridResult = field(repr=False)
    curves: dict = field(default_factory=dict, repr=False)

    @classmethod
    def solve(cls, params: Params, delta: float = 0.05, curves: dict | None = None) -> "DiffusionReference":
        return cls(params, solve_grid(params, delta), dict(curves or {}))

    @property
    def mean_Y_M1(self) -> float:
        return -self.params.beta / self.params.mu_M

    @property
    def mean_Y_12(self) -> float:
        return self.grid.moments["Y_12"]

    def tail_curve(self, name: str) -> PiecewiseLinearTail:
        """P(Y_12 > y) for "Y_12", P(-Y_M1 > y) for "idle", as a curve (a replacement if given)."""
        if name in self.curves:
            return self.curves[name]
        return grid_tail_curve(self.grid, name)

    def tail(self, name: str, y) -> np.ndarray:
        """P(Y_12 > y) for "Y_12", P(-Y_M1 > y) for "idle" (y >= 0)."""
        return self.tail_curve(name)(y)
