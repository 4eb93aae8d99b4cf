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
(float32) or 6.2 (float64), E <= 16.6 or 22.9.  erfinv and log are computed here (Giles' erfinv
polynomials on a Cephes/fdlibm log) from correctly rounded operations only, so that every lane of
every vectorised loop, and every device, gives the same bits (see ``log_positive``).
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


# -- log and erfinv from +, *, /, sqrt and bit operations only ---------------------------------------
# XLA:CPU lowers log to a vector polynomial inside vectorised loops but may call libm's scalar log
# for some lanes or for a loop's remainder, and the two can differ in the last bit.  Which replicas
# fall in a remainder depends on how many replicas a device holds, so a run sharded over two devices
# could differ from the same run on one.  These versions use only correctly rounded operations and
# give the same bits in every lane.

# float64: fdlibm/musl log (e_log.c), log(1 + f) = 2 atanh(s) with s = f / (2 + f).
_LOG64 = dict(ln2_hi=6.93147180369123816490e-01, ln2_lo=1.90821492927058770002e-10,
              lg=(6.666666666666735130e-01, 3.999999999940941908e-01, 2.857142874366239149e-01,
                  2.222219843214978396e-01, 1.818357216161805012e-01, 1.531383769920937332e-01,
                  1.479819860511658591e-01))
# float32: Cephes logf (S. Moshier), log(1 + f) = f - f^2/2 + f^3 P(f), no division (a division
# would make the normal map about twice as slow).
_LOG32 = dict(ln2_hi=0.693359375, ln2_lo=-2.12194440e-4,
              p=(7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1,
                 -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1))


def _split_log_argument(x):
    """(k, f) with x = 2^k (1 + f), 1 + f in [sqrt(2)/2, sqrt(2)), for positive normal x (fdlibm)."""
    if x.dtype == jnp.float64:
        bits = lax.bitcast_convert_type(x, jnp.uint64)
        high = (bits >> jnp.uint64(32)).astype(jnp.uint32) + jnp.uint32(0x3FF00000 - 0x3FE6A09E)
        k = (high >> jnp.uint32(20)).astype(jnp.int32) - 0x3FF
        high = (high & jnp.uint32(0x000FFFFF)) + jnp.uint32(0x3FE6A09E)
        bits = (high.astype(jnp.uint64) << jnp.uint64(32)) | (bits & jnp.uint64(0xFFFFFFFF))
    else:
        bits = lax.bitcast_convert_type(x, jnp.uint32) + jnp.uint32(0x3F800000 - 0x3F3504F3)
        k = (bits >> jnp.uint32(23)).astype(jnp.int32) - 0x7F
        bits = (bits & jnp.uint32(0x007FFFFF)) + jnp.uint32(0x3F3504F3)
    return k.astype(x.dtype), lax.bitcast_convert_type(bits, x.dtype) - 1.0


def log_positive(x):
    """Natural log of positive normal floats, within one ulp, with x = 2^k (1 + f):

        float64 (fdlibm):  log x = k ln 2 + f - f^2/2 + s (f^2/2 + R(s^2)),  s = f / (2 + f)
                           (1 / (2 + f) by Newton's iteration);
        float32 (Cephes):  log x = k ln 2 + f - f^2/2 + f^3 P(f).

    k ln 2 is added in two parts (ln2_hi has trailing zero bits, so k ln2_hi is exact).  No zero,
    subnormal, infinite or NaN input is handled (the callers never pass one).
    """
    dk, f = _split_log_argument(x)
    if x.dtype == jnp.float64:
        half_f_sq = 0.5 * f * f
        s = f * _reciprocal_of_two_plus(f)
        z = s * s
        w = z * z
        odd, even = _LOG64["lg"][0::2], _LOG64["lg"][1::2]  # R = z (Lg1 + w (Lg3 + ..)) + w (Lg2 + ..)
        r = _horner(odd[::-1], w) * z + _horner(even[::-1], w) * w
        return s * (half_f_sq + r) + dk * _LOG64["ln2_lo"] - half_f_sq + f + dk * _LOG64["ln2_hi"]
    f_sq = f * f
    tail = f * f_sq * _horner(_LOG32["p"], f) + dk * _LOG32["ln2_lo"] - 0.5 * f_sq
    return (f + tail) + dk * _LOG32["ln2_hi"]


# 1 / d on d = 2 + f in [1 + sqrt(2)/2, 1 + sqrt(2)]: the minimax line 2 (a + b - d) / (ab + m^2),
# m = (a + b) / 2, has relative error 0.0149; four Newton steps y <- y (2 - d y) square it to 1e-29.
_RECIPROCAL_ENDS = (1.0 + 0.5**0.5, 1.0 + 2.0**0.5)


