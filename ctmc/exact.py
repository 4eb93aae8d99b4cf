"""Exact stationary law of the truncated occupancy CTMC (small systems) by a sparse linear solve.

The states reachable from the empty system with at most K jobs per server are enumerated breadth
first, with the transition rates of the simulator (:meth:`Policy.event_rates`, one source of truth).
Arrivals that would join a server with K jobs are dropped (a self-loop): the truncation.  The
stationary vector solves pi G = 0, sum pi = 1 (one balance equation replaced by the normalisation),
and the truncation loss P(loss) = E[overflow rate] / L, the fraction of arrivals the truncated chain
drops, is reported so that K can be chosen large enough.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import jax
import jax.numpy as jnp
import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from rou_common.checks import check_positive_int

from .policies import Policy, SystemArrays
from .simulate import resolve_policy
from .system import System

#: Default ceiling on the number of states.
DEFAULT_MAX_STATES = 200_000
#: Frontier states evaluated per call of the (vmapped) rate function.
CHUNK = 4096
#: Incomplete-LU parameters of the preconditioner.
ILU_DROP_TOL, ILU_FILL_FACTOR = 1e-5, 10
#: Largest accepted relative residual max|A x - b| / max|x| of the iterative solve.
ACCEPT_RESIDUAL = 1e-11


@dataclass(frozen=True)
class ExactResult:
    """pi over ``states`` (S, M, K) of the truncated chain; loss and blocking fractions of arrivals."""

    system: System
    policy: str
    states: np.ndarray = field(repr=False)
    pi: np.ndarray = field(repr=False)
    loss_probability: float
    blocking_probability: float
    residual: float

    @property
    def size(self) -> int:
        return int(self.pi.size)

    def expect(self, values) -> float:
        """E_pi[values], ``values`` given per state."""
        return float(np.dot(self.pi, np.asarray(values, dtype=np.float64)))

    def metrics(self) -> dict:
        """Means of jobs, busy (per pool), ge2 (per pool), p_all_busy (keys as in the simulator)."""
        q = self.states.astype(np.float64)
        return {
            "jobs": self.expect(q.sum(axis=(1, 2))),
            "busy": [self.expect(q[:, j, 0]) for j in range(self.system.pools)],
            "ge2": [self.expect(q[:, j, 1]) if q.shape[2] > 1 else 0.0 for j in range(self.system.pools)],
            "p_all_busy": self.expect(q[:, :, 0].sum(axis=1) == self.system.n),
        }

    def throughput_identity(self) -> float:
        """Lemma 6.1 part 1 for the truncated chain: sum_k mu_k E[Q_{k,1}] - L (1 - P(loss) - P(blocked))."""
        served = self.expect(self.states[:, :, 0] @ np.asarray(self.system.speeds))
        return served - self.system.arrival_rate * (1.0 - self.loss_probability - self.blocking_probability)

    def lemma_6_1_part_2(self) -> tuple[float, float]:
        """(E[sum_{k>=2} mu_k Q_{k,2} + mu_1 Q_{1,3}], L (P(sum_k Q_{k,1} = n, Q_{1,2} = N_1) - P(loss))).

        Lemma 6.1 part 2 (SA-JSQ), from E[G h] = 0 with h = waiting jobs not at level 2 of pool 1;
        the truncated chain also drops the arrivals that would overflow (all in the corner state
        set), hence the - P(loss) term, which vanishes as K grows."""
        q = self.states
        mu = np.asarray(self.system.speeds)
        lhs = q[:, 1:, 1] @ mu[1:] + (mu[0] * q[:, 0, 2] if q.shape[2] > 2 else 0.0)
        corner = (q[:, :, 0].sum(axis=1) == self.system.n) & (q[:, 0, 1] == self.system.servers[0])
        return self.expect(lhs), self.system.arrival_rate * (self.expect(corner) - self.loss_probability)


def _rates_function(policy: Policy, arrays: SystemArrays):
    return jax.jit(jax.vmap(lambda q: policy.event_rates(q, arrays)))


def _evaluate(rates_fn, states: np.ndarray):
    """Rates of a batch of states, padded to a power of two to bound recompilations."""
    size = states.shape[0]
    padded = 1 << max(0, (size - 1).bit_length())
    batch = np.zeros((padded,) + states.shape[1:], np.int32)
    batch[:size] = states
    rates = rates_fn(jnp.asarray(batch))
    return [np.asarray(r, dtype=np.float64)[:size] for r in rates]


def stationary_vector(generator, rtol: float = 1e-12) -> np.ndarray:
    """pi with pi G = 0, sum pi = 1, for an irreducible generator G (sparse).

    Fixing pi_0 = 1, the other balance equations read G[1:, 1:]^T x = -G[0, 1:]^T (non-singular for
    an irreducible chain).  States are in breadth-first order from the empty state, i.e. by total jobs
    (every event changes it by one), so the matrix is block tridiagonal: an incomplete LU in that
    natural order preconditions GMRES well; a direct sparse LU is the fall-back.
    """
    transposed = generator.T.tocsc()
    matrix = transposed[1:, 1:].tocsc()
    rhs = -np.asarray(transposed[1:, 0].todense()).ravel()
    x = None
    try:
        ilu = spla.spilu(matrix, drop_tol=ILU_DROP_TOL, fill_factor=ILU_FILL_FACTOR, permc_spec="NATURAL")
        preconditioner = spla.LinearOperator(matrix.shape, ilu.solve)
        guess, info = spla.gmres(matrix, rhs, M=preconditioner, rtol=rtol, atol=0.0, restart=50, maxiter=40)
        if np.abs(matrix @ guess - rhs).max() <= ACCEPT_RESIDUAL * np.abs(guess).max():
            x = guess
    except RuntimeError:  # singular incomplete factor: use the direct solve
        pass
    if x is None:
        x = spla.spsolve(matrix, rhs)
    pi = np.concatenate([[1.0], x])
    return pi / pi.sum()


def solve_exact(system: System, policy, *, max_queue: int, max_states: int = DEFAULT_MAX_STATES) -> ExactResult:
    """Stationary law of the occupancy CTMC with at most ``max_queue`` (K) jobs per server."""
    policy = resolve_policy(policy)
    policy.validate(system)
    max_queue = check_positive_int("max_queue", max_queue)
    levels = policy.fixed_levels or max_queue
    if policy.fixed_levels is not None and max_queue < policy.fixed_levels:
        raise ValueError(f"max_queue must be >= {policy.fixed_levels} for policy {policy.label}")
    arrays = SystemArrays.of(system, jnp.float64 if jax.config.jax_enable_x64 else None)
    if arrays.speeds.dtype != jnp.float64:
        raise ValueError("the exact solver needs float64: enable jax_enable_x64 (the CLI does)")
    rates_fn = _rates_function(policy, arrays)
    shape = (system.pools, levels)
    size = system.pools * levels
    index = {np.zeros(shape, np.int32).tobytes(): 0}
    states = [np.zeros(shape, np.int32)]
    rows, cols, vals = [], [], []
    overflow_rate, blocked_rate = [], []
    start = 0
    while start < len(states):
        frontier = np.stack(states[start:start + CHUNK])
        inc, dec, blocked, over = _evaluate(rates_fn, frontier)
        blocked_rate.append(blocked)
        overflow_rate.append(over)
        for kind, rate, sign in ((0, inc, 1), (1, dec, -1)):
            flat = rate.reshape(len(frontier), size)
            src, pos = np.nonzero(flat > 0)
            targets = frontier[src].reshape(len(src), size)
            targets[np.arange(len(src)), pos] += sign
            for s, target, r in zip(src, targets, flat[src, pos]):
                key = target.tobytes()
                t = index.get(key)
                if t is None:
                    t = len(states)
                    if t >= max_states:
                        raise ValueError(
                            f"state space exceeds max_states = {max_states}: use a smaller system or max_queue")
                    index[key] = t
                    states.append(target.reshape(shape))
                rows.append(start + s)
                cols.append(t)
                vals.append(r)
        start += len(frontier)
    n_states = len(states)
    rows, cols, vals = np.asarray(rows), np.asarray(cols), np.asarray(vals)
    generator = sp.coo_matrix((vals, (rows, cols)), shape=(n_states, n_states)).tocsr()
    out = np.asarray(generator.sum(axis=1)).ravel()
    generator = generator - sp.diags(out)
    pi = stationary_vector(generator)
    residual = float(np.abs(generator.T @ pi).sum())
    if not np.all(np.isfinite(pi)) or pi.min() < -1e-10:
        raise ValueError("the linear solve failed (singular or ill-conditioned generator)")
    pi = np.clip(pi, 0.0, None)
    pi /= pi.sum()
    overflow_rate = np.concatenate(overflow_rate)
    blocked_rate = np.concatenate(blocked_rate)
    return ExactResult(
        system=system, policy=policy.label, states=np.stack(states), pi=pi,
        loss_probability=float(pi @ overflow_rate) / system.arrival_rate,
        blocking_probability=float(pi @ blocked_rate) / system.arrival_rate,
        residual=residual)
