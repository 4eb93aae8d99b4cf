"""Figures: 3.1 (Y_11^(n) paths collapsing), 3.2 (Y_ji^(n) at n = 700 beside a reflected-OU path),
the convergence/scaling plot, and the Theorem 3.6 tails plot.  Matplotlib Agg, PNG."""
from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure

from ctmc import System, simulate_paths
from reflected_ou.params import Params
from rou_common.output import save_figure

from .optimality import TAIL_Y


def start_with_idle(system: System, params: Params, idle_scaled=(-1.0, None)) -> np.ndarray:
    """Pool 1 with |Y_11(0)| sqrt(n) idle servers, pool M with beta/mu_M sqrt(n) idle, no queues."""
    q = np.zeros((system.pools, 1), np.int32)
    q[:, 0] = system.servers
    root_n = math.sqrt(system.n)
    q[0, 0] -= min(system.servers[0], round(-idle_scaled[0] * root_n))
    q[-1, 0] -= min(system.servers[-1], round(params.beta / params.mu_M * root_n))
    return q


def figure_3_1(params: Params, ns, path: str, *, seed: int = 0, horizon: float = 10.0, dt: float = 0.01) -> str:
    fig = Figure(figsize=(7, 4))
    ax = fig.subplots()
    for n in ns:
        system = System.from_params(params, n)
        paths = simulate_paths(system, "sa-jsq", seed=seed, horizon=horizon, dt=dt, initial=start_with_idle(system, params))
        ax.plot(paths.times, paths.scaled[0, :, 0, 0], lw=0.8, label=f"n = {n}")
    ax.set_xlabel("t")
    ax.set_ylabel(r"$Y_{1,1}^{(n)}(t)$")
    ax.set_title(r"Figure 3.1: idle fast servers, $Y_{1,1}^{(n)}(0) = -1$ (SA-JSQ, paper example)")
    ax.legend()
    fig.tight_layout()
    save_figure(fig, path, dpi=130)
    return path


def queued_start(system: System, y0: dict) -> np.ndarray:
    """Every server busy, with Y_{j,i}(0) = y0[(j, i)] for i >= 2 (rounded to the lattice)."""
    root_n = math.sqrt(system.n)
    q = np.zeros((system.pools, 3), np.int32)
    q[:, 0] = system.servers
    for (j, i), value in y0.items():
        q[j - 1, i - 1] = min(q[j - 1, i - 2], round(value * root_n))
    return q


def decay_3_8(t, mu_j, levels0):
    """(3.8) with rate mu_j (NOTES misprint 1): Y_ji(t) = e^{-mu_j t} sum_k (mu_j t)^k / k! Y_{j,i+k}(0)."""
    t = np.asarray(t)
    return np.exp(-mu_j * t) * sum((mu_j * t) ** k / math.factorial(k) * y for k, y in enumerate(levels0))


def figure_3_2(params: Params, path: str, *, n: int = 700, seed: int = 0, horizon: float = 10.0, dt: float = 0.01) -> str:
    """Y_ji^(n) at n = 700 from a state with queues, beside a reflected-OU path from the same
    (Y_M1, Y_12)(0) and the deterministic decay (3.8) of Y_22, Y_13, Y_23 (Theorem 3.2)."""
    from reflected_ou.simulate import simulate_paths as diffusion_paths

    system = System.from_params(params, n)
    y0 = {(1, 2): 1.0, (2, 2): 1.0, (1, 3): 0.5, (2, 3): 0.5}
    start = queued_start(system, y0)
    paths = simulate_paths(system, "sa-jsq", seed=seed, horizon=horizon, dt=dt, initial=start)
    y = paths.scaled[0]
    limit = diffusion_paths(params, seed=seed, dt=dt / 10, horizon=horizon, save_every=10,
                            y0=(0.0, float(y[0, 0, 1])))
    t = paths.times
    fig = Figure(figsize=(15, 4.2))
    axes = fig.subplots(1, 3)
    titles = ["(a) idle servers", "(b) queues with at least two jobs", "(c) queues with at least three jobs"]
    for i, ax in enumerate(axes):
        for j in range(system.pools):
            ax.plot(t, y[:, j, i], lw=0.9, label=rf"$Y_{{{j + 1},{i + 1}}}^{{({n})}}$")
        ax.set_title(titles[i])
        ax.set_xlabel("t")
    axes[0].plot(limit.times, np.asarray(limit.y_M1[0]), lw=0.8, color="k", alpha=0.6, label=r"reflected OU $Y_{M,1}$")
    axes[1].plot(limit.times, np.asarray(limit.y_12[0]), lw=0.8, color="k", alpha=0.6, label=r"reflected OU $Y_{1,2}$")
    mu = params.mu
    axes[1].plot(t, decay_3_8(t, mu[1], [y[0, 1, 1], y[0, 1, 2]]), "k--", lw=1, label=r"(3.8) for $Y_{2,2}$")
    for j in range(system.pools):
        axes[2].plot(t, decay_3_8(t, mu[j], [y[0, j, 2]]), "--", color=f"C{j}", lw=1, label=rf"(3.8) for $Y_{{{j + 1},3}}$")
    for ax in axes:
        ax.legend(fontsize=8)
    fig.suptitle(f"Figure 3.2: SA-JSQ at n = {n} (paper example) from a state with queues; reflected-OU path and (3.8)")
    fig.tight_layout()
    save_figure(fig, path, dpi=130)
    return path


