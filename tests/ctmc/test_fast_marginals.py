"""Snapshots of the fast SA-JSQ kernel: the recorded states, their histograms against the exact
solver's marginals, determinism over thread counts, and bad input."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from ctmc import System
from ctmc.exact import solve_exact
from ctmc.fast_marginals import LatticeCounts, SnapshotMarginals, stationary_sajsq
from ctmc.fast_sajsq import _block_bits, _uniform_from_bits, advance_with_uniforms, run_sajsq, run_sajsq_threads

HETEROGENEOUS = System((2, 6), (2.5, 0.5), 0.75 * (2 * 2.5 + 6 * 0.5))


def test_snapshots_are_the_states_entering_each_sub_blocks_last_step():
    """Replay with the residual rule on the kernel's own uniforms: snapshot k = X_{kS - 1}."""
    system, replicas, sub_steps, levels = System((3, 5), (2.0, 0.5), 4.0), 8, 32, 6
    q0 = jnp.zeros((system.pools, levels, replicas), jnp.int32)
    key, ids = jax.random.key(9), jnp.arange(replicas)
    rows = tuple((j, i) for j in (1, 2) for i in (1, 2, 3))
    out = run_sajsq(q0, key, 0, ids, system.speeds, system.arrival_rate, system.uniformisation_rate,
                    servers=system.servers, steps=4 * sub_steps, sub_steps=sub_steps, precise=False,
                    snapshot_of=rows)
    uniforms = _uniform_from_bits(_block_bits(key, 0, ids, 0, 4 * sub_steps)[0])
    for k in range(1, 5):
        state = advance_with_uniforms(q0, uniforms[: k * sub_steps - 1], system.speeds, system.arrival_rate,
                                      system.uniformisation_rate, servers=system.servers)[0]
        expected = np.stack([np.asarray(state)[j - 1, i - 1] for j, i in rows])
        np.testing.assert_array_equal(np.asarray(out.snapshots)[k - 1], expected)
    # without snapshot_of the other outputs are unchanged and there are no snapshots
    plain = run_sajsq(q0, key, 0, ids, system.speeds, system.arrival_rate, system.uniformisation_rate,
                      servers=system.servers, steps=4 * sub_steps, sub_steps=sub_steps, precise=False)
    assert plain.snapshots is None
    for x, y in zip(plain[:5], out[:5]):
        np.testing.assert_array_equal(np.asarray(x), np.asarray(y))


@pytest.fixture(scope="module")
def exact_law():
    exact = solve_exact(HETEROGENEOUS, "sa-jsq", max_queue=5)
    assert exact.loss_probability < 1e-4  # far below the 3 s.e. (> 1e-3) of the compared probabilities
    return exact


def test_snapshot_histograms_match_exact_marginals(exact_law):
    """P(Q_{1,2} = k) and P(N_M - Q_{M,1} = k) within 3 batch-means standard errors of the exact law."""
    result = stationary_sajsq(HETEROGENEOUS, seed=3, replicas=256, burn_in=5.0, horizon=250.0, batches=32)
    states = exact_law.states
    exact_values = {"Y_12": states[:, 0, 1], "idle": HETEROGENEOUS.servers[-1] - states[:, -1, 0]}
    for name, values in exact_values.items():
        exact = np.bincount(values, weights=exact_law.pi)
        counts = result.marginals.counts[name].counts
        width = max(exact.size, counts.shape[1])
        exact, counts = np.pad(exact, (0, width - exact.size)), np.pad(counts, ((0, 0), (0, width - counts.shape[1])))
        per_batch = counts / counts.sum(axis=1, keepdims=True)
        estimate = counts.sum(axis=0) / counts.sum()
        stderr = per_batch.std(axis=0, ddof=1) / np.sqrt(counts.shape[0])
        assert np.all(np.abs(estimate - exact) <= 3 * stderr + 1e-12), name
        assert np.all(stderr[exact > 0.01] > 0)  # every non-negligible value was visited
    # snapshots and running sums see the same law: per batch of replicas, the snapshot mean of Q_{1,2}
    # minus the time average has mean 0 (within 3 s.e. over the independent batches)
    counts = result.marginals.counts["Y_12"]
    snapshot_means = counts.counts @ np.arange(counts.counts.shape[1]) / counts.counts.sum(axis=1)
    time_means = (np.bincount(counts.batch_of_replica, weights=result.run.level_means[:, 0, 1])
                  / np.bincount(counts.batch_of_replica))
    difference = snapshot_means - time_means
    assert abs(difference.mean()) < 3 * difference.std(ddof=1) / np.sqrt(difference.size)


def test_same_seed_same_histograms_for_any_thread_count():
    runs = [stationary_sajsq(HETEROGENEOUS, seed=4, replicas=12, burn_in=1.0, horizon=1.0, batches=4, threads=t)
            for t in (1, 2, 3)]
    for other in runs[1:]:
        for name in ("Y_12", "idle"):
            np.testing.assert_array_equal(other.marginals.counts[name].counts, runs[0].marginals.counts[name].counts)
        np.testing.assert_array_equal(other.run.level_sums, runs[0].run.level_sums)


def test_lattice_counts_grow_and_keep_batches_apart():
    counts = LatticeCounts(replicas=4, batches=2)  # replicas 0, 1 -> batch 0; 2, 3 -> batch 1
    counts.add(np.array([[0, 1, 5, 2], [0, 0, 1, 1]]))
    np.testing.assert_array_equal(counts.counts, [[3, 1, 0, 0, 0, 0], [0, 2, 1, 0, 0, 1]])
    assert counts.total == 8
    np.testing.assert_allclose(counts.probabilities(), [3 / 8, 3 / 8, 1 / 8, 0, 0, 1 / 8])


def test_bad_input_names_the_rule():
    with pytest.raises(ValueError, match="batches must be <= replicas"):
        LatticeCounts(replicas=3, batches=4)
    with pytest.raises(ValueError, match="batches must be an integer >= 2"):
        SnapshotMarginals(HETEROGENEOUS, replicas=8, batches=1)
    with pytest.raises(ValueError, match="lattice values must be >= 0"):
        LatticeCounts(replicas=2, batches=2).add(np.array([[0, -1]]))
    with pytest.raises(ValueError, match=r"values must have shape \(snapshots, 2\)"):
        LatticeCounts(replicas=2, batches=2).add(np.zeros((3, 5), int))
    with pytest.raises(ValueError, match="burn_in must be finite and > 0"):
        stationary_sajsq(HETEROGENEOUS, seed=0, replicas=4, burn_in=-1.0, horizon=1.0, batches=2)
    q0 = jnp.zeros((2, 3, 4), jnp.int32)
    args = (q0, jax.random.key(0), 0, jnp.arange(4), HETEROGENEOUS.speeds, HETEROGENEOUS.arrival_rate,
            HETEROGENEOUS.uniformisation_rate)
    with pytest.raises(ValueError, match=r"snapshot_of entries \(j, i\) need 1 <= j <= 2 and 1 <= i <= 3"):
        run_sajsq(*args, servers=HETEROGENEOUS.servers, steps=128, snapshot_of=((1, 4),))
    with pytest.raises(ValueError, match="threads must be an integer >= 1"):
        run_sajsq_threads(*args, servers=HETEROGENEOUS.servers, steps=128, threads=0)
