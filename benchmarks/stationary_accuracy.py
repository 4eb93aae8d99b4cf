"""Long-run accuracy of the stationary estimator: exact identities and E[Y_12] against the grid, for
the paper's example and homogeneous JSQ (beta = 1).

    python benchmarks/stationary_accuracy.py [--horizon 4000] [--replicas 1024] [--dt 0.005]

Last line: JSON with, per case, the identity errors and standard errors and the relative error of
E[Y_12] with its standard error.
"""
import argparse
import json

import jax

from reflected_ou import Params
from reflected_ou.grid import solve_grid
from reflected_ou.stationary import estimate_stationary


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--horizon", type=float, default=4000.0)
    parser.add_argument("--replicas", type=int, default=1024)
    parser.add_argument("--dt", type=float, default=0.005)
    args = parser.parse_args()
    jax.config.update("jax_enable_x64", True)
    figures = {}
    for name, params in (("paper_example", Params.paper_example()), ("jsq_beta_1", Params.homogeneous(1.0))):
        grid = solve_grid(params, 0.05)
        run = estimate_stationary(params, seed=101, dt=args.dt, burn_in=50, horizon=args.horizon, replicas=args.replicas,
                                  dtype="float32", progress=True)
        reference = grid.moments["Y_12"]
        case = {
            "grid_Y_12": reference,
            "mc_Y_12": run.mean["Y_12"],
            "mc_Y_12_stderr": run.stderr["Y_12"],
            "relative_error_Y_12": (run.mean["Y_12"] - reference) / reference,
            "relative_stderr_Y_12": run.stderr["Y_12"] / reference,
            "identities": [{"name": n, "estimate": e, "stderr": s, "exact": x, "z": (e - x) / s}
                           for n, e, s, x in run.identities()],
            "grid_truncation_mass": grid.truncation_mass,
        }
        figures[name] = case
        print(f"{name}: E[Y_12] MC {run.mean['Y_12']:.6f} +- {run.stderr['Y_12']:.6f}, grid {reference:.6f}, "
              f"relative error {case['relative_error_Y_12']:+.4f} (s.e. {case['relative_stderr_Y_12']:.4f})")
        for row in case["identities"]:
            print(f"  {row['name']:<38} {row['estimate']:+.6f} +- {row['stderr']:.6f} (exact {row['exact']:+g}, "
                  f"z = {row['z']:+.2f})")
    figures.update(dt=args.dt, horizon=args.horizon, replicas=args.replicas)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
