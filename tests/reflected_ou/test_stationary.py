"""Stationary estimator: exact identities, agreement with the grid reference, tails, bad input.

Tolerances are 3 batch-means standard errors; each test also asserts the standard error is small
enough for the comparison to mean something.
"""
import numpy as np
import pytest

from reflected_ou import Params
from reflected_ou.grid import solve_grid
from reflected_ou.stationary import estimate_stationary

EXAMPLE = Params.paper_example()
JSQ = Params.homogeneous(1.0)


@pytest.fixture(scope="module")
def example_run():
    return estimate_stationary(EXAMPLE, seed=11, dt=0.005, burn_in=20, horizon=4000, replicas=1024,
                               dtype="float32", progress=False)


@pytest.fixture(scope="module")
def jsq_run():
    return estimate_stationary(JSQ, seed=12, dt=0.005, burn_in=20, horizon=2000, replicas=512, dtype="float32",
                               progress=False)


@pytest.fixture(scope="module")
def grids():
    return {"example": solve_grid(EXAMPLE, 0.05), "jsq": solve_grid(JSQ, 0.05)}


def test_exact_identities_within_three_standard_errors(example_run):
    rows = example_run.identities()
    for name, estimate, stderr, exact in rows:
        assert abs(estimate - exact) < 3 * stderr, name
    (_, m1, se1, exact1), (_, m2, se2, exact2), _ = rows
    assert se1 < 0.01 * abs(exact1) and se2 < 0.01 * abs(exact2)  # under 1% of the value


def test_euler_identity_of_the_discrete_chain(example_run):
    """For the Euler chain, E[Delta S] = 0 and E[Delta S^2 + 2 S Delta S] = 0 give exactly
    E[S (beta + mu_M Y_M1)] - (dt/2) E[(beta + mu_M Y_M1)^2] = 1: the O(dt) bias of identity 2."""
    beta, mu_M, dt = EXAMPLE.beta, EXAMPLE.mu_M, example_run.dt
    coefficients = {"Y_M1": beta - dt * beta * mu_M, "Y_12": beta, "Y_M1_sq": mu_M - dt / 2 * mu_M**2,
                    "Y_M1_Y_12": mu_M}
    estimate, stderr = example_run.batch_means.linear_combination(coefficients)
    assert abs(estimate - dt / 2 * beta**2 - 1) < 3 * stderr


@pytest.mark.parametrize("case", ["example", "jsq"])
def test_monte_carlo_agrees_with_the_grid_on_E_Y12(case, example_run, jsq_run, grids):
    """In the paper's example Y_12 is fed only by rare excursions of Y_M1 to 0 (E[Y_M1] = -3.2, sd 1.3),
    so E[Y_12] ~ 0.0098 has a large relative variance (4e6 time units give a 0.65% standard error) and
    a Euler bias of about 1% at dt = 0.01: the example runs at dt = 0.005."""
    run, grid = (example_run, grids["example"]) if case == "example" else (jsq_run, grids["jsq"])
    estimate, stderr, reference = run.mean["Y_12"], run.stderr["Y_12"], grid.moments["Y_12"]
    assert stderr < 0.0067 * reference  # 3 standard errors resolve the 2% criterion
    assert abs(estimate - reference) < 3 * stderr
    assert abs(estimate - reference) < 0.02 * reference


@pytest.mark.parametrize("case", ["example", "jsq"])
def test_tails_match_the_grid(case, example_run, jsq_run, grids):
    """P(Y_12 > y) and P(-Y_M1 > y) from the streamed per-batch histograms, with batch-means errors,
    against the grid law (Richardson-extrapolated tails)."""
    run, grid = (example_run, grids["example"]) if case == "example" else (jsq_run, grids["jsq"])
    for tail, exact_tail in ((run.tail_Y_12, grid.tail_Y_12), (run.tail_idle, grid.tail_idle)):
        edges, probability, stderr = tail()
        checked = (probability > 0.01) & (probability < 0.99)
        assert checked.sum() >= 2
        exact = exact_tail(edges[checked])
        assert np.all(stderr[checked] < 0.1 * np.minimum(probability, 1 - probability)[checked])
        assert np.all(np.abs(probability[checked] - exact) < 3 * stderr[checked])


