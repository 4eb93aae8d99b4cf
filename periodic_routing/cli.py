"""``reflected-ou periodic``: optimal periodic routing to non-observable queues (paper 003).

L (``--arrival-rate``) is the arrival rate per group of R queues, one of each type (the paper's
normalisation): with k groups the dispatcher sees L k and a type-r queue receives L p_r/||p||.
"""
from __future__ import annotations

import json
import math


from . import arrivals as _arrivals
from .lindley import simulate_waits
from .limit import bernoulli_limit, mean_wait_limit
from .optimise import best_integer_p, optimise_bernoulli, optimise_periodic
from .service import from_spec
from ._checks import integer_vector
from .words import balanced_policy, class_policies, necklace, type_words

DESCRIPTION = (
    "Optimal static routing to R types of non-observable FCFS queues (Anselmi, Gaujal, Nesti). Prints the "
    "limit E W(p) of the periodic class C_p^(k) (independent D/GI/1 queues, (2.8)) at the optimal continuous "
    "fractions p and at the best integer p with ||p|| <= --period, the optimal Bernoulli routing (M/GI/1), "
    "the price of randomisation, and a Lindley-simulation check of the balanced word of C_p^(k) at --k "
    "queues per type.  --arrival-rate is the rate per group of R queues (one of each type)."
)


def register(subparsers) -> None:
    parser = subparsers.add_parser("periodic", help="optimal periodic vs Bernoulli routing (paper 003)",
                                   description=DESCRIPTION)
    parser.add_argument("--mu", type=float, nargs="+", required=True, metavar="MU",
                        help="service rate of each queue type, MU_1 .. MU_R")
    parser.add_argument("--arrival-rate", type=float, required=True, metavar="L",
                        help="arrival rate per group of R queues (a type-r queue receives L p_r/||p||)")
    parser.add_argument("--service", default="exp", help="service law: exp, det or erlang:K (default exp)")
    parser.add_argument("--arrivals", default="poisson",
                        help="dispatcher arrivals for the simulation check: poisson (Case 2, default), det (Case 3) "
                             "or erlang:M (Case 1)")
    parser.add_argument("--objective", choices=("wait", "response"), default="wait",
                        help="minimise the mean waiting time before service (default) or the mean response time")
    parser.add_argument("--period", type=int, default=12, metavar="P", help="largest period ||p|| searched (default 12)")
    parser.add_argument("--p", type=int, nargs="+", metavar="P",
                        help="integer p (one entry per type) for the simulation check and the plot "
                             "(default: the best integer p)")
    parser.add_argument("--k", type=int, default=64, help="queues per type k (k groups of R queues) in the simulation check (default 64)")
    parser.add_argument("--horizon", type=int, default=1 << 16, metavar="JOBS",
                        help="jobs per simulated lane after the burn-in (default 65536)")
    parser.add_argument("--burn-in", type=int, default=None, metavar="JOBS",
                        help="jobs discarded per lane before the horizon (default horizon / 4)")
    parser.add_argument("--replicas", type=int, default=8, help="independent lanes per queue class (default 8)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--json", metavar="PATH",
                        help="write JSON: p_opt (optimal fractions per type for --objective), mean_wait_opt (E W(p) "
                             "there), p_bernoulli_opt, mean_wait_bernoulli_opt, objective_opt, "
                             "objective_bernoulli_opt, price_of_randomisation, p_int_opt, mean_wait_int_opt, simulation")
    parser.add_argument("--plot", metavar="PATH",
                        help="plot E W^(k) against k for several policies of C_p^(k) (PNG)")
    parser.add_argument("--no-progress", action="store_true", help="hide progress bars")
    parser.set_defaults(func=run)


def _used(p):
    """Types with p_r > 0 (a C_p^(k) word needs p in Z_+^R) and the reduced p."""
    idx = [r for r, x in enumerate(p) if x > 0]
    return idx, tuple(p[r] for r in idx)


