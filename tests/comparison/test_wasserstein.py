"""Exact W_1 (lattice law against a piecewise linear tail) against scipy.stats.wasserstein_distance,
the bootstrap noise floor against repeated independent samples, and the reference curves."""
import numpy as np
import pytest
from scipy.stats import wasserstein_distance

from comparison.reference import PiecewiseLinearTail, grid_tail_curve
from comparison.wasserstein import (bootstrap_w1, w1_lattice_to_lattice, w1_lattice_to_tail, w1_tail_to_tail)

CURVE = PiecewiseLinearTail(np.array([0.0, 1.0]), np.array([1.0, 0.0]))


def histogram_curve(samples, edges):
    """Tail of the histogram of ``samples`` on ``edges`` with each bin's mass spread evenly over it."""
    counts, _ = np.histogram(samples, edges)
    mass = counts / counts.sum()
    above = np.concatenate([np.cumsum(mass[::-1])[::-1], [0.0]])
    return PiecewiseLinearTail(edges, np.clip(above, 0.0, 1.0)), mass


def midpoints(edges, mass, per_bin):
    """``per_bin`` equally weighted points in each bin: W_1 to the evenly spread bin is width / (4 per_bin)."""
    left, width = edges[:-1], np.diff(edges)
    offsets = (np.arange(per_bin) + 0.5) / per_bin
    points = (left[:, None] + width[:, None] * offsets[None, :]).ravel()
    return points, np.repeat(mass / per_bin, per_bin)


def test_lattice_to_tail_matches_scipy():
    rng = np.random.default_rng(4)
    step = 0.07
    lattice_counts = np.bincount(rng.poisson(9.0, 5000))
    p = lattice_counts / lattice_counts.sum()
    edges = np.concatenate([[0.0], np.sort(rng.uniform(0.01, 2.5, 40)), [2.6]])  # uneven bins
    curve, mass = histogram_curve(rng.gamma(3.0, 0.25, 20000).clip(max=2.59), edges)
    per_bin = 400
    points, weights = midpoints(edges, mass, per_bin)
    expected = wasserstein_distance(step * np.arange(p.size), points, p, weights)
    tolerance = np.max(np.diff(edges)) / (4 * per_bin) + 1e-12  # W_1(curve, midpoints) bound
    assert abs(w1_lattice_to_tail(step, p, curve) - expected) <= tolerance
    # rows are independent laws
    rows = np.stack([p, np.roll(p, 3)])
    np.testing.assert_allclose(w1_lattice_to_tail(step, rows, curve)[0], w1_lattice_to_tail(step, p, curve), rtol=1e-12)


def test_lattice_to_lattice_and_tail_to_tail_match_scipy():
    rng = np.random.default_rng(5)
    step = 0.3
    p = np.bincount(rng.geometric(0.2, 3000) - 1, minlength=60)[:60].astype(float)
    q = np.bincount(rng.poisson(4.0, 3000), minlength=60)[:60].astype(float)
    p, q = p / p.sum(), q / q.sum()
    lattice = step * np.arange(60)
    assert w1_lattice_to_lattice(step, p, q)[0] == pytest.approx(wasserstein_distance(lattice, lattice, p, q), abs=1e-12)
    first_edges, second_edges = np.linspace(0.0, 3.0, 31), np.linspace(0.0, 3.0, 17) ** 1.2
    first, first_mass = histogram_curve(rng.exponential(0.5, 8000).clip(max=2.99), first_edges)
    second, second_mass = histogram_curve(rng.uniform(0.0, 2.0, 8000), second_edges)
    per_bin = 300
    expected = wasserstein_distance(*midpoints(first_edges, first_mass, per_bin)[:1],
                                    midpoints(second_edges, second_mass, per_bin)[0],
                                    midpoints(first_edges, first_mass, per_bin)[1],
                                    midpoints(second_edges, second_mass, per_bin)[1])
    tolerance = (np.diff(first_edges).max() + np.diff(second_edges).max()) / (4 * per_bin) + 1e-12
    assert abs(w1_tail_to_tail(first, second) - expected) <= tolerance


