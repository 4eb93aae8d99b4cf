"""Input checks shared by the simulators: each raises ValueError naming the parameter and rule."""
from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np

from reflected_ou.params import Params


from rou_common.checks import check_finite_positive, check_positive_int
def resolve_dtype(dtype):
    """float64 when 64-bit JAX is enabled and no dtype is given, else float32; float64 needs x64."""
    x64 = bool(jax.config.jax_enable_x64)
    if dtype is None:
        return jnp.float64 if x64 else jnp.float32
    dtype = jnp.dtype(dtype)
    if dtype not in (jnp.dtype(jnp.float32), jnp.dtype(jnp.float64)):
        raise ValueError(f"dtype must be float32 or float64, got {dtype}")
    if dtype == jnp.float64 and not x64:
        raise ValueError(
            "dtype float64 needs 64-bit JAX: call jax.config.update('jax_enable_x64', True) "
            "or run inside `with jax.enable_x64(True):`"
        )
    return dtype


def check_params(params) -> Params:
    if not isinstance(params, Params):
        raise ValueError(f"params must be a reflected_ou.Params, got {type(params).__name__}")
    return params


#: Headroom, in units of the float type's eps, that check_dt keeps below mu_1 dt = 1 (rounding).
DT_ROUNDING_EPS = 8

#: Largest |Y| of a start point: the Lepingle step squares an increment, (b - a)^2, in the float type.
MAX_START = 1e12


def check_dt(dt, params: Params, dtype) -> float:
    """The Euler step h: finite, > 0 and mu_1 h <= 1 - 8 eps (eps of ``dtype``).

    Off the boundary a step of (3.4)-(3.6), (3.10) is Y_ji <- (1 - mu_j h) Y_ji + mu_j h Y_j,i+1
    (Y_j,I+1 = 0; dU >= 0 is then added to Y_12): a convex combination exactly when mu_j h <= 1 for
    every j, i.e. mu_1 h <= 1.  It then keeps Y_ji >= 0 and non-increasing in i, as the diffusion
    does; with mu_1 h > 1, Y_12 goes negative, and with mu_1 h > 2 the scheme diverges.  The 8 eps
    cover the rounding of mu_1, h and the step in the float type (at mu_1 h = 1 exactly, float32
    gave Y_12 = -1e-7).
    """
    dt = check_finite_positive("dt", dt)
    largest = (1.0 - DT_ROUNDING_EPS * float(np.finfo(dtype).eps)) / params.mu_1
    if dt > largest:
        raise ValueError(f"dt must satisfy mu_1 * dt <= 1 - {DT_ROUNDING_EPS} eps ({np.dtype(dtype).name}): the Euler "
                         f"step keeps Y_12 >= 0 only then; got dt = {dt!r} with mu_1 = {params.mu_1!r}: use dt <= "
                         f"{largest:.9g}")
    return dt


def check_steps(name: str, total_time, dt) -> int:
    """Number of steps ceil(total_time / dt) (tolerating round-off) for a horizon total_time > 0."""
    total_time = check_finite_positive(name, total_time)
    return max(1, math.ceil(total_time / dt - 1e-9))


def check_start(y_M1, y_12) -> tuple[float, float]:
    """Initial point of the 2-D limit: -MAX_START <= Y_M1(0) <= 0 and 0 <= Y_12(0) <= MAX_START."""
    y_M1, y_12 = float(y_M1), float(y_12)
    if not (-MAX_START <= y_M1 <= 0):
        raise ValueError(f"initial Y_M1 must be finite, <= 0 (idle servers) and >= -{MAX_START:g}, got {y_M1}")
    if not (0 <= y_12 <= MAX_START):
        raise ValueError(f"initial Y_12 must be finite, >= 0 and <= {MAX_START:g}, got {y_12}")
    return y_M1, y_12


def check_levels(levels, pools: int) -> np.ndarray:
    """Initial vector Y(0) of the full system, shape (M, I) or (paths, M, I), I >= 2.

    Rules of Theorem 3.2: Y_j1(0) = 0 for j < M, Y_M1(0) <= 0, Y_ji(0) >= 0 for i >= 2 and
    non-increasing in i (servers with >= i + 1 jobs have >= i jobs).
    """
    levels = np.asarray(levels, dtype=np.float64)
    if levels.ndim not in (2, 3) or levels.shape[-2] != pools or levels.shape[-1] < 2:
        raise ValueError(
            f"initial levels must have shape (M, I) or (paths, M, I) with M = {pools} pools and I >= 2 "
            f"levels, got {levels.shape}"
        )
    if not np.all(np.abs(levels) <= MAX_START):
        raise ValueError(f"initial levels must be finite with |Y_ji(0)| <= {MAX_START:g}")
    if np.any(levels[..., :-1, 0] != 0):
        raise ValueError("initial levels must have Y_j1(0) = 0 for j < M (state-space collapse, (3.2))")
    if np.any(levels[..., -1, 0] > 0):
        raise ValueError("initial Y_M1(0) must be <= 0")
    upper = levels[..., 1:]
    if np.any(upper < 0):
        raise ValueError("initial Y_ji(0) must be >= 0 for i >= 2")
    if np.any(np.diff(upper, axis=-1) > 0):
        raise ValueError("initial Y_ji(0) must be non-increasing in i for i >= 2")
    return levels


__all__ = ["resolve_dtype", "check_params", "check_dt", "check_steps", "check_start", "check_levels",
           "check_positive_int"]
