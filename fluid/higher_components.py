"""Transient of the higher components (3.5)-(3.6) in closed form, for any rate mu_j.

For a pool j the levels Y_{j,i}, i >= i_0 (i_0 = 2 for j >= 2, i_0 = 3 for j = 1) obey the linear cascade
    dY_{j,i}/dt = -mu_j (Y_{j,i} - Y_{j,i+1})                       (3.5)-(3.6)
(drift ``reflected_ou.drift.cascade_drift``), whose solution is a Poisson mixture of the initial levels,
    Y_{j,i}(t) = e^{-mu_j t} sum_{k >= 0} (mu_j t)^k / k! Y_{j,i+k}(0).
The page's (3.8) is this formula with mu_j = 1 (misprint 1 of NOTES): with rate mu_j the Poisson
parameter is mu_j t, not t.  An initial state with finitely many non-zero levels (Y_{j,i}(0) = 0 for
i >= i_0 + L) stays so, so the L given levels are the exact state, not a truncation.
"""
from __future__ import annotations

import numpy as np
from scipy.stats import poisson

from fluid.validation import check_finite_positive, check_times


def check_levels(levels) -> np.ndarray:
    """Levels (..., L) = (Y_{j,i_0}(0), ..., Y_{j,i_0+L-1}(0)): finite, >= 0 and non-increasing in i
    (Y_{j,i} is the scaled number of servers with at least i jobs)."""
    levels = np.asarray(levels, dtype=float)
    if levels.ndim == 0 or levels.shape[-1] == 0:
        raise ValueError(f"levels must have shape (..., L) with L >= 1, got shape {levels.shape}")
    if not np.all(np.isfinite(levels)):
        raise ValueError("levels must be finite (no NaN or inf)")
    if np.any(levels < 0.0):
        raise ValueError("levels must be >= 0 (scaled numbers of servers with at least i jobs)")
    if np.any(np.diff(levels, axis=-1) > 0.0):
        raise ValueError("levels must be non-increasing in i (Y_{j,i} >= Y_{j,i+1})")
    return levels


def cascade_solution(levels, t, *, mu):
    """Y_{j,i}(t) for initial ``levels`` (..., L) and times ``t`` (T,) at rate ``mu`` -> (..., T, L)."""
    mu = check_finite_positive("mu", mu)
    levels = check_levels(levels)
    t = check_times(t).reshape(-1)
    size = levels.shape[-1]
    k = np.arange(size)
    weights = poisson.pmf(k[None, :], mu * t[:, None])  # (T, L): e^{-mu t} (mu t)^k / k!
    # propagator P[t, i, m] = weights[t, m - i] for m >= i
    offset = k[None, :] - k[:, None]
    propagator = np.where(offset >= 0, weights[:, np.clip(offset, 0, None)], 0.0)  # (T, L, L)
    return np.einsum("tim,...m->...ti", propagator, levels)


def cascade_outflow(levels, t, *, mu):
    """mu_j Y_{j,i_0}(t): the rate at which the first given level feeds the level below it
    (for j >= 2 and i_0 = 2 this is pool j's term of sum_j mu_j Y_{j,2} in (3.3)); shape (..., T)."""
    mu = check_finite_positive("mu", mu)  # a string mu raised numpy's UFuncTypeError
    return mu * cascade_solution(levels, t, mu=mu)[..., 0]
