"""Throughput of the occupancy-CTMC simulator (SA-JSQ, paper example) against ciw.

Two kernels of ours, same chain: the specialised SA-JSQ kernel ``ctmc/fast_sajsq.py`` (int32 state
replicas-last, closed-form routing, one fused per-replica loop with the threefry hash inline, int32
running sums of every Q_{j,i} every step; replicas split over two Python threads, one per core), and
the general kernel ``ctmc.simulate.run_block`` (any policy, float64, all observables) for reference.
Headline figures (``events_per_s``, ratios) are the fast kernel's; ``general_*`` keys are the general
kernel's, measured in the same run.

Ours: events (real arrivals and departures, self-loops of the uniformisation not counted) per
second of wall time, all replicas together, at n = 1e2, 1e4, 1e6, after compilation, from a
near-stationary start.  ciw: the same n-server model (n = 10 and 100) as a network with a
dispatcher node routing by a custom SA-JSQ router (shortest queue, ties to the fastest pool, then
random) to n single-server nodes, a fixed number of customers; events = 2 per customer (arrival,
departure), as for ours.  Timing is informative only (shared machine); never a pass/fail test.
Last line: one JSON object.
"""
from __future__ import annotations

import json
import math
import sys
import time

import jax
import jax.numpy as jnp

jax.config.update("jax_enable_x64", True)

from ctmc import System  # noqa: E402
from ctmc.policies import SAJSQ, SystemArrays  # noqa: E402
from ctmc.fast_sajsq import run_sajsq_threads  # noqa: E402
from ctmc.simulate import run_block  # noqa: E402
from reflected_ou.params import Params  # noqa: E402

PARAMS = Params.paper_example()


def ours(n: int, replicas: int = 256, steps: int = 4096, blocks: int = 4) -> dict:
    system = System.from_params(PARAMS, n)
    arrays = SystemArrays.of(system)
    q = jnp.zeros((replicas, system.pools, 4), jnp.int32)
    start = jnp.asarray(system.servers, jnp.int32).at[-1].add(-min(system.servers[-1], round(3.2 * math.sqrt(n))))
    q = q.at[:, :, 0].set(start)
    args = (SAJSQ(), steps, steps // 8, arrays, jnp.asarray(system.uniformisation_rate), jax.random.key(0))
    ids = jnp.arange(replicas)
    out = run_block(*args, 0, ids, q)
    jax.block_until_ready(out)
    events, t0 = 0, time.perf_counter()
    for block in range(1, blocks + 1):
        out = run_block(*args, block, ids, out[0])
        jax.block_until_ready(out)
        events += int(out[3].sum())
    seconds = time.perf_counter() - t0
    assert not bool(out[4].any()), "overflow in the benchmark run"
    return {"n": n, "events": events, "seconds": seconds, "events_per_s": events / seconds,
            "steps_per_s": replicas * steps * blocks / seconds}


def near_stationary(system: System, n: int, replicas: int, levels: int = 4):
    """(M, K, R): all servers busy except 3.2 sqrt(n) idle in the slowest pool (the colleague's start)."""
    q = jnp.zeros((system.pools, levels, replicas), jnp.int32)
    start = jnp.asarray(system.servers, jnp.int32).at[-1].add(-min(system.servers[-1], round(3.2 * math.sqrt(n))))
    return q.at[:, 0, :].set(start[:, None])


def fast(n: int, replicas: int = 32768, steps: int = 1024, blocks: int = 3, threads: int = 2,
         snapshots: bool = False) -> dict:
    """With ``snapshots``: Q_{1,2} and Q_{M,1} recorded every sub-block and copied to the host, as
    ``ctmc.fast_marginals`` does."""
    system = System.from_params(PARAMS, n)
    args = (jax.random.key(0), 0, jnp.arange(replicas), jnp.asarray(system.speeds, jnp.float32),
            system.arrival_rate, system.uniformisation_rate)
    static = dict(servers=system.servers, steps=steps, sub_steps=128, threads=threads,
                  snapshot_of=((1, 2), (system.pools, 1)) if snapshots else ())
    out = run_sajsq_threads(near_stationary(system, n, replicas), *args, **static)  # compile + burn-in
    events, overflow, t0 = 0, False, time.perf_counter()
    for block in range(1, blocks + 1):
        out = run_sajsq_threads(out.occupancy, args[0], block, *args[2:], **static)
        events += int(out.events.sum())
        overflow |= bool(out.overflow.any())
        if snapshots:
            jax.device_get(out.snapshots)
    seconds = time.perf_counter() - t0
    assert not overflow, "overflow in the benchmark run"
    return {"n": n, "events": events, "seconds": seconds, "events_per_s": events / seconds,
            "steps_per_s": replicas * steps * blocks / seconds}


def snapshot_cost(n: int = 10_000, pairs: int = 3) -> float:
    """Events/s with snapshots over events/s without, best of ``pairs`` alternating runs each (the
    best run is the one least disturbed by other load on the machine)."""
    plain, taken = [], []
    for _ in range(pairs):  # each fast() call compiles and burns in untimed first
        plain.append(fast(n, steps=4096)["events_per_s"])
        taken.append(fast(n, steps=4096, snapshots=True)["events_per_s"])
    return max(taken) / max(plain)


def ciw_rate(n: int, customers: int, seed: int = 0) -> dict:
    import ciw

    system = System.from_params(PARAMS, n)
    pools = [j for j, size in enumerate(system.servers) for _ in range(size)]
    destinations = list(range(2, n + 2))  # node 1 dispatches; nodes 2..n+1 are the servers, fastest first

    class SAJSQRouter(ciw.routing.NodeRouting):
        def next_node(self, ind):
            best, ties, pool = None, [], None
            for index in destinations:
                size = self.simulation.nodes[index].number_of_individuals
                if best is None or size < best:
                    best, ties, pool = size, [index], pools[index - 2]
                elif size == best and pools[index - 2] == pool:
                    ties.append(index)
            return self.simulation.nodes[ciw.random_choice(ties)]

    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(system.arrival_rate)] + [None] * n,
        service_distributions=[ciw.dists.Deterministic(0.0)]
        + [ciw.dists.Exponential(system.speeds[p]) for p in pools],
        number_of_servers=[float("inf")] + [1] * n,
        routing=ciw.routing.NetworkRouting([SAJSQRouter()] + [ciw.routing.Leave() for _ in range(n)]),
    )
    ciw.seed(seed)
    simulation = ciw.Simulation(network)
    t0 = time.perf_counter()
    simulation.simulate_until_max_customers(customers, method="Finish")
    seconds = time.perf_counter() - t0
    return {"n": n, "customers": customers, "seconds": seconds, "events_per_s": 2 * customers / seconds}


