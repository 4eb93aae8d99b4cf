"""Generator expansion (6.3)-(6.15) against the SA-JSQ chain's own generator, and (6.25) exactly."""
import math

import numpy as np
import pytest
from scipy.integrate import quad

from comparison.stein import TERMS, drift_operator, expansion_terms, fluid_point, lifted_generator
from ctmc import System, solve_exact
from reflected_ou.params import Params

SMOOTH = [
    (lambda x: np.exp(0.7 * x[..., 0]) * np.sin(2.0 * x[..., 1]) + x[..., 0] ** 2 * x[..., 1],
     lambda x: np.stack([0.7 * np.exp(0.7 * x[..., 0]) * np.sin(2.0 * x[..., 1]) + 2 * x[..., 0] * x[..., 1],
                         2.0 * np.exp(0.7 * x[..., 0]) * np.cos(2.0 * x[..., 1]) + x[..., 0] ** 2], axis=-1)),
    (lambda x: np.cos(3 * x[..., 0] - x[..., 1]) + x[..., 1] ** 3,
     lambda x: np.stack([-3 * np.sin(3 * x[..., 0] - x[..., 1]),
                         np.sin(3 * x[..., 0] - x[..., 1]) + 3 * x[..., 1] ** 2], axis=-1)),
]


def random_states(system, rng, count, levels=4):
    """Valid occupancies, a third of them with every server busy (x_1 = 0), some at the corner."""
    states = []
    for index in range(count):
        q = np.zeros((system.pools, levels), np.int32)
        for j, size in enumerate(system.servers):
            lengths = rng.integers(0 if index % 3 else 1, levels + 1, size=size)
            if index % 6 == 0 and j == 0:
                lengths = np.maximum(lengths, 2)  # corner: q_{1,2} = N_1
            for length in lengths:
                q[j, :length] += 1
        states.append(q)
    return states


@pytest.mark.parametrize("system", [
    System.from_params(Params.paper_example(), 20),
    System((2, 3, 4), (3.0, 1.5, 0.5), 6.0),
])
@pytest.mark.parametrize("which", [0, 1])
def test_expansion_matches_generator_on_arbitrary_states(system, which):
    f, gradient = SMOOTH[which]
    rng = np.random.default_rng(which)
    lam = system.arrival_rate / system.n
    for q in random_states(system, rng, 30):
        x = fluid_point(q[:, 0].sum(), q[0, 1], system.n)
        g = gradient(x)
        lhs = lifted_generator(q, system, f) - drift_operator(x, system, gradient)
        lhs += lam * (q[:, 0].sum() == system.n) * (g[0] - g[1])
        terms = expansion_terms(q[:, :3], system, f, gradient)
        total = sum(float(terms[name]) for name in TERMS)
        assert total == pytest.approx(lhs, rel=1e-9, abs=1e-9 * system.n / system.n ** 1.5)


def test_remainders_equal_the_printed_integrals():
    """Closed-form remainders against quadrature of the paper's integrals (smooth f, one state)."""
    system = System.from_params(Params.paper_example(), 20)
    n, h = system.n, 1 / system.n
    f, gradient = SMOOTH[0]

    def f11(u, x2):
        return 0.49 * np.exp(0.7 * u) * np.sin(2 * x2) + 2 * x2

    def f22(x1, u):
        return -4.0 * np.exp(0.7 * x1) * np.sin(2 * u)

    q = np.zeros((2, 3), np.int32)
    q[:, 0] = (4, 13)
    q[0, 1], q[0, 2], q[1, 1] = 3, 1, 2
    x1, x2 = fluid_point(q[:, 0].sum(), q[0, 1], n)
    terms = expansion_terms(q, system, f, gradient)
    lam = system.arrival_rate / n
    i5 = quad(lambda u: (x1 + h - u) * f11(u, x2), x1, x1 + h, epsabs=1e-15)[0]
    assert terms["6.5"] == pytest.approx(n * lam * i5, rel=1e-7)
    i9 = quad(lambda u: (u - x1 + h) * f11(u, x2), x1 - h, x1, epsabs=1e-15)[0]
    assert terms["6.9"] == pytest.approx(n * system.speeds[-1] * x1 * i9, rel=1e-7)
    i13 = quad(lambda u: (u - x2 + h) * f22(x1, u), x2 - h, x2, epsabs=1e-15)[0]
    assert terms["6.13"] == pytest.approx(n * system.speeds[0] * x2 * i13, rel=1e-7)


def test_printed_6_15_sign_is_a_misprint():
    """With the printed '- beta/sqrt(n)' the expansion is off by exactly 2 beta/sqrt(n) f_1(x)."""
    system = System.from_params(Params.paper_example(), 20)
    f, gradient = SMOOTH[1]
    q = random_states(system, np.random.default_rng(5), 2)[1]
    x = fluid_point(q[:, 0].sum(), q[0, 1], system.n)
    g = gradient(x)
    lam = system.arrival_rate / system.n
    lhs = lifted_generator(q, system, f) - drift_operator(x, system, gradient)
    lhs += lam * (q[:, 0].sum() == system.n) * (g[0] - g[1])
    terms = expansion_terms(q[:, :3], system, f, gradient)
    beta = Params.paper_example().beta
    printed = sum(float(terms[name]) for name in TERMS) - 2 * beta / math.sqrt(system.n) * g[0]
    assert abs(printed - lhs) == pytest.approx(2 * beta / math.sqrt(system.n) * abs(g[0]), rel=1e-6)


def test_identity_6_25_on_the_exact_stationary_law():
    """E[(X_2 - kappa/sqrt(n))_+] = E[eps_f*(Q)] under the exact stationary law (n = 8).

    Arrivals dropped by the truncation join level K >= 3 and leave x unchanged, so the identity is
    exact for the truncated chain too.  Parameters with kappa/sqrt(n) < N_1/n, so that the positive
    part has mass at this small n."""
    from lyapunov import f_star, f_star_derivatives

    params = Params(mu=(1.5, 0.5), gamma=(0.5, 0.5), beta=1.0)
    system = System.from_params(params, 8)
    exact = solve_exact(system, "sa-jsq", max_queue=4)
    kappa = 0.8
    coefficients = dict(beta=params.beta, mu_1=params.mu_1, mu_M=params.mu_M, kappa=kappa, n=system.n)
    terms = expansion_terms(exact.states[..., :3], system, lambda x: f_star(x, **coefficients),
                            lambda x: f_star_derivatives(x, **coefficients).gradient)
    eps = exact.expect(sum(terms.values()))
    positive = exact.expect(np.maximum(exact.states[:, 0, 1] / system.n - kappa / math.sqrt(system.n), 0.0))
    assert positive > 1e-4  # the identity is not 0 = 0
    assert eps == pytest.approx(positive, abs=1e-10)
