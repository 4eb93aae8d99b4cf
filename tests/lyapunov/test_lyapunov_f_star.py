"""f* of Lemma 6.2: closed form (6.60) vs the DFL quadrature (6.43) along solve_ivp trajectories,
closed-form derivatives vs central differences, continuity across the borders, fluid/diffusion scaling,
homogeneous limit and bad input."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fluid.regions import OMEGA_1, OMEGA_2, OMEGA_3
from fluid import classify, gamma_x2
from lyapunov import dfl_f_star, f_star, f_star_derivatives, generate_points

PAPER = dict(beta=2.0, mu_1=20 / 8, mu_M=5 / 8)


@st.composite
def lemma_parameters(draw, homogeneous=False):
    """beta > 0, mu_1 > mu_M > 0, kappa > beta/mu_1, n."""
    beta = draw(st.floats(0.2, 5.0))
    mu_1 = draw(st.floats(0.5, 5.0))
    ratio = 1.0 if homogeneous else draw(st.floats(0.05, 0.95))
    margin = draw(st.floats(0.05, 3.0))
    n = draw(st.sampled_from([1, 2, 7, 50, 400, 10_000]))
    return dict(beta=beta, mu_1=mu_1, mu_M=mu_1 * ratio, kappa=beta / mu_1 * (1.0 + margin), n=n)


def relative_error(reference, value):
    """|value - reference| / reference where reference > 0; |value| where reference = 0."""
    return np.abs(value - reference) / np.where(reference > 0.0, reference, 1.0)


@settings(max_examples=20, deadline=None, derandomize=True)
@given(lemma_parameters(), st.integers(0, 2**31 - 1))
def test_closed_form_equals_dfl_quadrature_in_every_region_and_near_borders(p, seed):
    pts = generate_points(per_region=70, per_border=12, seed=seed, **p)
    labels = classify(pts, **p)
    assert {OMEGA_1, OMEGA_2, OMEGA_3} <= set(np.unique(labels))
    closed = f_star(pts, **p)
    quadrature = dfl_f_star(pts, **p)
    err = relative_error(quadrature, closed)
    for region in (OMEGA_1, OMEGA_2, OMEGA_3):
        assert np.max(err[labels == region]) < 1e-7, (region, np.max(err[labels == region]))
    np.testing.assert_array_equal(closed[labels == OMEGA_1], 0.0)
    assert np.all(closed[labels != OMEGA_1] > 0.0)


@settings(max_examples=10, deadline=None, derandomize=True)
@given(lemma_parameters(homogeneous=True), st.integers(0, 2**31 - 1))
def test_homogeneous_closed_form_equals_dfl_quadrature(p, seed):
    pts = generate_points(per_region=40, per_border=8, seed=seed, **p)
    assert np.max(relative_error(dfl_f_star(pts, **p), f_star(pts, **p))) < 1e-7


@pytest.mark.parametrize("n", [1, 9, 1000, 10**6])
def test_fluid_scale_is_diffusion_scale_rescaled(n):
    """f*_n(x) = n^{-1/2} F*(sqrt(n) x), first derivatives scale-free, second carry sqrt(n); the fluid-
    scale values are also checked against the fluid-scale DFL quadrature (beta/sqrt(n), kappa/sqrt(n))."""
    p = dict(PAPER, kappa=1.3)
    y = generate_points(per_region=300, per_border=30, seed=n, **p)
    x = y / math.sqrt(n)
    diffusion = f_star(y, **p)
    fluid = f_star(x, n=n, **p)
    grad_d, hess_d = f_star_derivatives(y, **p)
    # allowance for the rounding of x = y/sqrt(n) itself: |grad f| |x| eps (matters only where f ~ 0)
    conditioning = 4e-16 * np.sum(np.abs(grad_d * y), axis=-1) / math.sqrt(n)
    assert np.all(np.abs(fluid - diffusion / math.sqrt(n)) <= 1e-12 * diffusion / math.sqrt(n) + conditioning)
    grad_f, hess_f = f_star_derivatives(x, n=n, **p)
    np.testing.assert_allclose(grad_f, grad_d, rtol=1e-10, atol=1e-13)
    # second derivatives jump across the borders: compare off the +-1e-9 border probes
    interior = slice(0, 3 * 300)
    np.testing.assert_allclose(hess_f[interior], math.sqrt(n) * hess_d[interior], rtol=1e-10, atol=1e-13 * math.sqrt(n))
    subset = x[:: max(1, x.shape[0] // 60)]
    np.testing.assert_allclose(f_star(subset, n=n, **p), dfl_f_star(subset, n=n, **p), rtol=1e-7, atol=0)


def central_gradient(fun, pts, h):
    """Richardson-extrapolated central differences (error O(h^4)) of fun: (N, 2) -> (N, ...)."""
    out = []
    for axis in range(2):
        e = np.zeros(2)
        e[axis] = 1.0

        def d(step):
            return (fun(pts + step[:, None] * e) - fun(pts - step[:, None] * e)) / (2 * step).reshape(
                (-1,) + (1,) * (np.ndim(fun(pts[:1])) - 1)
            )

        out.append((4 * d(h / 2) - d(h)) / 3)
    return np.stack(out, axis=1)


@settings(max_examples=20, deadline=None, derandomize=True)
@given(lemma_parameters(), st.integers(0, 2**31 - 1))
def test_closed_form_derivatives_match_central_differences_away_from_borders(p, seed):
    pts = generate_points(per_region=150, per_border=0, seed=seed, **p)
    labels = classify(pts, **p)
    h = 1e-4 * np.maximum(np.abs(pts).max(axis=1), p["kappa"] / math.sqrt(p["n"]))
    # keep points whose whole stencil stays inside Omega and inside the point's own region
    keep = (pts[:, 0] < -2 * h) & (pts[:, 1] > 2 * h)
    for dx in (np.array([2.0, 0.0]), np.array([0.0, 2.0])):
        for sign in (1.0, -1.0):
            moved = np.clip(pts + sign * h[:, None] * dx, [-np.inf, 0.0], [0.0, np.inf])
            keep &= classify(moved, **p) == labels
    keep &= labels != OMEGA_1
    pts, h = pts[keep], h[keep]
    assert pts.shape[0] > 50
    grad, hess = f_star_derivatives(pts, **p)
    fd_grad = central_gradient(lambda z: f_star(z, **p), pts, h)
    err = np.max(np.abs(fd_grad - grad), axis=1) / np.max(np.abs(grad), axis=1)
    assert np.max(err) < 1e-6, np.max(err)
    fd_hess = central_gradient(lambda z: f_star_derivatives(z, **p).gradient, pts, h)  # [:, wrt, component]
    fd_hess = np.swapaxes(fd_hess, 1, 2)
    err = np.max(np.abs(fd_hess - hess), axis=(1, 2)) / np.max(np.abs(hess), axis=(1, 2))
    assert np.max(err) < 1e-6, np.max(err)
    # symmetry: d f_1/dx_2 = d f_2/dx_1 (the closed-form f_12 is checked against both)
    np.testing.assert_allclose(fd_hess[:, 0, 1], fd_hess[:, 1, 0], rtol=1e-6, atol=1e-6 * np.max(np.abs(hess)))


@settings(max_examples=20, deadline=None, derandomize=True)
@given(lemma_parameters(), st.integers(0, 2**31 - 1))
def test_first_derivatives_are_continuous_across_the_borders(p, seed):
    """Across Gamma^kappa and x_2 = kappa/sqrt(n) the jump of (f_1, f_2) vanishes linearly with the
    offset (Lipschitz, absolute continuity of Lemma 6.2) while f_22 may jump."""
    rng = np.random.default_rng(seed)
    sqrt_n = math.sqrt(p["n"])
    k = p["kappa"] / sqrt_n
    x1 = -rng.exponential(2 * p["beta"] / p["mu_M"], 100) / sqrt_n
    curve = gamma_x2(x1, kappa=p["kappa"], beta=p["beta"], mu_1=p["mu_1"], mu_M=p["mu_M"], n=p["n"])
    borders = [np.stack([x1, curve.x2], -1), np.stack([x1, np.full_like(x1, k)], -1)]
    for border in borders:
        jumps = []
        for offset in (1e-6, 1e-8):
            up = f_star_derivatives(border * [1, 1 + offset], **p)
            down = f_star_derivatives(border * [1, 1 - offset], **p)
            jump = np.max(np.abs(up.gradient - down.gradient), axis=1)
            bound = 2 * offset * border[:, 1] * np.max(np.abs(np.concatenate([up.hessian, down.hessian], 1)), axis=(1, 2))
            assert np.all(jump <= 1.01 * bound + 1e-13), np.max(jump / bound)
            jumps.append(np.max(jump))
        assert jumps[1] <= 0.02 * jumps[0] + 1e-13


def test_values_on_region_borders_match_from_both_sides():
    p = dict(PAPER, kappa=1.0)
    x1 = -np.linspace(0.01, 8.0, 50)
    curve = gamma_x2(x1, kappa=1.0, **PAPER).x2
    on = np.stack([x1, curve], -1)
    np.testing.assert_allclose(f_star(on * [1, 1 + 1e-12], **p), f_star(on * [1, 1 - 1e-12], **p), rtol=1e-9)
    assert np.all(f_star(np.stack([x1, np.full_like(x1, 1.0)], -1), **p) == 0.0)


def test_omega_2_value_near_kappa_has_no_cancellation():
    p = dict(PAPER, kappa=1.0)
    eps = np.array([1e-3, 1e-5, 1e-7, 1e-9])
    pts = np.stack([np.full(4, -20.0), 1.0 + eps], -1)
    assert np.all(classify(pts, **p) == OMEGA_2)
    eps = pts[:, 1] - 1.0  # exact (Sterbenz): the u the point really has
    # (k/mu_1)(u - log(1+u)) = (k/mu_1)(u^2/2 - u^3/3 + ...)
    expected = (eps**2 / 2 - eps**3 / 3 + eps**4 / 4) / PAPER["mu_1"]
    np.testing.assert_allclose(f_star(pts, **p), expected, rtol=1e-9)


def test_public_api_shapes():
    p = dict(PAPER, kappa=1.0)
    x = np.zeros((3, 4, 2))
    x[..., 0] = -np.linspace(0, 2, 4)
    x[..., 1] = np.linspace(0, 5, 3)[:, None]
    assert f_star(x, **p).shape == (3, 4)
    grad, hess = f_star_derivatives(x, **p)
    assert grad.shape == (3, 4, 2) and hess.shape == (3, 4, 2, 2)
    np.testing.assert_array_equal(hess[..., 0, 1], hess[..., 1, 0])
    assert np.ndim(f_star(np.array([-1.0, 3.0]), **p)) == 0
    import jax.numpy as jnp

    np.testing.assert_array_equal(f_star(jnp.asarray(x), **p), f_star(x, **p))  # jax arrays accepted


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(beta=2.0, mu_1=2.5, mu_M=0.625, kappa=0.8), r"kappa must be > beta/mu_1 = 0\.8"),
        (dict(beta=2.0, mu_1=2.5, mu_M=0.625, kappa=0.5), r"kappa must be > beta/mu_1"),
        (dict(beta=2.0, mu_1=0.625, mu_M=2.5, kappa=5.0), "mu_1 must be >= mu_M"),
        (dict(beta=-1.0, mu_1=2.5, mu_M=0.625, kappa=1.0), "beta must be finite and > 0"),
        (dict(beta=2.0, mu_1=2.5, mu_M=0.625, kappa=math.inf), "kappa must be finite and > 0"),
    ],
)
def test_bad_parameters_raise(kwargs, message):
    for fun in (f_star, f_star_derivatives, dfl_f_star):
        with pytest.raises(ValueError, match=message):
            fun(np.array([-1.0, 1.0]), **kwargs)


@pytest.mark.parametrize("point", [[0.1, 1.0], [-1.0, -0.1], [np.inf, 1.0]])
def test_points_outside_omega_raise(point):
    with pytest.raises(ValueError, match="x must"):
        f_star(np.array(point), **PAPER, kappa=1.0)
    with pytest.raises(ValueError, match="x must"):
        f_star_derivatives(np.array(point), **PAPER, kappa=1.0)


def test_near_tangential_entries_are_not_missed_by_the_quadrature():
    """kappa close to beta/mu_1: trajectories starting just above Gamma^kappa reach the axis almost
    tangentially and, without the peak-of-v_1 event, solve_ivp stepped over the entry (4e-7 error)."""
    p = dict(beta=1.0, mu_1=3.0, mu_M=0.3, kappa=1.02 / 3.0)
    rng = np.random.default_rng(11)
    x1 = -rng.uniform(0.5, 8.0, 40)
    curve = gamma_x2(x1, **p).x2
    pts = np.stack([x1, curve * (1 + 10.0 ** rng.uniform(-7, -3, 40))], -1)
    assert np.all(classify(pts, **p) == OMEGA_3)
    assert np.max(relative_error(dfl_f_star(pts, **p), f_star(pts, **p))) < 1e-9
