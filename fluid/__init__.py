"""The drift-based fluid model of paper 000, Section 6.1 (and the higher components (3.5)-(3.6)).

Fluid scale x = q/n with drift constant beta/sqrt(n); n = 1 is the diffusion scale y = sqrt(n) x.

* ``vector_field``: F of (6.40) on Omega = (-inf, 0] x [0, inf), sliding set Omega-bar (6.39);
* ``trajectory``/``free_trajectory``/``trajectory_phases``: closed forms (6.49)-(6.51), (6.57)-(6.59);
* ``hitting_time``/``gap_function``: tau(x), the smallest non-negative root of g_x (E.3);
* ``gamma_x2``/``gamma_x1``/``gamma_curve``: the curves Gamma^kappa of Lemma 6.4, (6.54);
* ``classify``: the regions Omega_1, Omega_2, Omega_3 of Section 6.1;
* ``integrate_trajectory``: independent solve_ivp reference with event detection;
* ``cascade_solution``: closed-form transient of (3.5)-(3.6) for any rate mu_j.
"""
from fluid.gamma_curves import GammaPoint, gamma_curve, gamma_x1, gamma_x2
from fluid.hitting_time import gap_function, hitting_time
from fluid.higher_components import cascade_outflow, cascade_solution
from fluid.integrate import NumericalTrajectory, integrate_trajectories, integrate_trajectory
from fluid.regions import OMEGA_1, OMEGA_2, OMEGA_3, classify
from fluid.trajectory import TrajectoryPhases, free_trajectory, trajectory, trajectory_phases
from fluid.validation import FluidCoefficients, check_coefficients
from fluid.vector_field import in_sliding_set, to_diffusion_scale, to_fluid_scale, vector_field

__all__ = [
    "FluidCoefficients",
    "GammaPoint",
    "NumericalTrajectory",
    "OMEGA_1",
    "OMEGA_2",
    "OMEGA_3",
    "TrajectoryPhases",
    "cascade_outflow",
    "cascade_solution",
    "check_coefficients",
    "classify",
    "free_trajectory",
    "gamma_curve",
    "gamma_x1",
    "gamma_x2",
    "gap_function",
    "hitting_time",
    "in_sliding_set",
    "integrate_trajectories",
    "integrate_trajectory",
    "to_diffusion_scale",
    "to_fluid_scale",
    "trajectory",
    "trajectory_phases",
    "vector_field",
]
