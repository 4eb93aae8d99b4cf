"""The noise of the Euler schemes: one counter-based hash per (block, replica, step or pair of steps).

The stream (its definition, whichever driver runs it): for block b let (k0, k1) be the words of
fold_in(key, b) and H(r, c) = threefry2x32((k0, k1), (r, c)) (``reflected_ou.counter_prng``), two
32-bit words.  Step t of replica r in block b uses

    Lepingle scheme:   (w0, w1) = H(r, t),  Z = normal(w0), E = exponential(w1)  (the Exp(1) variate
                       of the bridge maximum);
    projected scheme:  (w0, w1) = H(r, floor(t / 2)),  Z = normal(w_(t mod 2))  (one hash serves two
                       steps: no word is drawn and thrown away).

Replica ids and block indices are absolute, so a run gives the same numbers whatever the number of
devices the replicas are sharded over, the number of blocks per device call, or where it was
checkpointed and resumed.

Two drivers run ``steps`` steps of ``step(carry, normal, exponential) -> (carry, output)``:

* :func:`scan_block`, for any carry: the variates of the next step (Lepingle: Z + iE as a complex
  array) or of the next pair of steps (projected: Z_2p + i Z_2p+1) are computed while the current
  ones run and carried as one array.  One output per elementwise loop is all XLA:CPU emits, and it
  fuses an elementwise producer into (so recomputes it in) each consumer; a carried value is
  computed once.
* :func:`sweep_block`, for a state that is one array (the 2-D state packed as the complex
  number Y_M1 + i Y_12) sampled every k steps: the hashes, variates and steps of up to
  MAX_FUSED_STEPS consecutive steps form one loop over the replicas, so a step costs little more
  than its variates; statistics are taken from the sampled states, in loops of their own.
"""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from reflected_ou.counter_prng import exponential_from_bits, key_words, normal_from_bits, threefry2x32
from rou_common.checks import check_seed


def key_from_seed(seed) -> jax.Array:
    """The JAX key of a seed, any Python integer >= 0, without truncation in either precision.

    The seed's 32-bit words w_0 + 2^32 w_1 + ... give key(w_0), then fold_in(., w_i) for each further
    word (i >= 1, up to the highest non-zero one).  Seeds below 2^32 give exactly ``jax.random.key(seed)``
    (the streams of earlier versions); larger ones never collapse onto a smaller seed (JAX alone
    truncates to 32 bits when 64-bit mode is off and overflows at 2^63).
    """
    seed = check_seed(seed)
    key = jax.random.key(seed & 0xFFFFFFFF)
    seed >>= 32
    while seed:
        key = jax.random.fold_in(key, seed & 0xFFFFFFFF)
        seed >>= 32
    return key


def as_key(key_or_seed):
    """A JAX PRNG key from a key (typed, or raw uint32[2]) or an integer seed (:func:`key_from_seed`)."""
    if isinstance(key_or_seed, (int, np.integer)) and not isinstance(key_or_seed, (bool, np.bool_)):
        return key_from_seed(int(key_or_seed))
    if isinstance(key_or_seed, jax.Array) and (jnp.issubdtype(key_or_seed.dtype, jax.dtypes.prng_key)
                                               or key_or_seed.shape == (2,) and key_or_seed.dtype == jnp.uint32):
        return key_or_seed
    raise ValueError(f"seed must be an integer >= 0 or a JAX PRNG key, got {key_or_seed!r}")


def complex_dtype(dtype):
    """complex64 for float32, complex128 for float64."""
    return jnp.result_type(dtype, jnp.complex64)


def block_words(key, block):
    """The key words (k0, k1) of block ``block``: fold_in(key, block)."""
    return key_words(jax.random.fold_in(key, block))


def step_variates(words, replica_ids, step_index, dtype, needs_exponential: bool):
    """(Z, E) of step ``step_index`` for every replica (E is None unless ``needs_exponential``):
    with E, (normal(w0), exponential(w1)) of the hash of (r, t); without, normal(w_(t mod 2)) of the
    hash of (r, floor(t / 2)) (see the module docstring)."""
    return segment_variates(words, replica_ids, step_index, 1, dtype, needs_exponential)[0]


