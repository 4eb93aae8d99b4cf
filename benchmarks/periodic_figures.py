"""Figures for paper 003 (periodic routing): every number the issue's "What it must show" asks for.

Run:  python benchmarks/periodic_figures.py            (about a minute on 2 cores)
The settings mirror tests/periodic_routing (same seeds and sizes), with k extended to 64.
Ends with one JSON line of figures."""
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the checkout, ahead of a stale editable finder

from periodic_routing import (BernoulliPolicy, TypeWordPolicy, arrivals, balanced_policy, class_policies,
                              simulate_waits)
from periodic_routing import dgi1 as D
from periodic_routing import limit as L
from periodic_routing import optimise as O
from periodic_routing import service as sv
from periodic_routing.information import price_of_information
from periodic_routing.words import necklace

t_start = time.perf_counter()
fig = {}

# 1. single queues ----------------------------------------------------------------------------------
F_MEAN, F_VAR, F_COND = 0.23860673, 0.21600433, 0.57194007
dm1 = D.dm1(2.0, 3.0)
sp = D.spitzer_gamma(2.0, 1.0, 1 / 3)
fig["dm1_closed_err"] = [dm1.mean - F_MEAN, dm1.variance - F_VAR, dm1.cond_mean - F_COND]
fig["dm1_spitzer_err"] = [sp.mean - F_MEAN, sp.variance - F_VAR, sp.cond_mean - F_COND]
print(f"D/M/1 lambda=2 mu=3: E W = {dm1.mean:.12f} Var W = {dm1.variance:.12f} E[W|W>0] = {dm1.cond_mean:.12f}")
print(f"  errors vs Finch (closed form): {fig['dm1_closed_err']}")
print(f"  errors vs Finch (Spitzer, {sp.terms} terms): {fig['dm1_spitzer_err']}")
lam, mu = 2.0, 3.0
rho = lam / mu
mm1, md1 = D.mgi1(lam, sv.exponential(mu)), D.mgi1(lam, sv.deterministic(mu))
fig["pk_err"] = {
    "mm1_mean": mm1.mean - rho / (mu - lam), "mm1_var": mm1.variance - rho * (2 - rho) / (mu - lam) ** 2,
    "md1_mean": md1.mean - rho / (2 * mu * (1 - rho)),
    "md1_var": md1.variance - (rho / (3 * mu**2 * (1 - rho)) + rho**2 / (4 * mu**2 * (1 - rho) ** 2))}
print("PK errors:", fig["pk_err"])


def single(law, arr, seed, **kw):
    return simulate_waits(TypeWordPolicy((0,), (1,)), [law], 2.0, 1, arrivals=arr, horizon=1 << 17, replicas=8,
                          seed=seed, progress=False, **kw)


z = {}
s = single(sv.exponential(3.0), arrivals.deterministic(), 11, quantiles=(0.9,))
q90 = math.log(dm1.prob_wait / 0.1) / (3.0 * (1 - dm1.prob_wait))
z["dm1"] = {"mean": (s.mean - dm1.mean) / s.mean_stderr, "var": (s.variance - dm1.variance) / s.variance_stderr,
            "q90": (s.quantiles[0.9][0] - q90) / s.quantiles[0.9][1],
            "mean_rel_se": s.mean_stderr / dm1.mean}
for name, law, ref, seed in (("mm1", sv.exponential(3.0), mm1, 5), ("md1", sv.deterministic(3.0), md1, 5)):
    s = single(law, arrivals.poisson(), seed, quantiles=(), hist_bins=0)
    z[name] = {"mean": (s.mean - ref.mean) / s.mean_stderr, "var": (s.variance - ref.variance) / s.variance_stderr,
               "mean_rel_se": s.mean_stderr / ref.mean}
hx = sv.hyperexponential([0.4, 0.6], [0.8, 3.0])
lat = D.dgi1(1.0, hx)
s = simulate_waits(TypeWordPolicy((0,), (1,)), [hx], 1.0, 1, arrivals=arrivals.deterministic(), horizon=1 << 17,
                   replicas=8, seed=3, quantiles=(), hist_bins=0, progress=False)
z["d_h2_1_lattice"] = {"mean": (s.mean - lat.mean) / s.mean_stderr, "lattice_mean": lat.mean,
                       "lattice_err": lat.error}
er = {}
for kk, lm in ((2, 0.6), (3, 0.8), (5, 0.9)):
    ex, la = D.dgi1(lm, sv.erlang(kk, 1.0)), D.lattice_dgi1(lm, sv.erlang(kk, 1.0))
    er[f"E{kk}@{lm}"] = {"spitzer": ex.mean, "lattice": la.mean, "diff": la.mean - ex.mean, "lattice_err": la.error}
