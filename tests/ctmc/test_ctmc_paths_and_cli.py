"""Paths on a time grid and the ``reflected-ou ctmc`` command."""
import json

import numpy as np
import pytest

from ctmc import System, simulate_paths
from reflected_ou.cli import main
from reflected_ou.params import Params


def test_paths_shapes_scaling_and_conservation():
    system = System.from_params(Params.paper_example(), 100)
    initial = np.zeros((2, 1), np.int32)
    initial[:, 0] = (20, 80)  # every server busy with one job
    paths = simulate_paths(system, "sa-jsq", seed=3, horizon=5.0, dt=0.5, replicas=3, initial=initial, levels=1)
    q = paths.occupancy
    assert q.shape[:2] == (3, 11) and q.shape[2] == 2
    np.testing.assert_array_equal(q[:, 0, :, :1], np.broadcast_to(initial, (3, 2, 1)))
    assert np.all(q[:, 0, :, 1:] == 0) and q.shape[-1] > 1
    assert np.all(np.diff(q, axis=-1) <= 0) and np.all(q[..., 0] <= np.array(system.servers))
    y = paths.scaled
    np.testing.assert_allclose(y[:, :, 0, 0], (q[:, :, 0, 0] - 20) / 10.0)
    y1, y2 = paths.y_plus
    np.testing.assert_allclose(y1, (q.sum(axis=(2, 3)) - 100) / 10.0)
    np.testing.assert_allclose(y2, q[..., 1:].sum(axis=(2, 3)) / 10.0)
    # started with K = 1 level; jobs at level >= 2 appear, so K grew instead of truncating
    again = simulate_paths(system, "sa-jsq", seed=3, horizon=5.0, dt=0.5, replicas=3, initial=initial, levels=32)
    np.testing.assert_array_equal(again.occupancy[..., : q.shape[-1]], q)


def test_paths_preserve_the_stationary_law():
    """Replicas started from the exact stationary law are still stationary at t = 1 (Poisson clock)."""
    from ctmc import solve_exact

    system = System((1, 2), (2.0, 1.0), 2.4)
    exact = solve_exact(system, "jsq", max_queue=8)
    rng = np.random.default_rng(0)
    starts = exact.states[rng.choice(exact.size, size=4000, p=exact.pi)]
    paths = simulate_paths(system, "jsq", seed=1, horizon=1.0, dt=1.0, replicas=4000, initial=starts)
    jobs = paths.occupancy[:, -1].sum(axis=(1, 2))
    stderr = jobs.std(ddof=1) / np.sqrt(jobs.size)
    assert abs(jobs.mean() - exact.metrics()["jobs"]) < 3 * stderr
    assert not np.array_equal(paths.occupancy[:, -1], paths.occupancy[:, 0])


def test_cli_simulation_json(tmp_path):
    out = tmp_path / "ctmc.json"
    code = main(["ctmc", "--servers", "2", "6", "--mu", "2.5", "0.5", "--arrival-rate", "5.6", "--horizon", "100",
                 "--burn-in", "20", "--replicas", "4", "--no-progress", "--json", str(out)])
    assert code == 0
    data = json.loads(out.read_text())
    for part in ("mean", "stderr"):
        assert set(data[part]) == {"jobs", "busy", "ge2", "p_all_busy"}
        assert len(data[part]["busy"]) == 2 and len(data[part]["ge2"]) == 2
    assert 0 < data["mean"]["p_all_busy"] < 1 and data["stderr"]["jobs"] > 0


def test_cli_exact_json_agrees_with_library(tmp_path):
    from ctmc import solve_exact

    out = tmp_path / "exact.json"
    code = main(["ctmc", "--servers", "2", "3", "--mu", "2", "1", "--arrival-rate", "4.9", "--exact",
                 "--max-queue", "4", "--json", str(out)])
    assert code == 0
    data = json.loads(out.read_text())
    expected = solve_exact(System((2, 3), (2.0, 1.0), 4.9), "sa-jsq", max_queue=4).metrics()
    assert data["mean"]["jobs"] == pytest.approx(expected["jobs"], rel=1e-12)
    assert data["stderr"]["busy"] == [0.0, 0.0]


@pytest.mark.parametrize("argv, message", [
    (["ctmc", "--n", "100", "--policy", "nope"], "unknown policy"),
    (["ctmc", "--n", "100", "--policy", "random"], "unstable"),
    (["ctmc", "--servers", "2", "0", "--mu", "2", "1", "--arrival-rate", "1"], "servers"),
    (["ctmc", "--servers", "2", "3", "--mu", "2", "1", "--arrival-rate", "9"], "unstable"),
    (["ctmc", "--servers", "2", "3", "--mu", "2", "1"], "arrival-rate"),
    (["ctmc", "--servers", "2", "3", "--mu", "2", "1", "--arrival-rate", "4", "--exact", "--max-queue", "0"], "max_queue"),
    (["ctmc", "--servers", "2", "2", "--mu", "2", "1", "--arrival-rate", "1", "--policy", "power-of-d",
      "--d", "5"], "d <= n"),
])
def test_cli_bad_input_exit_2(argv, message, capsys):
    assert main(argv) == 2
    assert message in capsys.readouterr().err
