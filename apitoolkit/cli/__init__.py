"""The ``apitoolkit`` command line: one module per subcommand (emulator, demo, fetch, cache, report, archive).

A subcommand module has ``add_parser(subparsers)``, which registers its parser and sets ``run`` to a function
``(args) -> exit code``, and imports the heavy modules (pandas, requests, matplotlib) only inside ``run``, so that
``apitoolkit --help`` starts fast. The services and resources come from ``apitoolkit.registry.REGISTRY``.
"""

from __future__ import annotations

import argparse

from apitoolkit.cli import archive, cache, demo, emulator, fetch, report
from apitoolkit.cli._common import EXIT_USAGE

__all__ = ["build_parser", "main"]

#: The subcommands, in the order ``apitoolkit --help`` lists them.
_SUBCOMMANDS = (emulator, demo, fetch, cache, report, archive)


def main(argv: list[str] | None = None) -> int:
    """Run the ``apitoolkit`` command; returns the exit code.

    Args:
        argv: The arguments after the program name; defaults to ``sys.argv[1:]``.

    Example:
        >>> main(["fetch", "users", "--out", "users.json"])  # a usage error: exit code 2, its reason on stderr
        2
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return EXIT_USAGE
    code: int = args.run(args)
    return code


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand.

    Example:
        >>> build_parser().parse_args(["emulator", "--seed", "3"]).seed
        3
    """
    from apitoolkit import __version__

    parser = argparse.ArgumentParser(
        prog="apitoolkit", description="Paginated SaaS APIs as flat, typed, cached pandas DataFrames."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for subcommand in _SUBCOMMANDS:
        subcommand.add_parser(subparsers)
    return parser
