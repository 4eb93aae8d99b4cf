"""Property tests of the reflection maps (reflected_ou.schemes) and of simulated paths."""
import jax.numpy as jnp
import numpy as np
from hypothesis import given, settings, strategies as st

from reflected_ou import Params
from reflected_ou.schemes import lepingle, projected
from reflected_ou.schemes.positive_part import positive_part
from reflected_ou.simulate import simulate_paths
from reflected_ou.step import reflected_idle_step

finite = dict(allow_nan=False, allow_infinity=False)
starts = st.floats(min_value=-50.0, max_value=0.0, **finite)
drifts = st.floats(min_value=-50.0, max_value=50.0, **finite)
normals = st.floats(min_value=-6.0, max_value=6.0, **finite)
steps = st.floats(min_value=1e-4, max_value=1.0, **finite)
exponentials = st.floats(min_value=0.0, max_value=40.0, **finite)
SETTINGS = settings(max_examples=300, deadline=None, derandomize=True)


def test_positive_part_is_the_bits_of_the_maximum_and_keeps_a_nan_in_the_end_point():
    """x^+ as a select: the bits of jnp.maximum(x, 0) for every non-NaN float32 and float64 x
    (signed zeros, subnormals, infinities, random values), 0 for NaN, whose end point x - x^+
    stays NaN (the NaN is not hidden)."""
    rng = np.random.default_rng(3)
    for dtype in (np.float32, np.float64):
        info = np.finfo(dtype)
        special = [0.0, -0.0, info.tiny, -info.tiny, info.smallest_subnormal, -info.smallest_subnormal,
                   info.max, -info.max, np.inf, -np.inf, 1.0, -1.0]
        values = np.concatenate([np.array(special, dtype), rng.standard_normal(100_000).astype(dtype),
                                 (rng.uniform(-1.0, 1.0, 1000) * info.max).astype(dtype)])
        x = jnp.asarray(values)
        expected = np.asarray(jnp.maximum(x, jnp.zeros_like(x)))
        assert np.array_equal(np.asarray(positive_part(x)).view(np.uint8), expected.view(np.uint8))
        nan = jnp.asarray(np.array([np.nan], dtype))
        assert float(positive_part(nan)[0]) == 0.0 and np.isnan(float((nan - positive_part(nan))[0]))


@SETTINGS
@given(start=starts, drift=drifts, normal=normals, dt=steps, exponential=exponentials)
def test_discrete_skorokhod_map(start, drift, normal, dt, exponential):
    """Projected step: Y <= 0, dU >= 0, dU > 0 only when Y lands on 0, identity when b <= 0."""
    y, increment = (float(v) for v in reflected_idle_step(start, drift * dt, dt, normal, exponential, projected))
    free_end = start + drift * dt + np.sqrt(2 * dt) * normal
    assert y <= 0.0 and increment >= 0.0
    if increment > 0:
        assert y == 0.0
    if free_end <= 0:  # no reflection needed: the map is the identity
        assert increment == 0.0
    assert np.isclose(y + increment, free_end, rtol=0, atol=1e-12 * max(1.0, abs(free_end)))


@SETTINGS
@given(start=starts, drift=drifts, normal=normals, dt=steps, exponential=exponentials)
def test_lepingle_bridge_map(start, drift, normal, dt, exponential):
    """Lepingle step: Y <= 0, dU >= projected dU >= 0, and dU = 0 iff the bridge maximum is <= 0."""
    y, increment = (float(v) for v in reflected_idle_step(start, drift * dt, dt, normal, exponential, lepingle))
    free_end = start + drift * dt + np.sqrt(2 * dt) * normal
    maximum = float(lepingle.bridge_maximum(start, free_end, dt, exponential))
    assert y <= 1e-12 * max(1.0, abs(free_end))
    assert maximum >= max(start, free_end) - 1e-12 * max(1.0, abs(free_end))
    assert increment >= float(projected.regulator_increment(start, free_end, dt)) - 1e-12
    assert (increment > 0) == (maximum > 0)


def test_bridge_maximum_has_the_brownian_bridge_law():
    """P(M > m) = exp(-(m - a)(m - b)/h) for variance rate 2 (Lepingle's formula), by Monte Carlo."""
    rng = np.random.default_rng(1)
    a, b, h, m = -0.3, -0.1, 0.5, 0.2
    samples = np.asarray(lepingle.bridge_maximum(a, b, h, jnp.asarray(rng.exponential(size=200_000))))
    p_hat = np.mean(samples > m)
    exact = np.exp(-(m - a) * (m - b) / h)
    assert abs(p_hat - exact) < 3 * np.sqrt(exact * (1 - exact) / samples.size)
    # Same check with the exact reflection principle of a discretised Brownian bridge (fine grid).
    paths = 2000
    t = np.linspace(0, h, 4001)
    increments = rng.normal(scale=np.sqrt(2 * np.diff(t)), size=(paths, t.size - 1))
    walk = np.concatenate([np.zeros((paths, 1)), np.cumsum(increments, axis=1)], axis=1)
    bridge = a + walk - (t / h) * (walk[:, -1:] - (b - a))
    p_walk = np.mean(bridge.max(axis=1) > m)
    assert abs(p_walk - exact) < 3 * np.sqrt(exact * (1 - exact) / paths) + 0.02  # + grid bias of the walk


def test_simulated_paths_respect_the_skorokhod_problem():
    p = Params.paper_example()
    for scheme in ("projected", "lepingle"):
        paths = simulate_paths(p, seed=3, dt=0.05, horizon=200.0, replicas=16, y0=(-0.5, 0.2), scheme=scheme)
        y_M1, y_12, regulator = (np.asarray(a) for a in (paths.y_M1, paths.y_12, paths.regulator))
        assert np.all(y_M1 <= 0) and np.all(y_12 >= 0)
        assert np.all(np.diff(regulator, axis=1) >= 0) and np.all(regulator[:, 0] == 0)
        if scheme == "projected":  # U grows only at steps that end on the boundary Y_M1 = 0
            grows = np.diff(regulator, axis=1) > 0
            assert np.all(y_M1[:, 1:][grows] == 0)
        # (3.10) integrated by the same Euler rule: Y_12(t) = Y_12(0) - mu_1 sum Y_12 dt + U_1(t)
        rebuilt = y_12[:, :1] - p.mu_1 * 0.05 * np.cumsum(y_12[:, :-1], axis=1) + regulator[:, 1:]
        np.testing.assert_allclose(rebuilt, y_12[:, 1:], atol=1e-10)
