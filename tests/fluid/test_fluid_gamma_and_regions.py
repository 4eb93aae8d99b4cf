"""Curves Gamma^kappa (Lemma 6.4, (6.54)), Lemma 6.5 and the regions Omega_1/2/3 of Section 6.1."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fluid import classify, gamma_curve, gamma_x1, gamma_x2, hitting_time, integrate_trajectory, trajectory_phases
from fluid.regions import OMEGA_1, OMEGA_2, OMEGA_3

PAPER = dict(beta=2.0, mu_1=20 / 8, mu_M=5 / 8)


@st.composite
def parameters_with_kappa(draw):
    beta = draw(st.floats(0.2, 5.0))
    mu_1 = draw(st.floats(0.5, 5.0))
    ratio = draw(st.sampled_from([1.0, 0.9, 0.5, 0.1]))
    margin = draw(st.floats(0.05, 3.0))
    n = draw(st.sampled_from([1, 3, 100, 10_000]))
    return dict(beta=beta, mu_1=mu_1, mu_M=mu_1 * ratio, n=n), beta / mu_1 * (1.0 + margin)


@settings(max_examples=20, deadline=None, derandomize=True)
@given(parameters_with_kappa(), st.integers(0, 2**31 - 1))
def test_gamma_curve_solves_lemma_6_4_and_its_two_parametrisations_agree(pk, seed):
    p, kappa = pk
    rng = np.random.default_rng(seed)
    k = kappa / math.sqrt(p["n"])
    x1 = -rng.exponential(3.0 * p["beta"] / p["mu_M"], 50) / math.sqrt(p["n"])
    star = gamma_x2(x1, kappa=kappa, **p)
    assert np.all(star.x2 >= k)
    # (6.53): x_2 e^{-mu_1 tau} = kappa/sqrt(n); Lemma 6.5.2: tau(x) = tau*(x_1, kappa)
    np.testing.assert_allclose(star.x2 * np.exp(-p["mu_1"] * star.tau), k, rtol=1e-12)
    tau = hitting_time(np.stack([star.x1, star.x2], -1), **p)
    np.testing.assert_allclose(tau, star.tau, rtol=1e-9, atol=1e-12)
    # x_1**(x_2*(x_1)) = x_1
    back = gamma_x1(star.x2, kappa=kappa, **p)
    np.testing.assert_allclose(back.x1, x1, rtol=1e-10, atol=1e-14 * k)
    # parametric form agrees, and (0, kappa/sqrt(n)) is on the curve
    param = gamma_curve(star.tau, kappa=kappa, **p)
    np.testing.assert_allclose(param.x1, x1, rtol=1e-10, atol=1e-14 * k)
    origin = gamma_x2(np.array([0.0]), kappa=kappa, **p)
    assert origin.x2[0] == pytest.approx(k) and origin.tau[0] == 0.0


@settings(max_examples=20, deadline=None, derandomize=True)
@given(parameters_with_kappa(), st.integers(0, 2**31 - 1))
def test_regions_agree_with_lemma_6_5(pk, seed):
    p, kappa = pk
    rng = np.random.default_rng(seed)
    sqrt_n = math.sqrt(p["n"])
    k = kappa / sqrt_n
    pts = np.stack([-rng.exponential(3 * p["beta"] / p["mu_M"], 600), rng.exponential(3 * kappa, 600)], -1) / sqrt_n
    labels = classify(pts, kappa=kappa, **p)
    phases = trajectory_phases(pts, **p)
    np.testing.assert_array_equal(labels == OMEGA_1, pts[:, 1] <= k)
    # Omega_3 = {x > Gamma^kappa}: the trajectory hits the axis at a height above kappa/sqrt(n)
    hits_high = np.isfinite(phases.hitting_time) & (phases.entry_height > k)
    np.testing.assert_array_equal(labels == OMEGA_3, hits_high & (pts[:, 1] > k))
    # and the same through the curve: x_2 > x_2*(x_1, kappa)
    curve = gamma_x2(pts[:, 0], kappa=kappa, **p).x2
    above_k = pts[:, 1] > k
    clear = np.abs(pts[:, 1] - curve) > 1e-9 * curve
    np.testing.assert_array_equal((labels == OMEGA_3)[above_k & clear], (pts[:, 1] > curve)[above_k & clear])
    assert set(np.unique(labels)) <= {OMEGA_1, OMEGA_2, OMEGA_3}


def test_lemma_6_5_ordering_and_no_hit_below_gamma_beta_over_mu_1():
    x1 = -np.linspace(0.0, 10.0, 101)
    low = gamma_x2(x1, kappa=PAPER["beta"] / PAPER["mu_1"], **PAPER).x2
    mid = gamma_x2(x1, kappa=1.0, **PAPER).x2
    high = gamma_x2(x1, kappa=2.0, **PAPER).x2
    assert np.all(low < mid) and np.all(mid < high)  # Lemma 6.5.4
    below = np.stack([x1[1:], 0.999 * low[1:]], -1)
    assert np.all(np.isinf(hitting_time(below, **PAPER)))  # Lemma 6.5.5
    above = np.stack([x1[1:], 1.001 * low[1:]], -1)
    assert np.all(np.isfinite(hitting_time(above, **PAPER)))  # Lemma 6.5.1


def test_solve_ivp_trajectory_from_omega_3_enters_the_sliding_set_above_kappa():
    kappa = 1.0
    start = np.array([-1.0, 1.05 * float(gamma_x2(np.array([-1.0]), kappa=kappa, **PAPER).x2[0])])
    assert classify(start, kappa=kappa, **PAPER) == OMEGA_3
    numeric = integrate_trajectory(start, np.linspace(0, 3, 301), **PAPER)
    index = np.searchsorted(numeric.t, numeric.hitting_time)
    assert numeric.v[index, 1] > kappa
    start2 = np.array([-1.0, 0.95 * start[1] / 1.05])
    assert classify(start2, kappa=kappa, **PAPER) == OMEGA_2


def test_gamma_inputs_are_validated():
    with pytest.raises(ValueError, match="kappa must be >= beta/mu_1"):
        gamma_x2(np.array([-1.0]), kappa=0.5, **PAPER)
    with pytest.raises(ValueError, match="x1 must be finite and <= 0"):
        gamma_x2(np.array([1.0]), kappa=1.0, **PAPER)
    with pytest.raises(ValueError, match="x2 must be finite and >= kappa/sqrt"):
        gamma_x1(np.array([0.5]), kappa=1.0, **PAPER)
    with pytest.raises(ValueError, match="kappa must be > beta/mu_1"):
        classify(np.array([-1.0, 1.0]), kappa=0.8, **PAPER)


def test_near_tangential_entry_is_detected_by_the_reference_integrator():
    """Starts just above Gamma^(beta/mu_1): v_1 touches 0 with speed mu_1 z - beta ~ 0 (entry height z
    barely above beta/mu_1); the solve_ivp reference must still switch to the sliding phase."""
    p = dict(beta=1.0, mu_1=3.0, mu_M=0.3)
    x1 = np.array([-1.0, -3.0, -6.0])
    curve = gamma_x2(x1, kappa=1.0 / 3.0 * 1.001, **p)
    t = np.linspace(0.0, 3.0, 7)
    starts = np.stack([curve.x1, curve.x2 * (1 + 1e-6)], -1)
    phases = trajectory_phases(starts, **p)
    assert np.all(phases.entry_height < 1.01 / 3.0)
    for start, tau, t_exit in zip(starts, phases.hitting_time, phases.exit_time):
        numeric = integrate_trajectory(start, t, **p)
        assert numeric.hitting_time == pytest.approx(tau, rel=1e-6)
        assert numeric.exit_time == pytest.approx(t_exit, rel=1e-6)


def test_gamma_curve_and_cascade_refuse_overflowing_arguments():
    from fluid import gamma_curve
    from fluid.higher_components import cascade_solution

    with pytest.raises(ValueError, match="tau must be <= 92.1"):  # the point (-inf, inf) before
        gamma_curve([300.0], kappa=1.0, beta=2.0, mu_1=2.5, mu_M=0.625)
    assert np.isfinite(gamma_curve([92.0], kappa=1.0, beta=2.0, mu_1=2.5, mu_M=0.625).x2).all()
    with pytest.raises(ValueError, match="t must be finite, >= 0 and <= 1e"):  # NaN before
        cascade_solution([3.0, 2.0], [1e308], mu=2.0)
