"""Streaming accumulators: batch-means errors against independent replicas, histograms and tails."""
import numpy as np
import pytest

from reflected_ou.streaming import BatchMeans, FixedBins, Histogram, batch_of_block


def test_batch_means_error_is_calibrated_on_iid_data():
    """For i.i.d. normal blocks the batch-means standard error matches sigma / sqrt(N) within its own
    sampling error (chi-square with B - 1 degrees of freedom)."""
    rng = np.random.default_rng(0)
    replicas, batches, per_batch = 8, 25, 40
    stats = BatchMeans(("x", "y"), replicas, batches)
    for batch in range(batches):
        draws = rng.normal(size=(replicas, per_batch, 2)) * [1.0, 3.0] + [0.5, -1.0]
        stats.add(batch, draws.sum(axis=1), per_batch)
    n = replicas * batches * per_batch
    for name, sigma, mean in (("x", 1.0, 0.5), ("y", 3.0, -1.0)):
        expected = sigma / np.sqrt(n)
        assert abs(stats.stderr()[name] / expected - 1) < 3 * np.sqrt(1 / (2 * (replicas * batches - 1)))
        assert abs(stats.mean()[name] - mean) < 3 * expected


def test_linear_combination_of_a_constant_has_zero_error():
    stats = BatchMeans(("a", "b"), 2, 3)
    for batch in range(3):
        stats.add(batch, [[1.0, 2.0], [1.0, 2.0]], 1.0)
    estimate, stderr = stats.linear_combination({"a": 2.0, "b": -1.0})
    assert estimate == 0.0 and stderr == 0.0
    with pytest.raises(ValueError, match="unknown observables"):
        stats.linear_combination({"c": 1.0})


def test_histogram_tails_and_batches():
    bins = FixedBins(0.0, 1.0, 4)
    values = np.array([-0.5, 0.1, 0.3, 0.3, 0.6, 0.99, 1.5])
    hist = Histogram(bins, batches=2)
    hist.add(np.bincount(bins.index(values[:4]), minlength=6), batch=0)
    hist.add(np.bincount(bins.index(values[4:]), minlength=6), batch=1)
    edges, tail, stderr = hist.tail_with_stderr()
    np.testing.assert_allclose(tail, [(values >= e).mean() for e in edges])
    assert hist.outside_mass() == pytest.approx(2 / 7)
    assert stderr.shape == edges.shape and np.all(stderr >= 0)


def test_batches_partition_the_blocks():
    assignment = [batch_of_block(b, 103, 20) for b in range(103)]
    assert assignment[0] == 0 and assignment[-1] == 19 and np.all(np.diff(assignment) >= 0)
    assert set(np.bincount(assignment)) <= {5, 6}


def test_bin_index_matches_searchsorted_for_numpy_and_jax():
    """FixedBins.index against np.searchsorted on the edges (float64 host reference): 0 below low,
    k on [edge_(k-1), edge_k), count + 1 from high on; the same for numpy and jax (float32) input."""
    import jax.numpy as jnp

    from reflected_ou.streaming import FixedBins

    bins = FixedBins(-2.0, 0.0, 8)
    rng = np.random.default_rng(4)
    x = np.concatenate([rng.uniform(-3.0, 1.0, 10_000), bins.edges, [-0.0, -1e-30, -2.0 - 1e-12, 5.0]])
    x = x.astype(np.float32).astype(np.float64)  # representable in float32: one answer for both
    position = (x - bins.low) / bins.width
    off_edge = np.abs(position - np.round(position)) > 1e-5  # on an edge, rounding picks either side
    expected = np.where(x >= bins.high, bins.count + 1, np.searchsorted(bins.edges, x, side="right"))
    np.testing.assert_array_equal(bins.index(x)[off_edge], expected[off_edge])
    from_jax = np.asarray(bins.index(jnp.asarray(x, jnp.float32)))
    np.testing.assert_array_equal(from_jax[off_edge], expected[off_edge])
    assert from_jax.dtype == np.int32 and bins.index(x).dtype == np.int32
    assert from_jax[x >= 0.0].tolist() == [bins.count + 1] * int(np.sum(x >= 0.0))  # -0.0 and 0 overflow
