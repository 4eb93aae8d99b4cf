"""Stationary laws of SA-JSQ at growing n against the diffusion limit, with the fast kernel (issue 4 (b)).

Paper's example (M = 2, gamma = (1/5, 4/5), mu = (20/8, 5/8), beta = 2), n = 10^2, 10^2.5, .., 10^5.
Per n: E[Y_12^(n)] - E[Y_12] +- s.e. (also against E[Y_12] at beta_n), E[Y_M1^(n)] - E[Y_M1] (time average and Lemma 6.1; also against
-beta_n/mu_M, the limit at the system's own spare capacity beta_n), and W_1 of the
marginals of Y_12^(n) and Y_M1^(n) with the bootstrap spread and noise floor
(``comparison.fast_study``); then the fitted log-log slopes.  The reference (``build_reference``):
the grid for Y_M1 and E[Y_12], a Lepingle Monte Carlo for the law of Y_12, with their own errors.

    python examples/sajsq_distribution_convergence.py [--replicas 4096] [--horizon 100] [--out DIR]

Writes DIR/distribution_convergence.{txt,json,png}.  Timing is informative only.
"""
import argparse
import json
import os
import time

from comparison.fast_study import build_reference, run_row, slopes
from comparison.figures import distribution_convergence_figure
from reflected_ou import Params

DEFAULT_NS = [100, 316, 1000, 3162, 10000, 31623, 100000]
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sajsq_distribution_convergence_output")


def reference_lines(report: dict) -> list[str]:
    mc = report["mc"]
    lines = [f"reference: E[Y_M1] = {report['E_Y_M1']:g} (exact); E[Y_12] = {report['E_Y_12_grid']:.6f} (grid delta "
             f"{report['grid_delta']:g}; {report['E_Y_12_grid_2delta']:.6f} at 2 delta)",
             f"  law of Y_M1: grid; W1 to the grid at 2 delta = {report['W1_idle_grid_vs_2delta']:.2e} (bound on its error)",
             "  law of Y_12: Lepingle Monte Carlo, each histogram bin's mass spread evenly over the bin"]
    for key, run in mc.items():
        e = run["errors"]
        lines.append(f"    dt = {run['dt']:g}: {run['paths']} paths x {run['horizon']:g}: E[Y_12] = {run['E_Y_12']:.6f} +- "
                     f"{run['se_E_Y_12']:.1e}, bins {run['bin_width']:g} on [0, {run['high']:g}]; own W1 error: noise floor "
                     f"{e['noise_floor']:.1e} + binning {e['binning']:.1e} + truncation {e['truncation']:.1e} = {e['total']:.1e}")
    lines.append(f"    W1 between the dt and 2 dt references: {report['W1_Y_12_mc_dt_vs_2dt']:.1e}")
    return lines


def row_line(r: dict) -> str:
    mark = lambda ok: " " if ok else "*"  # noqa: E731
    return (f"{r['n']:>7} {r['err_Y_12']:>+10.2e} +- {r['se_Y_12']:<7.1e} {r['err_Y_12_beta_n']:>+10.2e} "
            f"{r['W1_Y_12']:>9.2e} +- {r['W1_Y_12_spread']:<7.1e}[{r['W1_Y_12_floor']:.1e}]{mark(r['W1_Y_12_resolved'])} "
            f"{r['err_Y_M1_lemma']:>+9.4f} +- {r['se_Y_M1_lemma']:<7.1e} {r['beta_n']:>7.4f} {r['err_Y_M1_lemma_beta_n']:>+8.4f} "
            f"{r['err_Y_M1']:>+8.4f} +- {r['se_Y_M1']:<7.1e} "
            f"{r['W1_Y_M1']:>7.4f} +- {r['W1_Y_M1_spread']:<7.1e}[{r['W1_Y_M1_floor']:.1e}]{mark(r['W1_Y_M1_resolved'])} "
            f"{r['seconds']:>6.0f}")


HEADER = (f"{'n':>7} {'E[Y_12^(n)] - E[Y_12]':>21} {'(beta_n)':>10} {'W1(Y_12) +- spread [floor]':>31} "
          f"{'E[Y_M1^(n)] - E[Y_M1] (Lemma 6.1)':>28} {'beta_n':>7} {'(beta_n)':>8} {'(time average)':>19} {'W1(Y_M1) +- spread [floor]':>30} {'wall s':>6}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ns", type=int, nargs="+", default=DEFAULT_NS)
    parser.add_argument("--replicas", type=int, default=4096)
    parser.add_argument("--horizon", type=float, default=100.0, help="time units per replica after burn-in")
    parser.add_argument("--burn-in", type=float, default=20.0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--mc-horizon", type=float, default=4000.0)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--out", default=OUT)
    args = parser.parse_args()
    params = Params.paper_example()
    os.makedirs(args.out, exist_ok=True)
    started = time.perf_counter()
    reference, reference_report = build_reference(params, mc_horizon=args.mc_horizon, seed=args.seed)
    lines = reference_lines(reference_report) + [f"  (reference built in {time.perf_counter() - started:.0f} s)", "",
                                                 f"CTMC: {args.replicas} replicas, burn-in {args.burn_in:g}, horizon "
                                                 f">= {args.horizon:g} time units; * = not resolved (W1 <= floor + 2 spread)",
                                                 HEADER]
    print("\n".join(lines), flush=True)
    rows = []
    for n in args.ns:
        rows.append(run_row(params, n, reference, seed=args.seed + n, replicas=args.replicas, burn_in=args.burn_in,
                            horizon=args.horizon, threads=args.threads))
        lines.append(row_line(rows[-1]))
        print(lines[-1], flush=True)
    fitted = slopes(rows)
    lines.append("log-log slopes in n (all n / resolved n only): " + ", ".join(
        f"{key} {fitted[key]:.3f} / {fitted[key + '_resolved']:.3f}"
        for key in ("err_Y_12", "err_Y_12_beta_n", "W1_Y_12", "err_Y_M1_lemma", "err_Y_M1_lemma_beta_n", "err_Y_M1", "W1_Y_M1")))
    lines.append(f"total wall time {time.perf_counter() - started:.0f} s")
    print("\n".join(lines[-2:]))
    with open(os.path.join(args.out, "distribution_convergence.txt"), "w") as handle:
        handle.write("\n".join(lines) + "\n")
    with open(os.path.join(args.out, "distribution_convergence.json"), "w") as handle:
        json.dump({"params": params.as_dict(), "reference": reference_report, "rows": rows, "slopes": fitted,
                   "args": vars(args)}, handle, indent=1, default=float)
    print(distribution_convergence_figure(rows, os.path.join(args.out, "distribution_convergence.png")))


if __name__ == "__main__":
    main()
