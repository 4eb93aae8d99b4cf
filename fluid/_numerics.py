"""Numerically stable scalar helpers and a vectorised bracketed Newton solver.

The fluid formulas of paper 000 contain divided differences such as
(e^{-mu_M t} - e^{-mu_1 t}) / (mu_1 - mu_M), which have a finite limit t e^{-mu t} in the homogeneous
case mu_1 = mu_M, and differences such as u - log(1 + u) that cancel catastrophically for small u.
The helpers below evaluate them without division by zero and without cancellation.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

#: Below this |u| the series branches are used (their truncation error is < 1e-20 relative).
_SERIES_CUTOFF = 1e-3


def one_minus_exp_over(u):
    """psi(u) = (1 - e^{-u}) / u, with psi(0) = 1 (entire function; stable for tiny u via expm1)."""
    u = np.asarray(u, dtype=float)
    safe = np.where(u == 0.0, 1.0, u)
    return np.where(u == 0.0, 1.0, -np.expm1(-safe) / safe)


def relaxation_time(t, rate_gap):
    """E(t) = (1 - e^{-d t}) / d = t psi(d t) with d = mu_1 - mu_M >= 0 (E = t when d = 0).

    This is e^{mu_M t} (e^{-mu_M t} - e^{-mu_1 t}) / (mu_1 - mu_M), the kernel of (6.51) and (E.3).
    """
    t = np.asarray(t, dtype=float)
    return t * one_minus_exp_over(rate_gap * t)


def exp_difference_quotient(t, mu_1, mu_M):
    """(e^{-mu_M t} - e^{-mu_1 t}) / (mu_1 - mu_M) = t e^{-mu_M t} psi((mu_1 - mu_M) t) -> t e^{-mu t}."""
    t = np.asarray(t, dtype=float)
    return np.exp(-mu_M * t) * relaxation_time(t, mu_1 - mu_M)


def expm1_minus_identity(a):
    """e^a - 1 - a, without cancellation for small |a| (series a^2/2 + a^3/6 + a^4/24 + a^5/120)."""
    a = np.asarray(a, dtype=float)
    series = a * a * (0.5 + a * (1.0 / 6.0 + a * (1.0 / 24.0 + a * (1.0 / 120.0 + a / 720.0))))
    return np.where(np.abs(a) < _SERIES_CUTOFF, series, np.expm1(a) - a)


def identity_minus_log1p(u):
    """u - log(1 + u) >= 0 for u > -1, without cancellation for small |u|."""
    u = np.asarray(u, dtype=float)
    series = u * u * (0.5 + u * (-1.0 / 3.0 + u * (0.25 + u * (-0.2 + u / 6.0))))
    safe = np.where(u > -1.0, u, 0.0)
    return np.where(np.abs(u) < _SERIES_CUTOFF, series, safe - np.log1p(safe))


def solve_increasing(
    fun: Callable[..., tuple[np.ndarray, np.ndarray]],
    lower: np.ndarray,
    upper: np.ndarray,
    start: np.ndarray,
    args: tuple = (),
    max_iter: int = 200,
) -> np.ndarray:
    """Root of increasing functions, one per entry, by Newton steps safeguarded by bisection.

    ``fun(t, *args) -> (value, derivative)`` is evaluated on the still-active entries only (``args``
    are arrays aligned with ``t`` and are subset accordingly).  Requires value(lower) <= 0 <=
    value(upper) for every entry.  Stops per entry when the Newton step or the bracket is below a
    few ulps.  Raises RuntimeError if an entry has not converged after ``max_iter`` iterations (a
    bracketed bisection always converges in far fewer; this guards against a broken ``fun``).
    """
    lo = np.array(lower, dtype=float, copy=True).ravel()
    hi = np.array(upper, dtype=float, copy=True).ravel()
    t = np.clip(np.array(start, dtype=float, copy=True).ravel(), lo, hi)
    flat_args = tuple(np.broadcast_to(np.asarray(a, dtype=float), np.shape(lower)).ravel() for a in args)
    active = np.flatnonzero(hi > lo)
    for _ in range(max_iter):
        if active.size == 0:
            break
        ta = t[active]
        value, slope = fun(ta, *(a[active] for a in flat_args))
        at_root = value == 0.0
        below = value < 0.0
        lo_a = np.where(below, ta, lo[active])
        hi_a = np.where(below | at_root, hi[active], ta)
        hi_a = np.where(at_root, ta, hi_a)
        lo_a = np.where(at_root, ta, lo_a)
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = ta - value / slope
        ok = np.isfinite(newton) & (newton > lo_a) & (newton < hi_a)
        t_new = np.where(ok, newton, 0.5 * (lo_a + hi_a))
        t_new = np.where(at_root, ta, t_new)
        scale = np.maximum(np.abs(t_new), 1e-300)
        done = at_root | (np.abs(t_new - ta) <= 4e-16 * scale) | (hi_a - lo_a <= 4e-16 * scale)
        t[active], lo[active], hi[active] = t_new, lo_a, hi_a
        active = active[~done]
    else:
        if active.size:
            raise RuntimeError(f"solve_increasing: {active.size} entries did not converge")
    return t.reshape(np.shape(lower))
