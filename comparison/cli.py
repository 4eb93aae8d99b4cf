"""``reflected-ou compare``: the finite-n system against its limits, figures and a table of (a)-(e).

(a) Figures 3.1 and 3.2; (b) stationary convergence (mean errors, W_1) with log-log slopes, and with
``--fast-kernel`` the same with the fast SA-JSQ kernel, W_1 noise floors and a Monte Carlo reference for
the law of Y_12 (``comparison.fast_study``); (c) Theorem 3.3 scalings; (d) Stein terms (6.5)-(6.15) of f* and the identity (6.25); (e) policy
table at one n and the Theorem 3.6 tails plot at several n.  Writes PNGs, ``compare.json`` and
``compare.md`` into ``--out``.
"""
from __future__ import annotations

import json
import math
import os

from reflected_ou.cli_stationary import add_params_arguments, params_from_args


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "compare", help="finite-n CTMC against the diffusion: figures 3.1-3.2, convergence, scalings, Stein, optimality",
        description=__doc__.split("\n\n")[0])
    add_params_arguments(parser)
    parser.add_argument("--out", default="compare", help="output directory (default ./compare)")
    parser.add_argument("--ns", type=int, nargs="+", default=[100, 316, 1000, 3162, 10000, 31623, 100000],
                        help="n of the convergence / scaling / Stein study")
    parser.add_argument("--horizon", type=float, default=100.0, help="time units per replica after burn-in")
    parser.add_argument("--burn-in", type=float, default=20.0)
    parser.add_argument("--replicas", type=int, default=8)
    parser.add_argument("--kappa", type=float, default=None, help="kappa of f* (default 1.5 beta/mu_1)")
    parser.add_argument("--stein-beta", type=float, default=0.5,
                        help="beta of the Stein study (d): at beta = 2, Y_12 > kappa is too rare for f* != 0")
    parser.add_argument("--stein-ns", type=int, nargs="+", default=[100, 1000, 10000, 100000], help="n of (d)")
    parser.add_argument("--policy-n", type=int, default=1000, help="n of the policy table")
    parser.add_argument("--tail-ns", type=int, nargs="+", default=[100, 1000], help="n of the tails plot")
    parser.add_argument("--policy-horizon", type=float, default=200.0)
    parser.add_argument("--figure-ns", type=int, nargs="+", default=[100, 1000, 10000], help="n of Figure 3.1")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip", nargs="*", default=[], choices=["figures", "study", "stein", "policies"],
                        help="parts to skip")
    parser.add_argument("--fast-kernel", action="store_true",
                        help="also run (b) with the fast SA-JSQ kernel: W_1 with noise floors, Monte Carlo reference "
                             "for Y_12 (comparison.fast_study; minutes at the default sizes)")
    parser.add_argument("--fast-replicas", type=int, default=4096, help="replicas of the fast-kernel study")
    parser.add_argument("--grid-delta", type=float, default=0.025, help="grid of the fast-kernel study's reference")
    parser.add_argument("--mc-horizon", type=float, default=4000.0,
                        help="time units per path of the Monte Carlo reference of the law of Y_12 (4096 paths; "
                             "used by (b) in both kernels)")
    parser.add_argument("--no-progress", action="store_true")
    parser.set_defaults(func=run)


def _fmt(value, err=None, digits=4):
    if value is None or (isinstance(value, float) and math.isinf(value)):
        return "inf" if value is not None else "-"
    text = f"{value:.{digits}g}"
    return text + (f" ± {err:.2g}" if err else "")


def _fast_markdown(fast: dict) -> list[str]:
    ref = fast["reference"]
    lines = [f"## (b) with the fast kernel (reference: E Y_12 = {ref['E_Y_12_grid']:.6g} grid, law of Y_12 Monte Carlo; "
             "W1 ± bootstrap spread [noise floor])", "",
             "| n | E Y_12^(n) error | W1(Y_12) | E Y_M1^(n) error (Lemma 6.1) | W1(Y_M1) |", "|---|---|---|---|---|"]
    for r in fast["rows"]:
        lines.append(f"| {r['n']} | {_fmt(r['err_Y_12'], r['se_Y_12'])} | {_fmt(r['W1_Y_12'], r['W1_Y_12_spread'])} "
                     f"[{r['W1_Y_12_floor']:.2g}] | {_fmt(r['err_Y_M1_lemma'], r['se_Y_M1_lemma'])} | "
                     f"{_fmt(r['W1_Y_M1'], r['W1_Y_M1_spread'])} [{r['W1_Y_M1_floor']:.2g}] |")
    slopes = fast["slopes"]
    return lines + ["", "slopes (all n / resolved n): " + ", ".join(
        f"{k} {slopes[k]:.3f} / {slopes[k + '_resolved']:.3f}" for k in ("err_Y_12", "W1_Y_12", "err_Y_M1_lemma", "W1_Y_M1")), ""]


