"""The k -> infinity limit W(p) of (2.8) and its Bernoulli-routing counterpart.

With R types, a type-r queue of the limit is a D/GI/1 queue with inter-arrival time
T_r(p) = ||p|| / (p_r lambda) (Section 2, after Theorem 1), and

    E W(p)   = sum_r (p_r/||p||) E W_r(p),                                                (2.8), (3.8)
    Var W(p) = sum_r (p_r/||p||) (Var W_r(p) + (E W_r(p) - E W(p))^2),                     (3.9)

which is convex in p (Neely and Modiano 2005, the paper's [30]).  Bernoulli routing with fractions q and
Poisson arrivals gives each type-r queue a Poisson stream of rate lambda q_r: an M/GI/1 mixture
(Pollaczek-Khinchine), the same for every k.  ``lambda`` is the arrival rate per group of R queues
(one of each type), the paper's normalisation.

``pool_sizes`` z_r (the paper's remark in Section 2.1: kz_r replicas of type r) split the type-r stream
over z_r queues per group: each then sees rate lambda p_r/(||p|| z_r).  ``objective="response"`` adds the
mean service time: E[response] = E W + sum_r (p_r/||p||) / mu_r.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ._checks import positive_real, positive_vector, weights
from .dgi1 import dgi1, dm1_cdf, lattice_cdf, mgi1
from .service import per_type_laws


@dataclass(frozen=True)
class LimitResult:
    """E W and Var W of a mixture of independent single queues.

    ``fractions`` p/||p|| (or q), ``queue_rates`` the arrival rate of one queue of each type,
    ``queues`` the per-type :class:`QueueLimit` (None for types with fraction 0), ``mean``, ``variance``
    (None if some type's variance is unknown), ``response`` = mean + E S, ``error`` an absolute error
    bound on ``mean`` from the numerical methods."""

    kind: str
    arrival_rate: float
    fractions: tuple
    queue_rates: tuple
    queues: tuple
    mean: float
    variance: float | None
    response: float
    error: float

    @property
    def type_means(self) -> np.ndarray:
        return np.array([0.0 if q is None else q.mean for q in self.queues])

    def objective(self, name: str = "wait") -> float:
        return self.mean if name == "wait" else self.response

    def __repr__(self) -> str:
        v = "None" if self.variance is None else f"{self.variance:.10g}"
        fr = ", ".join(f"{x:.6g}" for x in self.fractions)
        return (f"LimitResult({self.kind}, lambda={self.arrival_rate:g}, fractions=({fr}), mean={self.mean:.10g}, "
                f"variance={v}, response={self.response:.10g}, error={self.error:.2g})")


def _pools(pool_sizes, R: int) -> np.ndarray:
    if pool_sizes is None:
        return np.ones(R)
    z = positive_vector("pool_sizes", pool_sizes)
    if z.size != R:
        raise ValueError(f"pool_sizes must have one entry per type ({R}), got {z.size}")
    return z


def _mixture(kind, fractions, services, arrival_rate, pool_sizes, single) -> LimitResult:
    lam = positive_real("arrival_rate", arrival_rate)
    w = weights("p", fractions)
    R = w.size
    services = per_type_laws(services, R)
    z = _pools(pool_sizes, R)
    rates = lam * w / z
    for r in range(R):
        if w[r] > 0 and not rates[r] < services[r].rate:
            raise ValueError(f"unstable p: type {r} queues receive lambda p_r/||p|| = {rates[r]:.6g} >= mu_r = "
                             f"{services[r].rate:.6g} (stability needs lambda p_r/||p|| < mu_r)")
    queues = tuple(single(rates[r], services[r]) if w[r] > 0 else None for r in range(R))
    mean = float(sum(w[r] * queues[r].mean for r in range(R) if queues[r] is not None))
    if all(q is None or q.variance is not None for q in queues):
        var = float(sum(w[r] * (queues[r].variance + (queues[r].mean - mean) ** 2)
                        for r in range(R) if queues[r] is not None))
    else:
        var = None
    resp = mean + float(sum(w[r] * services[r].mean for r in range(R)))
    err = float(sum(w[r] * queues[r].error for r in range(R) if queues[r] is not None))
    return LimitResult(kind, lam, tuple(float(x) for x in w), tuple(float(x) for x in rates), queues, mean, var,
                       resp, err)


def mean_wait_limit(p: Sequence[float], services, arrival_rate: float, *, pool_sizes=None,
                    method: str = "auto") -> LimitResult:
    """E W(p), Var W(p) of (2.8)/(3.9): p >= 0 (any positive multiple; zero entries = unused types)."""
    return _mixture("periodic D/GI/1 limit (2.8)", p, services, arrival_rate, pool_sizes,
                    lambda lam, law: dgi1(lam, law, method=method))


def bernoulli_limit(q: Sequence[float], services, arrival_rate: float, *, pool_sizes=None) -> LimitResult:
    """Bernoulli routing with fractions q and Poisson arrivals: M/GI/1 mixture (Pollaczek-Khinchine)."""
    return _mixture("Bernoulli M/GI/1", q, services, arrival_rate, pool_sizes, mgi1)


def limit_cdf(p: Sequence[float], services, arrival_rate: float, *, pool_sizes=None):
    """x -> P(W(p) <= x): closed form for exponential (D/M/1) and deterministic (W = 0) service, the
    lattice bracket midpoint (:func:`periodic_routing.dgi1.lattice_cdf`) for other laws with a CDF."""
    lam = positive_real("arrival_rate", arrival_rate)
    w = weights("p", p)
    services = per_type_laws(services, w.size)
    z = _pools(pool_sizes, w.size)
    parts = []
    for r in range(w.size):
        if w[r] == 0:
            continue
        law = services[r]
        rate = lam * w[r] / z[r]
        if not rate < law.rate:
            raise ValueError(f"unstable p: type {r} load {rate / law.rate:.6g} >= 1")
        if law.deterministic:
            parts.append((w[r], lambda x: (np.asarray(x, float) >= 0).astype(float)))
        elif law.gamma_shape == 1.0:
            parts.append((w[r], dm1_cdf(rate, law.rate)))
        elif law.cdf is not None:
            parts.append((w[r], lattice_cdf(rate, law)[0]))
        else:
            raise ValueError(f"limit_cdf needs the CDF of {law.name} (exponential and deterministic laws in closed "
                             "form, others on a lattice)")
    def cdf(x):
        x = np.asarray(x, dtype=float)
        if np.any(np.isnan(x)):  # gave 0.0
            raise ValueError("x must not be NaN")
        return sum(wr * f(x) for wr, f in parts)

    return cdf
