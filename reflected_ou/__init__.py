"""The 2-D reflected Ornstein-Uhlenbeck limit of SA-JSQ (paper 000, (3.2)-(3.10)).

Parameters, the drift (single source of truth), JAX Euler-Maruyama with Skorokhod reflection,
streaming stationary estimation, and a deterministic Markov-chain reference solver.
"""
from reflected_ou.params import LimitCoefficients, Params

__all__ = ["Params", "LimitCoefficients"]
