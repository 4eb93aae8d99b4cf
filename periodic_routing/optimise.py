"""Optimal routing fractions: min_p E W(p) (Section 5 of paper 003) and its Bernoulli counterpart.

The limit objective is separable and convex (Neely and Modiano 2005, the paper's [30]):
E W(p) = sum_r x_r E W_r(lambda x_r / z_r) over the simplex x = p/||p||, with the stability constraints
lambda x_r / z_r < mu_r.  :func:`optimise_periodic` and :func:`optimise_bernoulli` minimise it with
``scipy.optimize.minimize`` (SLSQP, bounds and one equality constraint), started at the load-balancing
point x_r proportional to z_r mu_r.  :func:`best_integer_p` enumerates all integer p with ||p|| <= P
(coprime entries, p_r >= 0) and returns the best one; the type word of C_p^(k) then has period ||p||.

For Bernoulli routing with exponential service and the response-time objective the optimum is the
square-root rule (Bell and Stidham 1983, the paper's [8]; Combe and Boxma 1994): on the active set of
the fastest servers, lambda_i = mu_i - sqrt(mu_i)(sum mu - Lambda)/sum sqrt(mu), :func:`sqrt_rule`.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from fractions import Fraction
from functools import reduce
from typing import Sequence

import numpy as np
from scipy import optimize

from ._checks import positive_int, positive_real, positive_vector
from .dgi1 import dgi1, mgi1
from .limit import LimitResult, _pools, bernoulli_limit, mean_wait_limit
from .service import per_type_laws

OBJECTIVES = ("wait", "response")


@dataclass(frozen=True)
class OptimumResult:
    """Minimiser ``fractions`` (on the simplex) of the ``objective`` ("wait" = E W, "response" =
    E W + E S) for ``kind`` = "periodic" (D/GI/1 limit (2.8)) or "bernoulli" (M/GI/1), its ``value``,
    the full :class:`LimitResult` there, and the optimiser's ``success``/``message``/``n_evals``."""

    kind: str
    objective: str
    fractions: np.ndarray
    value: float
    limit: LimitResult
    success: bool
    message: str
    n_evals: int

    def __repr__(self) -> str:
        fr = ", ".join(f"{x:.6g}" for x in self.fractions)
        return (f"OptimumResult({self.kind}, objective={self.objective}, fractions=({fr}), value={self.value:.10g}, "
                f"success={self.success})")


@dataclass(frozen=True)
class IntegerOptimum:
    """Best integer p (||p|| <= ``max_period``) for the periodic limit, with its value and limit."""

    p: tuple
    value: float
    max_period: int
    objective: str
    limit: LimitResult
    n_candidates: int

    @property
    def fractions(self) -> np.ndarray:
        return np.asarray(self.p, dtype=float) / sum(self.p)


def _check_objective(objective: str) -> str:
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {OBJECTIVES}, got {objective!r}")
    return objective


def _setup(services, arrival_rate, pool_sizes, R=None):
    lam = positive_real("arrival_rate", arrival_rate)
    if R is None:
        R = len(services) if not hasattr(services, "mean") else 1
    services = per_type_laws(services, R)
    z = _pools(pool_sizes, R)
    cap = np.array([zr * s.rate for zr, s in zip(z, services)])
    if not lam < cap.sum():
        raise ValueError(f"unstable: arrival_rate = {lam:g} must be < total capacity sum_r z_r mu_r = {cap.sum():g}")
    return lam, services, z, cap


#: Per-queue load above which numerical (series, lattice) D/GI/1 evaluations are replaced, inside the
#: optimiser only, by a convex quadratic extension (the series needs O((1 - rho)^-2) terms).
RHO_CUT = 0.99


def _per_type(kind: str, objective: str, lam: float, law, z_r: float):
    """x -> x (E W_r(lambda x / z_r) + [E S if response]), the type-r term of the separable objective."""
    single = dgi1 if kind == "periodic" else mgi1
    service_mean = law.mean if objective == "response" else 0.0
    closed = kind == "bernoulli" or law.deterministic or law.gamma_shape == 1.0
    x_cap = z_r * law.rate / lam

    def exact(x: float) -> float:
        return x * (single(lam * x / z_r, law).mean + service_mean)

    if closed:
        return lambda x: 0.0 if x <= 0 else exact(x)
    x0 = RHO_CUT * x_cap
    h = 1e-6 * x0
    g0 = exact(x0)
    d0 = (g0 - exact(x0 - h)) / h
    curv = max(d0, 1.0) / (x_cap - x0)

    def g(x: float) -> float:
        if x <= 0:
            return 0.0
        if x <= x0:
            return exact(x)
        return g0 + d0 * (x - x0) + curv * (x - x0) ** 2  # convex C^1 extension beyond load RHO_CUT
    g.x_cut = x0
    return g


