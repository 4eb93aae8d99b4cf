"""Arrival processes at the dispatcher, paper 003 Section 2, Cases 1-3.

The dispatcher sees i.i.d. inter-arrival times T_n^(k) with E T = 1/(lambda k).  We write
T = U / (lambda k) with U of unit mean, and a queue that is sent every a-th job sees the sum of a
consecutive T's, (4.2): A =_st sum_{n=1}^a T_n.  Each law therefore provides ``sum_of(counts)``,
the sums of ``counts[i]`` i.i.d. copies of U, exactly and vectorised:

    poisson()              Case 2: U ~ Exp(1); sum of a copies ~ Gamma(a, 1)
    deterministic()        Case 3: U = 1; sum = a
    erlang(shape)          Case 1: U ~ Gamma(m, 1/m); sum ~ Gamma(a m, 1/m).  Var T^(k) = 1/(m lambda^2 k^2)
                           = o(1/k) for any fixed m (and a fortiori for m growing with k)
    renewal(sampler, scv)  Case 1: any unit-mean sampler; sums by ``numpy.add.reduceat``
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

from ._checks import checked_sampler, positive_int


@dataclass(frozen=True)
class ArrivalProcess:
    """Renewal arrivals at the dispatcher with unit-mean gap law U (T = U/(lambda k)).

    ``scv`` = Var U (the squared coefficient of variation of T); ``case`` is 1, 2 or 3 as in paper 003.
    """

    name: str
    case: int
    scv: Optional[float]
    _sum: Callable = field(repr=False, compare=False)

    @property
    def is_poisson(self) -> bool:
        return self.case == 2

    @property
    def is_deterministic(self) -> bool:
        return self.case == 3

    def sum_of(self, rng: np.random.Generator, counts: np.ndarray) -> np.ndarray:
        """Sums of ``counts`` (integer array >= 1, any shape) i.i.d. unit-mean gaps U, (4.2)."""
        counts = np.asarray(counts)
        return np.asarray(self._sum(rng, counts), dtype=float).reshape(counts.shape)


def poisson() -> ArrivalProcess:
    """Case 2: Poisson arrivals, U ~ Exp(1), sums of a gaps ~ Gamma(a, 1)."""
    def _sum(rng, counts):
        c0 = int(counts.flat[0]) if counts.size else 1
        if counts.size and np.all(counts == c0):  # one shape for all: cheaper exact draws
            if c0 <= 3:  # Gamma(c) as a sum of c exponentials (faster than the gamma sampler)
                out = rng.standard_exponential(counts.shape)
                for _ in range(c0 - 1):
                    out += rng.standard_exponential(counts.shape)
                return out
            return rng.standard_gamma(float(c0), counts.shape)
        return rng.standard_gamma(counts.astype(float))
    return ArrivalProcess("poisson", 2, 1.0, _sum)


def deterministic() -> ArrivalProcess:
    """Case 3: T = 1/(lambda k) exactly."""
    def _sum(rng, counts):
        return counts.astype(float)
    return ArrivalProcess("deterministic", 3, 0.0, _sum)


def erlang(shape: int) -> ArrivalProcess:
    """Case 1: U ~ Erlang(m) with unit mean (Gamma(m, 1/m)); Var T^(k) = o(1/k)."""
    m = positive_int("shape (Erlang arrivals)", shape)

    def _sum(rng, counts):
        return rng.standard_gamma(counts.astype(float) * m) / m
    return ArrivalProcess(f"erlang(shape={m})", 1, 1.0 / m, _sum)


def renewal(sampler: Callable, scv: float | None = None, name: str = "renewal") -> ArrivalProcess:
    """Case 1: a unit-mean gap law given by ``sampler(rng, size)``; sums drawn one gap at a time.

    The caller guarantees E U = 1 (it is the unit in which lambda k is measured)."""
    sampler = checked_sampler(sampler, "sampler")
    if scv is not None and (not np.isfinite(scv) or scv < 0):
        raise ValueError(f"scv must be finite and >= 0, got {scv!r}")

    def _sum(rng, counts):
        flat = counts.ravel().astype(np.int64)
        draws = sampler(rng, int(flat.sum()))
        if draws.shape != (int(flat.sum()),):
            raise ValueError(f"sampler(rng, size) must return an array of shape ({int(flat.sum())},), got {draws.shape}")
        starts = np.concatenate(([0], np.cumsum(flat)[:-1]))
        return np.add.reduceat(draws, starts)
    return ArrivalProcess(name, 1, scv, _sum)


def from_spec(spec: str) -> ArrivalProcess:
    """CLI spelling: ``poisson``, ``det`` or ``erlang:M``."""
    spec = str(spec).strip().lower()
    if spec in ("poisson", "m", "exp"):
        return poisson()
    if spec in ("det", "deterministic", "d"):
        return deterministic()
    if spec.startswith("erlang:"):
        try:
            return erlang(int(spec.split(":", 1)[1]))
        except ValueError as exc:
            raise ValueError(f"arrivals must be poisson, det or erlang:M with M a positive integer, got {spec!r}") from exc
    raise ValueError(f"arrivals must be poisson, det or erlang:M, got {spec!r}")
