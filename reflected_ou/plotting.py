"""Figures of the stationary law: the joint density of (Y_M1, Y_12) with both marginals."""
from __future__ import annotations

import numpy as np


def _visible_range(centres, probabilities, mass=0.9995):
    """Smallest index window holding ``mass`` of a 1-D distribution (for a readable plot)."""
    cumulative = np.cumsum(probabilities) / max(probabilities.sum(), 1e-300)
    low = int(np.searchsorted(cumulative, (1 - mass) / 2))
    high = int(np.searchsorted(cumulative, 1 - (1 - mass) / 2))
    return max(low - 1, 0), min(high + 2, len(centres))


def plot_stationary(path, *, monte_carlo=None, grid=None, title=""):
    """Write a PNG: heat map of the joint density (log colour scale) and the two marginals.

    ``monte_carlo`` is a ``StationaryResult`` and/or ``grid`` a ``GridResult``; the heat map shows
    the Monte Carlo histogram when there is one, and the marginals show both.
    """
    from matplotlib.colors import LogNorm
    from matplotlib.figure import Figure

    from rou_common.output import save_figure

    if monte_carlo is None and grid is None:
        raise ValueError("plot_stationary needs a Monte Carlo result, a grid result, or both")
    figure = Figure(figsize=(8, 7), layout="constrained")  # no pyplot: no global state
    layout = figure.add_gridspec(2, 2, width_ratios=(4, 1.3), height_ratios=(1.3, 4))
    joint_axes = figure.add_subplot(layout[1, 0])
    top = figure.add_subplot(layout[0, 0], sharex=joint_axes)
    right = figure.add_subplot(layout[1, 1], sharey=joint_axes)

    if monte_carlo is not None:
        axes_M1, axes_12 = monte_carlo.joint.axes
        x, y, density = axes_M1.centres, axes_12.centres, monte_carlo.joint.density()
        marginal_M1 = monte_carlo.hist_Y_M1.density()
        marginal_12 = monte_carlo.hist_Y_12.density()
        source = "Monte Carlo"
    else:
        x, y, density = grid.density()
        order = np.argsort(x)
        x, density = x[order], density[order]
        marginal_M1 = density.sum(axis=1) * grid.fine.delta
        marginal_12 = density.sum(axis=0) * grid.fine.delta
        source = "grid (fine)"
    ix = _visible_range(x, marginal_M1)
    iy = _visible_range(y, marginal_12)
    shown = density[ix[0]:ix[1], iy[0]:iy[1]]
    positive = shown[shown > 0]
    norm = LogNorm(vmin=max(positive.min(), positive.max() * 1e-6), vmax=positive.max()) if positive.size else None
    mesh = joint_axes.pcolormesh(x[ix[0]:ix[1]], y[iy[0]:iy[1]], np.where(shown > 0, shown, np.nan).T,
                                 norm=norm, cmap="viridis", shading="nearest")
    figure.colorbar(mesh, ax=right, label=f"joint density ({source})", shrink=0.8)
    joint_axes.set_xlabel(r"$Y_{M,1}$ (idle servers of the slowest pool, scaled)")
    joint_axes.set_ylabel(r"$Y_{1,2}$ (fastest-pool servers with a waiting job, scaled)")

    top.plot(x, marginal_M1, color="C0", label=source)
    right.plot(marginal_12, y, color="C0", label=source)
    if monte_carlo is not None and grid is not None:
        gx, gy, gdensity = grid.density()
        top.plot(gx, gdensity.sum(axis=1) * grid.fine.delta, "--", color="C3", label="grid")
        right.plot(gdensity.sum(axis=0) * grid.fine.delta, gy, "--", color="C3", label="grid")
    top.set_ylabel("density")
    top.legend(fontsize=8)
    top.set_title(title, fontsize=10)
    right.set_xlabel("density")
    right.set_xscale("log")
    right.set_xlim(left=max(marginal_12[marginal_12 > 0].min(), marginal_12.max() * 1e-6)
                   if np.any(marginal_12 > 0) else None)
    joint_axes.set_xlim(x[ix[0]], x[ix[1] - 1])
    joint_axes.set_ylim(y[iy[0]], y[iy[1] - 1])
    top.tick_params(labelbottom=False)
    right.tick_params(labelleft=False)
    save_figure(figure, path, dpi=120)
    return path
