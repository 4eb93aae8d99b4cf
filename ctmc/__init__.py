"""Finite-n load-balancing system of paper 000 (Section 2) on its occupancy state Q_{j,i}.

* :class:`System` - pools N_j, speeds mu_j, arrival rate (validated);
* :mod:`ctmc.policies` - SA-JSQ (Definition 2.1), JSQ, SED, power-of-d, JIQ, random, speed-random and
  the modified system of Section 7.1;
* :func:`simulate_paths` - exact paths on a time grid; :func:`estimate_stationary` - streaming
  stationary statistics (batch means, histograms); :func:`solve_exact` - stationary law of the
  truncated occupancy CTMC by a sparse solve.
"""
from .policies import POLICY_NAMES, Policy, make_policy
from .simulate import PathResult, simulate_paths
from .stationary import StationaryResult, estimate_stationary
from .system import System

__all__ = ["System", "Policy", "POLICY_NAMES", "make_policy", "simulate_paths", "PathResult",
           "estimate_stationary", "StationaryResult", "solve_exact", "ExactResult"]


def __getattr__(name):  # the exact solver pulls in scipy.sparse only when used
    if name in ("solve_exact", "ExactResult"):
        from . import exact

        return getattr(exact, name)
    raise AttributeError(name)
