"""Bad input raises ValueError naming the rule."""
import pytest

from ctmc import System, estimate_stationary, make_policy, simulate_paths, solve_exact
from reflected_ou.params import Params


@pytest.mark.parametrize("kwargs, match", [
    (dict(servers=(2, 6), speeds=(2.5, 0.5), arrival_rate=8.0), "unstable"),
    (dict(servers=(2, 0), speeds=(2.5, 0.5), arrival_rate=1.0), "servers"),
    (dict(servers=(2, 1.5), speeds=(2.5, 0.5), arrival_rate=1.0), "servers"),
    (dict(servers=(2, 6), speeds=(0.5, 2.5), arrival_rate=1.0), "strictly decreasing"),
    (dict(servers=(2, 6), speeds=(2.5, -0.5), arrival_rate=1.0), "speeds"),
    (dict(servers=(2, 6), speeds=(2.5,), arrival_rate=1.0), "one entry per pool"),
    (dict(servers=(2, 6), speeds=(2.5, 0.5), arrival_rate=float("nan")), "arrival_rate"),
])
def test_bad_system(kwargs, match):
    with pytest.raises(ValueError, match=match):
        System(**kwargs)


def test_unknown_policy_and_bad_d():
    with pytest.raises(ValueError, match="unknown policy"):
        make_policy("shortest-ever")
    with pytest.raises(ValueError, match="d >= 1"):
        make_policy("power-of-d", d=0)


def test_d_larger_than_n_and_unstable_policies():
    small = System((1, 2), (2.0, 1.0), 2.0)
    with pytest.raises(ValueError, match="d <= n"):
        estimate_stationary(small, make_policy("power-of-d", d=4), seed=0, burn_in=1, horizon=1, progress=False)
    paper = System.from_params(Params.paper_example(), 100)
    with pytest.raises(ValueError, match="mu_M"):
        solve_exact(paper, "random", max_queue=2)
    with pytest.raises(ValueError, match="capacity"):
        simulate_paths(paper, "power-of-2", seed=0, horizon=1.0, dt=0.5)


def test_bad_run_parameters():
    system = System((2, 6), (2.5, 0.5), 6.4)
    with pytest.raises(ValueError, match="max_queue"):
        solve_exact(system, "sa-jsq", max_queue=0)
    with pytest.raises(ValueError, match="max_states"):
        solve_exact(system, "jsq", max_queue=4, max_states=100)
    with pytest.raises(ValueError, match="horizon"):
        estimate_stationary(system, "jsq", seed=0, burn_in=0, horizon=-1.0, progress=False)
    with pytest.raises(ValueError, match="multiple of dt"):
        simulate_paths(system, "jsq", seed=0, horizon=1.0, dt=0.3)
    with pytest.raises(ValueError, match="levels"):
        estimate_stationary(system, "modified", seed=0, burn_in=0, horizon=1.0, levels=5, progress=False)
    for dtype in ("float16", "int32", "complex64"):  # float16 gave NaN statistics
        with pytest.raises(ValueError, match="dtype must be float32 or float64"):
            estimate_stationary(system, "sa-jsq", seed=0, burn_in=0, horizon=1.0, progress=False, dtype=dtype)
        with pytest.raises(ValueError, match="dtype must be float32 or float64"):
            simulate_paths(system, "jsq", seed=0, horizon=1.0, dt=0.5, dtype=dtype)


def test_bad_run_types_and_ranges():
    system = System((2, 6), (2.5, 0.5), 6.4)
    run = dict(seed=0, burn_in=0, horizon=1.0, progress=False)
    for levels in (2.7, True, "3"):  # accepted silently before
        with pytest.raises(ValueError, match="levels must be an integer >= 1"):
            simulate_paths(system, "jsq", seed=0, horizon=1.0, dt=0.5, levels=levels)
    with pytest.raises(ValueError, match="max_levels must be an integer >= 1"):
        simulate_paths(system, "jsq", seed=0, horizon=1.0, dt=0.5, max_levels=-4)
    with pytest.raises(ValueError, match="seed must be an integer >= 0"):  # TypeError before
        simulate_paths(system, "jsq", seed=1.5, horizon=1.0, dt=0.5)
    with pytest.raises(ValueError, match="policy must be a policy name or a ctmc Policy"):  # AttributeError
        estimate_stationary(system, 3, **run)
    with pytest.raises(ValueError, match="burn_in must be finite and >= 0"):  # TypeError before
        estimate_stationary(system, "jsq", **dict(run, burn_in="1"))
    with pytest.raises(ValueError, match="span .* lattice points"):  # MemoryError before
        estimate_stationary(system, "jsq", hist_ranges={"Y_12": (0.0, 1e12)}, **run)
    with pytest.raises(ValueError, match="hist_ranges must be finite"):
        estimate_stationary(system, "jsq", hist_ranges={"Y_12": (0.0, float("nan"))}, **run)
