"""Streaming Monte Carlo estimate of the stationary law of the 2-D reflected OU (3.9)-(3.10).

R replicas run a burn-in, then a horizon T; the time is cut into blocks of ``block_steps`` steps.
One jitted call advances every replica by one block, the state packed as Y_M1 + i Y_12 so that up
to 10 steps (5 in float64) run as one fused loop (``reflected_ou.noise.sweep_block``), and
returns per-replica sums of the observables over the states sampled every ``sample_every`` steps
and a joint histogram of them (integer counts).  The host adds them, block after block, into
float64 batch-means accumulators (``reflected_ou.streaming``): memory is independent of T.

Replicas are sharded over the local JAX devices (``shard_map``: each device runs its replicas and
counts their histogram in place; the counts meet once per block; a CPU device runs its replicas in
tiles of at most 2048, ``replica_tile``); the variates of replica r at
step t of block b come from threefry2x32(fold_in(key, b), (r, t)), or (r, t // 2) for the projected
scheme (``reflected_ou.noise``), so for a fixed seed the numbers do not depend on the device count,
the number of blocks dispatched between host updates (``chunk_blocks``), or on a checkpoint/resume.
"""
from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from functools import partial
from typing import Optional

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from reflected_ou.box import default_box
from reflected_ou.identities import stationary_identities
from reflected_ou.noise import complex_dtype, key_from_seed, largest_divisor, sweep_block
from reflected_ou.params import Params
from rou_common.checks import check_finite_non_negative, check_positive_int, check_seed
from reflected_ou.sampling_plan import block_plan
from reflected_ou.schemes import get_scheme
from reflected_ou.step import packed_limit_step, per_step_rates
from reflected_ou.streaming import BatchMeans, FixedBins, Histogram, batch_of_block
from reflected_ou.validation import check_dt, check_params, check_steps, resolve_dtype
from reflected_ou.xla_options import SIMULATOR_COMPILER_OPTIONS

#: Version of the noise stream (``reflected_ou.noise``), part of a checkpoint's fingerprint.
NOISE_STREAM = ("threefry2x32(fold_in(key, block), (replica, step)), projected: (replica, step // 2) word step % 2; "
                "Giles erfinv, Cephes/fdlibm log")

#: Observables streamed per replica (time averages over the horizon).
OBSERVABLES = ("Y_M1", "Y_12", "Y_M1_sq", "Y_12_sq", "Y_M1_Y_12", "U_rate")


def _observables(packed):
    """The first five OBSERVABLES (Y_M1, Y_12, squares, cross moment) of packed states, (5, ...)
    (observables first: each row is a contiguous vector over the replicas)."""
    y1, y2 = jnp.real(packed), jnp.imag(packed)
    return jnp.stack([y1, y2, y1 * y1, y2 * y2, y1 * y2])


def _regulator_sum(start, final, sum_Y_12, mu_1, dt, sample_every):
    """The U_rate column: (sum_t dU_t / h) / k over a block of steps t, k = ``sample_every``.

    The Y_12 equation (3.10) of the scheme, Y_12(t+h) = Y_12(t) - mu_1 Y_12(t) h + dU_t, summed over the
    block gives sum_t dU_t / h = (Y_12(end) - Y_12(start)) / h + mu_1 sum_t Y_12(t); the sum over every
    step is estimated by k times the sum over the sampled states (``sum_Y_12``).  Divided by the
    number of samples, as every column is, the column is a time average of dU/dt.
    """
    return (jnp.imag(final) - jnp.imag(start)) / (dt * sample_every) + mu_1 * sum_Y_12


def _packed_limit_step(coefficients, dt, scheme):
    """One step of (3.9)-(3.10) on the packed state Y_M1 + i Y_12 (one array: one fused loop)."""
    rates = per_step_rates(coefficients, dt)
    return lambda packed, normal, exponential: packed_limit_step(packed, normal, exponential, rates, dt, scheme)[0]


