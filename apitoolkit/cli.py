"""The ``apitoolkit`` command line: one subcommand per task (``emulator``, ``demo``).

A subcommand is added by a ``_add_<name>(subparsers)`` function that registers its parser and sets
``run`` to a function ``(args) -> exit code``.
"""

from __future__ import annotations

import argparse
import shlex
import signal
import sys
import threading
from typing import Any


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
    parser = argparse.ArgumentParser(
        prog="apitoolkit", description="Paginated SaaS APIs as flat, typed, cached pandas DataFrames."
    )
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    _add_emulator(subparsers)
    _add_demo(subparsers)
    return parser


def _add_demo(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="load IT Glue data from the built-in emulator and summarise it",
        description="Start the emulator, load users, organizations, user metrics, logs and expirations through "
        "the public loaders (cached like any load), print a summary, stop the emulator.",
    )
    parser.add_argument("--port", type=int, default=None, help="emulator port (default 8765 when free)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated data")
    parser.add_argument("--size", choices=("small", "medium", "large"), default="small", help="amount of data")
    parser.set_defaults(run=_run_demo)


def _run_demo(args: argparse.Namespace) -> int:
    from apitoolkit.demo import run_demo
    from apitoolkit.exceptions import ApiToolkitError

    try:
        return run_demo(size=args.size, seed=args.seed, port=args.port)
    except ApiToolkitError as error:
        print(f"apitoolkit demo: {error}", file=sys.stderr)
        return 1


def _add_emulator(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "emulator",
        help="serve the built-in API emulator",
        description="Serve the built-in API emulator (fake data, fake keys) until Ctrl+C or SIGTERM.",
    )
    parser.add_argument("--port", type=int, default=8765, help="port to listen on; 0 picks a free one")
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default: loopback only)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated data")
    parser.add_argument("--size", choices=("small", "medium", "large"), default="small", help="amount of data")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every request")
    parser.set_defaults(run=_run_emulator)


def _run_emulator(args: argparse.Namespace) -> int:
    from apitoolkit.emulator import EmulatorServer

    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        server = EmulatorServer(port=args.port, host=args.host, seed=args.seed, size=args.size)
        server.app.configure(latency=args.latency)
        try:
            server.start()
        except OSError as error:
            print(f"apitoolkit emulator: cannot listen on {args.host}:{args.port} ({error.strerror}); "
                  "choose another --port.", file=sys.stderr)
            return 1
        with server:
            for name, value in server.environ().items():
                print(f"export {name}={shlex.quote(value)}")
            print(f"# emulator serving on {server.url} (seed {args.seed}, size {args.size}); "
                  "press Ctrl+C (or send SIGTERM) to stop", flush=True)
            stop.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