def convergence_figure(conv: dict, scal: dict, stein: dict | None, path: str) -> str:
    fig = Figure(figsize=(15, 4.2))
    axes = fig.subplots(1, 3)
    ns = np.array([r["n"] for r in conv["rows"]])
    ax = axes[0]
    for key, label in (("err_Y_M1", r"$|E Y_{M1}^{(n)} - E Y_{M1}|$"),
                       ("err_Y_M1_lemma", r"same, $E Y_{M1}^{(n)}$ via Lemma 6.1"),
                       ("err_Y_12", r"$|E Y_{12}^{(n)} - E Y_{12}|$"),
                       ("W1_Y_M1", r"$W_1(Y_{M1})$"), ("W1_Y_12", r"$W_1(Y_{12})$")):
        if key not in conv["slopes"]:
            continue
        values = np.abs([r[key] for r in conv["rows"]])
        ax.loglog(ns, values, "o-", label=f"{label}, slope {conv['slopes'][key]:.2f}")
    ax.set_xlabel("n")
    ax.set_title("(b) stationary convergence to the diffusion")
    ax.legend(fontsize=7)
    ax = axes[1]
    for key in scal["rows"][0]:
        if key == "n" or key.startswith("se_"):
            continue
        values = np.array([r[key] for r in scal["rows"]])
        errors = np.array([r["se_" + key] for r in scal["rows"]])
        ax.errorbar(ns, np.abs(values), yerr=errors, fmt="o-", label=f"{key}, slope {scal['slopes'][key]:.2f}")
    ax.set_xscale("log")
    ax.set_yscale("symlog", linthresh=1e-3)
    ax.set_xlabel("n")
    ax.set_title("(c) Theorem 3.3 scalings")
    ax.legend(fontsize=7)
    ax = axes[2]
    if stein:
        stein_ns = np.array([r["n"] for r in stein["rows"]])
        for key in [k for k in stein["rows"][0] if k.startswith("sqrt_n_6.")]:
            values = np.array([r[key] for r in stein["rows"]])
            ax.plot(stein_ns, values, "o-", label=key.replace("sqrt_n_", "(") + ")")
        ax.set_xscale("log")
        ax.set_yscale("symlog", linthresh=1e-3)
        ax.set_title(r"(d) $\sqrt{n}\,E[\mathrm{term}]$ of (6.5)-(6.15), $f = f^*$")
        ax.set_xlabel("n")
        ax.legend(fontsize=6, ncol=2)
    else:
        ax.axis("off")
    fig.tight_layout()
    save_figure(fig, path, dpi=130)
    return path


