"""Theorems 2 and 3 of paper 003 on p = (3, 2), R = 2, lambda = 2, mu = (3, 1), Poisson arrivals.

Every policy of C_p^(k) (all 10 type words) is simulated at k = 1, 2, 4, .., 32 with common random numbers
(the same seed for every policy at a given k), so differences between policies have paired batch-means
errors.  Tolerances are multiples of the estimated standard errors."""
import math

import numpy as np
import pytest

from periodic_routing import BernoulliPolicy, balanced_policy, class_policies, simulate_waits
from periodic_routing import limit as L
from periodic_routing import service as sv

P = (3, 2)
LAM = 2.0
KS = (1, 2, 4, 8, 16, 32)
LAWS = {"exp": [sv.exponential(3.0), sv.exponential(1.0)], "det": [sv.deterministic(3.0), sv.deterministic(1.0)]}


@pytest.fixture(scope="module", params=sorted(LAWS))
def study(request):
    svc = LAWS[request.param]
    pols = class_policies(P)
    assert len(pols) == 10
    runs = {k: [simulate_waits(pol, svc, LAM, k, horizon=1 << (17 if k == 1 else 15), replicas=8, seed=100 + k, hist_bins=0,
                               quantiles=(), progress=False) for pol in pols] for k in KS}
    bern = {k: simulate_waits(BernoulliPolicy(np.asarray(P) / 5), svc, LAM, k, horizon=1 << 15, replicas=8,
                              seed=200 + k, hist_bins=0, quantiles=(), progress=False) for k in KS}
    return request.param, svc, L.mean_wait_limit(P, svc, LAM), runs, bern


def _spread(results):
    means = np.array([r.mean for r in results])
    hi, lo = int(means.argmax()), int(means.argmin())
    diff = results[hi].batch_means - results[lo].batch_means  # paired: common random numbers
    return means[hi] - means[lo], diff.std(ddof=1) / math.sqrt(diff.size)


def test_theorem3_convergence_lower_bound_and_equivalence(study):
    name, svc, lim, runs, _ = study
    for k in KS:
        for r in runs[k]:
            assert r.mean > lim.mean - 3 * r.mean_stderr, "(3.11): E W(p) <= E W^(k)(pi)"
    for i in range(10):
        gaps = [runs[k][i].mean - lim.mean for k in KS]
        ses = [runs[k][i].mean_stderr for k in KS]
        for j in range(len(KS) - 1):  # the gap to E W(p) does not grow with k
            assert gaps[j + 1] < gaps[j] + 3 * math.hypot(ses[j], ses[j + 1])
        assert gaps[0] > 10 * ses[0]  # k = 1 is clearly above the limit ...
        assert gaps[-1] < gaps[0] / 8  # ... and k = 32 within 1/8 of that gap, (3.8)
    s1, se1 = _spread(runs[1])
    s32, se32 = _spread(runs[32])
    assert s1 > 3 * se1, "policies of C_p^(1) differ"
    assert s32 < s1 / 4, "the spread between policies shrinks (asymptotic equivalence)"


def test_bernoulli_stays_above_the_limit(study):
    name, svc, lim, runs, bern = study
    pk = L.bernoulli_limit(P, svc, LAM)
    for k in KS:
        b = bern[k]
        assert b.mean - 3 * b.mean_stderr > lim.mean            # outside C_p^(k): above E W(p), (3.11)
        assert abs(b.mean - pk.mean) < 3 * b.mean_stderr        # and equal to M/GI/1 for every k
        assert b.mean > max(r.mean for r in runs[k]) - 3 * b.mean_stderr


def test_theorem3_variance_39():
    svc = LAWS["exp"]
    lim = L.mean_wait_limit(P, svc, LAM)
    pol = balanced_policy(P)
    r1, r64 = (simulate_waits(pol, svc, LAM, k, horizon=1 << 16, replicas=8, seed=9, hist_bins=0, quantiles=(),
                              progress=False) for k in (1, 64))
    assert abs(r64.variance - lim.variance) < abs(r1.variance - lim.variance) / 4
    assert abs(r64.variance - lim.variance) < 3 * r64.variance_stderr + 0.05 * lim.variance


def test_theorem2_kolmogorov_distance_decreases():
    svc = LAWS["exp"]
    F = L.limit_cdf(P, svc, LAM)
    pol = balanced_policy(P)
    ks = (1, 4, 16, 64)
    d = [simulate_waits(pol, svc, LAM, k, horizon=1 << 16, replicas=8, seed=21, hist_bins=2000, quantiles=(),
                        progress=False).ks_distance(F) for k in ks]
    for a, b in zip(d[:-2], d[1:-1]):
        assert b < a / 2
    assert d[-1] < d[-2]
    # deterministic service: W(p) = 0, so the Kolmogorov distance is P(W^(k) > 0)
    dd = [1.0 - simulate_waits(pol, LAWS["det"], LAM, k, horizon=1 << 15, replicas=8, seed=22, hist_bins=200,
                               quantiles=(), progress=False).cdf[0] for k in ks]
    assert all(b < a for a, b in zip(dd, dd[1:]))


def test_theorem2_erlang_service_against_lattice_cdf():
    svc = [sv.erlang(2, 3.0), sv.erlang(2, 1.0)]
    F = L.limit_cdf(P, svc, LAM)  # lattice D/E_2/1 CDFs (bracket half-width < 2e-3)
    d = [simulate_waits(balanced_policy(P), svc, LAM, k, horizon=1 << 15, replicas=8, seed=23, hist_bins=1000,
                        quantiles=(), progress=False).ks_distance(F) for k in (1, 4, 16)]
    assert d[1] < d[0] / 2 and d[2] < d[1] / 2
