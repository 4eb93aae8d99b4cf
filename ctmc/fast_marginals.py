"""Stationary marginals of SA-JSQ from the fast kernel's snapshots (:mod:`ctmc.fast_sajsq`).

The scaled processes of (2.1) live on the lattice k / sqrt(n):

    Y_12^(n) = Q_{1,2} / sqrt(n)   (k = Q_{1,2}),      -Y_M1^(n) = (N_M - Q_{M,1}) / sqrt(n)   (k = idle
    servers of the slowest pool),

so their laws are counts over integers k.  The kernel records (Q_{1,2}, Q_{M,1}) every ``sub_steps``
steps of the uniformised chain (whose stationary law is the CTMC's); here the snapshots are counted per
*batch of replicas* (replica r in batch floor(r B / R)).  Replicas are independent, so the B batch
histograms are independent and identically distributed whatever the time correlation inside a
replica: batch-means standard errors and bootstraps over batches are valid as they stand.  Memory is
B x (largest k seen), independent of the horizon.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from rou_common.checks import check_finite_positive, check_positive_int

from .fast_sajsq import SUB_STEPS, FastRun, simulate_sajsq
from .system import System

#: Names of the recorded marginals: Y_12^(n) and the idle servers of pool M, -Y_M1^(n) (2.1).
MARGINALS = ("Y_12", "idle")


class LatticeCounts:
    """Counts of a nonnegative integer statistic per batch of replicas, grown as larger values appear."""

    def __init__(self, replicas: int, batches: int):
        replicas = check_positive_int("replicas", replicas)
        batches = check_positive_int("batches", batches, minimum=2)
        if batches > replicas:
            raise ValueError(f"batches must be <= replicas, got {batches} > {replicas}")
        self.batch_of_replica = np.arange(replicas) * batches // replicas
        self.counts = np.zeros((batches, 1), np.int64)

    @property
    def batches(self) -> int:
        return self.counts.shape[0]

    def add(self, values) -> None:
        """``values`` (S, R): one integer per snapshot and replica (R in replica order)."""
        values = np.asarray(values, np.int64)
        if values.ndim != 2 or values.shape[1] != self.batch_of_replica.size:
            raise ValueError(f"values must have shape (snapshots, {self.batch_of_replica.size}), got {values.shape}")
        if values.size and values.min() < 0:
            raise ValueError("lattice values must be >= 0")
        width = max(self.counts.shape[1], int(values.max()) + 1 if values.size else 1)
        if width > self.counts.shape[1]:
            self.counts = np.pad(self.counts, ((0, 0), (0, width - self.counts.shape[1])))
        cells = self.batch_of_replica[None, :] * width + values
        self.counts += np.bincount(cells.ravel(), minlength=self.batches * width).reshape(self.batches, width)

    @property
    def total(self) -> int:
        return int(self.counts.sum())

    def probabilities(self) -> np.ndarray:
        """Pooled P(k) for k = 0 .. largest seen."""
        pooled = self.counts.sum(axis=0)
        return pooled / pooled.sum()


class SnapshotMarginals:
    """Snapshot sink of :func:`ctmc.fast_sajsq.simulate_sajsq`: counts of Q_{1,2} and N_M - Q_{M,1}."""

    def __init__(self, system: System, replicas: int, batches: int = 64):
        self.system = system
        self.snapshot_of = ((1, 2), (system.pools, 1))
        self.counts = {name: LatticeCounts(replicas, batches) for name in MARGINALS}

    @property
    def lattice_step(self) -> float:
        """Spacing 1/sqrt(n) of the scaled values (2.1)."""
        return 1.0 / self.system.sqrt_n

    def add(self, snapshots) -> None:
        """``snapshots`` (S, 2, R): Q_{1,2} and Q_{M,1} of every replica at S instants."""
        snapshots = np.asarray(snapshots)
        self.counts["Y_12"].add(snapshots[:, 0])
        self.counts["idle"].add(self.system.servers[-1] - snapshots[:, 1])


@dataclass(frozen=True)
class FastStationary:
    """Result of :func:`stationary_sajsq`: the horizon's level sums (``run``), the snapshot marginals,
    the time per replica actually simulated after the burn-in, and all events including the burn-in."""

    system: System
    run: FastRun
    marginals: SnapshotMarginals
    horizon: float
    events: int

    def scaled_means(self) -> dict[str, np.ndarray]:
        """Per-replica time averages of Y_12^(n) = Q_{1,2}/sqrt(n) and Y_M1^(n) = (Q_{M,1} - N_M)/sqrt(n), (2.1)."""
        means, root = self.run.level_means, self.system.sqrt_n
        return {"Y_12": means[:, 0, 1] / root, "Y_M1": (means[:, -1, 0] - self.system.servers[-1]) / root}


def block_steps_for(system: System, sub_steps: int = SUB_STEPS) -> int:
    """Steps per block: about 0.05 time units of the uniformised chain (at least 32 sub-blocks), so that the
    host sees a few thousand blocks at most per run and each block's snapshots stay small."""
    return sub_steps * max(32, round(0.05 * system.uniformisation_rate / sub_steps))


def stationary_sajsq(system: System, *, seed: int, replicas: int, burn_in: float, horizon: float,
                     threads: int = 2, batches: int = 64, initial=None, sub_steps: int = SUB_STEPS) -> FastStationary:
    """Burn-in, then ``horizon`` time units (rounded up to whole blocks) of ``replicas`` SA-JSQ replicas.

    Seeds ``seed`` (burn-in) and ``seed + 1`` (horizon); ``initial`` (M, K) start state (default empty).
    Snapshots are taken during the horizon only.
    """
    burn_in = check_finite_positive("burn_in", burn_in)
    horizon = check_finite_positive("horizon", horizon)
    steps = block_steps_for(system, sub_steps)
    rate = system.uniformisation_rate
    common = dict(replicas=replicas, steps=steps, sub_steps=sub_steps, threads=threads)
    burn = simulate_sajsq(system, seed=seed, blocks=math.ceil(burn_in * rate / steps), initial=initial, **common)
    marginals = SnapshotMarginals(system, replicas, batches)
    run = simulate_sajsq(system, seed=seed + 1, blocks=math.ceil(horizon * rate / steps), initial=burn.occupancy,
                         snapshot_sink=marginals, **common)
    return FastStationary(system, run, marginals, run.steps / rate, int(burn.events.sum() + run.events.sum()))
