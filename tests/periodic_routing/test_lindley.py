"""The Lindley simulator: closed-form recursion, reproducibility, per-queue sequences, general words."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays

from periodic_routing import (QueueWord, arrivals, balanced_policy, class_policies, lindley,
                              simulate_waits, waiting_time_sequences)
from periodic_routing import dgi1 as D
from periodic_routing import service as sv
from periodic_routing.words import necklace

SVC = [sv.exponential(3.0), sv.exponential(1.0)]


@settings(max_examples=50, deadline=None)
@given(x=arrays(np.float64, (40, 3), elements=st.floats(-5, 5)), w0=st.floats(0, 3))
def test_lindley_closed_form_equals_loop(x, w0):
    w = np.full(3, w0)
    ref = np.empty_like(x)
    for n in range(x.shape[0]):
        w = np.maximum(w + x[n], 0.0)
        ref[n] = w
    out = lindley(x, w0)
    assert np.all(out >= 0)
    np.testing.assert_allclose(out, ref, rtol=0, atol=1e-12)


def test_results_do_not_depend_on_chunk_size():
    pol = balanced_policy((3, 2))
    kw = dict(horizon=40000, replicas=4, seed=7, progress=False)
    a = simulate_waits(pol, SVC, 2.0, 4, chunk_jobs=1000, **kw)
    b = simulate_waits(pol, SVC, 2.0, 4, chunk_jobs=10**6, **kw)
    assert a.mean == b.mean and a.variance == b.variance
    np.testing.assert_array_equal(a.cdf, b.cdf)
    assert a.quantiles == b.quantiles
    c = simulate_waits(pol, SVC, 2.0, 4, **{**kw, "seed": 8})
    assert c.mean != a.mean


def test_rotations_of_a_word_are_the_same_policy():
    """Rotations differ by the phase V and a relabelling of queues: same classes, same W^(k) (2.5)."""
    pols = class_policies((3, 2))
    by_necklace = {}
    for pol in pols:
        res = simulate_waits(pol, SVC, 2.0, 3, horizon=4096, replicas=2, seed=1, progress=False, hist_bins=0,
                             quantiles=())
        by_necklace.setdefault(necklace(pol.word), set()).add(res.mean)
    assert len(by_necklace) == 2 and all(len(v) == 1 for v in by_necklace.values())


def test_per_queue_sequences_agree_with_class_simulation():
    pol = balanced_policy((3, 2))
    k = 4
    w, types = waiting_time_sequences(pol, SVC, 2.0, k, 200000, seed=2)
    assert w.shape == (200000, 8) and list(types) == [0] * 4 + [1] * 4
    burn = 20000
    per_queue = w[burn:].mean(axis=0)
    # queues of a type see the same pattern up to phase: their means agree (batch-means errors)
    nb = 30
    bm = w[burn:burn + (w.shape[0] - burn) // nb * nb].reshape(nb, -1, 8).mean(axis=1)
    se = bm.std(axis=0, ddof=1) / np.sqrt(nb)
    mix = 0.6 * per_queue[:4].mean() + 0.4 * per_queue[4:].mean()
    mix_se = np.sqrt((0.6 / 4) ** 2 * np.sum(se[:4] ** 2) + (0.4 / 4) ** 2 * np.sum(se[4:] ** 2))
    res = simulate_waits(pol, SVC, 2.0, k, horizon=1 << 16, replicas=8, seed=3, progress=False, hist_bins=0,
                         quantiles=())
    assert abs(mix - res.mean) < 3 * np.hypot(mix_se, res.mean_stderr)
    assert mix_se < 0.05 * mix


def test_general_word_respects_lower_bound_420b():
    """(4.20b): E W^(k)(pi) >= sum q_{r,kappa} E W_{D/GI/1}(lambda k q_{r,kappa}) for any pi in A_q(k)."""
    # k = 2, R = 2, queue 0 gets half of all jobs (q = 1/2, 1/6, 1/6, 1/6)
    qw = QueueWord((0, 0, 2, 1, 3, 0), k=2, n_types=2)
    lam = 1.2
    res = simulate_waits(qw, SVC, lam, 2, horizon=1 << 16, replicas=8, seed=4, progress=False, hist_bins=0,
                         quantiles=())
    bound = sum(q * D.dgi1(lam * 2 * q, SVC[i // 2]).mean for i, q in enumerate(qw.q))
    assert res.mean_stderr < 0.05 * res.mean
    assert res.mean > bound + 3 * res.mean_stderr


def test_case1_erlang_arrivals_sum_law():
    rng = np.random.default_rng(0)
    ar = arrivals.erlang(4)
    counts = np.array([1, 3, 7] * 20000)
    sums = ar.sum_of(rng, counts)
    generic = arrivals.renewal(lambda g, n: g.standard_gamma(4.0, n) / 4.0, scv=0.25)
    sums2 = generic.sum_of(np.random.default_rng(1), counts)
    for c in (1, 3, 7):
        for s in (sums, sums2):
            v = s[counts == c]
            se = v.std(ddof=1) / np.sqrt(v.size)
            assert abs(v.mean() - c) < 3 * se
            assert v.var(ddof=1) == pytest.approx(c / 4, rel=0.05)


def test_deterministic_everything_gives_zero_wait():
    pol = balanced_policy((3, 2))
    res = simulate_waits(pol, [sv.deterministic(3.0), sv.deterministic(1.0)], 2.0, 4,
                         arrivals=arrivals.deterministic(), horizon=4096, replicas=2, progress=False)
    assert res.mean == 0.0 and res.cdf[0] == 1.0


def test_case3_deterministic_arrivals_converge_from_above():
    """Case 3 (T = 1/(lambda k)): E W^(k) >= E W(p) (3.11) and -> E W(p) (3.8)."""
    from periodic_routing import limit as L

    lim = L.mean_wait_limit((3, 2), SVC, 2.0).mean
    res = [simulate_waits(balanced_policy((3, 2)), SVC, 2.0, k, arrivals=arrivals.deterministic(), horizon=1 << 15,
                          replicas=8, seed=30 + k, hist_bins=0, quantiles=(), progress=False) for k in (1, 32)]
    assert all(r.mean > lim - 3 * r.mean_stderr for r in res)
    assert res[1].mean_stderr < 0.03 * lim and abs(res[1].mean - lim) < 3 * res[1].mean_stderr


def test_waiting_time_sequences_general_word_and_bernoulli():
    qw = QueueWord((0, 0, 2, 1, 3, 0), k=2, n_types=2)
    w, types = waiting_time_sequences(qw, SVC, 1.2, 2, 50000, seed=1)
    assert w.shape == (50000, 4) and list(types) == [0, 0, 1, 1]
    assert w[1000:, 0].mean() > w[1000:, 1].mean()  # queue 0 takes half of all jobs
    from periodic_routing import BernoulliPolicy
    w, _ = waiting_time_sequences(BernoulliPolicy((0.6, 0.4)), SVC, 2.0, 1, 200000, seed=2)
    bm = w[20000:].reshape(30, -1, 2).mean(axis=1)  # 30 batch means per queue
    m, se = bm.mean(axis=0), bm.std(axis=0, ddof=1) / np.sqrt(30)
    for r, rate in ((0, 1.2), (1, 0.8)):  # Bernoulli thinning of Poisson: M/M/1 at rate lambda q_r
        exact = D.mgi1(rate, SVC[r]).mean
        assert se[r] < 0.1 * exact and abs(m[r] - exact) < 3 * se[r]
