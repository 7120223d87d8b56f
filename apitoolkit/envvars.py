"""Environment variables set for a block and then put back: any, or those pointing every service at the emulator."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from apitoolkit.emulator.core.server import SharedEmulator

__all__ = ["emulator_environment", "environment"]


@contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    """Set environment variables for the block, then put back what was there.

    Example:
        >>> with environment({"APITOOLKIT_PROGRESS": "0"}):
        ...     os.environ["APITOOLKIT_PROGRESS"]
        '0'
    """
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


@contextmanager
def emulator_environment(*, seed: int = 1, size: str = "small", port: int | None = None) -> Iterator[SharedEmulator]:
    """The built-in emulator for the block (`shared_emulator`: one already serving, else one started), with the
    environment pointing every service's client at it: what the demo and ``apitoolkit report --emulator`` run in.

    Example:
        >>> with emulator_environment(seed=1, size="small", port=0) as emulator:  # port 0: any free port
        ...     os.environ["ITGLUE_BASE_URL"] == emulator.environ()["ITGLUE_BASE_URL"]
        True
    """
    # Imported on use: the emulator (werkzeug, faker, the fake data) is an extra, and heavy.
    from apitoolkit.emulator.core.server import shared_emulator

    with shared_emulator(seed=seed, size=size, port=port) as emulator, environment(emulator.environ()):
        yield emulator
