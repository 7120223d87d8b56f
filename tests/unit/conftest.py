"""Fixtures shared by the unit tests of analysis and plots."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.unit.analysis.test_tasks import hitask_items


@pytest.fixture
def week_items() -> pd.DataFrame:
    """Created Mon 2 Nov, Sun 8 Nov 23:30 UTC (Mon 9 Nov in Tokyo), Wed 18 Nov; one completed Thu 19 Nov."""
    return hitask_items(
        {"time_create": "2026-11-02 10:00"},
        {"time_create": "2026-11-08 23:30", "completed": True, "time_last_update": "2026-11-19 08:00"},
        {"time_create": "2026-11-18 12:00"},
    )
