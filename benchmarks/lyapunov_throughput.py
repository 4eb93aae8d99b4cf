"""Throughput of f* (6.60) with its gradient and Hessian on 10^6 points of Omega (vectorised numpy).

Points are drawn uniformly in a box covering Omega_1, Omega_2 and Omega_3 for the paper's example
(beta = 2, mu = (20/8, 5/8), kappa = 1.2 beta/mu_1).  Best of ``--repeats`` runs; the last line is JSON
with ``points_per_s`` and ``seconds_per_million``.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

# Run from a checkout: the repository root first on sys.path (the editable install registered fluid/ and
# lyapunov/ as namespace packages when they were still empty, so their __init__ would not run otherwise).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lyapunov import f_star, f_star_derivatives, f_star_with_derivatives
from fluid import classify  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    params = dict(beta=2.0, mu_1=20 / 8, mu_M=5 / 8, kappa=1.2 * 2.0 / (20 / 8), n=1)
    rng = np.random.default_rng(0)
    x = np.stack([-10.0 * rng.random(args.points), 14.0 * rng.random(args.points)], -1)
    counts = np.bincount(classify(x, **params), minlength=4)[1:]
    print(f"{args.points} points; per region Omega_1/2/3: {counts.tolist()}")

    def timed(fun):
        best = np.inf
        for _ in range(args.repeats):
            start = time.perf_counter()
            fun()
            best = min(best, time.perf_counter() - start)
        return best

    combined = timed(lambda: f_star_with_derivatives(x, **params))
    separate = timed(lambda: (f_star(x, **params), f_star_derivatives(x, **params)))
    print(f"f_star_with_derivatives (one classification, one root solve): {combined:.3f} s")
    print(f"f_star + f_star_derivatives (two public calls):                 {separate:.3f} s")
    best = min(combined, separate)
    print(json.dumps({
        "benchmark": "lyapunov_throughput",
        "points": args.points,
        "seconds_per_million": best * 1e6 / args.points,
        "points_per_s": args.points / best,
        "seconds_two_calls": separate,
        "seconds_combined": combined,
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
    }))


if __name__ == "__main__":
    main()
