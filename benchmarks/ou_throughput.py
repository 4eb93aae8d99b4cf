"""Path-steps per second of the reflected-OU simulator against (a) the floor: drawing the same
variates alone with the same PRNG, and (b) diffrax's Euler-Maruyama on the same OU without
reflection.  All are measured in this run (the machine is shared: read the ratios).

    python benchmarks/ou_throughput.py [--replicas 4096] [--steps 2000] [--float64]

The main figures are taken on ONE CORE: the process pins itself to one CPU before JAX starts, so
neither side gets XLA's intra-op threads (unpinned, a single JAX device spreads our fused loops over
every core but slows diffrax's small per-step ops down).  Then, in a child process with every core
and one host device per core, each side is timed as one device and sharded over all of them, and
its best is kept ("all cores, best set-up of each").  Our kernels and the floor are compiled with
the simulators' XLA options (``reflected_ou.xla_options``: 512-bit vectors where the CPU has them);
diffrax both with those and with XLA's defaults, the faster kept.

Two drivers of the same steps are measured (``reflected_ou.noise``): the stationary estimator's block
(up to 10 steps fused per loop, statistics of the state, histogram included, every sample_every
steps: the estimator's default, 20 at dt = 0.01 for the paper's example,
``reflected_ou.sampling_plan``; on a CPU in tiles of at most 2048 replicas,
``reflected_ou.stationary.replica_tile``) and ``simulate_paths`` (any carry; the paths and the
regulator U_1 as outputs).  The one-core kernels and floors take turns (``race``), so that a slow
spell of the shared machine falls on all of them.

Last line: a JSON object with steps_per_s, ratio_vs_floor, ratio_vs_diffrax (one core; the
stationary estimator's block, projected scheme, the floor being the normals alone, diffrax in its
fastest set-up), the same at sample_every = 10 (``sample_every_10_*``), the same for the Lepingle
scheme (its floor draws normals and Exp(1) variates), the ``paths_api_*`` figures of
simulate_paths, the ratio against diffrax's VirtualBrownianTree, and the ``all_cores_*`` figures.
"""
import os
import sys

ALL_CPUS = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
if __name__ == "__main__" and ALL_CPUS:  # before JAX starts its thread pools
    if "--all-cores-child" in sys.argv:  # widen again to the CPUs the parent had
        ALL_CPUS = [int(c) for c in os.environ["OU_THROUGHPUT_CPUS"].split(",")]
        os.sched_setaffinity(0, ALL_CPUS)
    else:
        os.sched_setaffinity(0, ALL_CPUS[:1])

import argparse
import json
import time
from functools import partial

import jax
import jax.numpy as jnp

from reflected_ou import Params
from reflected_ou.drift import limit_drift
from reflected_ou.noise import block_words, fused_segment, segment_variates
from reflected_ou.sampling_plan import default_sample_every
from reflected_ou.simulate import simulate_paths
from reflected_ou.xla_options import SIMULATOR_COMPILER_OPTIONS


#: Timed runs of each kernel; the kernels take turns, so a slow spell of the shared machine hits all.
REPEATS = 7


