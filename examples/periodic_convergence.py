"""Periodic routing (paper 003) in four panels: Theorem 3 for p = (3, 2) with exponential and deterministic
service, Theorem 2 (Kolmogorov distance against k), and the price of randomisation over loads.

    python examples/periodic_convergence.py [OUT.png]      (about 20 s; default periodic_convergence.png)
"""
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from periodic_routing import (BernoulliPolicy, balanced_policy, bernoulli_limit, class_policies,  # noqa: E402
                              limit_cdf, mean_wait_limit, necklace, price_of_information, service, simulate_waits)

P, LAM, KS = (3, 2), 2.0, (1, 2, 4, 8, 16, 32, 64)
out = sys.argv[1] if len(sys.argv) > 1 else "periodic_convergence.png"
fig, axes = plt.subplots(2, 2, figsize=(11, 8))
for ax, (name, svc) in zip(axes[0], (("exponential", [service.exponential(3.0), service.exponential(1.0)]),
                                     ("deterministic", [service.deterministic(3.0), service.deterministic(1.0)]))):
    lim = mean_wait_limit(P, svc, LAM).mean
    reps = {}
    for pol in class_policies(P):
        reps.setdefault(necklace(pol.word), pol)
    for pol in reps.values():
        rs = [simulate_waits(pol, svc, LAM, k, horizon=1 << 15, replicas=8, seed=100 + k, hist_bins=0, quantiles=(),
                             progress=False) for k in KS]
        ax.errorbar(KS, [r.mean for r in rs], yerr=[3 * r.mean_stderr for r in rs], marker="o", ms=4, capsize=2,
                    label=f"word {pol.label()} (+4 rotations)")
    b = [simulate_waits(BernoulliPolicy((0.6, 0.4)), svc, LAM, k, horizon=1 << 15, replicas=8, seed=200 + k,
                        hist_bins=0, quantiles=(), progress=False) for k in KS]
    ax.errorbar(KS, [r.mean for r in b], yerr=[3 * r.mean_stderr for r in b], marker="s", ms=4, capsize=2,
                color="gray", label="Bernoulli q = (0.6, 0.4)")
    ax.axhline(bernoulli_limit(P, svc, LAM).mean, color="gray", ls=":", label="M/GI/1 (Pollaczek-Khinchine)")
    ax.axhline(lim, color="k", ls="--", label=f"E W(p) = {lim:.4f} (2.8)")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("k (queues per type)")
    ax.set_ylabel(r"$E\,W^{(k)}$ (bars: 3 s.e.)")
    ax.set_title(f"Theorem 3, p = (3, 2), mu = (3, 1), lambda = 2, {name} service", fontsize=9)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3, which="both")

svc = [service.exponential(3.0), service.exponential(1.0)]
F = limit_cdf(P, svc, LAM)
d = [simulate_waits(balanced_policy(P), svc, LAM, k, horizon=1 << 16, replicas=8, seed=21, hist_bins=2000,
                    quantiles=(), progress=False).ks_distance(F) for k in KS]
ax = axes[1, 0]
ax.loglog(KS, d, "o-", label="sup_x |F_k(x) - F(x)|, balanced word")
ax.loglog(KS, d[0] / np.asarray(KS, float), "k:", label="1/k")
ax.set_xlabel("k")
ax.set_ylabel("Kolmogorov distance to W(p)")
ax.set_title("Theorem 2: W^(k) -> W(p) in distribution (exponential service)", fontsize=9)
ax.legend(fontsize=8)
ax.grid(alpha=0.3, which="both")

tab = price_of_information([4.0, 2.0, 1.0], np.linspace(0.1, 0.95, 12), pool_sizes=[1, 2, 4])
ax = axes[1, 1]
ax.semilogy(tab.loads, tab.bernoulli, "s-", label="optimal Bernoulli")
ax.semilogy(tab.loads, tab.periodic, "o-", label="optimal periodic (limit)")
ax2 = ax.twinx()
ax2.plot(tab.loads, tab.price_of_randomisation, "k--", label="ratio")
ax2.set_yscale("log")
ax2.set_ylabel("price of randomisation (Bernoulli / periodic)")
ax.set_xlabel("load")
ax.set_ylabel("optimal mean wait")
ax.set_title("mu = (4, 2, 1), pools (1, 2, 4), exponential service", fontsize=9)
ax.legend(fontsize=8, loc="upper left")
ax2.legend(fontsize=8, loc="lower right")
ax.grid(alpha=0.3, which="both")
fig.tight_layout()
fig.savefig(out, dpi=110)
print(f"wrote {out}; Kolmogorov distances {dict(zip(KS, np.round(d, 5)))}")
