"""Lindley steps per second of periodic_routing.simulate_waits against ciw's Cycle routing, same model, same run.

Model: Poisson arrivals at rate 1.6 dispatched round robin (Cycle) to 2 exponential queues with mu = 1
(p = (1, 1), k = 1): each queue is an E_2/M/1 queue at load 0.8.  A Lindley step is one job's waiting time
at one queue; for ciw it is one customer served at one of the two queues.  Both simulators are checked
against the GI/M/1 closed form E W = sigma/(mu (1 - sigma)), Var W = sigma (2 - sigma)/(mu (1 - sigma))^2,
sigma = (lam/(lam + mu (1 - sigma)))^2 (a queue sees Gamma(2, lam) gaps).

    python benchmarks/lindley_throughput.py [--horizon 262144] [--replicas 128] [--workers N] [--ciw-horizon 10000]

simulate_waits runs with its usual statistics (mean, variance, batch means) and, for the headline figure,
without the histogram/quantiles (hist_bins=0, as the earlier benchmark did); the same run with the
histogram and quantiles on is reported too.  The floor is the PRNG alone: the 3 uniforms per step that
the simulator draws (SFC64), on one thread.  The machine is shared: timings are best-of-N and every
figure is measured in this run; read the ratios.  Last line: one JSON object (steps_per_s,
ratio_vs_ciw, ciw_steps_per_s, accuracy figures, ...).
"""
import argparse
import importlib
import json
import math
import os
import sys
import time
from pathlib import Path

import numpy as np
from scipy import optimize

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from periodic_routing import service as sv  # noqa: E402
from periodic_routing.words import TypeWordPolicy  # noqa: E402

lindley_mod = importlib.import_module("periodic_routing.lindley")  # the package exports a function `lindley`
simulate_waits = lindley_mod.simulate_waits

LAM, MU = 1.6, 1.0


def exact_gim1(lam, mu):
    sigma = optimize.brentq(lambda s: s - (lam / (lam + mu * (1 - s))) ** 2, 1e-12, 1 - 1e-9, xtol=1e-15)
    return sigma / (mu * (1 - sigma)), sigma * (2 - sigma) / (mu * (1 - sigma)) ** 2


def time_simulate(repeats, seed0, **kw):
    """Best-of-``repeats`` steps/s of simulate_waits and the results of all runs (seeds seed0, seed0 + 1, ..)."""
    pol = TypeWordPolicy((0, 1), (1, 1))
    svc = [sv.exponential(MU)] * 2
    best, best_cpu, results = 0.0, 0.0, []
    for rep in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        r = simulate_waits(pol, svc, LAM, 1, seed=seed0 + rep, progress=False, **kw)
        dt, cpu = time.perf_counter() - t, time.process_time() - c
        steps = (r.horizon + r.burn_in) * 2 * r.replicas
        if steps / dt > best:
            best, best_cpu = steps / dt, cpu / dt
        results.append(r)
    return best, best_cpu, results


def prng_floor(seconds=0.4):
    """Steps/s if a step cost nothing but its 3 uniforms (SFC64 fills of 2^16 doubles, one thread)."""
    rng = np.random.Generator(np.random.SFC64(0))
    buf = np.empty(1 << 16)
    best = 0.0
    for _ in range(3):
        n, t = 0, time.perf_counter()
        while time.perf_counter() - t < seconds / 3:
            rng.random(out=buf)
            n += buf.size
        best = max(best, n / (time.perf_counter() - t))
    return best / 3


