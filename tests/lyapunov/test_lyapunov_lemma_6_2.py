"""The Lemma 6.2 verifier: passes on the paper's example and a sweep, flags perturbed candidates,
records which printed C_6 holds, degenerates honestly in the homogeneous case, rejects bad input."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fluid.regions import OMEGA_2
from fluid import classify
from lyapunov import (
    f_star_with_derivatives,
    finite_difference_candidate,
    f_star,
    generate_points,
    lemma_constants,
    verify_lemma_6_2,
)

PAPER = dict(beta=2.0, mu_1=20 / 8, mu_M=5 / 8)
ALL_CONDITIONS = {
    "pde", "boundary", "sign f_1", "sign f_11", "sign f_12", "sign f_22", "vanishing", "C5 bound",
    "C6 bound (mu_2)", "C6 bound (mu_M)", "F.13 bound Omega_3", "continuity f_1, f_2",
}


def test_paper_example_passes_every_condition():
    report = verify_lemma_6_2(**PAPER, kappa=1.0, dfl_points=60)
    assert report.passed, report.table()
    assert {c.name for c in report.conditions} == ALL_CONDITIONS | {"dfl agreement"}
    assert report.condition("pde").worst < 1e-9
    assert report.condition("boundary").worst < 1e-12
    assert all(report.region_counts[f"Omega_{r}"] > 1000 for r in (1, 2, 3))
    assert report.region_counts["axis x_1 = 0"] > 100
    for name in ("C5 bound", "C6 bound (mu_M)", "F.13 bound Omega_3"):
        assert 0.0 <= report.condition(name).worst < 1.0
        assert len(report.condition(name).worst_point) == 2
    # C_5 is attained in the limit at the corner (0, kappa): f_11 -> (mu_1+mu_M)/beta * A^2 * ... there
    assert report.condition("C5 bound").worst < 0.5


@settings(max_examples=20, deadline=None, derandomize=True)
@given(
    st.floats(0.2, 5.0), st.floats(0.5, 5.0), st.floats(0.05, 0.95), st.floats(0.05, 3.0),
    st.sampled_from([1, 10, 1000]), st.integers(0, 1000),
)
def test_sweep_passes_with_small_pde_residual(beta, mu_1, ratio, margin, n, seed):
    p = dict(beta=beta, mu_1=mu_1, mu_M=mu_1 * ratio, kappa=beta / mu_1 * (1 + margin), n=n)
    points = generate_points(per_region=400, per_border=80, seed=seed, **p)
    report = verify_lemma_6_2(points, **p)
    assert report.passed, report.table()
    assert report.condition("pde").worst < 1e-9


def test_which_printed_c6_holds_for_three_pools():
    """Lemma 6.2 prints (1 + mu_2), (F.13) prints (1 + mu_M).  With M = 3 (mu_2 > mu_M) the mu_M version
    is the tighter one; it holds, hence so does the looser printed one."""
    p = dict(beta=1.0, mu_1=3.0, mu_M=0.5, kappa=0.6)
    constants = lemma_constants(**p, mu_2=1.5)
    assert constants.c6_lemma_mu2 > constants.c6_appendix_muM
    report = verify_lemma_6_2(**p, mu_2=1.5)
    assert report.passed
    assert report.condition("C6 bound (mu_M)").worst >= 0.0
    assert report.condition("C6 bound (mu_2)").worst > report.condition("C6 bound (mu_M)").worst


def test_homogeneous_case_reports_degenerate_c6_without_dividing_by_zero():
    report = verify_lemma_6_2(beta=1.0, mu_1=1.0, mu_M=1.0, kappa=1.5)
    assert report.passed
    for name in ("C6 bound (mu_2)", "C6 bound (mu_M)", "F.13 bound Omega_3"):
        assert report.condition(name).status == "degenerate"
    assert report.condition("pde").worst < 1e-9
    assert math.isinf(report.constants.c6_appendix_muM) and math.isfinite(report.constants.c5)


def test_negative_control_scaled_f_star_is_flagged():
    p = dict(PAPER, kappa=1.0)

    def scaled(points):
        value, grad, hess = f_star_with_derivatives(points, **p)
        return 1.01 * value, 1.01 * grad, 1.01 * hess

    report = verify_lemma_6_2(**p, candidate=scaled)
    assert not report.passed
    failed = {c.name for c in report.failures}
    assert {"pde", "boundary"} <= failed
    assert report.condition("pde").worst == pytest.approx(0.01 / 1.01, rel=1e-6)


def test_negative_control_without_the_log_term_is_flagged():
    """Omega_2 value (x_2 - k)/mu_1 (log term dropped), derivatives by central differences."""
    p = dict(PAPER, kappa=1.0)

    def without_log(points):
        value = f_star(points, **p)
        two = classify(points, **p) == OMEGA_2
        value[two] = (points[two, 1] - p["kappa"]) / p["mu_1"]
        return value

    candidate = finite_difference_candidate(without_log, step=1e-6)
    report = verify_lemma_6_2(**p, candidate=candidate, tol_pde=1e-5, tol_boundary=1e-5)
    assert not report.passed
    assert report.condition("pde").status == "FAIL" and report.condition("pde").worst > 0.1
    assert report.condition("continuity f_1, f_2").status == "FAIL"
    # the same finite-difference route accepts the true f* at these tolerances (the control is fair)
    honest = finite_difference_candidate(lambda x: f_star(x, **p), step=1e-6)
    points = generate_points(per_region=300, per_border=0, seed=3, **p)
    points = points[(points[:, 0] < -1e-3) & (np.abs(points[:, 1] - p["kappa"]) > 1e-3)]  # FD stencils off kinks
    clean = verify_lemma_6_2(points, **p, candidate=honest, tol_pde=1e-5, tol_sign=1e-3)
    assert clean.condition("pde").passed


def test_report_rendering_and_dict():
    report = verify_lemma_6_2(**PAPER, kappa=1.2, n=100)
    table = report.table()
    assert "pde" in table and "C6 bound (mu_M)" in table and "worst point" in table
    data = report.as_dict()
    assert data["passed"] is True and data["parameters"]["n"] == 100
    assert len(data["conditions"]) == len(report.conditions)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(PAPER, kappa=0.8), r"kappa must be > beta/mu_1"),
        (dict(beta=2.0, mu_1=0.625, mu_M=2.5, kappa=5.0), "mu_1 must be >= mu_M"),
        (dict(PAPER, kappa=1.0, mu_2=3.0), "mu_2 must satisfy mu_M <= mu_2 <= mu_1"),
    ],
)
def test_verifier_rejects_bad_parameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        verify_lemma_6_2(**kwargs)


def test_verifier_rejects_points_outside_omega():
    with pytest.raises(ValueError, match="points must lie in Omega"):
        verify_lemma_6_2(np.array([[0.5, 1.0]]), **PAPER, kappa=1.0)


def test_conditions_without_points_are_reported_as_such():
    points = np.array([[-1.0, 0.5], [-2.0, 3.0], [-0.5, 8.0]])
    report = verify_lemma_6_2(points, **PAPER, kappa=1.0)
    assert report.condition("boundary").status == "no points"
    assert report.condition("boundary").points == 0
    assert report.passed


def test_empty_point_sets_bad_dfl_points_and_bad_constants_are_refused():
    import numpy as np

    from lyapunov import lemma_constants, verify_lemma_6_2

    kw = dict(beta=2.0, mu_1=2.5, mu_M=0.625)
    with pytest.raises(ValueError, match="at least one point"):  # passed vacuously before
        verify_lemma_6_2(np.zeros((0, 2)), kappa=1.0, **kw)
    with pytest.raises(ValueError, match="dfl_points must be an integer >= 0"):
        verify_lemma_6_2(kappa=1.0, dfl_points=-1, **kw)
    with pytest.raises(ValueError, match=r"kappa must be > beta/mu_1"):  # gave c5 = -1.04
        lemma_constants(kappa=0.5, **kw)
    with pytest.raises(ValueError, match="mu_2 must satisfy"):
        lemma_constants(kappa=1.0, mu_2=3.0, **kw)
