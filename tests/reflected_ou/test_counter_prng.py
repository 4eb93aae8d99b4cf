"""The counter-based noise: threefry against JAX's own, the word -> variate maps against their exact
definitions and laws, and the two drivers of reflected_ou.noise against each other."""
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import stats

from reflected_ou import Params
from reflected_ou.counter_prng import exponential_from_bits, normal_from_bits, threefry2x32
from reflected_ou.noise import complex_dtype, scan_block, scan_block_fused, step_variates
from reflected_ou.schemes import get_scheme
from reflected_ou.stationary import _packed_limit_step
from reflected_ou.step import LimitState, limit_step

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
    tolerance = 2e-6 if dtype == jnp.float32 else 1e-10  # XLA erf_inv: ~1e-11 relative in the far tail
    np.testing.assert_allclose(normal, stats.norm.ppf(u), rtol=tolerance, atol=tolerance)
    np.testing.assert_allclose(exponential, -np.log(u), rtol=tolerance)
    assert np.all(np.isfinite(normal)) and np.all(np.isfinite(exponential))

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

@pytest.mark.parametrize("scheme_name", ["projected", "lepingle"])
def test_fused_and_generic_drivers_run_the_same_stream(scheme_name):
    """scan_block (any carry) and scan_block_fused (packed state) give the same path, float64."""
    params, dt, steps, paths = Params.paper_example(), 0.01, 300, 16
    scheme = get_scheme(scheme_name)
    coefficients = tuple(jnp.float64(c) for c in params.limit_coefficients())
    key, ids = jax.random.key(5), jnp.arange(paths)
    start = LimitState(jnp.full(paths, -1.0), jnp.full(paths, 0.1))

    def generic(state, normal, exponential):
        return limit_step(state, normal, exponential, coefficients, dt, scheme)[0], state.y_12

    final, before = scan_block(generic, start, key, ids, 4, steps, jnp.float64, scheme.NEEDS_EXPONENTIAL)
    packed = jax.lax.complex(start.y_M1, start.y_12).astype(complex_dtype(jnp.float64))
    fused, total = scan_block_fused(_packed_limit_step(coefficients, dt, scheme), packed,
                                    lambda acc, state: acc + jnp.imag(state), jnp.zeros(paths), key, ids, 4, 0,
                                    steps, jnp.float64, scheme.NEEDS_EXPONENTIAL)
    np.testing.assert_allclose(np.real(fused), final.y_M1, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(np.imag(fused), final.y_12, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(total, before.sum(axis=0), rtol=1e-12)
    assert np.any(np.asarray(final.y_12) != 0.1 * (1 - params.mu_1 * dt) ** steps)  # reflections happened
