"""The ``apitoolkit`` command line: one subcommand per task (``emulator``, ``demo``, ``fetch``, ``cache``).

A subcommand is added by a ``_add_<name>(subparsers)`` function that registers its parser and sets
``run`` to a function ``(args) -> exit code``.
"""

from __future__ import annotations

import argparse
import difflib
import re
import shlex
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import inspect

    from apitoolkit.emulator import EmulatorServer

#: What ``fetch`` can load: ``load_<resource>`` of ``apitoolkit.<service>`` (``itglue.load_resource`` needs an
#: endpoint name, so it stays a Python call).
_RESOURCES: dict[str, tuple[str, ...]] = {
    "itglue": ("users", "organizations", "expirations", "user_metrics", "logs"),
    "hitask": ("items", "item_history", "tags", "team_members", "contacts"),
    "glasshat": ("clients", "projects", "tasks"),
    "happygrasshopper": ("contacts",),
}
_CLIENTS = {
    "itglue": "ITGlueClient",
    "hitask": "HitaskClient",
    "glasshat": "GlasshatClient",
    "happygrasshopper": "HappyGrasshopperClient",
}
#: Loader arguments the command sets itself: never a ``--filter``.
_OWN_OPTIONS = frozenset({"client", "refresh", "progress", "start", "end"})
#: What ``fetch --out`` writes, by suffix (`apitoolkit.export.SUFFIXES`, named here so that parsing imports no pandas).
_OUTPUTS = (".parquet", ".csv", ".xlsx")
_BOOLEANS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
#: Integers as written by people: no leading zeros, so ``phone=0123`` stays text.
_INTEGER = re.compile(r"-?[1-9][0-9]*|0")
#: The IT Glue counts ``emulator`` can set, with their help (the fields of the emulator's ``Counts``, named here
#: so that building the parser imports no numpy).
_ITGLUE_COUNTS = {
    "organizations": "organizations",
    "users": "users",
    "metric_days": "days of user metrics, ending today",
    "logs": "log rows over the last 30 days",
    "expirations": "expirations",
}


class _UsageError(Exception):
    """A command line the parser accepted but the loader cannot take: exit code 2."""


