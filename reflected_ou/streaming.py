"""Streaming stationary statistics on the host, in float64, with memory independent of the horizon.

Simulators (the diffusion here, the finite-n CTMC in ``ctmc``) hand over, block after block,
per-replica *sums* of observables with their weights (number of steps, or elapsed time for a CTMC);
these accumulators add them in a fixed order, so the result depends only on the blocks, never on
how many blocks were computed per device call.

Standard errors use the method of batch means: each replica's horizon is cut into K batches of
consecutive blocks; the R*K batch means m_b (weights w_b) give the ratio-estimator variance

    Var(m) ~= 1 / (B (B - 1)) * sum_b (w_b / w_bar)^2 (m_b - m)^2,   B = R*K,

which for equal weights is the textbook batch-means variance s^2 / B.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import jax
import jax.numpy as jnp
import numpy as np


def ratio_deviations(sums: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Scaled batch deviations D with D^T D = batch-means covariance of sum(sums)/sum(weights).

    ``sums`` has shape (B, k) and ``weights`` shape (B,), one row per non-empty batch; row b is
    (w_b / w_bar)(m_b - m) / sqrt(B (B - 1)) (module docstring).
    """
    n = weights.size
    if n < 2:
        raise ValueError("need at least two non-empty batches for a standard error")
    mean = sums.sum(axis=0) / weights.sum()
    return (sums / weights[:, None] - mean) * (weights / weights.mean())[:, None] / np.sqrt(n * (n - 1))


