"""The Lyapunov function f* of Lemma 6.2 (paper 000, Section 6.1, Appendices F and G).

* ``f_star(x, *, beta, mu_1, mu_M, kappa, n=1)``: closed form (6.60), x of shape (..., 2) -> (...);
* ``f_star_derivatives(...)``: gradient (..., 2) and Hessian (..., 2, 2) in closed form;
* ``dfl_f_star(...)``: the DFL integral (6.43) by quadrature along solve_ivp trajectories;
* ``exponential_drift_certificate(...)``: Appendix G, explicit alpha, epsilon, c, d for (G.6)-(G.7);
* ``verify_lemma_6_2(points=None, *, beta, mu_1, mu_M, kappa, n=1, ...)``: report on (6.20)-(6.24).
"""
from lyapunov.derivatives import FStarDerivatives, f_star_derivatives, f_star_with_derivatives
from lyapunov.dfl_quadrature import dfl_f_star, dfl_integral
from lyapunov.appendix_g import (
    CutoffLevels,
    DriftCertificate,
    appendix_g_functions,
    cutoff,
    exponential_drift_certificate,
)
from lyapunov.constants import LemmaConstants, lemma_constants
from lyapunov.f_star import f_star
from lyapunov.lemma_6_2 import (
    ConditionResult,
    Lemma62Report,
    closed_form_candidate,
    finite_difference_candidate,
    generate_points,
    perturbed_candidate,
    verify_lemma_6_2,
)

__all__ = [
    "CutoffLevels",
    "DriftCertificate",
    "appendix_g_functions",
    "cutoff",
    "exponential_drift_certificate",
    "ConditionResult",
    "Lemma62Report",
    "LemmaConstants",
    "closed_form_candidate",
    "finite_difference_candidate",
    "generate_points",
    "lemma_constants",
    "perturbed_candidate",
    "verify_lemma_6_2",
    "FStarDerivatives",
    "dfl_f_star",
    "dfl_integral",
    "f_star",
    "f_star_derivatives",
    "f_star_with_derivatives",
]