def main(argv: list[str] | None = None) -> int:
    """Run the ``apitoolkit`` command; returns the exit code.

    Args:
        argv: The arguments after the program name; defaults to ``sys.argv[1:]``.

    Example:
        >>> main(["emulator", "--port", "0", "--size", "small"])  # doctest: +SKIP
        0
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
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
    _add_emulator(subparsers)
    _add_demo(subparsers)
    _add_fetch(subparsers)
    _add_cache(subparsers)
    _add_report(subparsers)
    return parser


def _add_demo(subparsers: Any) -> None:
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
    parser.add_argument(
        "--size", choices=("small", "medium", "large"), default="small", help="amount of data (default: small)"
    )
    parser.set_defaults(run=_run_demo)


def _run_demo(args: argparse.Namespace) -> int:
    from apitoolkit.demo import run_demo
    from apitoolkit.exceptions import ApiToolkitError

    try:
        return run_demo(size=args.size, seed=args.seed, port=args.port, reports=args.out)
    except ApiToolkitError as error:
        print(f"apitoolkit demo: {_as_options(str(error), 'APITOOLKIT_OFFLINE=1')}", file=sys.stderr)
        return 1


def _add_emulator(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "emulator",
        help="serve the built-in API emulator",
        description="Serve the built-in API emulator (fake data, fake keys) until Ctrl+C or SIGTERM.",
    )
    parser.add_argument("--port", type=int, default=8765, help="port to listen on; 0 picks a free one (default: 8765)")
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default: 127.0.0.1, loopback only)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated data (default: 1)")
    parser.add_argument(
        "--size", choices=("small", "medium", "large"), default="small", help="amount of data (default: small)"
    )
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every request (default: 0)")
    counts = parser.add_argument_group(
        "IT Glue data", "Counts of the default IT Glue account, each replacing the one of --size (e.g. --size large "
        "--users 1000000 --logs 1000000)."
    )
    for name, what in _ITGLUE_COUNTS.items():
        option = f"--{name.replace('_', '-')}"
        counts.add_argument(option, type=_count, metavar="N", help=f"{what} (default: by --size)")
    parser.set_defaults(run=_run_emulator)


def _count(text: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise argparse.ArgumentTypeError(f"{text!r} is not a count (an integer, 0 or more)")
    return int(text)


def _emulator_server(args: argparse.Namespace) -> EmulatorServer:
    """The emulator the ``emulator`` options describe, not yet started.

    Raises:
        ValueError: Counts that do not fit together (logs without users, ...) or a negative latency.

    Example:
        >>> server = _emulator_server(build_parser().parse_args(["emulator", "--users", "5"]))  # doctest: +SKIP
        >>> server.app.itglue.default_counts.users  # doctest: +SKIP
        5
    """
    from apitoolkit.emulator import EmulatorServer

    counts = _itglue_counts(args)
    server = EmulatorServer(port=args.port, host=args.host, seed=args.seed, size=args.size, itglue=counts or None)
    server.app.configure(latency=args.latency)
    return server


def _itglue_counts(args: argparse.Namespace) -> dict[str, int]:
    return {name: getattr(args, name) for name in _ITGLUE_COUNTS if getattr(args, name) is not None}


def _run_emulator(args: argparse.Namespace) -> int:
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        try:
            server = _emulator_server(args)
        except ValueError as error:
            print(f"apitoolkit emulator: {error}.", file=sys.stderr)
            return 2
        try:
            server.start()
        except OSError as error:
            print(f"apitoolkit emulator: cannot listen on {args.host}:{args.port} ({error.strerror}); "
                  "choose another --port.", file=sys.stderr)
            return 1
        with server:
            for name, value in server.environ().items():
                print(f"export {name}={shlex.quote(value)}")
            counts = "".join(f", {name} {value}" for name, value in _itglue_counts(args).items())
            print(f"# emulator serving on {server.url} (seed {args.seed}, size {args.size}{counts}); "
                  "press Ctrl+C (or send SIGTERM) to stop", flush=True)
            stop.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


def _add_fetch(subparsers: Any) -> None:
    listing = "; ".join(f"{service}: {', '.join(names)}" for service, names in _RESOURCES.items())
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
    parser.add_argument("--service", choices=tuple(_RESOURCES), default="itglue", help="the API (default: itglue)")
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
        type=_key_value,
        metavar="KEY=VALUE",
        help="a keyword argument of the loader (organization_id=123); repeat a key or give a comma list for "
        "several values; integers are converted",
    )
    parser.add_argument("--refresh", action="store_true", help="fetch again and replace the cached copy")
    parser.add_argument("--offline", action="store_true", help="serve only from the cache; a miss is an error")
    parser.set_defaults(run=_run_fetch)


def _key_value(text: str) -> tuple[str, str]:
    key, equals, value = text.partition("=")
    if not equals or not key.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is not KEY=VALUE")
    return key.strip(), value


def _run_fetch(args: argparse.Namespace) -> int:
    import importlib
    import warnings

    from apitoolkit.exceptions import ApiToolkitError, InvalidArgumentError
    from apitoolkit.export import check_zone, write_frame
    from apitoolkit.loading import load_source

    try:
        if args.out.suffix.lower() not in _OUTPUTS:
            raise _UsageError(f"--out {args.out} must end in {', '.join(_OUTPUTS[:-1])} or {_OUTPUTS[-1]}.")
        if args.tz is not None:
            if args.out.suffix.lower() != ".xlsx":
                raise _UsageError(f"--tz applies to .xlsx files only: {args.out.name} keeps times in UTC.")
            try:
                check_zone(args.tz)
            except InvalidArgumentError as error:
                raise _UsageError(str(error).replace("tz=", "--tz ", 1)) from None
        loader, kwargs = _loader_call(args)
    except _UsageError as error:
        print(f"apitoolkit fetch: {error}", file=sys.stderr)
        return 2
    module = importlib.import_module(f"apitoolkit.{args.service}")
    failure: ApiToolkitError | None = None
    with warnings.catch_warnings(record=True) as caught:
        try:
            client = getattr(module, _CLIENTS[args.service])(offline=True if args.offline else None)
            frame = loader(client=client, refresh=args.refresh, **kwargs)
        except ApiToolkitError as error:
            failure = error
    for warning in caught:
        print(f"apitoolkit fetch: warning: {_as_options(str(warning.message))}", file=sys.stderr)
    if failure is not None:
        print(f"apitoolkit fetch: {_as_options(str(failure))}", file=sys.stderr)
        return 2 if isinstance(failure, InvalidArgumentError) else 1
    try:
        write_frame(frame, args.out, tz=args.tz)
    except OSError as error:
        print(f"apitoolkit fetch: cannot write {args.out} ({error.strerror or error}).", file=sys.stderr)
        return 1
    print(
        f"apitoolkit fetch: {len(frame)} rows, {len(frame.columns)} columns written to {args.out} "
        f"(from {load_source(frame) or 'unknown'})",
        file=sys.stderr,
    )
    return 0


def _as_options(message: str, offline: str = "--offline") -> str:
    """A library message in the words of a command: the ``offline=True`` argument becomes what the command takes
    (``--offline`` for ``fetch``; ``APITOOLKIT_OFFLINE=1`` for ``report`` and ``demo``, whose loads read it).

    Example:
        >>> _as_options("try again later; cached data stays usable with offline=True.")
        'try again later; cached data stays usable with --offline.'
    """
    return message.replace("offline=True", offline)


def _loader_call(args: argparse.Namespace) -> tuple[Callable[..., Any], dict[str, Any]]:
    """The loader of ``args.resource`` and its keyword arguments from ``--start``, ``--end`` and ``--filter``.

    Raises:
        _UsageError: Unknown resource, an option or filter the loader does not take, a required one missing.
    """
    import importlib
    import inspect

    service, resource = args.service, args.resource
    names = _RESOURCES[service]
    if resource not in names:
        close = difflib.get_close_matches(resource, names, n=1)
        also = f" (did you mean {close[0]!r}?)" if close else ""
        raise _UsageError(f"unknown {service} resource {resource!r}{also}: use one of {', '.join(names)}.")
    module = importlib.import_module(f"apitoolkit.{service}")
    loader: Callable[..., Any] = getattr(module, f"load_{resource}")
    params = inspect.signature(loader).parameters
    keywords = {
        name: p
        for name, p in params.items()
        if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    }
    kwargs: dict[str, Any] = {}
    for option in ("start", "end"):
        value = getattr(args, option)
        if value is not None:
            if option not in keywords:
                ranged = [n for n in names if "start" in inspect.signature(getattr(module, f"load_{n}")).parameters]
                raise _UsageError(
                    f"{service} {resource} takes no --start/--end; {service} resources that do: {', '.join(ranged)}."
                )
            kwargs[option] = value
    filters = sorted(set(keywords) - _OWN_OPTIONS)
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    grouped: dict[str, list[str]] = {}
    for key, value in args.filters:
        grouped.setdefault(key, []).append(value)
    for key, texts in grouped.items():
        if key in _OWN_OPTIONS or (key not in keywords and not takes_any):
            accepted = f"it takes {', '.join(filters)}" if filters else "it takes none"
            own = f" (use --{key})" if key in {"start", "end", "refresh"} else ""
            raise _UsageError(f"{service} {resource} has no filter {key!r}{own}: {accepted}.")
        kwargs[key] = _filter_value(key, texts, keywords.get(key))
    missing = [n for n in filters if keywords[n].default is inspect.Parameter.empty and n not in kwargs]
    if missing:
        raise _UsageError(f"{service} {resource} needs --filter {missing[0]}=VALUE.")
    return loader, kwargs


def _filter_value(key: str, texts: list[str], param: inspect.Parameter | None) -> Any:
    """One ``--filter`` value: true/false for a boolean argument, else a scalar or list, integers converted.

    A comma separates values ("any of"); ``\\,`` is a comma inside a value, as in IT Glue's own filters.

    Example:
        >>> _filter_value("user_id", ["1,2", "3"], None), _filter_value("email", ["007"], None)
        ([1, 2, 3], '007')
        >>> _filter_value("name", ["Kub\\, Reynolds and Gibson"], None)
        'Kub, Reynolds and Gibson'
    """
    items = [part.strip().replace("\\,", ",") for text in texts for part in re.split(r"(?<!\\),", text)]
    if not all(items):
        raise _UsageError(f"--filter {key}= has an empty value: give a value or leave the filter out.")
    if param is not None and isinstance(param.default, bool):
        if len(items) != 1 or items[0].lower() not in _BOOLEANS:
            raise _UsageError(f"--filter {key}= takes one of true or false, not {','.join(items)!r}.")
        return _BOOLEANS[items[0].lower()]
    values: list[Any] = [int(item) if _INTEGER.fullmatch(item) else item for item in items]
    return values[0] if len(values) == 1 else values


def _add_cache(subparsers: Any) -> None:
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
    info.set_defaults(run=_run_cache_info)
    clear = actions.add_parser(
        "clear",
        help="delete cached responses and frames",
        description="Delete cached responses and frames (of one service, or all). Asks first when run in a "
        "terminal; elsewhere pass --yes.",
    )
    clear.add_argument("--service", choices=tuple(_RESOURCES), help="only this service (default: every service)")
    clear.add_argument("--yes", action="store_true", help="delete without asking")
    clear.set_defaults(run=_run_cache_clear)


def _run_cache_info(args: argparse.Namespace) -> int:
    import json

    import apitoolkit
    from apitoolkit.config import cache_location
    from apitoolkit.tables import size_text

    try:
        location = cache_location()
        held = apitoolkit.cache_info()
    except apitoolkit.ApiToolkitError as error:
        print(f"apitoolkit cache info: {error}", file=sys.stderr)
        return 1
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
    return 0


def _run_cache_clear(args: argparse.Namespace) -> int:
    import apitoolkit
    from apitoolkit.config import cache_location
    from apitoolkit.tables import size_text

    what = f"{args.service} data" if args.service else "every service's data"
    try:
        location = cache_location()
        held = apitoolkit.cache_info()
    except apitoolkit.ApiToolkitError as error:
        print(f"apitoolkit cache clear: {error}", file=sys.stderr)
        return 1
    if args.service:
        held = held[held["service"] == args.service]
    if not args.yes:
        if not sys.stdin.isatty():
            print("apitoolkit cache clear: not a terminal, so cannot ask: pass --yes to delete.", file=sys.stderr)
            return 2
        if not held.empty:
            size = size_text(int(held["bytes"].sum()))
            answer = input(f"Delete {what} in {location} ({len(held)} entries, {size})? [y/N] ")
            if answer.strip().lower() not in {"y", "yes"}:
                print("Nothing removed.")
                return 1
    if held.empty:
        print(f"Nothing to remove: the cache at {location} holds no {what}.")
        return 0
    freed = apitoolkit.clear_cache(args.service)
    for row in held.itertuples():
        print(f"removed {row.service} {row.kind} cache of account {row.account}: {row.files} file(s), {row.path}")
    print(f"Freed {size_text(freed)} in {location}.")
    return 0


def _add_report(subparsers: Any) -> None:
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
    parser.add_argument("-h", "--help", action=_ReportHelp, help="show this help, with each report's parameters")
    parser.add_argument("names", nargs="*", metavar="NAME", help="reports to run (default: all)")
    parser.add_argument("--out", required=True, help="output directory (created)")
    parser.add_argument(
        "-p", "--parameter", action="append", default=[], metavar="KEY=VALUE", help="a notebook parameter (repeat)"
    )
    parser.add_argument("--emulator", action="store_true", help="start the built-in emulator for the run")
    parser.add_argument("--jobs", type=int, default=2, help="reports rendered at once (default 2)")
    parser.set_defaults(run=_run_report)


class _ReportHelp(argparse.Action):
    """``report --help``: the help, then each report with its parameters and their defaults.

    The parameters are read from the notebooks only when the help is asked for, so other commands start fast.
    """

    def __init__(self, option_strings: list[str], dest: str, help: str | None = None) -> None:
        super().__init__(option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, nargs=0, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: Any, values: Any, option: str | None = None) -> None:
        parser.print_help()
        print(f"\n{_report_listing()}")
        parser.exit()


def _report_listing() -> str:
    """Each report with its parameters, defaults and help, as ``report --help`` prints them.

    Example:
        >>> print(_report_listing())  # doctest: +SKIP
        reports and their parameters (-p KEY=VALUE):
          expirations: Expirations
            horizon=90            days ahead to show
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


def _run_report(args: argparse.Namespace) -> int:
    from apitoolkit.exceptions import ApiToolkitError, InvalidArgumentError
    from apitoolkit.reports import parse_parameters, run_reports

    try:
        rendered = run_reports(
            args.names, args.out, parse_parameters(args.parameter), emulator=args.emulator, jobs=args.jobs
        )
    except ApiToolkitError as error:  # a failed cell, missing credentials: 1; bad input: 2
        print(f"apitoolkit report: {_as_options(str(error), 'APITOOLKIT_OFFLINE=1')}", file=sys.stderr)
        return 2 if isinstance(error, InvalidArgumentError) else 1
    print(f"apitoolkit report: {len(rendered)} report(s) in {args.out}", file=sys.stderr)
    return 0
