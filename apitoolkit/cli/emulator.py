"""``apitoolkit emulator``: serve the built-in API emulator until Ctrl+C or SIGTERM."""

from __future__ import annotations

import argparse
import shlex
import signal
import threading
from typing import TYPE_CHECKING

from apitoolkit.cli._common import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, SIZES, Subparsers, fail

if TYPE_CHECKING:
    from apitoolkit.emulator import EmulatorServer

#: The IT Glue counts ``emulator`` can set, with their help (the fields of the emulator's ``Counts``, named here
#: so that building the parser imports no numpy).
ITGLUE_COUNTS = {
    "organizations": "organizations",
    "users": "users",
    "metric_days": "days of user metrics, ending today",
    "logs": "log rows over the last 30 days",
    "expirations": "expirations",
}


def add_parser(subparsers: Subparsers) -> None:
    """Add the ``emulator`` subcommand to ``subparsers``.

    Example:
        >>> parser = argparse.ArgumentParser(prog="apitoolkit")
        >>> add_parser(parser.add_subparsers())
        >>> parser.parse_args(["emulator", "--users", "5"]).users
        5
    """
    parser = subparsers.add_parser(
        "emulator",
        help="serve the built-in API emulator",
        description="Serve the built-in API emulator (fake data, fake keys) until Ctrl+C or SIGTERM.",
    )
    parser.add_argument("--port", type=int, default=8765, help="port to listen on; 0 picks a free one (default: 8765)")
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default: 127.0.0.1, loopback only)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated data (default: 1)")
    parser.add_argument("--size", choices=SIZES, default="small", help="amount of data (default: small)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every request (default: 0)")
    counts = parser.add_argument_group(
        "IT Glue data",
        "Counts of the default IT Glue account, each replacing the one of --size (e.g. --size large "
        "--users 1000000 --logs 1000000).",
    )
    for name, what in ITGLUE_COUNTS.items():
        option = f"--{name.replace('_', '-')}"
        counts.add_argument(option, type=count, metavar="N", help=f"{what} (default: by --size)")
    parser.set_defaults(run=run)


def count(text: str) -> int:
    """A count option's value: a whole number, 0 or more.

    Example:
        >>> count("12")
        12
    """
    if not (text.isascii() and text.isdigit()):
        raise argparse.ArgumentTypeError(f"{text!r} is not a count (an integer, 0 or more)")
    return int(text)


def emulator_server(args: argparse.Namespace) -> EmulatorServer:
    """The emulator the ``emulator`` options describe, not yet started.

    Raises:
        ValueError: Counts that do not fit together (logs without users, ...) or a negative latency.

    Example:
        >>> from apitoolkit.cli import build_parser
        >>> server = emulator_server(build_parser().parse_args(["emulator", "--users", "5"]))
        >>> server.app.itglue.default_counts.users
        5
    """
    from apitoolkit.emulator import EmulatorServer

    counts = itglue_counts(args)
    server = EmulatorServer(port=args.port, host=args.host, seed=args.seed, size=args.size, itglue=counts or None)
    server.app.configure(latency=args.latency)
    return server


def itglue_counts(args: argparse.Namespace) -> dict[str, int]:
    """The IT Glue counts given on the command line, by name.

    Example:
        >>> itglue_counts(argparse.Namespace(organizations=None, users=5, metric_days=None, logs=0, expirations=None))
        {'users': 5, 'logs': 0}
    """
    return {name: getattr(args, name) for name in ITGLUE_COUNTS if getattr(args, name) is not None}


def run(args: argparse.Namespace) -> int:
    """Serve until SIGINT or SIGTERM, then restore their handlers; returns the exit code.

    Example:
        >>> from apitoolkit.cli import build_parser
        >>> run(build_parser().parse_args(["emulator", "--port", "0"]))  # doctest: +SKIP
        export ITGLUE_BASE_URL=http://127.0.0.1:43169/itglue
        0
    """
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        return _serve(args, stop)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _serve(args: argparse.Namespace, stop: threading.Event) -> int:
    try:
        server = emulator_server(args)
    except ValueError as error:
        return fail("emulator", f"{error}.", EXIT_USAGE)
    try:
        server.start()
    except OSError as error:
        message = f"cannot listen on {args.host}:{args.port} ({error.strerror}); choose another --port."
        return fail("emulator", message, EXIT_FAILURE)
    with server:
        for name, value in server.environ().items():
            print(f"export {name}={shlex.quote(value)}")
        counts = "".join(f", {name} {value}" for name, value in itglue_counts(args).items())
        print(
            f"# emulator serving on {server.url} (seed {args.seed}, size {args.size}{counts}); "
            "press Ctrl+C (or send SIGTERM) to stop",
            flush=True,
        )
        stop.wait()
    return EXIT_OK
