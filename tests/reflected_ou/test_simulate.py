"""Path simulators: the full system (3.2)-(3.7) against the 2-D limit and the closed-form decay,
dtypes, input validation, and the 1-D reflected OU with its truncated-normal stationary law."""
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import stats
from scipy.special import factorial

from reflected_ou import Params
from reflected_ou.drift import idle_drift, limit_drift
from reflected_ou.noise import scan_block
from reflected_ou.schemes import get_scheme
from reflected_ou.simulate import simulate_full, simulate_paths
from reflected_ou.step import per_step_rates, reflected_idle_step

EXAMPLE = Params.paper_example()


def test_full_system_with_two_levels_is_the_2d_limit():
    full = simulate_full(EXAMPLE, np.array([[0.0, 0.3], [-1.0, 0.0]]), seed=5, dt=0.01, horizon=20.0, replicas=4, save_every=10)
    limit = simulate_paths(EXAMPLE, seed=5, dt=0.01, horizon=20.0, replicas=4, y0=(-1.0, 0.3), save_every=10)
    np.testing.assert_allclose(full.levels[:, :, 1, 0], limit.y_M1, atol=1e-12)
    np.testing.assert_allclose(full.levels[:, :, 0, 1], limit.y_12, atol=1e-12)
    np.testing.assert_allclose(full.regulator, limit.regulator, atol=1e-12)
    assert np.all(np.asarray(full.levels[:, :, 0, 0]) == 0)  # (3.2): Y_11 = 0


def test_higher_levels_decay_like_the_closed_form_of_3_5_3_6():
    """Far from the boundary the levels i >= 2 of pool j solve y' = -mu_j (y_i - y_{i+1}); with rate mu_j
    the solution is Y_ji(t) = e^{-mu_j t} sum_k (mu_j t)^k / k! Y_{j,i+k}(0) (NOTES misprint 1)."""
    levels0 = np.array([[0.0, 0.0, 0.0, 0.0], [-200.0, 3.0, 2.0, 1.0]])  # Y_M1 far from 0: no reflection
    dt, n_steps = 1e-4, 20000
    run = simulate_full(EXAMPLE, levels0, seed=0, dt=dt, horizon=dt * n_steps, save_every=n_steps)
    t, mu = dt * n_steps, EXAMPLE.mu[1]
    for i in range(1, 4):
        k = np.arange(4 - i)
        exact = np.exp(-mu * t) * np.sum((mu * t) ** k / factorial(k) * levels0[1, i:])
        assert abs(float(run.levels[0, -1, 1, i]) - exact) < 2 * mu * dt * levels0[1, 1]  # Euler error O(dt)


def test_float32_and_float64_paths():
    for dtype in (jnp.float32, jnp.float64):
        run = simulate_paths(EXAMPLE, seed=2, dt=0.01, horizon=5.0, replicas=8, dtype=dtype)
        assert run.y_M1.dtype == run.y_12.dtype == run.regulator.dtype == dtype
        assert bool(jnp.all(run.y_M1 <= 0)) and bool(jnp.all(jnp.isfinite(run.y_12)))


def _x64_off():
    """A context with 64-bit JAX off: jax.enable_x64(False) from jax 0.8, jax.experimental before."""
    if hasattr(jax, "enable_x64"):
        return jax.enable_x64(False)
    from jax.experimental import disable_x64

    return disable_x64()


def test_float64_without_x64_is_refused():
    with _x64_off():
        with pytest.raises(ValueError, match="float64 needs 64-bit JAX"):
            simulate_paths(EXAMPLE, seed=0, dt=0.01, horizon=0.1, dtype="float64")


@pytest.mark.parametrize(
    "kwargs, rule",
    [
        (dict(dt=0.0), "dt must be finite and > 0"),
        (dict(dt=-0.1), "dt must be finite and > 0"),
        (dict(dt=float("nan")), "dt must be finite and > 0"),
        (dict(dt=0.41), r"dt must satisfy mu_1 \* dt <= 1 - 8 eps \(float64\).* use dt <= 0.4"),
        (dict(dt=0.4), r"dt must satisfy mu_1 \* dt <= 1 - 8 eps"),
        (dict(y0=(-1e30, 0.0)), "Y_M1 must be finite, <= 0 .* and >= -1e\\+12"),
        (dict(y0=(0.0, 1e13)), "Y_12 must be finite, >= 0 and <= 1e\\+12"),
        (dict(horizon=0), "horizon must be finite and > 0"),
        (dict(replicas=0), "replicas must be an integer >= 1"),
        (dict(save_every=0), "save_every must be an integer >= 1"),
        (dict(seed=-1), "seed must be an integer >= 0"),
        (dict(seed="3"), "seed must be an integer >= 0 or a JAX PRNG key"),
        (dict(y0=(0.5, 0.0)), "Y_M1 must be finite, <= 0"),
        (dict(y0=(0.0, -0.5)), "Y_12 must be finite, >= 0"),
        (dict(scheme="milstein"), "scheme must be one of"),
    ],
)
def test_bad_simulation_input(kwargs, rule):
    arguments = dict(seed=0, dt=0.01, horizon=0.1, replicas=2) | kwargs
    with pytest.raises(ValueError, match=rule):
        simulate_paths(EXAMPLE, **arguments)


