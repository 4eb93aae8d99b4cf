"""The counter-based noise: threefry against JAX's own, the word -> variate maps against their exact
definitions and laws, and the two drivers of reflected_ou.noise against each other."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import special, stats

from reflected_ou import Params
from reflected_ou.counter_prng import erfinv, exponential_from_bits, log_positive, normal_from_bits, threefry2x32
from reflected_ou.noise import complex_dtype, fused_segment, scan_block, segment_variates, step_variates, sweep_block
from reflected_ou.schemes import get_scheme
from reflected_ou.stationary import _packed_limit_step
from reflected_ou.step import LimitState, limit_step, per_step_rates

def test_threefry_is_bit_identical_to_jax():
    from jax.extend.random import threefry2x32_p

    rng = np.random.default_rng(0)
    k0, k1 = (jnp.uint32(v) for v in rng.integers(0, 2**32, 2))
    x0, x1 = (jnp.asarray(rng.integers(0, 2**32, 1000), jnp.uint32) for _ in range(2))
    ours = threefry2x32(k0, k1, x0, x1)
    theirs = threefry2x32_p.bind(k0, k1, x0, x1)
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))

@pytest.mark.parametrize("dtype, bits", [(jnp.float32, 23), (jnp.float64, 32)])
def test_maps_are_exact_quantile_transforms(dtype, bits):
    """Z = Phi^{-1}((m + 1/2) / 2^b), E = -log((m + 1/2) / 2^b) for m the top b bits (scipy, float64)."""
    words = np.array([0, 1, 2**31 - 1, 2**31, 2**32 - 1, 12345678, 3141592653], np.uint32)
    m = words.astype(np.float64) // 2 ** (32 - bits)
    u = (m + 0.5) / 2**bits
    normal = np.asarray(normal_from_bits(jnp.asarray(words), dtype), np.float64)
    exponential = np.asarray(exponential_from_bits(jnp.asarray(words), dtype), np.float64)
    tolerance = 1e-6 if dtype == jnp.float32 else 1e-14
    np.testing.assert_allclose(normal, stats.norm.ppf(u), rtol=tolerance, atol=tolerance)
    np.testing.assert_allclose(exponential, -np.log(u), rtol=tolerance)
    assert np.all(np.isfinite(normal)) and np.all(np.isfinite(exponential))

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_log_is_within_one_ulp(dtype):
    """log_positive against numpy's log in extended precision, on (0, 1] and beyond (fixed seed)."""
    rng = np.random.default_rng(2)
    x = np.concatenate([rng.uniform(0, 1, 100_000), 2.0 ** -rng.uniform(0, 40, 100_000),
                        1 - 2.0 ** -rng.uniform(1, 23, 10_000), rng.uniform(1, 1e6, 10_000)]).astype(dtype)
    x = x[x > 0]
    ours = np.asarray(log_positive(jnp.asarray(x))).astype(np.longdouble)
    ulps = np.abs(ours - np.log(x.astype(np.longdouble))) / np.spacing(np.abs(ours).astype(dtype))
    assert ulps.max() <= 1.0


@pytest.mark.parametrize("dtype, tolerance", [(np.float32, 5e-7), (np.float64, 5e-15)])
def test_erfinv_matches_scipy(dtype, tolerance):
    rng = np.random.default_rng(3)
    bits = 23 if dtype == np.float32 else 32
    v = np.concatenate([rng.uniform(-1, 1, 100_000), 1 - 2.0 ** -rng.uniform(1, bits, 10_000)]).astype(dtype)
    ours = np.asarray(erfinv(jnp.asarray(v)), np.float64)
    exact = special.erfinv(v.astype(np.float64))
    assert np.max(np.abs(ours - exact) / np.abs(exact)) < tolerance