def main() -> int:
    sizes = (100, 10_000, 1_000_000)
    # the fast kernel first: the general kernel's XLA worker threads keep a core busy for a while after
    fast(100, blocks=2)  # warm-up (the first timed run of a process is ~30% slow)
    quick = {n: fast(n) for n in sizes}
    single = fast(100, threads=1)
    fast10 = fast(10)
    snapshots_ratio = snapshot_cost()
    general = {n: ours(n) for n in sizes}
    ciw10, ciw100 = ciw_rate(10, 4000), ciw_rate(100, 2000)
    for label, table in (("fast", quick), ("general", general)):
        for n, r in table.items():
            print(f"{label:>8} n={n:>8}: {r['events_per_s']:.3e} events/s "
                  f"({r['events']} events in {r['seconds']:.2f} s)")
    print(f"{'ciw n=10':>19}: {ciw10['events_per_s']:.3e} events/s; n=100: {ciw100['events_per_s']:.3e} events/s")
    ours10 = ours(10)
    rate = {n: quick[n]["events_per_s"] for n in sizes}
    summary = {
        "events_per_s": rate[100],
        "events_per_s_n1e4": rate[10_000],
        "events_per_s_n1e6": rate[1_000_000],
        "events_per_s_min": min(rate.values()),
        "events_per_s_one_thread": single["events_per_s"],
        "ciw_events_per_s_n10": ciw10["events_per_s"],
        "ciw_events_per_s_n100": ciw100["events_per_s"],
        "ratio_vs_ciw": rate[100] / ciw100["events_per_s"],
        "ratio_vs_ciw_n10": fast10["events_per_s"] / ciw10["events_per_s"],
        "ratio_vs_ciw_n100": rate[100] / ciw100["events_per_s"],
        # time per event at n = 1e6 over time per event at n = 1e2 (target <= 2)
        "ratio_n_1e6_vs_1e2": rate[100] / rate[1_000_000],
        "general_events_per_s": general[100]["events_per_s"],
        "general_events_per_s_n1e4": general[10_000]["events_per_s"],
        "general_events_per_s_n1e6": general[1_000_000]["events_per_s"],
        "general_ratio_vs_ciw": general[100]["events_per_s"] / ciw100["events_per_s"],
        "general_ratio_vs_ciw_n10": ours10["events_per_s"] / ciw10["events_per_s"],
        "general_ratio_n_1e6_vs_1e2": general[100]["events_per_s"] / general[1_000_000]["events_per_s"],
        "speedup_fast_vs_general": rate[100] / general[100]["events_per_s"],
        # events/s with the (Q_12, Q_M1) snapshots of ctmc.fast_marginals over without (n = 1e4)
        "snapshots_ratio": snapshots_ratio,
    }
    print(f"fast: {summary['events_per_s']:.3e} events/s at n=100 "
          f"({summary['speedup_fast_vs_general']:.1f}x the general kernel), {summary['ratio_vs_ciw']:.0f}x ciw "
          f"at n=100 ({summary['ratio_vs_ciw_n10']:.0f}x at n=10); "
          f"per-event time n=1e6 / n=1e2 = {summary['ratio_n_1e6_vs_1e2']:.2f}; with snapshots "
          f"{summary['snapshots_ratio']:.3f}x the events/s")
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
