"""The specialised SA-JSQ kernel (ctmc/fast_sajsq.py) against the general kernel and the exact solver."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from ctmc import System
from ctmc.exact import solve_exact
from ctmc.fast_sajsq import (advance_with_uniforms, mul_hi, run_sajsq, simulate_sajsq, totals)
from ctmc.policies import SAJSQ, SystemArrays
from ctmc.simulate import replica_keys, run_block

# dyadic rates: every cumulative rate is exact in float32, so both kernels compare the same numbers
DYADIC = System((2, 3), (2.0, 0.5), 3.0)


def test_same_trajectories_as_general_kernel_on_the_same_uniforms():
    system, replicas, steps, levels = DYADIC, 6, 1024, 8
    arrays = SystemArrays.of(system, jnp.float32)
    total = jnp.float32(system.uniformisation_rate)
    key, ids = jax.random.key(3), jnp.arange(replicas)
    rng = np.random.default_rng(0)
    q0 = np.zeros((replicas, system.pools, levels), np.int32)
    q0[:, 0, 0] = rng.integers(0, 3, replicas)  # some non-empty starts
    q0[:, 1, 0] = rng.integers(0, 4, replicas)
    q_end, sums, _, events, overflow = run_block(SAJSQ(), steps, steps, arrays, total, key, 0, ids, jnp.asarray(q0))
    uniforms = jax.vmap(lambda k: jax.random.uniform(k, (steps,), jnp.float32))(replica_keys(key, ids, 0))
    f_q, f_sums, f_events, f_overflow = advance_with_uniforms(
        jnp.asarray(q0.transpose(1, 2, 0)), uniforms.T, system.speeds, system.arrival_rate,
        system.uniformisation_rate, servers=system.servers)
    assert not bool(overflow.any()) and not bool(f_overflow.any())
    np.testing.assert_array_equal(np.asarray(f_q).transpose(2, 0, 1), np.asarray(q_end))
    np.testing.assert_array_equal(np.asarray(f_events), np.asarray(events))
    level_sums = np.asarray(f_sums).transpose(2, 0, 1)  # (R, M, K)
    m = system.pools
    np.testing.assert_array_equal(level_sums[:, :, :3].reshape(replicas, -1), np.asarray(sums[:, : 3 * m]))
    np.testing.assert_array_equal(level_sums.sum(axis=2), np.asarray(sums[:, 3 * m: 4 * m]))
    assert int(np.asarray(events).sum()) > steps  # the test exercised real events


def test_mul_hi_is_the_exact_high_word():
    rng = np.random.default_rng(1)
    w = rng.integers(0, 2**32, 4000, dtype=np.uint64)
    q = rng.integers(0, 2**31 - 1, 4000, dtype=np.uint64)
    got = np.asarray(mul_hi(jnp.asarray(w, jnp.uint32), jnp.asarray(q, jnp.int32)))
    np.testing.assert_array_equal(got, ((w * q) >> np.uint64(32)).astype(np.int64))


HETEROGENEOUS = System((2, 6), (2.5, 0.5), 0.75 * (2 * 2.5 + 6 * 0.5))


@pytest.fixture(scope="module")
def exact_metrics():
    exact = solve_exact(HETEROGENEOUS, "sa-jsq", max_queue=5)
    assert exact.loss_probability < 1e-4
    return exact.metrics()


@pytest.mark.parametrize("precise", [True, False])
def test_stationary_means_match_exact_solver(precise, exact_metrics):
    system, exact = HETEROGENEOUS, exact_metrics
    burn = simulate_sajsq(system, seed=10, replicas=64, blocks=1, steps=1024, levels=4, precise=precise)
    run = simulate_sajsq(system, seed=11, replicas=64, blocks=3, steps=4096, initial=burn.occupancy,
                         precise=precise)
    jobs, busy, ge2 = run.jobs_means, run.busy_means, run.level_means[..., 1]
    se = lambda v: v.std(ddof=1) / np.sqrt(v.shape[0])  # noqa: E731
    assert abs(jobs.mean() - exact["jobs"]) < 3 * se(jobs) + 2e-3
    for j in range(system.pools):
        assert abs(busy[:, j].mean() - exact["busy"][j]) < 3 * se(busy[:, j]) + 2e-3
        assert abs(ge2[:, j].mean() - exact["ge2"][j]) < 3 * se(ge2[:, j]) + 2e-3
    # Lemma 6.1 part 1: E[sum_k mu_k Q_k1] = L
    served = busy @ np.asarray(system.speeds)
    assert abs(served.mean() - system.arrival_rate) < 3 * se(served) + 2e-3


def test_overflow_is_flagged_and_state_kept():
    system = System((2, 1), (2.0, 1.0), 3.0)
    full = np.ones((2, 1, 1), np.int32) * np.array([2, 1], np.int32)[:, None, None]  # K = 1, all busy
    q0 = jnp.asarray(np.concatenate([full, np.zeros((2, 1, 1), np.int32)], axis=2))  # replica 0 full, 1 empty
    u = jnp.asarray([[0.1, 0.1]], jnp.float32)  # x = 0.1 * 8 < L: an arrival in both
    q, _, events, overflow = advance_with_uniforms(q0, u, system.speeds, system.arrival_rate,
                                                   system.uniformisation_rate, servers=system.servers)
    np.testing.assert_array_equal(np.asarray(overflow), [True, False])
    np.testing.assert_array_equal(np.asarray(q)[:, :, 0], np.asarray(q0)[:, :, 0])
    np.testing.assert_array_equal(np.asarray(q)[:, 0, 1], [1, 0])  # the empty replica's arrival: fast pool
    np.testing.assert_array_equal(np.asarray(events), [0, 1])
    # the random kernel flags it too, and simulate_sajsq regrows K instead of truncating
    out = run_sajsq(jnp.asarray(np.repeat(full, 8, axis=2)), jax.random.key(0), 0, jnp.arange(8),
                    system.speeds, system.arrival_rate, system.uniformisation_rate,
                    servers=system.servers, steps=64, sub_steps=64)
    assert bool(out.overflow.any())
    run = simulate_sajsq(system, seed=0, replicas=8, blocks=1, steps=256, levels=1, initial=full[..., 0],
                         sub_steps=64)
    assert run.occupancy.shape[-1] >= 2
    assert totals(out.sums_hi, out.sums_lo).min() >= 0


def test_inline_and_sub_block_random_numbers_agree_and_sums_are_exact():
    system = System((3, 5), (2.0, 0.5), 4.0)
    q0 = jnp.zeros((2, 4, 16), jnp.int32)
    args = (q0, jax.random.key(5), 2, jnp.arange(16), system.speeds, system.arrival_rate, system.uniformisation_rate)
    kw = dict(servers=system.servers, steps=256, sub_steps=32)
    a = run_sajsq(*args, inline_prng=True, **kw)
    b = run_sajsq(*args, inline_prng=False, **kw)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(np.asarray(x), np.asarray(y))
    # the running sums are the sums of the visited states: replay with the residual kernel is not
    # possible (other rule), so check the invariant sum_i Q_{j,i} sums >= Q_{j,1} sums >= 0 and bounds
    sums = totals(a.sums_hi, a.sums_lo)
    assert (sums[:, :-1] >= sums[:, 1:]).all() and (sums >= 0).all()
    assert (sums[:, 0] <= 256 * np.asarray(system.servers)[:, None]).all()
    assert int(np.asarray(a.events).sum()) > 0 and not bool(a.overflow.any())


def test_threaded_chunks_equal_one_call():
    from ctmc.fast_sajsq import run_sajsq_threads

    system = System((3, 5), (2.0, 0.5), 4.0)
    q0 = jnp.zeros((2, 4, 10), jnp.int32)
    args = (q0, jax.random.key(1), 0, jnp.arange(10), system.speeds, system.arrival_rate, system.uniformisation_rate)
    kw = dict(servers=system.servers, steps=128, sub_steps=64)
    a, b = run_sajsq(*args, **kw), run_sajsq_threads(*args, threads=2, **kw)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(np.asarray(x), np.asarray(y))


def test_vector_width_changes_no_bit():
    """The kernel is compiled 512 bits wide (``reflected_ou.xla_options``); at XLA's default width, 256
    bits, it gives the same bits (37 replicas: both widths run remainder loops)."""
    system = System((3, 5), (2.0, 0.5), 4.0)
    q0 = jnp.zeros((2, 4, 37), jnp.int32)
    args = (q0, jax.random.key(3), 1, jnp.arange(37), system.speeds, system.arrival_rate, system.uniformisation_rate)
    kw = dict(servers=system.servers, steps=256, sub_steps=32, snapshot_of=((1, 2),))
    static = ("servers", "steps", "sub_steps", "precise", "inline_prng", "unroll", "snapshot_of")
    narrow = jax.jit(run_sajsq.__wrapped__, static_argnames=static, compiler_options={"xla_cpu_prefer_vector_width": 256})
    for precise in (True, False):
        wide, default = run_sajsq(*args, precise=precise, **kw), narrow(*args, precise=precise, **kw)
        for x, y in zip(wide, default):
            np.testing.assert_array_equal(np.asarray(x), np.asarray(y))


@pytest.mark.parametrize("kwargs, rule", [
    (dict(initial=[[9, 9], [9, 9]]), r"N_j >= Q_\{j,1\}"),  # Q_11 = 9 > N_1 = 2 ran before
    (dict(initial=[[1, -1], [0, 0]]), r"N_j >= Q_\{j,1\}"),
    (dict(initial=[[1.5, 0], [0, 0]]), "occupancy entries must be integers"),
    (dict(initial=[[[1, 0], [0, 0]]] * 3), r"shape \(M, K\) or \(replicas=2, M, K\)"),
    (dict(blocks=0), "blocks must be an integer >= 1"),  # gave all-NaN means
    (dict(levels=0), "levels must be an integer >= 1"),  # IndexError
    (dict(steps=0), "steps must be an integer >= 1"),
])
def test_bad_fast_kernel_input(kwargs, rule):
    arguments = dict(seed=0, replicas=2, blocks=1, steps=64) | kwargs
    with pytest.raises(ValueError, match=rule):
        simulate_sajsq(System((2, 6), (2.5, 0.5), 3.2), **arguments)


def test_general_kernel_checks_the_replica_axis_of_initial():
    from ctmc import simulate_paths

    with pytest.raises(ValueError, match=r"shape \(M, K\) or \(replicas=4, M, K\)"):
        simulate_paths(System((2, 6), (2.5, 0.5), 3.2), "jsq", seed=0, horizon=1.0, dt=0.5, replicas=4,
                       initial=np.zeros((3, 2, 2), int))
