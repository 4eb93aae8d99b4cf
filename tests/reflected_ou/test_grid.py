"""The Markov-chain (grid) reference: exact identities, convergence in delta, truncation mass."""
import numpy as np
import pytest

from reflected_ou import Params
from reflected_ou.box import Box
from reflected_ou.grid import solve_chain, solve_grid
from reflected_ou.identities import evaluate, stationary_identities

CASES = [Params.paper_example(), Params.homogeneous(1.0), Params.normalised((3.0, 1.5, 0.5), (0.2, 0.3, 0.5), 1.5)]


@pytest.fixture(scope="module", params=range(len(CASES)), ids=["paper", "jsq", "three-pools"])
def solved(request):
    params = CASES[request.param]
    return params, solve_grid(params, 0.05)


def test_identities_within_0_1_percent(solved):
    params, grid = solved
    for identity in stationary_identities(params):
        scale = max(abs(identity.exact), abs(grid.moments["U_rate"]), 1e-12)
        assert abs(evaluate(identity, grid.moments) - identity.exact) < 1e-3 * scale, identity.name


def test_chain_keeps_the_mean_identity_exactly_up_to_truncation(solved):
    params, grid = solved
    for law in (grid.coarse, grid.fine):
        assert law.truncation_mass < 1e-6
        assert abs(law.moments["Y_M1"] + params.beta / params.mu_M) < 1e-6


def test_richardson_improves_on_the_fine_grid(solved):
    """The extrapolated second identity is closer to 1 than either grid (O(delta) -> O(delta^2))."""
    params, grid = solved
    second = stationary_identities(params)[1]
    errors = [abs(evaluate(second, m) - 1) for m in (grid.coarse.moments, grid.fine.moments, grid.moments)]
    assert errors[2] < errors[1] < errors[0]


def test_density_is_a_probability_density(solved):
    _, grid = solved
    y_M1, y_12, density = grid.density()
    assert np.all(density >= 0)
    assert abs(density.sum() * grid.fine.delta**2 - 1) < 1e-12


def test_small_box_reports_truncation_mass():
    params = Params.homogeneous(1.0)
    law = solve_chain(params, 0.1, Box(y_M1_low=-2.0, y_12_high=2.0))
    assert law.truncation_mass > 1e-3


def test_bad_grid_input():
    with pytest.raises(ValueError, match="delta must be finite and > 0"):
        solve_grid(Params.paper_example(), 0.0)
    with pytest.raises(ValueError, match="grid nodes"):
        solve_chain(Params.paper_example(), 1e-3)


def test_tails_are_probabilities_and_the_projection_only_removes_overshoot(solved):
    """Extrapolated tails lie in [0, 1] and are within 1e-3 of 1 where the truth is 1 (the raw
    extrapolation 2 p(delta/2) - p(delta) of P(-Y_M1 > 0) overshot 1 by 1.2e-5 on the paper's
    example); the projection changes a value only where the raw one leaves [0, 1]."""
    from reflected_ou.grid import _lattice_tail
    _, grid = solved
    ys = np.linspace(-1.0, 6.0, 141)
    raw = {
        "Y_12": 2 * _lattice_tail(grid.fine.y_12, grid.fine.mass.sum(axis=0), grid.fine.delta, ys)
        - _lattice_tail(grid.coarse.y_12, grid.coarse.mass.sum(axis=0), grid.coarse.delta, ys),
        "idle": 2 * _lattice_tail(-grid.fine.y_M1, grid.fine.mass.sum(axis=1), grid.fine.delta, ys)
        - _lattice_tail(-grid.coarse.y_M1, grid.coarse.mass.sum(axis=1), grid.coarse.delta, ys),
    }
    for name, tail in (("Y_12", grid.tail_Y_12(ys)), ("idle", grid.tail_idle(ys))):
        assert tail.min() >= 0.0 and tail.max() <= 1.0
        inside = (raw[name] >= 0) & (raw[name] <= 1)
        np.testing.assert_array_equal(tail[inside], raw[name][inside])
        np.testing.assert_array_equal(tail[~inside], np.clip(raw[name][~inside], 0, 1))
    assert abs(grid.tail_idle(0.0) - 1.0) < 1e-3 and abs(grid.tail_Y_12(-1.0) - 1.0) < 1e-12


def test_the_overshoot_of_the_paper_example_is_projected():
    grid = solve_grid(Params.paper_example(), 0.05)
    assert grid.tail_idle(0.0) == 1.0


@pytest.mark.parametrize(
    "delta, box, rule",
    [
        (100.0, None, r"delta must be <= 1/10 of each side of the box .* use delta <= 1.25"),
        (1.0, None, r"delta = 1.0 is too coarse for this law: .*E\[Y_12\^2\] >= E\[Y_12\]\^2"),
        (0.5, None, "too coarse"),
        (0.05, Box(1.0, 2.0), "box must have finite y_M1_low < 0 and y_12_high > 0"),
        (0.05, Box(float("nan"), 2.0), "box must have finite"),
        (0.05, Box(-float("inf"), 2.0), "box must have finite"),
    ],
)
def test_grids_too_coarse_or_boxes_outside_the_domain_are_refused(delta, box, rule):
    with pytest.raises(ValueError, match=rule):
        solve_grid(Params.paper_example(), delta, box)
