"""Weak-order table of the two reflection schemes: error of E[Y_12] against the grid reference as h
halves (homogeneous JSQ, beta = 1, by default).

    python benchmarks/weak_order.py [--steps 0.2 0.1 0.05 0.025] [--horizon 5000] [--replicas 1024]

Last line: JSON with the errors, standard errors and successive ratios per scheme.
"""
import argparse
import json

import jax
import numpy as np

from reflected_ou import Params
from reflected_ou.grid import solve_grid
from reflected_ou.stationary import estimate_stationary


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=float, nargs="+", default=[0.2, 0.1, 0.05, 0.025])
    parser.add_argument("--horizon", type=float, default=5000.0)
    parser.add_argument("--replicas", type=int, default=1024)
    parser.add_argument("--beta", type=float, default=1.0)
    parser.add_argument("--paper-example", action="store_true", help="use the paper's example instead of JSQ")
    args = parser.parse_args()
    jax.config.update("jax_enable_x64", True)
    params = Params.paper_example() if args.paper_example else Params.homogeneous(args.beta)
    reference = solve_grid(params, 0.05).moments["Y_12"]
    print(f"grid reference E[Y_12] = {reference:.6f}")
    figures = {"params": params.as_dict(), "reference": reference}
    print(f"{'scheme':<11}{'h':>8}{'error':>12}{'s.e.':>10}{'ratio':>8}")
    for scheme in ("lepingle", "projected"):
        errors, stderrs = [], []
        for h in args.steps:
            run = estimate_stationary(params, seed=21, dt=h, burn_in=20, horizon=args.horizon, replicas=args.replicas,
                                      scheme=scheme, dtype="float32", block_steps=int(round(10 / h)), progress=False)
            errors.append(run.mean["Y_12"] - reference)
            stderrs.append(run.stderr["Y_12"])
            ratio = errors[-2] / errors[-1] if len(errors) > 1 else float("nan")
            print(f"{scheme:<11}{h:>8g}{errors[-1]:>12.5f}{stderrs[-1]:>10.5f}{ratio:>8.2f}", flush=True)
        figures[scheme] = {"h": args.steps, "error": errors, "stderr": stderrs,
                           "ratios": list(np.array(errors[:-1]) / np.array(errors[1:]))}
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
