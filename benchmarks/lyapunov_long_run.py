"""Long verification run for fluid/ and lyapunov/ (the figures quoted in the issue report).

1. f* closed form (6.60) vs the DFL quadrature (6.43) on ``--per-region`` random points of each region
   Omega_1, Omega_2, Omega_3 plus points within 1e-9..1e-3 (relative) of the borders Gamma^kappa and
   x_2 = kappa/sqrt(n), for the paper's example and further parameter sets;
2. closed-form gradient / Hessian vs Richardson central differences (interior points);
3. jumps of (f_1, f_2) across the borders at offsets 1e-6 and 1e-9;
4. closed-form trajectories vs solve_ivp with events;
5. higher components (3.5)-(3.6) closed form vs solve_ivp.
Last line: JSON with all figures.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # see lyapunov_throughput.py

from fluid import classify, gamma_x2, integrate_trajectory, trajectory, trajectory_phases  # noqa: E402
from fluid.higher_components import cascade_solution  # noqa: E402
from lyapunov import dfl_f_star, f_star, f_star_derivatives  # noqa: E402
from reflected_ou.drift import cascade_drift  # noqa: E402

SETS = {
    "paper example": dict(beta=2.0, mu_1=20 / 8, mu_M=5 / 8, kappa=1.0, n=1),
    "paper example n=400": dict(beta=2.0, mu_1=20 / 8, mu_M=5 / 8, kappa=1.0, n=400),
    "near-critical kappa": dict(beta=1.0, mu_1=3.0, mu_M=0.3, kappa=1.02 / 3.0, n=1),
    "homogeneous": dict(beta=1.0, mu_1=1.0, mu_M=1.0, kappa=1.5, n=1),
}


def region_points(p, per_region, rng):
    sqrt_n = math.sqrt(p["n"])
    k = p["kappa"] / sqrt_n
    width = 4.0 * max(p["kappa"], p["beta"] / p["mu_M"]) / sqrt_n
    height = 1.5 * float(gamma_x2(np.array([-width]), kappa=p["kappa"], beta=p["beta"], mu_1=p["mu_1"],
                                  mu_M=p["mu_M"], n=p["n"]).x2[0])
    out = {1: np.stack([-width * rng.random(per_region), k * rng.random(per_region)], -1)}
    pools = {2: [], 3: []}
    while min(sum(a.shape[0] for a in pools[r]) for r in (2, 3)) < per_region:
        trial = np.stack([-width * rng.random(8 * per_region), k + (height - k) * rng.random(8 * per_region)], -1)
        labels = classify(trial, **p)
        for r in (2, 3):
            pools[r].append(trial[labels == r])
    for r in (2, 3):
        out[r] = np.concatenate(pools[r])[:per_region]
    x1 = -width * rng.random(per_region)
    curve = gamma_x2(x1, kappa=p["kappa"], beta=p["beta"], mu_1=p["mu_1"], mu_M=p["mu_M"], n=p["n"]).x2
    offsets = 10.0 ** rng.uniform(-9, -3, per_region) * rng.choice([-1.0, 1.0], per_region)
    half = per_region // 2
    out["borders"] = np.concatenate([
        np.stack([x1[:half], curve[:half] * (1 + offsets[:half])], -1),
        np.stack([x1[half:], k * (1 + offsets[half:])], -1),
    ])
    return out


def dfl_figures(p, per_region, rng):
    result = {}
    for name, pts in region_points(p, per_region, rng).items():
        start = time.perf_counter()
        reference = dfl_f_star(pts, **p)
        closed = f_star(pts, **p)
        rel = np.abs(closed - reference) / np.where(reference > 0, reference, 1.0)
        i = int(np.argmax(rel))
        result[f"Omega_{name}" if name != "borders" else "borders"] = {
            "points": int(pts.shape[0]), "max_rel_error": float(rel[i]), "median_rel_error": float(np.median(rel)),
            "worst_point": pts[i].tolist(), "seconds": time.perf_counter() - start,
        }
    return result


def derivative_figures(p, count, rng):
    pts = np.concatenate([v for k, v in region_points(p, count, rng).items() if k in (2, 3)])
    labels = classify(pts, **p)
    # step 1e-5 of the point's size; stencils kept 5 steps away from every border (near Gamma^kappa
    # with kappa close to beta/mu_1 the third derivatives are large and a wider stencil is truncation-bound)
    h = 1e-5 * np.maximum(np.abs(pts).max(axis=1), p["kappa"] / math.sqrt(p["n"]))
    keep = (pts[:, 0] < -5 * h) & (pts[:, 1] > 5 * h)
    for e in (np.array([5.0, 0.0]), np.array([0.0, 5.0])):
        for sgn in (1, -1):
            keep &= classify(np.clip(pts + sgn * h[:, None] * e, [-np.inf, 0], [0, np.inf]), **p) == labels
    pts, h = pts[keep], h[keep]

    def richardson(fun):
        cols = []
        for axis in range(2):
            e = np.zeros(2)
            e[axis] = 1.0

            def d(s):
                return (fun(pts + s[:, None] * e) - fun(pts - s[:, None] * e)) / (2 * s).reshape((-1,) + (1,) * (fun(pts[:1]).ndim - 1))

            cols.append((4 * d(h / 2) - d(h)) / 3)
        return np.stack(cols, 1)

    grad, hess = f_star_derivatives(pts, **p)
    fd_g = richardson(lambda z: f_star(z, **p))
    fd_h = np.swapaxes(richardson(lambda z: f_star_derivatives(z, **p).gradient), 1, 2)
    eg = np.max(np.abs(fd_g - grad), 1) / np.max(np.abs(grad), 1)
    eh = np.max(np.abs(fd_h - hess), (1, 2)) / np.max(np.abs(hess), (1, 2))
    return {"points": int(pts.shape[0]), "gradient_max_rel_error": float(eg.max()), "hessian_max_rel_error": float(eh.max())}


def continuity_figures(p, count, rng):
    sqrt_n = math.sqrt(p["n"])
    x1 = -rng.exponential(2 * p["beta"] / p["mu_M"], count) / sqrt_n
    curve = gamma_x2(x1, kappa=p["kappa"], beta=p["beta"], mu_1=p["mu_1"], mu_M=p["mu_M"], n=p["n"]).x2
    out = {}
    for name, border in (("Gamma^kappa", np.stack([x1, curve], -1)),
                         ("x2=kappa/sqrt(n)", np.stack([x1, np.full(count, p["kappa"] / sqrt_n)], -1))):
        for offset in (1e-6, 1e-9):
            up = f_star_derivatives(border * [1, 1 + offset], **p).gradient
            down = f_star_derivatives(border * [1, 1 - offset], **p).gradient
            out[f"{name} offset {offset:g}"] = float(np.max(np.abs(up - down)))
    return out


def trajectory_figures(p, count, rng):
    sqrt_n = math.sqrt(p["n"])
    scale = p["beta"] / (p["mu_M"] * sqrt_n)
    pts = np.stack([-3 * scale * rng.random(count), 6 * scale * rng.random(count)], -1)
    t = np.linspace(0, 8 / p["mu_M"], 80)
    closed = trajectory(pts, t, **{k: v for k, v in p.items() if k != "kappa"})
    phases = trajectory_phases(pts, **{k: v for k, v in p.items() if k != "kappa"})
    worst, skipped = 0.0, 0
    for i, x in enumerate(pts):
        z = phases.entry_height[i]
        if np.isfinite(phases.hitting_time[i]) and z < 1.01 * p["beta"] / (p["mu_1"] * sqrt_n):
            skipped += 1
            continue
        num = integrate_trajectory(x, t, **{k: v for k, v in p.items() if k != "kappa"})
        worst = max(worst, float(np.max(np.abs(num.v - closed[i])) / max(abs(x[0]), x[1], scale)))
    return {"points": count, "skipped_near_tangential": skipped, "max_rel_error": worst}


def higher_component_figures(rng):
    from scipy.integrate import solve_ivp

    worst = 0.0
    for mu in (0.2, 0.625, 1.0, 2.5, 7.0):
        y0 = np.sort(rng.exponential(1.0, 30))[::-1].copy()
        t = np.linspace(0, 8 / mu, 50)
        ref = solve_ivp(lambda _t, y: cascade_drift(y, np.append(y[1:], 0.0), mu), (0, t[-1]), y0, method="DOP853",
                        t_eval=t, rtol=1e-12, atol=1e-14).y.T
        worst = max(worst, float(np.max(np.abs(cascade_solution(y0, t, mu=mu) - ref)) / y0.max()))
    return {"max_rel_error": worst}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--per-region", type=int, default=10_000)
    parser.add_argument("--others-per-region", type=int, default=None,
                        help="points per region for the sets other than the paper example (default per-region/10)")
    parser.add_argument("--only", default=None, choices=list(SETS), help="run one parameter set only")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    report = {"per_region": args.per_region}
    for name, p in SETS.items():
        if args.only and name != args.only:
            continue
        others = args.others_per_region or max(args.per_region // 10, 100)
        per = args.per_region if name == "paper example" else others
        start = time.perf_counter()
        entry = {"params": p, "dfl": dfl_figures(p, per, rng)}
        entry["derivatives"] = derivative_figures(p, min(per, 5000), rng)
        entry["continuity_jumps"] = continuity_figures(p, 1000, rng)
        entry["trajectories"] = trajectory_figures(p, 300 if name == "paper example" else 60, rng)
        entry["seconds"] = time.perf_counter() - start
        report[name] = entry
        print(f"== {name}: {p}")
        for region, fig in entry["dfl"].items():
            print(f"   DFL vs closed form {region:<9} n={fig['points']:>6}  max rel {fig['max_rel_error']:.2e}  "
                  f"median {fig['median_rel_error']:.1e}  worst at {np.round(fig['worst_point'], 6).tolist()}")
        d = entry["derivatives"]
        print(f"   derivatives vs Richardson FD on {d['points']} pts: grad {d['gradient_max_rel_error']:.2e}, "
              f"hess {d['hessian_max_rel_error']:.2e}")
        print("   gradient jumps across borders: " + ", ".join(f"{k}: {v:.2e}" for k, v in entry["continuity_jumps"].items()))
        tr = entry["trajectories"]
        print(f"   trajectories vs solve_ivp: {tr['points']} pts (skipped {tr['skipped_near_tangential']} tangential), "
              f"max rel {tr['max_rel_error']:.2e}")
        sys.stdout.flush()
    report["higher_components"] = higher_component_figures(rng)
    print(f"== higher components (3.5)-(3.6) vs solve_ivp: max rel {report['higher_components']['max_rel_error']:.2e}")
    print(json.dumps(report, default=float))


if __name__ == "__main__":
    main()
