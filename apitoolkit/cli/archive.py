"""``apitoolkit archive``: keep the history the APIs forget (``sync``, for cron), read it (``query``, ``info``),
and look after it (``compact``, ``prune``).

Every action takes ``--location`` (default: ``APITOOLKIT_ARCHIVE``, else ``<user data directory>/archive``).
Exit codes: 0 done; 1 the archive or an API failed (a sync's failing resources are named, one line each); 2 bad
input: an unknown service or resource, SQL the archive refuses, a bad ``--older-than``, ``--out`` or ``--tz``.
Errors print as every command prints them: ``apitoolkit archive <action>: <message>`` on stderr.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from apitoolkit.cli._common import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, Subparsers, UsageError, as_options, fail

if TYPE_CHECKING:
    import pandas as pd

    from apitoolkit.archive import Archive
    from apitoolkit.exceptions import ApiToolkitError

#: The services and resources the archive keeps (`apitoolkit.archive.ARCHIVED`, named here so that parsing
#: imports no pandas; a test checks they agree).
KEPT = {
    "itglue": ("logs", "user_metrics", "users", "organizations", "expirations"),
    "hitask": ("items",),
}


def add_parser(subparsers: Subparsers) -> None:
    """Add the ``archive`` subcommand, with its actions sync, query, info, compact and prune, to ``subparsers``.

    Example:
        >>> parser = argparse.ArgumentParser(prog="apitoolkit")
        >>> add_parser(parser.add_subparsers())
        >>> parser.parse_args(["archive", "prune", "--older-than", "365"]).older_than
        '365'
    """
    kept = "; ".join(f"{service}: {', '.join(resources)}" for service, resources in KEPT.items())
    parser = subparsers.add_parser(
        "archive",
        help="keep the history the APIs forget, and query it",
        description="An append-only archive of API history (Delta Lake tables in a directory or s3://bucket/prefix): "
        "sync it daily from cron, query it with SQL, and compact or prune it.",
        epilog=f"archived resources: {kept}",
    )
    actions = parser.add_subparsers(title="actions", metavar="ACTION", required=True)
    where = argparse.ArgumentParser(add_help=False)
    where.add_argument(
        "--location",
        metavar="PLACE",
        help="a directory or s3://bucket/prefix (default: APITOOLKIT_ARCHIVE, else the user data directory)",
    )
    which = argparse.ArgumentParser(add_help=False)
    which.add_argument("--service", metavar="SERVICE", help=f"only this service ({', '.join(KEPT)}; default: all)")
    which.add_argument("--resource", metavar="RESOURCE", help="only this resource (default: all of the service)")

    sync = actions.add_parser(
        "sync",
        parents=[where, which],
        help="bring the archive up to date (for cron)",
        description="Load what the APIs hold now (credentials from the environment) and archive it by each "
        "resource's rule. Prints one line per resource; exits 1 naming the resources that failed (each left as "
        "it was), after syncing the others.",
        epilog=f"archived resources: {kept}",
    )
    sync.set_defaults(run=run_sync)

    query = actions.add_parser(
        "query",
        parents=[where],
        help="run SQL over the archive",
        description="Run DuckDB SQL over the archive, one view per resource (itglue_logs, itglue_users, "
        "itglue_organizations, itglue_expirations, itglue_user_metrics, hitask_items). Prints the result as a "
        "table, or writes it atomically to --out.",
    )
    query.add_argument(
        "sql", metavar="SQL", help='the query, e.g. "SELECT action, count(*) FROM itglue_logs GROUP BY ALL"'
    )
    query.add_argument("--out", type=Path, metavar="FILE", help="write FILE.parquet, FILE.csv or FILE.xlsx instead")
    query.add_argument(
        "--tz", metavar="ZONE", help="show times in ZONE, e.g. Europe/London (with --out: .xlsx only; default: UTC)"
    )
    query.set_defaults(run=run_query)

    info = actions.add_parser(
        "info",
        parents=[where],
        help="rows, time range and size of each archived resource",
        description="Rows, time range, files, size and table version of each resource the archive holds.",
    )
    info.set_defaults(run=run_info)

    compact = actions.add_parser(
        "compact",
        parents=[where, which],
        help="merge the small files daily syncs write",
        description="Merge each table's small files (no row changes) and delete files no table version needs.",
    )
    compact.set_defaults(run=run_compact)

    prune = actions.add_parser(
        "prune",
        parents=[where, which],
        help="delete rows older than a number of days or a date",
        description="Delete archived rows older than DAYS days or a DATE (by each resource's time column). "
        "Hitask items keep their current versions however old.",
    )
    prune.add_argument("--older-than", required=True, metavar="DAYS|DATE", help="e.g. 1095 or 2024-01-01")
    prune.set_defaults(run=run_prune)


def _code(error: ApiToolkitError) -> int:
    """2 for bad input (an unknown resource, refused SQL, a bad argument), else 1."""
    from apitoolkit.exceptions import ArchiveQueryError, InvalidArgumentError, UnknownArchiveResourceError

    return (
        EXIT_USAGE
        if isinstance(error, InvalidArgumentError | UnknownArchiveResourceError | ArchiveQueryError)
        else EXIT_FAILURE
    )


def _archive(args: argparse.Namespace) -> Archive:
    from apitoolkit.archive import Archive

    return Archive(args.location)


def _warn(action: str, caught: list[Any]) -> None:
    for warning in caught:
        print(f"apitoolkit archive {action}: warning: {as_options(str(warning.message))}", file=sys.stderr)


def synced_line(row: Any) -> str:
    """One resource's line of ``archive sync``.

    Example:
        >>> from types import SimpleNamespace as Row
        >>> synced_line(Row(service="hitask", resource="items", rows_added=3, rows_replaced=2, seconds=0.31))
        'hitask/items: 3 versions added, 2 closed (0.3 s)'
    """
    added, replaced = int(row.rows_added or 0), int(row.rows_replaced or 0)
    if (row.service, row.resource) == ("hitask", "items"):
        counts = f"{added} versions added, {replaced} closed"
    else:
        counts = f"{added} rows added, {replaced} replaced"
    return f"{row.service}/{row.resource}: {counts} ({row.seconds:.1f} s)"


def run_sync(args: argparse.Namespace) -> int:
    """Sync the archive; one line per resource on stdout, the failures on stderr; returns the exit code.

    Example:
        >>> from apitoolkit.cli import build_parser
        >>> args = build_parser().parse_args(["archive", "sync", "--service", "hitask"])
        >>> run_sync(args)  # needs Hitask credentials  # doctest: +SKIP
        hitask/items: 300 versions added, 0 closed (0.1 s)
        0
    """
    import warnings

    from apitoolkit.archive import SyncFailedError
    from apitoolkit.exceptions import ApiToolkitError

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.simplefilter("ignore", DeprecationWarning)  # the libraries' notes to developers, not to cron
        try:
            results = _archive(args).sync(args.service, args.resource)
        except SyncFailedError as error:
            results = error.results
        except ApiToolkitError as error:
            _warn("sync", caught)
            return fail("archive sync", as_options(str(error), "APITOOLKIT_OFFLINE=1"), _code(error))
    _warn("sync", caught)
    failed = 0
    for row in results.itertuples():
        if isinstance(row.error, str) and row.error:
            failed += 1
            fail("archive sync", f"{row.service}/{row.resource} failed (left as it was): {row.error}")
        elif isinstance(row.skipped, str) and row.skipped:
            print(f"{row.service}/{row.resource}: skipped, {row.skipped}")
        else:
            print(synced_line(row))
    return EXIT_FAILURE if failed else EXIT_OK


def run_query(args: argparse.Namespace) -> int:
    """Run ``args.sql``; print the result, or write it to ``--out``; returns the exit code.

    Example:
        >>> import tempfile
        >>> from apitoolkit.cli import build_parser
        >>> with tempfile.TemporaryDirectory() as where:
        ...     run_query(build_parser().parse_args(["archive", "query", "SELECT 1 AS one", "--location", where]))
         one
           1
        0
    """
    from apitoolkit.cli.fetch import check_output
    from apitoolkit.exceptions import ApiToolkitError

    try:
        if args.out is not None:
            check_output(args.out, args.tz)
        frame = _archive(args).sql(args.sql)
        if args.out is None:
            return _print_result(frame, args.tz)
    except UsageError as error:
        return fail("archive query", str(error), EXIT_USAGE)
    except ApiToolkitError as error:
        return fail("archive query", str(error).replace("tz=", "--tz ", 1), _code(error))
    return _write(frame, args.out, args.tz)


def _print_result(frame: pd.DataFrame, tz: str | None) -> int:
    from apitoolkit.tables import readable

    shown = readable(frame, tz=tz or "UTC")
    print(shown.to_string(index=False) if len(frame) else f"(no rows; columns: {', '.join(map(str, frame.columns))})")
    return EXIT_OK


def _write(frame: pd.DataFrame, out: Path, tz: str | None) -> int:
    from apitoolkit.export import write_frame

    try:
        write_frame(frame, out, tz=tz)
    except OSError as error:
        return fail("archive query", f"cannot write {out} ({error.strerror or error}).", EXIT_FAILURE)
    print(
        f"apitoolkit archive query: {len(frame)} rows, {len(frame.columns)} columns written to {out}", file=sys.stderr
    )
    return EXIT_OK


def run_info(args: argparse.Namespace) -> int:
    """Print rows, range, files and size of each archived resource; returns the exit code.

    Example:
        >>> import tempfile
        >>> from apitoolkit.cli import build_parser
        >>> with tempfile.TemporaryDirectory() as where:
        ...     run_info(build_parser().parse_args(["archive", "info", "--location", where]))
        ...     # doctest: +ELLIPSIS
        The archive at ... holds nothing yet: run `apitoolkit archive sync`.
        0
    """
    from apitoolkit.exceptions import ApiToolkitError
    from apitoolkit.tables import size_text

    try:
        archive = _archive(args)
        held = archive.info()
    except ApiToolkitError as error:
        return fail("archive info", str(error), _code(error))
    if held.empty:
        print(f"The archive at {archive.location} holds nothing yet: run `apitoolkit archive sync`.")
        return EXIT_OK
    table = held.assign(bytes=held["bytes"].map(size_text)).rename(columns={"bytes": "size"})
    print(table.fillna("").to_string(index=False))
    print(f"{int(held['files'].sum())} files, {size_text(int(held['bytes'].sum()))} in {archive.location}")
    return EXIT_OK


def run_compact(args: argparse.Namespace) -> int:
    """Compact the tables; one line per resource; returns the exit code.

    Example:
        >>> from apitoolkit.cli import build_parser
        >>> args = build_parser().parse_args(["archive", "compact", "--resource", "logs"])
        >>> run_compact(args)  # compacts the archive of APITOOLKIT_ARCHIVE  # doctest: +SKIP
        itglue/logs: 31 files merged into 2
        0
    """
    from apitoolkit.exceptions import ApiToolkitError

    try:
        done = _archive(args).compact(args.service, args.resource)
    except ApiToolkitError as error:
        return fail("archive compact", str(error), _code(error))
    for row in done.itertuples():
        print(f"{row.service}/{row.resource}: {int(row.files_removed)} files merged into {int(row.files_added)}")
    return EXIT_OK


def older_than(text: str) -> int | str:
    """``--older-than``: a whole number of days, or the date text as given (the archive checks it).

    Example:
        >>> older_than("365"), older_than("2024-01-01")
        (365, '2024-01-01')
    """
    stripped = text.strip()
    return int(stripped) if stripped.isdigit() else stripped


def run_prune(args: argparse.Namespace) -> int:
    """Delete rows older than ``--older-than``; one line per resource; returns the exit code.

    Example:
        >>> from apitoolkit.cli import build_parser
        >>> args = build_parser().parse_args(["archive", "prune", "--older-than", "1095"])
        >>> run_prune(args)  # deletes rows of the archive of APITOOLKIT_ARCHIVE  # doctest: +SKIP
        itglue/logs: 0 rows deleted
        0
    """
    from apitoolkit.exceptions import ApiToolkitError

    try:
        done = _archive(args).prune(older_than(args.older_than), args.service, args.resource)
    except ApiToolkitError as error:
        return fail("archive prune", str(error).replace("older_than=", "--older-than ", 1), _code(error))
    for row in done.itertuples():
        print(f"{row.service}/{row.resource}: {int(row.rows_deleted)} rows deleted")
    return EXIT_OK
