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

Vectorisation.  Lanes are split into groups of <= GROUP_LANES consecutive lanes of one class, each with
its own random stream ``Generator(SFC64(SeedSequence(seed, spawn_key=(group,))))``; a group advances by
tiles of ``rows`` jobs (a block).  Within a tile the recursion is solved by a blocked scan
(:func:`_blocked_lindley`): chunks of SCAN_CHUNK jobs are scanned with ufunc calls vectorised over all
(lane, chunk) pairs, using W_n = P_n + max(w_in, -min_{m <= n} P_m) for the prefix sums P of X = S - T
in a chunk entered with wait w_in (the Lindley/Loynes identity), and the chunk entries w_in come from
one cumulative sum and one running maximum over chunks.  Exponential/Erlang services and Poisson gap
sums of <= MAX_PRODUCT_FACTORS gaps are drawn by inversion (-log of a product of uniforms).  Tiles of
different groups are independent and run on a thread pool (``workers``; numpy releases the GIL in the
fills and ufunc loops); each group's stream is consumed in a fixed order, so a run is a pure function
of the seed: results are bitwise independent of ``chunk_jobs`` and of the number of threads.
Statistics are streamed in float64 (per-lane batch sums of W and W^2, batch histograms), so memory
does not grow with ``horizon``.  Errors are batch-means standard errors over ``batches`` consecutive
batches.
"""
from __future__ import annotations

import math
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
from tqdm.auto import tqdm

from . import arrivals as _arrivals
from ._checks import positive_int, positive_real
from .service import ServiceLaw, per_type_laws
from .words import QueueClass

#: Lanes per group.  A group is a run of consecutive lanes of one queue class with its own random stream
#: ``Generator(SFC64(SeedSequence(seed, spawn_key=(group,))))``; it is the unit of work of a thread.
GROUP_LANES = 16
#: Target size (lanes x rows) of one tile = one group over one block of rows (scratch per thread:
#: max(2, uniforms per step) tiles of float64).
TILE_ELEMENTS = 1 << 17
#: Rows per chunk of the blocked Lindley scan (see :func:`_blocked_lindley`).
SCAN_CHUNK = 16
#: Gamma(n) variates with integer n <= this are drawn as -log of a product of n uniforms (inversion).
MAX_PRODUCT_FACTORS = 4


def _available_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def lindley(x: np.ndarray, w0: np.ndarray | float = 0.0) -> np.ndarray:
    """W_n = (W_{n-1} + x_n)^+, n = 1..N along axis 0, from W_0 = w0, (2.2).

    Closed form W_n = Z_n - min(-w0, min_{m<=n} Z_m), Z_n = x_1 + .. + x_n."""
    x = np.asarray(x, dtype=float)
    z = np.cumsum(x, axis=0)
    m = np.minimum.accumulate(z, axis=0)
    np.minimum(m, -np.asarray(w0, dtype=float), out=m)
    return z - m


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
    horizon: int
    burn_in: int
    replicas: int
    batches: int
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
                f"variance={self.variance:.6g} ± {self.variance_stderr:.2g}, {qs}, jobs/lane={self.horizon}, "
                f"lanes={len(self.class_types) * self.replicas})")


def _quantile_from_cdf(x: np.ndarray, F: np.ndarray, u: float) -> float:
    if u <= F[0]:
        return 0.0
    j = int(np.searchsorted(F, u, side="left"))
    if j >= len(F):
        raise ValueError(f"quantile {u} lies beyond hist_max = {x[-1]:.4g}: rerun with a larger hist_max")
    f0, f1 = F[j - 1], F[j]
    return float(x[j - 1] + (x[j] - x[j - 1]) * ((u - f0) / (f1 - f0) if f1 > f0 else 1.0))


def _blocked_lindley(y: np.ndarray, w0: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Lindley recursion W_n = (W_{n-1} - y_n)^+ from W_{-1} = w0 (per lane), for a tile laid out as
    y[k, g, c] = minus the increment X of step n = c K + k of lane g (K = y.shape[0] rows per chunk).

    Within each chunk, N_k = y_1 + .. + y_k and M_k = max_{j <= k} N_j are built by K sequential ufunc calls
    that are vectorised over all (lane, chunk) pairs; then W_k = max(w_in, M_k) - N_k, where w_in is the wait
    entering the chunk (W_k = P_k + max(w_in, -min_j P_j) with P = -N, w_in >= 0).  The chunk entries solve
    w_out_c = max(w_out_{c-1}, M_c) - N_c, i.e. w_out_c = max(w0, max_{j<=c} M_j + SN_{j-1}) - SN_c with SN the
    cumulative sum of the chunk totals N_c: one cumsum and one running max over chunks.  ``y`` is
    overwritten by N; W (>= 0 exactly, since M >= N) is written to ``out`` and returned."""
    K = y.shape[0]
    np.copyto(out[0], y[0])
    for k in range(1, K):
        np.add(y[k - 1], y[k], out=y[k])
        np.maximum(out[k - 1], y[k], out=out[k])
    sn = np.cumsum(y[K - 1], axis=1)  # (G, C): SN_c
    e = out[K - 1].copy()
    e[:, 1:] += sn[:, :-1]
    np.maximum(e[:, 0], w0, out=e[:, 0])
    np.maximum.accumulate(e, axis=1, out=e)
    w_in = np.empty_like(e)
    w_in[:, 0] = w0
    np.subtract(e[:, :-1], sn[:, :-1], out=w_in[:, 1:])
    np.maximum(out, w_in, out=out)
    np.subtract(out, y, out=out)
    return out