fig["lindley_z"] = z
fig["erlang_spitzer_vs_lattice"] = er
print("Lindley z-scores:", json.dumps(z))
print("D/E_k/1 Spitzer vs lattice:", json.dumps(er))

# 2. Theorem 3 ---------------------------------------------------------------------------------------
P, LAM, KS = (3, 2), 2.0, (1, 2, 4, 8, 16, 32, 64)
LAWS = {"exp": [sv.exponential(3.0), sv.exponential(1.0)], "det": [sv.deterministic(3.0), sv.deterministic(1.0)]}
fig["theorem3"] = {}
for name, svc in LAWS.items():
    lim = L.mean_wait_limit(P, svc, LAM)
    pk = L.bernoulli_limit(P, svc, LAM)
    print(f"\nTheorem 3, service {name}: E W(p) = {lim.mean:.6f}, Var W(p) = {lim.variance:.6f}, "
          f"Bernoulli (PK) = {pk.mean:.6f}")
    print(f"{'k':>4} {'min_pi EW^(k)':>14} {'max_pi EW^(k)':>14} {'s.e.':>8} {'spread':>9} {'paired se':>9} "
          f"{'by necklace 11122 / 11212':>28} {'Bernoulli sim':>14} {'s.e.':>7}")
    rows = []
    for k in KS:
        res = [simulate_waits(pol, svc, LAM, k, horizon=1 << (17 if k == 1 else 15), replicas=8, seed=100 + k,
                              hist_bins=0, quantiles=(), progress=False) for pol in class_policies(P)]
        means = np.array([r.mean for r in res])
        hi, lo = int(means.argmax()), int(means.argmin())
        d = res[hi].batch_means - res[lo].batch_means
        neck = {}
        for pol, r in zip(class_policies(P), res):
            neck.setdefault(necklace(pol.word), r.mean)
        b = simulate_waits(BernoulliPolicy(np.asarray(P) / 5), svc, LAM, k, horizon=1 << 15, replicas=8,
                           seed=200 + k, hist_bins=0, quantiles=(), progress=False)
        row = {"k": k, "min": means.min(), "max": means.max(), "se": max(r.mean_stderr for r in res),
               "spread": means.max() - means.min(), "spread_se": d.std(ddof=1) / math.sqrt(d.size),
               "necklaces": {"".join(str(x + 1) for x in key): v for key, v in neck.items()},
               "bernoulli": b.mean, "bernoulli_se": b.mean_stderr, "gap": means.mean() - lim.mean}
        rows.append(row)
        nk = " / ".join(f"{v:.5f}" for v in row["necklaces"].values())
        print(f"{k:4d} {row['min']:14.6f} {row['max']:14.6f} {row['se']:8.2g} {row['spread']:9.5f} "
              f"{row['spread_se']:9.2g} {nk:>28} {b.mean:14.6f} {b.mean_stderr:7.2g}")
    fig["theorem3"][name] = {"limit": lim.mean, "limit_var": lim.variance, "bernoulli_pk": pk.mean, "rows": rows}

# 3. Theorem 2: Kolmogorov distance -----------------------------------------------------------------
F = L.limit_cdf(P, LAWS["exp"], LAM)
pol = balanced_policy(P)
ks_d, pw, var = {}, {}, {}
for k in (1, 2, 4, 8, 16, 32, 64):
    r = simulate_waits(pol, LAWS["exp"], LAM, k, horizon=1 << 16, replicas=8, seed=21, hist_bins=2000, quantiles=(),
                       progress=False)
    ks_d[k] = r.ks_distance(F)
    var[k] = (r.variance, r.variance_stderr)
    rd = simulate_waits(pol, LAWS["det"], LAM, k, horizon=1 << 15, replicas=8, seed=22, hist_bins=200, quantiles=(),
                        progress=False)
    pw[k] = 1.0 - rd.cdf[0]
Fe = L.limit_cdf(P, [sv.erlang(2, 3.0), sv.erlang(2, 1.0)], LAM)
fig["ks_erlang2"] = {k: simulate_waits(pol, [sv.erlang(2, 3.0), sv.erlang(2, 1.0)], LAM, k, horizon=1 << 15, replicas=8,
                                       seed=23, hist_bins=1000, quantiles=(), progress=False).ks_distance(Fe)
                     for k in (1, 2, 4, 8, 16, 32)}
