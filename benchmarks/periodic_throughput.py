"""Lindley throughput of periodic_routing.simulate_waits against ciw on the same 2-queue model.

Model: Poisson arrivals at rate 1.6 dispatched round robin (Cycle) to 2 exponential queues with mu = 1
(p = (1, 1), k = 1: each queue is an E_2/M/1 queue at load 0.8).  A Lindley step is one job's waiting
time at one queue.  Also checks both simulators against the GI/M/1 closed form E W = sigma/(mu(1 - sigma)),
sigma = (lam/(lam + mu(1 - sigma)))^2 (a queue sees Gamma(2, lam) gaps).  Ends with one JSON line (keys steps_per_s, ratio_vs_ciw, ...)."""
import json
import sys
import time
from pathlib import Path

import numpy as np
from scipy import optimize

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from periodic_routing import service as sv  # noqa: E402
from periodic_routing.lindley import simulate_waits  # noqa: E402
from periodic_routing.words import TypeWordPolicy  # noqa: E402

LAM, MU = 1.6, 1.0
sigma = optimize.brentq(lambda s: s - (LAM / (LAM + MU * (1 - s))) ** 2, 1e-12, 1 - 1e-6, xtol=1e-15)
exact = sigma / (MU * (1 - sigma))
pol = TypeWordPolicy((0, 1), (1, 1))
svc = [sv.exponential(MU)] * 2
out = {"exact_mean_wait": exact}
best = 0.0
for rep in range(3):  # best of 3 (the machine is shared)
    t = time.perf_counter()
    r = simulate_waits(pol, svc, LAM, 1, n_jobs=1 << 18, replicas=128, seed=rep, hist_bins=0, quantiles=(),
                       progress=False)
    dt = time.perf_counter() - t
    steps = (r.n_jobs + r.burn_in) * 2 * r.replicas
    best = max(best, steps / dt)
out["steps_per_s"] = best
out["sim_mean_wait"], out["sim_stderr"] = r.mean, r.mean_stderr
print(f"periodic_routing: {best:.3g} Lindley steps/s; E W = {r.mean:.5f} +- {r.mean_stderr:.1g} (exact {exact:.5f})")

try:
    import ciw
except ImportError:  # pragma: no cover
    ciw = None
if ciw is not None:
    net = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=LAM), None, None],
        service_distributions=[ciw.dists.Deterministic(value=0.0), ciw.dists.Exponential(rate=MU),
                               ciw.dists.Exponential(rate=MU)],
        number_of_servers=[float("inf"), 1, 1],
        routing=ciw.routing.NetworkRouting(routers=[ciw.routing.Cycle(cycle=[2, 3]), ciw.routing.Leave(),
                                                    ciw.routing.Leave()]),
    )
    ciw.seed(0)
    sim = ciw.Simulation(net)
    horizon = 20000.0
    t = time.perf_counter()
    sim.simulate_until_max_time(horizon)
    dt = time.perf_counter() - t
    recs = [rr for rr in sim.get_all_records() if rr.node in (2, 3)]
    waits = np.array([rr.waiting_time for rr in recs if rr.arrival_date > 0.1 * horizon])
    out["ciw_steps_per_s"] = len(recs) / dt
    out["ciw_mean_wait"] = float(waits.mean())
    out["ratio_vs_ciw"] = best / out["ciw_steps_per_s"]
    print(f"ciw {ciw.__version__}: {out['ciw_steps_per_s']:.3g} customers/s at the queues; E W = {waits.mean():.4f}")
print(json.dumps(out))
