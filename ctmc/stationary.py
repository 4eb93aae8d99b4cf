"""Streaming stationary statistics of the occupancy CTMC (burn-in, horizon, batch means, histograms).

The uniformised chain runs in blocks of B steps; block sums of the per-step observables (time
integrals = sums / Lambda) go to :class:`reflected_ou.streaming.BatchMeans` with weight B / Lambda per
replica, so the means are stationary time averages and the standard errors batch-means errors.  Every
``sample_every``-th state is also handed to the histograms (lattice-aligned bins: the values of
Y^(n) are multiples of n^(-1/2), each at a bin centre, so the tails are exact at the lattice points) and
to user observers.  Memory does not depend on the horizon.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping, Protocol, Sequence

import jax
import jax.numpy as jnp
import numpy as np
from tqdm.auto import tqdm

from reflected_ou.noise import as_key
from reflected_ou.streaming import BatchMeans, FixedBins, Histogram, batch_of_block
from rou_common.checks import check_finite_non_negative, check_finite_positive, check_positive_int, check_seed

from .dynamics import observable_names
from .policies import SystemArrays
from .simulate import DEFAULT_MAX_LEVELS, initial_state, resolve_policy, run_block, start_levels
from .state import pad_levels
from .system import System

#: Default histogram ranges (diffusion scale) of the four scaled marginals.
DEFAULT_HIST_RANGES = {"Y_M1": (-8.0, 0.0), "Y_12": (0.0, 8.0), "Y_+1": (-8.0, 8.0), "Y_+2": (0.0, 8.0)}
#: Most lattice points a histogram of ``hist_ranges`` may span (each holds K batch copies).
MAX_LATTICE_BINS = 1_000_000
#: Largest block (steps per replica per device call).
MAX_BLOCK_STEPS = 1 << 14
#: Default spacing of the sampled states, in time units.
DEFAULT_SAMPLE_DT = 0.02
#: At most this many samples per replica per block.
MAX_SAMPLES_PER_BLOCK = 512


class SampleObserver(Protocol):
    """Receives every sampled state: ``samples`` (S, R, M, 4) ints (Q_{j,1}, Q_{j,2}, Q_{j,3}, jobs_j),
    each standing for ``weight`` time units of replica r, in horizon batch ``batch``."""

    def add(self, batch: int, samples: np.ndarray, weight: float) -> None: ...


def lattice_bins(low: float, high: float, root_n: float) -> tuple[int, FixedBins]:
    """Bins of width n^(-1/2) centred on the lattice points k / sqrt(n) covering [low, high].

    Returns (k_low, bins): lattice point k falls in inner bin k - k_low + 1.
    """
    low, high = float(low), float(high)
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise ValueError(f"hist_ranges must be finite (low, high) with low < high, got ({low!r}, {high!r})")
    k_low, k_high = math.floor(low * root_n), math.ceil(high * root_n)
    if k_high - k_low + 1 > MAX_LATTICE_BINS:
        raise ValueError(f"hist_ranges ({low:g}, {high:g}) span {k_high - k_low + 1} lattice points at sqrt(n) = "
                         f"{root_n:g}, more than {MAX_LATTICE_BINS}; narrow the range")
    bins = FixedBins((k_low - 0.5) / root_n, (k_high + 0.5) / root_n, k_high - k_low + 1)
    return k_low, bins


class LatticeHistograms:
    """Time-weighted histograms of Y_M1, Y_12, Y_+1, Y_+2 (3.15) from sampled states."""

    def __init__(self, system: System, ranges: Mapping[str, tuple[float, float]]):
        self.system = system
        self.offsets, self.histograms = {}, {}
        for name, (low, high) in ranges.items():
            if name not in DEFAULT_HIST_RANGES:
                raise ValueError(f"unknown histogram {name!r}; known: {tuple(DEFAULT_HIST_RANGES)}")
            k_low, bins = lattice_bins(low, high, system.sqrt_n)
            self.offsets[name] = k_low
            self.histograms[name] = Histogram(bins)

    def lattice_values(self, samples: np.ndarray) -> dict[str, np.ndarray]:
        """Integer numerators k of Y = k / sqrt(n) for each sample."""
        s = samples.astype(np.int64)
        busy, jobs = s[..., 0].sum(-1), s[..., 3].sum(-1)
        return {
            "Y_M1": s[..., -1, 0] - self.system.servers[-1],
            "Y_12": s[..., 0, 1],
            "Y_+1": jobs - self.system.n,
            "Y_+2": jobs - busy,
        }

    def add(self, batch: int, samples: np.ndarray, weight: float) -> None:
        values = self.lattice_values(samples)
        for name, hist in self.histograms.items():
            count = hist.axes[0].count
            index = np.clip(values[name].ravel() - self.offsets[name] + 1, 0, count + 1)
            hist.add(np.bincount(index, minlength=count + 2) * weight)


@dataclass(frozen=True)
class StationaryResult:
    """Stationary estimates: ``stats`` (BatchMeans of :func:`ctmc.dynamics.observable_names`),
    lattice ``histograms`` of Y_M1, Y_12, Y_+1, Y_+2, run sizes and the final state."""

    system: System
    policy: str
    stats: BatchMeans
    histograms: dict
    horizon: float
    burn_in: float
    replicas: int
    steps: int
    events: int
    levels: int
    final_occupancy: np.ndarray = field(repr=False)

    @property
    def mean(self) -> dict[str, float]:
        return self.stats.mean()

    @property
    def stderr(self) -> dict[str, float]:
        return self.stats.stderr()

    def estimate(self, coefficients: Mapping[str, float]) -> tuple[float, float]:
        """(estimate, standard error) of sum_k c_k E[observable_k] (batch means; see
        :meth:`reflected_ou.streaming.BatchMeans.linear_combination`)."""
        return self.stats.linear_combination(coefficients)

    # -- named quantities -------------------------------------------------------------------
    def _pools(self):
        return range(1, self.system.pools + 1)

    def jobs(self):
        """E[number of jobs in the system]."""
        return self.estimate({f"jobs_{j}": 1.0 for j in self._pools()})

    def busy(self):
        """[E Q_{j,1}] per pool."""
        return [self.estimate({f"Q_{j}_1": 1.0}) for j in self._pools()]

    def ge2(self):
        """[E Q_{j,2}] per pool (servers with at least 2 jobs)."""
        return [self.estimate({f"Q_{j}_2": 1.0}) for j in self._pools()]

    def p_all_busy(self):
        return self.estimate({"all_busy": 1.0})

    def metrics(self) -> dict:
        """{'mean': {...}, 'stderr': {...}} with keys jobs, busy (per pool), ge2 (per pool), p_all_busy."""
        named = {"jobs": self.jobs(), "busy": self.busy(), "ge2": self.ge2(), "p_all_busy": self.p_all_busy()}
        mean = {k: ([v[0] for v in x] if isinstance(x, list) else x[0]) for k, x in named.items()}
        err = {k: ([v[1] for v in x] if isinstance(x, list) else x[1]) for k, x in named.items()}
        return {"mean": mean, "stderr": err}

    def scaled_mean(self, j: int, i: int):
        """E[Y_{j,i}^(n)] of (2.1) for i = 1, 2, 3 (1-based j, i)."""
        root_n = self.system.sqrt_n
        value, err = self.estimate({f"Q_{j}_{i}": 1.0 / root_n})
        if i == 1:
            value -= self.system.servers[j - 1] / root_n
        return value, err

    def scaled_tail_mean(self, j: int, first_level: int = 3):
        """E[sum_{i >= first_level} Y_{j,i}^(n)] (first_level in 2..4)."""
        coefficients = {f"jobs_{j}": 1.0}
        for i in range(1, first_level):
            coefficients[f"Q_{j}_{i}"] = coefficients.get(f"Q_{j}_{i}", 0.0) - 1.0
        value, err = self.estimate(coefficients)
        return value / self.system.sqrt_n, err / self.system.sqrt_n

    def y_plus_means(self):
        """(E Y_+1, E Y_+2) of (3.15) with standard errors."""
        root_n = self.system.sqrt_n
        jobs = {f"jobs_{j}": 1.0 / root_n for j in self._pools()}
        y1, e1 = self.estimate(jobs)
        waiting = dict(jobs)
        for j in self._pools():
            waiting[f"Q_{j}_1"] = -1.0 / root_n
        y2, e2 = self.estimate(waiting)
        return (y1 - self.system.n / root_n, e1), (y2, e2)

    def throughput_identity(self):
        """Lemma 6.1 part 1: sum_k mu_k E[Q_{k,1}] - L (1 - P(blocked)) (= 0), with standard error.

        For the routing policies nothing is blocked and this is E[sum mu_k Q_k1] - n lambda."""
        coefficients = {f"Q_{j}_1": mu for j, mu in zip(self._pools(), self.system.speeds)}
        coefficients["blocked_rate"] = 1.0
        value, err = self.estimate(coefficients)
        return value - self.system.arrival_rate, err


def _block_plan(system: System, horizon: float, burn_in: float, batches: int, block_steps, sample_every):
    rate = system.uniformisation_rate
    horizon_steps = max(1, math.ceil(horizon * rate))
    if sample_every is None:
        sample_every = max(1, round(DEFAULT_SAMPLE_DT * rate))
    sample_every = check_positive_int("sample_every", sample_every)
    if block_steps is None:
        block_steps = min(MAX_BLOCK_STEPS, max(1, horizon_steps // batches))
        sample_every = max(sample_every, math.ceil(block_steps / MAX_SAMPLES_PER_BLOCK))
        block_steps = max(sample_every, (block_steps // sample_every) * sample_every)
    block_steps = check_positive_int("block_steps", block_steps)
    if block_steps % sample_every:
        raise ValueError(f"block_steps ({block_steps}) must be a multiple of sample_every ({sample_every})")
    blocks = max(batches, math.ceil(horizon_steps / block_steps))
    burn_blocks = math.ceil(burn_in * rate / block_steps) if burn_in > 0 else 0
    return block_steps, sample_every, blocks, burn_blocks


def estimate_stationary(system: System, policy, *, seed: int = 0, burn_in: float = 50.0, horizon: float = 1000.0,
                        replicas: int = 8, batches: int = 20, levels: int | None = None,
                        max_levels: int = DEFAULT_MAX_LEVELS, block_steps: int | None = None,
                        sample_every: int | None = None, hist_ranges: Mapping | None = None,
                        observers: Sequence[SampleObserver] = (), initial=None, dtype=None,
                        progress: bool = True) -> StationaryResult:
    """Stationary time averages of the finite-n system under ``policy`` (name or Policy).

    Each of ``replicas`` independent copies starts from ``initial`` (default: empty), runs ``burn_in``
    time units unrecorded and then ``horizon`` time units (rounded up to whole blocks) cut into
    ``batches`` batches for the batch-means errors.  K starts at ``levels`` and doubles (the block
    is recomputed) whenever a replica would overflow, up to ``max_levels`` (then ValueError).
    """
    policy = resolve_policy(policy)
    policy.validate(system)
    horizon = check_finite_positive("horizon", horizon)
    burn_in = check_finite_non_negative("burn_in", burn_in)
    seed = check_seed(seed)
    max_levels = check_positive_int("max_levels", max_levels)
    replicas = check_positive_int("replicas", replicas)
    batches = check_positive_int("batches", batches, minimum=1)
    if replicas * batches < 2:
        raise ValueError("need replicas * batches >= 2 for a standard error")
    block_steps, sample_every, blocks, burn_blocks = _block_plan(
        system, horizon, burn_in, batches, block_steps, sample_every)
    k = start_levels(policy, levels, initial)
    q = jnp.asarray(initial_state(system, policy, replicas, k, initial))
    arrays = SystemArrays.of(system, dtype)
    rate = system.uniformisation_rate
    total_rate = jnp.asarray(rate, arrays.speeds.dtype)
    key = as_key(seed)
    replica_ids = jnp.arange(replicas)
    stats = BatchMeans(observable_names(system.pools), replicas, batches)
    ranges = dict(DEFAULT_HIST_RANGES if hist_ranges is None else hist_ranges)
    histograms = LatticeHistograms(system, ranges)
    sinks = [histograms, *observers]
    events = 0
    block_time = block_steps / rate
    with tqdm(total=burn_blocks + blocks, desc=f"ctmc {policy.label} n={system.n}", disable=not progress,
              unit="block") as bar:
        for block in range(burn_blocks + blocks):
            while True:
                q_end, sums, samples, ev, overflow = run_block(
                    policy, block_steps, sample_every, arrays, total_rate, key, block, replica_ids, q)
                if not bool(jnp.any(overflow)):
                    break
                if policy.fixed_levels is not None or 2 * k > max_levels:
                    raise ValueError(
                        f"queue length exceeded max_levels = {max_levels} (policy {policy.label} may be unstable here)")
                k *= 2
                q = jnp.asarray(pad_levels(np.asarray(q), k))
            q = q_end
            if block >= burn_blocks:
                batch = batch_of_block(block - burn_blocks, blocks, batches)
                stats.add(batch, np.asarray(sums, dtype=np.float64) / rate, block_time)
                samples = np.asarray(samples)
                for sink in sinks:
                    sink.add(batch, samples, sample_every / rate)
                events += int(np.asarray(ev, dtype=np.int64).sum())
            bar.update(1)
    return StationaryResult(
        system=system, policy=policy.label, stats=stats, histograms=histograms.histograms,
        horizon=blocks * block_time, burn_in=burn_blocks * block_time, replicas=replicas,
        steps=blocks * block_steps * replicas, events=events, levels=k, final_occupancy=np.asarray(q))