@pytest.mark.parametrize("dtype", [jnp.float32, jnp.float64])
@pytest.mark.parametrize("scheme", ["projected", "lepingle"])
def test_a_replica_gets_the_same_bits_in_any_batch(dtype, scheme):
    """A stationary block on 100 replicas equals the same block run on parts of 37 and 63: which lane or
    loop remainder a replica lands in (it depends on the device's share) changes no bit.  (With
    XLA's own log and erf_inv, 3 to 5 float64 replicas differed here in the last bit.)"""
    from reflected_ou.box import default_box
    from reflected_ou.stationary import _advance_block
    from reflected_ou.streaming import FixedBins

    params = Params.paper_example()
    box = default_box(params)
    bins = FixedBins(float(box.y_M1_low), 0.0, 50), FixedBins(0.0, float(box.y_12_high), 50)
    coefficients = tuple(jnp.asarray(c, dtype) for c in params.limit_coefficients())
    state = jnp.full(100, -3.2 + 0.01j, complex_dtype(dtype))
    ids = jnp.arange(100)

    def run(part):
        return _advance_block(jax.random.key(3), coefficients, state[part], ids[part], 0, jnp.asarray(0.01, dtype),
                              200, 10, scheme, *bins)

    whole, parts = run(slice(None)), [run(slice(0, 37)), run(slice(37, None))]
    np.testing.assert_array_equal(np.asarray(whole[0]), np.concatenate([np.asarray(p[0]) for p in parts]))
    np.testing.assert_array_equal(np.asarray(whole[1]), np.concatenate([np.asarray(p[1]) for p in parts]))


def test_normal_map_is_symmetric():
    """m and 2^b - 1 - m give opposite normals (the symmetric unit value is exact)."""
    m = jnp.arange(0, 2**23, 997, dtype=jnp.uint32)
    low, high = m << 9, (jnp.uint32(2**23 - 1) - m) << 9
    np.testing.assert_array_equal(np.asarray(normal_from_bits(low, jnp.float32)),
                                  -np.asarray(normal_from_bits(high, jnp.float32)))

def test_step_variates_have_the_right_laws():
    """Mean, variance and a KS test of 2^18 normals and exponentials of one block (fixed seed)."""
    count = 2**18
    words = (jnp.uint32(7), jnp.uint32(11))
    ids = jnp.arange(count)
    normal, exponential = (np.asarray(v) for v in step_variates(words, ids, 3, jnp.float64, True))
    assert abs(normal.mean()) < 3 / np.sqrt(count)
    assert abs(normal.var() - 1) < 3 * np.sqrt(2 / count)
    assert abs(exponential.mean() - 1) < 3 / np.sqrt(count)
    assert stats.kstest(normal, "norm").pvalue > 1e-3
    assert stats.kstest(exponential, "expon").pvalue > 1e-3

@pytest.mark.parametrize("scheme_name, sample_every", [("projected", 10), ("lepingle", 10), ("lepingle", 60),
                                                       ("projected", 1), ("projected", 15)])