def _block_on_device(key, coefficients, packed, replica_ids, block, dt, *, steps, sample_every, scheme_name,
                     bins_M1, bins_12):
    """One block of the replicas one device holds: (packed state, per-replica sums (R, 6), joint counts).

    The sums and the joint histogram run over the states at steps 0, k, 2k, ... of the block,
    k = ``sample_every``; each sample's cells are counted in place (no array of cells per block).
    """
    scheme = get_scheme(scheme_name)
    step = _packed_limit_step(coefficients, dt, scheme)
    dtype = jnp.real(packed).dtype

    def sample(statistics, state):
        sums, counts = statistics
        cell = bins_M1.index(jnp.real(state)) * (bins_12.count + 2) + bins_12.index(jnp.imag(state))
        return (sums + _observables(state), counts.at[cell].add(1)), None

    start = (jnp.zeros((5,) + packed.shape, dtype), jnp.zeros((bins_M1.count + 2) * (bins_12.count + 2), jnp.int32))
    final, (sums, counts), _ = sweep_block(step, packed, sample, start, key, replica_ids, block, steps, sample_every,
                                           dtype, scheme.NEEDS_EXPONENTIAL)
    regulator = _regulator_sum(packed, final, sums[1], coefficients[1], dt, sample_every)
    return final, jnp.concatenate([sums, regulator[None]]).T, counts


#: Most replicas a CPU device advances through a block at once (``replica_tile``).
CPU_TILE_REPLICAS = 2048