print("Theorem 2, Erlang-2 service (lattice limit CDF):", {k: round(v, 5) for k, v in fig["ks_erlang2"].items()})
case3 = {}
for k in (1, 4, 32):
    r = simulate_waits(pol, LAWS["exp"], LAM, k, arrivals=arrivals.deterministic(), horizon=1 << 15, replicas=8,
                       seed=30 + k, hist_bins=0, quantiles=(), progress=False)
    case3[k] = (r.mean, r.mean_stderr)
fig["case3_exp"] = case3
print("Case 3 (deterministic arrivals), exp service, balanced word: E W^(k) =",
      {k: f"{m:.5f}+-{e:.2g}" for k, (m, e) in case3.items()}, f"(limit {fig['theorem3']['exp']['limit']:.5f})")
fig["ks_exp"] = ks_d
fig["ks_det_prob_wait"] = pw
fig["var_exp"] = var
print("\nTheorem 2: Kolmogorov distance to W(p), exp service:", {k: round(v, 5) for k, v in ks_d.items()})
print("           det service (W(p) = 0, distance = P(W^(k) > 0)):", {k: round(v, 5) for k, v in pw.items()})
print(f"(3.9): Var W(p) = {fig['theorem3']['exp']['limit_var']:.5f}; Var W^(k):",
      {k: f"{v[0]:.4f}+-{v[1]:.2g}" for k, v in var.items()})

# 4. convexity -----------------------------------------------------------------------------------------
MU = np.array([4.0, 2.0, 1.0])
conv = {}
for law in ("exp", "erlang:3"):
    services = [sv.from_spec(law, m) for m in MU]
    rng = np.random.default_rng(5)
    worst, n = np.inf, 0
    while n < 200:
        x, y = rng.dirichlet(np.ones(3)), rng.dirichlet(np.ones(3))
        if np.any(4.5 * x >= 0.98 * MU) or np.any(4.5 * y >= 0.98 * MU):
            continue
        fx, fy = L.mean_wait_limit(x, services, 4.5).mean, L.mean_wait_limit(y, services, 4.5).mean
        for t in (0.1, 0.3, 0.5, 0.7, 0.9):
            worst = min(worst, t * fx + (1 - t) * fy - L.mean_wait_limit(t * x + (1 - t) * y, services, 4.5).mean)
        n += 1
    conv[law] = {"segments": n, "min_chord_minus_f": worst}
fig["convexity"] = conv
print("\nconvexity (min over random segments of chord - E W(p); >= 0 means convex):", conv)

# 5. optimisation --------------------------------------------------------------------------------------
opt = {}
for law in ("exp", "erlang:3", "det"):
    for objective in ("wait", "response"):
        services = [sv.from_spec(law, m) for m in (3.0, 1.0)]
        ratio, per, ber = O.price_of_randomisation(services, 2.0, objective=objective)
        best = O.best_integer_p(services, 2.0, 12, objective=objective)
        opt[f"{law}/{objective}"] = {"p_opt": per.fractions.tolist(), "value": per.value, "p_int": best.p,
                                     "value_int": best.value, "q_bernoulli": ber.fractions.tolist(),
                                     "value_bernoulli": ber.value, "price_of_randomisation": ratio}
        print(f"mu=(3,1) L=2 {law:9s} {objective:8s}: periodic p={np.round(per.fractions, 6)} value={per.value:.6g}; "
              f"integer p={best.p} value={best.value:.6g}; Bernoulli q={np.round(ber.fractions, 6)} "
              f"value={ber.value:.6g}; ratio={ratio:.4g}")
sq = {}
for mu_, lm in (((3.0, 1.0), 2.0), ((4.0, 2.0, 1.0, 0.5), 3.0), ((5.0, 1.0, 0.2), 5.5)):
    res = O.optimise_bernoulli([sv.exponential(m) for m in mu_], lm, objective="response")
    sq[str(mu_)] = float(np.max(np.abs(res.fractions * lm - O.sqrt_rule(mu_, lm))))
fig["optimisation"] = opt
fig["sqrt_rule_max_abs_err_rates"] = sq
print("square-root rule, max |lambda_i(optimiser) - lambda_i(closed form)|:", sq)
tab = price_of_information([4.0, 2.0, 1.0], [0.3, 0.5, 0.7, 0.9, 0.95], pool_sizes=[1, 2, 4])
print(tab.table())
fig["price_of_information"] = {"loads": tab.loads.tolist(), "periodic": tab.periodic.tolist(),
                               "bernoulli": tab.bernoulli.tolist()}
fig["seconds"] = time.perf_counter() - t_start


def _clean(o):
    if isinstance(o, dict):
        return {str(k): _clean(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [_clean(v) for v in o]
    if isinstance(o, (np.floating, np.integer)):
        return o.item()
    return o


print(json.dumps(_clean(fig)))
