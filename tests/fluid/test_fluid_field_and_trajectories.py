"""Fluid model (6.40)-(6.59): vector field, closed-form trajectories vs solve_ivp with events,
hitting time (E.3), scaling between fluid and diffusion scale, homogeneous limit, bad input."""
from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fluid import (
    free_trajectory,
    gap_function,
    hitting_time,
    in_sliding_set,
    integrate_trajectory,
    trajectory,
    trajectory_phases,
    vector_field,
)
from reflected_ou.drift import limit_drift
from reflected_ou.params import Params

EXAMPLE = Params.paper_example()
PAPER = dict(beta=EXAMPLE.beta, mu_1=EXAMPLE.mu_1, mu_M=EXAMPLE.mu_M)


@st.composite
def fluid_parameters(draw, homogeneous=False):
    beta = draw(st.floats(0.2, 5.0))
    mu_1 = draw(st.floats(0.5, 5.0))
    ratio = 1.0 if homogeneous else draw(st.floats(0.05, 0.95))
    n = draw(st.sampled_from([1, 2, 7, 50, 400, 10_000]))
    return dict(beta=beta, mu_1=mu_1, mu_M=mu_1 * ratio, n=n)


def random_points(rng, count, p):
    """Points of Omega in a box of a few natural lengths, plus points on the axis (fluid scale)."""
    scale = max(p["beta"] / p["mu_M"], p["beta"] / p["mu_1"]) / math.sqrt(p["n"])
    x1 = -3.0 * scale * rng.random(count)
    x2 = 6.0 * scale * rng.random(count)
    x1[: count // 8] = 0.0
    return np.stack([x1, x2], -1)


def test_vector_field_is_limit_drift_off_sliding_set_and_constant_on_it():
    rng = np.random.default_rng(1)
    pts = random_points(rng, 400, dict(PAPER, n=1))
    field = vector_field(pts, **PAPER)
    sliding = in_sliding_set(pts, **PAPER)
    assert sliding.any() and (~sliding).any()
    b1, b2 = limit_drift(pts[:, 0], pts[:, 1], PAPER["beta"], PAPER["mu_1"], PAPER["mu_M"])
    np.testing.assert_array_equal(field[~sliding, 0], b1[~sliding])
    np.testing.assert_array_equal(field[~sliding, 1], b2[~sliding])
    np.testing.assert_array_equal(field[sliding], np.tile([0.0, -PAPER["beta"]], (sliding.sum(), 1)))
    # Omega-bar is x_1 = 0, x_2 > beta/mu_1 (6.39)
    np.testing.assert_array_equal(sliding, (pts[:, 0] == 0) & (pts[:, 1] > PAPER["beta"] / PAPER["mu_1"]))


@pytest.mark.parametrize("n", [1, 4, 100, 12345])
def test_vector_field_scaling_between_fluid_and_diffusion_scale(n):
    rng = np.random.default_rng(n)
    y = random_points(rng, 300, dict(PAPER, n=1))
    fluid = vector_field(y / math.sqrt(n), n=n, **PAPER)
    diffusion = vector_field(y, **PAPER)
    np.testing.assert_allclose(fluid, diffusion / math.sqrt(n), rtol=1e-14, atol=1e-15)


def test_vector_field_accepts_jax_arrays_and_batch_shapes():
    pts = jnp.array([[[-1.0, 2.0], [0.0, 3.0]], [[-0.5, 0.0], [0.0, 0.1]]])
    out = vector_field(pts, **PAPER)
    assert out.shape == (2, 2, 2)
    np.testing.assert_allclose(out[0, 1], [0.0, -2.0])


def _relative_trajectory_error(x, t, p):
    closed = trajectory(x, t, **p)
    numeric = integrate_trajectory(x, t, **p)
    scale = max(abs(x[0]), x[1], p["beta"] / (p["mu_M"] * math.sqrt(p["n"])))
    return np.max(np.abs(closed - numeric.v)) / scale, numeric


@settings(max_examples=20, deadline=None, derandomize=True)
@given(fluid_parameters(), st.integers(0, 2**31 - 1))
def test_closed_form_trajectory_matches_solve_ivp_with_events(p, seed):
    rng = np.random.default_rng(seed)
    pts = random_points(rng, 12, p)
    t = np.linspace(0.0, 8.0 / p["mu_M"], 60)
    phases = trajectory_phases(pts, **p)
    for i, x in enumerate(pts):
        # skip near-tangential contact with the axis (start close to Gamma^(beta/mu_1)): ill-conditioned
        z = phases.entry_height[i]
        if np.isfinite(phases.hitting_time[i]) and x[0] < 0 and z < 1.01 * p["beta"] / (p["mu_1"] * math.sqrt(p["n"])):
            continue
        err, numeric = _relative_trajectory_error(x, t, p)
        assert err < 1e-8, (x, err)
        if np.isfinite(phases.hitting_time[i]) and x[0] < 0:
            assert numeric.hitting_time == pytest.approx(phases.hitting_time[i], rel=1e-8)
            assert numeric.exit_time == pytest.approx(phases.exit_time[i], rel=1e-8)
        elif x[0] < 0:
            assert numeric.hitting_time == math.inf


def test_trajectory_enters_and_leaves_the_sliding_set():
    x = np.array([-0.5, 6.0])
    t = np.linspace(0.0, 5.0, 501)
    closed = trajectory(x, t, **PAPER)
    phases = trajectory_phases(x, **PAPER)
    tau, t_exit = float(phases.hitting_time), float(phases.exit_time)
    assert 0 < tau < t_exit < 5.0
    sliding = (t > tau) & (t < t_exit)
    np.testing.assert_array_equal(closed[sliding, 0], 0.0)
    # (6.59): v_2 decreases linearly at rate beta on Omega-bar, from x_2 e^{-mu_1 tau}
    np.testing.assert_allclose(closed[sliding, 1], x[1] * np.exp(-PAPER["mu_1"] * tau) - 2.0 * (t[sliding] - tau))
    # exit at (0, beta/mu_1), then strictly inside Omega, never back
    assert float(phases.exit_height) == pytest.approx(PAPER["beta"] / PAPER["mu_1"])
    assert np.all(closed[t > t_exit + 1e-9, 0] < 0)
    numeric = integrate_trajectory(x, t, **PAPER)
    assert numeric.hitting_time == pytest.approx(tau, rel=1e-10)
    assert numeric.exit_time == pytest.approx(t_exit, rel=1e-10)


@settings(max_examples=20, deadline=None, derandomize=True)
@given(fluid_parameters(), st.integers(0, 2**31 - 1))
def test_hitting_time_is_smallest_nonnegative_root_of_g(p, seed):
    rng = np.random.default_rng(seed)
    pts = random_points(rng, 200, p)
    tau = hitting_time(pts, **p)
    finite = np.isfinite(tau)
    assert finite.any()
    # root: g_x(tau) = 0 to rounding relative to the size of its terms
    scale = np.abs(pts[:, 0]) + pts[:, 1] + p["beta"] / (p["mu_M"] * math.sqrt(p["n"]))
    g_at_tau = gap_function(np.where(finite, tau, 0.0), pts, **p)
    assert np.max(np.abs(g_at_tau[finite]) / scale[finite]) < 1e-12
    # smallest: g < 0 on a grid of [0, tau) (interior), and no root at all where tau = inf
    grid = np.linspace(0.0, 1.0, 400)[1:-1]
    inside = pts[:, 0] < 0
    for i in np.flatnonzero(inside):
        horizon = tau[i] if finite[i] else 40.0 / p["mu_M"]
        values = gap_function(grid * horizon, np.broadcast_to(pts[i], (grid.size, 2)), **p)
        assert np.all(values < 1e-13 * scale[i]), (pts[i], tau[i])
    assert np.all(tau[pts[:, 0] == 0.0] == 0.0)


@settings(max_examples=20, deadline=None, derandomize=True)
@given(fluid_parameters(), st.integers(0, 2**31 - 1))
def test_trajectory_and_hitting_time_scale_between_fluid_and_diffusion(p, seed):
    rng = np.random.default_rng(seed)
    n = p["n"]
    y = random_points(rng, 100, dict(p, n=1))
    t = np.linspace(0.0, 5.0, 21)
    diffusion = dict(p, n=1)
    np.testing.assert_allclose(hitting_time(y / math.sqrt(n), **p), hitting_time(y, **diffusion), rtol=1e-12)
    fluid = trajectory(y / math.sqrt(n), t, **p)
    np.testing.assert_allclose(fluid * math.sqrt(n), trajectory(y, t, **diffusion), rtol=1e-10, atol=1e-12 * np.max(np.abs(y)))


def test_homogeneous_limit_is_continuous_and_exact():
    base = dict(beta=1.0, mu_1=1.0, mu_M=1.0)
    rng = np.random.default_rng(5)
    pts = random_points(rng, 200, dict(base, n=1))
    t = np.linspace(0.0, 10.0, 41)
    exact = trajectory(pts, t, **base)
    assert np.all(np.isfinite(exact))
    # (6.51) with mu_1 = mu_M = mu: v_1 = -b/mu + (x_1 + b/mu) e^{-mu t} + mu x_2 t e^{-mu t}
    free = free_trajectory(pts, t, **base)
    expected = -1.0 + (pts[:, :1] + 1.0) * np.exp(-t) + pts[:, 1:] * t * np.exp(-t)
    np.testing.assert_allclose(free[..., 0], expected, rtol=1e-13, atol=1e-14)
    for gap in (1e-12, 1e-9, 1e-6):
        near = trajectory(pts, t, beta=1.0, mu_1=1.0 + gap, mu_M=1.0)
        assert np.max(np.abs(near - exact)) < 50 * gap + 1e-12
        np.testing.assert_allclose(
            hitting_time(pts, beta=1.0, mu_1=1.0 + gap, mu_M=1.0), hitting_time(pts, **base), rtol=1e-5
        )
    # the solve_ivp reference agrees in the homogeneous case too
    for x in pts[:10]:
        err, _ = _relative_trajectory_error(x, t, dict(base, n=1))
        assert err < 1e-8


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(beta=2.0, mu_1=0.5, mu_M=1.0), "mu_1 must be >= mu_M"),
        (dict(beta=0.0, mu_1=2.0, mu_M=1.0), "beta must be finite and > 0"),
        (dict(beta=1.0, mu_1=2.0, mu_M=-1.0), "mu_M must be finite and > 0"),
        (dict(beta=1.0, mu_1=2.0, mu_M=1.0, n=0), "n must be an integer >= 1"),
        (dict(beta=1.0, mu_1=2.0, mu_M=1.0, n=2.5), "n must be an integer >= 1"),
    ],
)
def test_bad_parameters_raise_value_error_with_the_rule(kwargs, message):
    with pytest.raises(ValueError, match=message):
        vector_field(np.array([-1.0, 1.0]), **kwargs)
    with pytest.raises(ValueError, match=message):
        hitting_time(np.array([-1.0, 1.0]), **kwargs)


