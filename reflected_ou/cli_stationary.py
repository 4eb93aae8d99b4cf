"""``reflected-ou stationary``: the stationary law of the 2-D reflected OU (3.9)-(3.10).

Monte Carlo (``estimate_stationary``) and/or the grid reference (``solve_grid``); prints a table of
moments with the exact identities, writes the joint-density figure and optionally a JSON file.
"""
from __future__ import annotations

import json
import math

from reflected_ou.identities import evaluate, stationary_identities
from reflected_ou.params import Params

#: Moments reported in the table and the JSON file (keys of ``mean``, ``stderr`` and ``grid``).
JSON_MOMENTS = ("Y_M1", "Y_12", "Y_M1_sq", "Y_12_sq", "Y_M1_Y_12")
LABELS = {
    "Y_M1": "E[Y_M1]",
    "Y_12": "E[Y_12]",
    "Y_M1_sq": "E[Y_M1^2]",
    "Y_12_sq": "E[Y_12^2]",
    "Y_M1_Y_12": "E[Y_M1 Y_12]",
    "U_rate": "rate of U_1",
}


def add_params_arguments(parser) -> None:
    """--beta, --mu, --gamma with the paper's example as defaults (shared by subcommands)."""
    parser.add_argument("--beta", type=float, default=2.0, help="Halfin-Whitt parameter beta > 0 (default 2)")
    parser.add_argument("--mu", type=float, nargs="+", default=[20 / 8, 5 / 8], metavar="MU",
                        help="speeds mu_1 > ... > mu_M (default 2.5 0.625)")
    parser.add_argument("--gamma", type=float, nargs="+", default=[1 / 5, 4 / 5], metavar="GAMMA",
                        help="pool fractions summing to 1 (default 0.2 0.8)")
    parser.add_argument("--normalise", action="store_true",
                        help="rescale mu so that sum mu_j gamma_j = 1 (otherwise it must already hold)")


def params_from_args(args) -> Params:
    if args.normalise:
        return Params.normalised(args.mu, args.gamma, args.beta)
    return Params(tuple(args.mu), tuple(args.gamma), args.beta)


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "stationary",
        help="stationary law of the 2-D reflected OU limit (Monte Carlo and grid)",
        description="Stationary moments, identities and joint density of the reflected OU (3.9)-(3.10). "
        "Defaults: the paper's example M=2, gamma=(1/5,4/5), mu=(20/8,5/8), beta=2.",
    )
    add_params_arguments(parser)
    parser.add_argument("--method", choices=("mc", "grid", "both"), default="both")
    parser.add_argument("--horizon", type=float, default=2000.0, help="time T per replica after the burn-in (default 2000)")
    parser.add_argument("--burn-in", type=float, default=50.0, help="burn-in time per replica (default 50)")
    parser.add_argument("--dt", type=float, default=0.01, help="Euler-Maruyama step (mu_1 * dt <= 1; default 0.01)")
    parser.add_argument("--replicas", type=int, default=512, help="independent replicas R (default 512)")
    parser.add_argument("--batches", type=int, default=20, help="batch-means batches per replica (default 20)")
    parser.add_argument("--seed", type=int, default=0, help="random seed, an integer >= 0 (default 0)")
    parser.add_argument("--scheme", choices=("lepingle", "projected"), default="lepingle")
    parser.add_argument("--delta", type=float, default=0.05, help="grid step (Richardson with delta/2)")
    parser.add_argument("--checkpoint", metavar="PATH", help="checkpoint file: written as the run goes, resumed if present")
    parser.add_argument("--json", metavar="PATH", help="write mean/stderr/grid/params as JSON")
    parser.add_argument("--plot", metavar="PATH", default="stationary.png", help="PNG of the joint density")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    parser.set_defaults(func=run)


def _format(value, stderr=None):
    if value is None:
        return "-"
    return f"{value:.6g} +- {stderr:.2g}" if stderr is not None else f"{value:.6g}"


def _print_table(params, mc, grid):
    exact = {"Y_M1": -params.beta / params.mu_M}
    header = f"{'quantity':<36}{'Monte Carlo (mean +- s.e.)':<30}{'grid (Richardson)':<20}{'exact':<12}"
    print(header)
    print("-" * len(header))
    for name in JSON_MOMENTS + ("U_rate",):
        mc_cell = _format(mc.mean[name], mc.stderr[name]) if mc else "-"
        grid_cell = _format(grid.moments[name]) if grid else "-"
        print(f"{LABELS[name]:<36}{mc_cell:<30}{grid_cell:<20}{_format(exact.get(name)):<12}")
    print("\nexact identities (basic adjoint relationship):")
    mc_rows = {name: (est, se) for name, est, se, _ in mc.identities()} if mc else {}
    for identity in stationary_identities(params):
        mc_cell = _format(*mc_rows[identity.name]) if mc else "-"
        grid_cell = _format(evaluate(identity, grid.moments)) if grid else "-"
        print(f"{identity.name:<36}{mc_cell:<30}{grid_cell:<20}{_format(identity.exact):<12}")
    if mc:
        print(f"\nMonte Carlo: {mc.replicas} replicas x T = {mc.horizon:g} after burn-in {mc.burn_in:g}, "
              f"dt = {mc.dt:g}, scheme = {mc.scheme}, statistics every {mc.sample_every} steps; "
              f"mass outside histogram box {mc.joint.outside_mass():.2e}")
    if grid:
        print(f"grid: delta = {grid.coarse.delta:g} and {grid.fine.delta:g}; truncation mass {grid.truncation_mass:.2e}")


def _json_numbers(mapping):
    return {name: float(mapping[name]) for name in JSON_MOMENTS} if mapping else None


def run(args) -> int:
    params = params_from_args(args)
    mc = grid = None
    if args.method in ("mc", "both"):
        from reflected_ou.stationary import estimate_stationary

        mc = estimate_stationary(params, seed=args.seed, dt=args.dt, burn_in=args.burn_in, horizon=args.horizon,
                                 replicas=args.replicas, batches=args.batches, scheme=args.scheme, checkpoint=args.checkpoint,
                                 progress=not args.no_progress)
    if args.method in ("grid", "both"):
        from reflected_ou.grid import solve_grid

        grid = solve_grid(params, args.delta)
    _print_table(params, mc, grid)
    if args.plot:
        from reflected_ou.plotting import plot_stationary

        title = (f"beta={params.beta:g}, mu={tuple(round(m, 4) for m in params.mu)}, "
                 f"gamma={tuple(round(g, 4) for g in params.gamma)}")
        plot_stationary(args.plot, monte_carlo=mc, grid=grid, title=title)
        print(f"figure written to {args.plot}")
    if args.json:
        payload = {
            "mean": _json_numbers(mc.mean if mc else None),
            "stderr": _json_numbers(mc.stderr if mc else None),
            "grid": _json_numbers(grid.moments if grid else None),
            "params": params.as_dict(),
            "identities": [
                {"name": i.name, "exact": i.exact,
                 "mc": dict(zip(("estimate", "stderr"), mc.batch_means.linear_combination(i.coefficients))) if mc else None,
                 "grid": evaluate(i, grid.moments) if grid else None}
                for i in stationary_identities(params)
            ],
        }
        with open(args.json, "w") as handle:
            json.dump(payload, handle, indent=2, allow_nan=False)
    return 0 if all(math.isfinite(v) for v in (mc.mean.values() if mc else [])) else 1
