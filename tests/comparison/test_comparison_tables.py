"""Comparison layer: lattice tails and W_1, Proposition 7.1 exactly at small n, the exact
speed-random formula, and the ``reflected-ou compare`` command on a tiny study."""
import json
import math

import numpy as np
import pytest

from comparison.convergence import lattice_tail
from comparison.fit import loglog_slope
from comparison.optimality import speed_random_exact
from ctmc import System, solve_exact
from ctmc.stationary import LatticeHistograms
from reflected_ou.cli import main


def test_lattice_tail_is_exact_for_sampled_values():
    system = System((2, 7), (2.0, 0.5), 6.0)
    rng = np.random.default_rng(1)
    samples = np.zeros((50, 3, 2, 4), np.int32)
    samples[..., 0] = rng.integers(0, 3, size=(50, 3, 2))
    samples[..., 1] = rng.integers(0, 2, size=(50, 3, 2)) * (samples[..., 0] > 0)
    samples[..., 3] = samples[..., 0] + samples[..., 1]
    hists = LatticeHistograms(system, {"Y_12": (0.0, 2.0), "Y_+1": (-4.0, 0.0)})
    hists.add(0, samples, 1.0)
    values = hists.lattice_values(samples)
    y = np.linspace(-4.2, 1.0, 53)
    for name in ("Y_12", "Y_+1"):
        expected = (values[name][..., None] / 3.0 > y).mean(axis=(0, 1))
        np.testing.assert_allclose(lattice_tail(hists.histograms[name], y), expected, atol=1e-12)


def test_loglog_slope_recovers_power():
    ns = np.array([100, 1000, 10000])
    assert loglog_slope(ns, 3.0 * ns ** -0.5) == pytest.approx(-0.5)
    assert math.isnan(loglog_slope(ns, [0.0, 0.0, 1.0]))


def test_speed_random_product_form_against_exact_solver():
    system = System((1, 2), (2.0, 1.0), 2.4)  # rho = 0.6
    exact = solve_exact(system, "speed-random", max_queue=40)
    assert exact.loss_probability < 1e-8
    assert speed_random_exact(system)["E_jobs"] == pytest.approx(exact.metrics()["jobs"], rel=1e-7)


def test_proposition_7_1_stochastic_order_exactly():
    """P(total jobs > m) of the modified system <= that of every policy, for every m (n = 5)."""
    system = System((2, 3), (2.0, 1.0), 0.6 * 7.0)
    modified = solve_exact(system, "modified", max_queue=2)
    jobs_mod = modified.states.sum(axis=(1, 2))
    m = np.arange(0, 20)
    tail_mod = np.array([modified.expect(jobs_mod > k) for k in m])
    waiting_mod = np.array([modified.expect(modified.states[:, :, 1:].sum(axis=(1, 2)) > k) for k in m])
    # speed-random is a product of M/M/1 queues (tested against its closed form above)
    levels = {"sa-jsq": 7, "jsq": 7, "sed": 9, "jiq": 10, "power-of-2": 9}
    for policy, k in levels.items():
        exact = solve_exact(system, policy, max_queue=k)
        assert exact.loss_probability < 1e-4, policy
        jobs = exact.states.sum(axis=(1, 2))
        waiting = exact.states[:, :, 1:].sum(axis=(1, 2))
        tail = np.array([exact.expect(jobs > k) for k in m])
        tail_wait = np.array([exact.expect(waiting > k) for k in m])
        assert np.all(tail_mod <= tail + 1e-12), policy
        assert np.all(waiting_mod <= tail_wait + 1e-12), policy
        assert exact.metrics()["jobs"] > modified.metrics()["jobs"]


def test_compare_cli_tiny_study(tmp_path):
    out = tmp_path / "cmp"
    code = main(["compare", "--out", str(out), "--ns", "100", "400", "--horizon", "10", "--burn-in", "2",
                 "--replicas", "2", "--stein-ns", "100", "400", "--policy-n", "100", "--tail-ns", "100",
                 "--policy-horizon", "10", "--mc-horizon", "10", "--skip", "figures", "--no-progress"])
    assert code == 0
    report = json.loads((out / "compare.json").read_text())
    assert [r["n"] for r in report["convergence"]["rows"]] == [100, 400]
    assert set(report["convergence"]["slopes"]) == {"err_Y_M1", "err_Y_M1_lemma", "err_Y_12", "W1_Y_M1", "W1_Y_12"}
    assert all(r["W1_Y_M1"] > 0 for r in report["convergence"]["rows"])
    stein = report["stein"]["rows"]
    assert {f"sqrt_n_{t}" for t in ("6.5", "6.15", "eps")} <= set(stein[0])
    table = report["policies"][0]
    policies = {r["policy"]: r for r in table["rows"]}
    assert not policies["random"]["stable"] and not policies["power-of-2"]["stable"]
    assert policies["speed-random"]["exact"]
    assert (out / "compare.md").read_text().startswith("## (b)")
    assert (out / "tails_theorem_3_6.png").stat().st_size > 10_000
