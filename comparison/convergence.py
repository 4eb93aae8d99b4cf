"""(b) Stationary convergence of Y_M1^(n), Y_12^(n) to the diffusion (Corollary 3.5): mean errors and
Wasserstein-1 distances of the marginals, with fitted log-log slopes in n.

W_1(P, Q) = int |P(X > y) - Q(X > y)| dy; the CTMC tail is exact on its lattice k/sqrt(n), the
diffusion's is the grid solver's (Richardson-extrapolated).
"""
from __future__ import annotations

import numpy as np

from .fit import loglog_slope
from .reference import DiffusionReference
from .runs import StudyRun

#: Integration range (diffusion units) of the Wasserstein distances.
W1_RANGE = {"idle": 12.0, "Y_12": 4.0}


def lattice_tail(hist, y) -> np.ndarray:
    """P(Y > y) from a lattice histogram (bins centred on the lattice points): exact for any y."""
    centres = hist.axes[0].centres
    probabilities = hist.counts[1:-1] / hist.total
    above = hist.counts[-1] / hist.total
    return (probabilities[None, :] * (centres[None, :] > np.asarray(y)[:, None])).sum(axis=1) + above


def wasserstein(run: StudyRun, reference: DiffusionReference, name: str, points: int = 4001) -> float:
    """W_1 between the CTMC's stationary marginal and the diffusion's: "idle" (-Y_M1) or "Y_12"."""
    y = np.linspace(0.0, W1_RANGE[name], points)
    if name == "Y_12":
        ctmc_tail = lattice_tail(run.result.histograms["Y_12"], y)
    else:  # P(-Y_M1 > y) = P(Y_M1 < -y) = 1 - P(Y_M1 > -y - 0) on the lattice
        hist = run.result.histograms["Y_M1"]
        centres = hist.axes[0].centres
        probabilities = hist.counts[1:-1] / hist.total
        ctmc_tail = (probabilities[None, :] * (centres[None, :] < -y[:, None])).sum(axis=1) + hist.counts[0] / hist.total
    gap = np.abs(ctmc_tail - reference.tail(name, y))
    return float(np.sum((gap[1:] + gap[:-1]) / 2 * np.diff(y)))


def mean_Y_M1_via_lemma_6_1(run: StudyRun) -> tuple[float, float]:
    """E[Y_M1^(n)] from Lemma 6.1 part 1, sum_k mu_k E[Q_k1] = n lambda (exact at every n):

        mu_M E[Y_M1] = (n lambda - sum_k mu_k N_k)/sqrt(n) - sum_{k<M} mu_k E[Y_k1],

    an estimator whose error comes only from the small fast-pool idle counts (3.11)."""
    system = run.system
    root_n = system.sqrt_n
    mu = system.speeds
    coefficients = {f"Q_{k}_1": -mu[k - 1] / (mu[-1] * root_n) for k in range(1, system.pools)}
    value, err = run.result.estimate(coefficients) if coefficients else (0.0, 0.0)
    constant = (system.arrival_rate - system.capacity) / (mu[-1] * root_n)
    constant += sum(mu[k] * system.servers[k] for k in range(system.pools - 1)) / (mu[-1] * root_n)
    return value + constant, err


def convergence_table(runs: list[StudyRun], reference: DiffusionReference) -> dict:
    """Rows per n and slopes: E[Y_M1^(n)], E[Y_12^(n)] (+- s.e.), errors, W_1 of both marginals."""
    rows = []
    for run in runs:
        m1, e1 = run.result.scaled_mean(run.system.pools, 1)
        m12, e12 = run.result.scaled_mean(1, 2)
        via, via_se = mean_Y_M1_via_lemma_6_1(run)
        rows.append({
            "n": run.n, "E_Y_M1_lemma": via, "se_Y_M1_lemma": via_se, "err_Y_M1_lemma": via - reference.mean_Y_M1,
            "E_Y_M1": m1, "se_Y_M1": e1, "err_Y_M1": m1 - reference.mean_Y_M1,
            "E_Y_12": m12, "se_Y_12": e12, "err_Y_12": m12 - reference.mean_Y_12,
            "W1_Y_M1": wasserstein(run, reference, "idle"), "W1_Y_12": wasserstein(run, reference, "Y_12"),
        })
    ns = [r["n"] for r in rows]
    slopes = {key: loglog_slope(ns, [r[key] for r in rows]) for key in ("err_Y_M1", "err_Y_M1_lemma", "err_Y_12", "W1_Y_M1", "W1_Y_12")}
    return {"reference": {"E_Y_M1": reference.mean_Y_M1, "E_Y_12": reference.mean_Y_12}, "rows": rows,
            "slopes": slopes}
