"""Counter-based random numbers: the threefry-2x32 hash in plain jnp ops, and exact maps from its
32-bit words to standard normal and Exp(1) variates.

threefry2x32((k0, k1), (x0, x1)) is Threefry-2x32 with 20 rounds (Salmon, Moraes, Dror, Shaw,
"Parallel random numbers: as easy as 1, 2, 3", SC 2011), bit-identical to the hash behind
``jax.random`` (``jax.extend.random.threefry2x32_p``).  Written out round by round so that XLA fuses
it into the elementwise loop that consumes it (the CPU lowering of ``threefry2x32_p`` is a rolled
loop making several passes over memory, about five times slower).

Word -> variate maps, with m the top b bits of a word (b = 23 in float32, 32 in float64):

    symmetric unit   v = (2 m + 1 - 2^b) / 2^b         in (-1, 1), exact, symmetric about 0
    normal           Z = sqrt(2) erfinv(v) = Phi^{-1}((m + 1/2) / 2^b)
    exponential      E = -log((2 m + 1) / 2^(b+1))    = -log U with U = (m + 1/2) / 2^b in (0, 1)

Every value is exactly representable, so no variate is clipped and none is infinite: |Z| <= 5.3
(float32) or 6.2 (float64), E <= 16.6 or 22.9.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
from jax import lax

_ROTATIONS = ((13, 15, 26, 6), (17, 29, 16, 24))
_PARITY = 0x1BD11BDA


def threefry2x32(k0, k1, x0, x1):
    """Threefry-2x32 (20 rounds) of the counters (x0, x1) under the key (k0, k1); uint32 in and out."""
    ks = (k0, k1, k0 ^ k1 ^ jnp.uint32(_PARITY))
    x0, x1 = x0 + ks[0], x1 + ks[1]
    for i in range(5):
        for r in _ROTATIONS[i % 2]:
            x0 = x0 + x1
            x1 = (x1 << jnp.uint32(r)) | (x1 >> jnp.uint32(32 - r))
            x1 = x1 ^ x0
        x0 = x0 + ks[(i + 1) % 3]
        x1 = x1 + ks[(i + 2) % 3] + jnp.uint32(i + 1)
    return x0, x1


def key_words(key):
    """The two uint32 words (k0, k1) of a threefry PRNG key (typed or raw uint32[2])."""
    data = jax.random.key_data(key) if jnp.issubdtype(key.dtype, jax.dtypes.prng_key) else key
    return data[0], data[1]


def _mantissa_bits(dtype) -> int:
    return 32 if jnp.dtype(dtype) == jnp.float64 else 23


def _top_bits(word, dtype):
    """(m, b): the top b bits of ``word`` as a float of ``dtype`` (exact) and b."""
    bits = _mantissa_bits(dtype)
    return (word >> jnp.uint32(32 - bits)).astype(dtype), bits


def normal_from_bits(word, dtype):
    """Standard normal Phi^{-1}((m + 1/2) / 2^b) = sqrt(2) erfinv((2m + 1 - 2^b) / 2^b) (see module)."""
    m, bits = _top_bits(word, dtype)
    symmetric = (2.0 * m + (1.0 - 2.0**bits)) * (2.0**-bits)
    return jnp.asarray(2.0**0.5, dtype) * lax.erf_inv(symmetric.astype(dtype))


def exponential_from_bits(word, dtype):
    """Exp(1) variate -log((2m + 1) / 2^(b+1)) (see module)."""
    m, bits = _top_bits(word, dtype)
    return -jnp.log(((2.0 * m + 1.0) * 2.0 ** -(bits + 1)).astype(dtype))
