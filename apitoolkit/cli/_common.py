"""What every subcommand shares: exit codes, the usage error, and library messages in a command's words."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from apitoolkit.exceptions import ApiToolkitError

#: The subparsers of ``apitoolkit`` (or of a subcommand), to which a subcommand module adds its parser.
Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"

#: Exit codes: done; failed (network, credentials, a failed cell); a command line that cannot be run.
EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
#: Sizes of the emulator's generated data, for ``emulator`` and ``demo``.
SIZES = ("small", "medium", "large")


class UsageError(Exception):
    """A command line the parser accepted but the command cannot take: exit code 2."""


def as_options(message: str, offline: str = "--offline") -> str:
    """A library message in the words of a command: the ``offline=True`` argument becomes what the command takes
    (``--offline`` for ``fetch``; ``APITOOLKIT_OFFLINE=1`` for ``report`` and ``demo``, whose loads read it).

    Example:
        >>> as_options("try again later; cached data stays usable with offline=True.")
        'try again later; cached data stays usable with --offline.'
    """
    return message.replace("offline=True", offline)


def exit_code(error: ApiToolkitError) -> int:
    """The exit code of a library error: 2 for bad input (``InvalidArgumentError``), else 1.

    Example:
        >>> from apitoolkit.exceptions import InvalidArgumentError
        >>> exit_code(InvalidArgumentError("start='someday' is not a date."))
        2
    """
    from apitoolkit.exceptions import InvalidArgumentError

    return EXIT_USAGE if isinstance(error, InvalidArgumentError) else EXIT_FAILURE


def fail(command: str, message: str, code: int = EXIT_FAILURE) -> int:
    """Print ``apitoolkit <command>: <message>`` on stderr and return ``code``, the exit code to fail with.

    Example:
        >>> import contextlib, io
        >>> with contextlib.redirect_stderr(io.StringIO()) as err:
        ...     fail("fetch", "--out users.json must end in .parquet, .csv or .xlsx.", EXIT_USAGE)
        2
        >>> err.getvalue()
        'apitoolkit fetch: --out users.json must end in .parquet, .csv or .xlsx.\\n'
    """
    print(f"apitoolkit {command}: {message}", file=sys.stderr)
    return code
