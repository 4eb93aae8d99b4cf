"""Exact identities of the stationary law of (3.9)-(3.10), from the basic adjoint relationship.

For smooth f, stationarity gives E[L f(Y)] + E[int (f_2 - f_1) dU] / t = 0 with
L f = f_11 + b_1 f_1 + b_2 f_2 and (b_1, b_2) = (-beta - mu_M y_1 + mu_1 y_2, -mu_1 y_2) (3.9)-(3.10);
the regulator pushes in the direction (-1, +1).

* f = g(y_1 + y_2): f_2 - f_1 = 0, so no boundary term, and b_1 + b_2 = -(beta + mu_M y_1):
    - g(s) = s:      E[beta + mu_M Y_M1] = 0                 =>  E[Y_M1] = -beta / mu_M;
    - g(s) = s^2/2:  E[1 - S (beta + mu_M Y_M1)] = 0         =>  E[(Y_M1 + Y_12)(beta + mu_M Y_M1)] = 1.
* f = y_2: L f = -mu_1 y_2, boundary term +dU   =>  mu_1 E[Y_12] = lim U_1(t)/t (rate of U_1).

Each identity is a linear combination of the streamed observables (Y_M1, Y_12, Y_M1_sq, Y_12_sq,
Y_M1_Y_12, U_rate), so its Monte Carlo standard error follows from the batch-means covariance.
"""
from __future__ import annotations

from typing import NamedTuple

from reflected_ou.params import Params


class Identity(NamedTuple):
    name: str
    coefficients: dict  # observable -> coefficient; the identity reads sum c_k E[obs_k] = exact
    exact: float


def stationary_identities(params: Params) -> list[Identity]:
    beta, mu_1, mu_M = params.limit_coefficients()
    return [
        Identity("E[Y_M1] = -beta/mu_M", {"Y_M1": 1.0}, -beta / mu_M),
        Identity(
            "E[(Y_M1+Y_12)(beta+mu_M Y_M1)] = 1",
            {"Y_M1": beta, "Y_12": beta, "Y_M1_sq": mu_M, "Y_M1_Y_12": mu_M},
            1.0,
        ),
        Identity("mu_1 E[Y_12] - rate(U_1) = 0", {"Y_12": mu_1, "U_rate": -1.0}, 0.0),
    ]


def evaluate(identity: Identity, moments: dict) -> float:
    """sum_k c_k moments[k] for a dict of moments (e.g. from the grid solver)."""
    return sum(c * moments[name] for name, c in identity.coefficients.items())
