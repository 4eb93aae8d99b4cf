"""Reference integrator of the piecewise fluid ODE (6.40)-(6.42) with event detection.

Independent of the closed forms: scipy.integrate.solve_ivp (DOP853) integrates the smooth pieces of F
and switches on events:
  1. free phase: dv/dt = limit_drift(v, beta/sqrt(n)) ((6.47)-(6.48)), terminal event v_1 = 0 crossed
     upwards (entry into the sliding set Omega-bar, the hitting time tau(x));
  2. sliding phase on Omega-bar: dv/dt = (0, -beta/sqrt(n)) ((6.57)-(6.58)), terminal event
     v_2 = beta/(mu_1 sqrt(n)) crossed downwards (exit from Omega-bar);
  3. free phase again until the final time (no re-entry: v_2 is non-increasing).
A start in Omega-bar begins in phase 2; a start on the axis below it leaves the axis at once.

Near-tangential arrivals (entry height close to beta/(mu_1 sqrt(n))) can cross v_1 = 0 and come back
inside one step, which step-based event detection misses.  The free phase therefore also stops at the
peak of v_1 (terminal event dv_1/dt = 0 downwards; v_1 has at most one peak, since d(dv_1/dt)/dt =
-mu_1^2 v_2 < 0 where dv_1/dt = 0).  At any stop with v_1 > 0 the crossing was missed earlier; it is then
located by Brent's method on the dense output, where v_1 is increasing (before its peak).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.integrate import solve_ivp
from scipy.optimize import brentq

from fluid.validation import FluidCoefficients, check_coefficients, check_points, check_rtol, check_times
from reflected_ou.drift import limit_drift

#: Default relative tolerance of the reference integration.
RTOL = 1e-12


class NumericalTrajectory(NamedTuple):
    """solve_ivp trajectory: times ``t`` (T,), states ``v`` (T, 2), detected hitting time (inf if
    none), exit time from Omega-bar (inf if none), the number of right-hand-side evaluations and,
    if a running cost h was given, int_0^{max t} h(v(s)) ds (else nan)."""

    t: np.ndarray
    v: np.ndarray
    hitting_time: float
    exit_time: float
    evaluations: int
    integral: float = float("nan")


def _free_rhs(c: FluidCoefficients, cost=None):
    def rhs(_t, v):
        b1, b2 = limit_drift(v[0], v[1], c.drift, c.mu_1, c.mu_M)
        return np.array([b1, b2]) if cost is None else np.array([b1, b2, cost(v[0], v[1])])

    return rhs


def _sliding_rhs(c: FluidCoefficients, cost=None):
    def rhs(_t, v):
        return np.array([0.0, -c.drift]) if cost is None else np.array([0.0, -c.drift, cost(0.0, v[1])])

    return rhs


def _event(fun, direction):
    fun.terminal = True
    fun.direction = direction
    return fun


class FreePhase(NamedTuple):
    """Outcome of :func:`free_phase`: ``outcome`` is 'hit' (v_1 reached 0), 'stop' (the stop event with
    index ``stop_index`` fired) or 'end'; ``time``/``state`` where it ended; ``segments`` the
    (solution, start, stop) pieces for dense output; ``evaluations`` the number of rhs calls."""

    outcome: str
    time: float
    state: np.ndarray
    segments: list
    stop_index: int
    evaluations: int


def free_phase(rhs, t0, state, t_end, *, rtol, atol, stop_events=(), detect_hit=True) -> FreePhase:
    """Integrate a free phase (state[0] = v_1 < 0) until v_1 = 0 (if ``detect_hit``), one of the terminal
    ``stop_events`` or ``t_end``, robustly against missed tangential crossings (module docstring)."""
    segments, evaluations = [], 0
    stops = list(stop_events)
    if detect_hit:
        hit = _event(lambda _t, v: v[0], 1.0)
        peak = _event(lambda t, v: rhs(t, v)[0], -1.0)
        sol = solve_ivp(rhs, (t0, max(t_end, t0)), state, method="DOP853", rtol=rtol, atol=atol,
                        dense_output=True, events=[hit, peak] + stops)
        evaluations += sol.nfev
        t_stop, y_stop = float(sol.t[-1]), sol.y[:, -1]
        if sol.status == 1 and sol.t_events[0].size:
            t_hit = float(sol.t_events[0][0])
            return FreePhase("hit", t_hit, sol.y_events[0][0].copy(), [(sol, t0, t_hit)], -1, evaluations)
        if y_stop[0] > 0.0:  # crossed and (nearly) came back inside one step: locate the crossing
            t_hit = brentq(lambda t: sol.sol(t)[0], t0, t_stop, xtol=1e-300, rtol=4 * np.finfo(float).eps)
            return FreePhase("hit", t_hit, sol.sol(t_hit), [(sol, t0, t_hit)], -1, evaluations)
        if sol.status != 1:
            return FreePhase("end", t_stop, y_stop, [(sol, t0, t_stop)], -1, evaluations)
        for index in range(len(stops)):
            if sol.t_events[2 + index].size:
                return FreePhase("stop", t_stop, sol.y_events[2 + index][0].copy(), [(sol, t0, t_stop)], index,
                                 evaluations)
        segments.append((sol, t0, t_stop))  # peak below the axis: never hits, carry on
        t0, state = t_stop, sol.y_events[1][0].copy()
    sol = solve_ivp(rhs, (t0, max(t_end, t0)), state, method="DOP853", rtol=rtol, atol=atol, dense_output=True,
                    events=stops or None)
    evaluations += sol.nfev
    t_stop = float(sol.t[-1])
    segments.append((sol, t0, t_stop))
    if sol.status == 1:
        for index in range(len(stops)):
            if sol.t_events[index].size:
                return FreePhase("stop", t_stop, sol.y_events[index][0].copy(), segments, index, evaluations)
    return FreePhase("end", t_stop, sol.y[:, -1], segments, -1, evaluations)


def integrate_point_core(x1: float, x2: float, t_eval: np.ndarray, c: FluidCoefficients, rtol: float = RTOL,
                         cost=None):
    """Phase-by-phase solve_ivp (see module docstring); with a running ``cost`` h(v_1, v_2) the state
    is augmented by I' = h(v), so the integral is computed by the same adaptive steps (each phase is
    smooth, the switches are events)."""
    t_end = float(np.max(t_eval)) if t_eval.size else 0.0
    scale = max(abs(x1), x2, c.drift / c.mu_M)
    atol = 1e-3 * rtol * scale if cost is None else np.array([1e-3 * rtol * scale] * 2 + [1e-3 * rtol])
    extra = [] if cost is None else [0.0]
    out = np.full((t_eval.size, 2), np.nan)
    floor = c.sliding_floor
    evaluations = 0

    def fill(sol, start, stop, last):
        mask = (t_eval >= start) & ((t_eval < stop) | (last & (t_eval <= stop)))
        if np.any(mask):
            out[mask] = sol.sol(t_eval[mask])[:2].T

    def run(rhs, t0, state, events):
        nonlocal evaluations
        sol = solve_ivp(rhs, (t0, max(t_end, t0)), state, method="DOP853", rtol=rtol, atol=atol,
                        dense_output=True, events=events)
        evaluations += sol.nfev
        return sol

    hit_time, exit_time = np.inf, np.inf
    t0, state = 0.0, np.array([x1, x2] + extra, dtype=float)
    phase = "sliding" if (x1 == 0.0 and x2 > floor) else "free"
    if phase == "free":
        result = free_phase(_free_rhs(c, cost), t0, state, t_end, rtol=rtol, atol=atol, detect_hit=x1 < 0.0)
        evaluations += result.evaluations
        for sol, start, stop in result.segments:
            fill(sol, start, stop, result.outcome != "hit" and stop == result.time)
        state = result.state.copy()
        if result.outcome == "hit":
            hit_time = result.time
            state[0] = 0.0
            t0, phase = hit_time, "sliding"
        else:
            phase = "done"
    else:
        hit_time = 0.0
    if phase == "sliding":
        leave = _event(lambda _t, v: v[1] - floor, -1.0)
        sol = run(_sliding_rhs(c, cost), t0, state, [leave])
        if sol.status == 1 and sol.t_events[0].size:
            exit_time = float(sol.t_events[0][0])
            fill(sol, t0, exit_time, False)
            state = sol.y_events[0][0].copy()
            state[:2] = [0.0, floor]
            t0, phase = exit_time, "free"
        else:
            fill(sol, t0, t_end, True)
            state, phase = sol.y[:, -1], "done"
        if phase == "free":
            sol = run(_free_rhs(c, cost), t0, state, None)
            fill(sol, t0, t_end, True)
            state = sol.y[:, -1]
    if x1 == 0.0 and x2 <= floor:
        hit_time, exit_time = 0.0, 0.0
    integral = float(state[2]) if cost is not None else float("nan")
    return NumericalTrajectory(t_eval, out, hit_time, exit_time, evaluations, integral)


def integrate_trajectory(x, t_eval, *, beta, mu_1, mu_M, n=1, rtol=RTOL) -> NumericalTrajectory:
    """Integrate v^x numerically for one point ``x`` (2,) at times ``t_eval`` (T,), fluid scale."""
    c = check_coefficients(beta, mu_1, mu_M, n)
    rtol = check_rtol(rtol)
    x = check_points(x)
    if x.shape != (2,):
        raise ValueError(f"x must be a single point of shape (2,), got shape {x.shape}")
    t_eval = check_times(t_eval).reshape(-1)
    return integrate_point_core(float(x[0]), float(x[1]), t_eval, c, rtol)


def integrate_trajectories(x, t_eval, *, beta, mu_1, mu_M, n=1, rtol=RTOL):
    """Loop of :func:`integrate_trajectory` over points ``x`` (..., 2) -> states (..., T, 2),
    hitting times (...) and exit times (...)."""
    c = check_coefficients(beta, mu_1, mu_M, n)
    rtol = check_rtol(rtol)
    x = check_points(x)
    t_eval = check_times(t_eval).reshape(-1)
    flat = x.reshape(-1, 2)
    states = np.empty((flat.shape[0], t_eval.size, 2))
    hits = np.empty(flat.shape[0])
    exits = np.empty(flat.shape[0])
    for i, (a, b) in enumerate(flat):
        result = integrate_point_core(float(a), float(b), t_eval, c, rtol)
        states[i], hits[i], exits[i] = result.v, result.hitting_time, result.exit_time
    shape = x.shape[:-1]
    return states.reshape(shape + (t_eval.size, 2)), hits.reshape(shape), exits.reshape(shape)