def race(runs, repeats=REPEATS):
    """Best wall time of each zero-argument function in ``runs`` (a dict), timed in turns: each is
    compiled and warmed up, then every round times each once."""
    for run in runs.values():
        run()
    best = {name: float("inf") for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def best_time(function, repeats=5):
    return race({"": function}, repeats)[""]


@partial(jax.jit, static_argnames=("steps", "paths", "exponential", "dtype", "per_loop"),
         compiler_options=SIMULATOR_COMPILER_OPTIONS)  # compiled as the simulator is
def draw_variates(key, steps, paths, exponential, dtype, per_loop=1):
    """The floor: the variates the simulator draws for one block of ``steps`` (same stream, same
    hash, same maps), summed per replica, ``per_loop`` steps per fused loop (as the simulator runs
    them), so that nothing else is computed."""
    words = block_words(key, 0)
    ids = jnp.arange(paths)

    def some(total, first):
        for normal, exp in segment_variates(words, ids, first, per_loop, dtype, exponential):
            total = total + normal + (exp if exponential else 0.0)
        return total, None

    return jax.lax.scan(some, jnp.zeros(paths, dtype), jnp.arange(0, steps, per_loop, dtype=jnp.uint32))[0]


def floor_runs(steps, paths, exponential, dtype, sample_every):
    """The floor, one step per loop and as many as the simulator fuses (the faster counts)."""
    return {per_loop: lambda per_loop=per_loop: draw_variates(jax.random.key(1), steps, paths, exponential, dtype,
                                                              per_loop).block_until_ready()
            for per_loop in sorted({1, fused_segment(sample_every, dtype)})}


def stationary_block_run(params, paths, steps, dt, dtype, scheme, sample_every, sharding=None):
    """One block of the stationary estimator (fused driver, statistics and histogram included), as a
    zero-argument function."""
    from reflected_ou.box import default_box
    from reflected_ou.noise import complex_dtype
    from reflected_ou.stationary import _advance_block
    from reflected_ou.streaming import FixedBins

    box = default_box(params)
    bins_M1, bins_12 = FixedBins(float(box.y_M1_low), 0.0, 120), FixedBins(0.0, float(box.y_12_high), 120)
    coefficients = tuple(jnp.asarray(c, dtype) for c in params.limit_coefficients())
    state = jnp.full(paths, -params.beta / params.mu_M, complex_dtype(dtype))
    ids, key = jnp.arange(paths), jax.random.key(1)
    if sharding is not None:
        state, ids = jax.device_put(state, sharding), jax.device_put(ids, sharding)
    mesh = sharding.mesh if sharding is not None else None  # None: the first device alone

    def run():
        return _advance_block(key, coefficients, state, ids, 0, jnp.asarray(dt, dtype), steps, sample_every, scheme,
                              bins_M1, bins_12, mesh)[0].block_until_ready()

    return run


def stationary_block_rate(params, paths, steps, dt, dtype, scheme, sample_every, sharding=None):
    """Path-steps per second of one block of the stationary estimator."""
    return paths * steps / best_time(stationary_block_run(params, paths, steps, dt, dtype, scheme, sample_every,
                                                          sharding))


def diffrax_rate(params, paths, steps, dt, dtype, path="unsafe", sharding=None):
    """diffrax Euler on the same OU (no reflection).  ``path`` "unsafe": UnsafeBrownianPath with
    ForwardMode (diffrax's fastest fixed-step set-up); "tree": VirtualBrownianTree (its default)."""
    import diffrax

    beta, mu_1, mu_M = params.limit_coefficients()

    def solve(key):
        if path == "unsafe":
            brownian = diffrax.UnsafeBrownianPath(shape=(), key=key)
            adjoint = diffrax.ForwardMode()
        else:
            brownian = diffrax.VirtualBrownianTree(0.0, steps * dt, tol=dt / 2, shape=(), key=key)
            adjoint = diffrax.RecursiveCheckpointAdjoint()
        drift = diffrax.ODETerm(lambda t, y, args: jnp.stack(limit_drift(y[0], y[1], beta, mu_1, mu_M)))
        noise = diffrax.ControlTerm(lambda t, y, args: jnp.array([2.0**0.5, 0.0], dtype), brownian)
        solution = diffrax.diffeqsolve(diffrax.MultiTerm(drift, noise), diffrax.Euler(), t0=0.0, t1=steps * dt,
                                       dt0=dt, y0=jnp.array([-1.0, 0.0], dtype), saveat=diffrax.SaveAt(t1=True),
                                       max_steps=steps + 8, adjoint=adjoint)
        return solution.ys

    keys = jax.random.split(jax.random.key(0), paths)
    if sharding is not None:
        keys = jax.device_put(keys, sharding)
    seconds = []
    for options in ({}, SIMULATOR_COMPILER_OPTIONS):  # XLA's defaults, and our simulators' options: the faster
        run = jax.jit(jax.vmap(solve), compiler_options=options)
        seconds.append(best_time(lambda: run(keys).block_until_ready(), repeats=3))
    return paths * steps / min(seconds)


def all_cores_figures(args, params, dt, dtype):
    """Each side as one device and sharded over every host device (one per core); the best of each."""
    from jax.sharding import Mesh, NamedSharding, PartitionSpec

    shardings = {"one device": None,
                 "sharded": NamedSharding(Mesh(jax.devices(), ("replica",)), PartitionSpec("replica"))}
    sample_every = default_sample_every(params, dt)
    ours = {name: stationary_block_rate(params, args.replicas, args.steps, dt, dtype, "projected", sample_every, sharding)
            for name, sharding in shardings.items()}
    theirs = {name: diffrax_rate(params, args.diffrax_paths or args.replicas, args.steps, dt, dtype, "unsafe", sharding)
              for name, sharding in shardings.items()}
    return {"devices": len(jax.devices()), "ours": ours, "diffrax": theirs}


def run_all_cores(args):
    """all_cores_figures in a subprocess on every CPU, with one host device per core."""
    import subprocess

    cpus = ALL_CPUS or list(range(os.cpu_count() or 1))
    env = dict(os.environ, XLA_FLAGS=f"--xla_force_host_platform_device_count={len(cpus)}",
               OU_THROUGHPUT_CPUS=",".join(map(str, cpus)))
    command = [sys.executable, __file__, "--all-cores-child", "--replicas", str(args.replicas), "--steps", str(args.steps)]
    command += ["--float64"] if args.float64 else []
    command += ["--diffrax-paths", str(args.diffrax_paths)] if args.diffrax_paths else []
    output = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=4096)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--diffrax-paths", type=int, default=None, help="default: --paths")
    parser.add_argument("--float64", action="store_true")
    parser.add_argument("--all-cores-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    jax.config.update("jax_enable_x64", args.float64)
    dtype = jnp.float64 if args.float64 else jnp.float32
    params, dt = Params.paper_example(), 0.01
    if args.all_cores_child:
        print(json.dumps(all_cores_figures(args, params, dt, dtype)))
        return
    path_steps = args.replicas * args.steps
    figures = {"device": str(jax.devices()[0]), "cores": len(os.sched_getaffinity(0)) if ALL_CPUS else None, "dtype": jnp.dtype(dtype).name,
               "paths": args.replicas, "steps": args.steps, "compiler_options": SIMULATOR_COMPILER_OPTIONS}
    sample_every = default_sample_every(params, dt)  # the estimator's default at this dt
    runs = {}
    for scheme in ("projected", "lepingle"):
        runs[("paths", scheme)] = lambda scheme=scheme: simulate_paths(
            params, seed=1, dt=dt, horizon=args.steps * dt, replicas=args.replicas, save_every=args.steps, scheme=scheme,
            dtype=dtype).y_M1.block_until_ready()
        runs[("estimator", scheme)] = stationary_block_run(params, args.replicas, args.steps, dt, dtype, scheme,
                                                           sample_every)
    runs[("estimator", "projected, every 10")] = stationary_block_run(params, args.replicas, args.steps, dt, dtype,
                                                                      "projected", 10)
    for exponential in (False, True):
        for per_loop, run in floor_runs(args.steps, args.replicas, exponential, dtype, sample_every).items():
            runs[("floor", exponential, per_loop)] = run
    rates = {name: path_steps / seconds for name, seconds in race(runs).items()}
    paths_api = {scheme: rates[("paths", scheme)] for scheme in ("projected", "lepingle")}
    streaming = {scheme: rates[("estimator", scheme)] for scheme in ("projected", "lepingle")}
    floor_normals, floor_both = (max(rate for name, rate in rates.items() if name[:2] == ("floor", exponential))
                                 for exponential in (False, True))
    diffrax_paths = args.diffrax_paths or args.replicas
    diffrax = diffrax_rate(params, diffrax_paths, args.steps, dt, dtype, "unsafe")
    diffrax_tree = diffrax_rate(params, max(1, diffrax_paths // 64), args.steps, dt, dtype, "tree")
    print(f"one core; {'what':<48}{'path-steps/s':>14}")
    for name, rate in [("stationary estimator block, projected scheme", streaming["projected"]),
                       ("stationary estimator block, Lepingle scheme", streaming["lepingle"]),
                       ("simulate_paths (paths + U_1), projected scheme", paths_api["projected"]),
                       ("simulate_paths (paths + U_1), Lepingle scheme", paths_api["lepingle"]),
                       ("floor: normals alone", floor_normals),
                       ("floor: normals + Exp(1) (Lepingle's variates)", floor_both),
                       ("diffrax Euler, UnsafeBrownianPath (fastest)", diffrax),
                       ("diffrax Euler, VirtualBrownianTree (default)", diffrax_tree)]:
        print(f"{name:<58}{rate:>14.4g}")
    every_10 = rates[("estimator", "projected, every 10")]
    print(f"{'stationary estimator block, projected, statistics every 10 steps':<58}{every_10:>14.4g}")
    figures.update(
        sample_every=sample_every,
        steps_per_s=streaming["projected"],
        ratio_vs_floor=streaming["projected"] / floor_normals,
        sample_every_10_steps_per_s=every_10,
        sample_every_10_ratio_vs_floor=every_10 / floor_normals,
        ratio_vs_diffrax=streaming["projected"] / diffrax,
        lepingle_steps_per_s=streaming["lepingle"],
        lepingle_ratio_vs_its_floor=streaming["lepingle"] / floor_both,
        lepingle_ratio_vs_diffrax=streaming["lepingle"] / diffrax,
        paths_api_steps_per_s=paths_api["projected"],
        paths_api_ratio_vs_floor=paths_api["projected"] / floor_normals,
        paths_api_ratio_vs_diffrax=paths_api["projected"] / diffrax,
        paths_api_lepingle_ratio_vs_its_floor=paths_api["lepingle"] / floor_both,
        paths_api_lepingle_ratio_vs_diffrax=paths_api["lepingle"] / diffrax,
        floor_normals_per_s=floor_normals,
        floor_normals_exponentials_per_s=floor_both,
        diffrax_steps_per_s=diffrax,
        ratio_vs_diffrax_virtual_tree=streaming["projected"] / diffrax_tree,
    )
    shared = run_all_cores(args)
    best_ours, best_theirs = max(shared["ours"].values()), max(shared["diffrax"].values())
    print(f"all {shared['devices']} cores (as one device / sharded over one host device per core):")
    print(f"{'  stationary estimator block, projected scheme':<58}"
          f"{shared['ours']['one device']:>14.4g}{shared['ours']['sharded']:>14.4g}")
    print(f"{'  diffrax Euler, UnsafeBrownianPath':<58}"
          f"{shared['diffrax']['one device']:>14.4g}{shared['diffrax']['sharded']:>14.4g}")
    figures.update(all_cores_devices=shared["devices"], all_cores_steps_per_s=best_ours,
                   all_cores_diffrax_steps_per_s=best_theirs, all_cores_ratio_vs_diffrax=best_ours / best_theirs,
                   all_cores_detail=shared)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
