"""Fluid model of paper 000, Section 6.1: trajectories, hitting times, Gamma curves, Figure 6.1.

Run from the repository root:  python examples/fluid_trajectories.py [--plot figure_6_1.png]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fluid import classify, gamma_x2, hitting_time, integrate_trajectory, trajectory, trajectory_phases  # noqa: E402
from fluid.figure import save_figure_6_1  # noqa: E402

PAPER = dict(beta=2.0, mu_1=20 / 8, mu_M=5 / 8)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--plot", default=None, help="also write Figure 6.1 to this PNG")
    args = parser.parse_args()

    starts = np.array([[-4.0, 2.0], [-4.0, 8.0], [-0.5, 6.0], [0.0, 3.0]])
    phases = trajectory_phases(starts, **PAPER)
    print("start            tau(x)   entry height   exit time   region (kappa = 1)")
    for x, tau, z, t_exit, region in zip(starts, phases.hitting_time, phases.entry_height, phases.exit_time,
                                         classify(starts, kappa=1.0, **PAPER)):
        print(f"{str(x.tolist()):<16} {tau:8.4f} {z:12.4f} {t_exit:11.4f}   Omega_{region}")

    t = np.linspace(0.0, 4.0, 9)
    closed = trajectory(starts[2], t, **PAPER)
    numeric = integrate_trajectory(starts[2], t, **PAPER)
    print("\nclosed form vs solve_ivp for x = (-0.5, 6):  max |difference| =", np.max(np.abs(closed - numeric.v)))
    print("hitting time: closed form", float(hitting_time(starts[2], **PAPER)), " solve_ivp event", numeric.hitting_time)

    curve = gamma_x2(np.array([-1.0, -4.0, -8.0]), kappa=PAPER["beta"] / PAPER["mu_1"], **PAPER)
    print("\nGamma^(beta/mu_1): x_2*(x_1) at x_1 = -1, -4, -8:", np.round(curve.x2, 6).tolist())
    if args.plot:
        drawn = save_figure_6_1(args.plot, kappa=1.0, **PAPER)
        print(f"wrote {args.plot} ({drawn['trajectories']} trajectories)")


if __name__ == "__main__":
    main()