@pytest.mark.parametrize(
    "levels, rule",
    [
        (np.zeros((3, 2)), "M = 2 pools"),
        (np.array([[0.1, 0.0], [-1.0, 0.0]]), "Y_j1\\(0\\) = 0 for j < M"),
        (np.array([[0.0, 0.0], [1.0, 0.0]]), "Y_M1\\(0\\) must be <= 0"),
        (np.array([[0.0, -1.0], [0.0, 0.0]]), "must be >= 0 for i >= 2"),
        (np.array([[0.0, 1.0, 2.0], [0.0, 0.0, 0.0]]), "non-increasing"),
    ],
)
def test_bad_initial_levels(levels, rule):
    with pytest.raises(ValueError, match=rule):
        simulate_full(EXAMPLE, levels, seed=0, dt=0.01, horizon=0.1)


@partial(jax.jit, static_argnames=("blocks", "steps", "paths"))
def _one_dimensional_time_average(beta, mu, dt, blocks, steps, paths):
    """Time averages of X and X^2 for dX = sqrt(2) dW - (beta + mu X) dt - dU, X <= 0 (Lepingle)."""
    scheme = get_scheme("lepingle")
    key, ids = jax.random.key(7), jnp.arange(paths)

    def one(x, normal, exponential):
        x, _ = reflected_idle_step(x, idle_drift(x, 0.0, beta, mu) * dt, dt, normal, exponential, scheme)
        return x, (x, x * x)

    def block(x, b):
        x, (first, second) = scan_block(one, x, key, ids, b, steps, jnp.float64, True)
        return x, (first.mean(axis=0), second.mean(axis=0))

    _, (first, second) = jax.lax.scan(block, jnp.full(paths, -beta / mu), jnp.arange(blocks))
    return first[blocks // 10:], second[blocks // 10:]  # drop a 10% burn-in


def test_one_dimensional_reflected_ou_is_a_truncated_normal():
    """Stationary density proportional to exp(-beta x - mu x^2/2) on x <= 0 (NOTES)."""
    beta, mu, dt = 1.0, 1.0, 0.005
    first, second = (np.asarray(a) for a in _one_dimensional_time_average(beta, mu, dt, 200, 2000, 64))
    law = stats.truncnorm(-np.inf, beta / np.sqrt(mu), loc=-beta / mu, scale=1 / np.sqrt(mu))
    batches = first.size
    mean, mean_se = first.mean(), first.std(ddof=1) / np.sqrt(batches)
    variance = second.mean() - mean**2
    # delta method on (m1, m2): Var(v) ~ Var(m2) - 4 m1 Cov(m1, m2) + 4 m1^2 Var(m1)
    cov = np.cov(first.ravel(), second.ravel()) / batches
    variance_se = np.sqrt(cov[1, 1] - 4 * mean * cov[0, 1] + 4 * mean**2 * cov[0, 0])
    assert mean_se < 0.005 * abs(law.mean()) and variance_se < 0.01 * law.var()
    assert abs(mean - law.mean()) < 3 * mean_se
    assert abs(variance - law.var()) < 3 * variance_se


@pytest.mark.parametrize("scheme", ["projected", "lepingle"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_the_largest_allowed_step_keeps_the_state_in_its_domain(scheme, dtype):
    """At the largest step check_dt allows, mu_1 dt = 1 - 8 eps, each Euler step is a convex
    combination even after rounding: Y_M1 <= 0, Y_12 >= 0 and, in the full system, Y_ji >= 0
    non-increasing in i, on every path (at mu_1 dt = 1 exactly, rounding gave Y_12 = -1e-7 in float32
    and -3e-16 in float64).  The next float up is refused."""
    dt = (1.0 - 8 * float(np.finfo(dtype).eps)) / EXAMPLE.mu_1
    limit = simulate_paths(EXAMPLE, seed=5, dt=dt, horizon=2000 * dt, replicas=256, y0=(-0.1, 3.0), scheme=scheme,
                           dtype=dtype)
    assert float(limit.y_M1.max()) <= 0.0 and float(limit.y_12.min()) >= 0.0
    levels0 = np.array([[0.0, 3.0, 2.0, 1.0], [-0.5, 2.0, 1.0, 0.5]])
    full = np.asarray(simulate_full(EXAMPLE, levels0, seed=6, dt=dt, horizon=400 * dt, replicas=64, scheme=scheme,
                                    dtype=dtype).levels)
    upper = full[..., 1:]
    assert upper.min() >= 0.0 and np.diff(upper, axis=-1).max() <= 0.0
    assert full[..., -1, 0].max() <= 0.0
    with pytest.raises(ValueError, match=r"mu_1 \* dt <= 1 - 8 eps"):
        simulate_full(EXAMPLE, levels0, seed=6, dt=np.nextafter(dt, 1.0), horizon=4 * dt, dtype=dtype)


def test_step_drift_increment_is_the_drift_at_rates_times_dt():
    """limit_drift at (beta h, mu_1 h, mu_M h) is the drift (3.9)-(3.10) times h (linear in the rates),
    to rounding: within 4 ulps of the sum of the absolute values of its terms."""
    rng = np.random.default_rng(3)
    y_M1, y_12 = -rng.exponential(3.0, 1000), rng.exponential(0.5, 1000)
    coefficients, dt = Params.paper_example().limit_coefficients(), 0.01
    increment = limit_drift(y_M1, y_12, *per_step_rates(coefficients, dt))
    beta, mu_1, mu_M = coefficients
    drift = limit_drift(y_M1, y_12, beta, mu_1, mu_M)
    scales = (beta + mu_M * np.abs(y_M1) + mu_1 * y_12, mu_1 * y_12)
    for got, exact, scale in zip(increment, drift, scales):
        np.testing.assert_array_less(np.abs(got - exact * dt), 4 * np.finfo(float).eps * scale * dt + 1e-300)
