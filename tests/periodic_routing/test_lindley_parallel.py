"""The blocked, threaded Lindley kernel: scan against the plain loop, tile views, inversion draws, and
results independent of the number of worker threads."""
import importlib

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays

from periodic_routing import BernoulliPolicy, TypeWordPolicy, arrivals, balanced_policy, simulate_waits
from periodic_routing import service as sv

L = importlib.import_module("periodic_routing.lindley")  # the module (the package exports the function `lindley`)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), K=st.integers(1, 6), G=st.integers(1, 3), C=st.integers(1, 5))
def test_blocked_lindley_equals_loop(data, K, G, C):
    y = data.draw(arrays(np.float64, (K, G, C), elements=st.floats(-5, 5)))
    w0 = np.asarray(data.draw(arrays(np.float64, (G,), elements=st.floats(0, 3))))
    x = -y.transpose(1, 2, 0).reshape(G, C * K)  # increments of step n = c K + k
    ref = np.empty_like(x)
    w = w0.copy()
    for n in range(C * K):
        w = np.maximum(w + x[:, n], 0.0)
        ref[:, n] = w
    out = L._blocked_lindley(y.copy(), w0, np.empty_like(y))
    assert np.all(out >= 0)
    np.testing.assert_allclose(out.transpose(1, 2, 0).reshape(G, -1), ref, rtol=0, atol=1e-11)


@settings(max_examples=60, deadline=None)
@given(K=st.integers(1, 5), C=st.integers(1, 5), data=st.data())
def test_step_views_cover_exactly_the_range(K, C, data):
    lo = data.draw(st.integers(0, K * C))
    hi = data.draw(st.integers(lo, K * C))
    step = (np.arange(C)[None, None, :] * K + np.arange(K)[:, None, None]) + np.zeros((1, 2, 1), dtype=int)
    got = np.sort(np.concatenate([v[:, 0].ravel() if v.ndim == 2 else v[:, 0, :].ravel()
                                  for v in L._step_views(step, lo, hi)] + [np.array([], dtype=int)]))
    np.testing.assert_array_equal(got, np.arange(lo, hi))


def test_inversion_gamma_draws_with_variable_counts():
    rng = np.random.Generator(np.random.SFC64(5))
    counts = np.resize(np.array([1, 2, 3, 4]), (4, 50000))
    g = -L._log_uniform_product(rng, np.empty((4,) + counts.shape), counts)
    for c in (1, 2, 3, 4):
        v = g[counts == c]
        assert abs(v.mean() - c) < 4 * np.sqrt(c / v.size)
        assert v.var(ddof=1) == pytest.approx(c, rel=0.05)
    assert np.all(np.isfinite(g)) and g.min() > 0


CASES = {
    "balanced-exp-poisson-k1": (balanced_policy((3, 2)), [sv.exponential(3.0), sv.exponential(1.0)], 2.0, 1, {}),
    "balanced-exp-poisson-k2": (balanced_policy((3, 2)), [sv.exponential(3.0), sv.erlang(2, 1.0)], 2.0, 2, {}),
    "bernoulli-lognormal": (BernoulliPolicy((0.6, 0.4)), [sv.lognormal(3.0, 0.5), sv.erlang(2, 1.0)], 2.0, 2, {}),
    "word-erlang-arrivals": (TypeWordPolicy((0, 1), (1, 1)), [sv.erlang(3, 1.0), sv.deterministic(1.0)], 0.7, 1,
                             {"arrivals": arrivals.erlang(2), "burn_in": 0, "hist_max": 8.0}),
    "det-arrivals": (balanced_policy((3, 2)), [sv.hyperexponential((0.5, 0.5), (2.0, 6.0)), sv.exponential(1.0)],
                     2.0, 3, {"arrivals": arrivals.deterministic()}),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_results_do_not_depend_on_the_number_of_workers(case):
    pol, svc, lam, k, extra = CASES[case]
    kw = dict(horizon=6000, replicas=40, seed=11, batches=8, hist_bins=300, progress=False, **extra)
    runs = [simulate_waits(pol, svc, lam, k, workers=w, **kw) for w in (1, 2, 3)]
    for r in runs[1:]:
        assert r.mean == runs[0].mean and r.variance == runs[0].variance
        assert r.quantiles == runs[0].quantiles
        np.testing.assert_array_equal(r.batch_means, runs[0].batch_means)
        np.testing.assert_array_equal(r.class_means, runs[0].class_means)
        np.testing.assert_array_equal(r.cdf, runs[0].cdf)
        np.testing.assert_array_equal(r.cdf_x, runs[0].cdf_x)


def test_inversion_path_agrees_with_the_gamma_sampler_path():
    """k = 1, p = (3, 2): gap patterns (1, 2, 2) and (2, 3) go through the masked product-of-uniforms draws;
    waiting_time_sequences draws the same queues with numpy's gamma sampler."""
    from periodic_routing import waiting_time_sequences

    pol = balanced_policy((3, 2))
    svc = [sv.exponential(3.0), sv.exponential(1.0)]
    w, types = waiting_time_sequences(pol, svc, 2.0, 1, 400000, seed=3)
    bm = w[40000:].reshape(40, -1, 2).mean(axis=1)
    mix = bm @ np.array([0.6, 0.4])
    ref, ref_se = mix.mean(), mix.std(ddof=1) / np.sqrt(40)
    res = simulate_waits(pol, svc, 2.0, 1, horizon=1 << 16, replicas=16, seed=4, hist_bins=0, quantiles=(),
                         progress=False)
    assert res.mean_stderr < 0.02 * res.mean
    assert abs(res.mean - ref) < 3.5 * np.hypot(ref_se, res.mean_stderr)


def test_workers_must_be_positive():
    with pytest.raises(ValueError, match="workers"):
        simulate_waits(balanced_policy((3, 2)), sv.exponential(3.0), 1.0, 1, workers=0, progress=False)
