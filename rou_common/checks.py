"""Input checks shared by every package: each returns the checked value or raises ValueError naming the
parameter and the rule.  Strings, bytes and booleans are refused wherever numbers are expected (``float``
would take "2" and True)."""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np

__all__ = ["real_number", "check_finite_positive", "check_finite_non_negative", "check_positive_int",
           "check_seed", "positive_vector", "check_decreasing_speeds", "integer_vector", "weights"]


def real_number(name: str, value, rule: str) -> float:
    """``float(value)``, or ValueError "``name`` must be ``rule``" for strings, bytes, booleans and what
    ``float`` refuses."""
    if isinstance(value, (str, bytes, bool, np.bool_)):
        raise ValueError(f"{name} must be {rule}, got {value!r}")
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise ValueError(f"{name} must be {rule}, got {value!r}") from exc


def check_finite_positive(name: str, value) -> float:
    """``float(value)`` if 0 < value < inf, else ValueError naming ``name``."""
    value = real_number(name, value, "a real number")
    if not math.isfinite(value) or value <= 0.0:
        raise ValueError(f"{name} must be finite and > 0, got {value!r}")
    return value


def check_finite_non_negative(name: str, value) -> float:
    """``float(value)`` if 0 <= value < inf, else ValueError naming ``name``."""
    value = real_number(name, value, "finite and >= 0")
    if not (math.isfinite(value) and value >= 0.0):
        raise ValueError(f"{name} must be finite and >= 0, got {value!r}")
    return value


def check_positive_int(name: str, value, minimum: int = 1) -> int:
    """``int(value)`` for an integer (or an integral float) >= ``minimum``, else ValueError naming ``name``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        if isinstance(value, (float, np.floating)) and math.isfinite(value) and float(value).is_integer():
            value = int(value)
        else:
            raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def check_seed(seed) -> int:
    """A seed: any Python integer >= 0 (folded into the key without truncation by the simulators)."""
    return check_positive_int("seed", seed, minimum=0)


def _vector(name: str, values) -> np.ndarray:
    if isinstance(values, (str, bytes)) or any(isinstance(v, (str, bytes, bool, np.bool_))
                                                for v in np.atleast_1d(np.asarray(values, dtype=object)).ravel()):
        raise ValueError(f"{name} must be a sequence of real numbers, got {values!r}")
    try:
        array = np.atleast_1d(np.asarray(values, dtype=float))
    except (TypeError, ValueError, OverflowError) as exc:
        raise ValueError(f"{name} must be a sequence of real numbers, got {values!r}") from exc
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D sequence, got {values!r}")
    return array


def positive_vector(name: str, values: Sequence[float]) -> np.ndarray:
    """Non-empty 1-D float array, every entry finite and > 0."""
    array = _vector(name, values)
    if not np.all(np.isfinite(array)) or np.any(array <= 0):
        raise ValueError(f"{name} must be finite and > 0 componentwise, got {values!r}")
    return array


def check_decreasing_speeds(name: str, values: Sequence[float]) -> tuple[float, ...]:
    """Speeds mu_1 > mu_2 > ... > mu_M > 0 (finite, one per pool)."""
    speeds = tuple(float(v) for v in positive_vector(name, values))
    if any(a <= b for a, b in zip(speeds, speeds[1:])):
        raise ValueError(f"{name} must be strictly decreasing, mu_1 > mu_2 > ... > mu_M (merge pools of equal "
                         f"speed), got {speeds}")
    return speeds


def integer_vector(name: str, values: Sequence, minimum: int = 1) -> tuple[int, ...]:
    """Non-empty tuple of integers >= ``minimum``."""
    array = np.atleast_1d(np.asarray(values, dtype=object))
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D sequence, got {values!r}")
    return tuple(check_positive_int(f"{name}[{i}]", v, minimum) for i, v in enumerate(array))


def weights(name: str, values: Sequence[float]) -> np.ndarray:
    """Finite weights >= 0 with a positive sum, normalised to sum 1."""
    array = _vector(name, values)
    if not np.all(np.isfinite(array)) or np.any(array < 0):
        raise ValueError(f"{name} must be finite and >= 0 componentwise, got {values!r}")
    total = array.sum()
    if total <= 0:
        raise ValueError(f"{name} must have a positive sum, got {values!r}")
    return array / total