def markdown(report: dict) -> str:
    lines = []
    if "convergence" in report:
        conv = report["convergence"]
        lines += [f"## (b) Stationary convergence (reference: E Y_M1 = {conv['reference']['E_Y_M1']:.6g}, "
                  f"E Y_12 = {conv['reference']['E_Y_12']:.6g})", "",
                  "| n | E Y_M1^(n) | error | via Lemma 6.1 | error | E Y_12^(n) | error | W1(Y_M1) | W1(Y_12) |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for r in conv["rows"]:
            lines.append(f"| {r['n']} | {_fmt(r['E_Y_M1'], r['se_Y_M1'])} | {_fmt(r['err_Y_M1'])} | "
                         f"{_fmt(r['E_Y_M1_lemma'], r['se_Y_M1_lemma'])} | {_fmt(r['err_Y_M1_lemma'])} | "
                         f"{_fmt(r['E_Y_12'], r['se_Y_12'])} | {_fmt(r['err_Y_12'])} | {_fmt(r['W1_Y_M1'])} | {_fmt(r['W1_Y_12'])} |")
        lines += ["", "slopes (log-log in n): " + ", ".join(f"{k} {v:.3f}" for k, v in conv["slopes"].items()), ""]
    if "convergence_fast" in report:
        lines += _fast_markdown(report["convergence_fast"])
    if "scalings" in report:
        scal = report["scalings"]
        keys = [k for k in scal["rows"][0] if k != "n" and not k.startswith("se_")]
        lines += ["## (c) Theorem 3.3 scalings", "", "| n | " + " | ".join(keys) + " |", "|---" * (len(keys) + 1) + "|"]
        for r in scal["rows"]:
            lines.append(f"| {r['n']} | " + " | ".join(_fmt(r[k], r['se_' + k]) for k in keys) + " |")
        lines += ["", "slopes: " + ", ".join(f"{k} {v:.3f}" for k, v in scal["slopes"].items()), ""]
    if "stein" in report:
        rows = report["stein"]["rows"]
        keys = [k for k in rows[0] if k.startswith("sqrt_n_")]
        lines += [f"## (d) sqrt(n) E[term], f = f*, kappa = {rows[0]['kappa']:.4g}, params {report['stein'].get('params')}", "",
                  "| n | " + " | ".join(k.replace("sqrt_n_", "") for k in keys) + " |", "|---" * (len(keys) + 1) + "|"]
        for r in rows:
            lines.append(f"| {r['n']} | " + " | ".join(_fmt(r[k], r['se_' + k], 3) for k in keys) + " |")
        lines.append("")
    for table in report.get("policies", []):
        lines += [f"## (e) Policies at n = {table['n']} (E[jobs] ± s.e.)", "", "| policy | E[jobs] | E Y_+1 | E Y_+2 | note |",
                  "|---|---|---|---|---|"]
        for r in table["rows"]:
            note = r.get("reason", "") if not r["stable"] else ("exact product form" if r.get("exact") else f"K = {r.get('levels')}")
            lines.append(f"| {r['policy']} | {_fmt(r['E_jobs'], r['se_jobs'], 6)} | {_fmt(r.get('E_Y_+1'), r.get('se_Y_+1'))} | "
                         f"{_fmt(r.get('E_Y_+2'), r.get('se_Y_+2'))} | {note} |")
        lines += ["", "orderings: " + "; ".join(
            f"{c['lower']} < {c['higher']}: {'yes' if c['holds'] else 'NO'}"
            + (f" (gap {c['gap']:.4g} ± {c['se']:.2g})" if 'gap' in c else f" ({c.get('note')})") for c in table["checks"]), ""]
    return "\n".join(lines)


def _write(out: str, report: dict) -> str:
    """Write compare.json and compare.md (after each part, so a long study is never lost)."""
    text = markdown(report)
    with open(os.path.join(out, "compare.json"), "w") as handle:
        json.dump(report, handle, indent=1, default=float)
    with open(os.path.join(out, "compare.md"), "w") as handle:
        handle.write(text + "\n")
    return text


def _fast_study(args, params, report: dict, figures: list, progress: bool) -> None:
    from .fast_study import build_reference, run_row, slopes
    from .figures import distribution_convergence_figure

    reference, reference_report = build_reference(params, grid_delta=args.grid_delta, mc_horizon=args.mc_horizon,
                                                  seed=args.seed, progress=progress)
    rows = [run_row(params, n, reference, seed=args.seed + n, replicas=args.fast_replicas, burn_in=args.burn_in,
                    horizon=args.horizon, batches=min(64, args.fast_replicas)) for n in args.ns]
    report["convergence_fast"] = {"reference": reference_report, "rows": rows, "slopes": slopes(rows)}
    figures.append(distribution_convergence_figure(rows, os.path.join(args.out, "distribution_convergence.png")))
    _write(args.out, report)


def run(args) -> int:
    from .convergence import convergence_table
    from .mc_reference import monte_carlo_tail
    from .figures import convergence_figure, figure_3_1, figure_3_2, tails_figure
    from .optimality import policy_table
    from .reference import DiffusionReference
    from .runs import RunPlan, run_policy
    from .scalings import scalings_table
    from .stein import stein_table

    params = params_from_args(args)
    os.makedirs(args.out, exist_ok=True)
    progress = not args.no_progress
    report, figures = {"params": params.as_dict()}, []
    if "figures" not in args.skip:
        figures.append(figure_3_1(params, args.figure_ns, os.path.join(args.out, "figure_3_1.png"), seed=args.seed))
        figures.append(figure_3_2(params, os.path.join(args.out, "figure_3_2.png"), seed=args.seed))
    if "study" not in args.skip:
        from reflected_ou.params import Params

        plan = RunPlan(horizon=args.horizon, burn_in=args.burn_in, replicas=args.replicas)
        runs = [run_policy(params, n, "sa-jsq", plan, seed=args.seed, progress=progress) for n in args.ns]
        # the law of Y_12 from the Monte Carlo reference: the grid's Y_12 tail is off by W_1 = 2.8e-3 at
        # delta = 0.05 (comparison.mc_reference), more than W_1 itself from n ~ 300 on
        y12 = monte_carlo_tail(params, horizon=args.mc_horizon, seed=args.seed, progress=progress)
        reference = DiffusionReference.solve(params, curves={"Y_12": y12.curve})
        report["convergence"] = convergence_table(runs, reference)
        report["scalings"] = scalings_table(runs)
        report["events"] = {str(r.n): r.result.events for r in runs}
        figures.append(convergence_figure(report["convergence"], report["scalings"], None,
                                          os.path.join(args.out, "convergence.png")))
        _write(args.out, report)
    if args.fast_kernel:
        _fast_study(args, params, report, figures, progress)
    if "stein" not in args.skip and "study" not in args.skip:
        stein_params = Params(params.mu, params.gamma, args.stein_beta)
        kappa = args.kappa if args.kappa is not None else 1.5 * stein_params.beta / stein_params.mu_1
        stein_runs = [run_policy(stein_params, n, "sa-jsq", plan, seed=args.seed, kappa=kappa, progress=progress)
                      for n in args.stein_ns]
        report["stein"] = stein_table(stein_runs)
        report["stein"]["params"] = stein_params.as_dict()
        _write(args.out, report)
        figures.append(convergence_figure(report["convergence"], report["scalings"], report["stein"],
                                          os.path.join(args.out, "convergence.png")))
    if "policies" not in args.skip:
        plan = RunPlan(horizon=args.policy_horizon, burn_in=args.burn_in, replicas=args.replicas)
        ns = sorted(set(args.tail_ns) | {args.policy_n})
        report["policies"] = [policy_table(params, n, plan, seed=args.seed, progress=progress) for n in ns]
        _write(args.out, report)
        figures.append(tails_figure(report["policies"], os.path.join(args.out, "tails_theorem_3_6.png")))
    print(_write(args.out, report))
    print("figures: " + ", ".join(figures))
    return 0
