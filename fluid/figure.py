"""Figure 6.1 of paper 000: fluid trajectories from a grid of starting points, the curve
Gamma^(beta/mu_1) (dashed) separating starts that never reach the axis from those that do, and the
sliding segment Omega-bar = {0} x (beta/(mu_1 sqrt(n)), inf) along which they slide down to
(0, beta/(mu_1 sqrt(n))).  Closed-form trajectories (6.49)-(6.59); fluid scale (diffusion when n = 1)."""
from __future__ import annotations

import numpy as np

from fluid.gamma_curves import gamma_from_abscissa_core
from fluid.hitting_time import hitting_time_core
from fluid.trajectory import trajectory_core
from fluid.validation import check_coefficients, check_kappa, check_positive_int


def draw_figure_6_1(ax, *, beta, mu_1, mu_M, n=1, kappa=None, grid=7, horizon=None, points_per_curve=600):
    """Draw Figure 6.1 on the matplotlib axes ``ax``; returns a dict of what was drawn (for tests)."""
    c = check_coefficients(beta, mu_1, mu_M, n)
    grid = check_positive_int("grid", grid, minimum=2)
    floor = c.sliding_floor
    width = 2.5 * c.drift / c.mu_M
    width_gamma = float(gamma_from_abscissa_core(np.array([-width]), floor, c).x2[0])
    height = 1.15 * width_gamma
    horizon = 8.0 / c.mu_M if horizon is None else float(horizon)
    t = np.linspace(0.0, horizon, points_per_curve)

    starts_x1 = np.linspace(-width, 0.0, grid)
    starts_x2 = np.linspace(0.0, height, grid)
    s1, s2 = (a.ravel() for a in np.meshgrid(starts_x1, starts_x2))
    keep = ~((s1 == 0.0) & (s2 <= floor))
    s1, s2 = s1[keep], s2[keep]
    v1, v2 = trajectory_core(s1, s2, t, c)
    hits = gamma_from_abscissa_core(s1, floor, c).x2 < s2
    tau = hitting_time_core(s1, s2, c)
    arrow_time = np.where(np.isfinite(tau), 0.5 * np.where(np.isfinite(tau), tau, 0.0), 0.6 / c.mu_M)
    for a, b, hit, when in zip(v1, v2, hits, arrow_time):
        ax.plot(a, b, color="tab:blue" if hit else "tab:gray", lw=0.9, alpha=0.85)
        middle = min(int(np.searchsorted(t, when)), len(t) - 2)
        ax.annotate("", xy=(a[middle + 1], b[middle + 1]), xytext=(a[middle], b[middle]),
                    arrowprops=dict(arrowstyle="->", color="tab:blue" if hit else "tab:gray", lw=0.8))
    ax.plot(s1, s2, "o", ms=2.5, color="black", label="starting points")

    x1_curve = np.linspace(-1.05 * width, 0.0, 400)
    gamma = gamma_from_abscissa_core(x1_curve, floor, c)
    ax.plot(gamma.x1, gamma.x2, "k--", lw=1.6, label=r"$\Gamma^{\beta/\mu_1}$")
    drawn = {"trajectories": len(s1), "reach_axis": int(hits.sum()), "gamma": (gamma.x1, gamma.x2)}
    if kappa is not None:
        kappa = check_kappa(kappa, c)
        curve = gamma_from_abscissa_core(x1_curve, kappa / c.sqrt_n, c)
        ax.plot(curve.x1, curve.x2, ":", color="tab:red", lw=1.4, label=rf"$\Gamma^{{\kappa}}$, $\kappa={kappa:g}$")
        ax.axhline(kappa / c.sqrt_n, color="tab:red", lw=0.6, alpha=0.5)
        drawn["gamma_kappa"] = (curve.x1, curve.x2)
    top = 1.2 * max(height, float(np.max(v2)))
    ax.plot([0.0, 0.0], [floor, top], color="tab:orange", lw=4, alpha=0.7, solid_capstyle="butt",
            label=r"sliding set $\bar\Omega$")
    ax.plot([0.0], [floor], "s", color="tab:orange", ms=6)
    ax.annotate(r"$(0, \beta/(\mu_1\sqrt{n}))$", (0.0, floor), xytext=(-0.28 * width, 0.55 * floor),
                arrowprops=dict(arrowstyle="->", lw=0.7), fontsize=8)
    ax.plot([-c.drift / c.mu_M], [0.0], "*", color="tab:green", ms=10, label=r"equilibrium $(-\beta/(\mu_M\sqrt{n}), 0)$")
    ax.set_xlim(-1.08 * width, 0.06 * width)
    ax.set_ylim(-0.02 * top, top)
    unit = "" if n == 1 else rf" (fluid scale, $n={int(c.n)}$)"
    ax.set_xlabel(r"$x_1$ (idle servers)" + unit)
    ax.set_ylabel(r"$x_2$ (queues with a waiting job)")
    ax.set_title(rf"Fluid trajectories, $\beta={beta:g}$, $\mu_1={mu_1:g}$, $\mu_M={mu_M:g}$")
    ax.legend(loc="upper left", fontsize=8, framealpha=0.95)
    ax.grid(alpha=0.25)
    drawn["sliding"] = (floor, top)
    return drawn


def save_figure_6_1(path, **kwargs):
    """Draw Figure 6.1 into a new figure and save it to ``path`` (PNG); returns what was drawn."""
    from matplotlib.figure import Figure  # no pyplot: no global state

    from rou_common.output import save_figure

    fig = Figure(figsize=(7.5, 6.0), dpi=130)
    drawn = draw_figure_6_1(fig.subplots(), **kwargs)
    fig.tight_layout()
    save_figure(fig, path)
    return drawn


__all__ = ["draw_figure_6_1", "save_figure_6_1"]
