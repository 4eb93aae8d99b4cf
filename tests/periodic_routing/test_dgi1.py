"""Single-queue limits against published values and independent closed forms; Lindley runs against them."""
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from periodic_routing import BernoulliPolicy, TypeWordPolicy, arrivals, simulate_waits
from periodic_routing import dgi1 as D
from periodic_routing import service as sv

# Finch, "Queueing with deterministic arrivals", arXiv 2210.08545: D/M/1, lambda = 2, mu = 3.
FINCH_MEAN, FINCH_VAR, FINCH_COND = 0.23860673, 0.21600433, 0.57194007


@pytest.mark.parametrize("method", ["closed", "spitzer"])
def test_dm1_matches_finch(method):
    law = sv.exponential(3.0)
    res = D.dm1(2.0, 3.0) if method == "closed" else D.spitzer_gamma(2.0, 1.0, 1.0 / 3.0)
    assert abs(res.mean - FINCH_MEAN) < 1e-8
    assert abs(res.variance - FINCH_VAR) < 1e-8
    assert abs(res.cond_mean - FINCH_COND) < 1e-8
    assert law.rate == 3.0


@settings(max_examples=25, deadline=None)
@given(rho=st.floats(0.05, 0.97), mu=st.floats(0.2, 5.0))
def test_spitzer_exponential_equals_lambert_closed_form(rho, mu):
    closed = D.dm1(rho * mu, mu)
    series = D.spitzer_gamma(rho * mu, 1.0, 1.0 / mu)
    assert series.mean == pytest.approx(closed.mean, rel=1e-10, abs=1e-14)
    assert series.variance == pytest.approx(closed.variance, rel=1e-9, abs=1e-14)
    assert series.prob_wait == pytest.approx(closed.prob_wait, rel=1e-10)


def test_mm1_md1_pollaczek_khinchine():
    lam, mu = 2.0, 3.0
    rho = lam / mu
    mm1 = D.mgi1(lam, sv.exponential(mu))
    assert abs(mm1.mean - rho / (mu - lam)) < 1e-10
    assert abs(mm1.variance - rho * (2 - rho) / (mu - lam) ** 2) < 1e-10
    md1 = D.mgi1(lam, sv.deterministic(mu))
    assert abs(md1.mean - rho / (2 * mu * (1 - rho))) < 1e-10
    # M/D/1 waiting-time variance: rho/(3 mu^2 (1 - rho)) + rho^2/(4 mu^2 (1 - rho)^2)
    assert abs(md1.variance - (rho / (3 * mu**2 * (1 - rho)) + rho**2 / (4 * mu**2 * (1 - rho) ** 2))) < 1e-10


@pytest.mark.parametrize("k_erlang,lam", [(2, 0.6), (3, 0.8), (5, 0.9)])
def test_spitzer_erlang_against_lattice(k_erlang, lam):
    law = sv.erlang(k_erlang, 1.0)
    exact = D.dgi1(lam, law)
    assert exact.method.startswith("Spitzer")
    lat = D.lattice_dgi1(lam, law, m=64)
    assert abs(lat.mean - exact.mean) <= max(lat.error, 1e-12)
    assert lat.error < 1e-2 * exact.mean  # the check is meaningful: the error bound is below 1%


def test_lattice_dm1_and_hyperexponential_against_lindley():
    lat = D.lattice_dgi1(2.0, sv.exponential(3.0), m=64)
    assert abs(lat.mean - FINCH_MEAN) <= lat.error and lat.error < 1e-3
    law = sv.hyperexponential([0.4, 0.6], [0.8, 3.0])  # mean 0.7, SCV > 1
    lam = 1.0
    lat = D.dgi1(lam, law)
    assert lat.method.startswith("lattice")
    sim = simulate_waits(TypeWordPolicy((0,), (1,)), [law], lam, 1, arrivals=arrivals.deterministic(),
                         horizon=1 << 17, replicas=8, seed=3, quantiles=(), hist_bins=0, progress=False)
    assert sim.mean_stderr < 0.02 * lat.mean
    assert abs(sim.mean - lat.mean) < 3 * sim.mean_stderr


def _single(law, arr, seed, **kw):
    return simulate_waits(TypeWordPolicy((0,), (1,)), [law], 2.0, 1, arrivals=arr, horizon=1 << 17, replicas=8,
                          seed=seed, progress=False, **kw)


def test_lindley_dm1_mean_variance_quantile():
    sim = _single(sv.exponential(3.0), arrivals.deterministic(), 11, quantiles=(0.9,))
    exact = D.dm1(2.0, 3.0)
    assert sim.mean_stderr < 0.01 * exact.mean and sim.variance_stderr < 0.03 * exact.variance
    assert abs(sim.mean - exact.mean) < 3 * sim.mean_stderr
    assert abs(sim.variance - exact.variance) < 3 * sim.variance_stderr
    s, eta = exact.prob_wait, 3.0 * (1 - exact.prob_wait)
    q90 = math.log(s / 0.1) / eta  # P(W > x) = sigma exp(-eta x)
    val, se = sim.quantiles[0.9]
    assert se < 0.02 * q90 and abs(val - q90) < 3 * se + 2 * sim.cdf_x[1]  # + grid resolution


@pytest.mark.parametrize("law", [sv.exponential(3.0), sv.deterministic(3.0)], ids=["M/M/1", "M/D/1"])
def test_lindley_mg1_against_pollaczek_khinchine(law):
    exact = D.mgi1(2.0, law)
    for sim in (_single(law, arrivals.poisson(), 5, quantiles=(), hist_bins=0),
                simulate_waits(BernoulliPolicy((1.0,)), [law], 2.0, 1, horizon=1 << 17, replicas=8, seed=6,
                               quantiles=(), hist_bins=0, progress=False)):
        assert sim.mean_stderr < 0.02 * exact.mean
        assert abs(sim.mean - exact.mean) < 3 * sim.mean_stderr
        assert abs(sim.variance - exact.variance) < 3 * sim.variance_stderr


