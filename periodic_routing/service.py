"""Service-time laws S_{n,kappa,r} of paper 003, Section 2 (i.i.d., E S = 1/mu_r).

A :class:`ServiceLaw` carries what the rest of the package needs: a vectorised sampler driven by an
explicit ``numpy.random.Generator``, the mean, the raw moments E S^2, E S^3 when known (for
Pollaczek-Khinchine and Takacs), the CDF when known (for the lattice D/GI/1 solver), and the Erlang
shape when the law is a gamma law (for the exact Spitzer series).  Constructors::

    exponential(mu)              S ~ Exp(mu)
    deterministic(mu)            S = 1/mu
    erlang(k, mu)                S ~ Gamma(k, scale 1/(k mu))       (Erlang-k with mean 1/mu)
    hyperexponential(probs, rates)  S ~ Exp(rates[i]) with probability probs[i]
    lognormal(mu, scv)           log S ~ N(m, s^2), E S = 1/mu, Var S / (E S)^2 = scv
    custom(sampler, mean, ...)   any user sampler with a known mean
    from_spec("exp"|"det"|"erlang:K", mu)   the CLI spelling
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np
from scipy import special, stats

from ._checks import checked_sampler, positive_int, positive_real, positive_vector

Sampler = Callable[[np.random.Generator, tuple], np.ndarray]


@dataclass(frozen=True)
class ServiceLaw:
    """A service-time law with mean ``mean`` = 1/mu.

    ``moments`` = (E S, E S^2, E S^3) (entries None when unknown); ``gamma_shape`` is the shape a of
    a gamma law Gamma(a, scale mean/a) (1 for exponential, k for Erlang-k) and None otherwise;
    ``deterministic`` marks S = mean a.s.
    """

    name: str
    mean: float
    sampler: Sampler = field(repr=False, compare=False)
    moments: tuple = field(default=(None, None, None), repr=False)
    cdf: Optional[Callable[[np.ndarray], np.ndarray]] = field(default=None, repr=False, compare=False)
    gamma_shape: Optional[float] = field(default=None, repr=False)
    deterministic: bool = field(default=False, repr=False)

    @property
    def rate(self) -> float:
        """mu = 1 / E S."""
        return 1.0 / self.mean

    @property
    def second_moment(self) -> Optional[float]:
        return self.moments[1]

    @property
    def third_moment(self) -> Optional[float]:
        return self.moments[2]

    @property
    def scv(self) -> Optional[float]:
        """Squared coefficient of variation Var S / (E S)^2 (None if E S^2 unknown)."""
        if self.moments[1] is None:
            return None
        return self.moments[1] / self.mean**2 - 1.0

    def sample(self, rng: np.random.Generator, size) -> np.ndarray:
        """Draw i.i.d. service times of shape ``size`` (float64)."""
        out = np.asarray(self.sampler(rng, size), dtype=float)
        expected = (int(size),) if np.ndim(size) == 0 else tuple(int(s) for s in size)
        if out.shape != expected:
            raise ValueError(f"sampler of {self.name} returned shape {out.shape}, expected {expected}")
        return out

    def scaled(self, mu: float) -> "ServiceLaw":
        """The same law family rescaled to mean 1/mu (S -> S * mean * mu)."""
        mu = positive_real("mu", mu)
        c = self.mean * mu  # new S = S / c
        m = tuple(None if v is None else v / c ** (i + 1) for i, v in enumerate(self.moments))
        base = self

        def sampler(rng, size):
            return base.sampler(rng, size) / c

        cdf = None if self.cdf is None else (lambda x: base.cdf(np.asarray(x) * c))
        return ServiceLaw(self.name.split("(")[0] + f"(mu={mu:g})", 1.0 / mu, sampler, m, cdf,
                          self.gamma_shape, self.deterministic)


def _gamma_law(name: str, shape: float, mu: float) -> ServiceLaw:
    scale = 1.0 / (shape * mu)
    m1 = shape * scale
    m2 = shape * (shape + 1) * scale**2
    m3 = shape * (shape + 1) * (shape + 2) * scale**3
    if shape == 1:
        def sampler(rng, size):
            return rng.standard_exponential(size) * scale
    else:
        def sampler(rng, size):
            return rng.standard_gamma(shape, size) * scale

    def cdf(x):
        return special.gammainc(shape, np.maximum(np.asarray(x, dtype=float), 0.0) / scale)

    return ServiceLaw(name, m1, sampler, (m1, m2, m3), cdf, float(shape), False)


def exponential(mu: float) -> ServiceLaw:
    """S ~ Exp(mu): E S = 1/mu, E S^2 = 2/mu^2, E S^3 = 6/mu^3."""
    mu = positive_real("mu", mu)
    return _gamma_law(f"exp(mu={mu:g})", 1.0, mu)


def erlang(k: int, mu: float) -> ServiceLaw:
    """Erlang-k with mean 1/mu: S ~ Gamma(k, scale 1/(k mu)), SCV 1/k."""
    k = positive_int("k (Erlang shape)", k)
    mu = positive_real("mu", mu)
    return _gamma_law(f"erlang(k={k}, mu={mu:g})", float(k), mu)


def deterministic(mu: float) -> ServiceLaw:
    """S = 1/mu almost surely."""
    mu = positive_real("mu", mu)
    d = 1.0 / mu

    def sampler(rng, size):
        return np.full(size, d)

    def cdf(x):
        return (np.asarray(x, dtype=float) >= d).astype(float)

    return ServiceLaw(f"det(mu={mu:g})", d, sampler, (d, d * d, d**3), cdf, None, True)


def hyperexponential(probs, rates) -> ServiceLaw:
    """S ~ Exp(rates[i]) with probability probs[i]: E S^j = j! sum_i probs_i / rates_i^j."""
    rates = positive_vector("rates", rates)
    probs = np.atleast_1d(np.asarray(probs, dtype=float))
    if probs.shape != rates.shape or not np.all(np.isfinite(probs)) or np.any(probs < 0) \
            or abs(probs.sum() - 1.0) > 1e-12:
        raise ValueError(f"probs must be >= 0, sum to 1 and match rates in length, got {probs!r}")
    m = tuple(float(math.factorial(j) * np.sum(probs / rates**j)) for j in (1, 2, 3))
    cum = np.cumsum(probs)
    cum[-1] = 1.0

    def sampler(rng, size):
        u = rng.random(size)
        e = rng.standard_exponential(size)
        idx = np.searchsorted(cum, u, side="right").clip(max=len(rates) - 1)
        return e / rates[idx]

    def cdf(x):
        x = np.maximum(np.asarray(x, dtype=float), 0.0)
        return 1.0 - np.sum(probs[:, None] * np.exp(-rates[:, None] * x.ravel()[None, :]), axis=0).reshape(x.shape)

    return ServiceLaw(f"hyperexp(p={probs.tolist()}, rates={rates.tolist()})", m[0], sampler, m, cdf)


def lognormal(mu: float, scv: float) -> ServiceLaw:
    """log S ~ N(m, s^2) with s^2 = log(1 + scv), m = -log(mu) - s^2/2, so E S = 1/mu.

    E S^j = exp(j m + j^2 s^2 / 2)."""
    mu = positive_real("mu", mu)
    scv = positive_real("scv", scv)
    s2 = math.log1p(scv)
    s = math.sqrt(s2)
    m = -math.log(mu) - s2 / 2
    exponents = [j * m + j * j * s2 / 2 for j in (1, 2, 3)]
    if max(exponents) > math.log(np.finfo(float).max):  # scv = 1e300 raised an OverflowError in math.exp
        raise ValueError(f"scv = {scv:g} with mu = {mu:g} makes E S^3 = (1 + scv)^3 / mu^3 overflow float64; use a "
                         f"smaller scv")
    moms = tuple(math.exp(e) for e in exponents)

    def sampler(rng, size):
        return np.exp(m + s * rng.standard_normal(size))

    dist = stats.lognorm(s, scale=math.exp(m))
    return ServiceLaw(f"lognormal(mu={mu:g}, scv={scv:g})", moms[0], sampler, moms, dist.cdf)


def custom(sampler: Sampler, mean: float, *, second_moment: float | None = None,
           third_moment: float | None = None, cdf=None, name: str = "custom") -> ServiceLaw:
    """Any user sampler ``sampler(rng, size) -> array`` with known mean (other moments optional)."""
    sampler = checked_sampler(sampler, "sampler")
    mean = positive_real("mean", mean)
    m2 = None if second_moment is None else positive_real("second_moment", second_moment)
    m3 = None if third_moment is None else positive_real("third_moment", third_moment)
    if m2 is not None and m2 < mean * mean * (1 - 1e-12):
        raise ValueError(f"second_moment must be >= mean^2 (Jensen), got {m2} < {mean**2}")
    return ServiceLaw(name, mean, sampler, (mean, m2, m3), cdf)


def from_spec(spec: str, mu: float) -> ServiceLaw:
    """The CLI spelling: ``exp``, ``det`` or ``erlang:K``, with mean 1/mu."""
    spec = str(spec).strip().lower()
    if spec in ("exp", "exponential", "m"):
        return exponential(mu)
    if spec in ("det", "deterministic", "d"):
        return deterministic(mu)
    if spec.startswith("erlang:"):
        try:
            k = int(spec.split(":", 1)[1])
        except ValueError as exc:
            raise ValueError(f"service must be exp, det or erlang:K with K a positive integer, got {spec!r}") from exc
        return erlang(k, mu)
    raise ValueError(f"service must be exp, det or erlang:K, got {spec!r}")


def per_type_laws(services, n_types: int) -> tuple[ServiceLaw, ...]:
    """One ServiceLaw per queue type: a single law is shared by all ``n_types`` types."""
    if isinstance(services, ServiceLaw):
        services = (services,) * n_types
    services = tuple(services)
    if len(services) != n_types:
        raise ValueError(f"services must give one law per type ({n_types} types), got {len(services)}")
    for law in services:
        if not isinstance(law, ServiceLaw):
            raise ValueError(f"services must be ServiceLaw objects (periodic_routing.service), got {law!r}")
    return services