def tails_figure(tables: list[dict], path: str) -> str:
    """P(Y_+1 > y) and P(Y_+2 > y) per policy (colour) and n (line style)."""
    fig = Figure(figsize=(13, 4.5))
    axes = fig.subplots(1, 2)
    styles = ["-", "--", ":", "-."]
    colours = {}
    for t_index, table in enumerate(tables):
        for row in table["rows"]:
            if not row.get("stable"):
                continue
            colour = colours.setdefault(row["policy"], f"C{len(colours)}")
            for ax, key in zip(axes, ("Y_+1", "Y_+2")):
                tail = row.get(f"tail_{key}")
                if tail is None:
                    continue
                label = f"{row['policy']}" + (" (exact)" if row.get("exact") else "") if t_index == 0 else None
                ax.plot(TAIL_Y[key], tail, styles[t_index % 4], color=colour, lw=1.2 if row["policy"] in ("sa-jsq", "modified") else 0.8,
                        label=label)
    ns = ", ".join(f"n = {t['n']} ({styles[i % 4]})" for i, t in enumerate(tables))
    axes[0].set_title(r"$P(Y_{+1}^{(n)} > y)$, total jobs; " + ns, fontsize=9)
    axes[1].set_title(r"$P(Y_{+2}^{(n)} > y)$, waiting jobs", fontsize=9)
    axes[0].set_ylim(-0.02, 1.02)
    axes[1].set_yscale("log")
    axes[1].set_ylim(1e-4, 1.5)
    for ax in axes:
        ax.set_xlabel("y")
        ax.legend(fontsize=8)
    fig.suptitle("Theorem 3.6: SA-JSQ vs other policies; modified system of Section 7.1 = lower bound")
    fig.tight_layout()
    save_figure(fig, path, dpi=130)
    return path


def _log_errorbar(ax, ns, values, errors, **style):
    """|values| with +- errors on a log axis (the lower bar stops just above zero)."""
    values, errors = np.abs(np.asarray(values, float)), np.asarray(errors, float)
    lower = np.minimum(errors, 0.999 * values)
    ax.errorbar(ns, values, yerr=[lower, errors], capsize=3, marker="o", ms=4, **style)


def distribution_convergence_figure(rows: list[dict], path: str) -> str:
    """(b) with the fast kernel: mean errors (+- s.e.; for Y_12 against the limit at the system's own
    spare capacity beta_n and at beta), W_1 (+- bootstrap spread) and W_1 noise floors of Y_12^(n) and
    Y_M1^(n) against n, log-log, with a reference line n^(-1/2)."""
    ns = np.array([r["n"] for r in rows], float)
    fig = Figure(figsize=(11, 4.5))
    axes = fig.subplots(1, 2)
    panels = ((axes[0], "Y_12", (("err_Y_12_beta_n", "se_Y_12_beta_n", r"$|E Y_{1,2}^{(n)} - E Y_{1,2}|$ (limit at $\beta_n$)"),
                                 ("err_Y_12", "se_Y_12", r"$|E Y_{1,2}^{(n)} - E Y_{1,2}|$ (limit at $\beta$)"))),
              (axes[1], "Y_M1", (("err_Y_M1_lemma", "se_Y_M1_lemma", r"$|E Y_{M,1}^{(n)} - E Y_{M,1}|$ (Lemma 6.1)"),
                                 ("err_Y_M1", "se_Y_M1", r"$|E Y_{M,1}^{(n)} - E Y_{M,1}|$ (time average)"))))
    for ax, name, means in panels:
        for key, se_key, label in means:
            _log_errorbar(ax, ns, [r[key] for r in rows], [r[se_key] for r in rows], label=label)
        w1 = f"W1_{name}"
        _log_errorbar(ax, ns, [r[w1] for r in rows], [r[f"{w1}_spread"] for r in rows], label=r"$W_1$ of the marginal")
        ax.plot(ns, [r[f"{w1}_floor"] for r in rows], "k--", lw=0.8, label=r"$W_1$ noise floor (bootstrap)")
        anchor = rows[0][w1]
        ax.plot(ns, anchor * (ns / ns[0]) ** -0.5, ":", color="grey", label=r"$\propto n^{-1/2}$")
        shown = [abs(r[k]) for r in rows for k in (w1, f"{w1}_floor") + tuple(m[0] for m in means) if r[k] != 0]
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_ylim(bottom=0.3 * min(shown))
        ax.set_xlabel("n")
        ax.set_title({"Y_12": r"$Y_{1,2}^{(n)}$ (waiting jobs at fast servers)",
                      "Y_M1": r"$Y_{M,1}^{(n)}$ (idle slow servers)"}[name])
        ax.legend(fontsize=7)
    fig.suptitle("SA-JSQ stationary law against the diffusion limit (paper example, fast kernel)", fontsize=10)
    fig.tight_layout()
    save_figure(fig, path, dpi=130)
    return path
