"""Stationary runs of the n-th system (paper scaling (A1)-(A2)) for a list of n, with Stein terms."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ctmc import System, estimate_stationary
from ctmc.stationary import StationaryResult
from reflected_ou.params import Params

from .stein import SteinObserver


@dataclass(frozen=True)
class RunPlan:
    """Run sizes: time units per replica (``horizon``), ``burn_in``, ``replicas``, ``batches``."""

    horizon: float = 100.0
    burn_in: float = 20.0
    replicas: int = 8
    batches: int = 20


@dataclass(frozen=True)
class StudyRun:
    n: int
    system: System
    result: StationaryResult = field(repr=False)
    stein: SteinObserver | None = field(default=None, repr=False)


def near_stationary_start(system: System, params: Params) -> np.ndarray:
    """Fast pools busy, beta/mu_M sqrt(n) idle servers in pool M (the mean of the limit), no queues."""
    q = np.zeros((system.pools, 1), np.int32)
    q[:, 0] = system.servers
    idle = min(system.servers[-1], round(params.beta / params.mu_M * math.sqrt(system.n)))
    q[-1, 0] -= idle
    return q


def run_policy(params: Params, n: int, policy, plan: RunPlan, *, seed: int, kappa: float | None = None,
               hist_ranges=None, progress: bool = False) -> StudyRun:
    """One stationary run; with ``kappa`` the Stein terms of f* (SA-JSQ only) are accumulated too."""
    system = System.from_params(params, n)
    observers = []
    stein = None
    if kappa is not None:
        stein = SteinObserver(system, beta=params.beta, kappa=kappa, replicas=plan.replicas, batches=plan.batches)
        observers.append(stein)
    result = estimate_stationary(system, policy, seed=seed, burn_in=plan.burn_in, horizon=plan.horizon,
                                 replicas=plan.replicas, batches=plan.batches, observers=observers,
                                 initial=near_stationary_start(system, params), hist_ranges=hist_ranges,
                                 progress=progress)
    return StudyRun(n, system, result, stein)