def replica_tile(replicas: int, platform: str, cap: Optional[int] = None) -> int:
    """Replicas per tile on a device holding ``replicas``: on a CPU, the smallest number of tiles of
    at most ``cap`` (default CPU_TILE_REPLICAS) replicas that divides ``replicas`` into equal tiles
    of at least cap / 2; else (GPU, TPU, or no such division) all of them.

    A CPU runs a block tile after tile, so that a tile's state, moment sums and the histogram stay
    in cache (one core, float32, projected, 65536 replicas: 6.8e8 -> 7.8e8 path-steps/s).  A replica's
    numbers do not depend on the tiling (each replica's sums are its own; counts are integers).
    """
    cap = CPU_TILE_REPLICAS if cap is None else cap
    if platform != "cpu" or replicas <= cap:
        return replicas
    for tiles in range(-(-replicas // cap), 2 * replicas // cap + 1):
        if replicas % tiles == 0:
            return replicas // tiles
    return replicas


def _block_in_tiles(arrays, tile, **statics):
    """:func:`_block_on_device` over tiles of ``tile`` replicas, one after another (lax.scan)."""
    key, coefficients, packed, replica_ids, block, dt = arrays
    replicas = packed.shape[0]
    if tile >= replicas:
        return _block_on_device(*arrays, **statics)
    cells = (statics["bins_M1"].count + 2) * (statics["bins_12"].count + 2)

    def one_tile(counts, tile_arrays):
        final, sums, tile_counts = _block_on_device(key, coefficients, *tile_arrays, block, dt, **statics)
        return counts + tile_counts, (final, sums)

    tiles = (packed.reshape(-1, tile), replica_ids.reshape(-1, tile))
    counts, (final, sums) = jax.lax.scan(one_tile, jnp.zeros(cells, jnp.int32), tiles)
    return final.reshape(replicas), sums.reshape(replicas, -1), counts


@partial(jax.jit, static_argnames=("steps", "sample_every", "scheme_name", "bins_M1", "bins_12", "mesh",
                                   "tile_cap"),
         compiler_options=SIMULATOR_COMPILER_OPTIONS)
def _advance_block(key, coefficients, packed, replica_ids, block, dt, steps, sample_every, scheme_name,
                   bins_M1, bins_12, mesh=None, tile_cap=None):
    """Advance all replicas by one block (:func:`_block_on_device` on each device of ``mesh``, whose
    axis "replica" splits the replicas; default: the first local device alone; on a CPU in tiles,
    :func:`replica_tile` with ``tile_cap``); the devices' histograms meet once per block (psum)."""
    mesh = mesh if mesh is not None else _replica_mesh(1)
    statics = dict(steps=steps, sample_every=sample_every, scheme_name=scheme_name, bins_M1=bins_M1,
                   bins_12=bins_12)
    platform = mesh.devices.flat[0].platform

    def on_device(*arrays):
        tile = replica_tile(arrays[2].shape[0], platform, tile_cap)
        final, sums, counts = _block_in_tiles(arrays, tile, **statics)
        return final, sums, jax.lax.psum(counts, "replica")

    whole, split = PartitionSpec(), PartitionSpec("replica")
    return jax.shard_map(on_device, mesh=mesh, in_specs=(whole, whole, split, split, whole, whole),
                         out_specs=(split, split, whole), check_vma=False)(key, coefficients, packed, replica_ids,
                                                                            block, dt)


@dataclass(frozen=True)
class StationaryResult:
    """Time averages over the horizon of R replicas, with batch-means standard errors.

    mean / stderr map the observables Y_M1, Y_12, Y_M1_sq, Y_12_sq, Y_M1_Y_12 (second moments and
    the cross moment) and U_rate (long-run rate of the regulator U_1) to float64 numbers.
    ``joint`` is the 2-D histogram of (Y_M1, Y_12) with under/overflow bins, kept per batch so that
    tail probabilities come with batch-means standard errors.
    """

    params: Params
    scheme: str
    dt: float
    burn_in: float
    horizon: float
    replicas: int
    seed: int
    mean: dict
    stderr: dict
    joint: Histogram = field(repr=False)
    batch_means: BatchMeans = field(repr=False)
    sample_every: int = 1  # statistics are taken from the state every this many steps

    @property
    def hist_Y_M1(self) -> Histogram:
        return self.joint.marginal(0)

    @property
    def hist_Y_12(self) -> Histogram:
        return self.joint.marginal(1)

    def tail_Y_12(self):
        """(y, P(Y_12 > y), batch-means standard error) at the histogram edges."""
        return self.hist_Y_12.tail_with_stderr()

    def tail_idle(self):
        """(y, P(-Y_M1 > y), standard error) at the histogram edges (y >= 0).

        P(-Y_M1 > y) = P(Y_M1 < -y) = 1 - P(Y_M1 >= -y), and the law of Y_M1 has no atoms.
        """
        edges, above, stderr = self.hist_Y_M1.tail_with_stderr()
        return -edges[::-1], 1.0 - above[::-1], stderr[::-1]

    def identities(self):
        """[(name, estimate, stderr, exact)] for the exact identities of ``reflected_ou.identities``."""
        rows = []
        for identity in stationary_identities(self.params):
            estimate, stderr = self.batch_means.linear_combination(identity.coefficients)
            rows.append((identity.name, estimate, stderr, identity.exact))
        return rows


def _replica_mesh(replicas: int, devices=None):
    """A 1-D mesh over the largest number of local devices that divides ``replicas``."""
    devices = list(jax.local_devices() if devices is None else devices)
    count = largest_divisor(replicas, len(devices))
    return Mesh(np.array(devices[:count]), ("replica",))


def _fingerprint(**config) -> str:
    return json.dumps(config, sort_keys=True, default=str)


def _save_checkpoint(path, fingerprint, next_block, state, batch_means, joint):
    arrays = {"fingerprint": np.array(fingerprint), "next_block": np.array(next_block),
              "y_M1": np.real(np.asarray(state)), "y_12": np.imag(np.asarray(state))}
    arrays.update(batch_means.state("bm_"))
    arrays.update(joint.state("joint_"))
    temporary = f"{path}.tmp.npz"
    np.savez(temporary, **arrays)
    os.replace(temporary, path)  # atomic: a kill leaves either the old or the new checkpoint


def estimate_stationary(
    params: Params,
    *,
    seed: int = 0,
    dt: float = 0.01,
    burn_in: float = 50.0,
    horizon: float = 1000.0,
    replicas: int = 256,
    scheme: str = "lepingle",
    dtype=None,
    block_steps: Optional[int] = None,
    chunk_blocks: int = 8,
    batches: int = 20,
    bins: tuple = (120, 120),
    sample_every: Optional[int] = None,
    box=None,
    checkpoint: Optional[str] = None,
    progress: bool = True,
    devices=None,
) -> StationaryResult:
    """Estimate stationary moments, histograms and tails of (3.9)-(3.10) by long simulation.

    Parameters: ``seed`` (int), ``dt`` step, ``burn_in`` and ``horizon`` times (rounded up to whole
    blocks of ``block_steps`` steps, default about 5 time units), ``replicas`` R, ``scheme``
    ("lepingle" or "projected"), ``batches`` batch-means batches per replica, ``bins`` histogram
    bins over ``box`` (default ``box.default_box``), ``sample_every``: moments and histogram are
    taken from the state every this many steps, a divisor of ``block_steps`` (default
    min(20, floor(1 / (2 mu_1 dt))): the law sampled is the scheme's stationary law either way, and
    at that spacing thinning adds at most 2% variance; ``reflected_ou.sampling_plan``),
    ``checkpoint`` file to write after every
    ``chunk_blocks`` blocks and to resume from if it exists, ``devices`` to shard replicas over.
    """
    check_params(params)
    dtype = resolve_dtype(dtype)
    dt = check_dt(dt, params, dtype)
    replicas = check_positive_int("replicas", replicas)
    seed = check_seed(seed)
    chunk_blocks = check_positive_int("chunk_blocks", chunk_blocks)
    batches = check_positive_int("batches", batches)
    get_scheme(scheme)
    block_steps, sample_every = block_plan(params, dt, block_steps, sample_every)
    block_time = block_steps * dt
    if replicas * (block_steps // sample_every) >= 2**31:
        raise ValueError(f"replicas * block_steps / sample_every must be < 2^31 (a block's histogram counts are int32), "
                         f"got {replicas} * {block_steps} / {sample_every}; lower block_steps or raise sample_every")
    burn_in = check_finite_non_negative("burn_in", burn_in)
    burn_blocks = math.ceil(check_steps("burn_in", burn_in, dt) / block_steps) if burn_in > 0 else 0
    horizon_blocks = math.ceil(check_steps("horizon", horizon, dt) / block_steps)
    batches = min(batches, horizon_blocks)
    if batches * replicas < 2:
        raise ValueError("need replicas >= 2 or a horizon of at least 2 blocks for a standard error")
    box = box or default_box(params)
    if not (isinstance(bins, (tuple, list)) and len(bins) == 2):
        raise ValueError(f"bins must be a pair (bins of Y_M1, bins of Y_12), got {bins!r}")
    bins_M1 = FixedBins(float(box.y_M1_low), 0.0, check_positive_int("bins[0]", bins[0]))
    bins_12 = FixedBins(0.0, float(box.y_12_high), check_positive_int("bins[1]", bins[1]))

    mesh = _replica_mesh(replicas, devices)
    sharding = NamedSharding(mesh, PartitionSpec("replica"))
    coefficients = tuple(jnp.asarray(c, dtype) for c in params.limit_coefficients())
    key = key_from_seed(seed)
    replica_ids = jax.device_put(jnp.arange(replicas), sharding)
    batch_means = BatchMeans(OBSERVABLES, replicas, batches)
    joint = Histogram(bins_M1, bins_12, batches=batches)
    fingerprint = _fingerprint(params=params.as_dict(), seed=seed, dt=dt, replicas=replicas, scheme=scheme,
                               dtype=str(jnp.dtype(dtype)), block_steps=block_steps, sample_every=sample_every,
                               burn_blocks=burn_blocks,
                               horizon_blocks=horizon_blocks, batches=batches, bins_M1=bins_M1, bins_12=bins_12,
                               noise=NOISE_STREAM)
    start = np.full(replicas, -params.beta / params.mu_M), np.zeros(replicas)  # E[Y_M1], (3.9)
    next_block = 0
    if checkpoint and os.path.exists(checkpoint):
        with np.load(checkpoint) as saved:
            if str(saved["fingerprint"]) != fingerprint:
                raise ValueError(f"checkpoint {checkpoint!r} was written by a run with other settings; "
                                 "delete it or use another --checkpoint path")
            next_block = int(saved["next_block"])
            start = saved["y_M1"], saved["y_12"]
            batch_means.load(saved, "bm_")
            joint.load(saved, "joint_")
    packed = np.asarray(start[0]) + 1j * np.asarray(start[1])  # Y_M1 + i Y_12, see noise.sweep_block
    state = jax.device_put(jnp.asarray(packed, complex_dtype(dtype)), sharding)

    total_blocks = burn_blocks + horizon_blocks
    bar = _progress_bar(total_blocks, next_block, progress, replicas * block_steps)
    while next_block < total_blocks:
        chunk = range(next_block, min(next_block + chunk_blocks, total_blocks))
        outputs = []
        for block in chunk:  # dispatched asynchronously; the host waits once per chunk
            state, sums, counts = _advance_block(key, coefficients, state, replica_ids, block,
                                                 jnp.asarray(dt, dtype), block_steps, sample_every, scheme,
                                                 bins_M1, bins_12, mesh)
            outputs.append((block, sums, counts))
        for block, sums, counts in outputs:
            if block >= burn_blocks:
                horizon_block = block - burn_blocks
                batch = batch_of_block(horizon_block, horizon_blocks, batches)
                batch_means.add(batch, np.asarray(sums), block_steps // sample_every)
                joint.add(np.asarray(counts), batch)
        next_block = chunk.stop
        if checkpoint:
            _save_checkpoint(checkpoint, fingerprint, next_block, state, batch_means, joint)
        bar.update(len(chunk))
    bar.close()
    return StationaryResult(params, scheme, dt, burn_blocks * block_time, horizon_blocks * block_time, replicas,
                            seed, batch_means.mean(), batch_means.stderr(), joint, batch_means, sample_every)


def _progress_bar(total, initial, enabled, path_steps_per_block):
    from tqdm.auto import tqdm

    return tqdm(total=total, initial=initial, disable=not enabled, unit="block", desc="stationary",
                postfix={"path-steps/block": path_steps_per_block}, leave=False)