@pytest.mark.parametrize(
    "point, message",
    [
        ([0.5, 1.0], r"Omega = \(-inf, 0\] x \[0, inf\)"),
        ([-0.5, -1.0], r"Omega = \(-inf, 0\] x \[0, inf\)"),
        ([np.nan, 1.0], "finite"),
        ([1.0, 2.0, 3.0], r"shape \(\.\.\., 2\)"),
    ],
)
def test_points_outside_omega_raise_value_error(point, message):
    with pytest.raises(ValueError, match=message):
        trajectory(np.array(point), [0.0, 1.0], **PAPER)
    with pytest.raises(ValueError, match=message):
        hitting_time(np.array(point), **PAPER)


def test_negative_times_raise():
    with pytest.raises(ValueError, match="t must be finite, >= 0"):
        trajectory(np.array([-1.0, 1.0]), [-1.0], **PAPER)


@pytest.mark.parametrize("rtol", [float("nan"), float("inf"), -1.0, 0.0, 1e-20, 10.0, "tight"])
def test_ode_tolerances_are_checked(rtol):
    """rtol = nan made the solve never return, rtol = 10 left Omega (v_2 = -0.022), rtol = -1 failed
    with scipy's message about atol; all are refused with the rule."""
    from fluid import integrate_trajectories, integrate_trajectory
    from lyapunov import dfl_f_star

    kw = dict(beta=2.0, mu_1=2.5, mu_M=0.625)
    with pytest.raises(ValueError, match="rtol must"):
        integrate_trajectory([-1.0, 2.0], [0.0, 1.0], rtol=rtol, **kw)
    with pytest.raises(ValueError, match="rtol must"):
        integrate_trajectories([[-1.0, 2.0]], [0.0, 1.0], rtol=rtol, **kw)
    with pytest.raises(ValueError, match="rtol must"):
        dfl_f_star([-1.0, 2.0], kappa=1.0, rtol=rtol, **kw)


