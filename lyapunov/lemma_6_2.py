"""A numerical verifier of Lemma 6.2 (paper 000, (6.20)-(6.24)) on a cloud of points.

The operator of (6.20) is the first-order fluid operator (6.4) = (F.2),
    L f(x) = (-beta/sqrt(n) - mu_M x_1 + mu_1 x_2) f_1(x) - mu_1 x_2 f_2(x),
i.e. grad f . limit_drift(x; beta/sqrt(n)); the second-order terms of the generator sit in the error
eps_f^n of (6.3), not in L.  On Omega-bar L coincides with L-bar of (6.39) because f_1 = f_2 there (6.21).

Conditions checked (fluid scale, k = kappa/sqrt(n), h(x) = (x_2 - k)_+):
  pde (6.20)          |L f + h| / max(|h|, |b_1 f_1|, |b_2 f_2|)          <= tol_pde (0/0 := 0)
  boundary (6.21)     max(|f_1 - g|, |f_2 - g|)/max(g, 1) at x_1 = 0, g = (sqrt(n)/beta)(x_2 - k)_+
  sign f_1, f_11, f_12, f_22 (6.22)   smallest value, relative to its natural scale, >= -tol_sign
  vanishing (6.23)    max(|f_11|, |f_22|) / (C_5 sqrt(n)) on x_2 <= k
  C_5 bound (6.24)    min (C_5 sqrt(n) - f_11) / (C_5 sqrt(n)) >= -tol_sign
  C_6 bound (6.24)    the same for f_22, with C_6 carrying mu_2 (Lemma) and mu_M (Appendix F), and
                      the (F.13) bound on Omega_3 alone
  continuity          jump of (f_1, f_2) across Gamma^kappa and x_2 = k (offsets +-1e-9 relative), in
                      units of the largest jump a Lipschitz gradient allows (<= tol_continuity = 1.5)
  dfl (6.43)          optional: |f - DFL quadrature| / f on a subsample
Each condition reports its worst value and the point where it occurs.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, NamedTuple

import numpy as np

from fluid.gamma_curves import gamma_from_abscissa_core
from fluid.regions import OMEGA_2, OMEGA_3, classify_core
from fluid.validation import check_coefficients, check_finite_positive, check_kappa, check_points
from lyapunov.constants import LemmaConstants, check_lemma_parameters, lemma_constants
from lyapunov.derivatives import f_star_with_derivatives
from reflected_ou.drift import limit_drift
from rou_common.checks import check_positive_int

#: Default tolerances.
TOL_PDE = 1e-9
TOL_BOUNDARY = 1e-9
TOL_SIGN = 1e-12
TOL_CONTINUITY = 1.5
TOL_DFL = 1e-7
#: Relative offset used to probe the borders from both sides.
BORDER_OFFSET = 1e-9

Candidate = Callable[[np.ndarray], tuple]


class ConditionResult(NamedTuple):
    """One condition of Lemma 6.2: ``worst`` is the largest residual (kind 'residual') or the smallest
    slack (kind 'slack'); status is 'pass', 'FAIL', 'degenerate' (bound infinite: nothing to check) or
    'no points' (none of the supplied points is concerned, e.g. no point on the axis for (6.21))."""

    name: str
    equation: str
    kind: str
    worst: float
    worst_point: tuple
    tolerance: float
    status: str
    points: int

    @property
    def passed(self) -> bool:
        return self.status != "FAIL"


@dataclass(frozen=True)
class Lemma62Report:
    """Result of :func:`verify_lemma_6_2`: parameters, constants (diffusion scale) and conditions."""

    parameters: dict
    constants: LemmaConstants
    conditions: tuple
    region_counts: dict = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return all(cond.passed for cond in self.conditions)

    @property
    def failures(self) -> tuple:
        return tuple(cond for cond in self.conditions if not cond.passed)

    def condition(self, name: str) -> ConditionResult:
        for cond in self.conditions:
            if cond.name == name:
                return cond
        raise KeyError(name)

    def table(self) -> str:
        lines = [f"{'condition':<22}{'eq.':<9}{'kind':<10}{'worst':>13}  {'status':<11}worst point"]
        for cond in self.conditions:
            point = "(" + ", ".join(f"{v:.6g}" for v in cond.worst_point) + ")" if cond.worst_point else "-"
            lines.append(
                f"{cond.name:<22}{cond.equation:<9}{cond.kind:<10}{cond.worst:>13.3e}  {cond.status:<11}{point}"
            )
        return "\n".join(lines)

    def as_dict(self) -> dict:
        return {
            "parameters": self.parameters,
            "constants": self.constants._asdict(),
            "passed": self.passed,
            "region_counts": self.region_counts,
            "conditions": [
                {**cond._asdict(), "worst_point": list(cond.worst_point)} for cond in self.conditions
            ],
        }


def closed_form_candidate(*, beta, mu_1, mu_M, kappa, n=1) -> Candidate:
    """The closed form (6.60) with its derivatives as a candidate: x (N, 2) -> (f, grad, hess)."""

    def candidate(points):
        return f_star_with_derivatives(points, beta=beta, mu_1=mu_1, mu_M=mu_M, kappa=kappa, n=n)

    return candidate


def perturbed_candidate(kind: str, *, beta, mu_1, mu_M, kappa, n=1) -> Candidate:
    """Negative controls: ``'scale'`` is 1.01 f* (all derivatives scaled); ``'drop-log'`` replaces the
    Omega_2 value by (x_2 - k)/mu_1 (the log term of (6.60) dropped), with its exact derivatives."""
    base = closed_form_candidate(beta=beta, mu_1=mu_1, mu_M=mu_M, kappa=kappa, n=n)
    c = check_coefficients(beta, mu_1, mu_M, n)
    k = check_kappa(kappa, c) / c.sqrt_n
    if kind == "scale":
        return lambda points: tuple(1.01 * np.asarray(a) for a in base(points))
    if kind == "drop-log":

        def candidate(points):
            value, grad, hess = (np.array(a, dtype=float) for a in base(points))
            two = classify_core(points[:, 0], points[:, 1], k, c) == OMEGA_2
            value[two] = (points[two, 1] - k) / c.mu_1
            grad[two] = [0.0, 1.0 / c.mu_1]
            hess[two] = 0.0
            return value, grad, hess

        return candidate
    raise ValueError(f"kind must be 'scale' or 'drop-log', got {kind!r}")


def finite_difference_candidate(value: Callable[[np.ndarray], np.ndarray], step: float = 1e-5) -> Candidate:
    """A candidate built from a value function alone (central differences, one-sided at x_1 = 0 and
    x_2 = 0); accurate to about step^2 away from kinks, so use tolerances around 1e-6."""
    step = check_finite_positive("step", step)

    def shift(points, axis, sign):
        moved = points.copy()
        moved[:, axis] += sign * step
        moved[:, 0] = np.minimum(moved[:, 0], 0.0)
        moved[:, 1] = np.maximum(moved[:, 1], 0.0)
        return moved

    def gradient(points):
        grad = np.empty_like(points)
        for axis in range(2):
            plus, minus = shift(points, axis, 1.0), shift(points, axis, -1.0)
            grad[:, axis] = (value(plus) - value(minus)) / (plus[:, axis] - minus[:, axis])
        return grad

    def candidate(points):
        hess = np.empty(points.shape + (2,))
        for axis in range(2):
            plus, minus = shift(points, axis, 1.0), shift(points, axis, -1.0)
            hess[:, :, axis] = (gradient(plus) - gradient(minus)) / (plus[:, axis] - minus[:, axis])[:, None]
        hess = 0.5 * (hess + np.swapaxes(hess, -1, -2))
        return value(points), gradient(points), hess

    return candidate


def generate_points(*, beta, mu_1, mu_M, kappa, n=1, per_region=2000, per_border=400, seed=0):
    """Points (N, 2) in fluid scale covering Omega_1, Omega_2, Omega_3 and their borders: the axis
    x_1 = 0, the line x_2 = 0, x_2 = kappa/sqrt(n), Gamma^kappa (with +-1e-9 relative offsets), the
    corner (0, kappa/sqrt(n)) and Omega-bar."""
    c = check_coefficients(beta, mu_1, mu_M, n)
    kappa = check_kappa(kappa, c)
    rng = np.random.default_rng(seed)
    k = kappa / c.sqrt_n
    width = 4.0 * max(kappa, beta / mu_M) / c.sqrt_n
    height = 1.5 * float(gamma_from_abscissa_core(np.array([-width]), k, c).x2[0])
    clouds = [np.stack([-width * rng.random(per_region), k * rng.random(per_region)], -1)]
    need = {OMEGA_2: per_region, OMEGA_3: per_region}
    for _ in range(50):
        if max(need.values()) <= 0:
            break
        trial = np.stack([-width * rng.random(4 * per_region), k + (height - k) * rng.random(4 * per_region)], -1)
        labels = classify_core(trial[:, 0], trial[:, 1], k, c)
        for region in (OMEGA_2, OMEGA_3):
            take = trial[labels == region][: max(need[region], 0)]
            clouds.append(take)
            need[region] -= take.shape[0]
    x1_border = -width * rng.random(per_border)
    gamma = gamma_from_abscissa_core(x1_border, k, c)
    heights = np.concatenate([k * rng.random(per_border // 2), k + (height - k) * rng.random(per_border)])
    lines = [
        np.stack([gamma.x1, gamma.x2], -1),
        np.stack([gamma.x1, gamma.x2 * (1 + BORDER_OFFSET)], -1),
        np.stack([gamma.x1, gamma.x2 * (1 - BORDER_OFFSET)], -1),
        np.stack([x1_border, np.full(per_border, k)], -1),
        np.stack([x1_border, np.full(per_border, k * (1 + BORDER_OFFSET))], -1),
        np.stack([x1_border, np.full(per_border, k * (1 - BORDER_OFFSET))], -1),
        np.stack([np.zeros(heights.size), heights], -1),
        np.stack([x1_border, np.zeros(per_border)], -1),
        np.array([[0.0, k], [0.0, k * (1 + BORDER_OFFSET)], [0.0, 0.0], [0.0, c.sliding_floor]]),
    ]
    return np.concatenate(clouds + lines, axis=0)


def _worst(values, points, largest: bool):
    index = int(np.nanargmax(values) if largest else np.nanargmin(values))
    return float(values[index]), tuple(float(v) for v in points[index])


def _residual(name, equation, values, points, tolerance):
    if values.size == 0:
        return ConditionResult(name, equation, "residual", math.nan, (), tolerance, "no points", 0)
    worst, where = _worst(values, points, largest=True)
    status = "pass" if (values.size == 0 or worst <= tolerance) else "FAIL"
    if not np.all(np.isfinite(values)):
        status = "FAIL"
    return ConditionResult(name, equation, "residual", worst, where, tolerance, status, int(values.size))


def _slack(name, equation, values, points, tolerance, degenerate=False):
    if degenerate:
        return ConditionResult(name, equation, "slack", math.inf, (), tolerance, "degenerate", int(values.size))
    if values.size == 0:
        return ConditionResult(name, equation, "slack", math.nan, (), tolerance, "no points", 0)
    worst, where = _worst(values, points, largest=False)
    status = "pass" if (values.size == 0 or worst >= -tolerance) else "FAIL"
    if not np.all(np.isfinite(values)):
        status = "FAIL"
    return ConditionResult(name, equation, "slack", worst, where, tolerance, status, int(values.size))


def verify_lemma_6_2(
    points=None,
    *,
    beta,
    mu_1,
    mu_M,
    kappa,
    n=1,
    mu_2=None,
    candidate: Candidate | None = None,
    tol_pde: float = TOL_PDE,
    tol_boundary: float = TOL_BOUNDARY,
    tol_sign: float = TOL_SIGN,
    tol_continuity: float = TOL_CONTINUITY,
    dfl_points: int = 0,
    tol_dfl: float = TOL_DFL,
    seed: int = 0,
) -> Lemma62Report:
    """Check (6.20)-(6.24) for f* (or a ``candidate``: x (N, 2) -> (f, grad, hess)) on ``points``
    (N, 2) in fluid scale (default: :func:`generate_points`).  ``mu_2`` (default mu_M, i.e. M = 2) is
    the second speed used by the printed C_6.  ``dfl_points`` > 0 also compares f with the DFL
    quadrature (6.43) on that many points."""
    c, kappa, mu_2 = check_lemma_parameters(beta, mu_1, mu_M, kappa, mu_2, n)
    if points is None:
        points = generate_points(beta=beta, mu_1=mu_1, mu_M=mu_M, kappa=kappa, n=n, seed=seed)
    points = check_points(points, "points").reshape(-1, 2)
    if points.shape[0] == 0:
        raise ValueError("points must hold at least one point (an empty set passed vacuously)")
    dfl_points = check_positive_int("dfl_points", dfl_points, minimum=0)
    candidate = candidate or closed_form_candidate(beta=beta, mu_1=mu_1, mu_M=mu_M, kappa=kappa, n=n)
    k = kappa / c.sqrt_n
    sqrt_n = c.sqrt_n
    constants = lemma_constants(beta=c.beta, mu_1=c.mu_1, mu_M=c.mu_M, kappa=kappa, mu_2=mu_2)
    labels = classify_core(points[:, 0], points[:, 1], k, c)

    value, grad, hess = (np.asarray(a, dtype=float) for a in candidate(points))
    f1, f2 = grad[:, 0], grad[:, 1]
    f11, f12, f22 = hess[:, 0, 0], hess[:, 0, 1], hess[:, 1, 1]
    x1, x2 = points[:, 0], points[:, 1]
    excess = np.maximum(x2 - k, 0.0)
    conditions = []

    # (6.20): L f = -(x_2 - k)_+ with L the first-order operator (6.4).
    d1, d2 = limit_drift(x1, x2, c.drift, c.mu_1, c.mu_M)
    term1, term2 = d1 * f1, d2 * f2
    scale = np.maximum(excess, np.maximum(np.abs(term1), np.abs(term2)))
    raw = np.abs(term1 + term2 + excess)
    pde = np.where(scale > 0.0, raw / np.where(scale > 0.0, scale, 1.0), raw)
    conditions.append(_residual("pde", "(6.20)", pde, points, tol_pde))

    # (6.21): f_1(0, x_2) = f_2(0, x_2) = (sqrt(n)/beta)(x_2 - k)_+.
    axis = x1 == 0.0
    target = sqrt_n / c.beta * excess[axis]
    boundary = np.maximum(np.abs(f1[axis] - target), np.abs(f2[axis] - target)) / np.maximum(target, 1.0)
    conditions.append(_residual("boundary", "(6.21)", boundary, points[axis], tol_boundary))

    # (6.22): signs, each relative to a natural scale.
    grad_scale = max(1.0, sqrt_n / c.beta * float(np.max(excess, initial=0.0)))
    hess_scale = constants.c5 * sqrt_n
    for name, values, unit in (("sign f_1", f1, grad_scale), ("sign f_11", f11, hess_scale),
                               ("sign f_12", f12, hess_scale), ("sign f_22", f22, hess_scale)):
        conditions.append(_slack(name, "(6.22)", values / unit, points, tol_sign))

    # (6.23): f_11 = f_22 = 0 for x_2 <= k.
    low = x2 <= k
    vanishing = np.maximum(np.abs(f11[low]), np.abs(f22[low])) / hess_scale
    conditions.append(_residual("vanishing", "(6.23)", vanishing, points[low], tol_sign))

    # (6.24): f_11 <= C_5 sqrt(n), f_22 <= C_6 sqrt(n) (both printed variants), (F.13) on Omega_3.
    conditions.append(_slack("C5 bound", "(6.24)", 1.0 - f11 / (constants.c5 * sqrt_n), points, tol_sign))
    for name, bound, mask in (("C6 bound (mu_2)", constants.c6_lemma_mu2, np.ones_like(low)),
                              ("C6 bound (mu_M)", constants.c6_appendix_muM, np.ones_like(low)),
                              ("F.13 bound Omega_3", constants.f13_omega3, labels == OMEGA_3)):
        degenerate = not math.isfinite(bound)
        slack = 1.0 - f22[mask] / (bound * sqrt_n) if not degenerate else f22[mask]
        conditions.append(_slack(name, "(6.24)" if "C6" in name else "(F.13)", slack, points[mask], tol_sign,
                                 degenerate))

    # Absolute continuity: first derivatives continuous across Gamma^kappa and x_2 = k.
    conditions.append(_continuity(points, labels, k, c, candidate, tol_continuity, hess_scale))

    if dfl_points > 0:
        from lyapunov.dfl_quadrature import dfl_point_core

        rng = np.random.default_rng(seed)
        chosen = rng.choice(points.shape[0], size=min(int(dfl_points), points.shape[0]), replace=False)
        reference = np.array([dfl_point_core(float(a), float(b), k, c) for a, b in points[chosen]])
        mismatch = np.abs(value[chosen] - reference) / np.where(reference > 0.0, reference, 1.0)
        conditions.append(_residual("dfl agreement", "(6.43)", mismatch, points[chosen], tol_dfl))

    counts = {f"Omega_{r}": int(np.sum(labels == r)) for r in (1, 2, 3)}
    counts["axis x_1 = 0"] = int(np.sum(axis))
    parameters = {"beta": c.beta, "mu_1": c.mu_1, "mu_M": c.mu_M, "mu_2": mu_2, "kappa": kappa, "n": int(c.n)}
    return Lemma62Report(parameters, constants, tuple(conditions), counts)


def _continuity(points, labels, k, c, candidate, tolerance, hess_scale):
    """Jump of (f_1, f_2) between x_2 (1 +- offset) at points lying on a border (Gamma^kappa or x_2 = k),
    in units of the jump a Lipschitz gradient could make: 2 offset x_2 max(|hess| on both sides, C_5
    sqrt(n)).  Continuous first derivatives give <= 1; a jump of the gradient gives ~ 1/offset."""
    x1, x2 = points[:, 0], points[:, 1]
    up = classify_core(x1, x2 * (1 + BORDER_OFFSET), k, c)
    down = classify_core(x1, x2 * (1 - BORDER_OFFSET), k, c)
    border = (up != down) & (x2 > 0.0)
    where = points[border]
    if where.shape[0] == 0:
        return ConditionResult("continuity f_1, f_2", "Lem 6.2", "residual", 0.0, (), tolerance, "pass", 0)
    above = where * np.array([1.0, 1 + BORDER_OFFSET])
    below = where * np.array([1.0, 1 - BORDER_OFFSET])
    _, grad_up, hess_up = (np.asarray(a) for a in candidate(above))
    _, grad_down, hess_down = (np.asarray(a) for a in candidate(below))
    jump = np.max(np.abs(grad_up - grad_down), axis=-1)
    curvature = np.maximum(np.max(np.abs(hess_up), axis=(-2, -1)), np.max(np.abs(hess_down), axis=(-2, -1)))
    lipschitz = 2.0 * BORDER_OFFSET * where[:, 1] * np.maximum(curvature, hess_scale)
    return _residual("continuity f_1, f_2", "Lem 6.2", jump / lipschitz, where, tolerance)