def test_w1_bounds_the_mean_difference():
    """|E X - E Y| <= W_1 (Kantorovich-Rubinstein with f(x) = x), for a lattice law and a curve."""
    rng = np.random.default_rng(6)
    step = 0.05
    p = np.bincount(rng.binomial(40, 0.3, 4000)) / 4000
    curve, _ = histogram_curve(rng.normal(0.6, 0.2, 4000).clip(0.0, 1.49), np.linspace(0.0, 1.5, 76))
    lattice_mean = step * np.dot(np.arange(p.size), p)
    assert abs(lattice_mean - curve.integral()) <= w1_lattice_to_tail(step, p, curve) + 1e-12


def test_bootstrap_floor_and_spread_match_repeated_samples():
    """Over independent data sets from a known lattice law P: the bootstrap floor estimates E W_1(P_hat, P)
    and the spread the standard deviation of W_1(P_hat, G); both within 3 standard errors of the truth."""
    rng = np.random.default_rng(7)
    step, batches, per_batch, repeats = 0.1, 32, 200, 40
    law = np.bincount(rng.geometric(0.15, 200000) - 1, minlength=80)[:80].astype(float)
    law /= law.sum()
    # a curve G near (not equal to) P: its lattice tail, linear across each lattice cell
    tail = np.concatenate([np.cumsum(law[::-1])[::-1][1:], [0.0]])
    curve = PiecewiseLinearTail(step * np.arange(81), np.concatenate([[1.0], tail]))
    true_w1, floors, to_curve, spreads = [], [], [], []
    for _ in range(repeats):
        counts = rng.multinomial(per_batch, law, size=batches)
        estimate = bootstrap_w1(step, counts, curve, draws=200, seed=1)
        pooled = counts.sum(axis=0) / counts.sum()
        true_w1.append(w1_lattice_to_lattice(step, pooled, law)[0])
        floors.append(estimate.floor)
        to_curve.append(estimate.value)
        spreads.append(estimate.spread)
    se = np.hypot(np.std(true_w1, ddof=1), np.std(floors, ddof=1)) / np.sqrt(repeats)
    assert abs(np.mean(floors) - np.mean(true_w1)) < 3 * se
    actual_spread = np.std(to_curve, ddof=1)
    spread_se = np.hypot(actual_spread / np.sqrt(2 * (repeats - 1)), np.std(spreads, ddof=1) / np.sqrt(repeats))
    assert abs(np.mean(spreads) - actual_spread) < 3 * spread_se


def test_grid_curve_is_the_grid_tail():
    from reflected_ou import Params
    from reflected_ou.grid import solve_grid

    grid = solve_grid(Params.paper_example(), 0.1)
    y = np.random.default_rng(8).uniform(0.0, 6.0, 2000)
    for name, tail in (("idle", grid.tail_idle), ("Y_12", grid.tail_Y_12)):
        curve = grid_tail_curve(grid, name)
        # exact wherever the tail at both neighbouring knots lies strictly inside (0, 1): the grid's
        # projection onto [0, 1] left the (linear) segment between them alone
        right = np.searchsorted(curve.knots, y, side="right")
        inside = (tail(curve.knots) > 0) & (tail(curve.knots) < 1)
        keep = inside[right - 1] & inside[np.minimum(right, curve.knots.size - 1)]
        assert keep.sum() > 200
        np.testing.assert_allclose(curve(y[keep]), tail(y[keep]), atol=1e-12)
    with pytest.raises(ValueError, match="unknown marginal"):
        grid_tail_curve(grid, "Y_11")


@pytest.mark.parametrize("knots, values, message", [
    ([0.0, 1.0], [1.0], "same length"),
    ([0.0, 0.0, 1.0], [1.0, 0.5, 0.0], "strictly increasing"),
    ([0.0, 1.0], [1.2, 0.0], r"\[0, 1\]"),
    ([0.0, np.nan], [1.0, 0.0], "finite"),
])
def test_curve_rejects_bad_input(knots, values, message):
    with pytest.raises(ValueError, match=message):
        PiecewiseLinearTail(np.array(knots), np.array(values))