@pytest.mark.parametrize("horizon, cost, message", [
    (float("nan"), lambda v1, v2: 1.0, "horizon must be finite and > 0"),  # never returned
    (float("inf"), lambda v1, v2: 1.0, "horizon must be finite and > 0"),  # never returned
    (-1.0, lambda v1, v2: 1.0, "horizon must be finite and > 0"),  # returned 0
    (1.0, None, "running_cost must be a callable"),  # returned NaN
])
def test_dfl_integral_checks_its_horizon_and_cost(horizon, cost, message):
    from lyapunov.dfl_quadrature import dfl_integral

    with pytest.raises(ValueError, match=message):
        dfl_integral([-1.0, 2.0], running_cost=cost, horizon=horizon, beta=2.0, mu_1=2.5, mu_M=0.625)


def test_scale_maps_and_huge_points_are_checked():
    from fluid import to_diffusion_scale, to_fluid_scale

    np.testing.assert_allclose(to_fluid_scale(to_diffusion_scale([[-1.0, 2.0]], 9), 9), [[-1.0, 2.0]])
    for n in (0, -1, float("nan"), 2.5):  # n = 0 gave inf and nan, n = -1 a math domain error
        with pytest.raises(ValueError, match="n must be an integer >= 1"):
            to_fluid_scale([-1.0, 2.0], n)
    with pytest.raises(ValueError, match="must lie in Omega"):
        to_diffusion_scale([1.0, 2.0], 4)
    with pytest.raises(ValueError, match=r"\|coordinates\| <= 1e\+100"):  # an infinite hitting time before
        hitting_time(np.array([[-1.0, 1e308]]), beta=2.0, mu_1=2.5, mu_M=0.625)
