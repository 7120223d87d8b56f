"""``apitoolkit cache``: show what the cache holds (``info``) or delete it (``clear``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from apitoolkit.cli._common import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, Subparsers, fail
from apitoolkit.registry import REGISTRY

if TYPE_CHECKING:
    import pandas as pd

    from apitoolkit.config import CacheLocation


def add_parser(subparsers: Subparsers) -> None:
    """Add the ``cache`` subcommand, with its actions ``info`` and ``clear``, to ``subparsers``.

    Example:
        >>> parser = argparse.ArgumentParser(prog="apitoolkit")
        >>> add_parser(parser.add_subparsers())
        >>> parser.parse_args(["cache", "clear", "--service", "hitask"]).service
        'hitask'
    """
    parser = subparsers.add_parser(
        "cache",
        help="show or clear the cache",
        description="What the cache holds (responses and frames, per service and account), or delete it.",
    )
    actions = parser.add_subparsers(title="actions", metavar="ACTION", required=True)
    info = actions.add_parser(
        "info", help="list what is cached", description="List what is cached, per service, account and kind."
    )
    info.add_argument("--json", action="store_true", help="print JSON records instead of a table")
    info.set_defaults(run=run_info)
    clear = actions.add_parser(
        "clear",
        help="delete cached responses and frames",
        description="Delete cached responses and frames (of one service, or all). Asks first when run in a "
        "terminal; elsewhere pass --yes.",
    )
    clear.add_argument("--service", choices=tuple(REGISTRY), help="only this service (default: every service)")
    clear.add_argument("--yes", action="store_true", help="delete without asking")
    clear.set_defaults(run=run_clear)


def _held(command: str) -> tuple[CacheLocation, pd.DataFrame] | int:
    """The cache location and what it holds (``apitoolkit.cache_info()``), or the exit code of a bad setting."""
    import apitoolkit
    from apitoolkit.config import cache_location

    try:
        return cache_location(), apitoolkit.cache_info()
    except apitoolkit.ApiToolkitError as error:
        return fail(f"cache {command}", str(error))


def run_info(args: argparse.Namespace) -> int:
    """Print what the cache holds, as a table or as JSON records (``--json``); returns the exit code.

    Example:
        >>> run_info(argparse.Namespace(json=False))  # doctest: +SKIP
        The cache at /home/me/.cache/apitoolkit is empty.
        0
    """
    import json

    from apitoolkit.tables import size_text

    found = _held("info")
    if isinstance(found, int):
        return found
    location, held = found
    if args.json:
        updated = [t.isoformat(timespec="seconds") for t in held["updated"]]
        print(json.dumps(held.assign(updated=updated).to_dict(orient="records"), indent=2))
    elif not location.enabled:
        print("Caching is off (APITOOLKIT_CACHE=off).")
    elif held.empty:
        print(f"The cache at {location} is empty.")
    else:
        table = held.assign(
            bytes=held["bytes"].map(size_text),
            updated=held["updated"].dt.strftime("%Y-%m-%d %H:%M UTC"),
            path=[str(Path(p).relative_to(location.path)) if location.path else p for p in held["path"]],
        ).rename(columns={"bytes": "size"})
        print(table.to_string(index=False))
        print(f"{held['files'].sum()} files, {size_text(int(held['bytes'].sum()))} in {location}")
    return EXIT_OK


def run_clear(args: argparse.Namespace) -> int:
    """Delete the cache of ``--service`` (or of every service), asking first unless ``--yes``; the exit code.

    Example:
        >>> run_clear(argparse.Namespace(service="glasshat", yes=True))  # doctest: +SKIP
        Nothing to remove: the cache at /home/me/.cache/apitoolkit holds no glasshat data.
        0
    """
    import apitoolkit
    from apitoolkit.tables import size_text

    what = f"{args.service} data" if args.service else "every service's data"
    found = _held("clear")
    if isinstance(found, int):
        return found
    location, held = found
    if args.service:
        held = held[held["service"] == args.service]
    refused = None if args.yes else _ask(f"Delete {what} in {location}", held)
    if refused is not None:
        return refused
    if held.empty:
        print(f"Nothing to remove: the cache at {location} holds no {what}.")
        return EXIT_OK
    freed = apitoolkit.clear_cache(args.service)
    for row in held.itertuples():
        print(f"removed {row.service} {row.kind} cache of account {row.account}: {row.files} file(s), {row.path}")
    print(f"Freed {size_text(freed)} in {location}.")
    return EXIT_OK


def _ask(question: str, held: pd.DataFrame) -> int | None:
    """``None`` when the user agrees to delete ``held`` (or it is empty), else the exit code to stop with."""
    from apitoolkit.tables import size_text

    if not sys.stdin.isatty():
        return fail("cache clear", "not a terminal, so cannot ask: pass --yes to delete.", EXIT_USAGE)
    if held.empty:
        return None
    answer = input(f"{question} ({len(held)} entries, {size_text(int(held['bytes'].sum()))})? [y/N] ")
    if answer.strip().lower() in {"y", "yes"}:
        return None
    print("Nothing removed.")
    return EXIT_FAILURE
