"""f* of Lemma 6.2: closed form vs the DFL quadrature, derivatives, the verifier, and the Appendix G
drift certificate, on the paper's example.

Run from the repository root:  python examples/lyapunov_f_star.py
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lyapunov import (  # noqa: E402
    dfl_f_star,
    exponential_drift_certificate,
    f_star,
    f_star_derivatives,
    perturbed_candidate,
    verify_lemma_6_2,
)

PAPER = dict(beta=2.0, mu_1=20 / 8, mu_M=5 / 8)


def main() -> None:
    params = dict(PAPER, kappa=1.0)
    x = np.array([[-2.0, 0.5], [-6.0, 3.0], [-1.0, 6.0], [0.0, 4.0]])
    print("x               f* closed form    f* DFL quadrature   gradient            Hessian diag")
    grad, hess = f_star_derivatives(x, **params)
    for point, closed, numeric, g, h in zip(x, f_star(x, **params), dfl_f_star(x, **params), grad, hess):
        print(f"{str(point.tolist()):<15} {closed:16.12f} {numeric:18.12f}   {np.round(g, 6).tolist()!s:<19} "
              f"{np.round(np.diag(h), 6).tolist()}")

    print("\nfluid scale n = 400: f*_n(x/20) * 20 =", np.round(f_star(x / 20, n=400, **params) * 20, 12).tolist())

    report = verify_lemma_6_2(**params, dfl_points=50)
    print("\nLemma 6.2 on the paper's example:\n" + report.table())
    control = verify_lemma_6_2(**params, candidate=perturbed_candidate("drop-log", **params))
    print("\nnegative control (log term of Omega_2 dropped): passed =", control.passed,
          "| failing:", [c.name for c in control.failures])

    cert = exponential_drift_certificate(**PAPER)
    print("\nAppendix G:", cert.message)
    print(f"  certified sup f_11 <= {cert.bound_f11:.4f} (grid {cert.grid_sup_f11:.4f}), "
          f"sup (f_1)^2 <= {cert.bound_f1_squared:.4f}; paper's sufficient condition value {cert.paper_condition:.3f}")


if __name__ == "__main__":
    main()
