"""(b) with the fast SA-JSQ kernel: stationary means and marginal laws of Y_12^(n), Y_M1^(n) against the
diffusion (Corollary 3.5) for n up to 10^5 and beyond, with noise floors and fitted log-log slopes.

Per n (``ctmc.fast_marginals.stationary_sajsq``: R replicas, burn-in, horizon):

* E[Y_12^(n)] and E[Y_M1^(n)] from the exact running sums (time averages), standard errors from the
  spread over replicas; E[Y_M1^(n)] also through Lemma 6.1 part 1, sum_k mu_k E[Q_k1] = L, i.e.
  E[Y_M1^(n)] = ((L - sum_{k<M} mu_k E[Q_k1]) / mu_M - N_M) / sqrt(n), whose noise comes only from the
  small fast-pool idle counts (3.11);
* W_1 of Y_12^(n) and of -Y_M1^(n) (idle servers of pool M) against the reference tails, exact on the
  lattice (``comparison.wasserstein``), with the bootstrap spread and noise floor over batches of
  replicas;
* the mean of Y_12^(n) recomputed from the snapshot histogram (a check that the snapshots and the
  running sums see the same law);
* beta_n = (sum_j mu_j N_j - L) / sqrt(n), the spare capacity of the n-th system in diffusion units: it
  is beta exactly when gamma_j n are integers, and differs from it by O(n^(-1/2)) when N_j = round(gamma_j n)
  (A2).  The limit's mean moves with it (E[Y_M1] = -beta/mu_M), so ``err_Y_M1_lemma_beta_n`` =
  E[Y_M1^(n)] + beta_n / mu_M separates the rounding of the pool sizes from the rest of the error; in
  the same way ``err_Y_12_beta_n`` = E[Y_12^(n)] - E[Y_12](beta_n), the limit's mean at beta_n from the
  grid (the drift (3.9)-(3.10) depends on beta, mu_1 and mu_M only).

Slopes of log |quantity| against log n are fitted over all n and over the *resolved* n only (mean errors
beyond two standard errors, W_1 beyond floor + 2 spread), since points at the noise floor only measure
the noise.
"""
from __future__ import annotations

import math
import time
from dataclasses import replace

import numpy as np

from ctmc import System
from ctmc.fast_marginals import FastStationary, stationary_sajsq
from reflected_ou.params import Params

from .fit import loglog_slope
from .mc_reference import monte_carlo_tail
from .reference import DiffusionReference, grid_tail_curve
from .runs import near_stationary_start
from .wasserstein import bootstrap_w1, w1_tail_to_tail

#: Reference names of the two marginals (``DiffusionReference.tail_curve``) and the row keys they fill.
W1_KEYS = {"Y_12": "W1_Y_12", "idle": "W1_Y_M1"}


def build_reference(params: Params, *, grid_delta: float = 0.025, mc_dt: float = 0.005, mc_horizon: float = 4000.0,
                    mc_paths: int = 4096, seed: int = 0, progress: bool = False) -> tuple[DiffusionReference, dict]:
    """The reference and a report of its own errors.

    Y_M1: the grid at ``grid_delta`` (Richardson with grid_delta/2); its W_1 error is bounded by the W_1
    distance to the grid at 2 grid_delta (the coarser grid's error, an overestimate of the finer one's).
    Y_12: the Monte Carlo tail at ``mc_dt`` (``comparison.mc_reference``: why, and the parts of its
    error), checked against a second run at 2 mc_dt (independent seed) and against the grid's E[Y_12].
    """
    reference = DiffusionReference.solve(params, grid_delta)
    coarse = DiffusionReference.solve(params, 2 * grid_delta)
    tails = {dt: monte_carlo_tail(params, dt=dt, horizon=mc_horizon, paths=mc_paths, seed=seed + k, progress=progress)
             for k, dt in enumerate((mc_dt, 2 * mc_dt))}
    fine = tails[mc_dt]
    report = {
        "grid_delta": grid_delta, "E_Y_12_grid": reference.mean_Y_12, "E_Y_M1": reference.mean_Y_M1,
        "E_Y_12_grid_2delta": coarse.mean_Y_12,
        "W1_idle_grid_vs_2delta": w1_tail_to_tail(grid_tail_curve(reference.grid, "idle"),
                                                  grid_tail_curve(coarse.grid, "idle")),
        "mc": {str(dt): {"dt": dt, "horizon": t.horizon, "paths": t.paths, "bin_width": t.bin_width,
                         "high": float(t.curve.knots[-1]), "E_Y_12": t.mean, "se_E_Y_12": t.mean_stderr,
                         "E_Y_12_curve": t.curve.integral(), "errors": t.errors()} for dt, t in tails.items()},
        "W1_Y_12_mc_dt_vs_2dt": w1_tail_to_tail(fine.curve, tails[2 * mc_dt].curve),
    }
    return DiffusionReference(params, reference.grid, {"Y_12": fine.curve}), report


