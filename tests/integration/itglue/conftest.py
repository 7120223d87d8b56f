"""Fixtures of the IT Glue integration tests: switching the emulator's dialects, restored after the test."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from apitoolkit.emulator import EmulatorServer
from apitoolkit.emulator.itglue import ITGlueService


@pytest.fixture
def itglue_dialect(emulator: EmulatorServer) -> Iterator[Callable[[str, str], None]]:
    """Serve a reading of an IT Glue ambiguity (``set(name, value)``); every reading is back to default after."""

    def serve(name: str, value: str) -> None:
        emulator.app.configure(service="itglue", dialect={name: value})

    yield serve
    emulator.app.configure(service="itglue", dialect=dict.fromkeys(ITGlueService.dialects))
