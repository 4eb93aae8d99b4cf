"""Appendix G of paper 000 (positive recurrence of the limit, Theorem 3.4), in diffusion scale n = 1.

Objects:
  * the cut-off phi: a C^2 step from 0 at kappa_1 to 1 at kappa_2.  The printed phi (Appendix G) is a
    C^1 piecewise cubic with typos; we use the quintic smoothstep phi = 10 s^3 - 15 s^4 + 6 s^5,
    s = (u - kappa_1)/(kappa_2 - kappa_1), which has phi'(kappa_i) = phi''(kappa_i) = 0,
    |phi'| <= 1.875/h and |phi''| <= 5.78/h^2 (h = kappa_2 - kappa_1), within the bounds 4/h and 12/h^2
    the proof uses (NOTES, misprint 6).
  * f^(1)(x) = int_0^inf phi(-v_1^x(t)) dt and f^(2)(x) = int_0^inf phi(v_2^x(t)) dt (DFL solutions of
    (G.4), (G.5) with L_1 f = (-beta - mu_M x_1 + mu_1 x_2) f_1 - mu_1 x_2 f_2):
      f^(1) = 0 for x_1 >= -kappa_1, else int_0^{tau^{kappa_1}} phi(-v_1(t)) dt (free v_1 of (6.51),
        tau^kappa the first time v_1 = -kappa; v_1 stays above -kappa_1 afterwards because
        mu_M kappa_1 > beta), with
        f^(1)_1 = -int phi'(-v_1) e^{-mu_M t} dt,  f^(1)_2 = -int phi'(-v_1) mu_1 D(t) dt,
        f^(1)_11 = int phi''(-v_1) e^{-2 mu_M t} dt   (boundary terms vanish: phi'(kappa_1) = 0);
      f^(2) = (Psi(x_2) - Psi(z))/mu_1 + Phi(z)/beta, z = x_2 e^{-mu_1 tau(x)} (z := 0 if tau = inf),
        Phi(z) = int_{kappa_1}^z phi, Psi(y) = int_{kappa_1}^y phi(s)/s ds, with
        f^(2)_1 = phi(z) e^{-mu_M tau}/beta,
        f^(2)_2 = (phi(x_2)/x_2 - phi(z) z_2/z)/mu_1 + phi(z) z_2/beta,
        f^(2)_11 = e^{-2 mu_M tau} (mu_1 z phi'(z) + mu_M phi(z)) / (beta (mu_1 z - beta)).
    (The printed f^(2)_11 lacks the factor e^{-mu_M tau} on its phi term and the printed f^(1)_1 has
    the opposite sign; the bounds of Lemma G.1 are unaffected.)
  * the drift condition for V = exp(alpha (f^(1) + f^(2))) (G.3), K = [-kappa_2, 0] x [0, kappa_2]:
      G V = alpha V (-phi(-x_1) - phi(x_2) + f^S_11 + alpha (f^S_1)^2),  G = L_1 + d^2/dx_1^2,
    so with S = sup f^S_11 and T = sup (f^S_1)^2 < inf, S < 1, alpha = (1 - S)/(2 T) gives (G.6) with
    c = alpha (1 - S - alpha T) = (1 - S)^2 / (4 T), and d = sup_K (G V + c V) gives (G.7):
    G V <= -c V + d 1_K.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from fluid._numerics import exp_difference_quotient, relaxation_time, solve_increasing
from fluid.hitting_time import hitting_time_core
from fluid.validation import FluidCoefficients, check_coefficients, check_finite_positive, check_points
from reflected_ou.drift import limit_drift
from rou_common.checks import check_positive_int

_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(64)


def _check_cutoff_levels(kappa_1, kappa_2) -> tuple[float, float]:
    """Finite kappa_1 < kappa_2 (kappa_1 = kappa_2 gave NaN: the step has width kappa_2 - kappa_1)."""
    kappa_1, kappa_2 = float(kappa_1), float(kappa_2)
    if not (np.isfinite(kappa_1) and np.isfinite(kappa_2) and kappa_1 < kappa_2):
        raise ValueError(f"cut-off levels must be finite with kappa_1 < kappa_2, got ({kappa_1!r}, {kappa_2!r})")
    return kappa_1, kappa_2


def cutoff(u, kappa_1, kappa_2):
    """(phi, phi', phi'') of the quintic smooth step from 0 at kappa_1 to 1 at kappa_2."""
    kappa_1, kappa_2 = _check_cutoff_levels(kappa_1, kappa_2)
    h = kappa_2 - kappa_1
    s = np.clip((np.asarray(u, dtype=float) - kappa_1) / h, 0.0, 1.0)
    value = s**3 * (10.0 + s * (-15.0 + 6.0 * s))
    first = 30.0 * s**2 * (1.0 - s) ** 2 / h
    second = 60.0 * s * (1.0 - s) * (1.0 - 2.0 * s) / h**2
    return value, first, second


def cutoff_primitive(u, kappa_1, kappa_2):
    """Phi(u) = int_{kappa_1}^u phi(s) ds (0 below kappa_1)."""
    kappa_1, kappa_2 = _check_cutoff_levels(kappa_1, kappa_2)
    h = kappa_2 - kappa_1
    u = np.asarray(u, dtype=float)
    s = np.clip((u - kappa_1) / h, 0.0, 1.0)
    inside = h * s**4 * (2.5 + s * (-3.0 + s))
    return inside + np.maximum(u - kappa_2, 0.0)


def cutoff_log_primitive(u, kappa_1, kappa_2):
    """Psi(u) = int_{kappa_1}^u phi(s)/s ds (0 below kappa_1); Gauss-Legendre on [kappa_1, min(u, kappa_2)]
    (polynomial over s, s >= kappa_1 > 0: exact to rounding) plus log(u/kappa_2) above kappa_2."""
    u = np.asarray(u, dtype=float)
    top = np.clip(u, kappa_1, kappa_2)
    half = 0.5 * (top - kappa_1)
    nodes = kappa_1 + half[..., None] * (1.0 + _NODES)
    inside = half * np.sum(_WEIGHTS * cutoff(nodes, kappa_1, kappa_2)[0] / nodes, axis=-1)
    return inside + np.log(np.maximum(u, kappa_2) / kappa_2)


@dataclass(frozen=True)
class CutoffLevels:
    """kappa_1 < kappa_2 of the cut-off; the paper's choice is beta/mu_M + epsilon, beta/mu_M + 2 epsilon."""

    kappa_1: float
    kappa_2: float

    @classmethod
    def from_epsilon(cls, epsilon: float, beta: float, mu_M: float) -> "CutoffLevels":
        epsilon = check_finite_positive("epsilon", epsilon)
        beta, mu_M = check_finite_positive("beta", beta), check_finite_positive("mu_M", mu_M)  # nan, 0 got through
        return cls(beta / mu_M + epsilon, beta / mu_M + 2.0 * epsilon)


def _check_levels(levels: CutoffLevels, c: FluidCoefficients) -> None:
    if not levels.kappa_2 > levels.kappa_1 > c.beta / c.mu_M:
        raise ValueError(
            f"cut-off levels must satisfy kappa_2 > kappa_1 > beta/mu_M = {c.beta / c.mu_M!r} "
            f"(f^(1) is finite only then), got {levels}"
        )


def level_crossing_time(x1, x2, kappa, c: FluidCoefficients):
    """tau^kappa(x) = first t with free v_1(t) = -kappa, for x_1 < -kappa (0 where x_1 >= -kappa).

    H(t) = e^{mu_M t}(v_1(t) + kappa) = x_1 + kappa + (kappa - beta/mu_M)(e^{mu_M t} - 1) + mu_1 x_2 E(t)
    is increasing (H' = (mu_M kappa - beta) e^{mu_M t} + mu_1 x_2 e^{-(mu_1-mu_M)t} > 0); bracket
    [0, log(1 - (x_1 + kappa)/(kappa - beta/mu_M))/mu_M]."""
    x1, x2 = np.broadcast_arrays(np.asarray(x1, dtype=float), np.asarray(x2, dtype=float))
    mu_M, b = c.mu_M, c.beta
    lead = kappa - b / mu_M
    tau = np.zeros(x1.shape)
    todo = x1 < -kappa
    if np.any(todo):
        a1, a2 = x1[todo], x2[todo]
        upper = np.log1p(-(a1 + kappa) / lead) / mu_M

        def h(t, y1, y2):
            value = y1 + kappa + lead * np.expm1(mu_M * t) + c.mu_1 * y2 * relaxation_time(t, c.rate_gap)
            slope = (mu_M * kappa - b) * np.exp(mu_M * t) + c.mu_1 * y2 * np.exp(-c.rate_gap * t)
            return value, slope

        tau[todo] = solve_increasing(h, np.zeros(a1.shape), upper, np.zeros(a1.shape), args=(a1, a2))
    return tau


def _free_v1(x1, x2, t, c):
    return (c.beta / c.mu_M) * np.expm1(-c.mu_M * t) + x1 * np.exp(-c.mu_M * t) + c.mu_1 * x2 * exp_difference_quotient(
        t, c.mu_1, c.mu_M
    )


def f1_parts(x1, x2, levels: CutoffLevels, c: FluidCoefficients):
    """(f^(1), f^(1)_1, f^(1)_2, f^(1)_11) on flat arrays (diffusion scale)."""
    k1, k2 = levels.kappa_1, levels.kappa_2
    value, d1, d2, d11 = (np.zeros(x1.shape) for _ in range(4))
    todo = x1 < -k1
    if not np.any(todo):
        return value, d1, d2, d11
    a1, a2 = x1[todo], x2[todo]
    t_far = level_crossing_time(a1, a2, k2, c)
    t_near = level_crossing_time(a1, a2, k1, c)
    half = 0.5 * (t_near - t_far)
    t = t_far[:, None] + half[:, None] * (1.0 + _NODES)
    phi, dphi, ddphi = cutoff(-_free_v1(a1[:, None], a2[:, None], t, c), k1, k2)
    w = half[:, None] * _WEIGHTS
    decay = np.exp(-c.mu_M * t)
    value[todo] = t_far + np.sum(w * phi, axis=1)
    d1[todo] = -np.sum(w * dphi * decay, axis=1)
    d2[todo] = -np.sum(w * dphi * c.mu_1 * exp_difference_quotient(t, c.mu_1, c.mu_M), axis=1)
    d11[todo] = np.sum(w * ddphi * decay**2, axis=1)
    return value, d1, d2, d11


def f2_parts(x1, x2, levels: CutoffLevels, c: FluidCoefficients):
    """(f^(2), f^(2)_1, f^(2)_2, f^(2)_11) on flat arrays (diffusion scale)."""
    k1, k2 = levels.kappa_1, levels.kappa_2
    mu_1, mu_M, b = c.mu_1, c.mu_M, c.beta
    tau = hitting_time_core(x1, x2, c)
    hits = np.isfinite(tau)
    safe_tau = np.where(hits, tau, 0.0)
    z = np.where(hits, x2 * np.exp(-mu_1 * safe_tau), 0.0)
    active = hits & (z > k1)
    phi_x2, _, _ = cutoff(x2, k1, k2)
    phi_z, dphi_z, _ = cutoff(z, k1, k2)
    A = np.exp(-mu_M * safe_tau)
    B = np.exp(-mu_1 * safe_tau)
    D = exp_difference_quotient(safe_tau, mu_1, mu_M)
    denominator = np.where(active, mu_1 * z - b, 1.0)
    tau_2 = -mu_1 * D / denominator
    z_2 = B - mu_1 * z * tau_2
    value = (cutoff_log_primitive(x2, k1, k2) - np.where(active, cutoff_log_primitive(z, k1, k2), 0.0)) / mu_1
    value = value + np.where(active, cutoff_primitive(z, k1, k2), 0.0) / b
    safe_x2 = np.where(x2 > 0.0, x2, 1.0)
    safe_z = np.where(active, z, 1.0)
    d1 = np.where(active, phi_z * A / b, 0.0)
    d2 = phi_x2 / (mu_1 * safe_x2) + np.where(active, -phi_z * z_2 / (mu_1 * safe_z) + phi_z * z_2 / b, 0.0)
    d11 = np.where(active, A**2 * (mu_1 * z * dphi_z + mu_M * phi_z) / (b * denominator), 0.0)
    return value, d1, d2, d11


def appendix_g_functions(x, *, beta, mu_1, mu_M, kappa_1, kappa_2):
    """Dict of f1, f1_1, f1_2, f1_11, f2, f2_1, f2_2, f2_11 at ``x`` (..., 2), diffusion scale."""
    c = check_coefficients(beta, mu_1, mu_M, 1)
    levels = CutoffLevels(check_finite_positive("kappa_1", kappa_1), check_finite_positive("kappa_2", kappa_2))
    _check_levels(levels, c)
    x = check_points(x)
    flat = x.reshape(-1, 2)
    x1, x2 = np.ascontiguousarray(flat[:, 0]), np.ascontiguousarray(flat[:, 1])
    names = ("f1", "f1_1", "f1_2", "f1_11", "f2", "f2_1", "f2_2", "f2_11")
    parts = f1_parts(x1, x2, levels, c) + f2_parts(x1, x2, levels, c)
    return {name: part.reshape(x.shape[:-1]) for name, part in zip(names, parts)}


@dataclass(frozen=True)
class DriftCertificate:
    """Explicit constants of (G.6)-(G.7) for V = exp(alpha (f^(1) + f^(2))), diffusion scale.

    Certified route (valid on all of Omega): with h = kappa_2 - kappa_1 = epsilon and the quintic phi,
      |f^(1)_1| <= 1/(mu_M epsilon)            (v_1 crosses the band upwards at speed >= mu_M kappa_1 - beta),
      |f^(1)_11| <= 3.75/(mu_M epsilon^2)      (total variation of phi' is 2 max phi' = 3.75/h),
      0 <= f^(2)_1 <= 1/beta,  0 <= f^(2)_11 <= sup_z g(z),  g(z) = (mu_1 z phi'(z) + mu_M phi(z))/(beta(mu_1 z - beta))
      (f^(2)_11 = e^{-2 mu_M tau} g(z) and its value on the axis is g), so
      S = 3.75/(mu_M epsilon^2) + sup g bounds f^S_11 and T = max(1/(mu_M epsilon)^2, 1/beta^2) bounds
      (f^S_1)^2 (f^(1)_1 <= 0 <= f^(2)_1).  If S < 1: alpha = (1 - S)/(2T), c = (1 - S)^2/(4T).
    d = max over a fine grid of the compact K of V (G V / V + c).  ``max_violation`` is
    max (G V + c V - d 1_K)/(c V) over the grid, with G V computed directly from the derivatives (<= 0).
    The grid suprema ``grid_sup_f11``/``grid_sup_f1_squared`` (tighter, grid-only) are reported too.
    """

    beta: float
    mu_1: float
    mu_M: float
    epsilon: float
    kappa_1: float
    kappa_2: float
    bound_f11: float
    bound_f1_squared: float
    grid_sup_f11: float
    grid_sup_f11_point: tuple
    grid_sup_f1_squared: float
    alpha: float
    c: float
    d: float
    max_violation: float
    paper_condition: float
    holds: bool
    grid_points: int
    message: str


def _grid(x1_max, x2_max, size):
    """Tensor grid, denser near the origin, on [-x1_max, 0] x [0, x2_max]."""
    s = np.linspace(0.0, 1.0, size) ** 1.5
    g1, g2 = np.meshgrid(-x1_max * s, x2_max * s)
    return np.stack([g1.ravel(), g2.ravel()], -1)


#: Fewest grid points per axis of the drift certificate's grids.
MIN_CERTIFICATE_SIZE = 21


def exponential_drift_certificate(*, beta, mu_1, mu_M, epsilon=None, size=201, extent=8.0) -> DriftCertificate:
    """Find epsilon, alpha, c, d of (G.6)-(G.7) (see :class:`DriftCertificate`).

    ``epsilon`` sets kappa_1 = beta/mu_M + epsilon, kappa_2 = beta/mu_M + 2 epsilon (the paper's choice);
    by default the smallest epsilon in beta/mu_M x (1/4, 1/2, 1, 2, 4, 8, 16, 32) whose certified bound
    S is < 1 is used.  The grid ([-extent kappa_2, 0] x [0, extent kappa_2], ``size``^2 points, plus a
    ``size``^2 grid of K) serves d and the direct check.  ``paper_condition`` is the proof's sufficient
    bound -1 + 12 log 2/(mu_M eps^2) + (mu_M + 4)/(beta eps) (< 0 needed for the paper's route).
    """
    c = check_coefficients(beta, mu_1, mu_M, 1)
    size = check_positive_int("size", size, minimum=MIN_CERTIFICATE_SIZE)  # size = 1 certified the origin alone
    extent = check_finite_positive("extent", extent)
    candidates = [epsilon] if epsilon is not None else [beta / mu_M * f for f in (0.25, 0.5, 1, 2, 4, 8, 16, 32)]
    result = None
    for eps in candidates:
        result = _certificate_for(c, check_finite_positive("epsilon", eps), size, extent)
        if epsilon is not None or result.holds:
            break
    return result


def _sums(grid, levels, c):
    x1, x2 = grid[:, 0], grid[:, 1]
    g1 = f1_parts(x1, x2, levels, c)
    g2 = f2_parts(x1, x2, levels, c)
    return g1[0] + g2[0], g1[1] + g2[1], g1[2] + g2[2], g1[3] + g2[3]


def _axis_profile_sup(levels, c):
    """sup_z g(z), g(z) = (mu_1 z phi'(z) + mu_M phi(z)) / (beta (mu_1 z - beta)) = f^(2)_11(0, z):
    fine grid on [kappa_1, kappa_2]; above kappa_2, g = mu_M/(beta(mu_1 z - beta)) is decreasing."""
    z = np.linspace(levels.kappa_1, levels.kappa_2, 20001)
    phi, dphi, _ = cutoff(z, levels.kappa_1, levels.kappa_2)
    return float(np.max((c.mu_1 * z * dphi + c.mu_M * phi) / (c.beta * (c.mu_1 * z - c.beta))))


def _certificate_for(c: FluidCoefficients, eps: float, size: int, extent: float) -> DriftCertificate:
    levels = CutoffLevels.from_epsilon(eps, c.beta, c.mu_M)
    k2 = levels.kappa_2
    bound_f11 = 3.75 / (c.mu_M * eps**2) + _axis_profile_sup(levels, c)
    bound_f1sq = max(1.0 / (c.mu_M * eps) ** 2, 1.0 / c.beta**2)
    grid = _grid(extent * k2, extent * k2, size)
    s = np.linspace(0.0, 1.0, size)
    k_grid = np.stack([a.ravel() for a in np.meshgrid(-k2 * s, k2 * s)], -1)
    pts = np.concatenate([grid, k_grid])
    f_sum, f_1, f_2, f_11 = _sums(pts, levels, c)
    i11 = int(np.argmax(f_11))
    paper = -1.0 + 12.0 * math.log(2.0) / (c.mu_M * eps**2) + (c.mu_M + 4.0) / (c.beta * eps)
    common = dict(beta=c.beta, mu_1=c.mu_1, mu_M=c.mu_M, epsilon=eps, kappa_1=levels.kappa_1, kappa_2=k2,
                  bound_f11=bound_f11, bound_f1_squared=bound_f1sq, grid_sup_f11=float(f_11[i11]),
                  grid_sup_f11_point=tuple(float(v) for v in pts[i11]),
                  grid_sup_f1_squared=float(np.max(f_1**2)), paper_condition=paper, grid_points=pts.shape[0])
    if not bound_f11 < 1.0:
        where = "" if f_11[i11] < 1.0 else (f"; on the grid f^S_11 reaches {f_11[i11]:.4g} at "
                                              f"x = {tuple(round(float(v), 4) for v in pts[i11])}, so (G.6) fails")
        return DriftCertificate(alpha=math.nan, c=math.nan, d=math.nan, max_violation=math.nan, holds=False,
                                message=f"epsilon = {eps:g}: certified bound sup f^S_11 <= {bound_f11:.4g} is not < 1{where}",
                                **common)
    alpha = (1.0 - bound_f11) / (2.0 * bound_f1sq)
    rate = (1.0 - bound_f11) ** 2 / (4.0 * bound_f1sq)
    y1, y2 = pts[:, 0], pts[:, 1]
    # generator of V from the derivatives directly: G V / (alpha V) = b . grad f^S + f^S_11 + alpha (f^S_1)^2
    d1, d2 = limit_drift(y1, y2, c.beta, c.mu_1, c.mu_M)
    generator_over_V = alpha * (d1 * f_1 + d2 * f_2 + f_11 + alpha * f_1**2)
    in_K = (y1 >= -k2) & (y2 <= k2)
    V_K = np.exp(alpha * f_sum[in_K])  # bounded on the compact K
    d_const = float(max(np.max(V_K * (generator_over_V[in_K] + rate)), 0.0))
    # (G V + c V - d 1_K) / (c V), written without V outside K (V grows fast far out)
    relative = generator_over_V / rate + 1.0
    relative[in_K] -= d_const / (rate * V_K)
    max_violation = float(np.max(relative))
    holds = max_violation <= 1e-9
    message = (f"G V <= -c V + d 1_K with epsilon = {eps:.4g} (kappa_1 = {levels.kappa_1:.4g}, kappa_2 = {k2:.4g}), "
               f"alpha = {alpha:.4g}, c = {rate:.4g}, d = {d_const:.4g}")
    if not holds:
        worst = int(np.argmax(relative))
        message = f"drift inequality violated at x = {tuple(pts[worst])} (relative {max_violation:.3g})"
    return DriftCertificate(alpha=alpha, c=rate, d=d_const, max_violation=max_violation, holds=holds,
                            message=message, **common)
