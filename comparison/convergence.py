"""(b) Stationary convergence of Y_M1^(n), Y_12^(n) to the diffusion (Corollary 3.5): mean errors and
Wasserstein-1 distances of the marginals, with fitted log-log slopes in n.

W_1(P, Q) = int |P(X > y) - Q(X > y)| dy, computed exactly on the CTMC's lattice k/sqrt(n) against the
reference's piecewise linear tail (``comparison.wasserstein``, the one W_1 of the package).
"""
from __future__ import annotations

import numpy as np

from .fit import loglog_slope
from .reference import DiffusionReference
from .runs import StudyRun
from .wasserstein import w1_lattice_to_tail


def lattice_tail(hist, y) -> np.ndarray:
    """P(Y > y) from a lattice histogram (bins centred on the lattice points): exact for any y."""
    centres = hist.axes[0].centres
    probabilities = hist.counts[1:-1] / hist.total
    above = hist.counts[-1] / hist.total
    return (probabilities[None, :] * (centres[None, :] > np.asarray(y)[:, None])).sum(axis=1) + above


def lattice_law(hist, root_n: float, name: str) -> np.ndarray:
    """P(k) on k = 0, 1, .. of sqrt(n) Y_12 ("Y_12", from the Y_12 histogram) or of the idle servers
    -sqrt(n) Y_M1 ("idle", from the Y_M1 histogram).  The mass outside the histogram's range is put on
    the first lattice point beyond it (the values are not kept; the range is chosen to make it negligible)."""
    k = np.rint(hist.axes[0].centres * root_n).astype(int)
    k = -k[::-1] if name == "idle" else k
    if k[0] != 0:
        raise ValueError(f"the {name} histogram's range must have an end at 0 (lattice point 0), got k from {k[0]}")
    counts = hist.counts / hist.total
    if name == "idle":
        inner, outside = counts[1:-1][::-1], counts[0]
    else:
        inner, outside = counts[1:-1], counts[-1]
    law = np.zeros(k[-1] + 2)
    law[k] = inner
    law[-1] = outside
    return law


def wasserstein(run: StudyRun, reference: DiffusionReference, name: str) -> float:
    """W_1 between the CTMC's stationary marginal and the diffusion's: "idle" (-Y_M1) or "Y_12"."""
    source = run.result.histograms["Y_12" if name == "Y_12" else "Y_M1"]
    root_n = run.system.sqrt_n
    return w1_lattice_to_tail(1.0 / root_n, lattice_law(source, root_n, name), reference.tail_curve(name))


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
