"""Monte Carlo reference for the stationary law of Y_12 in (3.9)-(3.10), fine enough for W_1 at large n.

Why not the grid of ``reflected_ou.grid``.  At the paper's example E[Y_12] = 0.0098, and Y_12 is a
shot-noise-like process: pushed up by U_1 only while Y_M1 = 0 (rarely: E[Y_M1] = -3.2), then decaying
like exp(-mu_1 t).  Its stationary law spreads over many decades: P(Y_12 > 1e-4) = 0.08,
P(Y_12 > 0.003) = 0.053, P(Y_12 > 0.1) = 0.020 (this module, dt = 0.005).  The grid chain moves Y_12
in steps of its spacing delta (the reflected move (0, l) -> (0, l + 1)), so everything below delta sits
in its first cell: with delta = 0.05 / 0.025 (Richardson) the grid gives P(Y_12 > 0.003) = 0.38 and
P(Y_12 > 0.01) = 0.10, with 0.025 / 0.0125 0.26 and 0.025, against 0.053 and 0.042.  Its moments stay right (E[Y_12] = 0.009815 vs
0.009822 at delta/2; the mean is what it was built for) and its tail agrees for y >= 0.03, but the
lattice of Y_12^(n) has spacing n^(-1/2) = 0.003 at n = 10^5, and a grid fine enough in both directions
(a push of size delta must be small against 0.003) exceeds the sparse solver by orders of magnitude.

So the reference tail of Y_12 comes from ``reflected_ou.stationary.estimate_stationary`` with the
Lepingle scheme (weak order 1, NOTES), a small dt and one fine histogram axis over [0, high].  Its own
error, each part reported by :meth:`MonteCarloTail.errors`:

* sampling noise: bootstrap over the time batches of the histogram, floor = mean W_1(G*, G_hat);
* binning: the mass of a bin is spread evenly over it, which moves no mass further than one bin width
  w, and by at most w/2 on average: W_1 <= w/2;
* truncation: the mass above ``high`` is dropped; for large y Y_M1 sticks to 0 and Y_12 moves like a
  Brownian motion with drift -beta (``reflected_ou.box``), so the dropped integral is about
  P(Y_12 > high) / beta;
* time step: not estimable from one run; compare two dt (the study script does: W_1 between the
  references at dt and 2 dt, against their noise floors) and E[Y_12] with the grid's.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from reflected_ou.box import Box, default_box
from reflected_ou.params import Params
from rou_common.checks import check_finite_positive
from reflected_ou.stationary import estimate_stationary

from .reference import PiecewiseLinearTail
from .wasserstein import abs_linear_integral


@dataclass(frozen=True)
class MonteCarloTail:
    """P(Y_12 > y) at the bin ``edges`` (pooled ``curve`` and per time batch ``batch_above`` / ``batch_total``)."""

    params: Params
    dt: float
    horizon: float
    paths: int
    curve: PiecewiseLinearTail = field(repr=False)
    batch_above: np.ndarray = field(repr=False)  # (K, edges) counts at or above each edge
    batch_total: np.ndarray = field(repr=False)  # (K,)
    mean: float
    mean_stderr: float

    @property
    def bin_width(self) -> float:
        return float(self.curve.knots[1] - self.curve.knots[0])

    def bootstrap_floor(self, draws: int = 100, seed: int = 0) -> float:
        """Mean W_1(G*, G_hat) over resamples of the K time batches (same knots: exact per segment)."""
        k = self.batch_total.size
        weights = np.random.default_rng(seed).multinomial(k, np.full(k, 1 / k), size=draws)
        lengths = np.diff(self.curve.knots)
        distances = []
        for row in weights:
            values = (row @ self.batch_above) / (row @ self.batch_total)
            gap = values - self.curve.values
            distances.append(abs_linear_integral(lengths, gap[:-1], gap[1:]).sum())
        return float(np.mean(distances))

    def errors(self, draws: int = 100, seed: int = 0) -> dict:
        """The parts of the reference's own W_1 error (module docstring); ``total`` adds them."""
        parts = {"noise_floor": self.bootstrap_floor(draws, seed), "binning": self.bin_width / 2,
                 "truncation": float(self.curve.values[-1]) / self.params.beta}
        parts["total"] = sum(parts.values())
        return parts


def monte_carlo_tail(params: Params, *, dt: float = 0.005, horizon: float = 2000.0, paths: int = 4096,
                     seed: int = 0, burn_in: float = 50.0, bin_width: float = 5e-5, high: float = 4.0,
                     batches: int = 20, progress: bool = False) -> MonteCarloTail:
    """Run the Lepingle scheme and return the tail of Y_12 on the edges k ``bin_width`` of [0, high]."""
    bin_width = check_finite_positive("bin_width", bin_width)
    high = check_finite_positive("high", high)
    count = int(round(high / bin_width))
    if count < 1 or abs(count * bin_width - high) > 1e-9 * high:
        raise ValueError(f"high must be a whole number of bin widths, got high = {high}, bin_width = {bin_width}")
    box = Box(default_box(params).y_M1_low, high)
    result = estimate_stationary(params, seed=seed, dt=dt, burn_in=burn_in, horizon=horizon, replicas=paths,
                                 scheme="lepingle", batches=batches, bins=(1, count), box=box, progress=progress)
    hist = result.hist_Y_12
    above = np.cumsum(hist.batch_counts[:, ::-1], axis=1)[:, ::-1][:, 1:]  # counts >= each edge (as Histogram.tail)
    total = hist.batch_counts.sum(axis=1)
    curve = PiecewiseLinearTail(hist.axes[0].edges, above.sum(axis=0) / total.sum())
    return MonteCarloTail(params, dt, result.horizon, paths, curve, above, total, result.mean["Y_12"],
                          result.stderr["Y_12"])
