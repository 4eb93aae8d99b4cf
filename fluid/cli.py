"""``reflected-ou fluid``: draw Figure 6.1 (fluid trajectories, Gamma^(beta/mu_1), sliding set) to a PNG."""
from __future__ import annotations

import argparse

from fluid.validation import check_coefficients
from rou_common.checks import check_decreasing_speeds

DEFAULT_BETA = 2.0
DEFAULT_MU = (20 / 8, 5 / 8)


def speeds(values):
    """(mu_1, mu_M, mu_2) from a --mu list mu_1 > ... > mu_M (one value: homogeneous)."""
    values = check_decreasing_speeds("--mu", values)
    return values[0], values[-1], values[1] if len(values) > 1 else values[0]


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--beta", type=float, default=DEFAULT_BETA, help="Halfin-Whitt parameter beta (default 2)")
    parser.add_argument("--mu", type=float, nargs="+", default=list(DEFAULT_MU), metavar="MU",
                        help="speeds mu_1 > ... > mu_M (default 2.5 0.625, the paper's example)")


def register(subparsers) -> None:
    parser = subparsers.add_parser("fluid", help="draw Figure 6.1: fluid trajectories of (6.40)-(6.59)",
                                   description=__doc__)
    add_model_arguments(parser)
    parser.add_argument("--n", type=int, default=1, help="system size of the fluid scale (1 = diffusion scale)")
    parser.add_argument("--kappa", type=float, default=None, help="also draw Gamma^kappa (kappa > beta/mu_1)")
    parser.add_argument("--grid", type=int, default=7, help="grid of grid x grid starting points (default 7)")
    parser.add_argument("--horizon", type=float, default=None, help="time horizon of the trajectories (default 8/mu_M)")
    parser.add_argument("--plot", default="figure_6_1.png", metavar="PATH", help="output PNG (default figure_6_1.png)")
    parser.set_defaults(func=run)


def run(args) -> int:
    from fluid.figure import save_figure_6_1

    mu_1, mu_M, _ = speeds(args.mu)
    check_coefficients(args.beta, mu_1, mu_M, args.n)
    drawn = save_figure_6_1(args.plot, beta=args.beta, mu_1=mu_1, mu_M=mu_M, n=args.n, kappa=args.kappa,
                            grid=args.grid, horizon=args.horizon)
    print(f"wrote {args.plot}: {drawn['trajectories']} trajectories, {drawn['reach_axis']} reach the sliding set")
    return 0
