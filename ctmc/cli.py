"""``reflected-ou ctmc``: stationary metrics of one finite-n system under one policy.

The system is either the paper's n-th system (``--n`` with ``--mu/--gamma/--beta``: N_j^(n) by (A2),
arrival rate n lambda^(n) = n - beta sqrt(n) by (A1)) or explicit (``--servers N_1 .. N_M
--arrival-rate L`` with speeds ``--mu``).  Simulation by default, the exact sparse solver with
``--exact --max-queue K``.  ``--json PATH`` writes ``mean`` and ``stderr`` with keys ``jobs``,
``busy`` (per pool), ``ge2`` (per pool) and ``p_all_busy``.
"""
from __future__ import annotations

import json

from reflected_ou.cli_stationary import add_params_arguments, params_from_args

from .policies import POLICY_NAMES, make_policy
from .system import System


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "ctmc",
        help="finite-n system: simulate (or solve exactly) one policy, print stationary metrics",
        description="Stationary metrics of the n-server system of Section 2 under one routing policy "
        f"({', '.join(POLICY_NAMES)}).",
    )
    add_params_arguments(parser)
    parser.add_argument("--n", type=int, help="number of servers n of the paper's n-th system")
    parser.add_argument("--servers", type=int, nargs="+", metavar="N_J", help="explicit pool sizes N_1 .. N_M")
    parser.add_argument("--arrival-rate", type=float, help="total arrival rate L (with --servers)")
    parser.add_argument("--policy", default="sa-jsq", help=f"one of {', '.join(POLICY_NAMES)} or power-of-<d>")
    parser.add_argument("--d", type=int, default=2, help="samples of power-of-d (default 2)")
    parser.add_argument("--horizon", type=float, default=1000.0, help="time per replica after the burn-in (default 1000)")
    parser.add_argument("--burn-in", type=float, default=50.0, help="burn-in time per replica")
    parser.add_argument("--replicas", type=int, default=8, help="independent replicas")
    parser.add_argument("--batches", type=int, default=20, help="batches per replica (batch means)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--exact", action="store_true", help="exact stationary law of the truncated chain")
    parser.add_argument("--max-queue", type=int, default=6, help="truncation K of the exact solver")
    parser.add_argument("--json", metavar="PATH", help="write mean/stderr (and run details) as JSON")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    parser.set_defaults(func=run)


def system_from_args(args) -> System:
    if args.servers is not None:
        if args.n is not None:
            raise ValueError("give either --n (paper scaling) or --servers with --arrival-rate, not both")
        if args.arrival_rate is None:
            raise ValueError("--servers needs --arrival-rate L (total arrival rate)")
        if len(args.mu) != len(args.servers):
            raise ValueError(f"--mu needs one speed per pool: {len(args.servers)} pools, {len(args.mu)} speeds")
        return System(tuple(args.servers), tuple(args.mu), args.arrival_rate)
    if args.n is None:
        raise ValueError("give --n (paper scaling) or --servers N_1 .. N_M with --arrival-rate L")
    if args.arrival_rate is not None:
        raise ValueError("--arrival-rate goes with --servers; with --n the rate is n lambda^(n)")
    return System.from_params(params_from_args(args), args.n)


def _row(label, value, err):
    return f"{label:<28}{value:>14.6g}" + (f" +- {err:.2g}" if err is not None else "")


def run(args) -> int:
    system = system_from_args(args)
    policy = make_policy(args.policy, d=args.d)
    print(f"system: servers {list(system.servers)}, speeds {[round(m, 6) for m in system.speeds]}, "
          f"arrival rate {system.arrival_rate:.6g} (load {system.load:.4f}); policy {policy.label}")
    details = {"system": system.as_dict(), "policy": policy.label}
    if args.exact:
        from .exact import solve_exact

        result = solve_exact(system, policy, max_queue=args.max_queue)
        mean = result.metrics()
        stderr = {k: ([0.0] * len(v) if isinstance(v, list) else 0.0) for k, v in mean.items()}
        identity, identity_err = result.throughput_identity(), 0.0
        details.update(states=result.size, loss_probability=result.loss_probability,
                       blocking_probability=result.blocking_probability, residual=result.residual)
        print(f"exact solver: {result.size} states, K = {args.max_queue}, truncation loss "
              f"{result.loss_probability:.3g}, residual |pi G|_1 = {result.residual:.2g}")
    else:
        from .stationary import estimate_stationary

        result = estimate_stationary(system, policy, seed=args.seed, burn_in=args.burn_in, horizon=args.horizon,
                                     replicas=args.replicas, batches=args.batches,
                                     progress=not args.no_progress)
        metrics = result.metrics()
        mean, stderr = metrics["mean"], metrics["stderr"]
        identity, identity_err = result.throughput_identity()
        details.update(horizon=result.horizon, burn_in=result.burn_in, replicas=result.replicas,
                       events=result.events, levels=result.levels)
        print(f"simulation: {result.replicas} replicas x {result.horizon:.4g} time units, "
              f"{result.events} events, K = {result.levels}")
    print(_row("E[jobs]", mean["jobs"], stderr["jobs"] if not args.exact else None))
    for j in range(system.pools):
        print(_row(f"E[busy], pool {j + 1}", mean["busy"][j], stderr["busy"][j] if not args.exact else None))
    for j in range(system.pools):
        print(_row(f"E[>= 2 jobs], pool {j + 1}", mean["ge2"][j], stderr["ge2"][j] if not args.exact else None))
    print(_row("P(all busy)", mean["p_all_busy"], stderr["p_all_busy"] if not args.exact else None))
    print(_row("Lemma 6.1: E[sum mu_k Q_k1]-L", identity, identity_err if not args.exact else None))
    details["lemma_6_1_part_1"] = {"value": identity, "stderr": identity_err}
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"mean": mean, "stderr": stderr, **details}, handle, indent=2)
    return 0
