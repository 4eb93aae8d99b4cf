"""Stationary means of SA-JSQ at growing n against the diffusion limit, with the fast kernel.

E[Y_12^(n)] (fast-pool servers with a waiting job) and E[Y_M1^(n)] (idle slow servers), paper's
example, n = 10^2 .. 10^4.5, from ``ctmc.fast_sajsq.simulate_sajsq`` (R replicas, a burn-in, then time
averages over the uniformised chain, which equal the CTMC's time averages); standard errors from the
spread of the R independent replicas.  The limits: E[Y_M1] = -beta/mu_M exactly and E[Y_12] from the
grid solver.  Prints a table, the fitted log-log slopes of |error| in n, and a JSON line.

    python examples/sajsq_mean_convergence.py [--ns 100 316 1000 3162 10000 31623] [--horizon 100] [--replicas 4096]
"""
import argparse
import json
import math

import numpy as np

from ctmc import System
from ctmc.fast_sajsq import simulate_sajsq
from reflected_ou import Params
from reflected_ou.grid import solve_grid


def run(n, params, time, burn_in, replicas, seed):
    system = System.from_params(params, n)
    steps_per_unit = system.uniformisation_rate
    block = 4096
    burn = simulate_sajsq(system, seed=seed, replicas=replicas, blocks=max(1, math.ceil(burn_in * steps_per_unit / block)),
                          steps=block)
    measured = simulate_sajsq(system, seed=seed + 1, replicas=replicas,
                              blocks=max(1, math.ceil(time * steps_per_unit / block)), steps=block,
                              initial=burn.occupancy)
    means = measured.level_means  # (R, M, K): time averages of Q_{j,i}
    root = math.sqrt(n)
    y_12 = means[:, 0, 1] / root
    y_M1 = (means[:, -1, 0] - system.servers[-1]) / root
    se = lambda v: float(v.std(ddof=1) / math.sqrt(v.size))
    return {"n": n, "Y_12": float(y_12.mean()), "Y_12_se": se(y_12), "Y_M1": float(y_M1.mean()),
            "Y_M1_se": se(y_M1), "time_per_replica": measured.steps / steps_per_unit,
            "events": int(measured.events.sum() + burn.events.sum())}


def slope(ns, errors):
    ns, errors = np.asarray(ns, float), np.abs(np.asarray(errors, float))
    return float(np.polyfit(np.log(ns), np.log(errors), 1)[0])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ns", type=int, nargs="+", default=[100, 316, 1000, 3162, 10000, 31623])
    parser.add_argument("--horizon", type=float, default=100.0, help="time units per replica after burn-in")
    parser.add_argument("--burn-in", type=float, default=30.0)
    parser.add_argument("--replicas", type=int, default=4096)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    params = Params.paper_example()
    limit_12 = solve_grid(params, 0.025).moments["Y_12"]
    limit_M1 = -params.beta / params.mu_M
    rows = []
    print(f"limits: E[Y_12] = {limit_12:.6f} (grid), E[Y_M1] = {limit_M1:g} (exact)")
    print(f"{'n':>7} {'E[Y_12^(n)]':>22} {'error':>10} {'E[Y_M1^(n)]':>20} {'error':>9}")
    for n in args.ns:
        row = run(n, params, args.horizon, args.burn_in, args.replicas, args.seed)
        row["Y_12_error"], row["Y_M1_error"] = row["Y_12"] - limit_12, row["Y_M1"] - limit_M1
        rows.append(row)
        print(f"{n:>7} {row['Y_12']:>12.6f} +- {row['Y_12_se']:<7.1e} {row['Y_12_error']:>+10.2e} "
              f"{row['Y_M1']:>11.4f} +- {row['Y_M1_se']:<6.1e} {row['Y_M1_error']:>+9.3f}", flush=True)
    figures = {"limit_Y_12": limit_12, "limit_Y_M1": limit_M1, "rows": rows,
               "slope_Y_12_error": slope(args.ns, [r["Y_12_error"] for r in rows]),
               "slope_Y_M1_error": slope(args.ns, [r["Y_M1_error"] for r in rows])}
    print(f"log-log slopes of |error|: E[Y_12] {figures['slope_Y_12_error']:.3f}, "
          f"E[Y_M1] {figures['slope_Y_M1_error']:.3f}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
