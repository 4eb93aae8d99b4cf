"""Convexity of E W(p), the optimisers, the square-root rule and the price of randomisation."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from periodic_routing import limit as L
from periodic_routing import optimise as O
from periodic_routing import service as sv

MU = np.array([4.0, 2.0, 1.0])
LAM = 4.5  # load 4.5 / 7


def _stable_point(rng, services, lam):
    cap = np.array([s.rate for s in services]) / lam
    while True:
        x = rng.dirichlet(np.ones(len(services)))
        if np.all(x < cap * 0.98):
            return x


@pytest.mark.parametrize("law", ["exp", "erlang:3", "det+exp"])
def test_convexity_on_random_segments(law):
    if law == "det+exp":
        services = [sv.deterministic(MU[0]), sv.exponential(MU[1]), sv.exponential(MU[2])]
    else:
        services = [sv.from_spec(law, m) for m in MU]
    rng = np.random.default_rng(5)
    worst = np.inf
    for _ in range(40):
        x, y = _stable_point(rng, services, LAM), _stable_point(rng, services, LAM)
        fx, fy = (L.mean_wait_limit(v, services, LAM).mean for v in (x, y))
        for t in (0.2, 0.5, 0.8):
            fm = L.mean_wait_limit(t * x + (1 - t) * y, services, LAM).mean
            worst = min(worst, t * fx + (1 - t) * fy - fm)
    assert worst >= -1e-12  # E W(p) lies below its chords


@pytest.mark.parametrize("mu,lam", [((3.0, 1.0), 2.0), ((4.0, 2.0, 1.0, 0.5), 3.0), ((5.0, 1.0, 0.2), 5.5)])
def test_bernoulli_response_square_root_rule(mu, lam):
    res = O.optimise_bernoulli([sv.exponential(m) for m in mu], lam, objective="response")
    ref = O.sqrt_rule(mu, lam) / lam
    np.testing.assert_allclose(res.fractions, ref, atol=1e-6)
    # the closed form itself: on its support, lambda_i = mu_i - sqrt(mu_i)(sum mu - Lambda)/sum sqrt(mu)
    act = ref > 0
    m = np.asarray(mu)[act]
    np.testing.assert_allclose(ref[act] * lam, m - np.sqrt(m) * (m.sum() - lam) / np.sqrt(m).sum(), rtol=1e-12)


@pytest.mark.parametrize("kind", ["periodic", "bernoulli"])
@pytest.mark.parametrize("objective", ["wait", "response"])
def test_optimum_beats_random_points_and_kkt(kind, objective):
    services = [sv.erlang(2, m) for m in MU]
    opt = (O.optimise_periodic if kind == "periodic" else O.optimise_bernoulli)(services, LAM, objective=objective)
    f = (L.mean_wait_limit if kind == "periodic" else L.bernoulli_limit)
    rng = np.random.default_rng(1)
    for _ in range(30):
        assert opt.value <= f(_stable_point(rng, services, LAM), services, LAM).objective(objective) + 1e-10
    # KKT: equal marginal costs d/dx [x E W_r(lambda x)] on the active types
    h = 1e-5
    marg = []
    for r, x in enumerate(opt.fractions):
        if x > 1e-4:
            g = O._per_type(kind, objective, LAM, services[r], 1.0)
            marg.append((g(x + h) - g(x - h)) / (2 * h))
    assert np.ptp(marg) < 1e-4 * np.mean(np.abs(marg))


def test_best_integer_p_and_price_of_randomisation():
    services = [sv.exponential(m) for m in (3.0, 1.0)]
    cont = O.optimise_periodic(services, 2.0)
    best = O.best_integer_p(services, 2.0, 12)
    assert best.p == (4, 1)
    assert best.value >= cont.value - 1e-12
    # brute force over the same candidates
    vals = {(a, b): L.mean_wait_limit((a, b), services, 2.0).mean
            for a in range(13) for b in range(13) if 0 < a + b <= 12 and 2.0 * b / (a + b) < 1 and a + b > 0}
    assert best.value == pytest.approx(min(vals.values()), rel=1e-12)
    ratio, per, ber = O.price_of_randomisation(services, 2.0)
    assert ratio == pytest.approx(ber.value / per.value) and ratio > 1
    # Bernoulli with the periodic optimum's fractions is worse than the Bernoulli optimum
    assert L.bernoulli_limit(per.fractions, services, 2.0).mean >= ber.value - 1e-12


def test_pool_sizes_equal_split():
    """A type with z_r queues per group equals z_r identical types sharing its traffic equally."""
    services = [sv.exponential(2.0), sv.exponential(1.0)]
    a = O.optimise_periodic(services, 3.0, pool_sizes=[1, 2])
    b = O.optimise_periodic(services + [sv.exponential(1.0)], 3.0)
    assert a.value == pytest.approx(b.value, rel=1e-7)
    assert a.fractions[1] == pytest.approx(b.fractions[1] + b.fractions[2], abs=1e-5)


@settings(max_examples=30, deadline=None)
@given(x=st.lists(st.floats(0.05, 1.0), min_size=3, max_size=3), load=st.floats(0.1, 0.9),
       law=st.sampled_from(["exp", "erlang:2", "det"]))
def test_determinism_minimises_waiting(x, load, law):
    """Hajek's folk theorem, the paper's [18], [23]: D/GI/1 <= M/GI/1 queue by queue, so E W(p) <= Bernoulli."""
    services = [sv.from_spec(law, m) for m in MU]
    p = np.asarray(x) / np.sum(x)
    lam = load * float(np.min(MU / p))  # every type at load <= `load`
    per = L.mean_wait_limit(p, services, lam)
    ber = L.bernoulli_limit(p, services, lam)
    assert np.all(per.type_means <= ber.type_means + 1e-12)
    lam2 = lam * 0.9  # and E W(p) increases with the arrival rate
    assert L.mean_wait_limit(p, services, lam2).mean <= per.mean + 1e-12


def test_best_integer_p_improves_with_the_period():
    services = [sv.exponential(m) for m in MU]
    vals = [O.best_integer_p(services, LAM, P).value for P in (4, 8, 16, 32)]  # P < 4: nothing stable
    cont = O.optimise_periodic(services, LAM).value
    assert all(b <= a + 1e-15 for a, b in zip(vals, vals[1:]))
    assert cont <= vals[-1] + 1e-12 and vals[-1] - cont < 0.01 * cont
