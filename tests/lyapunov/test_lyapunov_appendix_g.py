"""Appendix G: the cut-off phi, f^(1) and f^(2) solving (G.4)-(G.5) (closed form / Gauss-Legendre vs
the DFL quadrature along solve_ivp trajectories, PDE residuals, derivatives vs central differences) and
the exponential drift certificate (G.6)-(G.7)."""
from __future__ import annotations

import numpy as np
import pytest

from lyapunov.appendix_g import (
    CutoffLevels,
    appendix_g_functions,
    cutoff,
    cutoff_log_primitive,
    cutoff_primitive,
    exponential_drift_certificate,
)
from lyapunov.dfl_quadrature import dfl_integral
from reflected_ou.drift import limit_drift

PAPER = dict(beta=2.0, mu_1=20 / 8, mu_M=5 / 8)
LEVELS = CutoffLevels.from_epsilon(3.2, PAPER["beta"], PAPER["mu_M"])
K = dict(kappa_1=LEVELS.kappa_1, kappa_2=LEVELS.kappa_2)


def sample(rng, count, reach):
    pts = np.stack([-reach * rng.random(count), reach * rng.random(count)], -1)
    pts[: count // 10, 0] = 0.0
    return pts


def test_cutoff_is_a_c2_step_within_the_proof_bounds():
    k1, k2 = 1.0, 3.0
    h = k2 - k1
    u = np.linspace(0.0, 4.0, 40001)
    phi, dphi, ddphi = cutoff(u, k1, k2)
    assert np.all(phi[u <= k1] == 0) and np.all(phi[u >= k2] == 1) and np.all(np.diff(phi) >= 0)
    assert np.max(np.abs(dphi)) <= 4 / h and np.max(np.abs(ddphi)) <= 12 / h**2
    np.testing.assert_allclose(cutoff(np.array([k1, k2]), k1, k2)[1:], 0.0, atol=1e-15)
    step = u[1] - u[0]
    np.testing.assert_allclose(np.gradient(phi, step), dphi, atol=1e-6)
    np.testing.assert_allclose(np.gradient(dphi, step), ddphi, atol=1e-3)
    np.testing.assert_allclose(np.gradient(cutoff_primitive(u, k1, k2), step), phi, atol=1e-6)
    np.testing.assert_allclose(np.gradient(cutoff_log_primitive(u[u > 0.5], k1, k2), step), phi[u > 0.5] / u[u > 0.5], atol=1e-5)


def test_f1_f2_equal_the_dfl_quadrature_along_solve_ivp_trajectories():
    rng = np.random.default_rng(0)
    pts = sample(rng, 24, 3 * LEVELS.kappa_2)
    values = appendix_g_functions(pts, **PAPER, **K)
    k1, k2 = LEVELS.kappa_1, LEVELS.kappa_2
    q1 = dfl_integral(pts, lambda a, b: float(cutoff(-a, k1, k2)[0]), 60.0, **PAPER)
    q2 = dfl_integral(pts, lambda a, b: float(cutoff(b, k1, k2)[0]), 60.0, **PAPER)
    assert np.any(values["f1"] > 0) and np.any(values["f2"] > 0)
    np.testing.assert_allclose(values["f1"], q1, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(values["f2"], q2, rtol=1e-7, atol=1e-9)


def test_pde_g4_g5_boundary_condition_and_derivatives():
    rng = np.random.default_rng(1)
    pts = sample(rng, 3000, 4 * LEVELS.kappa_2)
    v = appendix_g_functions(pts, **PAPER, **K)
    d1, d2 = limit_drift(pts[:, 0], pts[:, 1], PAPER["beta"], PAPER["mu_1"], PAPER["mu_M"])
    rhs1 = cutoff(-pts[:, 0], **dict(zip(("kappa_1", "kappa_2"), (LEVELS.kappa_1, LEVELS.kappa_2))))[0]
    rhs2 = cutoff(pts[:, 1], LEVELS.kappa_1, LEVELS.kappa_2)[0]
    scale1 = np.abs(d1 * v["f1_1"]) + np.abs(d2 * v["f1_2"]) + 1.0
    scale2 = np.abs(d1 * v["f2_1"]) + np.abs(d2 * v["f2_2"]) + 1.0
    assert np.max(np.abs(d1 * v["f1_1"] + d2 * v["f1_2"] + rhs1) / scale1) < 1e-12  # (G.4)
    assert np.max(np.abs(d1 * v["f2_1"] + d2 * v["f2_2"] + rhs2) / scale2) < 1e-12  # (G.5)
    axis = pts[:, 0] == 0
    np.testing.assert_allclose(v["f2_1"][axis], v["f2_2"][axis], rtol=1e-12, atol=1e-15)
    assert np.all(v["f1_1"][axis] == 0) and np.all(v["f1_2"][axis] == 0)
    assert np.all(v["f1_1"] <= 0) and np.all(v["f2_1"] >= 0) and np.all(v["f2_1"] <= 1 / PAPER["beta"] + 1e-15)
    # derivatives vs central differences (interior points)
    inner = pts[(pts[:, 0] < -1e-3) & (pts[:, 1] > 1e-3)][:400]
    h = 1e-5
    base = appendix_g_functions(inner, **PAPER, **K)
    for name in ("f1", "f2"):
        for axis_index, suffix in ((0, "_1"), (1, "_2")):
            e = np.zeros(2)
            e[axis_index] = h
            plus, minus = appendix_g_functions(inner + e, **PAPER, **K), appendix_g_functions(inner - e, **PAPER, **K)
            np.testing.assert_allclose((plus[name] - minus[name]) / (2 * h), base[name + suffix], atol=1e-7)
            if suffix == "_1":
                np.testing.assert_allclose((plus[name + "_1"] - minus[name + "_1"]) / (2 * h), base[name + "_11"], atol=1e-6)


def test_drift_certificate_on_the_paper_example():
    cert = exponential_drift_certificate(**PAPER, size=101)
    assert cert.holds, cert.message
    assert cert.alpha > 0 and cert.c > 0 and cert.d >= 0
    assert cert.max_violation <= 1e-9
    # the certified analytic bounds dominate what the grid sees
    assert cert.grid_sup_f11 <= cert.bound_f11 < 1.0
    assert cert.grid_sup_f1_squared <= cert.bound_f1_squared * (1 + 1e-12)
    assert cert.kappa_1 == pytest.approx(PAPER["beta"] / PAPER["mu_M"] + cert.epsilon)


def test_drift_certificate_reports_where_it_fails_for_small_epsilon():
    cert = exponential_drift_certificate(**PAPER, epsilon=1.0, size=101)
    assert not cert.holds
    assert "not < 1" in cert.message and "(G.6) fails" in cert.message
    assert cert.grid_sup_f11 > 1.0 and len(cert.grid_sup_f11_point) == 2


def test_bad_levels_raise():
    with pytest.raises(ValueError, match="kappa_2 > kappa_1 > beta/mu_M"):
        appendix_g_functions(np.array([-1.0, 1.0]), **PAPER, kappa_1=2.0, kappa_2=5.0)
    with pytest.raises(ValueError, match="epsilon must be finite and > 0"):
        exponential_drift_certificate(**PAPER, epsilon=-1.0)


@pytest.mark.parametrize("kwargs, rule", [
    (dict(size=1), "size must be an integer >= 21"),  # certified the origin alone (holds = True)
    (dict(size=2.5), "size must be an integer >= 21"),
    (dict(extent=0.0), "extent must be finite and > 0"),
    (dict(extent=-1.0), "extent must be finite and > 0"),
])
def test_certificate_grids_must_be_grids(kwargs, rule):
    from lyapunov import exponential_drift_certificate

    with pytest.raises(ValueError, match=rule):
        exponential_drift_certificate(beta=2.0, mu_1=2.5, mu_M=0.625, **kwargs)


def test_cutoff_levels_are_checked():
    from lyapunov import cutoff
    from lyapunov.appendix_g import CutoffLevels

    with pytest.raises(ValueError, match="kappa_1 < kappa_2"):  # NaN before
        cutoff([1.0, 2.0], 1.0, 1.0)
    with pytest.raises(ValueError, match="beta must be finite and > 0"):  # NaN levels before
        CutoffLevels.from_epsilon(1.0, float("nan"), 0.625)
    with pytest.raises(ValueError, match="mu_M must be finite and > 0"):  # ZeroDivisionError before
        CutoffLevels.from_epsilon(1.0, 2.0, 0.0)