def ratio_covariance(sums: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Batch-means covariance matrix of the ratio estimator sum(sums)/sum(weights)."""
    deviations = ratio_deviations(sums, weights)
    return deviations.T @ deviations


def batch_of_block(block: int, blocks: int, batches: int) -> int:
    """Batch k = floor(block * K / blocks): consecutive blocks, batch sizes differing by <= 1."""
    return (block * batches) // blocks


class BatchMeans:
    """Per-(replica, batch) sums of named observables and their weights (float64).

    ``add(batch, sums, weights)`` adds a block: ``sums`` has shape (replicas, observables) and
    ``weights`` shape (replicas,) or a scalar (same weight for every replica).
    """

    def __init__(self, names: Sequence[str], replicas: int, batches: int):
        if batches < 2 and replicas < 2:
            raise ValueError("need at least 2 batches or 2 replicas to estimate a standard error")
        self.names = tuple(names)
        self.sums = np.zeros((replicas, batches, len(self.names)), dtype=np.float64)
        self.weights = np.zeros((replicas, batches), dtype=np.float64)

    def add(self, batch: int, sums, weights) -> None:
        self.sums[:, batch, :] += np.asarray(sums, dtype=np.float64)
        self.weights[:, batch] += np.asarray(weights, dtype=np.float64)

    # -- estimates -------------------------------------------------------------------------------
    def _filled(self):
        mask = self.weights > 0
        return self.sums[mask], self.weights[mask]

    def mean_vector(self) -> np.ndarray:
        sums, weights = self._filled()
        return sums.sum(axis=0) / weights.sum()

    def covariance_of_mean(self) -> np.ndarray:
        """Batch-means covariance matrix of the vector of means (ratio estimator)."""
        return ratio_covariance(*self._filled())

    def mean(self) -> dict[str, float]:
        return dict(zip(self.names, map(float, self.mean_vector())))

    def stderr(self) -> dict[str, float]:
        return dict(zip(self.names, map(float, np.sqrt(np.diag(self.covariance_of_mean())))))

    def linear_combination(self, coefficients: Mapping[str, float]) -> tuple[float, float]:
        """(estimate, standard error) of sum_k c_k E[observable_k]."""
        c = np.array([coefficients.get(name, 0.0) for name in self.names])
        unknown = set(coefficients) - set(self.names)
        if unknown:
            raise ValueError(f"unknown observables {sorted(unknown)}; known: {self.names}")
        # |D c| rather than sqrt(c^T C c): a norm is never negative, even for a constant combination.
        return float(c @ self.mean_vector()), float(np.linalg.norm(ratio_deviations(*self._filled()) @ c))

    @property
    def total_weight(self) -> float:
        return float(self.weights.sum())

    # -- checkpointing ---------------------------------------------------------------------------
    def state(self, prefix: str) -> dict[str, np.ndarray]:
        return {f"{prefix}sums": self.sums, f"{prefix}weights": self.weights}

    def load(self, state: Mapping[str, np.ndarray], prefix: str) -> None:
        self.sums[...] = state[f"{prefix}sums"]
        self.weights[...] = state[f"{prefix}weights"]


@dataclass(frozen=True)
class FixedBins:
    """``count`` equal bins on [low, high], plus an underflow (index 0) and an overflow bin (last).

    ``index(x)`` works on numpy and jax arrays: 0 for x < low, k for x in bin k (1..count),
    count + 1 for x >= high.
    """

    low: float
    high: float
    count: int

    def __post_init__(self):
        if not (np.isfinite(self.low) and np.isfinite(self.high) and self.high > self.low):
            raise ValueError(f"histogram range must satisfy low < high, got [{self.low}, {self.high}]")
        if int(self.count) < 1:
            raise ValueError(f"histogram bin count must be >= 1, got {self.count}")

    @property
    def width(self) -> float:
        return (self.high - self.low) / self.count

    @property
    def edges(self) -> np.ndarray:
        return np.linspace(self.low, self.high, self.count + 1)

    @property
    def centres(self) -> np.ndarray:
        return self.low + (np.arange(self.count) + 0.5) * self.width

    def index(self, x):
        """Bin index with under/overflow, int32, for numpy or jax arrays:
        max(floor((x - low) / width) + 1, 0), or count + 1 where x >= high."""
        xp = jnp if isinstance(x, jax.Array) else np
        position = (x - self.low) / self.width
        inside = xp.maximum(xp.floor(position) + 1.0, 0.0).astype(xp.int32)
        return xp.where(x >= self.high, xp.int32(self.count + 1), inside)


class Histogram:
    """Fixed-bin counts (float64: weights may be times) over 1 or 2 axes, with under/overflow.

    With ``batches`` = K > 1 the counts are also kept per batch (K copies of the bins: memory
    independent of the horizon), which gives batch-means standard errors of tail probabilities.
    """

    def __init__(self, *axes: FixedBins, batches: int = 1):
        if len(axes) not in (1, 2):
            raise ValueError("Histogram takes one or two FixedBins axes")
        self.axes = axes
        self.batch_counts = np.zeros((batches,) + tuple(a.count + 2 for a in axes), dtype=np.float64)

    @property
    def counts(self) -> np.ndarray:
        return self.batch_counts.sum(axis=0)

    def add(self, counts, batch: int = 0) -> None:
        self.batch_counts[batch] += np.asarray(counts, dtype=np.float64).reshape(self.batch_counts.shape[1:])

    def marginal(self, axis: int) -> "Histogram":
        """The 1-D histogram of axis 0 or 1 of a 2-D histogram (batches kept)."""
        marginal = Histogram(self.axes[axis], batches=self.batch_counts.shape[0])
        marginal.batch_counts[...] = self.batch_counts.sum(axis=2 - axis)
        return marginal

    @property
    def total(self) -> float:
        return float(self.counts.sum())

    def probabilities(self) -> np.ndarray:
        """Probability of each inner bin (under/overflow dropped, but counted in the total)."""
        inner = self.counts[tuple(slice(1, -1) for _ in self.axes)]
        return inner / self.total

    def density(self) -> np.ndarray:
        return self.probabilities() / np.prod([a.width for a in self.axes])

    def outside_mass(self) -> float:
        """Probability outside the binned range (under- plus overflow)."""
        return 1.0 - float(self.probabilities().sum())

    def tail(self) -> tuple[np.ndarray, np.ndarray]:
        """(edges, P(X >= edge)) for a 1-D histogram, exact at the bin edges (= P(X > edge) without atoms)."""
        edges, probability, _ = self.tail_with_stderr(errors=False)
        return edges, probability

    def tail_with_stderr(self, errors: bool = True):
        """(edges, P(X >= edge), batch-means standard error) for a 1-D histogram with K >= 2 batches.

        Bin k covers [edge_{k-1}, edge_k), so the counts above edge k are those of X >= edge k; for a
        law without atoms (the diffusion) this is P(X > edge).
        """
        if len(self.axes) != 1:
            raise ValueError("tails are for 1-D histograms")
        above = np.cumsum(self.batch_counts[:, ::-1], axis=1)[:, ::-1][:, 1:]  # counts of bins above edge k
        totals = self.batch_counts.sum(axis=1)
        probability = above.sum(axis=0) / totals.sum()
        if not errors:
            return self.axes[0].edges, probability, None
        filled = totals > 0
        stderr = np.sqrt(np.diag(ratio_covariance(above[filled], totals[filled])))
        return self.axes[0].edges, probability, stderr

    def state(self, prefix: str) -> dict[str, np.ndarray]:
        return {f"{prefix}counts": self.batch_counts}

    def load(self, state: Mapping[str, np.ndarray], prefix: str) -> None:
        self.batch_counts[...] = state[f"{prefix}counts"]
