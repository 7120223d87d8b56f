"""``apitoolkit fetch``: load one resource and write it to a parquet, CSV or Excel file."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from apitoolkit.cli._common import (
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_USAGE,
    Subparsers,
    UsageError,
    as_options,
    exit_code,
    fail,
)
from apitoolkit.cli.loader_call import loader_call
from apitoolkit.registry import REGISTRY

if TYPE_CHECKING:
    import pandas as pd

#: What ``fetch --out`` writes, by suffix (`apitoolkit.export.SUFFIXES`, named here so that parsing imports no pandas).
OUTPUTS = (".parquet", ".csv", ".xlsx")


def add_parser(subparsers: Subparsers) -> None:
    """Add the ``fetch`` subcommand to ``subparsers``: its services and resources are those of the registry.

    Example:
        >>> parser = argparse.ArgumentParser(prog="apitoolkit")
        >>> add_parser(parser.add_subparsers())
        >>> parser.parse_args(["fetch", "items", "--service", "hitask", "--out", "items.csv"]).service
        'hitask'
    """
    listing = "; ".join(
        f"{name}: {', '.join(resource.name for resource in service.resources)}" for name, service in REGISTRY.items()
    )
    parser = subparsers.add_parser(
        "fetch",
        help="load one resource and write it to a parquet, CSV or Excel file",
        description="Load one resource through its loader (credentials from the environment, cached like any "
        "load) and write it atomically to FILE.parquet, FILE.csv or FILE.xlsx (list columns as JSON text; in "
        "Excel, times in UTC or in --tz, named in the column header). Prints rows, columns, the file and where the "
        "data came from on stderr.",
        epilog=f"resources: {listing}",
    )
    parser.add_argument("resource", metavar="RESOURCE", help="what to load: users, logs, items, ... (see below)")
    parser.add_argument("--service", choices=tuple(REGISTRY), default="itglue", help="the API (default: itglue)")
    parser.add_argument(
        "--out", type=Path, required=True, metavar="FILE", help="FILE.parquet, FILE.csv or FILE.xlsx (Excel)"
    )
    parser.add_argument(
        "--tz", metavar="ZONE", help="for .xlsx: write times as local times in ZONE, e.g. Europe/London (default: UTC)"
    )
    parser.add_argument("--start", metavar="DATE", help="start of the range, for loaders that take one (logs, ...)")
    parser.add_argument(
        "--end", metavar="DATE", help="end of the range (a date such as 2026-12-02 includes that whole day)"
    )
    parser.add_argument(
        "--filter",
        dest="filters",
        action="append",
        default=[],
        type=key_value,
        metavar="KEY=VALUE",
        help="a keyword argument of the loader (organization_id=123); repeat a key or give a comma list for "
        "several values; integers are converted",
    )
    parser.add_argument("--refresh", action="store_true", help="fetch again and replace the cached copy")
    parser.add_argument("--offline", action="store_true", help="serve only from the cache; a miss is an error")
    parser.set_defaults(run=run)


def key_value(text: str) -> tuple[str, str]:
    """A ``--filter`` argument split at its first ``=``.

    Example:
        >>> key_value("name=A=B")
        ('name', 'A=B')
    """
    key, equals, value = text.partition("=")
    if not equals or not key.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is not KEY=VALUE")
    return key.strip(), value


def run(args: argparse.Namespace) -> int:
    """Load the resource and write the file; returns the exit code (1: load or write failed; 2: bad input).

    Example:
        >>> from apitoolkit.cli import build_parser
        >>> run(build_parser().parse_args(["fetch", "users", "--out", "users.parquet"]))  # doctest: +SKIP
        0
    """
    try:
        check_output(args.out, args.tz)
        loader, kwargs = loader_call(args)
    except UsageError as error:
        return fail("fetch", str(error), EXIT_USAGE)
    frame = _load(args, loader, kwargs)
    if isinstance(frame, int):
        return frame
    return _write(frame, args.out, args.tz)


def check_output(out: Path, tz: str | None) -> None:
    """Refuse an ``--out`` that is not parquet, CSV or Excel, and a ``--tz`` that is not for Excel or not a zone.

    Raises:
        UsageError: What to change on the command line.

    Example:
        >>> check_output(Path("users.csv"), "Europe/London")
        Traceback (most recent call last):
        ...
        apitoolkit.cli._common.UsageError: --tz applies to .xlsx files only: users.csv keeps times in UTC.
    """
    if out.suffix.lower() not in OUTPUTS:
        raise UsageError(f"--out {out} must end in {', '.join(OUTPUTS[:-1])} or {OUTPUTS[-1]}.")
    if tz is None:
        return
    if out.suffix.lower() != ".xlsx":
        raise UsageError(f"--tz applies to .xlsx files only: {out.name} keeps times in UTC.")
    from apitoolkit.exceptions import InvalidArgumentError
    from apitoolkit.export import check_zone

    try:
        check_zone(tz)
    except InvalidArgumentError as error:
        raise UsageError(str(error).replace("tz=", "--tz ", 1)) from None


def _load(args: argparse.Namespace, loader: Callable[..., Any], kwargs: dict[str, Any]) -> pd.DataFrame | int:
    """The loaded frame, or the exit code of the failure; warnings go to stderr, one line each."""
    import warnings

    from apitoolkit.exceptions import ApiToolkitError

    failure: ApiToolkitError | None = None
    with warnings.catch_warnings(record=True) as caught:
        try:
            service_client: Callable[..., Any] = REGISTRY[args.service].client_class()  # takes ClientOptions
            client = service_client(offline=True if args.offline else None)
            frame: pd.DataFrame = loader(client=client, refresh=args.refresh, **kwargs)
        except ApiToolkitError as error:
            failure = error
    for warning in caught:
        print(f"apitoolkit fetch: warning: {as_options(str(warning.message))}", file=sys.stderr)
    if failure is not None:
        return fail("fetch", as_options(str(failure)), exit_code(failure))
    return frame


def _write(frame: pd.DataFrame, out: Path, tz: str | None) -> int:
    from apitoolkit.export import write_frame
    from apitoolkit.loading import load_source

    try:
        write_frame(frame, out, tz=tz)
    except OSError as error:
        return fail("fetch", f"cannot write {out} ({error.strerror or error}).", EXIT_FAILURE)
    shape = f"{len(frame)} rows, {len(frame.columns)} columns"
    print(f"apitoolkit fetch: {shape} written to {out} (from {load_source(frame) or 'unknown'})", file=sys.stderr)
    return EXIT_OK
