"""Wasserstein-1 distance between a lattice law (the finite-n system) and a diffusion reference.

For laws on the line, W_1(P, Q) = int |P(X > y) - Q(X > y)| dy.  Here P lives on the lattice
{k h : k = 0, 1, ..} (h = 1/sqrt(n), scaling (2.1)), so y -> P(X > y) is a right-continuous step
function, and the reference tail G is piecewise linear (:class:`comparison.reference.PiecewiseLinearTail`:
a grid law or a histogram with its mass spread evenly over each cell).  Between consecutive points of
the union of the lattice and the knots the difference d(y) = P(X > y) - G(y) is linear, so

    int_a^b |d| = (b - a) (|d_a| + |d_b|) / 2                       if d_a d_b >= 0,
                = (b - a) (d_a^2 + d_b^2) / (2 (|d_a| + |d_b|))      otherwise (d changes sign once),

and W_1 is computed exactly (no quadrature grid).  Two lattice laws on the same lattice:
W_1 = h sum_k |P(X > k h) - Q(X > k h)|, exact.

Noise floor.  With the law P_n estimated from B independent batches of replicas, W_1(P_hat, G) >=
W_1(P_n, G) - W_1(P_hat, P_n) and <= W_1(P_n, G) + W_1(P_hat, P_n): the estimate is biased upward by up
to the sampling distance W_1(P_hat, P_n).  A bootstrap over the batches estimates both that distance
(the *floor*, mean of W_1(P*, P_hat)) and the spread (standard deviation of W_1(P*, G)).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rou_common.checks import check_finite_positive, check_positive_int

from .reference import PiecewiseLinearTail

#: Rows x intervals evaluated at once (bounds the memory of a bootstrap against a fine reference).
_CHUNK_CELLS = 2_000_000


def _check_lower(lower) -> float:
    lower = float(lower)
    if not np.isfinite(lower):
        raise ValueError(f"lower must be finite, got {lower!r}")
    return lower


def check_laws(probabilities, name: str = "probabilities") -> np.ndarray:
    """Rows of lattice laws, (rows, K) float64: finite, >= 0, each summing to 1 (to 1e-9), K >= 1."""
    p = np.atleast_2d(np.asarray(probabilities, dtype=np.float64))
    if p.ndim != 2 or p.shape[1] == 0:
        raise ValueError(f"{name} must be a law or rows of laws on the lattice, got shape {np.shape(probabilities)}")
    if not np.all(np.isfinite(p)) or p.min() < 0:
        raise ValueError(f"{name} must be finite and >= 0")
    sums = p.sum(axis=1)
    if np.any(np.abs(sums - 1.0) > 1e-9):
        raise ValueError(f"each row of {name} must sum to 1, got sums in [{sums.min():.12g}, {sums.max():.12g}]")
    return p


def tails_after(probabilities) -> np.ndarray:
    """P(X > k h) for each lattice index k (rows of ``probabilities`` are laws on k = 0, 1, ..)."""
    p = np.atleast_2d(np.asarray(probabilities, dtype=np.float64))
    return np.cumsum(p[:, ::-1], axis=1)[:, ::-1] - p  # sum over j > k (reverse cumsum keeps small tails exact)


def abs_linear_integral(length, d_left, d_right):
    """int_0^length |d| for d linear from d_left to d_right (module docstring)."""
    same_sign = d_left * d_right >= 0
    a, b = np.abs(d_left), np.abs(d_right)
    crossing = (d_left**2 + d_right**2) / (2 * np.where(same_sign, 1.0, a + b))
    return length * np.where(same_sign, (a + b) / 2, crossing)


def w1_lattice_to_tail(step: float, probabilities, reference: PiecewiseLinearTail, lower: float = 0.0):
    """Exact W_1 over [lower, inf) between lattice laws (rows of ``probabilities`` on k ``step``,
    k = 0, 1, ..; each row sums to 1) and the piecewise linear tail ``reference``; float or (rows,)."""
    step, lower = check_finite_positive("step", step), _check_lower(lower)
    p = check_laws(probabilities)
    lattice = step * np.arange(p.shape[1])
    upper = max(lattice[-1], reference.knots[-1], lower)
    points = np.union1d(np.union1d(lattice, reference.knots), [lower, upper])
    points = points[(points >= lower) & (points <= upper)]
    left, right = points[:-1], points[1:]
    index = np.searchsorted(lattice, left, side="right") - 1  # last lattice point <= left
    g_left, g_right = reference.right_limit(left), reference.left_limit(right)
    rows = max(1, _CHUNK_CELLS // max(1, left.size))
    distance = np.concatenate([_w1_rows(p[start:start + rows], index, right - left, g_left, g_right)
                               for start in range(0, p.shape[0], rows)])
    return float(distance[0]) if np.ndim(probabilities) == 1 else distance


def _w1_rows(p, index, lengths, g_left, g_right):
    tails = tails_after(p)
    step_tail = np.where(index >= 0, tails[:, np.maximum(index, 0)], p.sum(axis=1, keepdims=True))
    return abs_linear_integral(lengths, step_tail - g_left, step_tail - g_right).sum(axis=1)


def w1_lattice_to_lattice(step: float, probabilities, others) -> np.ndarray:
    """Exact W_1 = step sum_k |P(X > k step) - Q(X > k step)| between rows of two lattice laws."""
    step = check_finite_positive("step", step)
    p, q = check_laws(probabilities), check_laws(others, "others")
    width = max(p.shape[1], q.shape[1])
    p = np.pad(p, ((0, 0), (0, width - p.shape[1])))
    q = np.pad(q, ((0, 0), (0, width - q.shape[1])))
    return step * np.abs(tails_after(p) - tails_after(q)).sum(axis=1)


@dataclass(frozen=True)
class W1Estimate:
    """W_1(P_hat, G), the bootstrap standard deviation ``spread`` and the noise ``floor`` (module docstring)."""

    value: float
    spread: float
    floor: float

    @property
    def resolved(self) -> bool:
        """True when the estimate stands clear of its sampling noise: value > floor + 2 spread."""
        return self.value > self.floor + 2 * self.spread

    def as_dict(self) -> dict:
        return {"value": self.value, "spread": self.spread, "floor": self.floor}


def bootstrap_w1(step: float, batch_counts, reference: PiecewiseLinearTail, *, draws: int = 200, seed: int = 0,
                 lower: float = 0.0) -> W1Estimate:
    """W_1 of the pooled lattice law of ``batch_counts`` (B, K) against ``reference``, with a bootstrap
    over the B independent batches (``draws`` resamples, fixed ``seed``)."""
    counts = np.asarray(batch_counts, dtype=np.float64)
    if counts.ndim != 2 or counts.shape[0] < 2:
        raise ValueError(f"batch_counts must have shape (batches >= 2, lattice points), got {counts.shape}")
    if not np.all(np.isfinite(counts)) or counts.min() < 0 or not np.all(counts.sum(axis=1) > 0):
        raise ValueError("batch_counts must be finite and >= 0, with every batch non-empty")
    draws = check_positive_int("draws", draws, minimum=2)
    pooled = counts.sum(axis=0) / counts.sum()
    weights = np.random.default_rng(seed).multinomial(counts.shape[0], np.full(counts.shape[0], 1 / counts.shape[0]),
                                                      size=draws)
    resampled = weights @ counts
    resampled /= resampled.sum(axis=1, keepdims=True)
    to_reference = w1_lattice_to_tail(step, resampled, reference, lower)
    floor = w1_lattice_to_lattice(step, resampled, pooled[None, :]).mean()
    value = w1_lattice_to_tail(step, pooled, reference, lower)
    return W1Estimate(float(value), float(to_reference.std(ddof=1)), float(floor))


def w1_tail_to_tail(first: PiecewiseLinearTail, second: PiecewiseLinearTail, lower: float = 0.0) -> float:
    """Exact W_1 over [lower, inf) between two piecewise linear tails (linear between the union of knots)."""
    lower = _check_lower(lower)
    points = np.union1d(np.union1d(first.knots, second.knots), [lower])
    points = points[points >= lower]
    left, right = points[:-1], points[1:]
    gaps = abs_linear_integral(right - left, first.right_limit(left) - second.right_limit(left),
                                first.left_limit(right) - second.left_limit(right))
    return float(gaps.sum())
