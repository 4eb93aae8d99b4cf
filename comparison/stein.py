"""Stein-method terms of the generator expansion (6.3)-(6.15) on states of the SA-JSQ system.

Fluid scale: x_1 = (sum_k q_{k,1} - n)/n, x_2 = q_{1,2}/n, h = 1/n.  For the SA-JSQ generator (6.1)
lifted to Af(q) = f(x), (6.2)-(6.3) give

    G A f(q) = L f(x) - lambda 1(x_1 = 0) (f_1 - f_2)(x) + eps_f(q),
    L f(x)   = (-beta/sqrt(n) - mu_M x_1 + mu_1 x_2) f_1(x) - mu_1 x_2 f_2(x)               (6.4)

and eps_f(q) is the sum of the eleven terms (6.5)-(6.15).  The Taylor remainders are evaluated in
their exact closed forms (fundamental theorem of calculus), which hold for any f with absolutely
continuous first derivatives, as f* of Lemma 6.2:

    int_{x}^{x+h} (x + h - u) f''(u) du = f(x + h) - f(x) - h f'(x),
    int_{x-h}^{x} (u - x + h) f''(u) du = f(x - h) - f(x) + h f'(x),
    int_{x-h}^{x} f'(u) du = f(x) - f(x - h).

Two misprints are corrected (both checked against the generator to machine precision in the tests):
(6.9) integrates over [x_1 - 1/n, x_1] like (6.10) (NOTES 5), and (6.15) reads
(lambda + beta/sqrt(n) - sum_k mu_k N_k / n) f_1(x): the printed "- beta/sqrt(n)" would leave
-2 beta/sqrt(n) f_1 instead of 0 when lambda = 1 - beta/sqrt(n) and sum_k mu_k N_k = n.
With f = f* (Lemma 6.2), L f* = -(x_2 - kappa/sqrt(n))_+ and f*_1 = f*_2 at x_1 = 0, so (6.19)
gives (6.25): E[(X_2 - kappa/sqrt(n))_+] = E[eps_f*(Q)].
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

from ctmc.system import System
from reflected_ou.streaming import BatchMeans

TERMS = ("6.5", "6.6", "6.7", "6.8", "6.9", "6.10", "6.11", "6.12", "6.13", "6.14", "6.15")


def fluid_point(busy_total, q12, n):
    """x = (x_1, x_2) = ((sum_k q_{k,1} - n)/n, q_{1,2}/n) of Section 6, shape (..., 2)."""
    return np.stack([(np.asarray(busy_total, float) - n) / n, np.asarray(q12, float) / n], axis=-1)


def spare_capacity(system: System) -> float:
    """beta_n = sqrt(n) (1 - lambda^(n)) with lambda^(n) = L / n (= beta under (A1) exactly)."""
    return math.sqrt(system.n) * (1.0 - system.arrival_rate / system.n)


def expansion_terms(levels, system: System, f: Callable, gradient: Callable) -> dict[str, np.ndarray]:
    """The terms (6.5)-(6.15) at states given by ``levels`` (..., M, 3) = (q_{j,1}, q_{j,2}, q_{j,3}).

    ``f(x)`` and ``gradient(x)`` take points (..., 2) in fluid scale; f is only evaluated in
    Omega = (-inf, 0] x [0, inf) (points outside are replaced where their coefficient vanishes).
    """
    levels = np.asarray(levels, dtype=float)
    n, h = system.n, 1.0 / system.n
    lam = system.arrival_rate / n
    mu = np.asarray(system.speeds)
    servers = np.asarray(system.servers, dtype=float)
    q1, q2, q3 = levels[..., 0], levels[..., 1], levels[..., 2]
    x = fluid_point(q1.sum(-1), q2[..., 0], n)
    x1, x2 = x[..., 0], x[..., 1]
    at_zero = q1.sum(-1) == n
    corner = at_zero & (q2[..., 0] == servers[0])

    def shifted(d1, d2, valid):
        point = x + np.stack([np.where(valid, d1, 0.0), np.where(valid, d2, 0.0)], axis=-1)
        return np.where(valid, f(point), 0.0)

    f0 = f(x)
    grad = gradient(x)
    f_1, f_2 = grad[..., 0], grad[..., 1]
    interior = ~at_zero
    has_x2 = x2 > 0
    f_up1 = shifted(h, 0.0, interior)  # f(x + e_1/n), only used for x_1 < 0
    f_dn1 = shifted(-h, 0.0, np.ones_like(at_zero))
    f_up2 = shifted(0.0, h, np.ones_like(at_zero))
    f_dn2 = shifted(0.0, -h, has_x2)
    rem_up1 = np.where(interior, f_up1 - f0 - h * f_1, 0.0)  # int_{x1}^{x1+h} (x1 + h - u) f_11
    rem_dn1 = f_dn1 - f0 + h * f_1  # int_{x1-h}^{x1} (u - x1 + h) f_11
    int_f1 = f0 - f_dn1  # int_{x1-h}^{x1} f_1
    rem_up2 = f_up2 - f0 - h * f_2  # int_{x2}^{x2+h} (x2 + h - u) f_22
    rem_dn2 = np.where(has_x2, f_dn2 - f0 + h * f_2, 0.0)  # int_{x2-h}^{x2} (u - x2 + h) f_22
    int_f2 = np.where(has_x2, f0 - f_dn2, 0.0)  # int_{x2-h}^{x2} f_2
    corner_points = np.stack([np.zeros(2), np.array([0.0, servers[0] * h]), np.array([0.0, (servers[0] + 1) * h])])
    f_corner = f(corner_points)
    int_corner = f_corner[2] - f_corner[1]  # int_{N_1/n}^{(N_1+1)/n} f_2(0, u) du
    idle_fast = (servers[:-1] - q1[..., :-1]) @ (mu[:-1] - mu[-1])
    return {
        "6.5": n * lam * np.where(interior, rem_up1, 0.0),
        "6.6": n * lam * np.where(at_zero, rem_up2, 0.0),
        "6.7": -n * lam * np.where(corner, int_corner, 0.0),
        "6.8": idle_fast * int_f1,
        "6.9": n * mu[-1] * x1 * rem_dn1,
        "6.10": float(servers @ mu) * rem_dn1,
        "6.11": (q2[..., 1:] @ mu[1:]) * int_f1,
        "6.12": -n * mu[0] * x2 * rem_dn1,
        "6.13": n * mu[0] * x2 * rem_dn2,
        "6.14": mu[0] * q3[..., 0] * int_f2,
        "6.15": (lam + spare_capacity(system) / math.sqrt(n) - float(servers @ mu) / n) * f_1,
    }


def drift_operator(x, system: System, gradient: Callable):
    """L f(x) of (6.4) with beta/sqrt(n) = 1 - lambda^(n)."""
    g = gradient(x)
    mu = system.speeds
    b = spare_capacity(system) / math.sqrt(system.n)
    return (-b - mu[-1] * x[..., 0] + mu[0] * x[..., 1]) * g[..., 0] - mu[0] * x[..., 1] * g[..., 1]


def lifted_generator(occupancy, system: System, f: Callable) -> np.ndarray:
    """G A f(q) of (6.1)-(6.2): sum over the SA-JSQ chain's transitions of rate (f(x(q')) - f(x(q))).

    Uses the simulator's own transition rates (:class:`ctmc.policies.SAJSQ`), so checking the
    expansion against it checks the paper's algebra against the simulated chain.
    """
    import jax.numpy as jnp

    from ctmc.policies import SAJSQ, SystemArrays

    q = np.asarray(occupancy)
    arrays = SystemArrays.of(system, jnp.float64)
    rates = SAJSQ().event_rates(jnp.asarray(q), arrays)
    n = system.n

    def value(state):
        return f(fluid_point(state[:, 0].sum(), state[0, 1] if state.shape[1] > 1 else 0, n))

    base = value(q)
    total = 0.0
    for rate_array, sign in ((np.asarray(rates.increments), 1), (np.asarray(rates.decrements), -1)):
        for (j, i), rate in np.ndenumerate(rate_array):
            if rate > 0:
                moved = q.copy()
                moved[j, i] += sign
                total += rate * (value(moved) - base)
    return float(total)


class SteinObserver:
    """Accumulates the terms (6.5)-(6.15) for f = f* (Lemma 6.2), eps = their sum and
    (X_2 - kappa/sqrt(n))_+ over sampled stationary states (a ``ctmc.stationary`` observer)."""

    names = TERMS + ("eps", "positive_part", "eps_minus_positive_part")

    def __init__(self, system: System, *, beta: float, kappa: float, replicas: int, batches: int):
        from lyapunov import f_star, f_star_derivatives

        self.system = system
        coefficients = dict(beta=beta, mu_1=system.speeds[0], mu_M=system.speeds[-1], kappa=kappa, n=system.n)
        self.kappa = kappa
        self.f = lambda x: f_star(x, **coefficients)
        self.gradient = lambda x: f_star_derivatives(x, **coefficients).gradient
        self.stats = BatchMeans(self.names, replicas, batches)

    def add(self, batch: int, samples: np.ndarray, weight: float) -> None:
        levels = np.moveaxis(np.asarray(samples), 0, 1)[..., :3]  # (R, S, M, 3)
        terms = expansion_terms(levels, self.system, self.f, self.gradient)
        eps = sum(terms.values())
        x2 = levels[..., 0, 1] / self.system.n
        positive = np.maximum(x2 - self.kappa / math.sqrt(self.system.n), 0.0)
        columns = [terms[name] for name in TERMS] + [eps, positive, eps - positive]
        sums = np.stack([c.sum(axis=1) for c in columns], axis=-1) * weight
        self.stats.add(batch, sums, weight * levels.shape[1])


def stein_table(runs) -> dict:
    """(d) sqrt(n) E[term] for (6.5)-(6.15) (bounded in n by Section 6) and the (6.25) check
    E[eps_f*] - E[(X_2 - kappa/sqrt(n))_+] = 0, each +- batch-means standard error."""
    rows = []
    for run in runs:
        root_n = math.sqrt(run.n)
        mean, err = run.stein.stats.mean(), run.stein.stats.stderr()
        row = {"n": run.n, "kappa": run.stein.kappa}
        for name in TERMS:
            row[f"sqrt_n_{name}"], row[f"se_sqrt_n_{name}"] = root_n * mean[name], root_n * err[name]
        for name in ("eps", "positive_part", "eps_minus_positive_part"):
            row[f"sqrt_n_{name}"], row[f"se_sqrt_n_{name}"] = root_n * mean[name], root_n * err[name]
        rows.append(row)
    return {"rows": rows}
