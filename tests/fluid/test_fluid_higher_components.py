"""Closed-form transient of (3.5)-(3.6) for general mu_j vs numerical integration (solve_ivp of the
cascade drift, and the matrix exponential); the page's rate-1 formula (3.8) differs for mu_j != 1."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp
from scipy.linalg import expm

from fluid.higher_components import cascade_outflow, cascade_solution
from reflected_ou.drift import cascade_drift


def random_levels(rng, size):
    return np.sort(rng.exponential(1.0, size))[::-1].copy()


@settings(max_examples=20, deadline=None, derandomize=True)
@given(st.floats(0.05, 10.0), st.integers(1, 25), st.integers(0, 2**31 - 1))
def test_closed_form_matches_solve_ivp_and_expm(mu, size, seed):
    rng = np.random.default_rng(seed)
    y0 = random_levels(rng, size)
    t = np.linspace(0.0, 6.0 / mu, 25)
    closed = cascade_solution(y0, t, mu=mu)

    def rhs(_t, y):
        return cascade_drift(y, np.append(y[1:], 0.0), mu)

    numeric = solve_ivp(rhs, (0.0, t[-1]), y0, method="DOP853", t_eval=t, rtol=1e-12, atol=1e-14).y.T
    np.testing.assert_allclose(closed, numeric, rtol=1e-9, atol=1e-12)
    generator = mu * (np.eye(size, k=1) - np.eye(size))
    exact = np.stack([expm(generator * s) @ y0 for s in t])
    np.testing.assert_allclose(closed, exact, rtol=1e-10, atol=1e-13)


def test_page_formula_3_8_holds_only_for_rate_one():
    y0 = np.array([3.0, 2.0, 1.0, 0.5])
    t = np.array([0.7])

    def page(levels, s):  # (3.8): e^{-t} sum_k t^k/k! Y_{i+k}(0)
        return np.array([sum(math.exp(-s) * s**k / math.factorial(k) * levels[i + k] for k in range(len(levels) - i))
                         for i in range(len(levels))])

    np.testing.assert_allclose(cascade_solution(y0, t, mu=1.0)[0], page(y0, 0.7), rtol=1e-14)
    mu = 20 / 8
    assert np.max(np.abs(cascade_solution(y0, t, mu=mu)[0] - page(y0, 0.7))) > 0.1
    np.testing.assert_allclose(cascade_solution(y0, t, mu=mu)[0], page(y0, mu * 0.7), rtol=1e-14)


def test_batch_shapes_decay_and_outflow():
    rng = np.random.default_rng(3)
    y0 = np.stack([random_levels(rng, 6) for _ in range(4)])
    t = np.array([0.0, 1.0, 50.0])
    out = cascade_solution(y0, t, mu=0.625)
    assert out.shape == (4, 3, 6)
    np.testing.assert_allclose(out[:, 0], y0)
    assert np.all(out[:, 2] < 1e-6 * y0.max())  # exponential decay to 0
    assert np.all(np.diff(out, axis=-1) <= 1e-15)  # stays non-increasing in i
    np.testing.assert_allclose(cascade_outflow(y0, t, mu=0.625), 0.625 * out[..., 0])


@pytest.mark.parametrize(
    "levels, mu, message",
    [
        ([1.0, 2.0], 1.0, "non-increasing"),
        ([1.0, -0.5], 1.0, ">= 0"),
        ([np.nan], 1.0, "finite"),
        ([1.0], 0.0, "mu must be finite and > 0"),
    ],
)
def test_bad_input(levels, mu, message):
    with pytest.raises(ValueError, match=message):
        cascade_solution(levels, [0.0, 1.0], mu=mu)


def test_cascade_outflow_checks_mu():
    from fluid.higher_components import cascade_outflow

    with pytest.raises(ValueError, match="mu must"):  # numpy's UFuncTypeError before
        cascade_outflow([3.0, 2.0], [0.0, 1.0], mu="2")
