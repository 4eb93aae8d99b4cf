"""Deterministic reference: a Markov-chain approximation of (3.9)-(3.10) on a grid (Kushner-Dupuis).

On the grid x = (-k delta, l delta), 0 <= k <= K_1, 0 <= l <= K_2, the continuous-time chain with rates

    x -> x + delta e_1:  1/delta^2 + b_1^+ / delta,     x -> x - delta e_1:  1/delta^2 + b_1^- / delta,
    x -> x - delta e_2:  b_2^- / delta                  (b_2 = -mu_1 x_2 <= 0, so no up-moves),

(b from ``reflected_ou.drift``) is locally consistent with the generator f_11 + b_1 f_1 + b_2 f_2:
mean displacement b dt, covariance diag(2, 0) dt + O(delta).  At x_1 = 0 the move to x_1 = +delta
is reflected along (-1, +1) into (0, x_2 + delta): the regulator U_1 pushing Y_12 up.  Moves out of
the box at x_1 = -K_1 delta or x_2 = K_2 delta are suppressed; the mass on those edges is reported
as the truncation mass.  The stationary law solves pi Q = 0, sum pi = 1 (sparse direct solve).

The chain keeps the exact identity E[beta + mu_M Y_M1] = 0 (the sum S = x_1 + x_2 has drift
-(beta + mu_M x_1) whatever the reflection), and has O(delta) error elsewhere; ``solve_grid``
removes it by Richardson extrapolation, m = 2 m(delta/2) - m(delta).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sparse
import scipy.sparse.linalg as sparse_linalg

from reflected_ou.box import Box, default_box
from reflected_ou.drift import limit_drift
from reflected_ou.params import Params
from rou_common.checks import check_finite_positive
from reflected_ou.validation import check_params

MOMENTS = ("Y_M1", "Y_12", "Y_M1_sq", "Y_12_sq", "Y_M1_Y_12", "U_rate")

#: Largest grid the sparse direct solver is asked to handle (nodes).
MAX_NODES = 2_000_000


@dataclass(frozen=True)
class GridLaw:
    """Stationary law of the chain on one grid: probabilities ``mass[k, l]`` at (-k delta, l delta)."""

    delta: float
    y_M1: np.ndarray  # grid values of Y_M1 (0, -delta, ...), axis 0
    y_12: np.ndarray  # grid values of Y_12 (0, delta, ...), axis 1
    mass: np.ndarray = field(repr=False)
    moments: dict
    truncation_mass: float


@dataclass(frozen=True)
class GridResult:
    """Richardson-extrapolated moments (``moments``) from the grids ``coarse`` and ``fine``."""

    moments: dict
    coarse: GridLaw = field(repr=False)
    fine: GridLaw = field(repr=False)

    @property
    def truncation_mass(self) -> float:
        return max(self.coarse.truncation_mass, self.fine.truncation_mass)

    def density(self):
        """(y_M1 grid, y_12 grid, density) of the fine grid: mass / delta^2."""
        return self.fine.y_M1, self.fine.y_12, self.fine.mass / self.fine.delta**2

    def tail_Y_12(self, y):
        """P(Y_12 > y), Richardson-extrapolated from both grids (node masses spread over their cells)
        and projected onto [0, 1] (see :func:`_extrapolated_probability`)."""
        return _extrapolated_probability(
            _lattice_tail(self.fine.y_12, self.fine.mass.sum(axis=0), self.fine.delta, y),
            _lattice_tail(self.coarse.y_12, self.coarse.mass.sum(axis=0), self.coarse.delta, y))

    def tail_idle(self, y):
        """P(-Y_M1 > y), Richardson-extrapolated from both grids and projected onto [0, 1]."""
        return _extrapolated_probability(
            _lattice_tail(-self.fine.y_M1, self.fine.mass.sum(axis=1), self.fine.delta, y),
            _lattice_tail(-self.coarse.y_M1, self.coarse.mass.sum(axis=1), self.coarse.delta, y))


def _extrapolated_probability(fine, coarse):
    """2 p(delta/2) - p(delta), projected onto [0, 1].

    The extrapolation can overshoot a probability near 0 or 1 by O(delta^2) (P(-Y_M1 > 0) = 1 came
    out as 1.0000115 at delta = 0.05).  The true value lies in [0, 1], so the projection never moves
    the estimate away from it: |proj(x) - p| <= |x - p| for every p in [0, 1].
    """
    return np.clip(2 * fine - coarse, 0.0, 1.0)


def _lattice_tail(values, probabilities, delta, y):
    """P(X > y) when the mass at node v is spread uniformly over [v - delta/2, v + delta/2]."""
    y = np.asarray(y, dtype=float)[..., None]
    return np.sum(probabilities * np.clip((values + delta / 2 - y) / delta, 0.0, 1.0), axis=-1)


def _generator(params: Params, delta: float, box: Box):
    k_max = int(round(-box.y_M1_low / delta))
    l_max = int(round(box.y_12_high / delta))
    nodes = (k_max + 1) * (l_max + 1)
    if nodes > MAX_NODES:
        raise ValueError(f"delta = {delta} gives {nodes} grid nodes, more than {MAX_NODES}; use a larger delta")
    k, l = np.meshgrid(np.arange(k_max + 1), np.arange(l_max + 1), indexing="ij")
    x1, x2 = -k * delta, l * delta
    b1, b2 = limit_drift(x1, x2, params.beta, params.mu_1, params.mu_M)
    index = k * (l_max + 1) + l
    up = 1 / delta**2 + np.maximum(b1, 0) / delta  # towards x_1 = 0 (k - 1)
    down = 1 / delta**2 + np.maximum(-b1, 0) / delta  # away from 0 (k + 1)
    decay = np.maximum(-b2, 0) / delta  # l - 1
    at_zero = k == 0
    # (source, target, rate) for each allowed move; the reflected move sends (0, l) to (0, l + 1).
    moves = [
        (index[~at_zero], index[~at_zero] - (l_max + 1), up[~at_zero]),
        (index[at_zero & (l < l_max)], index[at_zero & (l < l_max)] + 1, up[at_zero & (l < l_max)]),
        (index[k < k_max], index[k < k_max] + (l_max + 1), down[k < k_max]),
        (index[l > 0], index[l > 0] - 1, decay[l > 0]),
    ]
    rows = np.concatenate([m[0].ravel() for m in moves])
    cols = np.concatenate([m[1].ravel() for m in moves])
    rates = np.concatenate([m[2].ravel() for m in moves])
    rate_matrix = sparse.csr_matrix((rates, (rows, cols)), shape=(nodes, nodes))
    generator = rate_matrix - sparse.diags(np.asarray(rate_matrix.sum(axis=1)).ravel())
    reflection_rate = np.where(at_zero & (l < l_max), up, 0.0)  # rate of dU = delta jumps
    return generator, x1, x2, reflection_rate, (k_max, l_max)


def solve_chain(params: Params, delta: float, box: Box | None = None) -> GridLaw:
    """Stationary law of the chain with step ``delta`` on ``box`` (default ``box.default_box``)."""
    check_params(params)
    delta = check_finite_positive("delta", delta)
    box = _check_box(box or default_box(params), delta)
    generator, x1, x2, reflection_rate, (k_max, l_max) = _generator(params, delta, box)
    # pi Q = 0 with sum pi = 1: pin pi = 1 at the node nearest the mean (E[Y_M1] = -beta/mu_M, 0) and
    # solve the other balance equations (a dense normalisation row would ruin the sparse LU), then
    # normalise.
    pinned = int(np.argmin(np.abs(x1 + params.beta / params.mu_M) + x2))
    keep = np.ones(generator.shape[0], dtype=bool)
    keep[pinned] = False
    balance = generator.T.tocsr()
    reduced = balance[keep][:, keep].tocsc()
    rhs = -balance[keep][:, [pinned]].toarray().ravel()
    solution = sparse_linalg.spsolve(reduced, rhs)
    mass = np.insert(solution, pinned, 1.0).reshape(x1.shape)
    if not np.all(np.isfinite(mass)) or mass.min() < -1e-10 * mass.max():
        raise ValueError(f"grid solve failed (delta = {delta}); try a smaller box or another delta")
    mass = np.clip(mass, 0.0, None)  # round-off of order 1e-16 below zero (checked above)
    mass /= mass.sum()
    moments = {
        "Y_M1": np.sum(mass * x1),
        "Y_12": np.sum(mass * x2),
        "Y_M1_sq": np.sum(mass * x1**2),
        "Y_12_sq": np.sum(mass * x2**2),
        "Y_M1_Y_12": np.sum(mass * x1 * x2),
        "U_rate": np.sum(mass * reflection_rate) * delta,
    }
    edge = np.zeros_like(mass, dtype=bool)
    edge[k_max, :] = True
    edge[:, l_max] = True
    return GridLaw(delta, x1[:, 0], x2[0, :], mass, {k: float(v) for k, v in moments.items()},
                   float(mass[edge].sum()))


#: Fewest grid steps along each side of the box.
MIN_STEPS_PER_SIDE = 10


def _check_box(box, delta: float) -> Box:
    """The box [y_M1_low, 0] x [0, y_12_high]: finite sides, each at least MIN_STEPS_PER_SIDE steps."""
    low, high = (float(v) for v in box)
    if not (np.isfinite(low) and low < 0 and np.isfinite(high) and high > 0):
        raise ValueError(f"box must have finite y_M1_low < 0 and y_12_high > 0, got {tuple(box)}")
    shortest = min(-low, high)
    if delta > shortest / MIN_STEPS_PER_SIDE:
        raise ValueError(f"delta must be <= 1/{MIN_STEPS_PER_SIDE} of each side of the box (sides {-low:g} and "
                         f"{high:g}), got delta = {delta!r}: use delta <= {shortest / MIN_STEPS_PER_SIDE:g}")
    return Box(low, high)


def _check_moments_in_domain(moments: dict, delta: float) -> None:
    """The extrapolated moments must be moments of a law on Y_M1 <= 0 <= Y_12; a grid too coarse
    for the law breaks this (delta = 1 gave E[Y_12^2] = -0.024), and is refused."""
    m = moments
    rules = {
        "E[Y_M1] <= 0": m["Y_M1"] <= 0,
        "E[Y_12] >= 0": m["Y_12"] >= 0,
        "E[Y_M1^2] >= E[Y_M1]^2": m["Y_M1_sq"] >= m["Y_M1"] ** 2,
        "E[Y_12^2] >= E[Y_12]^2": m["Y_12_sq"] >= m["Y_12"] ** 2,
        "E[Y_M1 Y_12] <= 0": m["Y_M1_Y_12"] <= 0,
        "E[Y_M1 Y_12]^2 <= E[Y_M1^2] E[Y_12^2]": m["Y_M1_Y_12"] ** 2 <= m["Y_M1_sq"] * m["Y_12_sq"],
        "U_rate >= 0": m["U_rate"] >= 0,
    }
    broken = [rule for rule, holds in rules.items() if not holds]
    if broken:
        raise ValueError(f"delta = {delta!r} is too coarse for this law: the extrapolated moments break "
                         f"{', '.join(broken)}; use a smaller delta")


def solve_grid(params: Params, delta: float = 0.05, box: Box | None = None) -> GridResult:
    """Stationary moments of (3.9)-(3.10) by the chain on grids delta and delta/2, Richardson-extrapolated.

    ``result.moments`` maps Y_M1, Y_12, Y_M1_sq, Y_12_sq, Y_M1_Y_12, U_rate to 2 m(delta/2) - m(delta);
    ``result.truncation_mass`` is the probability on the artificial edges of the box (should be tiny).
    """
    coarse = solve_chain(params, delta, box)
    fine = solve_chain(params, delta / 2, box)
    moments = {name: 2 * fine.moments[name] - coarse.moments[name] for name in MOMENTS}
    _check_moments_in_domain(moments, delta)
    return GridResult(moments, coarse, fine)
