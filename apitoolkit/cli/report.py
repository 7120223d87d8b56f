"""``apitoolkit report``: run report notebooks with papermill and write executed notebooks and HTML."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from apitoolkit.cli._common import EXIT_OK, Subparsers, as_options, exit_code, fail


def add_parser(subparsers: Subparsers) -> None:
    """Add the ``report`` subcommand to ``subparsers`` (its help lists the reports, a dict of names).

    Example:
        >>> parser = argparse.ArgumentParser(prog="apitoolkit")
        >>> add_parser(parser.add_subparsers())
        >>> parser.parse_args(["report", "reputation", "--out", "out"]).names
        ['reputation']
    """
    from apitoolkit.reports import REPORTS  # no heavy imports: a dict of names

    parser = subparsers.add_parser(
        "report",
        help="run report notebooks with papermill and write executed notebooks and HTML",
        description="Run report notebooks (papermill) and write NAME.ipynb and self-contained NAME.html (no code) "
        f"to --out. Reports: {', '.join(REPORTS)} (default: all). Credentials come from the environment; "
        "APITOOLKIT_OFFLINE=1 renders from the cache only. A failed report leaves its executed NAME.ipynb (and no "
        "NAME.html) in --out.",
        add_help=False,
    )
    parser.add_argument("-h", "--help", action=ReportHelp, help="show this help, with each report's parameters")
    parser.add_argument("names", nargs="*", metavar="NAME", help="reports to run (default: all)")
    parser.add_argument("--out", required=True, help="output directory (created)")
    parser.add_argument(
        "-p", "--parameter", action="append", default=[], metavar="KEY=VALUE", help="a notebook parameter (repeat)"
    )
    parser.add_argument("--emulator", action="store_true", help="start the built-in emulator for the run")
    parser.add_argument("--jobs", type=int, default=2, help="reports rendered at once (default 2)")
    parser.set_defaults(run=run)


class ReportHelp(argparse.Action):
    """``report --help``: the help, then each report with its parameters and their defaults.

    The parameters are read from the notebooks only when the help is asked for, so other commands start fast.
    """

    def __init__(self, option_strings: list[str], dest: str, help: str | None = None) -> None:
        super().__init__(option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, nargs=0, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: Any, values: Any, option: str | None = None) -> None:
        parser.print_help()
        print(f"\n{report_listing()}")
        parser.exit()


def report_listing() -> str:
    """Each report with its parameters, defaults and help, as ``report --help`` prints them.

    Example:
        >>> print(report_listing())  # doctest: +ELLIPSIS
        reports and their parameters (-p KEY=VALUE):
        ...
          expirations: Expirations
            horizon=90              days ahead to show
        ...
    """
    from apitoolkit.exceptions import ApiToolkitError
    from apitoolkit.reports import REPORTS, report_parameters

    lines = ["reports and their parameters (-p KEY=VALUE):"]
    for name, report in REPORTS.items():
        lines.append(f"  {name}: {report.title}")
        try:
            parameters = report_parameters(name)
        except ApiToolkitError as error:
            return f"{lines[0]} not available: {error}"
        for key, (default, what) in parameters.items():
            lines.append(f"    {f'{key}={default}':24s}{what}".rstrip())
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Render the reports; returns the exit code (1: a failed cell, missing credentials; 2: bad input).

    Example:
        >>> from apitoolkit.cli import build_parser
        >>> run(build_parser().parse_args(["report", "expirations", "--out", "out", "--emulator"]))  # doctest: +SKIP
        0
    """
    from apitoolkit.exceptions import ApiToolkitError
    from apitoolkit.reports import parse_parameters, run_reports

    try:
        rendered = run_reports(
            args.names, args.out, parse_parameters(args.parameter), emulator=args.emulator, jobs=args.jobs
        )
    except ApiToolkitError as error:
        return fail("report", as_options(str(error), "APITOOLKIT_OFFLINE=1"), exit_code(error))
    print(f"apitoolkit report: {len(rendered)} report(s) in {args.out}", file=sys.stderr)
    return EXIT_OK
