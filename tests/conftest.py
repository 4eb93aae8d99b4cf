"""Test-suite configuration: the tests are callers, so they opt into float64 here (the library never
changes global JAX configuration on import).  Float32 paths are exercised with explicit dtypes."""
import os

os.environ.setdefault("MPLBACKEND", "Agg")

import jax  # noqa: E402

jax.config.update("jax_enable_x64", True)
