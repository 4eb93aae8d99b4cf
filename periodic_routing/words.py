"""Dispatch words: the class C_p^(k) of (3.4), general periodic words A_q(k) of (2.1), Bernoulli
routing, and balanced / billiard words.

Indices are 0-based: type r in 0..R-1, replica kappa in 0..k-1, queue (r, kappa) has number
r k + kappa (the paper's (r, kappa) with r, kappa >= 1; its index order (r, kappa) vs (kappa, r) is
immaterial, NOTES misprint 7).

* A *type word* w of length ||p|| with p_r letters r defines the policy of C_p^(k) (Section 3.1):
  job n goes to type w[n mod ||p||], and the jobs sent to type r visit its k queues in round robin.
  :func:`class_policies` enumerates all ||p||! / prod_r p_r! of them, (3.4).
* A :class:`QueueWord` is an arbitrary periodic word over the kR queues, a policy of A_q(k) with
  q_{r,kappa} = (number of letters (r, kappa)) / n*, (2.1); every queue must appear (q in Q_+).
* :class:`BernoulliPolicy` sends each job independently to type r with probability q_r and then to a
  uniformly chosen queue of that type.
* :func:`hajek_sequence` is Hajek's floor((n+1) alpha + theta) - floor(n alpha + theta) and
  :func:`billiard_word` the billiard word for rates alpha (Hajek 1985; Hordijk and van der Laan 2004).

What the simulator needs from a policy is :meth:`gap_patterns`: for each queue the cyclic sequence
a_1, .., a_{n* q} of numbers of dispatcher inter-arrival times between its consecutive jobs, (4.1)-(4.2).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import reduce
from typing import Iterator, Sequence

import numpy as np

from ._checks import integer_vector, positive_int, weights


# ---------------------------------------------------------------------------------------------- #
# gap patterns
# ---------------------------------------------------------------------------------------------- #
def _canonical_rotation(pattern: tuple[int, ...]) -> tuple[int, ...]:
    """Lexicographically least rotation: patterns equal up to the random phase (4.6) are one class."""
    n = len(pattern)
    return min(tuple(pattern[i:] + pattern[:i]) for i in range(n))


def necklace(word: Sequence[int]) -> tuple[int, ...]:
    """Canonical (least) rotation of a word.  Rotations of a type word of C_p^(k) differ only by a time
    shift and a relabelling of queues within types, so they have the same stationary W^(k) (2.5)."""
    word = tuple(int(x) for x in word)
    if not word:
        raise ValueError("word must be a non-empty sequence of symbols")
    return _canonical_rotation(word)


def cyclic_gaps(word: Sequence[int], n_symbols: int) -> list[tuple[int, ...]]:
    """For each symbol s, the cyclic gaps between its consecutive positions in the periodic word.

    The gaps of symbol s sum to the period len(word) (4.4); a symbol that never appears raises."""
    word = np.asarray(word, dtype=np.int64)
    period = word.size
    out = []
    for s in range(n_symbols):
        pos = np.flatnonzero(word == s)
        if pos.size == 0:
            raise ValueError(f"symbol {s} never appears in the word: every queue must receive jobs (q in Q_+^R x Q_+^k)")
        gaps = np.diff(np.concatenate((pos, [pos[0] + period])))
        out.append(tuple(int(g) for g in gaps))
    return out


@dataclass(frozen=True)
class QueueClass:
    """Queues of one type whose arrival patterns coincide up to rotation, with their total weight.

    ``pattern`` is the cyclic gap sequence (4.1)-(4.2) or None for Bernoulli routing, where the gap
    count is Geometric(``thin_prob``); ``weight`` = sum of q_{r,kappa} over the class, (2.5);
    ``multiplicity`` = number of queues in the class."""

    type_index: int
    weight: float
    pattern: tuple | None
    thin_prob: float | None
    multiplicity: int


def _classes_from_queue_word(word: Sequence[int], k: int, n_types: int) -> list[QueueClass]:
    n_queues = k * n_types
    gaps = cyclic_gaps(word, n_queues)
    period = len(word)
    table: dict[tuple, list] = {}
    for queue, g in enumerate(gaps):
        key = (queue // k, _canonical_rotation(g))
        entry = table.setdefault(key, [0.0, 0])
        entry[0] += len(g) / period
        entry[1] += 1
    return [QueueClass(r, w, pat, None, m) for (r, pat), (w, m) in sorted(table.items())]


# ---------------------------------------------------------------------------------------------- #
# the class C_p^(k)
# ---------------------------------------------------------------------------------------------- #
def _multiset_permutations(counts: list[int]) -> Iterator[tuple[int, ...]]:
    total = sum(counts)
    if total == 0:
        yield ()
        return
    for r, c in enumerate(counts):
        if c:
            counts[r] -= 1
            for rest in _multiset_permutations(counts):
                yield (r,) + rest
            counts[r] += 1


def class_size(p: Sequence[int]) -> int:
    """|C_p^(k)| = ||p||! / prod_r p_r!, (3.4) (independent of k)."""
    p = integer_vector("p", p)
    return math.factorial(sum(p)) // math.prod(math.factorial(x) for x in p)


def type_words(p: Sequence[int]) -> list[tuple[int, ...]]:
    """All ||p||!/prod p_r! words of length ||p|| with p_r letters r, in lexicographic order, (3.4)."""
    p = integer_vector("p", p)
    if class_size(p) > 10**6:
        raise ValueError(f"|C_p| = {class_size(p)} > 10^6 words: enumerate a smaller p")
    return list(_multiset_permutations(list(p)))


@dataclass(frozen=True)
class TypeWordPolicy:
    """A policy of C_p^(k), Section 3.1: type word ``word`` (period ||p||), round robin within types."""

    word: tuple
    p: tuple

    def __post_init__(self):
        p = integer_vector("p", self.p)
        word = tuple(int(x) for x in self.word)
        if any(x < 0 or x >= len(p) for x in word):
            raise ValueError(f"word letters must be types 0..{len(p) - 1}, got {word}")
        counts = tuple(word.count(r) for r in range(len(p)))
        if counts != p:
            raise ValueError(f"word is not periodic with the stated counts: a period must hold p_r letters r "
                             f"(p = {p}), but the word {word} holds {counts}")
        object.__setattr__(self, "p", p)
        object.__setattr__(self, "word", word)

    @property
    def n_types(self) -> int:
        return len(self.p)

    @property
    def fractions(self) -> np.ndarray:
        """p / ||p||: the fraction of jobs sent to each type."""
        return np.asarray(self.p, dtype=float) / sum(self.p)

    def queue_word(self, k: int) -> tuple[int, ...]:
        """The word over the kR queues, period k ||p||: the j-th type-r job goes to queue r k + (j mod k)."""
        k = positive_int("k", k)
        seen = [0] * self.n_types
        out = []
        for _ in range(k):
            for r in self.word:
                out.append(r * k + seen[r] % k)
                seen[r] += 1
        return tuple(out)

    def queue_classes(self, k: int) -> list[QueueClass]:
        """All k queues of a type share one gap pattern up to rotation: R classes, weights p_r/||p||."""
        return _classes_from_queue_word(self.queue_word(k), positive_int("k", k), self.n_types)

    def label(self) -> str:
        return "".join(str(r + 1) for r in self.word)


def class_policies(p: Sequence[int]) -> list[TypeWordPolicy]:
    """Every policy of C_p^(k), (3.4)."""
    p = integer_vector("p", p)
    return [TypeWordPolicy(w, p) for w in type_words(p)]


@dataclass(frozen=True)
class QueueWord:
    """An arbitrary periodic word over the kR queues (a policy of A_q(k), (2.1)).

    ``counts`` (optional) states how many letters each queue must have per period; a mismatch raises."""

    word: tuple
    k: int
    n_types: int
    counts: tuple | None = None

    def __post_init__(self):
        k = positive_int("k", self.k)
        R = positive_int("n_types", self.n_types)
        word = tuple(int(x) for x in self.word)
        if not word:
            raise ValueError("word must be non-empty")
        if any(x < 0 or x >= k * R for x in word):
            raise ValueError(f"word letters must be queue numbers 0..{k * R - 1} (queue (r, kappa) = r k + kappa)")
        actual = tuple(word.count(i) for i in range(k * R))
        if self.counts is not None:
            stated = integer_vector("counts", self.counts, minimum=1)
            if stated != actual:
                raise ValueError(f"word is not periodic with the stated counts: stated {stated}, word holds {actual}")
        if min(actual) == 0:
            raise ValueError(f"queue {actual.index(0)} never appears in the word: every queue must receive jobs "
                             "(q in Q_+^R x Q_+^k)")
        object.__setattr__(self, "word", word)
        object.__setattr__(self, "k", k)
        object.__setattr__(self, "n_types", R)
        object.__setattr__(self, "counts", actual)

    @property
    def q(self) -> np.ndarray:
        """q_{r,kappa} = counts / n*, flattened in queue order r k + kappa, (2.1)."""
        return np.asarray(self.counts, dtype=float) / len(self.word)

    @property
    def fractions(self) -> np.ndarray:
        """Fraction of jobs per type, sum_kappa q_{r,kappa}."""
        return self.q.reshape(self.n_types, self.k).sum(axis=1)

    def queue_classes(self, k: int | None = None) -> list[QueueClass]:
        if k is not None and positive_int("k", k) != self.k:
            raise ValueError(f"this word is over k = {self.k} queues per type, got k = {k}")
        return _classes_from_queue_word(self.word, self.k, self.n_types)

    def label(self) -> str:
        return f"word(n*={len(self.word)})"


@dataclass(frozen=True)
class BernoulliPolicy:
    """Probabilistic routing: type r with probability q_r, then a uniform queue of that type.

    A type-r queue receives every job independently with probability q_r / k, so its gap count is
    Geometric(q_r / k); with Poisson arrivals it sees a Poisson stream of rate lambda q_r (M/GI/1)."""

    q: tuple

    def __post_init__(self):
        q = weights("q", self.q)
        if np.any(q <= 0):
            raise ValueError(f"q must be > 0 componentwise (an empty type receives no jobs), got {self.q!r}")
        object.__setattr__(self, "q", tuple(float(x) for x in q))

    @property
    def n_types(self) -> int:
        return len(self.q)

    @property
    def fractions(self) -> np.ndarray:
        return np.asarray(self.q)

    def queue_classes(self, k: int) -> list[QueueClass]:
        k = positive_int("k", k)
        return [QueueClass(r, qr, None, qr / k, k) for r, qr in enumerate(self.q)]

    def label(self) -> str:
        return "bernoulli"


# ---------------------------------------------------------------------------------------------- #
# balanced and billiard words
# ---------------------------------------------------------------------------------------------- #
def hajek_sequence(alpha: float, n: int, theta: float = 0.0) -> np.ndarray:
    """u_j = floor((j+1) alpha + theta) - floor(j alpha + theta), j = 0..n-1 (Hajek 1985): the balanced
    0/1 sequence of rate alpha in [0, 1].  Rational alpha are handled exactly with fractions."""
    n = positive_int("n", n)
    for name, value in (("alpha", alpha), ("theta", theta)):
        if not isinstance(value, Fraction) and not (isinstance(value, (int, float, np.integer, np.floating))
                                                    and not isinstance(value, bool) and math.isfinite(value)):
            raise ValueError(f"{name} must be a finite real number, got {value!r}")
    a = Fraction(alpha).limit_denominator(10**9) if not isinstance(alpha, Fraction) else alpha
    t = Fraction(theta).limit_denominator(10**9) if not isinstance(theta, Fraction) else theta
    if not 0 <= a <= 1:
        raise ValueError(f"alpha must lie in [0, 1], got {alpha!r}")
    return np.array([math.floor((j + 1) * a + t) - math.floor(j * a + t) for j in range(n)], dtype=np.int64)


def billiard_word(rates: Sequence[float], length: int, offsets: Sequence[float] | None = None) -> tuple[int, ...]:
    """Billiard word: the i-th letter r (i = 1, 2, ..) is placed at time (i - offsets_r) / rates_r and
    letters are read in time order (ties to the lower index).  With offsets 0 and rational rates
    p/||p||, a block of length ||p|| holds exactly p_r letters r."""
    rates = weights("rates", rates)
    length = positive_int("length", length)
    fr = [Fraction(float(x)).limit_denominator(10**6) for x in rates]
    off = [Fraction(0)] * len(fr) if offsets is None else [Fraction(float(o)).limit_denominator(10**6) for o in offsets]
    if len(off) != len(fr) or any(not 0 <= o < 1 for o in off):
        raise ValueError("offsets must have one entry in [0, 1) per rate")
    nxt = [1] * len(fr)
    out = []
    for _ in range(length):
        times = [((nxt[r] - off[r]) / fr[r]) if fr[r] > 0 else None for r in range(len(fr))]
        r = min((t, r) for r, t in enumerate(times) if t is not None)[1]
        out.append(r)
        nxt[r] += 1
    return tuple(out)


def balanced_policy(p: Sequence[int]) -> TypeWordPolicy:
    """The billiard (for R = 2: Hajek-balanced, up to rotation) type word of C_p^(k)."""
    p = integer_vector("p", p)
    g = reduce(math.gcd, p)
    red = tuple(x // g for x in p)
    w = billiard_word(np.asarray(red, float), sum(red))
    return TypeWordPolicy(w * g, p)