def test_bootstrap_rejects_bad_input():
    curve = PiecewiseLinearTail(np.array([0.0, 1.0]), np.array([1.0, 0.0]))
    with pytest.raises(ValueError, match="batches >= 2"):
        bootstrap_w1(0.1, np.ones((1, 5)), curve)
    with pytest.raises(ValueError, match="draws must be an integer >= 2"):
        bootstrap_w1(0.1, np.ones((4, 5)), curve, draws=1)


def test_lattice_law_of_a_histogram_has_the_histograms_tail():
    """comparison.convergence.lattice_law (general kernel's histograms) against lattice_tail, exactly."""
    from comparison.convergence import lattice_law, lattice_tail
    from comparison.wasserstein import tails_after
    from ctmc import System
    from ctmc.stationary import LatticeHistograms

    system = System((2, 7), (2.0, 0.5), 6.0)  # n = 9, lattice step 1/3
    rng = np.random.default_rng(9)
    samples = np.zeros((50, 3, 2, 4), np.int32)
    samples[..., 0] = rng.integers(0, 8, size=(50, 3, 2))
    samples[..., 1] = rng.integers(0, 2, size=(50, 3, 2)) * (samples[..., 0] > 0)
    hists = LatticeHistograms(system, {"Y_12": (0.0, 2.0), "Y_M1": (-2.0, 0.0)})
    hists.add(0, samples, 1.0)
    k = np.arange(8)
    law = lattice_law(hists.histograms["Y_12"], 3.0, "Y_12")
    middle = (k[:7] + 0.5) / 3.0  # P(X > k) = P(X > k + 1/2) on the lattice (no ties with the lattice points)
    np.testing.assert_allclose(tails_after(law)[0][:7], lattice_tail(hists.histograms["Y_12"], middle), atol=1e-12)
    idle = lattice_law(hists.histograms["Y_M1"], 3.0, "idle")
    below = lattice_tail(hists.histograms["Y_M1"], -middle)  # P(Y_M1 > -(k + 1/2)/3) = P(idle <= k)
    np.testing.assert_allclose(tails_after(idle)[0][:7], 1.0 - below, atol=1e-12)
    with pytest.raises(ValueError, match="must have an end at 0"):
        lattice_law(LatticeHistograms(system, {"Y_12": (1.0, 2.0)}).histograms["Y_12"], 3.0, "Y_12")


@pytest.mark.parametrize("call, rule", [
    (lambda: w1_lattice_to_lattice(-0.5, [0.5, 0.3, 0.2], [0.2, 0.8]), "step must be finite and > 0"),  # gave -0.25
    (lambda: w1_lattice_to_lattice(0.5, [0.5, 0.3, 0.3], [0.2, 0.8]), "each row of probabilities must sum to 1"),
    (lambda: w1_lattice_to_lattice(0.5, [0.5, 0.5], [1.2, -0.2]), "others must be finite and >= 0"),
    (lambda: w1_lattice_to_tail(float("nan"), [0.5, 0.5], CURVE), "step must be finite and > 0"),  # gave 0.0
    (lambda: w1_lattice_to_tail(0.1, [0.5, 0.5], CURVE, lower=float("nan")), "lower must be finite"),  # gave 0.0
    (lambda: w1_lattice_to_tail(0.1, [np.nan, 1.0], CURVE), "probabilities must be finite and >= 0"),
    (lambda: bootstrap_w1(0.1, np.zeros((3, 4)), CURVE), "every batch non-empty"),  # NaN with a warning
    (lambda: bootstrap_w1(0.1, np.full((3, 4), np.nan), CURVE), "batch_counts must be finite"),
    (lambda: bootstrap_w1(0.1, np.ones((3, 4)), CURVE, draws=2.5), "draws must be an integer >= 2"),
])
def test_distances_refuse_what_is_not_a_law(call, rule):
    with pytest.raises(ValueError, match=rule):
        call()