def _optimise(kind, services, arrival_rate, objective, pool_sizes) -> OptimumResult:
    objective = _check_objective(objective)
    lam, services, z, cap = _setup(services, arrival_rate, pool_sizes)
    R = len(services)
    gs = [_per_type(kind, objective, lam, services[r], z[r]) for r in range(R)]
    ub = np.minimum(1.0, cap / lam) * (1.0 - 1e-9)
    x0 = cap / cap.sum()
    n_evals = [0]

    def f(x):
        n_evals[0] += 1
        return sum(gs[r](min(max(x[r], 0.0), ub[r])) for r in range(R))

    if R == 1:
        x = np.ones(1)
        res_success, msg = True, "single type"
    else:
        res = optimize.minimize(f, x0, method="SLSQP", bounds=[(0.0, u) for u in ub],
                                constraints=[{"type": "eq", "fun": lambda x: np.sum(x) - 1.0,
                                              "jac": lambda x: np.ones_like(x)}],
                                options={"ftol": 1e-15, "maxiter": 500})
        x = np.clip(res.x, 0.0, None)
        x = x / x.sum()
        x[x < 1e-10] = 0.0
        x = x / x.sum()
        res_success, msg = bool(res.success), str(res.message)
    for r in range(R):
        if x[r] > getattr(gs[r], "x_cut", np.inf):
            raise RuntimeError(f"the optimum puts type {r} at load > {RHO_CUT} where the numerical D/GI/1 "
                               "evaluation is not supported; use exponential or deterministic service")
    lim = (mean_wait_limit if kind == "periodic" else bernoulli_limit)(x, services, lam, pool_sizes=z)
    return OptimumResult(kind, objective, x, lim.objective(objective), lim, res_success, msg, n_evals[0])


def optimise_periodic(services, arrival_rate: float, *, objective: str = "wait", pool_sizes=None) -> OptimumResult:
    """min over the simplex of E W(p) (or E W(p) + E S), the D/GI/1 limit (2.8) of C_p^(k)."""
    return _optimise("periodic", services, arrival_rate, objective, pool_sizes)


def optimise_bernoulli(services, arrival_rate: float, *, objective: str = "wait", pool_sizes=None) -> OptimumResult:
    """min over q of the M/GI/1 mixture (Bernoulli routing, Poisson arrivals)."""
    return _optimise("bernoulli", services, arrival_rate, objective, pool_sizes)


def best_integer_p(services, arrival_rate: float, max_period: int, *, objective: str = "wait",
                   pool_sizes=None, allow_unused: bool = True) -> IntegerOptimum:
    """Best integer p with 1 <= ||p|| <= max_period (gcd(p) = 1, stable; p_r = 0 allowed when
    ``allow_unused``), by enumeration with one D/GI/1 evaluation per (type, fraction)."""
    objective = _check_objective(objective)
    P = positive_int("max_period", max_period)
    lam, services, z, cap = _setup(services, arrival_rate, pool_sizes)
    R = len(services)
    gs = [_per_type("periodic", objective, lam, services[r], z[r]) for r in range(R)]
    cut = [getattr(g, "x_cut", np.inf) for g in gs]
    cache: dict = {}
    best = None
    n = 0
    lo = 0 if allow_unused else 1
    for total in range(1, P + 1):
        for p in itertools.product(range(lo, total + 1), repeat=R):
            if sum(p) != total or reduce(math.gcd, p) != 1:
                continue
            if any(lam * p[r] / total >= cap[r] or p[r] / total > cut[r] for r in range(R)):
                continue
            n += 1
            val = 0.0
            for r in range(R):
                key = (r, Fraction(p[r], total))
                if key not in cache:
                    cache[key] = gs[r](p[r] / total)
                val += cache[key]
            if best is None or val < best[1] - 1e-15:
                best = (p, val)
    if best is None:
        raise ValueError(f"no stable integer p with ||p|| <= {P}: increase max_period")
    lim = mean_wait_limit(best[0], services, lam, pool_sizes=z)
    return IntegerOptimum(tuple(best[0]), lim.objective(objective), P, objective, lim, n)


def sqrt_rule(mu: Sequence[float], arrival_rate: float) -> np.ndarray:
    """Square-root rule for M/M/1 servers under Bernoulli routing, response-time objective:
    lambda_i = mu_i - sqrt(mu_i)(sum_A mu - Lambda)/sum_A sqrt(mu) on the active set A of the fastest
    servers (those with lambda_i > 0).  Returns the rates lambda_i (sum = Lambda)."""
    mu = positive_vector("mu", mu)
    lam = positive_real("arrival_rate", arrival_rate)
    if not lam < mu.sum():
        raise ValueError(f"unstable: arrival_rate = {lam:g} must be < sum mu = {mu.sum():g}")
    order = np.argsort(-mu, kind="stable")
    out = np.zeros_like(mu)
    for a in range(len(mu), 1, -1):
        act = order[:a]
        rates = mu[act] - np.sqrt(mu[act]) * (mu[act].sum() - lam) / np.sqrt(mu[act]).sum()
        if np.all(rates > 0):
            out[act] = rates
            return out
    out[order[0]] = lam  # the fastest server alone takes everything (the formula's mu - (mu - lam) rounds to 0
    return out           # for tiny lam: arrival_rate = 1e-300 ended in an AssertionError)


def price_of_randomisation(services, arrival_rate: float, *, objective: str = "wait", pool_sizes=None):
    """(ratio, periodic optimum, Bernoulli optimum): ratio = min Bernoulli / min periodic (>= 1; inf if the
    periodic optimum is 0, e.g. deterministic service and the waiting-time objective)."""
    per = optimise_periodic(services, arrival_rate, objective=objective, pool_sizes=pool_sizes)
    ber = optimise_bernoulli(services, arrival_rate, objective=objective, pool_sizes=pool_sizes)
    ratio = math.inf if per.value == 0 else ber.value / per.value
    return ratio, per, ber
