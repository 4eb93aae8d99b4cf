"""The drift of the diffusion limit, written once (paper 000, (3.3)-(3.6) and (3.9)-(3.10)).

Everything that needs the drift (the Euler-Maruyama simulator, the Markov-chain grid solver, the
fluid model (6.40) with beta replaced by beta/sqrt(n)) calls these functions.  They use arithmetic
only, so they accept floats, numpy arrays and jax arrays alike.

Between reflections (U_1 constant) the limit moves by
    d Y_M1 = sqrt(2) dW + [-(beta + mu_M Y_M1) + sum_j mu_j Y_j2] dt        (3.3)
    d Y_ji = -mu_j (Y_ji - Y_j,i+1) dt,   i >= 2                              (3.4)-(3.6)
and U_1 pushes Y_M1 down and Y_12 up by the same amount (direction (-1, +1), (3.7)).
"""
from __future__ import annotations


def idle_drift(y_M1, inflow, beta, mu_M):
    """Drift of the idle-server coordinate Y_M1, (3.3): -(beta + mu_M Y_M1) + sum_j mu_j Y_j2.

    ``inflow`` is sum_{j} mu_j Y_j2 (servers with a waiting job that finish free no server; in the
    2-D limit (3.9) only pool 1 has waiting jobs, so inflow = mu_1 Y_12).
    """
    return -(beta + mu_M * y_M1) + inflow


def cascade_drift(y_level, y_next_level, mu_j):
    """Drift of Y_ji for i >= 2, (3.4)-(3.6): -mu_j (Y_ji - Y_j,i+1)."""
    return -mu_j * (y_level - y_next_level)


def limit_drift(y_M1, y_12, beta, mu_1, mu_M):
    """Drift (b_1, b_2) of the 2-D reflected OU (3.9)-(3.10), away from the boundary Y_M1 = 0:

        b_1 = -beta - mu_M y_M1 + mu_1 y_12,    b_2 = -mu_1 y_12.

    With beta -> beta/sqrt(n) this is also the fluid vector field F of (6.40) on Omega minus
    Omega-bar.
    """
    return idle_drift(y_M1, mu_1 * y_12, beta, mu_M), cascade_drift(y_12, 0.0, mu_1)


def diffusion_coefficient() -> float:
    """The noise of Y_M1 is sqrt(2) W: generator term (1/2) * 2 * f_11 = f_11 (3.3)."""
    return 2.0 ** 0.5
