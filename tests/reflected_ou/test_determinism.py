"""Same seed, same numbers: whatever the chunk size, the device count, or a kill and resume."""
import json
import os
import signal
import subprocess
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from reflected_ou import Params
from reflected_ou.box import default_box
from reflected_ou.noise import complex_dtype
from reflected_ou.simulate import _limit_paths
from reflected_ou.stationary import _advance_block, estimate_stationary, replica_tile
from reflected_ou.streaming import FixedBins
from reflected_ou.xla_options import SIMULATOR_COMPILER_OPTIONS

SETTINGS = dict(seed=3, dt=0.01, burn_in=5.0, horizon=40.0, replicas=8, block_steps=100, progress=False)
SCRIPT = """
import json, sys, jax
jax.config.update("jax_enable_x64", True)
from reflected_ou import Params
from reflected_ou.stationary import estimate_stationary
settings = json.loads(sys.argv[1])
out = {}
for count in (1, len(jax.local_devices())):
    r = estimate_stationary(Params.paper_example(), devices=jax.local_devices()[:count], **settings)
    out[count] = {"mean": {k: v.hex() for k, v in r.mean.items()}, "counts": r.joint.counts.sum(axis=0).tolist()}
print(json.dumps(out))
"""


def _hex(result):
    return {k: v.hex() for k, v in result.mean.items()}


def test_chunk_size_does_not_change_a_bit():
    runs = [estimate_stationary(Params.paper_example(), chunk_blocks=c, **SETTINGS) for c in (1, 4)]
    assert _hex(runs[0]) == _hex(runs[1])
    assert _hex(runs[0]) == {k: v.hex() for k, v in runs[0].mean.items()}
    np.testing.assert_array_equal(runs[0].joint.counts, runs[1].joint.counts)
    assert runs[0].stderr == runs[1].stderr


def test_one_and_two_devices_give_identical_numbers():
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=2", JAX_PLATFORMS="cpu")
    output = subprocess.run([sys.executable, "-c", SCRIPT, json.dumps(SETTINGS)], env=env, check=True,
                            capture_output=True, text=True, timeout=300).stdout
    by_devices = json.loads(output.strip().splitlines()[-1])
    assert set(by_devices) == {"1", "2"}  # two host devices were really used
    assert by_devices["1"] == by_devices["2"]
    here = estimate_stationary(Params.paper_example(), **SETTINGS)
    assert by_devices["1"]["mean"] == _hex(here)