def run_ciw(horizon, seeds):
    import ciw

    best, waits = 0.0, []
    for seed in seeds:
        net = ciw.create_network(
            arrival_distributions=[ciw.dists.Exponential(rate=LAM), None, None],
            service_distributions=[ciw.dists.Deterministic(value=0.0), ciw.dists.Exponential(rate=MU),
                                   ciw.dists.Exponential(rate=MU)],
            number_of_servers=[float("inf"), 1, 1],
            routing=ciw.routing.NetworkRouting(routers=[ciw.routing.Cycle(cycle=[2, 3]), ciw.routing.Leave(),
                                                        ciw.routing.Leave()]),
        )
        ciw.seed(seed)
        sim = ciw.Simulation(net)
        t = time.perf_counter()
        sim.simulate_until_max_time(horizon)
        dt = time.perf_counter() - t
        recs = [rr for rr in sim.get_all_records() if rr.node in (2, 3)]
        best = max(best, len(recs) / dt)
        recs.sort(key=lambda rr: rr.arrival_date)
        w = np.array([rr.waiting_time for rr in recs if rr.arrival_date > 0.1 * horizon])
        nb = 20
        waits.append(w[: w.size // nb * nb].reshape(nb, -1).mean(axis=1))  # batch means over time
    bm = np.concatenate(waits)
    return best, float(bm.mean()), float(bm.std(ddof=1) / math.sqrt(bm.size)), ciw.__version__


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--horizon", type=int, default=1 << 18, help="jobs per lane after burn-in (burn-in adds 1/4)")
    ap.add_argument("--replicas", type=int, default=128, help="lanes per queue class (2 classes)")
    ap.add_argument("--workers", type=int, default=None, help="threads (default: one per available core)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--ciw-horizon", type=float, default=10000.0, help="simulated time of each of 2 ciw runs")
    args = ap.parse_args()

    exact_mean, exact_var = exact_gim1(LAM, MU)
    kw = dict(horizon=args.horizon, replicas=args.replicas, hist_bins=0, quantiles=(), workers=args.workers)
    n_workers = args.workers or lindley_mod._available_cores()
    out = {"model": "Poisson(1.6) -> Cycle -> 2 x exp(mu=1) queues (E2/M/1, load 0.8)", "workers": n_workers,
           "cores": os.cpu_count(), "load_avg_1min": os.getloadavg()[0]}

    best, cpu_wall, runs = time_simulate(args.repeats, 0, **kw)
    best1, _, runs1 = time_simulate(2, 10, **{**kw, "workers": 1})
    best_h, _, runs_h = time_simulate(1, 20, **{**kw, "hist_bins": 4000, "quantiles": (0.5, 0.9, 0.99)})
    floor = prng_floor()
    allr = runs + runs1 + runs_h  # independent seeds: pool them for the accuracy check
    sim_mean = float(np.mean([r.mean for r in allr]))
    sim_se = float(math.sqrt(sum(r.mean_stderr ** 2 for r in allr)) / len(allr))
    sim_var = float(np.mean([r.variance for r in allr]))
    sim_var_se = float(math.sqrt(sum(r.variance_stderr ** 2 for r in allr)) / len(allr))
    steps = (runs[0].horizon + runs[0].burn_in) * 2 * runs[0].replicas
    out.update({"steps_per_s": best, "steps_per_run": steps, "histograms": False, "cpu_per_wall": cpu_wall,
                "steps_per_s_1_thread": best1, "steps_per_s_with_hist": best_h, "prng_floor_steps_per_s": floor,
                "exact_mean_wait": exact_mean, "sim_mean_wait": sim_mean, "sim_stderr": sim_se,
                "sim_z": (sim_mean - exact_mean) / sim_se, "exact_var_wait": exact_var, "sim_var_wait": sim_var,
                "sim_var_stderr": sim_var_se, "sim_var_z": (sim_var - exact_var) / sim_var_se})

    try:
        ciw_rate, ciw_mean, ciw_se, ciw_version = run_ciw(args.ciw_horizon, seeds=(0, 1))
    except ImportError:  # pragma: no cover
        ciw_rate = None
    if ciw_rate is not None:
        out.update({"ciw_version": ciw_version, "ciw_steps_per_s": ciw_rate, "ratio_vs_ciw": best / ciw_rate,
                    "ciw_mean_wait": ciw_mean, "ciw_stderr": ciw_se, "ciw_z": (ciw_mean - exact_mean) / ciw_se})

    print(f"E2/M/1 at load 0.8 (Poisson {LAM} split by Cycle over 2 exp(mu={MU}) queues); "
          f"exact E W = {exact_mean:.5f}, Var W = {exact_var:.4f}")
    print(f"machine: {os.cpu_count()} cores, 1-min load average {out['load_avg_1min']:.2f} (shared: read the ratios)")
    rows = [("simulate_waits, %d thread(s), no histogram" % n_workers, best),
            ("simulate_waits, 1 thread, no histogram", best1),
            ("simulate_waits, %d thread(s), histogram + 3 quantiles" % n_workers, best_h),
            ("floor: 3 SFC64 uniforms per step, 1 thread", floor)]
    if ciw_rate is not None:
        rows.append((f"ciw {ciw_version} Cycle routing (customers at the queues)", ciw_rate))
    print(f"{'':56s} {'steps/s':>10s} {'x ciw':>9s}")
    for name, rate in rows:
        ratio = f"{rate / ciw_rate:9.0f}" if ciw_rate else ""
        print(f"{name:56s} {rate:10.3g} {ratio}")
    print(f"simulate_waits accuracy ({len(allr)} runs pooled): E W = {sim_mean:.5f} +- {sim_se:.5f} "
          f"(z = {out['sim_z']:+.2f}), Var W = {sim_var:.4f} +- {sim_var_se:.4f} (z = {out['sim_var_z']:+.2f})")
    if ciw_rate is not None:
        print(f"ciw accuracy: E W = {ciw_mean:.4f} +- {ciw_se:.4f} (z = {out['ciw_z']:+.2f})")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