def test_histograms_hold_all_mass(example_run):
    assert example_run.joint.outside_mass() < 1e-6
    assert example_run.hist_Y_M1.total == example_run.hist_Y_12.total == example_run.joint.total
    edges, probability, stderr = example_run.tail_idle()
    assert np.all(np.diff(probability) <= 1e-15) and probability[0] == pytest.approx(1.0)
    steps = example_run.replicas * round(example_run.horizon / example_run.dt)
    assert example_run.joint.total * example_run.sample_every == steps


def test_thinning_samples_the_same_law():
    """Every step and the default interval (k = 10 at dt = 0.02, reflected_ou.sampling_plan) estimate
    the same stationary means (fixed seed, same paths): the difference is within 3 standard errors of
    the thinned run.  Thinning at spacing 1/(2 mu_1) inflates a variance by at most 1/48 (exponential
    correlation), so a standard error by at most sqrt(1 + 1/48); allowed: that plus 3 relative
    standard errors of a batch-means standard error, 1 / sqrt(2 (B - 1)) with B batches."""
    runs = [estimate_stationary(EXAMPLE, seed=2, dt=0.02, burn_in=10, horizon=400, replicas=64, sample_every=k,
                                block_steps=250, progress=False) for k in (1, None)]
    assert runs[1].sample_every == 10 and runs[1].joint.total * 10 == runs[0].joint.total
    batches = runs[1].batch_means.weights.size
    bound = (1 + 1 / 48) ** 0.5 + 3 / (2 * (batches - 1)) ** 0.5
    for name in ("Y_M1", "Y_12", "Y_M1_sq"):
        assert abs(runs[0].mean[name] - runs[1].mean[name]) < 3 * runs[1].stderr[name]
        assert runs[1].stderr[name] < bound * runs[0].stderr[name]


def test_float32_and_float64_estimates_agree():
    runs = [estimate_stationary(JSQ, seed=5, dt=0.02, burn_in=10, horizon=300, replicas=64, dtype=d, progress=False)
            for d in ("float32", "float64")]
    difference = runs[0].mean["Y_M1"] - runs[1].mean["Y_M1"]
    assert abs(difference) < 3 * np.hypot(runs[0].stderr["Y_M1"], runs[1].stderr["Y_M1"])


@pytest.mark.parametrize(
    "kwargs, rule",
    [
        (dict(dt=0.0), "dt must be finite and > 0"),
        (dict(dt=0.5), r"dt must satisfy mu_1 \* dt <= 1"),
        (dict(horizon=0.0), "horizon must be finite and > 0"),
        (dict(horizon=-5.0), "horizon must be finite and > 0"),
        (dict(burn_in=-1.0), "burn_in must be finite and >= 0"),
        (dict(replicas=0), "replicas must be an integer >= 1"),
        (dict(seed=-1), "seed must be an integer >= 0"),
        (dict(scheme="exact"), "scheme must be one of"),
        (dict(replicas=1, horizon=0.01, dt=0.01), "standard error"),
        (dict(block_steps=100, sample_every=7), r"sample_every \(7\) must divide block_steps \(100\)"),
        (dict(sample_every=0), "sample_every must be an integer >= 1"),
        (dict(block_steps=0), "block_steps must be an integer >= 1"),  # was replaced by the default
        (dict(bins=(10,)), r"bins must be a pair"),
        (dict(bins=10), r"bins must be a pair"),
        (dict(burn_in=True), "burn_in must be finite and >= 0"),
        (dict(replicas=2**22, block_steps=1000, sample_every=1), r"replicas \* block_steps / sample_every must be < 2\^31"),
    ],
)
def test_bad_estimator_input(kwargs, rule):
    arguments = dict(dt=0.01, horizon=10.0, burn_in=0.0, replicas=4, progress=False) | kwargs
    with pytest.raises(ValueError, match=rule):
        estimate_stationary(EXAMPLE, **arguments)