def convergence_study(p, services, arrival_rate, ks=(1, 2, 4, 8, 16, 32), *, max_policies=6, horizon=1 << 14,
                      seed=0, progress=False):
    """E W^(k) (with stderr) for up to ``max_policies`` policies of C_p^(k) (the balanced word first) at each k."""
    idx, pr = _used(p)
    svc = [services[r] for r in idx]
    bal = balanced_policy(pr)
    # rotations of a type word give the same stationary W^(k) (the random phase V): one word per necklace
    reps = {}
    for q in [bal] + class_policies(pr):
        reps.setdefault(necklace(q.word), q)
    distinct = list(reps.values())
    step = max(1, (len(distinct) - 1) // max(1, max_policies - 1))
    chosen = [distinct[0]] + distinct[1::step][:max_policies - 1]
    out = {}
    for pol in chosen:
        out[pol.label()] = [simulate_waits(pol, svc, arrival_rate, k, horizon=horizon, replicas=4, seed=seed,
                                           hist_bins=0, quantiles=(), progress=progress) for k in ks]
    return chosen, out


def _plot(path, p, services, arrival_rate, limit_value, bernoulli_value, seed, progress):
    from matplotlib.figure import Figure  # no pyplot: no global state

    from rou_common.output import save_figure

    ks = (1, 2, 4, 8, 16, 32)
    chosen, res = convergence_study(p, services, arrival_rate, ks, seed=seed, progress=progress)
    fig = Figure(figsize=(6.4, 4.6))
    ax = fig.subplots()
    for pol in chosen:
        rs = res[pol.label()]
        n_rot = sum(1 for w in type_words(pol.p) if necklace(w) == necklace(pol.word))
        ax.errorbar(ks, [r.mean for r in rs], yerr=[3 * r.mean_stderr for r in rs], marker="o", ms=4, capsize=2,
                    label=f"word {pol.label()} and its rotations ({n_rot} policies)")
    ax.axhline(limit_value, color="k", ls="--", label=f"limit E W(p) = {limit_value:.4g} (2.8)")
    if bernoulli_value is not None:
        ax.axhline(bernoulli_value, color="gray", ls=":", label=f"Bernoulli, same p: {bernoulli_value:.4g}")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("k (queues per type)")
    ax.set_ylabel(r"$E\,W^{(k)}(\pi)$ (error bars: 3 s.e.)")
    ax.set_title(f"Policies of C_p^(k), p = {tuple(p)}: convergence to E W(p) (Theorem 3)", fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    save_figure(fig, path, dpi=120)


def run(args) -> int:
    services = [from_spec(args.service, m) for m in args.mu]
    arr = _arrivals.from_spec(args.arrivals)
    lam = float(args.arrival_rate)
    progress = not args.no_progress
    per = optimise_periodic(services, lam, objective=args.objective)
    ber = optimise_bernoulli(services, lam, objective=args.objective)
    best = best_integer_p(services, lam, args.period, objective=args.objective)
    ratio = math.inf if per.value == 0 else ber.value / per.value
    what = "E W" if args.objective == "wait" else "E[response]"
    extra = (lambda v: "") if args.objective == "wait" else (lambda v: f", {what} = {v:.10g}")  # noqa: E731
    fmt = lambda v: "(" + ", ".join(f"{x:.6f}" for x in v) + ")"  # noqa: E731
    print(f"types: mu = {list(args.mu)}, service {args.service}, L = {lam:g} per group of {len(services)} queues, "
          f"objective: {args.objective}")
    print(f"optimal periodic fractions p/||p|| = {fmt(per.fractions)}: E W(p) = {per.limit.mean:.10g}, "
          f"Var W(p) = {per.limit.variance:.10g}{extra(per.value)}")
    print(f"best integer p with ||p|| <= {args.period}: p = {best.p}: E W(p) = {best.limit.mean:.10g}"
          f"{extra(best.value)}")
    print(f"optimal Bernoulli fractions q = {fmt(ber.fractions)}: E W = {ber.limit.mean:.10g}{extra(ber.value)}")
    print(f"price of randomisation (Bernoulli / periodic): {ratio:.6g}")
    p_sim = best.p
    if args.p is not None:
        p_sim = integer_vector("--p", args.p)
        if len(p_sim) != len(services):
            raise ValueError(f"--p must have one entry per type ({len(services)}), got {len(p_sim)}")
    lim_sim = mean_wait_limit(p_sim, services, lam)
    idx, pr = _used(p_sim)
    pol = balanced_policy(pr)
    sim = simulate_waits(pol, [services[r] for r in idx], lam, args.k, horizon=args.horizon, seed=args.seed,
                         burn_in=args.burn_in, replicas=args.replicas,
                         arrivals=arr, quantiles=(), hist_bins=0, progress=progress)
    z = (sim.mean - lim_sim.mean) / sim.mean_stderr if sim.mean_stderr > 0 else 0.0
    print(f"simulation check, p = {p_sim}: balanced word {pol.label()} of C_p^(k), k = {args.k}, {arr.name} arrivals: "
          f"E W^(k) = {sim.mean:.6g} +- {sim.mean_stderr:.2g} vs limit E W(p) = {lim_sim.mean:.6g} "
          f"(a lower bound by (3.11); z = {z:+.2f})")
    if args.json:
        out = {
            "p_opt": [float(x) for x in per.fractions],
            "mean_wait_opt": float(per.limit.mean),
            "p_bernoulli_opt": [float(x) for x in ber.fractions],
            "mean_wait_bernoulli_opt": float(ber.limit.mean),
            "objective": args.objective,
            "objective_opt": float(per.value),
            "objective_bernoulli_opt": float(ber.value),
            "price_of_randomisation": None if math.isinf(ratio) else float(ratio),
            "p_int_opt": list(best.p),
            "mean_wait_int_opt": float(best.limit.mean),
            "simulation": {"p": list(p_sim), "k": args.k, "word": pol.label(), "mean_wait": sim.mean,
                           "stderr": sim.mean_stderr, "limit": lim_sim.mean},
        }
        with open(args.json, "w") as fh:
            json.dump(out, fh, indent=2)
    if args.plot:
        bl = bernoulli_limit(p_sim, services, lam).mean if all(s.second_moment for s in services) else None
        _plot(args.plot, p_sim, services, lam, lim_sim.mean, bl, args.seed, progress)
        print(f"plot written to {args.plot}")
    return 0