def _step_views(a: np.ndarray, lo: int, hi: int) -> list[np.ndarray]:
    """Views of a tile a[k, g, c] (step n = c K + k) covering steps lo <= n < hi, lane axis 1."""
    K = a.shape[0]
    c0, k0 = divmod(lo, K)
    c1, k1 = divmod(hi, K)
    if c0 == c1:
        return [a[k0:k1, :, c0]] if k1 > k0 else []
    views = []
    if k0:
        views.append(a[k0:, :, c0])
        c0 += 1
    if c1 > c0:
        views.append(a[:, :, c0:c1])
    if k1:
        views.append(a[:k1, :, c1])
    return views


def _lane_sums(views: list[np.ndarray], n_lanes: int) -> tuple[np.ndarray, np.ndarray]:
    s1 = np.zeros(n_lanes)
    s2 = np.zeros(n_lanes)
    for v in views:
        if v.ndim == 2:
            s1 += v.sum(axis=0)
            s2 += np.einsum("kg,kg->g", v, v)
        else:
            s1 += v.sum(axis=(0, 2))
            s2 += np.einsum("kgc,kgc->g", v, v)
    return s1, s2


def _log_uniform_product(rng: np.random.Generator, u: np.ndarray, counts=None) -> np.ndarray:
    """log of a product of u.shape[0] (or, elementwise, ``counts`` <= u.shape[0]) i.i.d. uniforms, so that
    minus it is Gamma(n, 1) (exact inversion up to the 2^-53 grid of the uniforms).  Overwrites ``u``.

    The uniforms are taken on (0, 1] (1 - U for U on the grid j 2^-53, j = 0..2^53 - 1), so the product
    is > 0 and its log finite: nothing is floored or clipped."""
    rng.random(out=u)
    np.subtract(1.0, u, out=u)
    n = u.shape[0]
    if counts is not None and not np.isscalar(counts):
        for j in range(1, n):
            np.copyto(u[j], 1.0, where=counts <= j)
    p = u[0]
    for j in range(1, n):
        np.multiply(p, u[j], out=p)
    return np.log(p, out=p)


def _inversion_shape(law: ServiceLaw) -> int:
    """Integer gamma shape a <= MAX_PRODUCT_FACTORS of a gamma service law (drawn by inversion), else 0."""
    a = law.gamma_shape
    if law.deterministic or a is None or not float(a).is_integer() or not 1 <= a <= MAX_PRODUCT_FACTORS:
        return 0
    return int(a)


