"""Vectorised Lindley-recursion simulator, paper 003 (2.2)-(2.5).

Each queue (r, kappa) runs W_n = (W_{n-1} + S_n - T_n)^+, W_0 = 0, (2.2), where T_n is the sum of
a_j dispatcher inter-arrival times, a_j cycling through the queue's gap pattern (4.1)-(4.2) from a
uniformly random phase (the randomisation (4.6)), and S_n ~ the type-r service law.  The stationary
waiting time of a job is the mixture (2.5): W^(k)(pi) = W_{r,kappa} with probability q_{r,kappa}
(the random phase V picks the queue).  Only marginal laws of the W_{r,kappa} enter (2.5), so queues are
simulated with their exact marginal input (the sums (4.2) are drawn in closed form for Poisson,
deterministic and Erlang arrivals) and independently; queues whose patterns coincide up to rotation
(all k queues of a type under C_p^(k)) are one class with the summed weight, simulated by
``replicas`` independent lanes.

Vectorisation: within a block of rows (jobs) the recursion is solved in closed form,
W_n = Z_n - min(-W_0, min_{m <= n} Z_m) with Z_n = X_1 + .. + X_n, X = S - T (the Lindley/Loynes
running-minimum identity), i.e. a cumsum and a running minimum over the block, for all lanes at once.
Randomness is drawn per block from ``SeedSequence(seed, spawn_key=(block,))``, so a run is a pure
function of the seed: results are bitwise independent of ``chunk_jobs``.  Statistics are streamed in
float64 (batch sums of W and W^2 and batch histograms), so memory does not grow with ``n_jobs``.
Errors are batch-means standard errors over ``n_batches`` consecutive batches.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
from tqdm.auto import tqdm

from . import arrivals as _arrivals
from ._checks import positive_int, positive_real
from .service import ServiceLaw
from .words import QueueClass

#: Rows (jobs per lane) of one random-number block; the unit of reproducibility.
BLOCK_ELEMENTS = 1 << 17


def lindley(x: np.ndarray, w0: np.ndarray | float = 0.0) -> np.ndarray:
    """W_n = (W_{n-1} + x_n)^+, n = 1..N along axis 0, from W_0 = w0, (2.2).

    Closed form W_n = Z_n - min(-w0, min_{m<=n} Z_m), Z_n = x_1 + .. + x_n."""
    x = np.asarray(x, dtype=float)
    z = np.cumsum(x, axis=0)
    m = np.minimum.accumulate(z, axis=0)
    np.minimum(m, -np.asarray(w0, dtype=float), out=m)
    return z - m


def _check_services(services, n_types: int) -> tuple[ServiceLaw, ...]:
    if isinstance(services, ServiceLaw):
        services = (services,) * n_types
    services = tuple(services)
    if len(services) != n_types:
        raise ValueError(f"services must give one law per type ({n_types} types), got {len(services)}")
    for s in services:
        if not isinstance(s, ServiceLaw):
            raise ValueError(f"services must be ServiceLaw objects (periodic_routing.service), got {s!r}")
    return services


def check_stability(classes: Sequence[QueueClass], services, arrival_rate: float, k: int) -> None:
    """Theorem 1's condition: each queue's arrival rate lambda k q_{r,kappa} < mu_r."""
    for c in classes:
        q = (len(c.pattern) / sum(c.pattern)) if c.pattern is not None else c.thin_prob
        rate = arrival_rate * k * q
        mu = services[c.type_index].rate
        if not rate < mu:
            raise ValueError(f"unstable: queue of type {c.type_index} receives lambda k q_(r,kappa) = {rate:.6g} "
                             f">= mu_r = {mu:.6g} (stability needs lambda p_r/||p|| < mu_r)")


@dataclass(frozen=True, repr=False)
class SimulationResult:
    """Stationary waiting time W^(k)(pi) of (2.5) estimated by Lindley runs.

    ``mean``, ``variance`` (with batch-means ``*_stderr``); ``class_*`` per queue class (type, weight
    q, mean wait); ``cdf_x``/``cdf`` the mixture CDF P(W^(k) <= x) at x = 0, h, 2h, ..;
    ``quantiles`` maps u to (value, stderr)."""

    mean: float
    mean_stderr: float
    variance: float
    variance_stderr: float
    quantiles: dict
    class_types: np.ndarray
    class_weights: np.ndarray
    class_means: np.ndarray
    class_mean_stderr: np.ndarray
    cdf_x: np.ndarray | None
    cdf: np.ndarray | None
    overflow: float
    k: int
    n_jobs: int
    burn_in: int
    replicas: int
    n_batches: int
    seed: int
    policy: str
    batch_means: np.ndarray = field(default=None)

    @property
    def type_means(self) -> np.ndarray:
        """E W_r^(k): the weight-averaged mean wait of each type."""
        R = int(self.class_types.max()) + 1
        num = np.bincount(self.class_types, self.class_weights * self.class_means, minlength=R)
        den = np.bincount(self.class_types, self.class_weights, minlength=R)
        return num / den

    def ks_distance(self, cdf) -> float:
        """sup_x |F_sim(x) - F(x)| over the grid x = 0, h, 2h, .. (a lower bound of the Kolmogorov distance)."""
        if self.cdf is None:
            raise ValueError("this run kept no histogram (hist_bins=0)")
        return float(np.max(np.abs(self.cdf - np.asarray(cdf(self.cdf_x), dtype=float))))

    def __repr__(self) -> str:
        qs = ", ".join(f"q{u:g}={v:.5g}±{e:.2g}" for u, (v, e) in self.quantiles.items())
        return (f"SimulationResult(policy={self.policy!r}, k={self.k}, mean={self.mean:.6g} ± {self.mean_stderr:.2g}, "
                f"variance={self.variance:.6g} ± {self.variance_stderr:.2g}, {qs}, jobs/lane={self.n_jobs}, "
                f"lanes={len(self.class_types) * self.replicas})")


def _quantile_from_cdf(x: np.ndarray, F: np.ndarray, u: float) -> float:
    if u <= F[0]:
        return 0.0
    j = int(np.searchsorted(F, u, side="left"))
    if j >= len(F):
        raise ValueError(f"quantile {u} lies beyond hist_max = {x[-1]:.4g}: rerun with a larger hist_max")
    f0, f1 = F[j - 1], F[j]
    return float(x[j - 1] + (x[j] - x[j - 1]) * ((u - f0) / (f1 - f0) if f1 > f0 else 1.0))


def simulate_waits(policy, services, arrival_rate: float, k: int, *, arrivals=None, n_jobs: int = 1 << 16,
                   burn_in: int | None = None, replicas: int = 8, n_batches: int = 32,
                   quantiles: Sequence[float] = (0.5, 0.9, 0.99), hist_max: float | None = None,
                   hist_bins: int = 4000, seed: int = 0, chunk_jobs: int | None = None,
                   progress: bool = True) -> SimulationResult:
    """Simulate W^(k)(pi) of (2.5) for ``policy`` (a TypeWordPolicy, QueueWord or BernoulliPolicy).

    ``arrival_rate`` is lambda (the dispatcher sees lambda k); ``services`` one ServiceLaw per type (or
    one for all); ``n_jobs`` jobs per lane after ``burn_in`` (default n_jobs/4) discarded jobs; each
    queue class gets ``replicas`` independent lanes.  ``hist_max`` (default: 3 x the largest wait seen
    in the burn-in) and ``hist_bins`` set the CDF grid; ``hist_bins=0`` keeps no histogram.
    ``seed`` fixes the run (bitwise, whatever ``chunk_jobs``, which only sets how often the ``progress``
    bar is updated); memory is O(lanes x block + n_batches x lanes x hist_bins), independent of n_jobs."""
    if not hasattr(policy, "queue_classes") or not hasattr(policy, "n_types"):
        raise ValueError(f"policy must be a TypeWordPolicy, QueueWord or BernoulliPolicy, got {policy!r}")
    arrival_rate = positive_real("arrival_rate", arrival_rate)
    k = positive_int("k", k)
    replicas = positive_int("replicas", replicas)
    n_batches = positive_int("n_batches", n_batches, 2)
    n_jobs = positive_int("n_jobs", n_jobs, n_batches)
    batch_len = -(-n_jobs // n_batches)
    n_jobs = batch_len * n_batches
    burn_in = n_jobs // 4 if burn_in is None else positive_int("burn_in", burn_in, 0)
    hist_bins = positive_int("hist_bins", hist_bins, 0)
    seed = positive_int("seed", seed, 0)
    arrivals = _arrivals.poisson() if arrivals is None else arrivals
    if not isinstance(arrivals, _arrivals.ArrivalProcess):
        raise ValueError(f"arrivals must be an ArrivalProcess (periodic_routing.arrivals), got {arrivals!r}")
    services = _check_services(services, policy.n_types)
    classes = policy.queue_classes(k)
    check_stability(classes, services, arrival_rate, k)
    for u in quantiles:
        if not 0 < u < 1:
            raise ValueError(f"quantiles must lie in (0, 1), got {u!r}")
    if quantiles and hist_bins == 0:
        raise ValueError("quantiles need a histogram: hist_bins must be > 0")

    C = len(classes)
    lanes = C * replicas
    lane_class = np.repeat(np.arange(C), replicas)
    lane_type = np.array([classes[c].type_index for c in lane_class])
    periodic = np.array([classes[c].pattern is not None for c in lane_class])
    plen = np.array([len(classes[c].pattern) if periodic[i] else 1 for i, c in enumerate(lane_class)])
    lmax = int(plen.max())
    pat = np.ones((lanes, lmax), dtype=np.int64)
    for i, c in enumerate(lane_class):
        if periodic[i]:
            pat[i, :plen[i]] = classes[c].pattern
    thin = np.array([classes[c].thin_prob if not periodic[i] else 1.0 for i, c in enumerate(lane_class)])
    phase_rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(2**32 - 1,)))
    phase = (phase_rng.random(lanes) * plen).astype(np.int64)  # uniform start in the pattern, (4.6)
    # lanes are laid out (lane, job): rows of one lane are contiguous; lanes of a type are contiguous
    type_slices = []
    for r in range(policy.n_types):
        idx = np.flatnonzero(lane_type == r)
        type_slices.append(slice(int(idx[0]), int(idx[-1]) + 1) if idx.size else None)
        if idx.size and idx.size != idx[-1] - idx[0] + 1:  # pragma: no cover - classes are sorted by type
            raise AssertionError("lanes of a type must be contiguous")
    bern_lanes = np.flatnonzero(~periodic)
    per_lanes = np.flatnonzero(periodic)
    gap_scale = 1.0 / (arrival_rate * k)

    rows_per_block = max(64, BLOCK_ELEMENTS // lanes)
    period = math.lcm(*(int(x) for x in plen[per_lanes])) if per_lanes.size else 1
    if period <= rows_per_block:  # every block sees the same gap counts: precompute them once
        rows_per_block = -(-rows_per_block // period) * period
        cols = np.arange(rows_per_block)
        counts0 = pat[per_lanes[:, None], (phase[per_lanes, None] + cols[None, :]) % plen[per_lanes, None]]
        t0 = counts0 * gap_scale if arrivals.is_deterministic else None
    else:
        counts0 = t0 = None
    total = burn_in + n_jobs
    n_blocks = -(-total // rows_per_block)
    chunk_blocks = 1 if chunk_jobs is None else max(1, positive_int("chunk_jobs", chunk_jobs) // rows_per_block)

    s1 = np.zeros((n_batches, lanes))
    s2 = np.zeros((n_batches, lanes))
    nb2 = hist_bins + 2
    hist = np.zeros((n_batches, C, nb2)) if hist_bins else None
    h = None if hist_max is None else positive_real("hist_max", hist_max) / max(hist_bins, 1)
    wmax_burn = 0.0
    w0 = np.zeros(lanes)

    bar = tqdm(total=total, disable=not progress, unit="job", desc=f"Lindley k={k}", leave=False)
    for b in range(n_blocks):
        g0 = b * rows_per_block
        rows = min(rows_per_block, total - g0)
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(b,)))
        x = np.empty((lanes, rows))
        for r, sl in enumerate(type_slices):
            if sl is not None:
                x[sl] = services[r].sample(rng, (sl.stop - sl.start, rows))
        if per_lanes.size:
            if t0 is not None:
                x[per_lanes] -= t0[:, :rows]
            else:
                if counts0 is not None:
                    counts = counts0[:, :rows]
                else:
                    g = np.arange(g0, g0 + rows)
                    counts = pat[per_lanes[:, None], (phase[per_lanes, None] + g[None, :]) % plen[per_lanes, None]]
                x[per_lanes] -= arrivals.sum_of(rng, counts) * gap_scale
        if bern_lanes.size:
            counts = rng.geometric(thin[bern_lanes, None], size=(bern_lanes.size, rows))
            x[bern_lanes] -= arrivals.sum_of(rng, counts) * gap_scale
        z = np.cumsum(x, axis=1)  # Lindley in closed form along each lane, see lindley()
        m = np.minimum.accumulate(z, axis=1)
        np.minimum(m, -w0[:, None], out=m)
        w = np.subtract(z, m, out=z)
        w0 = w[:, -1].copy()
        start = max(burn_in - g0, 0)  # first row of this block that enters the statistics
        if start > 0:
            wmax_burn = max(wmax_burn, float(w[:, :start].max()))
        if start < rows:
            if h is None and hist_bins:
                top = 3.0 * (wmax_burn if burn_in > 0 else float(w[:, start:].max()))
                top = top if top > 0 else 10.0 * max(sv.mean for sv in services)
                h = top / hist_bins
            j0 = g0 + start - burn_in  # job index (after burn-in) of column `start`
            col = start
            while col < rows:
                bb = (j0 + col - start) // batch_len
                stop = min(rows, start + (bb + 1) * batch_len - j0)
                seg = w[:, col:stop]
                s1[bb] += seg.sum(axis=1)
                s2[bb] += np.einsum("ij,ij->i", seg, seg)
                if hist_bins:
                    idx = np.minimum(np.ceil(seg / h), hist_bins + 1).astype(np.int64)
                    idx += (lane_class * nb2)[:, None]
                    hist[bb] += np.bincount(idx.ravel(), minlength=C * nb2).reshape(C, nb2)
                col = stop
        if (b + 1) % chunk_blocks == 0 or b == n_blocks - 1:
            bar.update(min(total, g0 + rows) - bar.n)
    bar.close()

    w_c = np.array([c.weight for c in classes])
    per_class_n = replicas * batch_len
    m1 = np.stack([s1[:, lane_class == c].sum(axis=1) for c in range(C)], axis=1) / per_class_n  # (B, C)
    m2 = np.stack([s2[:, lane_class == c].sum(axis=1) for c in range(C)], axis=1) / per_class_n
    mix1 = m1 @ w_c
    mix2 = m2 @ w_c
    mean = float(mix1.mean())
    se = float(mix1.std(ddof=1) / math.sqrt(n_batches))
    var_b = mix2 - mix1**2
    variance = float(mix2.mean() - mean**2)
    var_se = float(var_b.std(ddof=1) / math.sqrt(n_batches))
    class_means = m1.mean(axis=0)
    class_se = m1.std(axis=0, ddof=1) / math.sqrt(n_batches)

    cdf_x = cdf = None
    overflow = 0.0
    qres = {}
    if hist_bins:
        Fb = np.cumsum(hist, axis=2) / per_class_n  # (B, C, nb+2): F at x_j = j h, j = 0..nb (+ overflow)
        Fb = np.einsum("bcj,c->bj", Fb, w_c)
        F = Fb.mean(axis=0)
        overflow = float(np.einsum("bc,c->", hist[:, :, hist_bins + 1], w_c) / (per_class_n * n_batches))
        cdf_x = np.arange(hist_bins + 1) * h
        cdf = F[:hist_bins + 1]
        for u in quantiles:
            val = _quantile_from_cdf(cdf_x, cdf, u)
            vb = np.array([_quantile_from_cdf(cdf_x, Fb[i, :hist_bins + 1], u) for i in range(n_batches)])
            qres[float(u)] = (val, float(vb.std(ddof=1) / math.sqrt(n_batches)))
    label = policy.label() if hasattr(policy, "label") else type(policy).__name__
    return SimulationResult(mean, se, variance, var_se, qres, np.array([c.type_index for c in classes]), w_c,
                            class_means, class_se, cdf_x, cdf, overflow, k, n_jobs, burn_in, replicas, n_batches,
                            seed, label, mix1)


def waiting_time_sequences(policy, services, arrival_rate: float, k: int, n_jobs: int, *, arrivals=None,
                           seed: int = 0) -> tuple[np.ndarray, list[QueueClass]]:
    """Per-queue waiting-time sequences W_{n,r,kappa}, n = 1..n_jobs, from W_0 = 0, (2.2), for every one
    of the kR queues of ``policy`` (all queues simulated; memory n_jobs x kR).  Returns (W, queue types)."""
    arrival_rate = positive_real("arrival_rate", arrival_rate)
    k = positive_int("k", k)
    n_jobs = positive_int("n_jobs", n_jobs)
    arrivals = _arrivals.poisson() if arrivals is None else arrivals
    services = _check_services(services, policy.n_types)
    classes = policy.queue_classes(k)
    check_stability(classes, services, arrival_rate, k)
    rng = np.random.default_rng(seed)
    R = policy.n_types
    types = np.repeat(np.arange(R), k)
    s = np.empty((n_jobs, k * R))
    for r in range(R):
        s[:, r * k:(r + 1) * k] = services[r].sample(rng, (n_jobs, k))
    if hasattr(policy, "queue_word"):
        word = policy.queue_word(k)
    elif hasattr(policy, "word") and hasattr(policy, "counts"):
        word = policy.word
    else:
        word = None
    if word is not None:
        from .words import cyclic_gaps
        gaps = cyclic_gaps(word, k * R)
        counts = np.stack([np.resize(np.asarray(gq), n_jobs) for gq in gaps], axis=1)
    else:
        counts = rng.geometric(np.repeat(np.asarray(policy.q) / k, k), size=(n_jobs, k * R))
    x = s - arrivals.sum_of(rng, counts) / (arrival_rate * k)
    return lindley(x), types
