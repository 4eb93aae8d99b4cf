"""Specialised SA-JSQ kernel: the uniformised occupancy chain of :mod:`ctmc.simulate`, fast.

Same chain, same event order as :func:`ctmc.simulate.run_block` with ``SAJSQ()``, written for speed:

* state laid out replicas-last, ``q[j, i - 1, r]`` = Q_{j,i} of replica r, int32 of shape (M, K, R),
  so that every operation of a step is one SIMD operation across replicas;
* SA-JSQ routing in closed form (Definition 2.1, ``ctmc/policies/sa_jsq.py``): with
  h_j = #{i : Q_{j,i} = N_j} (the shortest queue in pool j), the arrival joins level l* + 1 of pool
  j*, l* = min_j h_j and j* the fastest (lowest-index) pool attaining it; l* = K is an overflow;
* event choice as in :func:`ctmc.dynamics.uniformised_step`: x = u Lambda, arrival if x < L, else a
  departure from pool j if E_j <= x < E_{j+1} with E_1 = L, E_{j+1} = E_j + mu_j Q_{j,1} (cumulative
  rates computed incrementally), else a self-loop.  Inside pool j the departing server is uniform over
  its Q_{j,1} busy servers: with k uniform on {0, .., Q_{j,1} - 1} and T = Q_{j,1} - k, level i is
  decremented for the largest i with Q_{j,i} >= T, which has probability (Q_{j,i} - Q_{j,i+1}) / Q_{j,1}
  as in (6.1).  k comes from

  - ``precise=True`` (default): a second, independent 32-bit word w, k = floor(w Q_{j,1} / 2^32)
    (integer multiply-high).  One threefry2x32 call gives both words, so this costs no extra random
    bits, and the within-pool choice keeps 32 bits of resolution (float32 x alone has 24, i.e. a
    grid of Lambda 2^-24 ~ 0.1 at n = 10^6, coarser than one server's rate);
  - ``precise=False``: the residual k = floor((x - E_j) / mu_j) of the same uniform, exactly the rule
    of the general kernel (cumsum of the stacked rates), used to test this kernel against it step by
    step (:func:`advance_with_uniforms`).

* overflow: an arrival that would join a server with K jobs sets the replica's flag and leaves the
  state unchanged (as the general kernel does); callers must discard and regrow K or raise
  (:func:`simulate_sajsq` regrows).  In a full state the general kernel puts the overflow band after
  the departures, here it is the arrival band [0, L): same law, different uniforms.
* statistics: every step the state *before* the step is added to int32 running sums of Q_{j,i}
  (all levels, so E[Q_{j,i}], busy servers Q_{j,1} and jobs sum_i Q_{j,i} per pool follow by
  linearity), folded after each sub-block into exact (hi, lo) int32 pairs (total = hi 2^20 + lo);
  and the number of real events (arrivals and departures, not self-loops or overflows).
* snapshots (``snapshot_of = ((j, i), ...)``, paper indices): Q_{j,i} of every replica in the state
  X_{kS-1} entering the last step of every sub-block k = 1 .. steps/S (S = sub_steps), i.e. every
  S-th state of the uniformised chain, one of the states the running sums add.  The uniformised chain
  has the CTMC's stationary law, so in stationarity each snapshot is a draw from it: histograms of
  snapshots estimate the stationary marginals (the running sums only give means).  Only the chosen
  rows of the scan carry are written, once per sub-block, outside the step loop: no measurable cost
  (``benchmarks/ctmc_throughput.py``; the whole (M, K, R) state would cost about 4%).
* random numbers: the two words of threefry2x32(fold_in(key, block), (replica id, step)) for every
  (replica, step) of block ``block`` (counter-based, hashed inside the step's fused loop, or drawn per
  sub-block with ``inline_prng=False``: same numbers).  A replica's stream depends only on (key,
  block, replica id), not on R or the sub-block size.
* XLA layout of a step: the per-replica work (routing, event choice, hash) is one fused elementwise
  loop producing one int32 event code per replica; the code is loop-carried (software pipelining:
  step t applies the code of step t - 1), which forces XLA to compute it once instead of fusing (and
  duplicating) it into each consumer; the update of the (M, K, R) state, the running sums and the
  event counters are cheap elementwise loops.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from reflected_ou.counter_prng import threefry2x32  # the hash, written once (also the OU noise)
from reflected_ou.noise import as_key
from reflected_ou.xla_options import SIMULATOR_COMPILER_OPTIONS
from rou_common.checks import check_positive_int

from .state import check_occupancy, check_replica_axis
from .system import System

#: Low bits of the exact (hi, lo) int32 running sums.
LOW_BITS = 20
_LOW_MASK = (1 << LOW_BITS) - 1
#: Default number of steps per sub-block (int32 sums folded into (hi, lo) after each; with
#: ``inline_prng=False`` the sub-block's random words are drawn before its steps).
SUB_STEPS = 128


class FastState(NamedTuple):
    """Result of :func:`run_sajsq`: all arrays replicas-last."""

    occupancy: jnp.ndarray  # (M, K, R) int32 after the block
    sums_hi: jnp.ndarray  # (M, K, R) int32: sum of Q_{j,i} before each step = hi 2^LOW_BITS + lo
    sums_lo: jnp.ndarray  # (M, K, R) int32
    events: jnp.ndarray  # (R,) int32 real arrivals + departures
    overflow: jnp.ndarray  # (R,) bool
    snapshots: jnp.ndarray | None = None  # (steps / sub_steps, len(snapshot_of), R) int32, or None


def _uniform_from_bits(bits):
    """float32 in [0, 1) from uint32 bits, as jax.random.uniform does (23 mantissa bits)."""
    one = lax.bitcast_convert_type((bits >> 9) | jnp.uint32(0x3F800000), jnp.float32)
    return one - jnp.float32(1.0)


def mul_hi(w, q):
    """floor(w q / 2^32) for uint32 w and 0 <= q < 2^31 (int32), in 32-bit arithmetic; int32."""
    q = q.astype(jnp.uint32)
    mask = jnp.uint32(0xFFFF)
    a, b = w >> 16, w & mask
    c, d = q >> 16, q & mask
    m1 = a * d + ((b * d) >> 16)
    m2 = b * c + (m1 & mask)
    return (a * c + (m1 >> 16) + (m2 >> 16)).astype(jnp.int32)


def _code(rows, u, w, servers, speeds, arrival_rate, total_rate, precise):
    """The event of one uniformised step of every replica, as one int32 code per replica.

    ``rows[j][i]`` (R,) int32 is Q_{j,i+1} of every replica, u (R,) float32, w (R,) uint32.  The state
    is read as M K separate (R,) rows (no concatenation, no reduction over a non-minor axis), so that
    XLA fuses the per-replica work into one elementwise loop over replicas.  The code (see the end) is
    applied to the (M, K, R) state by :func:`_apply`; :func:`run_sajsq` carries it to the next step so
    that the per-replica work is not duplicated into every level's update.
    """
    pools, levels = len(rows), len(rows[0])
    x = u * total_rate
    # routing: h_j = levels full in pool j; the first pool with the smallest h_j
    best = best_pool = None
    for j in range(pools):
        height = sum((rows[j][i] == servers[j]).astype(jnp.int32) for i in range(levels))
        if best is None:
            best, best_pool = height, jnp.zeros_like(height)
        else:
            better = height < best
            best, best_pool = jnp.where(better, height, best), jnp.where(better, j, best_pool)
    arrival = x < arrival_rate
    joined = arrival & (best < levels)
    overflow = arrival & (best == levels)
    # departures: the pool by cumulative rates, then T = Q_{j,1} - k
    edge = arrival_rate
    selected, busy_sel, edge_sel, inv_sel = [], jnp.zeros_like(best), jnp.zeros_like(x), jnp.zeros_like(x)
    for j in range(pools):
        nxt = edge + speeds[j] * rows[j][0].astype(jnp.float32)
        sel = (x >= edge) & (x < nxt)
        selected.append(sel)
        busy_sel = jnp.where(sel, rows[j][0], busy_sel)
        if not precise:
            edge_sel = jnp.where(sel, edge, edge_sel)
            inv_sel = jnp.where(sel, jnp.float32(1.0) / speeds[j], inv_sel)
        edge = nxt
    if precise:
        k = mul_hi(w, busy_sel)
    else:
        k = jnp.minimum(jnp.floor((x - edge_sel) * inv_sel).astype(jnp.int32), busy_sel - 1)
    threshold = busy_sel - k
    dec_pool = jnp.full_like(best, -1)
    dec_level = jnp.zeros_like(best)
    for j in range(pools):
        count = sum((rows[j][i] >= threshold).astype(jnp.int32) for i in range(levels))
        dec_pool = jnp.where(selected[j], j, dec_pool)
        dec_level = jnp.where(selected[j], count - 1, dec_level)
    # one code per replica: +(p + 1) increments flat position p = j K + i, -(p + 1) decrements it,
    # 0 is a self-loop, OVERFLOW an overflowing arrival (no change)
    code = jnp.where(joined, best_pool * levels + best + 1, 0)
    code = jnp.where(dec_pool >= 0, -(dec_pool * levels + dec_level + 1), code)
    code = jnp.where(overflow, pools * levels + 1, code)
    return code


def _apply(q, code):
    """q (M, K, R) after the events ``code`` (R,) of :func:`_step`; (event, overflow) indicators."""
    pools, levels, _ = q.shape
    position = lax.broadcasted_iota(jnp.int32, (pools, levels, 1), 0) * levels \
        + lax.broadcasted_iota(jnp.int32, (pools, levels, 1), 1) + 1
    change = (code == position).astype(jnp.int32) - (code == -position).astype(jnp.int32)
    return (q + change,) + _flags(code, pools, levels)


def _flags(code, pools, levels):
    """(real event, overflow) indicators of event codes."""
    overflow = code == pools * levels + 1
    return (code != 0) & ~overflow, overflow


def _split(q):
    return [[q[j, i] for i in range(q.shape[1])] for j in range(q.shape[0])]


def _fold(hi, lo, part):
    lo = lo + part
    return hi + (lo >> LOW_BITS), lo & _LOW_MASK


def _block_bits(key, block, replica_ids, first_step, sub_steps):
    """Two uint32 words (sub_steps, R) for steps first_step .. first_step + sub_steps - 1."""
    data = jax.random.key_data(jax.random.fold_in(key, block))
    shape = (sub_steps, replica_ids.shape[0])
    steps = (first_step + lax.broadcasted_iota(jnp.int32, shape, 0)).astype(jnp.uint32)
    ids = jnp.broadcast_to(replica_ids.astype(jnp.uint32)[None, :], shape)
    return threefry2x32(data[0], data[1], ids, steps)


@partial(jax.jit, static_argnames=("servers", "steps", "sub_steps", "precise", "inline_prng", "unroll",
                                   "snapshot_of"),
         compiler_options=SIMULATOR_COMPILER_OPTIONS)  # 512-bit vectors: 1.2-1.3x on AVX-512
def run_sajsq(q0, key, block, replica_ids, speeds, arrival_rate, total_rate, *, servers, steps,
              sub_steps=SUB_STEPS, precise=True, inline_prng=True, unroll=1, snapshot_of=()):
    """``steps`` uniformised SA-JSQ steps of every replica from ``q0`` ((M, K, R) int32).

    ``servers``: static tuple N_j; ``speeds`` (M,), ``arrival_rate`` L, ``total_rate`` Lambda (float32
    after conversion); ``key``: a typed PRNG key; ``block``: int, the block index; ``replica_ids``
    (R,) ints.  ``steps`` must be a multiple of ``sub_steps`` and sub_steps * max N_j < 2^31 - 2^20
    (the int32 sums are folded into the exact (hi, lo) pairs after every sub-block).
    ``inline_prng``: hash the (replica, step) counters inside the step's fused loop (default) or draw
    (sub_steps, R) words per sub-block before the sub-block's steps; the numbers are identical, inline
    is faster (the hash stays in registers, fused with the event choice).  ``unroll``: of the step scan
    (1 is best on CPU: unrolled bodies fuse worse).  ``snapshot_of``: ((j, i), ...) paper indices of the
    Q_{j,i} to record in the state entering the last step of every sub-block (module docstring); the
    other outputs do not depend on it.
    """
    if steps % sub_steps:
        raise ValueError(f"steps ({steps}) must be a multiple of sub_steps ({sub_steps})")
    check_sub_steps(servers, sub_steps)
    check_snapshot_of(snapshot_of, q0.shape[:2])
    speeds = jnp.asarray(speeds, jnp.float32)
    arrival_rate = jnp.asarray(arrival_rate, jnp.float32)
    total_rate = jnp.asarray(total_rate, jnp.float32)
    n_j = tuple(jnp.int32(v) for v in servers)
    speed_j = tuple(speeds[j] for j in range(len(servers)))

    # software-pipelined: the carry holds the state before the previous step and that step's event
    # code, so the code is a loop-carried buffer computed once per replica (XLA would otherwise fuse
    # the per-replica work into, and duplicate it in, every consumer)
    data = jax.random.key_data(jax.random.fold_in(key, block))
    ids = replica_ids.astype(jnp.uint32)

    def step(carry, uw):
        q_prev, code_prev, acc, events, overflow = carry
        if inline_prng:
            w0, w = threefry2x32(data[0], data[1], ids, jnp.broadcast_to(uw.astype(jnp.uint32), ids.shape))
            u = _uniform_from_bits(w0)
        else:
            u, w = uw
        q, _, _ = _apply(q_prev, code_prev)
        code = _code(_split(q), u, w, n_j, speed_j, arrival_rate, total_rate, precise)
        event, over = _flags(code, *q.shape[:2])
        return (q, code, acc + q, events + event.astype(jnp.int32), overflow | over), None

    def sub_block(carry, index):
        q, code, hi, lo, events, overflow = carry
        if inline_prng:
            xs = index * sub_steps + jnp.arange(sub_steps)
        else:
            w0, w1 = _block_bits(key, block, replica_ids, index * sub_steps, sub_steps)
            xs = (_uniform_from_bits(w0), w1)
        (q, code, acc, events, overflow), _ = lax.scan(
            step, (q, code, jnp.zeros_like(q), events, overflow), xs, unroll=unroll)
        hi, lo = _fold(hi, lo, acc)
        taken = jnp.stack([q[j - 1, i - 1] for j, i in snapshot_of]) if snapshot_of else None
        return (q, code, hi, lo, events, overflow), taken

    r = q0.shape[-1]
    zeros = jnp.zeros_like(q0)
    init = (q0, jnp.zeros(r, jnp.int32), zeros, zeros, jnp.zeros(r, jnp.int32), jnp.zeros(r, bool))
    (q, code, hi, lo, events, overflow), taken = lax.scan(sub_block, init, jnp.arange(steps // sub_steps))
    return FastState(_apply(q, code)[0], hi, lo, events, overflow, taken)


@partial(jax.jit, static_argnames=("servers",))
def advance_with_uniforms(q0, uniforms, speeds, arrival_rate, total_rate, *, servers):
    """Residual-mode steps driven by given float32 uniforms (steps, R): the general kernel's exact rule.

    Returns (q_end (M, K, R), sums of Q over the steps (int32, state before each step), events (R,),
    overflow (R,)); for tests against :func:`ctmc.simulate.run_block`.
    """
    speeds = jnp.asarray(speeds, jnp.float32)
    n_j = tuple(jnp.int32(v) for v in servers)
    speed_j = tuple(speeds[j] for j in range(len(servers)))
    arrival_rate = jnp.asarray(arrival_rate, jnp.float32)
    total_rate = jnp.asarray(total_rate, jnp.float32)

    def step(carry, u):
        q, acc, events, overflow = carry
        code = _code(_split(q), u, None, n_j, speed_j, arrival_rate, total_rate, False)
        q_new, event, over = _apply(q, code)
        return (q_new, acc + q, events + event.astype(jnp.int32), overflow | over), None

    r = q0.shape[-1]
    init = (q0, jnp.zeros_like(q0), jnp.zeros(r, jnp.int32), jnp.zeros(r, bool))
    out, _ = lax.scan(step, init, jnp.asarray(uniforms, jnp.float32))
    return out


def run_sajsq_threads(q0, key, block, replica_ids, speeds, arrival_rate, total_rate, *, threads=2, **static):
    """:func:`run_sajsq` on ``threads`` contiguous chunks of the replicas, one Python thread each.

    XLA:CPU runs one fused loop per op on one core; independent executions from several threads run
    concurrently, so on a 2-core machine two chunks take about half the time.  The result is the same
    as one call (each replica's random numbers depend only on its id).  Returns a FastState.
    """
    from concurrent.futures import ThreadPoolExecutor

    threads = check_positive_int("threads", threads)
    r = q0.shape[-1]
    bounds = [r * t // threads for t in range(threads + 1)]

    def chunk(t):
        lo, hi = bounds[t], bounds[t + 1]
        return jax.block_until_ready(run_sajsq(q0[..., lo:hi], key, block, replica_ids[lo:hi], speeds,
                                               arrival_rate, total_rate, **static))

    if threads == 1:
        return chunk(0)
    with ThreadPoolExecutor(threads) as pool:
        parts = list(pool.map(chunk, range(threads)))
    return FastState(*(None if xs[0] is None else jnp.concatenate(xs, axis=-1) for xs in zip(*parts)))


def check_sub_steps(servers, sub_steps: int) -> None:
    """The int32 per-sub-block sums must not overflow: sub_steps * max N_j + 2^20 < 2^31."""
    if sub_steps * max(servers) + (1 << LOW_BITS) >= 2**31:
        raise ValueError(f"sub_steps * max N_j must be < 2^31 - 2^20, got {sub_steps} * {max(servers)}")


def check_snapshot_of(snapshot_of, shape) -> None:
    """Every (j, i) of ``snapshot_of`` must name a level of the (M, K) state: 1 <= j <= M, 1 <= i <= K."""
    pools, levels = shape
    for pair in snapshot_of:
        if len(pair) != 2 or not (1 <= pair[0] <= pools and 1 <= pair[1] <= levels):
            raise ValueError(f"snapshot_of entries (j, i) need 1 <= j <= {pools} and 1 <= i <= {levels}, got {pair!r}")


def totals(hi, lo) -> np.ndarray:
    """Exact int64 totals hi 2^LOW_BITS + lo (host side)."""
    return (np.asarray(hi, np.int64) << LOW_BITS) + np.asarray(lo, np.int64)


@dataclass(frozen=True)
class FastRun:
    """Host-side result of :func:`simulate_sajsq` (replicas-first, like the general kernel)."""

    occupancy: np.ndarray  # (R, M, K) final state
    level_sums: np.ndarray  # (R, M, K) int64 sums of Q_{j,i} over the steps
    steps: int
    events: np.ndarray  # (R,) int64

    @property
    def level_means(self) -> np.ndarray:
        """(R, M, K) time averages of Q_{j,i} (per replica)."""
        return self.level_sums / self.steps

    @property
    def busy_means(self) -> np.ndarray:
        """(R, M) time-average busy servers per pool."""
        return self.level_means[..., 0]

    @property
    def jobs_means(self) -> np.ndarray:
        """(R,) time-average number of jobs in system."""
        return self.level_means.sum(axis=(-2, -1))


def simulate_sajsq(system: System, *, seed: int, replicas: int, blocks: int, steps: int,
                   levels: int = 4, max_levels: int = 4096, initial=None, sub_steps: int = SUB_STEPS,
                   precise: bool = True, threads: int = 1, snapshot_sink=None) -> FastRun:
    """``blocks`` blocks of ``steps`` steps of SA-JSQ from ``initial`` ((M, K') or (R, M, K')) or empty.

    A block with an overflow is redone with twice the levels (zero padding is exact); above
    ``max_levels`` it raises ValueError.  ``threads``: replicas split over that many Python threads
    (:func:`run_sajsq_threads`; same numbers for any count).  ``snapshot_sink``: an object with
    ``snapshot_of`` ((j, i) pairs) and ``add(snapshots)``, handed the (steps / sub_steps, k, R) numpy
    snapshots of every block (:mod:`ctmc.fast_marginals`); memory stays one block's.
    """
    replicas, blocks, steps = (check_positive_int(name, value) for name, value in
                               (("replicas", replicas), ("blocks", blocks), ("steps", steps)))
    levels, max_levels = check_positive_int("levels", levels), check_positive_int("max_levels", max_levels)
    key = as_key(seed)
    ids = jnp.arange(replicas, dtype=jnp.int32)
    pools = system.pools
    q = np.zeros((replicas, pools, levels), np.int32)
    if initial is not None:
        init = check_replica_axis(check_occupancy(initial, system.servers), replicas).astype(np.int32)
        levels = max(levels, init.shape[-1])
        q = np.zeros((replicas, pools, levels), np.int32)
        q[..., : init.shape[-1]] = init
    q = jnp.asarray(q.transpose(1, 2, 0))
    sums = np.zeros((pools, levels, replicas), np.int64)
    events = np.zeros(replicas, np.int64)
    snapshot_of = tuple(snapshot_sink.snapshot_of) if snapshot_sink is not None else ()
    args = dict(servers=tuple(int(v) for v in system.servers), steps=steps, sub_steps=sub_steps, precise=precise,
                threads=threads, snapshot_of=snapshot_of)
    for block in range(blocks):
        while True:
            out = run_sajsq_threads(q, key, block, ids, np.asarray(system.speeds, np.float32), system.arrival_rate,
                                    system.uniformisation_rate, **args)
            if not bool(jnp.any(out.overflow)):
                break
            if 2 * levels > max_levels:
                raise ValueError(f"queue length exceeded max_levels = {max_levels}")
            extra = levels
            levels *= 2
            q = jnp.concatenate([q, jnp.zeros((pools, extra, replicas), jnp.int32)], axis=1)
            sums = np.concatenate([sums, np.zeros((pools, extra, replicas), np.int64)], axis=1)
        q = out.occupancy
        sums += totals(out.sums_hi, out.sums_lo)
        events += np.asarray(out.events, np.int64)
        if snapshot_sink is not None:
            snapshot_sink.add(np.asarray(out.snapshots))
    return FastRun(np.asarray(q).transpose(2, 0, 1), sums.transpose(2, 0, 1), blocks * steps, events)