def segment_variates(words, replica_ids, first, count: int, dtype, needs_exponential: bool):
    """[(Z, E)] of steps first .. first + count - 1 (the stream of the module docstring).

    The projected stream hashes each pair of steps (2p, 2p + 1) once.  For an even ``count``,
    ``first`` must be even (both callers start their chains at multiples of the chain length):
    count / 2 hashes.  For an odd ``count``, ``first`` may have either parity, which picks the words
    at run time: count // 2 + 1 hashes.
    """
    first = jnp.asarray(first).astype(jnp.uint32)
    if needs_exponential:
        hashes = [_hash(words, replica_ids, first + jnp.uint32(offset)) for offset in range(count)]
        return [(normal_from_bits(w0, dtype), exponential_from_bits(w1, dtype)) for w0, w1 in hashes]
    pairs = [_hash(words, replica_ids, (first >> jnp.uint32(1)) + jnp.uint32(d)) for d in range(count // 2 + count % 2)]

    def word(offset):  # the word of step first + offset when first is even
        return pairs[offset // 2][offset % 2]

    if count % 2 == 0:
        return [(normal_from_bits(word(offset), dtype), None) for offset in range(count)]
    odd_start = (first & jnp.uint32(1)) == 1  # then step first + offset has the word of offset + 1
    return [(normal_from_bits(jnp.where(odd_start, word(offset + 1), word(offset)), dtype), None)
            for offset in range(count)]


def _hash(words, replica_ids, counter):
    """threefry2x32((k0, k1), (r, counter)) for every replica id r."""
    ids = jnp.asarray(replica_ids).astype(jnp.uint32)
    counter = jnp.broadcast_to(jnp.asarray(counter).astype(jnp.uint32), ids.shape)
    return threefry2x32(words[0], words[1], ids, counter)


def _carried_variates(words, replica_ids, index, dtype, needs_exponential):
    """Z + iE of step ``index`` (Lepingle) or Z_2p + i Z_2p+1 of pair p = ``index`` (projected): one
    array, so the hash is computed once."""
    if needs_exponential:
        return jax.lax.complex(*step_variates(words, replica_ids, index, dtype, True))
    (even, _), (odd, _) = segment_variates(words, replica_ids, 2 * jnp.asarray(index).astype(jnp.uint32), 2, dtype,
                                           False)
    return jax.lax.complex(even, odd)


def scan_block(step, carry, key, replica_ids, block, steps: int, dtype, needs_exponential: bool):
    """Run ``steps`` steps of ``step(carry, normal, exponential) -> (carry, output)`` in block ``block``.

    Any pytree carry.  The per-step outputs are stacked along a leading axis of length ``steps``.
    The projected scheme ignores its Exp(1) argument, which then receives the normals.
    """
    words = block_words(key, block)
    if not needs_exponential:
        return _scan_pairs(step, carry, words, replica_ids, steps, dtype)

    def body(state, index):
        carry, variates = state
        carry, output = step(carry, jnp.real(variates), jnp.imag(variates))
        return (carry, _carried_variates(words, replica_ids, index + 1, dtype, True)), output

    first = _carried_variates(words, replica_ids, 0, dtype, True)
    (carry, _), outputs = jax.lax.scan(body, (carry, first), jnp.arange(steps, dtype=jnp.uint32))
    return carry, outputs


def _scan_pairs(step, carry, words, replica_ids, steps: int, dtype):
    """:func:`scan_block` for the projected scheme: one scan iteration per pair of steps, the pair's
    two normals carried as one complex array; an odd last step uses the real part of its pair."""

    def body(state, pair):
        carry, normals = state
        carry, first_output = step(carry, jnp.real(normals), jnp.real(normals))
        carry, second_output = step(carry, jnp.imag(normals), jnp.imag(normals))
        outputs = jax.tree.map(lambda a, b: jnp.stack([a, b]), first_output, second_output)
        return (carry, _carried_variates(words, replica_ids, pair + 1, dtype, False)), outputs

    first = _carried_variates(words, replica_ids, 0, dtype, False)
    (carry, normals), outputs = jax.lax.scan(body, (carry, first), jnp.arange(steps // 2, dtype=jnp.uint32))
    outputs = jax.tree.map(lambda a: a.reshape((2 * (steps // 2),) + a.shape[2:]), outputs)
    if steps % 2:
        carry, last = step(carry, jnp.real(normals), jnp.real(normals))
        outputs = jax.tree.map(lambda a, b: jnp.concatenate([a, b[None]]), outputs, last)
    return carry, outputs


#: Most steps fused into one loop over the replicas, by float type.  Past a size, XLA:CPU's fused loop
#: collapses (path-steps/s, 4096 replicas, 256-bit vectors: float32 projected 5.6e8 at 16 steps, 5e7 at
#: 24; float32 Lepingle 3.5e8 at 10, 2.6e7 at 16; float64 Lepingle 1.2e8 at 8, 3e7 at 10; the same
#: cliffs at 512 bits, ``reflected_ou.xla_options``: float32 Lepingle 3.7e8 at 10, 1.4e7 at 16; float64
#: Lepingle 1.35e8 at 5, 1.6e7 at 10).  The caps keep a margin.
MAX_FUSED_STEPS = {"float32": 10, "float64": 5}


def largest_divisor(n: int, cap: int) -> int:
    """The largest divisor of ``n`` that is at most ``cap``."""
    return max(d for d in range(1, min(n, cap) + 1) if n % d == 0)


def fused_segment(sample_every: int, dtype) -> int:
    """Steps per fused loop: the largest divisor of ``sample_every`` up to MAX_FUSED_STEPS[dtype]."""
    return largest_divisor(sample_every, MAX_FUSED_STEPS[jnp.dtype(dtype).name])


def sweep_block(step, state, sample, samples, key, replica_ids, block, steps: int, sample_every: int, dtype,
                needs_exponential: bool):
    """Run steps 0 .. steps - 1 of block ``block`` on a one-array ``state``, sampling it every
    ``sample_every`` steps.

    ``step(state, normal, exponential) -> state`` (the projected scheme receives the normal twice);
    ``sample(samples, state) -> (samples, output)`` is called on the state at steps 0, k, 2k, ...
    (k = ``sample_every``, a divisor of ``steps``).  Between samples, the k steps run as unrolled
    chains of :func:`fused_segment` steps, each one loop over the replicas computing hash, variates
    and steps with no intermediate array: only the state meets memory.  Same stream as
    :func:`scan_block`.  Returns (final state, samples, outputs stacked over the steps // k samples).
    """
    words = block_words(key, block)
    segment = fused_segment(sample_every, dtype)

    def run_segment(state, first):
        for normal, exponential in segment_variates(words, replica_ids, first, segment, dtype, needs_exponential):
            state = step(state, normal, normal if exponential is None else exponential)
        return state

    def sweep(carry, first):
        state, samples = carry
        samples, output = sample(samples, state)
        state = jax.lax.fori_loop(0, sample_every // segment,  # one trip (no loop) when segment == k
                                  lambda j, s: run_segment(s, first + (j * segment).astype(jnp.uint32)), state)
        return (state, samples), output

    firsts = jnp.arange(0, steps, sample_every, dtype=jnp.uint32)
    (state, samples), outputs = jax.lax.scan(sweep, (state, samples), firsts)
    return state, samples, outputs
