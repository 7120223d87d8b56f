"""``apitoolkit demo``: load from the built-in emulator, print a summary and render every report."""

from __future__ import annotations

import argparse

from apitoolkit.cli._common import SIZES, Subparsers, as_options, fail


def add_parser(subparsers: Subparsers) -> None:
    """Add the ``demo`` subcommand to ``subparsers``.

    Example:
        >>> parser = argparse.ArgumentParser(prog="apitoolkit")
        >>> add_parser(parser.add_subparsers())
        >>> parser.parse_args(["demo"]).out
        'reports'
    """
    parser = subparsers.add_parser(
        "demo",
        help="render every report from the built-in emulator into reports/",
        description="Start the emulator, load IT Glue data through the public loaders (cached like any load) and "
        "print a summary, render every report notebook to HTML in --out, stop the emulator.",
    )
    parser.add_argument("--out", default="reports", help="where the reports go (default: reports/)")
    parser.add_argument(
        "--port",
        type=int,
        default=None,
        help="emulator port (default: the first of 8765-8774 that already serves this emulator or is free, so a "
        "rerun comes from the cache)",
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated data (default: 1)")
    parser.add_argument("--size", choices=SIZES, default="small", help="amount of data (default: small)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run the demo; returns the exit code (1 when the emulator, a load or a report fails).

    Example:
        >>> from apitoolkit.cli import build_parser
        >>> run(build_parser().parse_args(["demo", "--out", "reports"]))  # doctest: +SKIP
        0
    """
    from apitoolkit.demo import run_demo
    from apitoolkit.exceptions import ApiToolkitError

    try:
        return run_demo(size=args.size, seed=args.seed, port=args.port, reports=args.out)
    except ApiToolkitError as error:
        return fail("demo", as_options(str(error), "APITOOLKIT_OFFLINE=1"))
