"""The ``reflected-ou`` console script: one command, one subcommand per job.

Each package contributes its subcommands through a module exposing ``register(subparsers)``, which
adds a parser and sets ``func`` (called with the parsed namespace, returning an exit status).  The
modules are listed here by name and imported when the command line is built, so that
``reflected_ou`` itself imports none of the packages that depend on it.
"""
from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
from typing import Sequence

#: Modules that register subcommands, in the order they are listed by ``--help``.
SUBCOMMAND_MODULES = (
    "reflected_ou.cli_stationary",
    "fluid.cli",
    "lyapunov.cli",
    "ctmc.cli",
    "comparison.cli",
    "periodic_routing.cli",
)


def _installed(name: str) -> bool:
    """Whether the subcommand module exists (a partial install may lack an optional package)."""
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reflected-ou",
        description="Heavy-traffic analysis of speed-aware load balancing (SA-JSQ) and periodic routing.",
    )
    parser.add_argument(
        "--float32",
        action="store_true",
        help="compute in float32 (default: float64; statistics are always accumulated in float64)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in SUBCOMMAND_MODULES:
        if _installed(name):
            importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    import jax

    # The CLI is a caller: it opts into float64 for the process (the library never does on import).
    jax.config.update("jax_enable_x64", not args.float32)
    try:
        return int(args.func(args) or 0)
    except ValueError as exc:  # bad input: one clear line, exit status 2 like argparse
        print(f"reflected-ou {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
