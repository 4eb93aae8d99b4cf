"""The 2-D reflected Ornstein-Uhlenbeck limit of SA-JSQ (paper 000, (3.2)-(3.10)).

Parameters, the drift (single source of truth), JAX Euler-Maruyama with Skorokhod reflection,
streaming stationary estimation, and a deterministic reference solver.  The simulators are loaded on
first use (``reflected_ou.estimate_stationary`` imports JAX then, not at ``import reflected_ou``).
"""
from importlib import import_module

from reflected_ou.params import LimitCoefficients, Params

#: Public names defined in submodules, loaded on first access.
_LAZY = {
    "estimate_stationary": "reflected_ou.stationary",
    "StationaryResult": "reflected_ou.stationary",
    "simulate_paths": "reflected_ou.simulate",
    "simulate_full": "reflected_ou.simulate",
    "LimitPaths": "reflected_ou.simulate",
    "FullPaths": "reflected_ou.simulate",
    "solve_grid": "reflected_ou.grid",
    "GridResult": "reflected_ou.grid",
}

__all__ = ["Params", "LimitCoefficients", *_LAZY]


def __getattr__(name):
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'reflected_ou' has no attribute {name!r}")
