"""The price of information with SA-JSQ beside paper 003's static routing.

``periodic_routing.price_of_information`` compares, on one farm (speeds mu_r, z_r servers of type r
per group), the optimal periodic policy (limit E W(p), a dispatcher that cannot see the queues) and
the optimal Bernoulli policy (M/M/1 mixture).  Here the third column comes from paper 000's SA-JSQ,
which sees the queues: its mean waiting time on ``groups`` copies of the group (k z_r servers of
speed mu_r, Poisson arrivals at rate k lambda), from the exact stationary law of the occupancy chain
(``ctmc.exact``), by Little's law

    E[wait] = (E[jobs] - E[busy servers]) / (k lambda),     E[response] = E[jobs] / (k lambda).

The truncation K is doubled until the loss probability of the truncated chain is below ``loss_tol``.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from rou_common.checks import check_positive_int

#: Largest truncation K tried before giving up (raise).
MAX_LEVELS = 1024


#: Largest truncation loss accepted for the exact SA-JSQ objective (its relative error is of this order).
MAX_LOSS_TOL = 1e-3


def sa_jsq_objective(mu: Sequence[float], pool_sizes: Sequence[int], *, objective: str = "wait", groups: int = 1,
                     loss_tol: float = 1e-10, start_levels: int = 8) -> Callable[[float], float]:
    """A callable rho -> SA-JSQ's mean waiting (``objective="wait"``) or response time at load rho.

    Exponential service only (the CTMC of paper 000).  The speeds must be distinct (pools of equal
    speed are one pool); load rho = lambda / sum_r z_r mu_r as in ``price_of_information``.  The exact
    solver is for small farms: when the truncated state space needed for ``loss_tol`` exceeds
    ``ctmc.exact``'s limit it raises ValueError (use ``ctmc.estimate_stationary`` for large farms).
    """
    from ctmc import System, solve_exact

    if objective not in ("wait", "response"):
        raise ValueError(f"objective must be 'wait' or 'response', got {objective!r}")
    groups = check_positive_int("groups", groups)
    start_levels = check_positive_int("start_levels", start_levels)
    loss_tol = float(loss_tol)
    if not 0.0 < loss_tol <= MAX_LOSS_TOL:  # loss_tol = 1 accepted a one-level chain: wait 6e-17, not 2.39
        raise ValueError(f"loss_tol must lie in (0, {MAX_LOSS_TOL:g}], got {loss_tol!r}")
    mu = np.asarray(mu, dtype=float)
    if mu.ndim != 1 or np.shape(pool_sizes) != mu.shape:
        raise ValueError(f"mu and pool_sizes must be 1-D with one entry per pool, got shapes {mu.shape} and "
                         f"{np.shape(pool_sizes)}")
    order = np.argsort(-mu, kind="stable")  # ctmc numbers pools from the fastest
    servers = [groups * check_positive_int("pool_sizes[r]", z) for z in np.asarray(pool_sizes)[order]]
    speeds = mu[order]
    capacity = float(np.dot(np.asarray(pool_sizes, dtype=float), mu))

    def value(rho: float) -> float:
        arrival_rate = groups * rho * capacity
        system = System(tuple(servers), tuple(speeds), arrival_rate)
        levels = start_levels
        while True:
            result = solve_exact(system, "sa-jsq", max_queue=levels)
            if result.loss_probability <= loss_tol:
                break
            if 2 * levels > MAX_LEVELS:
                raise ValueError(f"SA-JSQ truncation loss {result.loss_probability:.2g} > loss_tol at K = {levels}")
            levels *= 2
        metrics = result.metrics()
        queued = metrics["jobs"] - (sum(metrics["busy"]) if objective == "wait" else 0.0)
        return queued / arrival_rate

    return value


def price_of_information_with_sa_jsq(mu, loads, *, pool_sizes=None, objective: str = "wait", groups: int = 1):
    """``periodic_routing.price_of_information`` with the SA-JSQ column filled in (exponential service)."""
    from periodic_routing import price_of_information

    sizes = np.ones(len(mu), dtype=int) if pool_sizes is None else pool_sizes
    return price_of_information(mu, loads, pool_sizes=sizes, service="exp", objective=objective,
                                sa_jsq_mean_wait=sa_jsq_objective(mu, sizes, objective=objective, groups=groups))
