"""(e) Theorem 3.6 and Proposition 7.1 at finite n: the stationary number of jobs and the tails
P(Y_+1^(n) > y), P(Y_+2^(n) > y) of (3.15) under SA-JSQ, the other policies and the modified system
of Section 7.1 (a lower bound for every admissible policy at every n).

Policies that violate a necessary stability condition at the given n are reported as unstable
(E[jobs] = inf).  Speed-proportional random routing makes the servers independent M/M/1 queues of
load rho = L / sum_k mu_k N_k, so its law is exact: total jobs ~ NegativeBinomial(n, 1 - rho),
E[jobs] = n rho / (1 - rho); it is reported from that formula (its relaxation time, of order
1/(mu_M (1 - sqrt(rho))^2), is too long to simulate near rho = 1).
"""
from __future__ import annotations

import math

import numpy as np
from scipy import stats

from ctmc import System, make_policy
from reflected_ou.params import Params

from .convergence import lattice_tail
from .runs import RunPlan, run_policy

POLICIES = ("sa-jsq", "jsq", "sed", "power-of-2", "jiq", "random", "speed-random", "modified")
#: Tail grid (diffusion units) of the Theorem 3.6 plot.
TAIL_Y = {"Y_+1": np.linspace(-6.0, 8.0, 141), "Y_+2": np.linspace(0.0, 4.0, 81)}
HIST_RANGES = {"Y_M1": (-10.0, 0.0), "Y_12": (0.0, 6.0), "Y_+1": (-12.0, 40.0), "Y_+2": (0.0, 40.0)}


def speed_random_exact(system: System) -> dict:
    rho = system.load
    n = system.n
    y = TAIL_Y["Y_+1"]
    threshold = np.floor(n + y * math.sqrt(n))  # P(total > n + y sqrt(n)) = P(total > floor(.))
    return {"E_jobs": n * rho / (1 - rho), "se_jobs": 0.0, "exact": True,
            "tail_Y_+1": stats.nbinom.sf(threshold, n, 1 - rho).tolist(), "tail_Y_+2": None}


def batch_jobs(result) -> np.ndarray:
    """Per-(replica, batch) time averages of the number of jobs (for paired comparisons)."""
    names = [k for k in result.stats.names if k.startswith("jobs_")]
    columns = [result.stats.names.index(k) for k in names]
    return result.stats.sums[..., columns].sum(-1) / result.stats.weights


def paired_gap(a: dict, b: dict) -> tuple[float, float]:
    """E_b[jobs] - E_a[jobs] and its standard error from paired batch means.

    Runs with the same seed and plan use the same uniforms replica by replica and block by block
    (common random numbers); the differences of the (replica, batch) means are then the batch means
    of the difference process, so their spread gives a valid (and much smaller) standard error."""
    d = (np.asarray(b["batch_jobs"]) - np.asarray(a["batch_jobs"])).ravel()
    return float(d.mean()), float(d.std(ddof=1) / math.sqrt(d.size))


def policy_row(params: Params, n: int, name: str, plan: RunPlan, *, seed: int, progress: bool = False) -> dict:
    system = System.from_params(params, n)
    policy = make_policy(name)
    row = {"n": n, "policy": policy.label}
    reason = policy.stability_violation(system)
    if reason is not None:
        return {**row, "stable": False, "reason": reason, "E_jobs": math.inf, "se_jobs": 0.0}
    if name == "speed-random":
        return {**row, "stable": True, **speed_random_exact(system)}
    run = run_policy(params, n, policy, plan, seed=seed, hist_ranges=HIST_RANGES, progress=progress)
    jobs, se = run.result.jobs()
    (y1, e1), (y2, e2) = run.result.y_plus_means()
    outside = max(run.result.histograms[k].outside_mass() for k in ("Y_+1", "Y_+2"))
    return {**row, "stable": True, "exact": False, "E_jobs": jobs, "se_jobs": se, "E_Y_+1": y1, "se_Y_+1": e1,
            "E_Y_+2": y2, "se_Y_+2": e2, "levels": run.result.levels, "hist_outside_mass": outside,
            "batch_jobs": batch_jobs(run.result).tolist(),
            "tail_Y_+1": lattice_tail(run.result.histograms["Y_+1"], TAIL_Y["Y_+1"]).tolist(),
            "tail_Y_+2": lattice_tail(run.result.histograms["Y_+2"], TAIL_Y["Y_+2"]).tolist()}


def policy_table(params: Params, n: int, plan: RunPlan, *, seed: int, policies=POLICIES, progress=False) -> dict:
    """Rows per policy at one n, and the orderings SA-JSQ < others and modified < all (with z-scores)."""
    rows = [policy_row(params, n, name, plan, seed=seed, progress=progress) for name in policies]
    by = {r["policy"]: r for r in rows}
    checks = []

    def compare(low, high):
        a, b = by.get(low), by.get(high)
        if a is None or b is None or not b["stable"]:
            if b is not None and not b["stable"]:
                checks.append({"lower": low, "higher": high, "holds": True, "z": math.inf, "note": "unstable"})
            return
        if "batch_jobs" in a and "batch_jobs" in b:
            gap, se = paired_gap(a, b)
        else:  # an exact value on one side
            gap, se = b["E_jobs"] - a["E_jobs"], math.hypot(a["se_jobs"], b["se_jobs"])
        checks.append({"lower": low, "higher": high, "holds": gap > 0, "gap": gap, "se": se,
                       "z": gap / se if se > 0 else math.inf})

    for other in ("jsq", "power-of-2", "jiq", "random", "speed-random"):
        compare("sa-jsq", other)
    for other in by:
        if other != "modified":
            compare("modified", other)
    sed = by.get("sed")
    if sed is not None and "sa-jsq" in by and sed["stable"]:
        gap, se = paired_gap(by["sa-jsq"], sed)
        checks.append({"lower": "sa-jsq", "higher": "sed", "holds": gap > 0, "gap": gap, "se": se,
                       "note": "reported, not required"})
    return {"n": n, "rows": rows, "checks": checks}
