"""Simulator against the exact solver: E[jobs], E[busy_j], E[>=2 jobs_j], P(all busy) within 3 s.e.

Three small heterogeneous systems, SA-JSQ, JSQ and one more policy each.  The exact solver truncates
at K jobs per server; K is chosen so that the truncation loss is < 1e-4 (asserted), a bias far below
the simulation's standard errors.  The simulator never truncates (it grows K).
"""
import numpy as np
import pytest

from ctmc import System, estimate_stationary, solve_exact

SYSTEMS = {
    "pools(2,6)": System((2, 6), (2.5, 0.5), 0.7 * 8.0),
    "pools(3,3)": System((3, 3), (2.0, 1.0), 0.75 * 9.0),
    "three pools": System((1, 2, 3), (3.0, 1.5, 0.5), 0.7 * 7.5),
}
CASES = [
    ("pools(2,6)", "sa-jsq", 5), ("pools(2,6)", "jsq", 5), ("pools(2,6)", "modified", 2),
    ("pools(3,3)", "sa-jsq", 6), ("pools(3,3)", "jsq", 6), ("pools(3,3)", "power-of-2", 8),
    ("three pools", "sa-jsq", 5), ("three pools", "jsq", 5), ("three pools", "sed", 14),
]


def flatten(metrics):
    out = {"jobs": metrics["jobs"], "p_all_busy": metrics["p_all_busy"]}
    for j, (b, g) in enumerate(zip(metrics["busy"], metrics["ge2"]), start=1):
        out[f"busy_{j}"], out[f"ge2_{j}"] = b, g
    return out


@pytest.mark.parametrize("system_name, policy, max_queue", CASES)
def test_simulator_matches_exact(system_name, policy, max_queue):
    system = SYSTEMS[system_name]
    exact = solve_exact(system, policy, max_queue=max_queue)
    assert exact.loss_probability < 1e-4
    # Burn-in of 300 time units: far beyond the relaxation time of these systems from empty.
    sim = estimate_stationary(system, policy, seed=2024, burn_in=300.0, horizon=1000.0, replicas=32,
                              progress=False)
    metrics = sim.metrics()
    expected, mean, stderr = flatten(exact.metrics()), flatten(metrics["mean"]), flatten(metrics["stderr"])
    for key in expected:
        # power: the 3-s.e. window is below 10% of max(value, 1)
        assert 3 * stderr[key] < 0.1 * max(abs(expected[key]), 1.0), (key, stderr[key])
        assert abs(mean[key] - expected[key]) < 3 * stderr[key], (key, mean[key], expected[key], stderr[key])
    # Lemma 6.1 part 1 in simulation: sum_k mu_k E[Q_k1] = L (1 - P(blocked)) within 3 s.e.
    value, err = sim.throughput_identity()
    assert abs(value) < 3 * err and err < 0.01 * system.arrival_rate


def test_levels_grow_without_truncation():
    """Starting with K = 1 the run must grow K and give exactly the result of a run with K = 16."""
    system = SYSTEMS["pools(3,3)"]
    kwargs = dict(seed=5, burn_in=5.0, horizon=50.0, replicas=4, progress=False)
    grown = estimate_stationary(system, "jsq", levels=1, **kwargs)
    wide = estimate_stationary(system, "jsq", levels=16, **kwargs)
    assert grown.levels > 1
    assert grown.mean == wide.mean
    np.testing.assert_array_equal(grown.final_occupancy, wide.final_occupancy[..., : grown.levels])
    assert np.all(wide.final_occupancy[..., grown.levels:] == 0)


def test_replica_streams_do_not_depend_on_replica_count():
    system = SYSTEMS["pools(2,6)"]
    kwargs = dict(seed=9, burn_in=2.0, horizon=20.0, progress=False, batches=4)
    two = estimate_stationary(system, "sa-jsq", replicas=2, **kwargs)
    four = estimate_stationary(system, "sa-jsq", replicas=4, **kwargs)
    np.testing.assert_array_equal(two.final_occupancy, four.final_occupancy[:2])
    np.testing.assert_allclose(two.stats.sums, four.stats.sums[:2], rtol=1e-12)


def test_histograms_are_time_weighted_lattice_laws():
    """The Y_+1 histogram's mean equals the time-averaged E[Y_+1] (same samples every step)."""
    system = SYSTEMS["pools(2,6)"]
    sim = estimate_stationary(system, "sa-jsq", seed=1, burn_in=50.0, horizon=400.0, replicas=8,
                              sample_every=1, block_steps=512, progress=False,
                              hist_ranges={"Y_+1": (-4.0, 12.0), "Y_M1": (-3.0, 0.0)})
    hist = sim.histograms["Y_+1"]
    assert hist.outside_mass() < 1e-12
    centres = hist.axes[0].centres
    (y1, _), _ = sim.y_plus_means()
    assert float(centres @ hist.probabilities()) == pytest.approx(y1, abs=1e-9)
    # E[Y_M1] from the lattice law equals the time average of (Q_M1 - N_M)/sqrt(n)
    hist = sim.histograms["Y_M1"]
    assert hist.outside_mass() < 1e-12
    assert float(hist.axes[0].centres @ hist.probabilities()) == pytest.approx(sim.scaled_mean(2, 1)[0], abs=1e-9)
    edges, tail = hist.tail()
    assert np.all(np.diff(tail) <= 1e-15) and tail[-1] == 0.0