def test_dd1_and_unstable():
    assert D.dgi1(2.0, sv.deterministic(3.0)).mean == 0.0
    with pytest.raises(ValueError, match="unstable"):
        D.dgi1(3.0, sv.exponential(3.0))
    with pytest.raises(ValueError, match="< 1"):
        D.mgi1(4.0, sv.erlang(2, 3.0))


def test_round_robin_two_queues_is_e2_m_1():
    """p = (1, 1), k = 1, Poisson arrivals at rate L: each queue sees Gamma(2, L) gaps, a GI/M/1 queue with
    E W = sigma/(mu(1 - sigma)), sigma = (L/(L + mu(1 - sigma)))^2 (Kleinrock, Queueing Systems I, 6.4)."""
    from scipy import optimize

    lam, mu = 1.2, 1.0
    sigma = optimize.brentq(lambda s: s - (lam / (lam + mu * (1 - s))) ** 2, 1e-12, 1 - 1e-6, xtol=1e-15)
    exact = sigma / (mu * (1 - sigma))
    sim = simulate_waits(TypeWordPolicy((0, 1), (1, 1)), [sv.exponential(mu)] * 2, lam, 1, horizon=1 << 16,
                         replicas=8, seed=12, quantiles=(), hist_bins=0, progress=False)
    assert sim.mean_stderr < 0.02 * exact
    assert abs(sim.mean - exact) < 3 * sim.mean_stderr


def test_lattice_cdf_brackets_dm1():
    F = D.dm1_cdf(2.0, 3.0)
    G, half = D.lattice_cdf(2.0, sv.exponential(3.0), m=64)
    x = np.linspace(0.0, 4.0, 401)
    assert np.all(np.abs(G(x) - F(x)) <= half(x) + 1e-12)  # F_up <= F <= F_lo
    assert half(x).max() < 0.01


def test_dm1_stays_accurate_in_heavy_traffic_and_at_light_load():
    """sigma solves sigma = exp(-(1 - sigma)/rho) to rounding at every load; as rho -> 1 the mean
    follows E W = 1/(2 mu eps) - 5/(6 mu) + O(eps), eps = 1 - rho: the heavy-traffic limit (c_a = 0,
    c_s = 1) and its next term (x = u/rho solves x/2 - x^2/6 + ... = eps, so x = 2 eps + 4 eps^2/3,
    u = rho x = 2 eps - 2 eps^2/3, 1/u - 1 = 1/(2 eps) + 1/6 - 1) (the Lambert-W form gave NaN at rho = 1 - 1e-10 and 2.8e8 instead of 5e11
    at 1 - 1e-12); at rho = 0.01, sigma = 3.7e-44 keeps its relative accuracy."""
    for rho in (0.01, 0.1, 0.5, 0.9, 0.999, 1 - 1e-6, 1 - 1e-10):
        sigma, gap = D.dm1_sigma(rho), D.dm1_gap(rho)
        assert sigma == pytest.approx(np.exp(-gap / rho), rel=1e-13)
        assert gap == pytest.approx(-rho * np.log(sigma), rel=1e-12)
    for rho in (1 - 1e-6, 1 - 1e-8, 1 - 1e-10, 1 - 1e-12):
        one_minus_rho = 1.0 - rho  # exact in floating point (Sterbenz)
        mean = D.dm1(rho, 1.0).mean
        assert mean == pytest.approx(1.0 / (2.0 * one_minus_rho) - 5.0 / 6.0, abs=1e-2 + 1e-14 / one_minus_rho)  # root to 4 eps
    assert D.dm1_sigma(0.01) == pytest.approx(3.720075976020836e-44, rel=1e-12)


def test_user_samplers_must_return_times_and_sqrt_rule_at_tiny_load():
    import periodic_routing as PR
    from periodic_routing import arrivals, service
    from periodic_routing.words import hajek_sequence, necklace

    rng = np.random.default_rng(0)
    negative = service.custom(lambda g, n: g.standard_normal(n), mean=1.0)  # used silently before
    with pytest.raises(ValueError, match="must return finite times >= 0"):
        negative.sample(rng, 100)
    gaps = arrivals.renewal(lambda g, n: -g.exponential(size=n))
    with pytest.raises(ValueError, match="must return finite times >= 0"):
        gaps.sum_of(rng, np.array([2, 3]))
    np.testing.assert_array_equal(PR.sqrt_rule([3.0, 1.0], 1e-300), [1e-300, 0.0])  # AssertionError before
    with pytest.raises(ValueError, match="alpha must be a finite real number"):
        hajek_sequence(float("nan"), 5)
    with pytest.raises(ValueError, match="word must be a non-empty"):
        necklace(())


def test_lognormal_moments_overflow_and_nan_arguments_are_refused():
    import periodic_routing as PR
    from periodic_routing import service

    with pytest.raises(ValueError, match="overflow float64"):  # OverflowError before
        service.lognormal(1.0, 1e300)
    cdf = PR.limit_cdf((3, 1), [service.exponential(3.0), service.exponential(1.0)], 3.5)
    assert 0.0 < float(cdf(1.0)) < 1.0
    with pytest.raises(ValueError, match="x must not be NaN"):  # returned 0.0
        cdf(float("nan"))