def _mean_and_stderr(values: np.ndarray) -> tuple[float, float]:
    return float(values.mean()), float(values.std(ddof=1) / math.sqrt(values.size))


def lemma_6_1_Y_M1(result: FastStationary) -> np.ndarray:
    """Per-replica E[Y_M1^(n)] through Lemma 6.1 part 1 (module docstring)."""
    system, busy = result.system, result.run.busy_means  # (R, M) time averages of Q_{j,1}
    served_fast = busy[:, :-1] @ np.asarray(system.speeds[:-1])
    busy_slow = (system.arrival_rate - served_fast) / system.speeds[-1]
    return (busy_slow - system.servers[-1]) / system.sqrt_n


def mean_Y_12_at(params: Params, beta: float, delta: float) -> float:
    """E[Y_12] of the limit with spare capacity ``beta`` (grid at ``delta``, Richardson)."""
    return DiffusionReference.solve(replace(params, beta=beta), delta).mean_Y_12


def convergence_row(result: FastStationary, reference, *, draws: int = 200, seed: int = 0) -> dict:
    """One row of the table from a finished run; ``reference`` a ``DiffusionReference``."""
    means = result.scaled_means()
    row = {"n": result.system.n, "horizon": result.horizon, "replicas": int(means["Y_12"].size),
           "events": result.events}
    for name, limit in (("Y_12", reference.mean_Y_12), ("Y_M1", reference.mean_Y_M1)):
        value, stderr = _mean_and_stderr(means[name])
        row.update({f"E_{name}": value, f"se_{name}": stderr, f"err_{name}": value - limit})
    value, stderr = _mean_and_stderr(lemma_6_1_Y_M1(result))
    system = result.system
    beta_n = (system.capacity - system.arrival_rate) / system.sqrt_n
    row.update({"E_Y_M1_lemma": value, "se_Y_M1_lemma": stderr, "err_Y_M1_lemma": value - reference.mean_Y_M1,
                "beta_n": beta_n, "err_Y_M1_lemma_beta_n": value + beta_n / system.speeds[-1],
                "se_Y_M1_lemma_beta_n": stderr})
    limit_at_beta_n = (reference.mean_Y_12 if math.isclose(beta_n, reference.params.beta, rel_tol=1e-12)
                       else mean_Y_12_at(reference.params, beta_n, reference.grid.coarse.delta))
    row.update({"E_Y_12_limit_beta_n": limit_at_beta_n, "err_Y_12_beta_n": row["E_Y_12"] - limit_at_beta_n,
                "se_Y_12_beta_n": row["se_Y_12"]})
    marginals = result.marginals
    lattice = marginals.counts["Y_12"].probabilities()
    row["E_Y_12_snapshots"] = float(marginals.lattice_step * np.dot(np.arange(lattice.size), lattice))
    for name, key in W1_KEYS.items():
        estimate = bootstrap_w1(marginals.lattice_step, marginals.counts[name].counts, reference.tail_curve(name),
                                draws=draws, seed=seed)
        row.update({key: estimate.value, f"{key}_spread": estimate.spread, f"{key}_floor": estimate.floor,
                    f"{key}_resolved": estimate.resolved})
    return row


def run_row(params: Params, n: int, reference, *, seed: int, replicas: int, burn_in: float, horizon: float,
            threads: int = 2, batches: int = 64, draws: int = 200) -> dict:
    """Simulate the n-th system from near its stationary mean and return its row (with wall seconds)."""
    system = System.from_params(params, n)
    start = time.perf_counter()
    result = stationary_sajsq(system, seed=seed, replicas=replicas, burn_in=burn_in, horizon=horizon,
                              threads=threads, batches=batches, initial=near_stationary_start(system, params))
    seconds = time.perf_counter() - start
    row = convergence_row(result, reference, draws=draws, seed=seed)
    row["seconds"] = seconds
    return row


def _resolved_mean_error(row: dict, name: str) -> bool:
    return abs(row[f"err_{name}"]) > 2 * row[f"se_{name}"]


def slopes(rows: list[dict]) -> dict:
    """Log-log slopes in n over all rows and over the resolved rows (module docstring)."""
    ns = [r["n"] for r in rows]
    out = {}
    for name in ("Y_12", "Y_12_beta_n", "Y_M1", "Y_M1_lemma", "Y_M1_lemma_beta_n"):
        key = f"err_{name}"
        keep = [_resolved_mean_error(r, name) for r in rows]
        out[key] = loglog_slope(ns, [r[key] for r in rows])
        out[f"{key}_resolved"] = loglog_slope([n for n, k in zip(ns, keep) if k], [r[key] for r, k in zip(rows, keep) if k])
    for key in W1_KEYS.values():
        keep = [r[f"{key}_resolved"] for r in rows]
        out[key] = loglog_slope(ns, [r[key] for r in rows])
        out[f"{key}_resolved"] = loglog_slope([n for n, k in zip(ns, keep) if k], [r[key] for r, k in zip(rows, keep) if k])
    return out
