"""Dispatch words: the class C_p^(k) (3.4), gap patterns (4.1)-(4.5), Fact 1, balanced/billiard words."""
import math
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from periodic_routing import words as W


def test_class_size_and_enumeration_p32():
    words = W.type_words((3, 2))
    assert len(words) == W.class_size((3, 2)) == math.factorial(5) // (math.factorial(3) * math.factorial(2)) == 10
    assert len(set(words)) == 10
    assert all(Counter(w) == Counter({0: 3, 1: 2}) for w in words)
    # the 10 words fall in two necklaces (rotation classes) of 5: 11122 and 11212
    assert len({W.necklace(w) for w in words}) == 2


@settings(max_examples=30, deadline=None)
@given(p=st.lists(st.integers(1, 3), min_size=1, max_size=4))
def test_enumeration_count_matches_multinomial(p):
    words = W.type_words(p)
    assert len(words) == len(set(words)) == math.factorial(sum(p)) // math.prod(math.factorial(x) for x in p)


@settings(max_examples=40, deadline=None)
@given(p=st.lists(st.integers(1, 4), min_size=1, max_size=3), k=st.integers(1, 9), data=st.data())
def test_round_robin_and_gap_sums(p, k, data):
    w = data.draw(st.sampled_from(W.type_words(p)))
    pol = W.TypeWordPolicy(w, p)
    qw = pol.queue_word(k)
    n_star = k * sum(p)
    assert len(qw) == n_star
    # round robin within type: the type-r jobs visit r k + 0, 1, .., k-1, 0, 1, ..
    for r in range(len(p)):
        seq = [q - r * k for q in qw if q // k == r]
        assert seq == [j % k for j in range(len(seq))]
    gaps = W.cyclic_gaps(qw, k * len(p))
    for qi, g in enumerate(gaps):
        r = qi // k
        assert len(g) == p[r]                    # p_r jobs per period at every queue of type r
        assert sum(g) == k * sum(p)              # (4.4)
    classes = pol.queue_classes(k)
    for r in range(len(p)):
        n_r = sum(1 for c in classes if c.type_index == r)
        # (4.3) says the k queues of a type share one pattern (up to the phase); that holds when
        # gcd(k, p_r) = 1, but in general a type splits into up to gcd(k, p_r) pattern classes
        # (e.g. p = (1, 1, 4), word 132333, k = 2: gaps (3,3,3,3) and (2,4,2,4)).
        assert 1 <= n_r <= math.gcd(k, p[r])
        assert sum(c.weight for c in classes if c.type_index == r) == pytest.approx(p[r] / sum(p))


def test_paper_43_counterexample():
    pol = W.TypeWordPolicy((0, 2, 1, 2, 2, 2), (1, 1, 4))
    pats = {c.pattern for c in pol.queue_classes(2) if c.type_index == 2}
    assert pats == {(3, 3, 3, 3), (2, 4, 2, 4)}


@pytest.mark.parametrize("word", W.type_words((3, 2)))
def test_fact_1(word):
    """Fact 1: a_{j,r}^(p_r m + i) = a_{j,r}^(p_r (m-1) + i) + ||p|| (as cyclic patterns)."""
    p = (3, 2)
    pol = W.TypeWordPolicy(word, p)
    for r in range(2):
        for m in (2, 3):
            for i in (1, 2, 3):
                big = {c.pattern for c in pol.queue_classes(p[r] * m + i) if c.type_index == r}
                small = {c.pattern for c in pol.queue_classes(p[r] * (m - 1) + i) if c.type_index == r}
                assert big == {W.necklace(tuple(a + sum(p) for a in s)) for s in small}


def test_example_1_table_1():
    """Example 1: p = (3, 2), word (1,1,2,1,2); system k = 7 (type 1) visits (1,1),(1,2),(2,1),(1,3),(2,2),.."""
    pol = W.TypeWordPolicy((0, 0, 1, 0, 1), (3, 2))
    k = 7
    qw = pol.queue_word(k)
    table = [(q // k + 1, q % k + 1) for q in qw[:11]]
    assert table == [(1, 1), (1, 2), (2, 1), (1, 3), (2, 2), (1, 4), (1, 5), (2, 3), (1, 6), (2, 4), (1, 7)]


@settings(max_examples=40, deadline=None)
@given(a=st.integers(1, 12), b=st.integers(1, 12))
def test_hajek_balanced_and_billiard_rotation(a, b):
    if math.gcd(a, b) != 1:
        return
    n = a + b
    u = W.hajek_sequence(a / n, 3 * n)
    # balanced: counts over any two windows of equal length differ by at most 1
    cs = np.concatenate(([0], np.cumsum(u)))
    for L in range(1, n + 1):
        win = cs[L:] - cs[:-L]
        assert win.max() - win.min() <= 1
    hajek_word = tuple(0 if x else 1 for x in u[:n])       # type 0 where Hajek's sequence has a 1
    billiard = W.billiard_word([a / n, b / n], n)
    assert W.necklace(billiard) == W.necklace(hajek_word)  # same policy of C_p^(k) (rotation = phase V)
    assert Counter(billiard) == Counter({0: a, 1: b})


def test_billiard_counts_three_types():
    p = (5, 3, 2)
    pol = W.balanced_policy(p)
    assert Counter(pol.word) == Counter({0: 5, 1: 3, 2: 2})
    ww = np.array(pol.word * 4)
    for r, pr in enumerate(p):  # billiard words: window counts within 2 of the rate
        cs = np.concatenate(([0], np.cumsum(ww == r)))
        for L in range(1, 11):
            win = cs[L:] - cs[:-L]
            assert np.all(np.abs(win - L * pr / 10) < 2)


def test_queue_word_general():
    # k = 2, R = 2: queues 0, 1 (type 0) and 2, 3 (type 1); unequal q within type 0
    qw = W.QueueWord((0, 0, 2, 1, 3, 0), k=2, n_types=2, counts=(3, 1, 1, 1))
    assert np.allclose(qw.q, [0.5, 1 / 6, 1 / 6, 1 / 6])
    assert np.allclose(qw.fractions, [2 / 3, 1 / 3])
    cl = qw.queue_classes()
    assert sum(c.weight for c in cl) == pytest.approx(1.0)
    assert {c.pattern for c in cl if c.type_index == 0} == {(1, 1, 4), (6,)}  # queue 0 at positions 0, 1, 5


def test_bernoulli_classes():
    cl = W.BernoulliPolicy((3, 2)).queue_classes(4)
    assert [c.thin_prob for c in cl] == pytest.approx([0.6 / 4, 0.4 / 4])
