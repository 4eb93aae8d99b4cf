"""Routing policies of the finite-n system, one module each, and the Section 7.1 modified system."""
from __future__ import annotations

from .base import EventRates, Policy, SystemArrays
from .jiq import JIQ
from .jsq import JSQ
from .modified import ModifiedSystem
from .power_of_d import PowerOfD
from .random_speed import SpeedRandom
from .random_uniform import UniformRandom
from .sa_jsq import SAJSQ
from .sed import SED

#: Command-line names of the policies.
POLICY_NAMES = ("sa-jsq", "jsq", "sed", "power-of-d", "jiq", "random", "speed-random", "modified")

_BY_NAME = {
    "sa-jsq": SAJSQ,
    "jsq": JSQ,
    "sed": SED,
    "jiq": JIQ,
    "random": UniformRandom,
    "speed-random": SpeedRandom,
    "modified": ModifiedSystem,
}


def make_policy(name: str, d: int = 2) -> Policy:
    """Policy from its name (``power-of-d`` takes ``d``; ``power-of-2`` etc. are accepted too)."""
    if not isinstance(name, str):
        raise ValueError(f"policy must be a name, one of {POLICY_NAMES}, got {name!r}")
    key = name.strip().lower()
    if key == "power-of-d":
        return PowerOfD(d=d)
    if key.startswith("power-of-"):
        suffix = key[len("power-of-"):]
        if suffix.isdigit():
            return PowerOfD(d=int(suffix))
    if key not in _BY_NAME:
        raise ValueError(f"unknown policy {name!r}; choose one of {POLICY_NAMES} (or power-of-<d>)")
    return _BY_NAME[key]()


__all__ = [
    "EventRates", "Policy", "SystemArrays", "POLICY_NAMES", "make_policy",
    "SAJSQ", "JSQ", "SED", "PowerOfD", "JIQ", "UniformRandom", "SpeedRandom", "ModifiedSystem",
]
