"""Exact solver against closed forms: M/M/1/K, independent M/M/1/K queues, the (7.1)-(7.4) chain."""
import numpy as np
import pytest

from ctmc import System, solve_exact


def mm1k_mean(rho, k):
    p = rho ** np.arange(k + 1)
    p /= p.sum()
    return float(np.arange(k + 1) @ p), float(p[-1])


def test_single_server_is_mm1k():
    result = solve_exact(System((1,), (1.0,), 0.6), "sa-jsq", max_queue=12)
    mean, full = mm1k_mean(0.6, 12)
    assert result.metrics()["jobs"] == pytest.approx(mean, abs=1e-12)
    assert result.loss_probability == pytest.approx(full, abs=1e-14)


def test_uniform_random_is_independent_mm1k():
    system = System((1, 2), (2.0, 1.0), 1.8)  # L/n = 0.6 < mu_M
    k = 6
    result = solve_exact(system, "random", max_queue=k)
    expected = sum(size * mm1k_mean(0.6 / mu, k)[0] for size, mu in zip(system.servers, system.speeds))
    assert result.metrics()["jobs"] == pytest.approx(expected, abs=1e-11)
    lost = sum(size * mm1k_mean(0.6 / mu, k)[1] for size, mu in zip(system.servers, system.speeds)) / 3
    assert result.loss_probability == pytest.approx(lost, abs=1e-12)


@pytest.mark.parametrize("policy", ["sa-jsq", "jsq", "sed", "jiq", "power-of-2", "speed-random", "modified"])
def test_lemma_6_1_part_1_exact(policy):
    """sum_k mu_k E[Q_k1] = L (1 - losses): rate conservation, to 1e-9."""
    system = System((2, 3), (2.0, 1.0), 0.7 * 7.0)
    result = solve_exact(system, policy, max_queue=4)
    assert result.residual < 1e-9
    assert abs(result.throughput_identity()) < 1e-9


def test_lemma_6_1_part_2_sa_jsq():
    system = System((2, 3), (2.0, 1.0), 0.7 * 7.0)
    result = solve_exact(system, "sa-jsq", max_queue=7)
    lhs, rhs = result.lemma_6_1_part_2()
    assert abs(lhs - rhs) < 1e-9
    assert result.loss_probability < 1e-5  # the truncation correction in rhs is small


def test_modified_system_against_two_dimensional_chain():
    """(7.1)-(7.4) coded directly on (Q~_1, Q~_2) with a dense solve."""
    system = System((2, 3, 2), (3.0, 1.5, 1.0), 9.0)
    n, lam = system.n, system.arrival_rate
    bounds = np.cumsum((0,) + system.servers)

    def mu_tilde(q):
        return sum(m * min(max(q - b, 0), size) for m, b, size in zip(system.speeds, bounds, system.servers))

    states = [(a, b) for a in range(n + 1) for b in range(a + 1)]
    index = {s: i for i, s in enumerate(states)}
    g = np.zeros((len(states), len(states)))
    for (a, b), i in index.items():
        if a < n:
            g[i, index[(a + 1, b)]] += lam
        elif b < n:
            g[i, index[(a, b + 1)]] += lam
        if b > 0:
            g[i, index[(a, b - 1)]] += mu_tilde(b)
        if a > b:
            g[i, index[(a - 1, b)]] += mu_tilde(a) - mu_tilde(b)
    np.fill_diagonal(g, -g.sum(axis=1))
    a_mat = np.vstack([g.T[:-1], np.ones(len(states))])
    pi = np.linalg.solve(a_mat, np.eye(len(states))[-1])
    jobs = sum(p * (a + b) for p, (a, b) in zip(pi, states))
    blocked = sum(p for p, (a, b) in zip(pi, states) if b == n)
    result = solve_exact(system, "modified", max_queue=2)
    assert result.size == len(states)
    assert result.metrics()["jobs"] == pytest.approx(jobs, abs=1e-11)
    assert result.blocking_probability == pytest.approx(blocked, abs=1e-13)
