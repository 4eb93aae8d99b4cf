"""XLA options of the simulators' jitted entry points, passed per function
(``jax.jit(..., compiler_options=SIMULATOR_COMPILER_OPTIONS)``): the global XLA configuration is
never touched.

``xla_cpu_prefer_vector_width = 512``: XLA:CPU vectorises its loops 256 bits wide by default.  On a
CPU with AVX-512 the fused loops of hash, variates and steps (``reflected_ou.noise``) run 1.6-1.7x
faster 512 bits wide (one core, float32, 4096 paths: stationary block 3.6e8 -> 6.2e8 path-steps/s
with the projected step, 2.4e8 -> 3.9e8 with Lepingle's; ``benchmarks/ou_throughput.py``).
Elsewhere it does nothing: LLVM's x86 back end never goes wider than the CPU's vectors, and the
other back ends (GPU, ARM) do not read the option.  The numbers are the same bits at either width,
since the variates use correctly rounded operations only (``reflected_ou.counter_prng``; tested in
tests/reflected_ou/test_determinism.py).
"""

#: Options for ``jax.jit(..., compiler_options=...)`` of every simulator entry point.
SIMULATOR_COMPILER_OPTIONS = {"xla_cpu_prefer_vector_width": 512}
