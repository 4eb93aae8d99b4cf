"""Simulator against the exact solver: z-scores per system / policy / metric, and Lemma 6.1 part 1.

Run:  python examples/ctmc_validation.py   (about a minute; the same cases as tests/ctmc).
"""
import jax

jax.config.update("jax_enable_x64", True)

from ctmc import System, estimate_stationary, solve_exact  # noqa: E402

SYSTEMS = {
    "pools(2,6) mu(2.5,0.5) load 0.7": System((2, 6), (2.5, 0.5), 0.7 * 8.0),
    "pools(3,3) mu(2,1) load 0.75": System((3, 3), (2.0, 1.0), 0.75 * 9.0),
    "pools(1,2,3) mu(3,1.5,0.5) load 0.7": System((1, 2, 3), (3.0, 1.5, 0.5), 0.7 * 7.5),
}
CASES = [(0, "sa-jsq", 5), (0, "jsq", 5), (0, "modified", 2), (1, "sa-jsq", 6), (1, "jsq", 6), (1, "power-of-2", 8),
         (2, "sa-jsq", 5), (2, "jsq", 5), (2, "sed", 14)]


def flatten(m):
    out = {"jobs": m["jobs"], "p_all_busy": m["p_all_busy"]}
    for j, (b, g) in enumerate(zip(m["busy"], m["ge2"]), start=1):
        out[f"busy_{j}"], out[f"ge2_{j}"] = b, g
    return out


names = list(SYSTEMS)
for index, policy, k in CASES:
    system = SYSTEMS[names[index]]
    exact = solve_exact(system, policy, max_queue=k)
    sim = estimate_stationary(system, policy, seed=2024, burn_in=300.0, horizon=1000.0, replicas=32, progress=False)
    m = sim.metrics()
    e, mean, se = flatten(exact.metrics()), flatten(m["mean"]), flatten(m["stderr"])
    zs = ", ".join(f"{key} {(mean[key] - e[key]) / se[key]:+.2f}" for key in e)
    lemma, lemma_se = sim.throughput_identity()
    print(f"{names[index]:<38} {policy:<11} K={k:<2} states={exact.size:<6} loss={exact.loss_probability:.1e} | z: {zs}")
    print(f"{'':<38} Lemma 6.1.1: exact {exact.throughput_identity():+.1e}; simulation {lemma:+.4f} +- {lemma_se:.4f} "
          f"(z {lemma / lemma_se:+.2f})")