def _reciprocal_of_two_plus(f):
    """1 / (2 + f) for float64 f in [sqrt(2)/2 - 1, sqrt(2) - 1], without a division (a float64 vector
    division costs as much as the rest of log; a few ulp here move log by under half an ulp)."""
    a, b = _RECIPROCAL_ENDS
    scale = 2.0 / (a * b + (0.5 * (a + b)) ** 2)
    d = 2.0 + f
    y = ((a + b) - d) * scale
    for _ in range(4):
        y = y * (2.0 - d * y)
    return y


def _horner(coefficients, x):
    """c_0 x^(n-1) + ... + c_(n-1), coefficients from the highest degree down."""
    total = jnp.full_like(x, coefficients[0])
    for c in coefficients[1:]:
        total = total * x + c
    return total


# Giles, "Approximating the erfinv function", GPU Computing Gems Jade (2011): erfinv(x) = x p(w),
# w = -log(1 - x^2), the polynomial p chosen by the range of w (the coefficients of XLA's ErfInv).
_ERFINV32 = ((5.0, 2.5, False, (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
                                -0.00125372503, -0.00417768164, 0.246640727, 1.50140941)),
             (None, 3.0, True, (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
                                -0.0076224613, 0.00943887047, 1.00167406, 2.83297682)))
_ERFINV64 = ((6.25, 3.125, False,
              (-3.6444120640178196996e-21, -1.685059138182016589e-19, 1.2858480715256400167e-18,
               1.115787767802518096e-17, -1.333171662854620906e-16, 2.0972767875968561637e-17,
               6.6376381343583238325e-15, -4.0545662729752068639e-14, -8.1519341976054721522e-14,
               2.6335093153082322977e-12, -1.2975133253453532498e-11, -5.4154120542946279317e-11,
               1.051212273321532285e-09, -4.1126339803469836976e-09, -2.9070369957882005086e-08,
               4.2347877827932403518e-07, -1.3654692000834678645e-06, -1.3882523362786468719e-05,
               0.0001867342080340571352, -0.00074070253416626697512, -0.0060336708714301490533,
               0.24015818242558961693, 1.6536545626831027356)),
             (16.0, 3.25, True,
              (2.2137376921775787049e-09, 9.0756561938885390979e-08, -2.7517406297064545428e-07,
               1.8239629214389227755e-08, 1.5027403968909827627e-06, -4.013867526981545969e-06,
               2.9234449089955446044e-06, 1.2475304481671778723e-05, -4.7318229009055733981e-05,
               6.8284851459573175448e-05, 2.4031110387097893999e-05, -0.0003550375203628474796,
               0.00095328937973738049703, -0.0016882755560235047313, 0.0024914420961078508066,
               -0.0037512085075692412107, 0.005370914553590063617, 1.0052589676941592334,
               3.0838856104922207635)),
             (None, 5.0, True,
              (-2.7109920616438573243e-11, -2.5556418169965252055e-10, 1.5076572693500548083e-09,
               -3.7894654401267369937e-09, 7.6157012080783393804e-09, -1.4960026627149240478e-08,
               2.9147953450901080826e-08, -6.7711997758452339498e-08, 2.2900482228026654717e-07,
               -9.9298272942317002539e-07, 4.5260625972231537039e-06, -1.9681778105531670567e-05,
               7.5995277030017761139e-05, -0.00021503011930044477347, -0.00013871931833623122026,
               1.0103004648645343977, 4.8499064014085844221)))


def erfinv(x):
    """Inverse error function on (-1, 1), float32 or float64 (Giles 2011, see above); every branch is
    evaluated and the one for w's range selected, so the loop has no control flow."""
    w = -log_positive((1.0 - x) * (1.0 + x))
    result = None
    for bound, centre, use_sqrt, coefficients in reversed(_ERFINV64 if x.dtype == jnp.float64 else _ERFINV32):
        value = _horner(coefficients, (jnp.sqrt(w) if use_sqrt else w) - centre)
        result = value if bound is None else jnp.where(w < bound, value, result)
    return result * x


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
    return jnp.asarray(2.0**0.5, dtype) * erfinv(symmetric.astype(dtype))


def exponential_from_bits(word, dtype):
    """Exp(1) variate -log((2m + 1) / 2^(b+1)) (see module)."""
    m, bits = _top_bits(word, dtype)
    return -log_positive(((2.0 * m + 1.0) * 2.0 ** -(bits + 1)).astype(dtype))
