"""``reflected-ou lemma62``: verify Lemma 6.2 (6.20)-(6.24) for f* over a parameter sweep.

Prints one row per parameter set (worst PDE / boundary residuals, smallest slacks of the sign
conditions and of the C_5, C_6 bounds) and a summary per condition; exit status 1 if any condition
fails (``--negative-control`` perturbs f* to show that failures are caught)."""
from __future__ import annotations

import json
import math

from fluid.cli import add_model_arguments, speeds
from fluid.validation import check_coefficients, check_kappa

KAPPA_FACTORS = (1.05, 1.5, 3.0)
N_VALUES = (1, 100, 10_000)
#: --wide: further (beta, mu_1, mu_M) combinations (including the homogeneous limit).
WIDE_BETAS = (0.5, 2.0, 5.0)
WIDE_SPEEDS = ((20 / 8, 5 / 8), (4.0, 0.2), (1.2, 1.0), (1.0, 1.0))


def register(subparsers) -> None:
    parser = subparsers.add_parser("lemma62", help="verify Lemma 6.2 for f* over a parameter sweep",
                                   description=__doc__)
    add_model_arguments(parser)
    parser.add_argument("--kappa", type=float, nargs="+", default=None,
                        help=f"kappa values (> beta/mu_1; default beta/mu_1 x {KAPPA_FACTORS})")
    parser.add_argument("--n", type=int, nargs="+", default=list(N_VALUES), help=f"n values (default {N_VALUES})")
    parser.add_argument("--points-per-region", type=int, default=2000, help="random points per region (default 2000)")
    parser.add_argument("--dfl-points", type=int, default=20,
                        help="points per set also checked against the DFL quadrature (6.43) (default 20)")
    parser.add_argument("--negative-control", choices=["none", "scale", "drop-log"], default="none",
                        help="verify a perturbed f* instead (1.01 f*, or the log term of Omega_2 dropped)")
    parser.add_argument("--wide", action="store_true",
                        help=f"sweep also beta in {WIDE_BETAS} and (mu_1, mu_M) in {WIDE_SPEEDS} (kappa = factor x beta/mu_1)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", default=None, metavar="PATH", help="also write all reports as JSON")
    parser.set_defaults(func=run)


COLUMNS = (
    ("pde", "pde", "max"),
    ("boundary", "bdry", "max"),
    ("sign f_1", "f1>=0", "min"),
    ("sign f_11", "f11>=0", "min"),
    ("sign f_12", "f12>=0", "min"),
    ("sign f_22", "f22>=0", "min"),
    ("vanishing", "(6.23)", "max"),
    ("C5 bound", "C5", "min"),
    ("C6 bound (mu_2)", "C6mu2", "min"),
    ("C6 bound (mu_M)", "C6muM", "min"),
    ("continuity f_1, f_2", "cont", "max"),
    ("dfl agreement", "dfl", "max"),
)


def run(args) -> int:
    from lyapunov.lemma_6_2 import generate_points, perturbed_candidate, verify_lemma_6_2

    mu_1, mu_M, mu_2 = speeds(args.mu)
    coefficients = check_coefficients(args.beta, mu_1, mu_M)
    for n in args.n:
        check_coefficients(args.beta, mu_1, mu_M, n)
    if args.kappa:
        kappas = [check_kappa(k, coefficients) for k in args.kappa]
        sets = [(args.beta, mu_1, mu_M, mu_2, k) for k in kappas]
    else:
        sets = [(args.beta, mu_1, mu_M, mu_2, args.beta / mu_1 * f) for f in KAPPA_FACTORS]
    if args.wide:
        sets += [(b, m1, mM, mM, b / m1 * f) for b in WIDE_BETAS for m1, mM in WIDE_SPEEDS for f in KAPPA_FACTORS
                 if (b, m1, mM) != (args.beta, mu_1, mu_M)]
    header = (f"{'beta':>5} {'mu_1':>6} {'mu_M':>6} {'kappa':>7} {'n':>6} "
              + " ".join(f"{short:>9}" for _, short, _ in COLUMNS) + "  status")
    print("Lemma 6.2 (6.20)-(6.24) for f* (6.60)"
          + ("" if args.negative_control == "none" else f"  [negative control: {args.negative_control}]"))
    print("residuals: worst value (max); slacks: smallest value (min, relative); 'degen' = bound degenerate")
    print(header)
    reports, worst = [], {}
    for beta, m1, mM, m2, kappa in sets:
        for n in args.n:
            params = dict(beta=beta, mu_1=m1, mu_M=mM, kappa=kappa, n=n)
            points = generate_points(per_region=args.points_per_region, per_border=max(args.points_per_region // 5, 1),
                                     seed=args.seed, **params)
            candidate = None if args.negative_control == "none" else perturbed_candidate(args.negative_control, **params)
            report = verify_lemma_6_2(points, mu_2=m2, candidate=candidate, dfl_points=args.dfl_points,
                                      seed=args.seed, **params)
            reports.append(report)
            cells = []
            for name, _, how in COLUMNS:
                try:
                    cond = report.condition(name)
                except KeyError:
                    cells.append(f"{'-':>9}")
                    continue
                if cond.status == "degenerate":
                    cells.append(f"{'degen':>9}")
                    continue
                cells.append(f"{cond.worst:>9.2e}")
                previous = worst.get(name)
                if previous is None or (cond.worst > previous[0] if how == "max" else cond.worst < previous[0]):
                    worst[name] = (cond.worst, cond.status, params)
            status = "pass" if report.passed else "FAIL: " + ", ".join(c.name for c in report.failures)
            print(f"{beta:>5.3g} {m1:>6.4g} {mM:>6.4g} {kappa:>7.4g} {n:>6d} " + " ".join(cells) + f"  {status}")
    print("\nsummary over the sweep (worst per condition):")
    for name, (value, status, params) in worst.items():
        where = ", ".join(f"{k}={v:.4g}" for k, v in params.items())
        print(f"  {name:<22} {value:>11.3e}  {status:<5} at {where}")
    passed = all(r.passed for r in reports)
    print(f"\nLemma 6.2: {'all conditions hold' if passed else 'SOME CONDITIONS FAIL'} on {len(reports)} parameter sets")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"passed": passed, "reports": [_clean(r.as_dict()) for r in reports]}, handle, indent=1)
    return 0 if passed else 1


def _clean(obj):
    """JSON-safe copy (inf/nan -> strings)."""
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if isinstance(obj, float) and not math.isfinite(obj):
        return str(obj)
    return obj