def simulate_waits(policy, services, arrival_rate: float, k: int, *, arrivals=None, horizon: int = 1 << 16,
                   burn_in: int | None = None, replicas: int = 8, batches: int = 32,
                   quantiles: Sequence[float] = (0.5, 0.9, 0.99), hist_max: float | None = None,
                   hist_bins: int = 4000, seed: int = 0, chunk_jobs: int | None = None,
                   progress: bool = True, workers: int | None = None) -> SimulationResult:
    """Simulate W^(k)(pi) of (2.5) for ``policy`` (a TypeWordPolicy, QueueWord or BernoulliPolicy).

    ``arrival_rate`` is lambda (the dispatcher sees lambda k); ``services`` one ServiceLaw per type (or
    one for all); ``horizon`` jobs per lane after ``burn_in`` (default horizon/4) discarded jobs; each
    queue class gets ``replicas`` independent lanes.  ``hist_max`` (default: 3 x the largest wait seen
    in the burn-in) and ``hist_bins`` set the CDF grid; ``hist_bins=0`` keeps no histogram.
    ``seed`` fixes the run (bitwise, whatever ``chunk_jobs``, which only sets how often the ``progress``
    bar is updated, and whatever ``workers``, the number of threads, default one per available core);
    memory is O(workers x tile + batches x lanes + batches x classes x hist_bins), plus a table of gap
    counts per group when the patterns are not constant (usually 1 byte per lane and row) and one block of
    waits (lanes x rows) kept once when the histogram's bin width waits for the burn-in maximum,
    independent of horizon.

    Gamma service laws with integer shape <= MAX_PRODUCT_FACTORS (exponential, Erlang-k; recognised by
    ``ServiceLaw.gamma_shape``) and Poisson gap sums of <= MAX_PRODUCT_FACTORS gaps are drawn by inversion,
    -log of a product of uniforms; other laws through their own samplers (``ServiceLaw.sample``,
    ``ArrivalProcess.sum_of``)."""
    if not hasattr(policy, "queue_classes") or not hasattr(policy, "n_types"):
        raise ValueError(f"policy must be a TypeWordPolicy, QueueWord or BernoulliPolicy, got {policy!r}")
    arrival_rate = positive_real("arrival_rate", arrival_rate)
    k = positive_int("k", k)
    replicas = positive_int("replicas", replicas)
    batches = positive_int("batches", batches, 2)
    horizon = positive_int("horizon", horizon, batches)
    batch_len = -(-horizon // batches)
    horizon = batch_len * batches
    burn_in = horizon // 4 if burn_in is None else positive_int("burn_in", burn_in, 0)
    hist_bins = positive_int("hist_bins", hist_bins, 0)
    seed = positive_int("seed", seed, 0)
    arrivals = _arrivals.poisson() if arrivals is None else arrivals
    if not isinstance(arrivals, _arrivals.ArrivalProcess):
        raise ValueError(f"arrivals must be an ArrivalProcess (periodic_routing.arrivals), got {arrivals!r}")
    services = per_type_laws(services, policy.n_types)
    classes = policy.queue_classes(k)
    check_stability(classes, services, arrival_rate, k)
    for u in quantiles:
        if not 0 < u < 1:
            raise ValueError(f"quantiles must lie in (0, 1), got {u!r}")
    if quantiles and hist_bins == 0:
        raise ValueError("quantiles need a histogram: hist_bins must be > 0")
    chunk_jobs = None if chunk_jobs is None else positive_int("chunk_jobs", chunk_jobs)
    if workers is not None:
        workers = positive_int("workers", workers)

    C = len(classes)
    lanes = C * replicas
    lane_class = np.repeat(np.arange(C), replicas)
    plen = np.array([len(classes[c].pattern) if classes[c].pattern is not None else 1 for c in lane_class])
    phase_rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(2**32 - 1,)))
    phase = (phase_rng.random(lanes) * plen).astype(np.int64)  # uniform start in the pattern, (4.6)
    gap_scale = 1.0 / (arrival_rate * k)

    # groups: runs of <= GROUP_LANES lanes of one class, lanes of a class are contiguous
    G = min(GROUP_LANES, replicas)
    groups = [(c * replicas + s, c * replicas + min(s + G, replicas), c)
              for c in range(C) for s in range(0, replicas, G)]
    K = SCAN_CHUNK
    total = burn_in + horizon
    target = max(8 * K, TILE_ELEMENTS // G)
    periods = [len(c.pattern) for c in classes if c.pattern is not None]
    period = math.lcm(*periods) if periods else 1
    unit = math.lcm(K, period)
    fixed_counts = unit <= 4 * target  # then every block starts at phase 0 of every pattern
    if not fixed_counts:
        unit = K
    rows = min(-(-target // unit) * unit, -(-total // unit) * unit)
    n_blocks = -(-total // rows)
    Cc = rows // K  # chunks per tile row

    gens = [np.random.Generator(np.random.SFC64(np.random.SeedSequence(seed, spawn_key=(gi,))))
            for gi in range(len(groups))]
    w0s = [np.zeros(hi - lo) for lo, hi, _ in groups]
    count_cache: dict = {}

    def gap_counts(gi: int, g0: int):
        """Gap counts (4.2) of the periodic lanes of group gi at steps g0 + n: a scalar if constant."""
        lo, hi, c = groups[gi]
        pattern = classes[c].pattern
        if len(set(pattern)) == 1:
            return pattern[0]
        key = gi if fixed_counts else None
        if key is not None and key in count_cache:
            return count_cache[key]
        n = (np.arange(Cc)[None, None, :] * K + np.arange(K)[:, None, None]) + g0  # (K, 1, Cc)
        idx = (phase[lo:hi][None, :, None] + n) % len(pattern)
        cnt = np.asarray(pattern, dtype=np.min_scalar_type(max(pattern)))[idx]  # uint8 for gaps < 256
        if key is not None:
            count_cache[key] = cnt
        return cnt

    local = threading.local()

    def scratch(n_slots: int, G_: int) -> np.ndarray:
        """Per-thread buffer of ``n_slots`` tiles (K, G_, Cc)."""
        tile = K * G_ * Cc
        buf = getattr(local, "buf", None)
        if buf is None or buf.size < n_slots * tile:
            buf = local.buf = np.empty(n_slots * tile)
        return buf[:n_slots * tile].reshape(n_slots, K, G_, Cc)

    def increments(gi: int, g0: int, rng: np.random.Generator):
        """y = T - S (minus the Lindley increments) of group gi for the block starting at job g0."""
        lo, hi, c = groups[gi]
        cl = classes[c]
        law = services[cl.type_index]
        shape = (K, hi - lo, Cc)
        if cl.pattern is not None:
            cnt = gap_counts(gi, g0)
        else:
            cnt = rng.geometric(cl.thin_prob, size=shape)
        cmax = int(cnt) if np.isscalar(cnt) else int(cnt.max())
        a = _inversion_shape(law)
        ng = cmax if (arrivals.is_poisson and cmax <= MAX_PRODUCT_FACTORS) else 0
        # slots: y (= T - S) in 0, the waits later in 1; gap uniforms in 0..ng-1, service ones after them
        s0 = max(ng, 1)
        u = scratch(max(2, s0 + a), hi - lo)
        y, w = u[0], u[1]
        if ng:
            lg = _log_uniform_product(rng, u[:ng], cnt)  # -T, in slot 0
            np.multiply(lg, -gap_scale, out=y)
        elif arrivals.is_deterministic:
            y[...] = np.multiply(cnt, gap_scale)
        else:
            full = np.broadcast_to(cnt, shape) if np.isscalar(cnt) else cnt
            np.multiply(arrivals.sum_of(rng, full), gap_scale, out=y)
        if a:
            ls = _log_uniform_product(rng, u[s0:s0 + a])  # -a S / mean
            np.multiply(ls, law.mean / a, out=ls)
            np.add(y, ls, out=y)
        elif law.deterministic:
            np.subtract(y, law.mean, out=y)
        else:
            np.subtract(y, law.sample(rng, shape), out=y)
        return y, w

    s1 = np.zeros((batches, lanes))
    s2 = np.zeros((batches, lanes))
    nb2 = hist_bins + 2
    hist = np.zeros((batches, C, nb2)) if hist_bins else None
    hist_lock = threading.Lock()
    h = None if hist_max is None else positive_real("hist_max", hist_max) / max(hist_bins, 1)

    def segments(g0: int, start: int, stop: int):
        """(batch, first step, end step) of the statistics steps start <= n < stop of a block at job g0."""
        j0 = g0 + start - burn_in  # job index (after burn-in) of step `start`
        col = start
        while col < stop:
            bb = (j0 + col - start) // batch_len
            end = min(stop, start + (bb + 1) * batch_len - j0)
            yield bb, col, end
            col = end

    def bin_tile(gi: int, w: np.ndarray, g0: int, start: int, stop: int, h_: float) -> None:
        c = groups[gi][2]
        fbuf = getattr(local, "hist_f", None)
        if fbuf is None or fbuf.size < w.size:
            fbuf = local.hist_f = np.empty(w.size)
            local.hist_i = np.empty(w.size, dtype=np.int64)
        for bb, a, b in segments(g0, start, stop):
            cnt = np.zeros(nb2, dtype=np.int64)
            for v in _step_views(w, a, b):
                t = fbuf[:v.size].reshape(v.shape)
                idx = local.hist_i[:v.size].reshape(v.shape)
                np.divide(v, h_, out=t)  # bin j holds (j - 1) h < W <= j h; bin 0 the atom W = 0
                np.ceil(t, out=t)
                np.minimum(t, hist_bins + 1, out=t)
                np.copyto(idx, t, casting="unsafe")
                cnt += np.bincount(idx.ravel(), minlength=nb2)
            with hist_lock:
                hist[bb, c] += cnt

    def run_tile(gi: int, b: int, h_):
        lo, hi, _ = groups[gi]
        g0 = b * rows
        y, w = increments(gi, g0, gens[gi])
        w = _blocked_lindley(y, w0s[gi], w)
        w0s[gi] = w[K - 1, :, Cc - 1].copy()
        start = max(burn_in - g0, 0)  # first step of this block that enters the statistics
        stop = min(rows, total - g0)
        burn_max = 0.0
        if start > 0:
            burn_max = max((float(v.max()) for v in _step_views(w, 0, min(start, stop))), default=0.0)
        keep = None
        if start < stop:
            for bb, a, b_ in segments(g0, start, stop):
                t1, t2 = _lane_sums(_step_views(w, a, b_), hi - lo)
                s1[bb, lo:hi] += t1
                s2[bb, lo:hi] += t2
            if hist_bins:
                if h_ is not None:
                    bin_tile(gi, w, g0, start, stop, h_)
                else:  # the bin width waits for the burn-in maximum over all groups
                    keep = (w.copy(), start, stop,
                            max(float(v.max()) for v in _step_views(w, start, stop)))
        return burn_max, keep

    n_workers = min(len(groups), workers if workers is not None else (_available_cores()))
    wmax_burn = 0.0
    bar = tqdm(total=total, disable=not progress, unit="job", desc=f"Lindley k={k}", leave=False)
    chunk_blocks = 1 if chunk_jobs is None else max(1, chunk_jobs // rows)
    pool = ThreadPoolExecutor(n_workers) if n_workers > 1 else None
    try:
        for b in range(n_blocks):
            h_b = h
            if pool is None:
                res = [run_tile(gi, b, h_b) for gi in range(len(groups))]
            else:
                res = list(pool.map(run_tile, range(len(groups)), [b] * len(groups), [h_b] * len(groups)))
            wmax_burn = max([wmax_burn] + [r[0] for r in res])
            pending = [(gi, r[1]) for gi, r in enumerate(res) if r[1] is not None]
            if pending:
                top = 3.0 * (wmax_burn if burn_in > 0 else max(p[3] for _, p in pending))
                top = top if top > 0 else 10.0 * max(sv.mean for sv in services)
                h = top / hist_bins
                for gi, (w, start, stop, _) in pending:
                    bin_tile(gi, w, b * rows, start, stop, h)
            if (b + 1) % chunk_blocks == 0 or b == n_blocks - 1:
                bar.update(min(total, (b + 1) * rows) - bar.n)
    finally:
        if pool is not None:
            pool.shutdown()
        bar.close()

    w_c = np.array([c.weight for c in classes])
    per_class_n = replicas * batch_len
    m1 = np.stack([s1[:, lane_class == c].sum(axis=1) for c in range(C)], axis=1) / per_class_n  # (B, C)
    m2 = np.stack([s2[:, lane_class == c].sum(axis=1) for c in range(C)], axis=1) / per_class_n
    mix1 = m1 @ w_c
    mix2 = m2 @ w_c
    mean = float(mix1.mean())
    se = float(mix1.std(ddof=1) / math.sqrt(batches))
    var_b = mix2 - mix1**2
    variance = float(mix2.mean() - mean**2)
    var_se = float(var_b.std(ddof=1) / math.sqrt(batches))
    class_means = m1.mean(axis=0)
    class_se = m1.std(axis=0, ddof=1) / math.sqrt(batches)

    cdf_x = cdf = None
    overflow = 0.0
    qres = {}
    if hist_bins:
        Fb = np.cumsum(hist, axis=2) / per_class_n  # (B, C, nb+2): F at x_j = j h, j = 0..nb (+ overflow)
        Fb = np.einsum("bcj,c->bj", Fb, w_c)
        F = Fb.mean(axis=0)
        overflow = float(np.einsum("bc,c->", hist[:, :, hist_bins + 1], w_c) / (per_class_n * batches))
        cdf_x = np.arange(hist_bins + 1) * h
        cdf = F[:hist_bins + 1]
        for u in quantiles:
            val = _quantile_from_cdf(cdf_x, cdf, u)
            vb = np.array([_quantile_from_cdf(cdf_x, Fb[i, :hist_bins + 1], u) for i in range(batches)])
            qres[float(u)] = (val, float(vb.std(ddof=1) / math.sqrt(batches)))
    label = policy.label() if hasattr(policy, "label") else type(policy).__name__
    return SimulationResult(mean, se, variance, var_se, qres, np.array([c.type_index for c in classes]), w_c,
                            class_means, class_se, cdf_x, cdf, overflow, k, horizon, burn_in, replicas, batches,
                            seed, label, mix1)


def waiting_time_sequences(policy, services, arrival_rate: float, k: int, horizon: int, *, arrivals=None,
                           seed: int = 0) -> tuple[np.ndarray, list[QueueClass]]:
    """Per-queue waiting-time sequences W_{n,r,kappa}, n = 1..horizon, from W_0 = 0, (2.2), for every one
    of the kR queues of ``policy`` (all queues simulated; memory horizon x kR).  Returns (W, queue types)."""
    arrival_rate = positive_real("arrival_rate", arrival_rate)
    k = positive_int("k", k)
    horizon = positive_int("horizon", horizon)
    arrivals = _arrivals.poisson() if arrivals is None else arrivals
    services = per_type_laws(services, policy.n_types)
    classes = policy.queue_classes(k)
    check_stability(classes, services, arrival_rate, k)
    rng = np.random.default_rng(seed)
    R = policy.n_types
    types = np.repeat(np.arange(R), k)
    s = np.empty((horizon, k * R))
    for r in range(R):
        s[:, r * k:(r + 1) * k] = services[r].sample(rng, (horizon, k))
    if hasattr(policy, "queue_word"):
        word = policy.queue_word(k)
    elif hasattr(policy, "word") and hasattr(policy, "counts"):
        word = policy.word
    else:
        word = None
    if word is not None:
        from .words import cyclic_gaps
        gaps = cyclic_gaps(word, k * R)
        counts = np.stack([np.resize(np.asarray(gq), horizon) for gq in gaps], axis=1)
    else:
        counts = rng.geometric(np.repeat(np.asarray(policy.q) / k, k), size=(horizon, k * R))
    x = s - arrivals.sum_of(rng, counts) / (arrival_rate * k)
    return lindley(x), types