def test_sweep_and_generic_drivers_run_the_same_stream(scheme_name, sample_every):
    """scan_block (any carry, one step per loop) and sweep_block (packed state, fused chains of steps,
    sampled every k steps; k = 10 and 60 run chains of 5 in an inner loop, k = 15 chains of 5 starting
    at odd steps, so the projected scheme's pairs straddle two chains) give the same path, float64."""
    params, dt, steps, paths = Params.paper_example(), 0.01, 300, 16
    scheme = get_scheme(scheme_name)
    coefficients = tuple(jnp.float64(c) for c in params.limit_coefficients())
    key, ids = jax.random.key(5), jnp.arange(paths)
    start = LimitState(jnp.full(paths, -1.0), jnp.full(paths, 0.1))

    def generic(state, normal, exponential):
        return limit_step(state, normal, exponential, per_step_rates(coefficients, dt), dt, scheme)[0], state.y_12

    final, before = scan_block(generic, start, key, ids, 4, steps, jnp.float64, scheme.NEEDS_EXPONENTIAL)
    packed = jax.lax.complex(start.y_M1, start.y_12).astype(complex_dtype(jnp.float64))

    def sample(total, state):
        return total + jnp.imag(state), jnp.real(state)

    fused, total, sampled = sweep_block(_packed_limit_step(coefficients, dt, scheme), packed, sample,
                                        jnp.zeros(paths), key, ids, 4, steps, sample_every, jnp.float64,
                                        scheme.NEEDS_EXPONENTIAL)
    np.testing.assert_allclose(np.real(fused), final.y_M1, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(np.imag(fused), final.y_12, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(total, before[::sample_every].sum(axis=0), rtol=1e-12)
    assert sampled.shape == (steps // sample_every, paths)
    assert np.any(np.asarray(final.y_12) != 0.1 * (1 - params.mu_1 * dt) ** steps)  # reflections happened


@pytest.mark.parametrize("steps", [7, 8])
@pytest.mark.parametrize("scheme_name", ["projected", "lepingle"])
def test_drivers_draw_the_stream_as_defined(scheme_name, steps):
    """Step t of block b, replica r: Lepingle (normal(w0), exponential(w1)) of H(r, t); projected
    normal(w_(t mod 2)) of H(r, floor(t / 2)); H = threefry2x32(fold_in(key, b), .) (noise docstring).
    Both drivers, an odd and an even number of steps."""
    scheme, key, block, ids = get_scheme(scheme_name), jax.random.key(9), 3, jnp.arange(5)
    k0, k1 = jax.random.key_data(jax.random.fold_in(key, block))
    expected_normals, expected_exponentials = [], []
    for t in range(steps):
        counter = t if scheme.NEEDS_EXPONENTIAL else t // 2
        words = threefry2x32(k0, k1, ids.astype(jnp.uint32), jnp.full(5, counter, jnp.uint32))
        word = words[0] if scheme.NEEDS_EXPONENTIAL else words[t % 2]
        expected_normals.append(np.asarray(normal_from_bits(word, jnp.float32)))
        expected_exponentials.append(np.asarray(exponential_from_bits(words[1], jnp.float32)))

    def record(carry, normal, exponential):
        return carry, (normal, exponential)

    _, (normals, exponentials) = scan_block(record, None, key, ids, block, steps, jnp.float32,
                                            scheme.NEEDS_EXPONENTIAL)
    # To a few ulp: op by op (here) and fused in one loop (the drivers) a product and a sum may or may
    # not be contracted into one FMA; a wrong word or counter would miss by O(1).
    np.testing.assert_allclose(np.asarray(normals), np.array(expected_normals), rtol=1e-6, atol=1e-6)
    if scheme.NEEDS_EXPONENTIAL:
        np.testing.assert_allclose(np.asarray(exponentials), np.array(expected_exponentials), rtol=1e-6, atol=1e-6)

    def add_variates(state, normal, exponential):  # the sum of all variates, step by step
        return state + normal + (exponential if scheme.NEEDS_EXPONENTIAL else 0.0)

    for sample_every in {1, steps}:
        total, _, _ = sweep_block(add_variates, jnp.zeros(5), lambda s, x: (s, None), None, key, ids, block,
                                  steps, sample_every, jnp.float32, scheme.NEEDS_EXPONENTIAL)
        expected = np.zeros(5, np.float32)
        for t in range(steps):
            expected = expected + expected_normals[t] + (expected_exponentials[t] if scheme.NEEDS_EXPONENTIAL else 0.0)
        np.testing.assert_allclose(np.asarray(total), expected, rtol=1e-6)


def test_segment_variates_are_the_steps_variates():
    """Pairs hashed once per chain give the variates of the steps one by one: odd chains from either
    parity, even chains from an even start (both schemes; one fused computation per chain)."""
    words, ids = (jnp.uint32(3), jnp.uint32(8)), jnp.arange(7)
    for needs_exponential in (False, True):
        single = jax.jit(lambda t, e=needs_exponential: step_variates(words, ids, t, jnp.float32, e))
        for count in range(1, 7):
            chain = jax.jit(lambda f, c=count, e=needs_exponential: segment_variates(words, ids, f, c, jnp.float32, e))
            for first in range(0, 6, 2 if count % 2 == 0 else 1):
                for offset, (normal, exponential) in enumerate(chain(jnp.uint32(first))):
                    expected = single(jnp.uint32(first + offset))
                    np.testing.assert_array_equal(np.asarray(normal), np.asarray(expected[0]))
                    if needs_exponential:
                        np.testing.assert_array_equal(np.asarray(exponential), np.asarray(expected[1]))


def test_fused_segment_is_the_largest_divisor_up_to_the_cap():
    assert [fused_segment(k, jnp.float32) for k in (1, 10, 16, 17, 20, 60, 64)] == [1, 10, 8, 1, 10, 10, 8]
    assert [fused_segment(k, jnp.float64) for k in (1, 10, 16, 17, 20, 60, 64)] == [1, 5, 4, 1, 5, 5, 4]