def test_killed_run_resumes_to_the_same_numbers(tmp_path):
    settings = dict(SETTINGS, horizon=300.0, replicas=64, block_steps=1000, chunk_blocks=1)
    checkpoint = tmp_path / "run.ckpt.npz"
    script = SCRIPT.replace("for count in (1, len(jax.local_devices())):", "for count in (1,):").replace(
        "devices=jax.local_devices()[:count], ", f"checkpoint={str(checkpoint)!r}, ")
    process = subprocess.Popen([sys.executable, "-c", script, json.dumps(settings)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    total_blocks = 1 + 30  # burn-in 5 -> one block of 10 time units, horizon 300 -> 30 blocks
    done = 0
    deadline = time.time() + 240
    while time.time() < deadline and process.poll() is None:
        if checkpoint.exists():
            try:
                with np.load(checkpoint) as saved:
                    done = int(saved["next_block"])
            except (OSError, ValueError, KeyError):
                done = 0
            if done >= 4:
                break
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL and 4 <= done < total_blocks  # killed midway
    resumed = estimate_stationary(Params.paper_example(), checkpoint=str(checkpoint), **settings)
    uninterrupted = estimate_stationary(Params.paper_example(), **settings)
    assert _hex(resumed) == _hex(uninterrupted)
    np.testing.assert_array_equal(resumed.joint.counts, uninterrupted.joint.counts)


def test_checkpoint_of_other_settings_is_refused(tmp_path):
    checkpoint = str(tmp_path / "c.npz")
    estimate_stationary(Params.paper_example(), checkpoint=checkpoint, **SETTINGS)
    import pytest

    with pytest.raises(ValueError, match="other settings"):
        estimate_stationary(Params.paper_example(), checkpoint=checkpoint, **dict(SETTINGS, seed=4))


def _block_arguments(dtype, scheme, paths):
    """(coefficients, positional arguments of _advance_block) for one block of 60 steps, sampled every
    10, of ``paths`` replicas spread over [-6, 0] x [0, 0.5] (the paper's example, 40 x 40 bins)."""
    params = Params.paper_example()
    coefficients = tuple(jnp.asarray(c, dtype) for c in params.limit_coefficients())
    state = jnp.asarray(np.linspace(-6.0, 0.0, paths) + 1j * np.linspace(0.0, 0.5, paths), complex_dtype(dtype))
    box = default_box(params)
    bins = FixedBins(float(box.y_M1_low), 0.0, 40), FixedBins(0.0, float(box.y_12_high), 40)
    return coefficients, (jax.random.key(5), coefficients, state, jnp.arange(paths), 7, jnp.asarray(0.01, dtype), 60,
                          10, scheme) + bins


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("scheme", ["projected", "lepingle"])
def test_vector_width_changes_no_bit(dtype, scheme):
    """The simulators are compiled 512 bits wide (``reflected_ou.xla_options``); at XLA's default
    width, 256 bits, they give the same bits (1001 replicas: both widths run remainder loops)."""
    paths = 1001
    coefficients, arguments = _block_arguments(dtype, scheme, paths)
    narrow = jax.jit(_advance_block.__wrapped__, static_argnames=("steps", "sample_every", "scheme_name", "bins_M1",
                                                                  "bins_12", "mesh", "tile_cap"),
                     compiler_options={"xla_cpu_prefer_vector_width": 256})
    assert SIMULATOR_COMPILER_OPTIONS["xla_cpu_prefer_vector_width"] == 512
    for wide, default in zip(_advance_block(*arguments), narrow(*arguments)):
        np.testing.assert_array_equal(np.asarray(wide), np.asarray(default))
    key, start = jax.random.key(2), jnp.full(paths, -1.0, dtype)
    path_arguments = (key, coefficients, start, jnp.zeros(paths, dtype), jnp.asarray(0.01, dtype), 4, 15, scheme)
    narrow_paths = jax.jit(_limit_paths.__wrapped__, static_argnames=("n_saves", "save_every", "scheme_name"),
                           compiler_options={"xla_cpu_prefer_vector_width": 256})
    for wide, default in zip(_limit_paths(*path_arguments), narrow_paths(*path_arguments)):
        np.testing.assert_array_equal(np.asarray(wide), np.asarray(default))


def test_replica_tiles_divide_the_replicas_on_cpu_only():
    assert replica_tile(4096, "cpu") == 2048 and replica_tile(65536, "cpu", 1024) == 1024
    assert replica_tile(5000, "cpu") == 1250 and replica_tile(1001, "cpu", 256) == 143
    assert replica_tile(4099, "cpu") == 4099  # a prime: no equal tiles of at least cap / 2
    assert replica_tile(2048, "cpu") == 2048 and replica_tile(65536, "gpu") == 65536


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("scheme", ["projected", "lepingle"])
def test_tiling_the_replicas_changes_no_bit(dtype, scheme):
    """A block run in tiles of 143 or 91 replicas (1001 = 7 * 143 = 11 * 91) gives the same final
    states, per-replica sums and histogram, bit for bit, as one run over all 1001."""
    paths = 1001
    arguments = _block_arguments(dtype, scheme, paths)[1]
    whole = _advance_block(*arguments, tile_cap=paths)
    for cap in (256, 100):
        tiled = _advance_block(*arguments, tile_cap=cap)
        for expected, got in zip(whole, tiled):
            np.testing.assert_array_equal(np.asarray(got), np.asarray(expected))
    assert int(whole[2].sum()) == paths * 6  # 60 steps sampled every 10: 6 samples per replica
