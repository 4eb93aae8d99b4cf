"""The price of information: optimal periodic vs optimal Bernoulli routing over loads.

For a heterogeneous farm (speeds mu_r, pool sizes z_r per group) at load rho = lambda / sum_r z_r mu_r,
compare the optimal limit E W(p) of the periodic class C_p^(k) (paper 003, Theorem 3 and Section 5),
the optimal Bernoulli routing (M/GI/1 mixture, Poisson arrivals), and, when a callable is given, a
dispatcher that observes the queues (SA-JSQ, paper 000).  The periodic optimum is what a dispatcher
without queue-length information can achieve for large k; the Bernoulli/periodic ratio is the price
of randomisation and the periodic/SA-JSQ ratio the price of (not having) information.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from ._checks import positive_real, positive_vector
from .optimise import _check_objective, optimise_bernoulli, optimise_periodic
from .service import ServiceLaw, from_spec


@dataclass(frozen=True, repr=False)
class InformationTable:
    """Optimal values over ``loads``: ``periodic``, ``bernoulli`` (and ``sa_jsq`` if given; else None),
    the optimal fractions, and the ``objective`` ("wait" or "response")."""

    mu: tuple
    pool_sizes: tuple
    objective: str
    loads: np.ndarray
    arrival_rates: np.ndarray
    periodic: np.ndarray
    bernoulli: np.ndarray
    periodic_fractions: np.ndarray
    bernoulli_fractions: np.ndarray
    sa_jsq: np.ndarray | None

    @property
    def price_of_randomisation(self) -> np.ndarray:
        """min Bernoulli / min periodic at each load (inf where the periodic optimum is 0)."""
        with np.errstate(divide="ignore"):
            return np.where(self.periodic > 0, self.bernoulli / np.where(self.periodic > 0, self.periodic, 1), np.inf)

    @property
    def price_of_information(self) -> np.ndarray | None:
        """min periodic / SA-JSQ at each load (None without SA-JSQ values)."""
        if self.sa_jsq is None:
            return None
        return self.periodic / self.sa_jsq

    def table(self) -> str:
        what = "E W" if self.objective == "wait" else "E[response]"
        head = f"{'load':>6} {'lambda':>9} {what + ' periodic':>18} {what + ' Bernoulli':>19} {'ratio':>8}"
        if self.sa_jsq is not None:
            head += f" {what + ' SA-JSQ':>16} {'per/JSQ':>8}"
        lines = [head]
        for i, rho in enumerate(self.loads):
            line = (f"{rho:6.3f} {self.arrival_rates[i]:9.4g} {self.periodic[i]:18.8g} {self.bernoulli[i]:19.8g} "
                    f"{self.price_of_randomisation[i]:8.4g}")
            if self.sa_jsq is not None:
                line += f" {self.sa_jsq[i]:16.8g} {self.price_of_information[i]:8.4g}"
            lines.append(line)
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"InformationTable(mu={self.mu}, pool_sizes={self.pool_sizes}, objective={self.objective!r})\n" + self.table()

    def plot(self, path: str) -> None:
        """Optimal values against load (log scale) for each dispatcher, saved to ``path``."""
        from matplotlib.figure import Figure  # no pyplot: no global state

        from rou_common.output import save_figure

        fig = Figure(figsize=(6.4, 4.4))
        ax = fig.subplots()
        ax.semilogy(self.loads, self.bernoulli, "s-", label="optimal Bernoulli (M/GI/1)")
        pos = self.periodic > 0
        ax.semilogy(self.loads[pos], self.periodic[pos], "o-", label="optimal periodic, limit E W(p) (2.8)")
        if self.sa_jsq is not None:
            ax.semilogy(self.loads, self.sa_jsq, "^-", label="SA-JSQ (observes queues)")
        ax.set_xlabel(r"load $\rho = \lambda / \sum_r z_r \mu_r$")
        ax.set_ylabel("mean waiting time" if self.objective == "wait" else "mean response time")
        ax.set_title(f"Price of information, mu = {list(self.mu)}, pools = {list(self.pool_sizes)}", fontsize=10)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
        fig.tight_layout()
        save_figure(fig, path, dpi=120)


def price_of_information(mu: Sequence[float], loads: Sequence[float], *, pool_sizes=None,
                         service: str | Callable[[float], ServiceLaw] = "exp", objective: str = "wait",
                         sa_jsq_mean_wait: Callable[[float], float] | None = None) -> InformationTable:
    """Optimal periodic and Bernoulli values at each load rho in ``loads`` (0 < rho < 1).

    ``service`` is "exp", "det", "erlang:K" or a callable mu -> ServiceLaw; ``sa_jsq_mean_wait(rho)``, if
    given, returns SA-JSQ's value of the same objective for the same farm at load rho."""
    objective = _check_objective(objective)
    mu = positive_vector("mu", mu)
    z = np.ones_like(mu) if pool_sizes is None else positive_vector("pool_sizes", pool_sizes)
    if z.size != mu.size:
        raise ValueError(f"pool_sizes must have one entry per type ({mu.size}), got {z.size}")
    loads = np.atleast_1d(np.asarray(loads, dtype=float))
    if loads.size == 0 or np.any(~np.isfinite(loads)) or np.any(loads <= 0) or np.any(loads >= 1):
        raise ValueError(f"loads must lie in (0, 1), got {loads!r}")
    make = (lambda m: from_spec(service, m)) if isinstance(service, str) else service
    services = [make(m) for m in mu]
    cap = float(np.sum(z * mu))
    lams = loads * cap
    per, ber, pf, bf, jsq = [], [], [], [], []
    for lam in lams:
        a = optimise_periodic(services, lam, objective=objective, pool_sizes=z)
        b = optimise_bernoulli(services, lam, objective=objective, pool_sizes=z)
        per.append(a.value)
        ber.append(b.value)
        pf.append(a.fractions)
        bf.append(b.fractions)
    if sa_jsq_mean_wait is not None:
        jsq = np.array([positive_real("sa_jsq_mean_wait(load)", sa_jsq_mean_wait(float(r))) for r in loads])
    else:
        jsq = None
    return InformationTable(tuple(float(x) for x in mu), tuple(float(x) for x in z), objective, loads, lams,
                            np.array(per), np.array(ber), np.array(pf), np.array(bf), jsq)
