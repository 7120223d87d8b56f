"""Fixtures shared by the unit tests: task frames, and one in-process emulator per module that asks for it."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest

from apitoolkit.emulator import mock_emulator
from tests.helpers import EMULATOR_NOW, hitask_items


@pytest.fixture
def week_items() -> pd.DataFrame:
    """Created Mon 2 Nov, Sun 8 Nov 23:30 UTC (Mon 9 Nov in Tokyo), Wed 18 Nov; one completed Thu 19 Nov."""
    return hitask_items(
        {"time_create": "2026-11-02 10:00"},
        {"time_create": "2026-11-08 23:30", "completed": True, "time_last_update": "2026-11-19 08:00"},
        {"time_create": "2026-11-18 12:00"},
    )


@pytest.fixture(scope="module")
def emulator_in_process() -> Iterator[mock_emulator]:
    """One in-process emulator (no socket) for the module, its clock at `EMULATOR_NOW`."""
    with mock_emulator(seed=1, size="small", now=EMULATOR_NOW) as emu:
        yield emu
